// String literals and text helpers for the Python parser: literal decoding, string/f-string node
// conversion, line/indent queries, and the problem ranks shared by the converters.

import type { SyntaxNode } from '@lezer/common';
import type { Constant, Expr, FormattedValue, JoinedStr, Span } from './ast';
import type { ExprConverter } from './parseExpr';

/** Problem ranks: lower wins when one statement has several (tokenizer errors first, like CPython). */
export const RANK_TOKEN = 0, RANK_BRACKET = 1, RANK_SPECIFIC = 2, RANK_GENERIC = 3;

/** One syntax problem found while converting a statement. */
export interface Problem { rank: number; message: string; span: Span }

/** Next sibling, skipping comments. */
export function next(n: SyntaxNode | null): SyntaxNode | null {
  let s = n ? n.nextSibling : null;
  while (s !== null && s.name === 'Comment') s = s.nextSibling;
  return s;
}

/** First child, skipping comments. */
export function first(n: SyntaxNode): SyntaxNode | null {
  let s = n.firstChild;
  while (s !== null && s.name === 'Comment') s = s.nextSibling;
  return s;
}

/** Layout facts about one string-literal token (prefix, quotes, where its body lies). */
export interface StringLiteralInfo {
  raw: boolean;
  bytes: boolean;
  format: boolean;
  /** Length of the prefix letters (r, b, f, u, rb, …). */
  prefixLen: number;
  /** The quote character: ' or ". */
  quote: string;
  /** 1 or 3. */
  quoteLen: number;
  /** Absolute offset of the first body character. */
  bodyStart: number;
  /** Absolute offset just past the body (where the closing quote starts, or the token end if unterminated). */
  bodyEnd: number;
  terminated: boolean;
}

/**
 * Reads the prefix and quotes of the string token `text[from, to)`. `scanFrom` lets f-strings resume
 * the closing-quote search after their last replacement field.
 */
export function scanStringLiteral(text: string, from: number, to: number, scanFrom?: number): StringLiteralInfo {
  let i = from;
  let raw = false, bytes = false, format = false;
  for (; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 114 || c === 82) raw = true; // r R
    else if (c === 98 || c === 66) bytes = true; // b B
    else if (c === 102 || c === 70) format = true; // f F
    else if (c === 117 || c === 85) { /* u U */ }
    else break;
  }
  const prefixLen = i - from;
  const quote = text[i] ?? '"';
  const quoteLen = text[i + 1] === quote && text[i + 2] === quote && i + 2 < to ? 3 : 1;
  const bodyStart = Math.min(i + quoteLen, to);
  let j = Math.max(bodyStart, scanFrom ?? bodyStart);
  let bodyEnd = to;
  let terminated = false;
  while (j < to) {
    const c = text[j];
    if (c === '\\') { j += 2; continue; }
    if (c === quote && (quoteLen === 1 || (text[j + 1] === quote && text[j + 2] === quote))) {
      bodyEnd = j;
      terminated = j + quoteLen === to;
      break;
    }
    j++;
  }
  return { raw, bytes, format, prefixLen, quote, quoteLen, bodyStart, bodyEnd, terminated };
}

/** Result of decoding a literal body: the value plus the first problem found, if any. */
export interface DecodedText {
  value: string;
  /** Problem message and absolute offset (e.g. a non-ASCII char in bytes, a lone '}' in an f-string). */
  error?: { message: string; at: number; len: number };
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v',
};

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/**
 * Decodes the literal text `text[start, end)` of a string body: backslash escapes (unless `raw`),
 * `{{`/`}}` (when `fstring`), CRLF → LF. Bytes bodies yield a latin-1 string of byte values.
 */
export function decodeStringBody(
  text: string, start: number, end: number, raw: boolean, bytes: boolean, fstring: boolean,
): DecodedText {
  // Fast path: nothing to translate.
  if (!fstring && !bytes) {
    const body = text.slice(start, end);
    if (body.indexOf('\\') < 0 && body.indexOf('\r') < 0) return { value: body };
  } else {
    let plain = true;
    for (let i = start; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c === 92 || c === 13 || (fstring && (c === 123 || c === 125)) || (bytes && c > 127)) { plain = false; break; }
    }
    if (plain) return { value: text.slice(start, end) };
  }

  let out = '';
  let error: DecodedText['error'];
  const fail = (message: string, at: number, len: number) => { if (!error) error = { message, at, len }; };
  let i = start;
  while (i < end) {
    const ch = text[i];
    const code = text.charCodeAt(i);
    if (code === 13) { // \r or \r\n → \n
      out += '\n';
      i += text.charCodeAt(i + 1) === 10 && i + 1 < end ? 2 : 1;
      continue;
    }
    if (fstring && (ch === '{' || ch === '}')) {
      if (text[i + 1] === ch && i + 1 < end) { out += ch; i += 2; continue; }
      if (ch === '}') fail("f-string: single '}' is not allowed", i, 1);
      out += ch; i++;
      continue;
    }
    if (bytes && code > 127) { fail('bytes can only contain ASCII literal characters', i, 1); out += ch; i++; continue; }
    if (ch !== '\\' || raw) {
      if (ch === '\\' && raw && i + 1 < end) { out += text.slice(i, i + 2); i += 2; continue; }
      out += ch; i++;
      continue;
    }
    // Escape sequence.
    const e = text[i + 1];
    if (i + 1 >= end) { out += '\\'; i++; continue; }
    if (e === '\n') { i += 2; continue; }
    if (e === '\r') { i += text[i + 2] === '\n' ? 3 : 2; continue; }
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) { out += simple; i += 2; continue; }
    if (e >= '0' && e <= '7') {
      let j = i + 1, v = 0;
      while (j < end && j < i + 4 && text[j] >= '0' && text[j] <= '7') { v = v * 8 + (text.charCodeAt(j) - 48); j++; }
      out += String.fromCharCode(bytes ? v & 0xff : v);
      i = j;
      continue;
    }
    if (e === 'x' || (!bytes && (e === 'u' || e === 'U'))) {
      const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      let j = i + 2;
      while (j < end && j < i + 2 + n && isHex(text.charCodeAt(j))) j++;
      if (j - (i + 2) !== n) {
        const kind = bytes ? 'bytes' : 'unicode error';
        fail(`(${kind}) truncated \\${e}${'X'.repeat(n)} escape`, i, j - i);
        out += text.slice(i, j); i = j;
        continue;
      }
      const v = parseInt(text.slice(i + 2, j), 16);
      if (v > 0x10ffff) { fail('(unicode error) illegal Unicode character', i, j - i); out += '\ufffd'; }
      else out += String.fromCodePoint(v);
      i = j;
      continue;
    }
    if (e === 'N' && !bytes && text[i + 2] === '{') {
      // Unicode names need the UCD; keep the escape text verbatim.
      let j = i + 3;
      while (j < end && text[j] !== '}') j++;
      out += text.slice(i, Math.min(j + 1, end));
      i = Math.min(j + 1, end);
      continue;
    }
    // Unknown escape: kept verbatim (CPython warns, but keeps the backslash).
    out += '\\';
    i++;
  }
  return error ? { value: out, error } : { value: out };
}

/** A decoded numeric literal. */
export interface NumberLiteral {
  value: number;
  isFloat?: boolean;
  isImaginary?: boolean;
  /** CPython-style message when the literal is malformed. */
  error?: string;
}

function validUnderscores(s: string): boolean {
  // Underscores only between digits.
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== '_') continue;
    const a = s.charCodeAt(i - 1), b = s.charCodeAt(i + 1);
    const okA = (a >= 48 && a <= 57) || (a >= 65 && a <= 70) || (a >= 97 && a <= 102);
    const okB = (b >= 48 && b <= 57) || (b >= 65 && b <= 70) || (b >= 97 && b <= 102);
    if (!okA || !okB) return false;
  }
  return true;
}

/** Decodes a Python number token: ints (0x/0o/0b, underscores), floats (`1.`, `1e-5`), imaginary (`2j`). */
export function decodeNumber(token: string): NumberLiteral {
  let s = token;
  let imaginary = false;
  const last = s.charCodeAt(s.length - 1);
  if (last === 106 || last === 74) { imaginary = true; s = s.slice(0, -1); }
  const prefix = s.length > 1 && s[0] === '0' ? s[1].toLowerCase() : '';
  if (prefix === 'x' || prefix === 'o' || prefix === 'b') {
    let digits = s.slice(2);
    const kind = prefix === 'x' ? 'hexadecimal' : prefix === 'o' ? 'octal' : 'binary';
    if (digits.startsWith('_')) digits = digits.slice(1);
    if (digits.length === 0 || !validUnderscores(digits) || imaginary) return { value: 0, error: `invalid ${kind} literal` };
    if (digits.includes('_')) digits = digits.split('_').join('');
    const base = prefix === 'x' ? 16 : prefix === 'o' ? 8 : 2;
    let value = parseInt(digits, base);
    if (!Number.isSafeInteger(value)) value = Number(BigInt(`0${prefix}${digits}`));
    return { value };
  }
  if (s.includes('_')) {
    if (!validUnderscores(s)) return { value: 0, error: 'invalid decimal literal' };
    s = s.split('_').join('');
  }
  let isFloat = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 46 || c === 101 || c === 69) { isFloat = true; break; }
  }
  const value = Number(s);
  if (Number.isNaN(value)) return { value: 0, error: 'invalid decimal literal' };
  if (imaginary) return { value, isImaginary: true };
  if (!isFloat && s.length > 1 && s[0] === '0' && /[1-9]/.test(s)) {
    return {
      value,
      error: 'leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers',
    };
  }
  return isFloat ? { value, isFloat: true } : { value };
}

// ---------------------------------------------------------------- lines and indentation

/** Offset of the start of the line containing `pos`. */
export function lineStartOf(text: string, pos: number): number {
  let i = Math.min(pos, text.length);
  while (i > 0) {
    const c = text.charCodeAt(i - 1);
    if (c === 10 || c === 13) break;
    i--;
  }
  return i;
}

/** Offset of the line break ending the line containing `pos` (or text.length). */
export function lineEndOf(text: string, pos: number): number {
  let i = pos;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) break;
    i++;
  }
  return i;
}

/** 1-based line number of `pos`. */
export function lineNumberOf(text: string, pos: number): number {
  let line = 1;
  const end = Math.min(pos, text.length);
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) line++;
    else if (c === 13 && text.charCodeAt(i + 1) !== 10) line++;
  }
  return line;
}

/** Indentation facts of the line that starts at `lineStart`. */
export interface LineIndent {
  lineStart: number;
  /** First non-blank character (or the line end). */
  firstNonWs: number;
  /** Indent width with tabs to the next multiple of 8, as CPython's tokenizer counts it. */
  col: number;
  lineEnd: number;
  /** Empty, whitespace-only or comment-only. */
  blank: boolean;
}

/** Measures the indentation of the line beginning at `lineStart`. */
export function lineIndent(text: string, lineStart: number): LineIndent {
  let i = lineStart, col = 0;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 32) col++;
    else if (c === 9) col += 8 - (col % 8);
    else if (c === 12) col = 0;
    else break;
  }
  const lineEnd = lineEndOf(text, i);
  const c = text.charCodeAt(i);
  return { lineStart, firstNonWs: i, col, lineEnd, blank: i >= lineEnd || c === 35 };
}

/** Position after the line break at `pos` (handles CRLF). */
export function afterLineBreak(text: string, pos: number): number {
  return text.charCodeAt(pos) === 13 && text.charCodeAt(pos + 1) === 10 ? pos + 2 : pos + 1;
}

/** End of `[start, end)` with trailing whitespace and line breaks removed. */
export function trimEnd(text: string, start: number, end: number): number {
  let e = end;
  while (e > start) {
    const c = text.charCodeAt(e - 1);
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 12) e--;
    else break;
  }
  return e;
}

/** Index of the first character Python rejects in an identifier token, or -1 (ASCII fast path). */
export function firstInvalidIdentifierChar(id: string): number {
  let ascii = true;
  for (let i = 0; i < id.length; i++) if (id.charCodeAt(i) > 127) { ascii = false; break; }
  if (ascii) return -1;
  let i = 0;
  for (const ch of id) {
    const ok = i === 0 ? /[\p{ID_Start}_]/u.test(ch) : /[\p{ID_Continue}]/u.test(ch);
    if (!ok) return i;
    i += ch.length;
  }
  return -1;
}

/** CPython's message for a character the tokenizer rejects, or undefined for ordinary characters. */
export function invalidCharMessage(ch: string): string | undefined {
  const code = ch.codePointAt(0) ?? 0;
  const hex = code.toString(16).toUpperCase().padStart(4, '0');
  if (code === 0) return 'source code cannot contain null bytes';
  if ((code < 32 && code !== 9 && code !== 10 && code !== 12 && code !== 13) || (code >= 0x7f && code <= 0xa0)) {
    return `invalid non-printable character U+${hex}`;
  }
  if (code > 127 && !/[\p{ID_Continue}]/u.test(ch)) return `invalid character '${ch}' (U+${hex})`;
  return undefined;
}

// ---------------------------------------------------------------- string nodes → AST

/** A lezer String node → Constant (str, or bytes as a latin-1 string with `isBytes`). */
export function convertString(conv: ExprConverter, n: SyntaxNode): Constant {
  const info = scanStringLiteral(conv.text, n.from, n.to);
  checkTerminated(conv, info.terminated, info.quoteLen, n.from);
  const d = decodeStringBody(conv.text, info.bodyStart, info.bodyEnd, info.raw, info.bytes, false);
  if (d.error) conv.report(RANK_TOKEN, d.error.message, d.error.at, d.error.at + d.error.len);
  const c: Constant = { kind: 'Constant', value: d.value, start: n.from, end: n.to };
  if (info.bytes) c.isBytes = true;
  return c;
}

function checkTerminated(conv: ExprConverter, terminated: boolean, quoteLen: number, from: number): void {
  if (terminated) return;
  const t = conv.text;
  const line = quoteLen === 3 ? lineNumberOf(t, t.length) : lineNumberOf(t, from);
  const what = quoteLen === 3 ? 'unterminated triple-quoted string literal' : 'unterminated string literal';
  conv.treeBroken = conv.treeBroken || quoteLen === 3;
  conv.report(RANK_TOKEN, `${what} (detected at line ${line})`, from, quoteLen === 3 ? from + 3 : lineEndOf(t, from));
}

/** f-string → JoinedStr, literal parts decoded, replacement fields converted from lezer's nodes. */
export function convertFString(conv: ExprConverter, n: SyntaxNode): JoinedStr {
  const t = conv.text;
  let lastField: SyntaxNode | null = null;
  for (let c = n.lastChild; c; c = c.prevSibling) if (c.name === 'FormatReplacement') { lastField = c; break; }
  const info = scanStringLiteral(t, n.from, n.to, lastField ? lastField.to : undefined);
  checkTerminated(conv, info.terminated, info.quoteLen, n.from);
  const parts: Array<string | FormattedValue> = [];
  let pos = info.bodyStart;
  for (let c = n.firstChild; c; c = c.nextSibling) {
    if (c.name === 'FormatReplacement') {
      literalPart(conv, parts, pos, c.from, info.raw);
      parts.push(formatField(conv, c));
      pos = c.to;
    } else if (c.type.isError) conv.errorNode(c);
  }
  literalPart(conv, parts, pos, Math.max(pos, info.bodyEnd), info.raw);
  if (info.bytes) conv.report(RANK_GENERIC, 'invalid syntax', n.from, n.from + info.prefixLen);
  return { kind: 'JoinedStr', parts, start: n.from, end: n.to };
}

function literalPart(conv: ExprConverter, parts: Array<string | FormattedValue>, from: number, to: number, raw: boolean): void {
  if (to <= from) return;
  const d = decodeStringBody(conv.text, from, to, raw, false, true);
  if (d.error) conv.report(RANK_TOKEN, d.error.message, d.error.at, d.error.at + d.error.len);
  pushText(parts, d.value);
}

function formatField(conv: ExprConverter, f: SyntaxNode): FormattedValue {
  const t = conv.text;
  const open = first(f)!;
  let c = next(open);
  let value: Expr;
  if (!c || c.name === '}' || (c.type.isError && c.from === c.to)) {
    conv.report(RANK_TOKEN, 'f-string: empty expression not allowed', f.from, Math.max(f.to, f.from + 1));
    value = { kind: 'ErrorExpr', message: 'f-string: empty expression not allowed', start: open.to, end: open.to };
    if (c && c.name !== '}') { conv.treeBroken = true; c = next(c); }
  } else if (c.name === 'YieldExpression') { value = conv.expr(c); c = next(c); }
  else {
    const r = conv.list(c, open.to);
    c = r.next;
    if (r.elts.length === 0) {
      conv.report(RANK_TOKEN, 'f-string: empty expression not allowed', f.from, f.to);
      value = { kind: 'ErrorExpr', message: 'f-string: empty expression not allowed', start: open.to, end: open.to };
    } else value = conv.tupleOrSingle(r, open.to);
  }
  const fv: FormattedValue = { kind: 'FormattedValue', value, start: f.from, end: f.to };
  if (c && c.name === 'FormatSelfDoc') {
    const after = next(c);
    fv.selfDoc = t.slice(open.to, after ? after.from : c.to);
    c = after;
  }
  if (c && c.name === 'FormatConversion') {
    fv.conversion = t[c.from + 1] as 'r' | 's' | 'a';
    c = next(c);
  }
  if (c && c.name === 'FormatSpec') {
    fv.formatSpec = formatSpec(conv, c);
    c = next(c);
  }
  if (fv.selfDoc !== undefined && !fv.conversion && !fv.formatSpec) fv.conversion = 'r';
  if (!c || c.name !== '}') {
    while (c && c.name !== '}') { conv.unexpected(c); c = next(c); }
    if (!c) {
      const msg = t[f.to] === '!' ? "f-string: invalid conversion character: expected 's', 'r', or 'a'" : "f-string: expecting '}'";
      conv.report(RANK_TOKEN, msg, f.from, Math.max(f.to, f.from + 1));
    }
  }
  return fv;
}

function formatSpec(conv: ExprConverter, spec: SyntaxNode): JoinedStr {
  const parts: Array<string | FormattedValue> = [];
  const colon = first(spec)!;
  let pos = colon.to;
  for (let c = next(colon); c; c = next(c)) {
    if (c.name === 'FormatReplacement') {
      pushText(parts, conv.text.slice(pos, c.from));
      parts.push(formatField(conv, c));
      pos = c.to;
    } else if (c.type.isError) conv.errorNode(c);
  }
  pushText(parts, conv.text.slice(pos, spec.to));
  return { kind: 'JoinedStr', parts, start: colon.to, end: spec.to };
}

/** Implicit concatenation (`"a" "b" f"{c}"`) → one Constant, or a JoinedStr if any piece is an f-string. */
export function convertContinuedString(conv: ExprConverter, n: SyntaxNode): Expr {
  const pieces: Expr[] = [];
  for (let c = first(n); c; c = next(c)) pieces.push(c.name === 'String' || c.name === 'FormatString' ? conv.expr(c) : conv.unexpected(c));
  const bytes = pieces.map(p => p.kind === 'Constant' && p.isBytes === true);
  if (bytes.some(b => b) && bytes.some(b => !b)) conv.report(RANK_SPECIFIC, 'cannot mix bytes and nonbytes literals', n.from, n.to);
  if (pieces.every(p => p.kind === 'Constant')) {
    const value = pieces.map(p => (p as Constant).value as string).join('');
    const c: Constant = { kind: 'Constant', value, start: n.from, end: n.to };
    if (bytes[0]) c.isBytes = true;
    return c;
  }
  const parts: Array<string | FormattedValue> = [];
  for (const p of pieces) {
    if (p.kind === 'Constant') pushText(parts, String(p.value));
    else if (p.kind === 'JoinedStr') for (const q of p.parts) typeof q === 'string' ? pushText(parts, q) : parts.push(q);
  }
  return { kind: 'JoinedStr', parts, start: n.from, end: n.to };
}

function pushText(parts: Array<string | FormattedValue>, s: string): void {
  if (s.length === 0) return;
  const last = parts.length - 1;
  if (last >= 0 && typeof parts[last] === 'string') parts[last] = (parts[last] as string) + s;
  else parts.push(s);
}
