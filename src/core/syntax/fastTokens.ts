// Token and keyword codes, operator tables and the bail-out shared by the files of the parser's fast path.

/** Thrown to abandon the fast path. */
export const BAIL: { bail: true } = { bail: true };
export function bail(): never {
  if (fastParseStrict) lastBail = new Error('bail').stack ?? '';
  throw BAIL;
}
/** Where the fast path last gave up (strict mode only, for tests). */
export let lastBail = '';

/** Tests set this to see the fast path's own bugs (an unexpected JS error) instead of falling back quietly. */
export let fastParseStrict = false;
export function setFastParseStrict(on: boolean): void {
  fastParseStrict = on;
}

// ---------------------------------------------------------------- tokens

export const T_EOF: number = 0, T_NEWLINE: number = 1, T_INDENT: number = 2, T_DEDENT: number = 3, T_NAME: number = 4, T_NUMBER: number = 5, T_STRING: number = 6, T_FSTRING: number = 7;
export const T_LPAR: number = 10, T_RPAR: number = 11, T_LSQB: number = 12, T_RSQB: number = 13, T_LBRACE: number = 14, T_RBRACE: number = 15, T_COMMA: number = 16, T_COLON: number = 17;
export const T_SEMI: number = 18, T_DOT: number = 19, T_ELLIPSIS: number = 20, T_AT: number = 21, T_ASSIGN: number = 22, T_ARROW: number = 23, T_AUGASSIGN: number = 24;
export const T_WALRUS: number = 25, T_BANG: number = 26;
// Binary operators (their precedence is in BIN_PREC).
export const T_PLUS: number = 30, T_MINUS: number = 31, T_STAR: number = 32, T_SLASH: number = 33, T_DSLASH: number = 34, T_PERCENT: number = 35, T_DSTAR: number = 36;
export const T_AMP: number = 37, T_PIPE: number = 38, T_CARET: number = 39, T_LSHIFT: number = 40, T_RSHIFT: number = 41, T_TILDE: number = 42;
// Comparisons.
export const T_EQ: number = 50, T_NE: number = 51, T_LT: number = 52, T_GT: number = 53, T_LE: number = 54, T_GE: number = 55;

export const OP_TEXT: string[] = [];
OP_TEXT[T_PLUS] = '+'; OP_TEXT[T_MINUS] = '-'; OP_TEXT[T_STAR] = '*'; OP_TEXT[T_SLASH] = '/'; OP_TEXT[T_DSLASH] = '//';
OP_TEXT[T_PERCENT] = '%'; OP_TEXT[T_DSTAR] = '**'; OP_TEXT[T_AMP] = '&'; OP_TEXT[T_PIPE] = '|'; OP_TEXT[T_CARET] = '^';
OP_TEXT[T_LSHIFT] = '<<'; OP_TEXT[T_RSHIFT] = '>>'; OP_TEXT[T_TILDE] = '~'; OP_TEXT[T_AT] = '@';
OP_TEXT[T_EQ] = '=='; OP_TEXT[T_NE] = '!='; OP_TEXT[T_LT] = '<'; OP_TEXT[T_GT] = '>'; OP_TEXT[T_LE] = '<='; OP_TEXT[T_GE] = '>=';

/** Binary operator precedence (higher binds tighter); 0 = not a binary operator. `**` is handled by power. */
export const BIN_PREC = new Uint8Array(64);
BIN_PREC[T_PIPE] = 1; BIN_PREC[T_CARET] = 2; BIN_PREC[T_AMP] = 3; BIN_PREC[T_LSHIFT] = 4; BIN_PREC[T_RSHIFT] = 4;
BIN_PREC[T_PLUS] = 5; BIN_PREC[T_MINUS] = 5; BIN_PREC[T_STAR] = 6; BIN_PREC[T_SLASH] = 6; BIN_PREC[T_DSLASH] = 6;
BIN_PREC[T_PERCENT] = 6; BIN_PREC[T_AT] = 6;

// Keywords (NAME tokens carry one of these in `kw`, 0 for a plain name).
export const K_FALSE: number = 1, K_NONE: number = 2, K_TRUE: number = 3, K_AND: number = 4, K_AS: number = 5, K_ASSERT: number = 6, K_ASYNC: number = 7, K_AWAIT: number = 8, K_BREAK: number = 9;
export const K_CLASS: number = 10, K_CONTINUE: number = 11, K_DEF: number = 12, K_DEL: number = 13, K_ELIF: number = 14, K_ELSE: number = 15, K_EXCEPT: number = 16, K_FINALLY: number = 17;
export const K_FOR: number = 18, K_FROM: number = 19, K_GLOBAL: number = 20, K_IF: number = 21, K_IMPORT: number = 22, K_IN: number = 23, K_IS: number = 24, K_LAMBDA: number = 25;
export const K_NONLOCAL: number = 26, K_NOT: number = 27, K_OR: number = 28, K_PASS: number = 29, K_RAISE: number = 30, K_RETURN: number = 31, K_TRY: number = 32, K_WHILE: number = 33;
export const K_WITH: number = 34, K_YIELD: number = 35;
