// Fast path of the Python parser: a hand-written tokenizer and recursive-descent parser that builds the engine AST
// directly from the source text for clean, common code, several times faster than lezer plus the tree conversion.
// It produces exactly the AST the lezer path (parse.ts) produces, spans included, and knows lezer's quirks. It
// accepts only what it knows that path accepts without a problem: on anything else (a syntax error, a rare construct
// such as async/match/legacy print, tabs in indentation, non-ASCII names, …) it gives up and returns null, and
// parsePython falls back to lezer, which produces the diagnostics. Checked against the lezer path on thousands of
// files (test/unit/fastParse.test.ts).

import type {
  Comprehension, Constant, Expr, FormattedValue, FunctionDef, JoinedStr, Keyword, Module, Name, Param, Parameters,
  Stmt, WithItem, ExceptHandler, ImportAlias,
} from './ast';
import { decodeNumber, decodeStringBody, scanStringLiteral } from './parseStrings';

/** Thrown to abandon the fast path. */
const BAIL: { bail: true } = { bail: true };
function bail(): never {
  if (fastParseStrict) lastBail = new Error('bail').stack ?? '';
  throw BAIL;
}
/** Where the fast path last gave up (strict mode only, for tests). */
export let lastBail = '';

// ---------------------------------------------------------------- tokens

const T_EOF: number = 0, T_NEWLINE: number = 1, T_INDENT: number = 2, T_DEDENT: number = 3, T_NAME: number = 4, T_NUMBER: number = 5, T_STRING: number = 6, T_FSTRING: number = 7;
const T_LPAR: number = 10, T_RPAR: number = 11, T_LSQB: number = 12, T_RSQB: number = 13, T_LBRACE: number = 14, T_RBRACE: number = 15, T_COMMA: number = 16, T_COLON: number = 17;
const T_SEMI: number = 18, T_DOT: number = 19, T_ELLIPSIS: number = 20, T_AT: number = 21, T_ASSIGN: number = 22, T_ARROW: number = 23, T_AUGASSIGN: number = 24;
const T_WALRUS: number = 25, T_BANG: number = 26;
// Binary operators (their precedence is in BIN_PREC).
const T_PLUS: number = 30, T_MINUS: number = 31, T_STAR: number = 32, T_SLASH: number = 33, T_DSLASH: number = 34, T_PERCENT: number = 35, T_DSTAR: number = 36;
const T_AMP: number = 37, T_PIPE: number = 38, T_CARET: number = 39, T_LSHIFT: number = 40, T_RSHIFT: number = 41, T_TILDE: number = 42;
// Comparisons.
const T_EQ: number = 50, T_NE: number = 51, T_LT: number = 52, T_GT: number = 53, T_LE: number = 54, T_GE: number = 55;

const OP_TEXT: string[] = [];
OP_TEXT[T_PLUS] = '+'; OP_TEXT[T_MINUS] = '-'; OP_TEXT[T_STAR] = '*'; OP_TEXT[T_SLASH] = '/'; OP_TEXT[T_DSLASH] = '//';
OP_TEXT[T_PERCENT] = '%'; OP_TEXT[T_DSTAR] = '**'; OP_TEXT[T_AMP] = '&'; OP_TEXT[T_PIPE] = '|'; OP_TEXT[T_CARET] = '^';
OP_TEXT[T_LSHIFT] = '<<'; OP_TEXT[T_RSHIFT] = '>>'; OP_TEXT[T_TILDE] = '~'; OP_TEXT[T_AT] = '@';
OP_TEXT[T_EQ] = '=='; OP_TEXT[T_NE] = '!='; OP_TEXT[T_LT] = '<'; OP_TEXT[T_GT] = '>'; OP_TEXT[T_LE] = '<='; OP_TEXT[T_GE] = '>=';

/** Binary operator precedence (higher binds tighter); 0 = not a binary operator. `**` is handled by power. */
const BIN_PREC = new Uint8Array(64);
BIN_PREC[T_PIPE] = 1; BIN_PREC[T_CARET] = 2; BIN_PREC[T_AMP] = 3; BIN_PREC[T_LSHIFT] = 4; BIN_PREC[T_RSHIFT] = 4;
BIN_PREC[T_PLUS] = 5; BIN_PREC[T_MINUS] = 5; BIN_PREC[T_STAR] = 6; BIN_PREC[T_SLASH] = 6; BIN_PREC[T_DSLASH] = 6;
BIN_PREC[T_PERCENT] = 6; BIN_PREC[T_AT] = 6;

// Keywords (NAME tokens carry one of these in `kw`, 0 for a plain name).
const K_FALSE: number = 1, K_NONE: number = 2, K_TRUE: number = 3, K_AND: number = 4, K_AS: number = 5, K_ASSERT: number = 6, K_ASYNC: number = 7, K_AWAIT: number = 8, K_BREAK: number = 9;
const K_CLASS: number = 10, K_CONTINUE: number = 11, K_DEF: number = 12, K_DEL: number = 13, K_ELIF: number = 14, K_ELSE: number = 15, K_EXCEPT: number = 16, K_FINALLY: number = 17;
const K_FOR: number = 18, K_FROM: number = 19, K_GLOBAL: number = 20, K_IF: number = 21, K_IMPORT: number = 22, K_IN: number = 23, K_IS: number = 24, K_LAMBDA: number = 25;
const K_NONLOCAL: number = 26, K_NOT: number = 27, K_OR: number = 28, K_PASS: number = 29, K_RAISE: number = 30, K_RETURN: number = 31, K_TRY: number = 32, K_WHILE: number = 33;
const K_WITH: number = 34, K_YIELD: number = 35;
const KEYWORDS = new Map<string, number>([
  ['False', K_FALSE], ['None', K_NONE], ['True', K_TRUE], ['and', K_AND], ['as', K_AS], ['assert', K_ASSERT],
  ['async', K_ASYNC], ['await', K_AWAIT], ['break', K_BREAK], ['class', K_CLASS], ['continue', K_CONTINUE],
  ['def', K_DEF], ['del', K_DEL], ['elif', K_ELIF], ['else', K_ELSE], ['except', K_EXCEPT], ['finally', K_FINALLY],
  ['for', K_FOR], ['from', K_FROM], ['global', K_GLOBAL], ['if', K_IF], ['import', K_IMPORT], ['in', K_IN],
  ['is', K_IS], ['lambda', K_LAMBDA], ['nonlocal', K_NONLOCAL], ['not', K_NOT], ['or', K_OR], ['pass', K_PASS],
  ['raise', K_RAISE], ['return', K_RETURN], ['try', K_TRY], ['while', K_WHILE], ['with', K_WITH], ['yield', K_YIELD],
]);

/** Keywords by length, for a lookup without hashing the identifier. */
const KEYWORDS_BY_LENGTH: Array<Array<[string, number]>> = [];
for (const [word, code] of KEYWORDS) (KEYWORDS_BY_LENGTH[word.length] ??= []).push([word, code]);

/** The keyword code of `t[p, p + n)` (0 for a plain name). */
function keywordAt(t: string, p: number, n: number): number {
  const list = KEYWORDS_BY_LENGTH[n];
  if (list === undefined) return 0;
  const c = t.charCodeAt(p);
  for (let i = 0; i < list.length; i++) {
    const [word, code] = list[i];
    if (word.charCodeAt(0) === c && t.startsWith(word, p)) return code;
  }
  return 0;
}

/** Identifier characters (ASCII); the fast path gives up on anything non-ASCII outside strings and comments. */
const ID_START = new Uint8Array(128);
const ID_PART = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
  ID_START[c] = letter ? 1 : 0;
  ID_PART[c] = letter || (c >= 48 && c <= 57) ? 1 : 0;
}
/** Characters that may directly follow a `1.` literal. */
const DOT_FOLLOW = new Uint8Array(128);
for (const ch of ')]},:+-*/%<>=!&|^@') DOT_FOLLOW[ch.charCodeAt(0)] = 1;
const isIdPart = (c: number): boolean => (c < 128 ? ID_PART[c] === 1 : c === c /* non-ASCII */);
const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** The string prefixes lezer's Python grammar knows (lower-cased), with their flags. */
const PREFIXES = new Map<string, { raw: boolean; bytes: boolean; format: boolean }>();
for (const p of ['', 'u', 'b', 'r', 'rb', 'br', 'f', 'rf', 'fr']) {
  PREFIXES.set(p, { raw: p.includes('r'), bytes: p.includes('b'), format: p.includes('f') });
}

type Scope = { inFunction: boolean; inLoop: boolean; yieldSeen: boolean };

/** An expression list (`a, *b, c,`) before it becomes one expression. */
interface ExprList {
  elts: Expr[];
  commas: number;
  /** End used for an unparenthesised tuple: the last element's node end, or the trailing comma's end. */
  end: number;
}

/**
 * Parses `text` into the engine AST, or returns null when the fast path does not apply (syntax errors included).
 * The result equals what the lezer path returns for the same text.
 */
export function fastParsePython(text: string): Module | null {
  if (text.charCodeAt(0) === 0xfeff) return null;
  try {
    return new FastParser(text).module();
  } catch (e) {
    if (e === BAIL || e instanceof RangeError || !fastParseStrict) return null;
    throw e;
  }
}

/** Tests set this to see the fast path's own bugs (an unexpected JS error) instead of falling back quietly. */
export let fastParseStrict = false;
export function setFastParseStrict(on: boolean): void {
  fastParseStrict = on;
}

class FastParser {
  private readonly len: number;
  // Tokenizer state.
  private pos = 0;
  private depth = 0;
  private readonly indents: number[] = [0];
  private pendingDedents = 0;
  private atLineStart = true;
  private lineHasTokens = false;
  /** Inside an f-string replacement field (nesting count). */
  private fsMode = 0;
  /** Comments seen so far that contain a '/' (lezer's parameter-list conversion looks for '/' in the gaps). */
  private slashComments = 0;
  // Current token.
  private tok = T_NEWLINE;
  private ts = 0;
  private te = 0;
  private kw = 0;
  /** NAME text, or the operator text of an augmented assignment. */
  private tv = '';
  /** For T_FSTRING: body start, quote char, triple-quoted, raw. */
  private fsBody = 0;
  private fsQuote = 0;
  private fsLong = false;
  private fsRaw = false;
  /** End of the last real token consumed. */
  private lastEnd = 0;
  // Outer extent (first token start, last token end) of the expression parsed last, parentheses included.
  private ps = 0;
  private pe = 0;
  /** Set by the and/not levels: the returned node was built by this boolean chain (not taken from parentheses). */
  private boolMade = false;
  // Scope facts, as the lezer converter tracks them.
  private scope: Scope = { inFunction: false, inLoop: false, yieldSeen: false };
  /** Content end of the block parsed last (a trailing ';' counts). */
  private blockEnd = 0;

  constructor(readonly text: string) {
    this.len = text.length;
  }

  // ================================================================ tokenizer

  private next(): void {
    const tk = this.tok;
    if (tk !== T_NEWLINE && tk !== T_INDENT && tk !== T_DEDENT) this.lastEnd = this.te;
    if (this.pendingDedents > 0) {
      this.pendingDedents--;
      this.tok = T_DEDENT;
      this.ts = this.te = this.pos;
      return;
    }
    const t = this.text;
    let p = this.pos;
    for (;;) {
      if (this.atLineStart && this.depth === 0) {
        this.atLineStart = false;
        let col = 0;
        let c = t.charCodeAt(p);
        while (c === 32) {
          col++;
          c = t.charCodeAt(++p);
        }
        if (c === 9 || c === 12 || c === 92) bail();
        if (c !== 10 && c !== 13 && c !== 35 && p < this.len) {
          const top = this.indents[this.indents.length - 1];
          if (col > top) {
            this.indents.push(col);
            this.pos = p;
            this.tok = T_INDENT;
            this.ts = this.te = p;
            return;
          }
          if (col < top) {
            let n = 0;
            while (this.indents[this.indents.length - 1] > col) {
              this.indents.pop();
              n++;
            }
            if (this.indents[this.indents.length - 1] !== col) bail();
            this.pendingDedents = n - 1;
            this.pos = p;
            this.tok = T_DEDENT;
            this.ts = this.te = p;
            return;
          }
        }
      }
      let c = t.charCodeAt(p);
      while (c === 32 || c === 9) c = t.charCodeAt(++p);
      if (c === 35) {
        // Comment.
        if (this.fsMode > 0) bail();
        let slash = false;
        c = t.charCodeAt(++p);
        while (p < this.len && c !== 10 && c !== 13) {
          if (c === 47) slash = true;
          c = t.charCodeAt(++p);
        }
        if (slash) this.slashComments++;
        continue;
      }
      if (c === 92) {
        // Line continuation.
        if (t.charCodeAt(p + 1) !== 10) bail();
        p += 2;
        // A following blank or comment-only line is handled differently by lezer's newline tracking.
        let q = p;
        let d = t.charCodeAt(q);
        while (d === 32 || d === 9) d = t.charCodeAt(++q);
        if (d === 10 || d === 13 || d === 35 || q >= this.len) bail();
        continue;
      }
      if (c === 10 || c === 13) {
        if (this.fsMode > 0) bail();
        const nl = p;
        if (c === 13) {
          if (t.charCodeAt(p + 1) !== 10) bail();
          p += 2;
        } else p++;
        if (this.depth > 0) continue;
        this.atLineStart = true;
        if (this.lineHasTokens) {
          this.lineHasTokens = false;
          this.pos = p;
          this.tok = T_NEWLINE;
          this.ts = nl;
          this.te = p;
          return;
        }
        continue;
      }
      if (p >= this.len) {
        this.pos = p;
        this.ts = this.te = p;
        if (this.depth > 0) bail();
        if (this.lineHasTokens) {
          this.lineHasTokens = false;
          this.tok = T_NEWLINE;
          return;
        }
        if (this.indents.length > 1) {
          this.indents.pop();
          this.tok = T_DEDENT;
          return;
        }
        this.tok = T_EOF;
        return;
      }
      this.lineHasTokens = true;
      this.ts = p;
      this.scanToken(p, c);
      return;
    }
  }

  /** Scans the real token starting at `p` (first char `c`). */
  private scanToken(p: number, c: number): void {
    const t = this.text;
    if (c < 128 && ID_START[c] === 1) {
      let q = p + 1;
      let d = t.charCodeAt(q);
      while (d < 128 && ID_PART[d] === 1) d = t.charCodeAt(++q);
      if (d === 39 || d === 34) {
        const info = q - p <= 2 ? PREFIXES.get(t.slice(p, q).toLowerCase()) : undefined;
        if (!info) bail();
        this.scanString(p, q, d, info.raw, info.format);
        return;
      }
      if (d >= 128) bail();
      const id = t.slice(p, q);
      this.pos = this.te = q;
      this.tok = T_NAME;
      this.tv = id;
      this.kw = keywordAt(t, p, q - p);
      return;
    }
    if (isDigit(c) || (c === 46 && isDigit(t.charCodeAt(p + 1)))) {
      this.scanNumber(p);
      return;
    }
    if (c === 39 || c === 34) {
      this.scanString(p, p, c, false, false);
      return;
    }
    const c1 = t.charCodeAt(p + 1);
    let tok: number;
    let n = 1;
    switch (c) {
      case 40: tok = T_LPAR; this.depth++; break;
      case 41: tok = T_RPAR; if (--this.depth < 0) bail(); break;
      case 91: tok = T_LSQB; this.depth++; break;
      case 93: tok = T_RSQB; if (--this.depth < 0) bail(); break;
      case 123: tok = T_LBRACE; this.depth++; break;
      case 125: tok = T_RBRACE; if (--this.depth < 0) bail(); break;
      case 44: tok = T_COMMA; break;
      case 59: tok = T_SEMI; break;
      case 126: tok = T_TILDE; break;
      case 58: // : :=
        if (c1 === 61) { tok = T_WALRUS; n = 2; } else tok = T_COLON;
        break;
      case 46: // . ...
        if (c1 === 46 && t.charCodeAt(p + 2) === 46) { tok = T_ELLIPSIS; n = 3; } else tok = T_DOT;
        break;
      case 61: // = ==
        if (c1 === 61) { tok = T_EQ; n = 2; } else tok = T_ASSIGN;
        break;
      case 33: // != !r
        if (c1 === 61) { tok = T_NE; n = 2; } else if (this.fsMode > 0) tok = T_BANG; else bail();
        break;
      case 60: // < <= << <<= <>
        if (c1 === 61) { tok = T_LE; n = 2; } else if (c1 === 60) {
          if (t.charCodeAt(p + 2) === 61) { tok = T_AUGASSIGN; this.tv = '<<'; n = 3; } else { tok = T_LSHIFT; n = 2; }
        } else if (c1 === 62) bail();
        else tok = T_LT;
        break;
      case 62: // > >= >> >>=
        if (c1 === 61) { tok = T_GE; n = 2; } else if (c1 === 62) {
          if (t.charCodeAt(p + 2) === 61) { tok = T_AUGASSIGN; this.tv = '>>'; n = 3; } else { tok = T_RSHIFT; n = 2; }
        } else tok = T_GT;
        break;
      case 45: // - -= ->
        if (c1 === 61) { tok = T_AUGASSIGN; this.tv = '-'; n = 2; } else if (c1 === 62) { tok = T_ARROW; n = 2; } else tok = T_MINUS;
        break;
      case 42: // * *= ** **=
        if (c1 === 42) {
          if (t.charCodeAt(p + 2) === 61) { tok = T_AUGASSIGN; this.tv = '**'; n = 3; } else { tok = T_DSTAR; n = 2; }
        } else if (c1 === 61) { tok = T_AUGASSIGN; this.tv = '*'; n = 2; } else tok = T_STAR;
        break;
      case 47: // / /= // //=
        if (c1 === 47) {
          if (t.charCodeAt(p + 2) === 61) { tok = T_AUGASSIGN; this.tv = '//'; n = 3; } else { tok = T_DSLASH; n = 2; }
        } else if (c1 === 61) { tok = T_AUGASSIGN; this.tv = '/'; n = 2; } else tok = T_SLASH;
        break;
      case 43: tok = c1 === 61 ? T_AUGASSIGN : T_PLUS; if (c1 === 61) { this.tv = '+'; n = 2; } break;
      case 37: tok = c1 === 61 ? T_AUGASSIGN : T_PERCENT; if (c1 === 61) { this.tv = '%'; n = 2; } break;
      case 38: tok = c1 === 61 ? T_AUGASSIGN : T_AMP; if (c1 === 61) { this.tv = '&'; n = 2; } break;
      case 124: tok = c1 === 61 ? T_AUGASSIGN : T_PIPE; if (c1 === 61) { this.tv = '|'; n = 2; } break;
      case 94: tok = c1 === 61 ? T_AUGASSIGN : T_CARET; if (c1 === 61) { this.tv = '^'; n = 2; } break;
      case 64: tok = c1 === 61 ? T_AUGASSIGN : T_AT; if (c1 === 61) { this.tv = '@'; n = 2; } break;
      default:
        bail();
    }
    this.tok = tok;
    this.pos = this.te = p + n;
  }

  /** Number token, as lezer's Number token reads it; anything lezer would split differently gives up. */
  private scanNumber(p: number): void {
    const t = this.text;
    let q = p;
    let c = t.charCodeAt(q);
    const c1 = t.charCodeAt(q + 1) | 0x20;
    if (c === 48 && (c1 === 120 || c1 === 111 || c1 === 98)) {
      q += 2;
      c = t.charCodeAt(q);
      const max = c1 === 98 ? 49 : c1 === 111 ? 55 : 57;
      while ((c >= 48 && c <= max) || c === 95 || (c1 === 120 && (c | 0x20) >= 97 && (c | 0x20) <= 102)) c = t.charCodeAt(++q);
    } else {
      while (isDigit(c) || c === 95) c = t.charCodeAt(++q);
      if (c === 46) {
        const d = t.charCodeAt(q + 1);
        if (!isDigit(d)) {
          // `1.`, `1.e5`, `1.j`: lezer reads a member access that the converter folds back into a float literal
          // (only when the dot directly follows plain digits; a signed exponent `1.e-5` gives up).
          q++;
          if (d === 101 || d === 69) {
            let r = q + 1;
            let e = t.charCodeAt(r);
            if (!isDigit(e)) bail();
            while (isDigit(e) || e === 95) e = t.charCodeAt(++r);
            q = r;
          }
          c = t.charCodeAt(q);
          if (c === 106 || c === 74) c = t.charCodeAt(++q);
          const plainDot = t.charCodeAt(q - 1) === 46;
          if (c === 46 || (c < 128 ? ID_PART[c] === 1 : c === c)) bail();
          // After a bare `1.` lezer places a zero-length error node at the next token, which widens the spans of
          // enclosing nodes over any whitespace (and a keyword or comment there is a syntax error): only accept it
          // when a bracket, comma, colon or operator follows directly.
          if (plainDot && (c >= 128 || DOT_FOLLOW[c] !== 1)) bail();
          this.pos = this.te = q;
          this.tok = T_NUMBER;
          return;
        }
        q++;
        c = t.charCodeAt(q);
        while (isDigit(c) || c === 95) c = t.charCodeAt(++q);
      }
      if (c === 101 || c === 69) {
        let r = q + 1;
        let d = t.charCodeAt(r);
        if (d === 43 || d === 45) d = t.charCodeAt(++r);
        if (!isDigit(d)) bail();
        while (isDigit(d) || d === 95) d = t.charCodeAt(++r);
        q = r;
        c = d;
      }
      if (c === 106 || c === 74) c = t.charCodeAt(++q);
    }
    if (c === 46 || (c < 128 ? ID_PART[c] === 1 : c === c)) bail();
    this.pos = this.te = q;
    this.tok = T_NUMBER;
  }

  /**
   * String token starting at `p` with its quote at `q`. Plain strings are scanned to their end here; f-strings
   * stop after the opening quote and the parser reads the body (replacement fields are parsed as expressions).
   */
  private scanString(p: number, q: number, quote: number, raw: boolean, format: boolean): void {
    const t = this.text;
    const long = t.charCodeAt(q + 1) === quote && t.charCodeAt(q + 2) === quote;
    const body = q + (long ? 3 : 1);
    if (format) {
      this.tok = T_FSTRING;
      this.fsBody = body;
      this.fsQuote = quote;
      this.fsLong = long;
      this.fsRaw = raw;
      this.pos = this.te = body;
      return;
    }
    let i = body;
    for (;;) {
      if (i >= this.len) bail();
      const c = t.charCodeAt(i);
      if (c === 92) {
        if (t.charCodeAt(i + 1) === 13) bail();
        i += 2;
        continue;
      }
      if (c === quote) {
        if (!long) break;
        if (t.charCodeAt(i + 1) === quote && t.charCodeAt(i + 2) === quote) break;
      } else if ((c === 10 || c === 13) && !long) bail();
      i++;
    }
    this.pos = this.te = i + (long ? 3 : 1);
    this.tok = T_STRING;
  }

  /** Whether the character after the current token (spaces, line breaks and comments skipped) starts `=`/`:=`. */
  private assignFollows(): number {
    const t = this.text;
    let p = this.te;
    for (;;) {
      const c = t.charCodeAt(p);
      if (c === 32 || c === 9 || c === 10 || c === 13) { p++; continue; }
      if (c === 92 && t.charCodeAt(p + 1) === 10) { p += 2; continue; }
      if (c === 35) {
        while (p < this.len && t.charCodeAt(p) !== 10 && t.charCodeAt(p) !== 13) p++;
        continue;
      }
      if (c === 61) return t.charCodeAt(p + 1) === 61 ? 0 : T_ASSIGN;
      if (c === 58) return t.charCodeAt(p + 1) === 61 ? T_WALRUS : 0;
      return 0;
    }
  }

  private expect(tok: number): void {
    if (this.tok !== tok) bail();
    this.next();
  }

  private expectKw(kw: number): void {
    if (this.tok !== T_NAME || this.kw !== kw) bail();
    this.next();
  }

  private isKw(kw: number): boolean {
    return this.tok === T_NAME && this.kw === kw;
  }

  /** A plain (non-keyword) name token's text; gives up otherwise. */
  private nameText(): string {
    if (this.tok !== T_NAME || this.kw !== 0) bail();
    return this.tv;
  }

  // ================================================================ module and blocks

  module(): Module {
    this.next();
    const body: Stmt[] = [];
    while (this.tok !== T_EOF) this.statement(body);
    return { kind: 'Module', body, syntaxErrors: [], start: 0, end: this.len };
  }

  /** One statement line (a compound statement, or simple statements separated by ';'); returns its content end. */
  private statement(out: Stmt[]): number {
    if (this.tok === T_NAME) {
      switch (this.kw) {
        case K_IF: return this.ifStmt(out);
        case K_WHILE: return this.whileStmt(out);
        case K_FOR: return this.forStmt(out);
        case K_TRY: return this.tryStmt(out);
        case K_WITH: return this.withStmt(out);
        case K_DEF: return this.funcDef(out, []);
        case K_CLASS: return this.classDef(out, []);
      }
    } else if (this.tok === T_AT) return this.decorated(out);
    return this.simpleLine(out);
  }

  /** Simple statements up to the end of the line. */
  private simpleLine(out: Stmt[]): number {
    let end: number;
    for (;;) {
      const s = this.simple();
      out.push(s);
      if (this.tok === T_SEMI) {
        const semiEnd = this.te;
        this.next();
        if (this.tok === T_NEWLINE) {
          end = semiEnd;
          break;
        }
        continue;
      }
      end = s.end;
      break;
    }
    this.expect(T_NEWLINE);
    return end;
  }

  /** `:` then a block: an indented suite or simple statements on the same line. Sets blockEnd. */
  private block(): Stmt[] {
    this.expect(T_COLON);
    const body: Stmt[] = [];
    if (this.tok === T_NEWLINE) {
      this.next();
      this.expect(T_INDENT);
      let end = 0;
      while (this.tok !== T_DEDENT) end = this.statement(body);
      this.next();
      this.blockEnd = end;
      return body;
    }
    this.blockEnd = this.simpleLine(body);
    return body;
  }

  private loopBlock(): Stmt[] {
    const saved = this.scope.inLoop;
    this.scope.inLoop = true;
    const body = this.block();
    this.scope.inLoop = saved;
    return body;
  }

  // ================================================================ compound statements

  private ifStmt(out: Stmt[]): number {
    const clauses: Array<{ start: number; test: Expr; body: Stmt[] }> = [];
    let orelse: Stmt[] = [];
    do {
      const start = this.ts;
      this.next();
      const test = this.testNamed();
      clauses.push({ start, test, body: this.block() });
    } while (this.tok === T_NAME && this.kw === K_ELIF);
    if (this.isKw(K_ELSE)) {
      this.next();
      orelse = this.block();
    }
    const end = this.blockEnd;
    for (let i = clauses.length - 1; i >= 0; i--) {
      const cl = clauses[i];
      orelse = [{ kind: 'If', test: cl.test, body: cl.body, orelse, start: cl.start, end }];
    }
    out.push(orelse[0]);
    return end;
  }

  private whileStmt(out: Stmt[]): number {
    const start = this.ts;
    this.next();
    const test = this.testNamed();
    const body = this.loopBlock();
    let orelse: Stmt[] = [];
    if (this.isKw(K_ELSE)) {
      this.next();
      orelse = this.block();
    }
    out.push({ kind: 'While', test, body, orelse, start, end: this.blockEnd });
    return this.blockEnd;
  }

  private forStmt(out: Stmt[]): number {
    const start = this.ts;
    this.next();
    const target = this.tupleOrSingle(this.exprList(true, true));
    if (!validTarget(target, false, false)) bail();
    this.expectKw(K_IN);
    const iter = this.tupleOrSingle(this.testList());
    const body = this.loopBlock();
    let orelse: Stmt[] = [];
    if (this.isKw(K_ELSE)) {
      this.next();
      orelse = this.block();
    }
    out.push({ kind: 'For', target, iter, body, orelse, start, end: this.blockEnd });
    return this.blockEnd;
  }

  private tryStmt(out: Stmt[]): number {
    const start = this.ts;
    this.next();
    const body = this.block();
    const handlers: ExceptHandler[] = [];
    let orelse: Stmt[] = [];
    let finalbody: Stmt[] = [];
    let hasFinally = false;
    while (this.isKw(K_EXCEPT)) {
      const exStart = this.ts;
      this.next();
      if (handlers.length && handlers[handlers.length - 1].type === undefined) bail();
      let type: Expr | undefined;
      let name: string | undefined;
      if (this.tok !== T_COLON) {
        if (this.tok === T_STAR) bail();
        type = this.test();
        if (this.isKw(K_AS)) {
          this.next();
          name = this.nameText();
          this.next();
        }
      }
      const hb = this.block();
      const handler: ExceptHandler = { body: hb, start: exStart, end: hb[hb.length - 1].end };
      if (type) handler.type = type;
      if (name !== undefined) handler.name = name;
      handlers.push(handler);
    }
    if (this.isKw(K_ELSE)) {
      if (handlers.length === 0) bail();
      this.next();
      orelse = this.block();
    }
    if (this.isKw(K_FINALLY)) {
      this.next();
      finalbody = this.block();
      hasFinally = true;
    }
    if (handlers.length === 0 && !hasFinally) bail();
    out.push({ kind: 'Try', body, handlers, orelse, finalbody, start, end: this.blockEnd });
    return this.blockEnd;
  }

  private withStmt(out: Stmt[]): number {
    const start = this.ts;
    this.next();
    const items: WithItem[] = [];
    for (;;) {
      const contextExpr = this.test();
      if (this.isKw(K_AS)) {
        this.next();
        const id = this.nameText();
        const v: Name = { kind: 'Name', id, start: this.ts, end: this.te };
        this.next();
        items.push({ contextExpr, start: contextExpr.start, end: v.end, optionalVars: v });
      } else items.push({ contextExpr, start: contextExpr.start, end: contextExpr.end });
      if (this.tok !== T_COMMA) break;
      this.next();
      if (this.tok === T_COLON) bail();
    }
    const body = this.block();
    out.push({ kind: 'With', items, body, start, end: this.blockEnd });
    return this.blockEnd;
  }

  private decorated(out: Stmt[]): number {
    const decorators: Expr[] = [];
    while (this.tok === T_AT) {
      this.next();
      const s = this.ts;
      let e: Expr = { kind: 'Name', id: this.nameText(), start: s, end: this.te };
      this.next();
      while (this.tok === T_DOT) {
        this.next();
        const attr = this.nameText();
        const as = this.ts, ae = this.te;
        this.next();
        e = { kind: 'Attribute', value: e, attr, attrSpan: { start: as, end: ae }, start: s, end: ae };
      }
      if (this.tok === T_LPAR) {
        const r = this.args();
        e = { kind: 'Call', func: e, args: r.args, keywords: r.keywords, start: s, end: this.lastEnd };
      }
      this.expect(T_NEWLINE);
      decorators.push(e);
    }
    if (this.isKw(K_DEF)) return this.funcDef(out, decorators);
    if (this.isKw(K_CLASS)) return this.classDef(out, decorators);
    return bail();
  }

  private funcDef(out: Stmt[], decorators: Expr[]): number {
    const start = this.ts;
    this.next();
    const name = this.nameText();
    const nameSpan = { start: this.ts, end: this.te };
    this.next();
    if (this.tok !== T_LPAR) bail();
    const params = this.params();
    let returns: Expr | undefined;
    if (this.tok === T_ARROW) {
      this.next();
      returns = this.test();
    }
    const saved = this.scope;
    this.scope = { inFunction: true, inLoop: false, yieldSeen: false };
    const body = this.block();
    const isGenerator = this.scope.yieldSeen;
    this.scope = saved;
    const f: FunctionDef = { kind: 'FunctionDef', name, nameSpan, params, body, decorators, start, end: this.blockEnd };
    if (returns) f.returns = returns;
    if (isGenerator) f.isGenerator = true;
    out.push(f);
    return this.blockEnd;
  }

  private classDef(out: Stmt[], decorators: Expr[]): number {
    const start = this.ts;
    this.next();
    const name = this.nameText();
    const nameSpan = { start: this.ts, end: this.te };
    this.next();
    let bases: Expr[] = [];
    let keywords: Keyword[] = [];
    if (this.tok === T_LPAR) ({ args: bases, keywords } = this.args());
    const saved = this.scope;
    this.scope = { inFunction: false, inLoop: false, yieldSeen: false };
    const body = this.block();
    this.scope = saved;
    out.push({ kind: 'ClassDef', name, nameSpan, bases, keywords, body, decorators, start, end: this.blockEnd });
    return this.blockEnd;
  }

  /** A def's parameter list, `(` to `)`. */
  private params(): Parameters {
    const open = this.ts;
    const comments = this.slashComments;
    this.next();
    let posOnly: Param[] = [];
    let args: Param[] = [];
    const kwOnly: Param[] = [];
    let vararg: Param | undefined, kwarg: Param | undefined;
    let sawStar = false, bareStar = false, sawDefault = false;
    const seen = new Set<string>();
    while (this.tok !== T_RPAR) {
      if (kwarg) bail();
      if (this.tok === T_SLASH) {
        if (sawStar || args.length === 0 || posOnly.length > 0) bail();
        posOnly = args;
        args = [];
        this.next();
      } else if (this.tok === T_STAR) {
        if (sawStar) bail();
        sawStar = true;
        this.next();
        if (this.tok === T_NAME) {
          vararg = this.param(seen, false, true);
          bareStar = false;
        } else bareStar = true;
      } else if (this.tok === T_DSTAR) {
        this.next();
        kwarg = this.param(seen, false, true);
      } else {
        const p = this.param(seen, true, true);
        if (sawStar) kwOnly.push(p);
        else {
          if (p.default) sawDefault = true;
          else if (sawDefault) bail();
          args.push(p);
        }
        bareStar = false;
      }
      if (this.tok === T_COMMA) this.next();
      else if (this.tok !== T_RPAR) bail();
    }
    if (bareStar && kwOnly.length === 0) bail();
    if (this.slashComments !== comments) bail();
    const end = this.te;
    this.next();
    const ps: Parameters = { posOnly, args, kwOnly, start: open, end };
    if (vararg) ps.vararg = vararg;
    if (kwarg) ps.kwarg = kwarg;
    return ps;
  }

  private param(seen: Set<string>, allowDefault: boolean, allowAnnotation: boolean): Param {
    const name = this.nameText();
    if (seen.has(name)) bail();
    seen.add(name);
    const start = this.ts;
    const nameEnd = this.te;
    this.next();
    let end = nameEnd;
    let annotation: Expr | undefined;
    let dflt: Expr | undefined;
    if (this.tok === T_COLON && allowAnnotation) {
      this.next();
      annotation = this.test();
      end = this.pe;
    }
    if (this.tok === T_ASSIGN) {
      if (!allowDefault) bail();
      this.next();
      dflt = this.test();
      end = dflt.end;
    }
    const p: Param = { name, nameSpan: { start, end: nameEnd }, start, end };
    if (annotation) p.annotation = annotation;
    if (dflt) p.default = dflt;
    return p;
  }

  // ================================================================ simple statements

  private simple(): Stmt {
    const start = this.ts;
    if (this.tok === T_NAME) {
      switch (this.kw) {
        case 0:
          this.softKeyword();
          break;
        case K_PASS:
          this.next();
          return { kind: 'Pass', start, end: this.lastEnd };
        case K_BREAK:
        case K_CONTINUE: {
          if (!this.scope.inLoop) bail();
          const br = this.kw === K_BREAK;
          this.next();
          return br ? { kind: 'Break', start, end: this.lastEnd } : { kind: 'Continue', start, end: this.lastEnd };
        }
        case K_RETURN: {
          if (!this.scope.inFunction) bail();
          this.next();
          if (this.atSimpleEnd()) return { kind: 'Return', start, end: this.lastEnd };
          const value = this.tupleOrSingle(this.exprList(false, true));
          return { kind: 'Return', value, start, end: this.lastEnd };
        }
        case K_RAISE: {
          this.next();
          if (this.atSimpleEnd()) return { kind: 'Raise', start, end: this.lastEnd };
          const exc = this.test();
          if (this.isKw(K_FROM)) {
            this.next();
            const cause = this.test();
            return { kind: 'Raise', exc, cause, start, end: this.lastEnd };
          }
          return { kind: 'Raise', exc, start, end: this.lastEnd };
        }
        case K_GLOBAL:
        case K_NONLOCAL: {
          const nonlocal = this.kw === K_NONLOCAL;
          if (nonlocal && !this.scope.inFunction) bail();
          this.next();
          const names: string[] = [];
          for (;;) {
            names.push(this.nameText());
            this.next();
            if (this.tok !== T_COMMA) break;
            this.next();
          }
          return nonlocal ? { kind: 'Nonlocal', names, start, end: this.lastEnd } : { kind: 'Global', names, start, end: this.lastEnd };
        }
        case K_DEL: {
          this.next();
          const r = this.exprList(true, false);
          for (const e of r.elts) if (!validTarget(e, true, false)) bail();
          return { kind: 'Delete', targets: r.elts, start, end: this.lastEnd };
        }
        case K_ASSERT: {
          this.next();
          const test = this.test();
          if (this.tok === T_COMMA) {
            this.next();
            const msg = this.test();
            return { kind: 'Assert', test, msg, start, end: this.lastEnd };
          }
          return { kind: 'Assert', test, start, end: this.lastEnd };
        }
        case K_IMPORT:
          return this.importStmt();
        case K_FROM:
          return this.fromImport();
        case K_YIELD: {
          const value = this.yieldExpr();
          return { kind: 'ExprStmt', value, start, end: this.lastEnd };
        }
        case K_NONE:
        case K_TRUE:
        case K_FALSE:
        case K_NOT:
        case K_LAMBDA:
          break;
        default:
          bail();
      }
    }
    return this.exprStatement(start);
  }

  /** `print x` (lezer's legacy print statement) and the soft keywords match/case/type at a statement start. */
  private softKeyword(): void {
    const id = this.tv;
    if (id === 'print') {
      const t = this.text;
      let p = this.te;
      while (t.charCodeAt(p) === 32 || t.charCodeAt(p) === 9) p++;
      const c = t.charCodeAt(p);
      if (c !== 40 && c !== 46 && c !== 10 && c !== 13 && c !== 35) bail();
    } else if (id === 'match' || id === 'case' || id === 'type') {
      const t = this.text;
      let p = this.te;
      while (t.charCodeAt(p) === 32 || t.charCodeAt(p) === 9) p++;
      const c = t.charCodeAt(p);
      // Only plain uses of the name: assignment, attribute, call or subscript (a match statement fails later).
      if (!(c === 61 || c === 46 || c === 40 || c === 91 || c === 44 || c === 58 || c === 10 || c === 13 || c === 35 || c === 59)) {
        const c1 = t.charCodeAt(p + 1);
        if (!(c1 === 61 && (c === 43 || c === 45 || c === 42 || c === 47 || c === 37 || c === 38 || c === 124 || c === 94))) bail();
      }
    }
  }

  private atSimpleEnd(): boolean {
    return this.tok === T_NEWLINE || this.tok === T_SEMI;
  }

  private exprStatement(start: number): Stmt {
    const first = this.exprList(false, true);
    if (this.tok === T_COLON) {
      // Annotated assignment.
      const target = this.tupleOrSingle(first);
      if (target.kind !== 'Name' && target.kind !== 'Attribute' && target.kind !== 'Subscript') bail();
      this.next();
      const annotation = this.test();
      if (this.tok === T_ASSIGN) {
        this.next();
        const value = this.isKw(K_YIELD) ? this.yieldExpr() : this.tupleOrSingle(this.exprList(false, true));
        if (this.tok === T_ASSIGN) bail();
        return { kind: 'AnnAssign', target, annotation, value, start, end: this.lastEnd };
      }
      return { kind: 'AnnAssign', target, annotation, start, end: this.lastEnd };
    }
    if (this.tok === T_ASSIGN) {
      const groups: Expr[] = [this.tupleOrSingle(first)];
      while (this.tok === T_ASSIGN) {
        this.next();
        groups.push(this.isKw(K_YIELD) ? this.yieldExpr() : this.tupleOrSingle(this.exprList(false, true)));
      }
      const targets = groups.slice(0, -1);
      for (const t of targets) if (!validTarget(t, false, false)) bail();
      return { kind: 'Assign', targets, value: groups[groups.length - 1], start, end: this.lastEnd };
    }
    if (this.tok === T_AUGASSIGN) {
      const target = this.tupleOrSingle(first);
      if (target.kind !== 'Name' && target.kind !== 'Attribute' && target.kind !== 'Subscript') bail();
      const op = this.tv;
      const opSpan = { start: this.ts, end: this.te };
      this.next();
      const value = this.isKw(K_YIELD) ? this.yieldExpr() : this.tupleOrSingle(this.testList());
      return { kind: 'AugAssign', target, op: op as never, value, opSpan, start, end: this.lastEnd };
    }
    return { kind: 'ExprStmt', value: this.tupleOrSingle(first), start, end: this.lastEnd };
  }

  /** `yield x`, `yield a, b`, `yield from x` (a bare `yield` gives up: lezer recovers from it). */
  private yieldExpr(): Expr {
    if (!this.scope.inFunction) bail();
    this.scope.yieldSeen = true;
    const start = this.ts;
    this.next();
    if (this.isKw(K_FROM)) {
      this.next();
      const value = this.test();
      return { kind: 'Yield', value, isFrom: true, start, end: this.lastEnd };
    }
    // A bare `yield` (lezer leaves an empty error node there, which the converter forgives).
    if (this.atSimpleEnd()) return { kind: 'Yield', start, end: this.lastEnd };
    const value = this.tupleOrSingle(this.exprList(false, true));
    return { kind: 'Yield', value, start, end: this.lastEnd };
  }

  private importStmt(): Stmt {
    const start = this.ts;
    this.next();
    const names: ImportAlias[] = [];
    for (;;) {
      names.push(this.importAlias(true));
      if (this.tok !== T_COMMA) break;
      this.next();
    }
    return { kind: 'Import', names, start, end: this.lastEnd };
  }

  private importAlias(dotted: boolean): ImportAlias {
    const start = this.ts;
    let name = this.nameText();
    this.next();
    if (dotted) {
      while (this.tok === T_DOT) {
        this.next();
        name += '.' + this.nameText();
        this.next();
      }
    }
    if (this.isKw(K_AS)) {
      this.next();
      const asname = this.nameText();
      this.next();
      return { name, asname, start, end: this.lastEnd };
    }
    return { name, start, end: this.lastEnd };
  }

  private fromImport(): Stmt {
    const start = this.ts;
    this.next();
    let level = 0;
    while (this.tok === T_DOT || this.tok === T_ELLIPSIS) {
      level += this.tok === T_DOT ? 1 : 3;
      this.next();
    }
    let module = '';
    if (!this.isKw(K_IMPORT)) {
      module = this.nameText();
      this.next();
      while (this.tok === T_DOT) {
        this.next();
        module += '.' + this.nameText();
        this.next();
      }
    }
    if (level === 0 && module === '') bail();
    this.expectKw(K_IMPORT);
    const names: ImportAlias[] = [];
    if (this.tok === T_STAR) {
      names.push({ name: '*', start: this.ts, end: this.te });
      this.next();
    } else if (this.tok === T_LPAR) {
      this.next();
      for (;;) {
        names.push(this.importAlias(false));
        if (this.tok !== T_COMMA) break;
        this.next();
        if (this.tok === T_RPAR) break;
      }
      this.expect(T_RPAR);
    } else {
      for (;;) {
        names.push(this.importAlias(false));
        if (this.tok !== T_COMMA) break;
        this.next();
      }
    }
    return { kind: 'ImportFrom', module, level, names, start, end: this.lastEnd };
  }

  // ================================================================ expression lists

  /**
   * `a, *b, c,` — elements are `test` (or `expression` when `exprLevel`, as in for/del targets), `*x` when
   * `allowStar`. Ends at the first token that cannot continue the list.
   */
  private exprList(exprLevel: boolean, allowStar: boolean): ExprList {
    const elts: Expr[] = [];
    let commas = 0;
    let end = this.ts;
    for (;;) {
      let e: Expr;
      if (this.tok === T_STAR) {
        if (!allowStar) bail();
        const s = this.ts;
        this.next();
        const v = this.bin(1);
        e = { kind: 'Starred', value: v, start: s, end: v.end };
      } else e = exprLevel ? this.bin(1) : this.test();
      elts.push(e);
      end = e.end;
      if (this.tok !== T_COMMA) break;
      commas++;
      end = this.te;
      this.next();
      if (!this.startsExpr()) break;
    }
    return { elts, commas, end };
  }

  /** `a, b, c` of plain tests (no starred items). */
  private testList(): ExprList {
    return this.exprList(false, false);
  }

  private tupleOrSingle(r: ExprList): Expr {
    if (r.elts.length === 1 && r.commas === 0) return r.elts[0];
    return { kind: 'Tuple', elts: r.elts, start: r.elts[0].start, end: r.end };
  }

  /** Whether the current token can start an expression (after a comma in a list). */
  private startsExpr(): boolean {
    switch (this.tok) {
      case T_NAME:
        switch (this.kw) {
          case 0: case K_NONE: case K_TRUE: case K_FALSE: case K_NOT: case K_LAMBDA: case K_AWAIT:
            return true;
          default:
            return false;
        }
      case T_NUMBER: case T_STRING: case T_FSTRING: case T_LPAR: case T_LSQB: case T_LBRACE: case T_ELLIPSIS:
      case T_MINUS: case T_PLUS: case T_TILDE: case T_STAR:
        return true;
      default:
        return false;
    }
  }

  // ================================================================ expressions

  /** testNamed: a test, or `name := test`. */
  private testNamed(): Expr {
    const e = this.test();
    if (this.tok !== T_WALRUS) return e;
    if (e.kind !== 'Name' || this.ps !== e.start || this.pe !== e.end) bail();
    const s = this.ps;
    this.next();
    const value = this.test();
    this.ps = s;
    return { kind: 'NamedExpr', target: e, value, start: s, end: this.pe };
  }

  /** test: lambda, or an or-test with an optional conditional. */
  private test(): Expr {
    if (this.tok === T_NAME && this.kw === K_LAMBDA) return this.lambda(false);
    const body = this.orTest();
    if (this.tok !== T_NAME || this.kw !== K_IF) return body;
    const s = this.ps;
    this.next();
    const test = this.orTest();
    this.expectKw(K_ELSE);
    const orelse = this.test();
    this.ps = s;
    return { kind: 'IfExp', test, body, orelse, start: s, end: this.pe };
  }

  /**
   * or/and/not with Python's precedence. The root node of one chain spans its whole source (parentheses around
   * its first/last operand included); inner and/not nodes span their operands' nodes, as the lezer converter does.
   */
  private orTest(): Expr {
    const s0 = this.ts;
    let e = this.andTest();
    let made = this.boolMade;
    if (this.tok === T_NAME && this.kw === K_OR) {
      const values = [e];
      while (this.tok === T_NAME && this.kw === K_OR) {
        this.next();
        values.push(this.andTest());
      }
      e = { kind: 'BoolOp', op: 'or', values, start: values[0].start, end: values[values.length - 1].end };
      made = true;
    }
    if (made) {
      (e as { start: number }).start = s0;
      (e as { end: number }).end = this.pe;
    }
    this.ps = s0;
    return e;
  }

  private andTest(): Expr {
    const s0 = this.ts;
    const e = this.notTest();
    if (this.tok !== T_NAME || this.kw !== K_AND) return e;
    const values = [e];
    while (this.tok === T_NAME && this.kw === K_AND) {
      this.next();
      values.push(this.notTest());
    }
    this.boolMade = true;
    this.ps = s0;
    return { kind: 'BoolOp', op: 'and', values, start: values[0].start, end: values[values.length - 1].end };
  }

  private notTest(): Expr {
    if (this.tok === T_NAME && this.kw === K_NOT) {
      const s = this.ts;
      this.next();
      const operand = this.notTest();
      this.boolMade = true;
      this.ps = s;
      return { kind: 'UnaryOp', op: 'not', operand, start: s, end: operand.end };
    }
    const e = this.comparison();
    this.boolMade = false;
    return e;
  }

  private comparison(): Expr {
    const s0 = this.ts;
    const left = this.bin(1);
    let op = this.compOp();
    if (op === null) return left;
    const ops: Array<Extract<Expr, { kind: 'Compare' }>['ops'][number]> = [];
    const comparators: Expr[] = [];
    while (op !== null) {
      ops.push(op);
      comparators.push(this.bin(1));
      op = this.compOp();
    }
    this.ps = s0;
    return { kind: 'Compare', left, ops, comparators, start: s0, end: this.pe };
  }

  /** Consumes a comparison operator and returns it, or returns null. */
  private compOp(): Extract<Expr, { kind: 'Compare' }>['ops'][number] | null {
    const tk = this.tok;
    if (tk >= T_EQ && tk <= T_GE) {
      const op = OP_TEXT[tk] as '==';
      this.next();
      return op;
    }
    if (tk !== T_NAME) return null;
    if (this.kw === K_IN) {
      this.next();
      return 'in';
    }
    if (this.kw === K_IS) {
      this.next();
      if (this.isKw(K_NOT)) {
        this.next();
        return 'is not';
      }
      return 'is';
    }
    if (this.kw === K_NOT) {
      this.next();
      this.expectKw(K_IN);
      return 'not in';
    }
    return null;
  }

  /** Binary operators from `|` (prec 1) to `* / // % @` (prec 6), left-associative. */
  private bin(minPrec: number): Expr {
    const s0 = this.ts;
    let left = this.factor();
    for (;;) {
      const tk = this.tok;
      const prec = tk < 64 ? BIN_PREC[tk] : 0;
      if (prec === 0 || prec < minPrec) break;
      const os = this.ts, oe = this.te;
      this.next();
      const right = this.bin(prec + 1);
      left = { kind: 'BinOp', op: OP_TEXT[tk] as '+', left, right, opSpan: { start: os, end: oe }, start: s0, end: this.pe };
    }
    this.ps = s0;
    return left;
  }

  private factor(): Expr {
    const tk = this.tok;
    if (tk === T_MINUS || tk === T_PLUS || tk === T_TILDE) {
      const s = this.ts;
      this.next();
      const operand = this.factor();
      this.ps = s;
      return { kind: 'UnaryOp', op: OP_TEXT[tk] as '-', operand, start: s, end: this.pe };
    }
    return this.power();
  }

  private power(): Expr {
    const s0 = this.ts;
    const base = this.atomExpr();
    if (this.tok !== T_DSTAR) return base;
    const os = this.ts, oe = this.te;
    this.next();
    const right = this.factor();
    this.ps = s0;
    return { kind: 'BinOp', op: '**', left: base, right, opSpan: { start: os, end: oe }, start: s0, end: this.pe };
  }

  /** An atom followed by calls, subscripts and attribute accesses. */
  private atomExpr(): Expr {
    const s0 = this.ts;
    let e = this.atom();
    for (;;) {
      const tk = this.tok;
      if (tk === T_LPAR) {
        const r = this.args();
        e = { kind: 'Call', func: e, args: r.args, keywords: r.keywords, start: s0, end: this.lastEnd };
      } else if (tk === T_LSQB) {
        const index = this.subscript();
        e = { kind: 'Subscript', value: e, index, start: s0, end: this.lastEnd };
      } else if (tk === T_DOT) {
        this.next();
        const attr = this.nameText();
        const as = this.ts, ae = this.te;
        this.next();
        e = { kind: 'Attribute', value: e, attr, attrSpan: { start: as, end: ae }, start: s0, end: ae };
      } else break;
    }
    this.ps = s0;
    this.pe = this.lastEnd;
    return e;
  }

  private atom(): Expr {
    const s = this.ts;
    switch (this.tok) {
      case T_NAME: {
        const kw = this.kw;
        const e: Expr = kw === 0
          ? { kind: 'Name', id: this.tv, start: s, end: this.te }
          : kw === K_NONE
            ? { kind: 'Constant', value: null, start: s, end: this.te }
            : kw === K_TRUE || kw === K_FALSE
              ? { kind: 'Constant', value: kw === K_TRUE, start: s, end: this.te }
              : bail();
        this.next();
        return e;
      }
      case T_NUMBER: {
        const lit = decodeNumber(this.text.slice(s, this.te));
        if (lit.error) bail();
        const c: Constant = { kind: 'Constant', value: lit.value, start: s, end: this.te };
        if (lit.isFloat) c.isFloat = true;
        if (lit.isImaginary) c.isImaginary = true;
        this.next();
        return c;
      }
      case T_STRING:
      case T_FSTRING:
        return this.strings();
      case T_ELLIPSIS: {
        const e: Expr = { kind: 'Constant', value: null, isEllipsis: true, start: s, end: this.te };
        this.next();
        return e;
      }
      case T_LPAR:
        return this.paren();
      case T_LSQB:
        return this.listDisplay();
      case T_LBRACE:
        return this.braceDisplay();
      default:
        return bail();
    }
  }

  /** `( … )`: parenthesized expression (keeps its own span), tuple or generator expression. */
  private paren(): Expr {
    const open = this.ts;
    this.next();
    if (this.tok === T_RPAR) {
      const end = this.te;
      this.next();
      this.ps = open;
      this.pe = end;
      return { kind: 'Tuple', elts: [], start: open, end };
    }
    if (this.isKw(K_YIELD)) bail();
    let first: Expr;
    let starred = false;
    if (this.tok === T_STAR) {
      starred = true;
      const s = this.ts;
      this.next();
      const v = this.bin(1);
      first = { kind: 'Starred', value: v, start: s, end: v.end };
    } else first = this.testNamed();
    let e: Expr;
    if (this.isKw(K_FOR)) {
      if (starred) bail();
      const generators = this.compClauses();
      if (this.tok !== T_RPAR) bail();
      e = { kind: 'GeneratorExp', elt: first, generators, start: open, end: this.te };
    } else if (this.tok === T_COMMA) {
      const elts = [first];
      while (this.tok === T_COMMA) {
        this.next();
        if (this.tok === T_RPAR) break;
        elts.push(this.displayItem(true));
      }
      if (this.tok !== T_RPAR) bail();
      e = { kind: 'Tuple', elts, start: open, end: this.te };
    } else {
      if (this.tok !== T_RPAR || starred) bail();
      e = first;
    }
    const end = this.te;
    this.next();
    this.ps = open;
    this.pe = end;
    return e;
  }

  /** An item of a tuple/list display: `*expression` or testNamed (a set display takes plain tests). */
  private displayItem(named: boolean): Expr {
    if (this.tok === T_STAR) {
      const s = this.ts;
      this.next();
      const v = this.bin(1);
      return { kind: 'Starred', value: v, start: s, end: v.end };
    }
    return named ? this.testNamed() : this.test();
  }

  private listDisplay(): Expr {
    const open = this.ts;
    this.next();
    let e: Expr;
    if (this.tok === T_RSQB) e = { kind: 'List', elts: [], start: open, end: this.te };
    else {
      const first = this.displayItem(true);
      if (this.isKw(K_FOR)) {
        if (first.kind === 'Starred') bail();
        const generators = this.compClauses();
        if (this.tok !== T_RSQB) bail();
        e = { kind: 'ListComp', elt: first, generators, start: open, end: this.te };
      } else {
        const elts = [first];
        while (this.tok === T_COMMA) {
          this.next();
          if (this.tok === T_RSQB) break;
          elts.push(this.displayItem(true));
        }
        if (this.tok !== T_RSQB) bail();
        e = { kind: 'List', elts, start: open, end: this.te };
      }
    }
    const end = this.te;
    this.next();
    this.ps = open;
    this.pe = end;
    return e;
  }

  private braceDisplay(): Expr {
    const open = this.ts;
    this.next();
    let e: Expr;
    if (this.tok === T_RBRACE) e = { kind: 'Dict', entries: [], start: open, end: this.te };
    else if (this.tok === T_STAR) e = this.setRest(open, this.displayItem(false));
    else if (this.tok === T_DSTAR) e = this.dictRest(open, undefined);
    else {
      const first = this.test();
      e = this.tok === T_COLON ? this.dictRest(open, first) : this.setRest(open, first);
    }
    const end = this.te;
    this.next();
    this.ps = open;
    this.pe = end;
    return e;
  }

  /** A set display or comprehension after its first item; stops at the `}`. */
  private setRest(open: number, first: Expr): Expr {
    if (this.isKw(K_FOR)) {
      if (first.kind === 'Starred') bail();
      const generators = this.compClauses();
      if (this.tok !== T_RBRACE) bail();
      return { kind: 'SetComp', elt: first, generators, start: open, end: this.te };
    }
    const elts = [first];
    while (this.tok === T_COMMA) {
      this.next();
      if (this.tok === T_RBRACE) break;
      elts.push(this.displayItem(false));
    }
    if (this.tok !== T_RBRACE) bail();
    return { kind: 'Set', elts, start: open, end: this.te };
  }

  /** A dict display or comprehension; `firstKey` is the already parsed first key (the `:` is next). */
  private dictRest(open: number, firstKey: Expr | undefined): Expr {
    const entries: Array<{ key?: Expr; value: Expr }> = [];
    let key = firstKey;
    for (let first = true; ; first = false) {
      if (key === undefined && this.tok === T_DSTAR) {
        this.next();
        entries.push({ value: this.bin(1) });
        if (first && this.isKw(K_FOR)) bail();
      } else {
        if (key === undefined) key = this.test();
        this.expect(T_COLON);
        const value = this.test();
        if (first && this.isKw(K_FOR)) {
          const generators = this.compClauses();
          if (this.tok !== T_RBRACE) bail();
          return { kind: 'DictComp', key, value, generators, start: open, end: this.te };
        }
        entries.push({ key, value });
      }
      key = undefined;
      if (this.tok !== T_COMMA) break;
      this.next();
      if (this.tok === T_RBRACE) break;
    }
    if (this.tok !== T_RBRACE) bail();
    return { kind: 'Dict', entries, start: open, end: this.te };
  }

  /** `for … in … [if …]*` clauses of a comprehension. */
  private compClauses(): Comprehension[] {
    const generators: Comprehension[] = [];
    for (;;) {
      if (this.isKw(K_FOR)) {
        const start = this.ts;
        this.next();
        const target = this.tupleOrSingle(this.exprList(true, false));
        if (!validTarget(target, false, false)) bail();
        this.expectKw(K_IN);
        const iter = this.orTest();
        generators.push({ target, iter, ifs: [], start, end: iter.end });
      } else if (this.isKw(K_IF)) {
        this.next();
        if (this.isKw(K_LAMBDA)) bail();
        const test = this.orTest();
        const g = generators[generators.length - 1];
        g.ifs.push(test);
        (g as { end: number }).end = test.end;
      } else if (this.isKw(K_ASYNC)) bail();
      else break;
    }
    return generators;
  }

  /** A call's (or class's) argument list, `(` to `)`; lastEnd is the `)` end afterwards. */
  private args(): { args: Expr[]; keywords: Keyword[] } {
    const open = this.ts;
    this.next();
    const args: Expr[] = [];
    const keywords: Keyword[] = [];
    let sawKeyword = false, sawKwUnpack = false, count = 0;
    let gen: Expr | null = null;
    while (this.tok !== T_RPAR) {
      count++;
      if (this.tok === T_STAR) {
        if (sawKwUnpack) bail();
        const s = this.ts;
        this.next();
        const value = this.test();
        args.push({ kind: 'Starred', value, start: s, end: value.end });
      } else if (this.tok === T_DSTAR) {
        const s = this.ts;
        this.next();
        const value = this.test();
        sawKwUnpack = true;
        keywords.push({ kind: 'Keyword', value, start: s, end: value.end });
      } else if (this.tok === T_NAME && this.kw === 0 && this.assignFollows() !== 0) {
        const s = this.ts;
        const name: Name = { kind: 'Name', id: this.tv, start: s, end: this.te };
        this.next();
        const walrus = this.tok === T_WALRUS;
        this.next();
        const value = this.test();
        if (walrus) args.push({ kind: 'NamedExpr', target: name, value, start: s, end: value.end });
        else {
          sawKeyword = true;
          keywords.push({ kind: 'Keyword', name: name.id, value, start: s, end: value.end });
        }
      } else {
        const e = this.test();
        if (this.isKw(K_FOR)) {
          const generators = this.compClauses();
          gen = { kind: 'GeneratorExp', elt: e, generators, start: e.start, end: generators[generators.length - 1].end };
          args.push(gen);
        } else {
          if (sawKeyword || sawKwUnpack) bail();
          args.push(e);
        }
      }
      if (this.tok === T_COMMA) this.next();
      else if (this.tok !== T_RPAR) bail();
    }
    const close = this.te;
    this.next();
    if (gen) {
      if (count > 1) bail();
      args[0] = { ...gen, start: open, end: close } as Expr;
    }
    return { args, keywords };
  }

  /** `[ … ]` after an expression: one index, a slice, or a tuple of them. */
  private subscript(): Expr {
    this.next();
    const items: Expr[] = [];
    let commas = 0;
    let end = 0;
    for (;;) {
      if (this.tok === T_STAR) bail();
      const itemStart = this.ts;
      let lower: Expr | undefined;
      if (this.tok !== T_COLON) {
        lower = this.test();
        if (this.tok === T_WALRUS) bail();
      }
      if (this.tok === T_COLON) {
        let itemEnd = this.te;
        this.next();
        let upper: Expr | undefined, step: Expr | undefined;
        if (this.startsSliceExpr()) {
          upper = this.test();
          itemEnd = this.pe;
        }
        if (this.tok === T_COLON) {
          itemEnd = this.te;
          this.next();
          if (this.startsSliceExpr()) {
            step = this.test();
            itemEnd = this.pe;
          }
        }
        if (this.tok === T_COLON || this.tok === T_WALRUS) bail();
        // Same key order as the lezer converter: lower, upper, step (only those present), then the span.
        const slice = { kind: 'Slice' } as Extract<Expr, { kind: 'Slice' }> & { start: number; end: number };
        if (lower) slice.lower = lower;
        if (upper) slice.upper = upper;
        if (step) slice.step = step;
        slice.start = itemStart;
        slice.end = itemEnd;
        items.push(slice);
        end = itemEnd;
      } else {
        items.push(lower!);
        end = this.pe;
      }
      if (this.tok !== T_COMMA) break;
      commas++;
      end = this.te;
      this.next();
      if (this.tok === T_RSQB) break;
    }
    this.expect(T_RSQB);
    if (items.length === 1 && commas === 0) return items[0];
    return { kind: 'Tuple', elts: items, start: items[0].start, end };
  }

  private startsSliceExpr(): boolean {
    return this.tok !== T_COLON && this.tok !== T_COMMA && this.tok !== T_RSQB;
  }

  private lambda(noCond: boolean): Expr {
    if (this.fsMode > 0) bail();
    const s = this.ts;
    this.next();
    let params: Parameters;
    // No parameters: lezer still has an (empty) ParamList node, at the ':'.
    if (this.tok === T_COLON) params = { posOnly: [], args: [], kwOnly: [], start: this.ts, end: this.ts };
    else {
      const listStart = this.ts;
      const args: Param[] = [];
      const kwOnly: Param[] = [];
      let vararg: Param | undefined, kwarg: Param | undefined;
      let sawStar = false, bareStar = false, sawDefault = false;
      const seen = new Set<string>();
      for (;;) {
        if (kwarg) bail();
        if (this.tok === T_STAR) {
          if (sawStar) bail();
          sawStar = true;
          this.next();
          if (this.tok === T_NAME) {
            vararg = this.param(seen, false, false);
            bareStar = false;
          } else bareStar = true;
        } else if (this.tok === T_DSTAR) {
          this.next();
          kwarg = this.param(seen, false, false);
        } else {
          const p = this.param(seen, true, false);
          if (sawStar) kwOnly.push(p);
          else {
            if (p.default) sawDefault = true;
            else if (sawDefault) bail();
            args.push(p);
          }
          bareStar = false;
        }
        if (this.tok !== T_COMMA) break;
        this.next();
      }
      if (bareStar && kwOnly.length === 0) bail();
      if (this.tok !== T_COLON) bail();
      params = { posOnly: [], args, kwOnly, start: listStart, end: this.lastEnd };
      if (vararg) params.vararg = vararg;
      if (kwarg) params.kwarg = kwarg;
    }
    this.next();
    const saved = this.scope;
    this.scope = { inFunction: true, inLoop: false, yieldSeen: false };
    const body = noCond ? this.orTest() : this.test();
    this.scope = saved;
    this.ps = s;
    return { kind: 'Lambda', params, body, start: s, end: this.pe };
  }

  // ================================================================ strings

  /** One string literal or several adjacent ones (implicit concatenation). */
  private strings(): Expr {
    const s0 = this.ts;
    const first = this.stringPiece();
    if (this.tok !== T_STRING && this.tok !== T_FSTRING) {
      this.ps = s0;
      this.pe = this.lastEnd;
      return first;
    }
    const pieces: Expr[] = [first];
    while (this.tok === T_STRING || this.tok === T_FSTRING) pieces.push(this.stringPiece());
    const end = this.lastEnd;
    let bytes = 0, allConst = true;
    for (const p of pieces) {
      if (p.kind === 'Constant') {
        if (p.isBytes) bytes++;
      } else allConst = false;
    }
    if (bytes !== 0 && bytes !== pieces.length) bail();
    this.ps = s0;
    this.pe = end;
    if (allConst) {
      let value = '';
      for (const p of pieces) value += (p as Constant).value as string;
      const c: Constant = { kind: 'Constant', value, start: s0, end };
      if (bytes) c.isBytes = true;
      return c;
    }
    const parts: Array<string | FormattedValue> = [];
    for (const p of pieces) {
      if (p.kind === 'Constant') pushText(parts, String(p.value));
      else if (p.kind === 'JoinedStr') for (const q of p.parts) typeof q === 'string' ? pushText(parts, q) : parts.push(q);
    }
    return { kind: 'JoinedStr', parts, start: s0, end };
  }

  private stringPiece(): Expr {
    if (this.tok === T_FSTRING) return this.fstring();
    const s = this.ts, e = this.te;
    const info = scanStringLiteral(this.text, s, e);
    if (!info.terminated) bail();
    const d = decodeStringBody(this.text, info.bodyStart, info.bodyEnd, info.raw, info.bytes, false);
    if (d.error) bail();
    const c: Constant = { kind: 'Constant', value: d.value, start: s, end: e };
    if (info.bytes) c.isBytes = true;
    this.next();
    return c;
  }

  /** An f-string: literal parts and replacement fields, each field's expression parsed by this parser. */
  private fstring(): JoinedStr {
    const t = this.text;
    const start = this.ts;
    const quote = this.fsQuote, long = this.fsLong, raw = this.fsRaw;
    const parts: Array<string | FormattedValue> = [];
    let i = this.fsBody;
    let lit = i;
    let bodyEnd: number;
    for (;;) {
      if (i >= this.len) bail();
      const c = t.charCodeAt(i);
      if (c === 92) {
        const n = t.charCodeAt(i + 1);
        if (n === 123 || n === 125 || n === 13 || (n === 78 && !raw)) bail();
        i += 2;
        continue;
      }
      if (c === quote) {
        if (!long || (t.charCodeAt(i + 1) === quote && t.charCodeAt(i + 2) === quote)) {
          bodyEnd = i;
          break;
        }
      } else if (c === 10 || c === 13) {
        if (!long) bail();
      } else if (c === 123) {
        if (t.charCodeAt(i + 1) === 123) {
          i += 2;
          continue;
        }
        this.literalPart(parts, lit, i, raw);
        const fv = this.formatField(i, quote);
        parts.push(fv);
        i = lit = fv.end;
        continue;
      } else if (c === 125) {
        if (t.charCodeAt(i + 1) !== 125) bail();
        i += 2;
        continue;
      }
      i++;
    }
    this.literalPart(parts, lit, bodyEnd, raw);
    const end = bodyEnd + (long ? 3 : 1);
    // Continue tokenizing after the closing quote.
    this.pos = this.te = end;
    this.tok = T_FSTRING;
    this.next();
    return { kind: 'JoinedStr', parts, start, end };
  }

  private literalPart(parts: Array<string | FormattedValue>, from: number, to: number, raw: boolean): void {
    if (to <= from) return;
    const d = decodeStringBody(this.text, from, to, raw, false, true);
    if (d.error) bail();
    pushText(parts, d.value);
  }

  /** One `{…}` replacement field starting at `open`; the FormattedValue ends after its `}`. */
  private formatField(open: number, quote: number): FormattedValue {
    const t = this.text;
    this.pos = open + 1;
    this.depth++;
    this.fsMode++;
    this.tok = T_LBRACE;
    this.te = open + 1;
    this.next();
    if (this.tok === T_RBRACE || this.tok === T_STAR || this.isKw(K_YIELD)) bail();
    const elts: Expr[] = [this.test()];
    let commas = 0;
    let listEnd = elts[0].end;
    while (this.tok === T_COMMA) {
      commas++;
      listEnd = this.te;
      this.next();
      if (this.tok === T_RBRACE || this.tok === T_ASSIGN || this.tok === T_BANG || this.tok === T_COLON) break;
      if (this.tok === T_STAR) bail();
      const e = this.test();
      elts.push(e);
      listEnd = e.end;
    }
    const value = elts.length === 1 && commas === 0 ? elts[0] : ({ kind: 'Tuple', elts, start: elts[0].start, end: listEnd } as Expr);
    const fv: FormattedValue = { kind: 'FormattedValue', value, start: open, end: 0 };
    if (this.tok === T_ASSIGN) {
      this.next();
      fv.selfDoc = t.slice(open + 1, this.ts);
    }
    if (this.tok === T_BANG) {
      const c = t.charCodeAt(this.te);
      if ((c !== 115 && c !== 114 && c !== 97) || isIdPart(t.charCodeAt(this.te + 1))) bail();
      fv.conversion = t[this.te] as 'r';
      this.pos = this.te + 1;
      this.te = this.pos;
      this.next();
    }
    if (this.tok === T_COLON) {
      const specStart = this.te;
      const parts: Array<string | FormattedValue> = [];
      let j = specStart;
      let seg = j;
      for (;;) {
        if (j >= this.len) bail();
        const c = t.charCodeAt(j);
        if (c === 125) break;
        if (c === quote || c === 10 || c === 13 || c === 92) bail();
        if (c === 123) {
          pushText(parts, t.slice(seg, j));
          const nested = this.formatField(j, quote);
          parts.push(nested);
          j = seg = nested.end;
          continue;
        }
        j++;
      }
      pushText(parts, t.slice(seg, j));
      fv.formatSpec = { kind: 'JoinedStr', parts, start: specStart, end: j };
      this.pos = j;
      this.te = j;
      this.tok = T_COLON;
      this.next();
    }
    if (this.tok !== T_RBRACE) bail();
    (fv as { end: number }).end = this.te;
    if (fv.selfDoc !== undefined && !fv.conversion && !fv.formatSpec) fv.conversion = 'r';
    this.fsMode--;
    return fv;
  }
}

function pushText(parts: Array<string | FormattedValue>, s: string): void {
  if (s.length === 0) return;
  const last = parts.length - 1;
  if (last >= 0 && typeof parts[last] === 'string') parts[last] = (parts[last] as string) + s;
  else parts.push(s);
}

/** Whether `e` may be assigned to (or deleted, `del`), as the lezer converter's checkTarget decides. */
function validTarget(e: Expr, del: boolean, nested: boolean): boolean {
  switch (e.kind) {
    case 'Name':
    case 'Attribute':
    case 'Subscript':
      return true;
    case 'Tuple':
    case 'List': {
      let stars = 0;
      for (const x of e.elts) {
        if (x.kind === 'Starred' && !del) {
          stars++;
          if (!validTarget(x.value, del, true)) return false;
        } else if (!validTarget(x, del, true)) return false;
      }
      return stars <= 1;
    }
    default:
      void nested;
      return false;
  }
}
