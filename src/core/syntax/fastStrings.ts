// The fast path's string literals: plain strings, implicit concatenation and f-strings with their replacement fields.

import type { Constant, Expr, FormattedValue, JoinedStr } from './ast';
import { FastBracketParser } from './fastBrackets';
import { isIdPart } from './fastLexer';
import {
  bail, K_YIELD, T_ASSIGN, T_BANG, T_COLON, T_COMMA, T_FSTRING, T_LBRACE, T_RBRACE, T_STAR, T_STRING,
} from './fastTokens';
import { decodeStringBody, scanStringLiteral } from './parseStrings';

/** String literal atoms; an f-string's replacement fields are parsed by the expression levels below. */
export class FastStringParser extends FastBracketParser {
  /** One string literal or several adjacent ones (implicit concatenation). */
  protected override strings(): Expr {
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
