// The fast path's tokenizer: Python tokens, indentation and keywords read straight from the source text.

import {
  bail, K_AND, K_AS, K_ASSERT, K_ASYNC, K_AWAIT, K_BREAK, K_CLASS, K_CONTINUE, K_DEF, K_DEL, K_ELIF, K_ELSE, K_EXCEPT,
  K_FALSE, K_FINALLY, K_FOR, K_FROM, K_GLOBAL, K_IF, K_IMPORT, K_IN, K_IS, K_LAMBDA, K_NONE, K_NONLOCAL, K_NOT, K_OR,
  K_PASS, K_RAISE, K_RETURN, K_TRUE, K_TRY, K_WHILE, K_WITH, K_YIELD,
  T_AMP, T_ARROW, T_ASSIGN, T_AT, T_AUGASSIGN, T_BANG, T_CARET, T_COLON, T_COMMA, T_DEDENT, T_DOT, T_DSLASH, T_DSTAR,
  T_ELLIPSIS, T_EOF, T_EQ, T_FSTRING, T_GE, T_GT, T_INDENT, T_LBRACE, T_LE, T_LPAR, T_LSHIFT, T_LSQB, T_LT, T_MINUS,
  T_NAME, T_NE, T_NEWLINE, T_NUMBER, T_PERCENT, T_PIPE, T_PLUS, T_RBRACE, T_RPAR, T_RSHIFT, T_RSQB, T_SEMI, T_SLASH,
  T_STAR, T_STRING, T_TILDE, T_WALRUS,
} from './fastTokens';

const KEYWORDS = new Map<string, number>([
  ['False', K_FALSE], ['None', K_NONE], ['True', K_TRUE], ['and', K_AND], ['as', K_AS], ['assert', K_ASSERT],
  ['async', K_ASYNC], ['await', K_AWAIT], ['break', K_BREAK], ['class', K_CLASS], ['continue', K_CONTINUE],
  ['def', K_DEF], ['del', K_DEL], ['elif', K_ELIF], ['else', K_ELSE], ['except', K_EXCEPT], ['finally', K_FINALLY],
  ['for', K_FOR], ['from', K_FROM], ['global', K_GLOBAL], ['if', K_IF], ['import', K_IMPORT], ['in', K_IN],
  ['is', K_IS], ['lambda', K_LAMBDA], ['nonlocal', K_NONLOCAL], ['not', K_NOT], ['or', K_OR], ['pass', K_PASS],
  ['raise', K_RAISE], ['return', K_RETURN], ['try', K_TRY], ['while', K_WHILE], ['with', K_WITH], ['yield', K_YIELD],
]);

/** Keywords by length, for a lookup without hashing the identifier: the words, and their codes at the same index. */
const KEYWORD_WORDS: string[][] = [];
const KEYWORD_CODES: number[][] = [];
for (const [word, code] of KEYWORDS) {
  (KEYWORD_WORDS[word.length] ??= []).push(word);
  (KEYWORD_CODES[word.length] ??= []).push(code);
}

/** The keyword code of `t[p, p + n)` (0 for a plain name). */
function keywordAt(t: string, p: number, n: number): number {
  const words = KEYWORD_WORDS[n];
  if (words === undefined) return 0;
  const c = t.charCodeAt(p);
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    if (word.charCodeAt(0) === c && t.startsWith(word, p)) return KEYWORD_CODES[n][i];
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
export const isIdPart = (c: number): boolean => (c < 128 ? ID_PART[c] === 1 : c === c /* non-ASCII */);
const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** The string prefixes lezer's Python grammar knows (lower-cased), with their flags. */
const PREFIXES = new Map<string, { raw: boolean; bytes: boolean; format: boolean }>();
for (const p of ['', 'u', 'b', 'r', 'rb', 'br', 'f', 'rf', 'fr']) {
  PREFIXES.set(p, { raw: p.includes('r'), bytes: p.includes('b'), format: p.includes('f') });
}

/** The tokenizer: `next()` moves to the next token, whose kind, span and text the parser levels above read. */
export class FastLexer {
  protected readonly len: number;
  // Tokenizer state.
  protected pos = 0;
  protected depth = 0;
  private readonly indents: number[] = [0];
  private pendingDedents = 0;
  private atLineStart = true;
  private lineHasTokens = false;
  /** Inside an f-string replacement field (nesting count). */
  protected fsMode = 0;
  /** Comments seen so far that contain a '/' (lezer's parameter-list conversion looks for '/' in the gaps). */
  protected slashComments = 0;
  // Current token.
  protected tok = T_NEWLINE;
  protected ts = 0;
  protected te = 0;
  protected kw = 0;
  /** NAME text, or the operator text of an augmented assignment. */
  protected tv = '';
  /** For T_FSTRING: body start, quote char, triple-quoted, raw. */
  protected fsBody = 0;
  protected fsQuote = 0;
  protected fsLong = false;
  protected fsRaw = false;
  /** End of the last real token consumed. */
  protected lastEnd = 0;

  constructor(readonly text: string) {
    this.len = text.length;
  }

  protected next(): void {
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
    const i = long ? this.longStringEnd(body, quote) : this.shortStringEnd(body, quote);
    this.pos = this.te = i + (long ? 3 : 1);
    this.tok = T_STRING;
  }

  /** Offset of the closing triple quote of a long string whose body starts at `i` (docstrings: indexOf, not a loop). */
  private longStringEnd(i: number, quote: number): number {
    const t = this.text;
    const closing = quote === 34 ? '"""' : "'''";
    let end = t.indexOf(closing, i);
    for (;;) {
      if (end < 0) bail();
      // Searched in the body only (a slice is a view, not a copy): an unbounded search would run to the file's end.
      const escape = t.slice(i, end).indexOf('\\');
      if (escape < 0) return end;
      if (t.charCodeAt(i + escape + 1) === 13) bail();
      i += escape + 2;
      if (end < i) end = t.indexOf(closing, i);
    }
  }

  /** Offset of the closing quote of a one-line string whose body starts at `i`. */
  private shortStringEnd(i: number, quote: number): number {
    const t = this.text;
    for (;;) {
      if (i >= this.len) bail();
      const c = t.charCodeAt(i);
      if (c === 92) {
        if (t.charCodeAt(i + 1) === 13) bail();
        i += 2;
        continue;
      }
      if (c === quote) return i;
      if (c === 10 || c === 13) bail();
      i++;
    }
  }

  /** Whether the character after the current token (spaces, line breaks and comments skipped) starts `=`/`:=`. */
  protected assignFollows(): number {
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

  protected expect(tok: number): void {
    if (this.tok !== tok) bail();
    this.next();
  }

  protected expectKw(kw: number): void {
    if (this.tok !== T_NAME || this.kw !== kw) bail();
    this.next();
  }

  protected isKw(kw: number): boolean {
    return this.tok === T_NAME && this.kw === kw;
  }

  /** A plain (non-keyword) name token's text; gives up otherwise. */
  protected nameText(): string {
    if (this.tok !== T_NAME || this.kw !== 0) bail();
    return this.tv;
  }
}
