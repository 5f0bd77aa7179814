// The fast path's expressions: expression lists, the operator levels from lambda/if-else down to atoms, parameters.

import type { Constant, Expr, Keyword, Param, Parameters } from './ast';
import { FastLexer } from './fastLexer';
import { decodeNumber } from './parseStrings';
import {
  bail, BIN_PREC, K_AND, K_AWAIT, K_ELSE, K_FALSE, K_IF, K_IN, K_IS, K_LAMBDA, K_NONE, K_NOT, K_OR, K_TRUE, OP_TEXT,
  T_ASSIGN, T_COLON, T_COMMA, T_DOT, T_DSTAR, T_ELLIPSIS, T_EQ, T_FSTRING, T_GE, T_LBRACE, T_LPAR, T_LSQB, T_MINUS,
  T_NAME, T_NUMBER, T_PLUS, T_RPAR, T_SLASH, T_STAR, T_STRING, T_TILDE, T_WALRUS,
} from './fastTokens';

export type Scope = { inFunction: boolean; inLoop: boolean; yieldSeen: boolean };

/** An expression list (`a, *b, c,`) before it becomes one expression. */
export interface ExprList {
  elts: Expr[];
  commas: number;
  /** End used for an unparenthesised tuple: the last element's node end, or the trailing comma's end. */
  end: number;
}

/** Expression parsing on top of the tokenizer; the bracketed forms and string literals come from the subclasses. */
export abstract class FastExprParser extends FastLexer {
  // Outer extent (first token start, last token end) of the expression parsed last, parentheses included.
  protected ps = 0;
  protected pe = 0;
  /** Set by the and/not levels: the returned node was built by this boolean chain (not taken from parentheses). */
  private boolMade = false;
  // Scope facts, as the lezer converter tracks them.
  protected scope: Scope = { inFunction: false, inLoop: false, yieldSeen: false };

  // Atoms in brackets (fastBrackets.ts) and string literals (fastStrings.ts).
  protected abstract paren(): Expr;
  protected abstract listDisplay(): Expr;
  protected abstract braceDisplay(): Expr;
  protected abstract args(): { args: Expr[]; keywords: Keyword[] };
  protected abstract subscript(): Expr;
  protected abstract strings(): Expr;

  // ================================================================ expression lists

  /**
   * `a, *b, c,` — elements are `test` (or `expression` when `exprLevel`, as in for/del targets), `*x` when
   * `allowStar`. Ends at the first token that cannot continue the list.
   */
  protected exprList(exprLevel: boolean, allowStar: boolean): ExprList {
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
  protected testList(): ExprList {
    return this.exprList(false, false);
  }

  protected tupleOrSingle(r: ExprList): Expr {
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
  protected testNamed(): Expr {
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
  protected test(): Expr {
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
  protected orTest(): Expr {
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
  protected bin(minPrec: number): Expr {
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

  private lambda(noCond: boolean): Expr {
    if (this.fsMode > 0) bail();
    const s = this.ts;
    this.next();
    // No parameters: lezer still has an (empty) ParamList node, at the ':'.
    const params: Parameters = this.tok === T_COLON
      ? { posOnly: [], args: [], kwOnly: [], start: this.ts, end: this.ts }
      : this.paramList(this.ts, false);
    this.next();
    const saved = this.scope;
    this.scope = { inFunction: true, inLoop: false, yieldSeen: false };
    const body = noCond ? this.orTest() : this.test();
    this.scope = saved;
    this.ps = s;
    return { kind: 'Lambda', params, body, start: s, end: this.pe };
  }

  // ================================================================ parameters

  /**
   * The parameters of a def (`def` true: the current token follows the `(`, the list stops at the `)`, not consumed)
   * or of a lambda (the current token is the first parameter, the list stops at the `:`, not consumed). Only a def
   * takes `/`, annotations and a trailing comma.
   */
  protected paramList(start: number, def: boolean): Parameters {
    let posOnly: Param[] = [];
    let args: Param[] = [];
    const kwOnly: Param[] = [];
    let vararg: Param | undefined, kwarg: Param | undefined;
    let sawStar = false, bareStar = false, sawDefault = false;
    const seen = new Set<string>();
    for (;;) {
      if (def && this.tok === T_RPAR) break;
      if (kwarg) bail();
      if (def && this.tok === T_SLASH) {
        if (sawStar || args.length === 0 || posOnly.length > 0) bail();
        posOnly = args;
        args = [];
        this.next();
      } else if (this.tok === T_STAR) {
        if (sawStar) bail();
        sawStar = true;
        this.next();
        if (this.tok === T_NAME) {
          vararg = this.param(seen, false, def);
          bareStar = false;
        } else bareStar = true;
      } else if (this.tok === T_DSTAR) {
        this.next();
        kwarg = this.param(seen, false, def);
      } else {
        const p = this.param(seen, true, def);
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
    if (this.tok !== (def ? T_RPAR : T_COLON)) bail();
    const ps: Parameters = { posOnly, args, kwOnly, start, end: def ? this.te : this.lastEnd };
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
}

/** Whether `e` may be assigned to (or deleted, `del`), as the lezer converter's checkTarget decides. */
export function validTarget(e: Expr, del: boolean, nested: boolean): boolean {
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
