// Expression half of the lezer → engine AST conversion: literals, operators, calls, comprehensions,
// subscripts, lambdas, plus the problem-reporting machinery shared with the statement converter.

import type { SyntaxNode } from '@lezer/common';
import type {
  BinOperator, CmpOperator, Comprehension, Constant, Expr, Keyword, Name, Parameters, Span,
} from './ast';
import {
  convertContinuedString, convertFString, convertString, decodeNumber, first, firstInvalidIdentifierChar,
  invalidCharMessage, next, lineNumberOf, type Problem, RANK_BRACKET, RANK_GENERIC, RANK_SPECIFIC, RANK_TOKEN,
} from './parseStrings';

/** Where an assignment target appears (selects CPython's wording). */
export type TargetContext = 'assign' | 'for' | 'del' | 'aug';

const EXPR_NODES = new Set([
  'BinaryExpression', 'UnaryExpression', 'AwaitExpression', 'ParenthesizedExpression', 'TupleExpression',
  'ComprehensionExpression', 'ArrayExpression', 'ArrayComprehensionExpression', 'DictionaryExpression',
  'DictionaryComprehensionExpression', 'SetExpression', 'SetComprehensionExpression', 'CallExpression',
  'MemberExpression', 'VariableName', 'Number', 'String', 'FormatString', 'ContinuedString', 'Ellipsis',
  'None', 'Boolean', 'ConditionalExpression', 'LambdaExpression', 'NamedExpression', 'YieldExpression',
]);

/** Bracketed containers and the closing token they need. */
const CLOSERS: Record<string, string> = {
  ArgList: ')', ParamList: ')', ParenthesizedExpression: ')', TupleExpression: ')', ComprehensionExpression: ')',
  ArrayExpression: ']', ArrayComprehensionExpression: ']', DictionaryExpression: '}',
  DictionaryComprehensionExpression: '}', SetExpression: '}', SetComprehensionExpression: '}',
};

/** True for lezer node names that denote an expression. */
export function isExprNode(name: string): boolean {
  return EXPR_NODES.has(name);
}

/** Scope facts the converter tracks for generator detection and 'return'/'break' checks. */
export interface Scope { inFunction: boolean; inLoop: boolean; yieldSeen: boolean }

interface ListResult { elts: Expr[]; commas: number; trailingComma: boolean; end: number; next: SyntaxNode | null }

/** Converts lezer expression nodes to engine AST nodes, recording problems for the current statement. */
export abstract class ExprConverter {
  /** Best problem of the statement being converted (null when clean). */
  problem: Problem | null = null;
  /** True once the current statement contained a lezer error node (its tree shape is unreliable). */
  treeBroken = false;
  /** Error nodes deliberately accepted (the `1.` float literal lezer cannot lex). */
  readonly forgiven = new Set<number>();
  scope: Scope = { inFunction: false, inLoop: false, yieldSeen: false };

  constructor(readonly text: string) {}

  // ---------------------------------------------------------------- problems

  /** Records a problem for the current statement; keeps the lowest rank, then the earliest. */
  report(rank: number, message: string, start: number, end: number): void {
    const p = this.problem;
    if (p === null || rank < p.rank || (rank === p.rank && start < p.span.start)) {
      this.problem = { rank, message, span: { start, end: Math.max(end, start) } };
    }
  }

  /** A 1-character span for an error at `pos`: the token there, or the last token before it on the line. */
  pointSpan(pos: number): Span {
    const t = this.text;
    let q = pos;
    while (q < t.length && (t[q] === ' ' || t[q] === '\t' || t[q] === '\f')) q++;
    if (q < t.length && t[q] !== '\n' && t[q] !== '\r') {
      let e = q + 1;
      if (/[\p{ID_Continue}]/u.test(t[q])) while (e < t.length && /[\p{ID_Continue}]/u.test(t[e])) e++;
      return { start: q, end: e };
    }
    let k = pos;
    while (k > 0 && /\s/.test(t[k - 1])) k--;
    return k > 0 ? { start: k - 1, end: k } : { start: pos, end: pos };
  }

  /** Classifies a lezer error node, reports it, and returns an ErrorExpr covering it. */
  errorNode(n: SyntaxNode): Expr {
    this.treeBroken = true;
    const t = this.text;
    let q = n.from;
    while (q < n.to && (t[q] === ' ' || t[q] === '\t' || t[q] === '\n' || t[q] === '\r')) q++;
    const ch = q < t.length ? String.fromCodePoint(t.codePointAt(q) ?? 0) : '';
    const bad = ch ? invalidCharMessage(ch) : undefined;
    let message = 'invalid syntax';
    if (bad) {
      this.report(RANK_TOKEN, bad, q, q + ch.length);
      message = bad;
    } else if (q < n.to && (ch === ')' || ch === ']' || ch === '}')) {
      message = this.closerMessage(n, ch);
      this.report(RANK_TOKEN, message, q, q + 1);
    } else {
      const prev = n.prevSibling;
      const parent = n.parent;
      if (prev && isExprNode(prev.name) && parent && CLOSERS[parent.name] && q < n.to && ch !== ',' && ch !== ':') {
        message = 'invalid syntax. Perhaps you forgot a comma?';
        this.report(RANK_SPECIFIC, message, prev.from, n.to);
      } else {
        const s = n.to > n.from ? { start: q < n.to ? q : n.from, end: n.to } : this.pointSpan(n.from);
        this.report(RANK_GENERIC, message, s.start, s.end);
      }
    }
    return { kind: 'ErrorExpr', message, start: n.from, end: n.to };
  }

  private closerMessage(n: SyntaxNode, ch: string): string {
    for (let p = n.parent; p; p = p.parent) {
      const closer = CLOSERS[p.name] ?? (p.name === 'MemberExpression' ? ']' : undefined);
      if (!closer) continue;
      const open = p.name === 'MemberExpression' ? '[' : this.text[p.from];
      if (closer === ch) break;
      const openLine = lineNumberOf(this.text, p.from), closeLine = lineNumberOf(this.text, n.from);
      return `closing parenthesis '${ch}' does not match opening parenthesis '${open}'` +
        (openLine !== closeLine ? ` on line ${openLine}` : '');
    }
    return `unmatched '${ch}'`;
  }

  /** Reports any node that should not be where it is; returns an ErrorExpr for it. */
  unexpected(n: SyntaxNode): Expr {
    if (n.type.isError) return this.errorNode(n);
    const s = n.to > n.from ? { start: n.from, end: n.to } : this.pointSpan(n.from);
    this.treeBroken = true;
    this.report(RANK_GENERIC, 'invalid syntax', s.start, s.end);
    return { kind: 'ErrorExpr', message: 'invalid syntax', start: n.from, end: n.to };
  }

  /** An expression was required at `pos` but `n` (possibly null) is there instead. */
  missing(n: SyntaxNode | null, pos: number): Expr {
    if (n && n.type.isError) return this.errorNode(n);
    const s = this.pointSpan(pos);
    this.treeBroken = true;
    this.report(RANK_GENERIC, 'invalid syntax', s.start, s.end);
    return { kind: 'ErrorExpr', message: 'invalid syntax', start: pos, end: pos };
  }

  /** Checks that `n` is the closing token `close` of the bracket opened by `open`. */
  expectClose(n: SyntaxNode | null, open: SyntaxNode, close: string): SyntaxNode | null {
    while (n && n.name !== close) {
      this.unexpected(n);
      n = next(n);
    }
    if (!n) {
      this.treeBroken = true;
      const ch = this.text[open.from];
      if (ch === '(' || ch === '[' || ch === '{') this.report(RANK_BRACKET, `'${ch}' was never closed`, open.from, open.from + 1);
      else this.missing(null, open.from);
    }
    return n;
  }

  // ---------------------------------------------------------------- lists

  /** Reads `[*]expr (, [*]expr)* [,]` from `n`; stops at the first node that is none of those. */
  list(n: SyntaxNode | null, start: number): ListResult {
    const elts: Expr[] = [];
    let commas = 0, expectElt = true, end = start;
    for (; n; n = next(n)) {
      const name = n.name;
      if (name === ',') {
        if (expectElt) this.missing(null, n.from);
        commas++; expectElt = true; end = n.to;
      } else if (name === '*' || isExprNode(name) || n.type.isError) {
        if (!expectElt && !n.type.isError) {
          this.treeBroken = true;
          this.report(RANK_SPECIFIC, 'invalid syntax. Perhaps you forgot a comma?', elts[elts.length - 1].start, n.to);
        }
        let e: Expr;
        if (name === '*') {
          const star = n;
          n = next(n);
          const v = n && isExprNode(n.name) ? this.expr(n) : this.missing(n, star.to);
          e = { kind: 'Starred', value: v, start: star.from, end: v.end };
          if (!n) { elts.push(e); end = e.end; break; }
        } else e = this.expr(n);
        elts.push(e); expectElt = false; end = e.end;
      } else break;
    }
    return { elts, commas, trailingComma: commas > 0 && expectElt && elts.length > 0, end, next: n };
  }

  /** A list result as one expression: the single element, or a Tuple when there were commas. */
  tupleOrSingle(r: ListResult, pos: number): Expr {
    if (r.elts.length === 1 && r.commas === 0) return r.elts[0];
    if (r.elts.length === 0) return this.missing(r.next, pos);
    return { kind: 'Tuple', elts: r.elts, start: r.elts[0].start, end: r.end };
  }

  // ---------------------------------------------------------------- expressions

  /** Converts any expression node. */
  expr(n: SyntaxNode): Expr {
    switch (n.name) {
      case 'VariableName': return this.name(n);
      case 'Number': return this.number(n.from, n.to);
      case 'String': return convertString(this, n);
      case 'FormatString': return convertFString(this, n);
      case 'ContinuedString': return convertContinuedString(this, n);
      case 'Ellipsis': return { kind: 'Constant', value: null, isEllipsis: true, start: n.from, end: n.to };
      case 'None': return { kind: 'Constant', value: null, start: n.from, end: n.to };
      case 'Boolean': return { kind: 'Constant', value: this.text.charCodeAt(n.from) === 84, start: n.from, end: n.to };
      case 'BinaryExpression': return this.binary(n);
      case 'UnaryExpression': return this.unary(n);
      case 'AwaitExpression': {
        const v = next(first(n));
        const value = v && isExprNode(v.name) ? this.expr(v) : this.missing(v, n.to);
        // Lezer lets `await` swallow binary operators (`await x + 1`); await binds tighter than all of them.
        if (v && v.name === 'BinaryExpression') return awaitLeftmost(value, n.from);
        return { kind: 'Await', value, start: n.from, end: n.to };
      }
      case 'ParenthesizedExpression': return this.parenthesized(n);
      case 'TupleExpression': {
        const open = first(n)!;
        const r = this.list(next(open), open.to);
        this.expectClose(r.next, open, ')');
        return { kind: 'Tuple', elts: r.elts, start: n.from, end: n.to };
      }
      case 'ArrayExpression': {
        const open = first(n)!;
        const r = this.list(next(open), open.to);
        this.expectClose(r.next, open, ']');
        return { kind: 'List', elts: r.elts, start: n.from, end: n.to };
      }
      case 'SetExpression': {
        const open = first(n)!;
        const r = this.list(next(open), open.to);
        this.expectClose(r.next, open, '}');
        return { kind: 'Set', elts: r.elts, start: n.from, end: n.to };
      }
      case 'DictionaryExpression': return this.dict(n);
      case 'ComprehensionExpression':
      case 'ArrayComprehensionExpression':
      case 'SetComprehensionExpression':
      case 'DictionaryComprehensionExpression':
        return this.comprehension(n);
      case 'CallExpression': return this.call(n);
      case 'MemberExpression': return this.member(n);
      case 'ConditionalExpression': {
        const b = first(n)!;
        const body = this.expr(b);
        const ifKw = next(b);
        const t = next(ifKw);
        const test = t && isExprNode(t.name) ? this.expr(t) : this.missing(t, ifKw ? ifKw.to : body.end);
        const elseKw = t ? next(t) : null;
        const o = elseKw && elseKw.name === 'else' ? next(elseKw) : null;
        const orelse = o && isExprNode(o.name) ? this.expr(o) : this.missing(o ?? elseKw, n.to);
        return { kind: 'IfExp', test, body, orelse, start: n.from, end: n.to };
      }
      case 'LambdaExpression': return this.lambda(n);
      case 'NamedExpression': {
        const t = first(n)!;
        const target = this.expr(t);
        const op = next(t);
        const v = next(op);
        const value = v && isExprNode(v.name) ? this.expr(v) : this.missing(v, n.to);
        if (target.kind !== 'Name') {
          this.report(RANK_SPECIFIC, `cannot use assignment expressions with ${describe(target)}`, target.start, target.end);
          return { kind: 'ErrorExpr', message: 'invalid target', start: n.from, end: n.to };
        }
        return { kind: 'NamedExpr', target, value, start: n.from, end: n.to };
      }
      case 'YieldExpression': return this.yieldExpr(n);
      default: return this.unexpected(n);
    }
  }

  /** Name node from a VariableName/PropertyName token, checking for characters Python rejects. */
  name(n: SyntaxNode): Name {
    const id = this.text.slice(n.from, n.to);
    const bad = firstInvalidIdentifierChar(id);
    if (bad >= 0) {
      const ch = String.fromCodePoint(id.codePointAt(bad) ?? 0);
      this.report(RANK_TOKEN, invalidCharMessage(ch) ?? 'invalid syntax', n.from + bad, n.from + bad + ch.length);
    }
    return { kind: 'Name', id, start: n.from, end: n.to };
  }

  number(from: number, to: number): Constant {
    const lit = decodeNumber(this.text.slice(from, to));
    if (lit.error) this.report(RANK_TOKEN, lit.error, from, to);
    const c: Constant = { kind: 'Constant', value: lit.value, start: from, end: to };
    if (lit.isFloat) c.isFloat = true;
    if (lit.isImaginary) c.isImaginary = true;
    return c;
  }

  private binary(n: SyntaxNode): Expr {
    const ln = first(n)!;
    const opNode = next(ln);
    if (!opNode) return this.missing(null, n.to);
    if (opNode.name === 'and' || opNode.name === 'or') return this.boolChain(n);
    // `1.e-5`: lezer reads `1.e` as a member access; fold it back into a float literal.
    if (ln.name === 'MemberExpression' && opNode.name === 'ArithOp' && opNode.from === ln.to) {
      const folded = this.foldExponent(ln, opNode, next(opNode));
      if (folded) return folded;
    }
    const left = this.expr(ln);
    let op = this.text.slice(opNode.from, opNode.to);
    let rn = next(opNode);
    if (opNode.name === 'not' || opNode.name === 'is') {
      if (rn && (rn.name === 'in' || rn.name === 'not')) { op = `${op} ${rn.name}`; rn = next(rn); }
      else if (opNode.name === 'not') return this.missing(rn, opNode.to);
    }
    const right = rn && isExprNode(rn.name) ? this.expr(rn) : this.missing(rn, n.to);
    for (let extra = rn ? next(rn) : null; extra; extra = next(extra)) this.unexpected(extra);
    const start = n.from, end = n.to;
    switch (opNode.name) {
      case 'ArithOp':
      case 'BitOp':
        return { kind: 'BinOp', op: op as BinOperator, left, right, opSpan: { start: opNode.from, end: opNode.to }, start, end };
      default: {
        if (op === '<>') this.report(RANK_GENERIC, 'invalid syntax', opNode.from, opNode.to);
        if (ln.name === 'BinaryExpression' && left.kind === 'Compare') {
          left.ops.push(op as CmpOperator);
          left.comparators.push(right);
          return { kind: 'Compare', left: left.left, ops: left.ops, comparators: left.comparators, start, end };
        }
        return { kind: 'Compare', left, ops: [op as CmpOperator], comparators: [right], start, end };
      }
    }
  }

  /** `1.e-5` and friends, which lezer splits into Member(1 . e) - 5; null when not that shape. */
  private foldExponent(member: SyntaxNode, op: SyntaxNode, rn: SyntaxNode | null): Expr | null {
    const t = this.text;
    const mt = t.slice(member.from, member.to);
    const opText = t.slice(op.from, op.to);
    if (!/^\d[\d_]*\.[eE]$/.test(mt) || (opText !== '-' && opText !== '+') || !rn) return null;
    // Find the leftmost leaf of the right operand; it must be an integer literal right after the sign.
    let leaf: SyntaxNode | null = rn;
    while (leaf && leaf.name === 'BinaryExpression') leaf = first(leaf);
    if (!leaf || leaf.name !== 'Number' || leaf.from !== op.to || !/^\d[\d_]*$/.test(t.slice(leaf.from, leaf.to))) return null;
    const lit = this.number(member.from, leaf.to);
    lit.value = Number(t.slice(member.from, leaf.to).split('_').join(''));
    lit.isFloat = true;
    if (rn === leaf) return lit;
    const right = this.expr(rn);
    return replaceLeftmost(right, lit, member.from);
  }

  /**
   * and / or / not. Lezer lets `not` swallow a following and/or (`not a and b` → not (a and b)), so
   * the chain is flattened to operands and operators in source order and re-parsed with Python's
   * precedence (not > and > or).
   */
  private boolChain(n: SyntaxNode): Expr {
    const toks: SyntaxNode[] = [];
    const collect = (x: SyntaxNode): void => {
      const a = first(x);
      const op = a ? (x.name === 'UnaryExpression' ? a : next(a)) : null;
      if (a && op && ((x.name === 'BinaryExpression' && (op.name === 'and' || op.name === 'or')) ||
          (x.name === 'UnaryExpression' && op.name === 'not'))) {
        if (op !== a) collect(a);
        toks.push(op);
        const b = next(op);
        if (b) collect(b);
        for (let extra = b ? next(b) : null; extra; extra = next(extra)) this.unexpected(extra);
      } else toks.push(x);
    };
    collect(n);
    let i = 0;
    const chain = (level: 'or' | 'and'): Expr => {
      const values = [level === 'or' ? chain('and') : notTest()];
      while (i < toks.length && toks[i].name === level) {
        const op = toks[i++];
        values.push(i < toks.length && toks[i].name !== 'and' && toks[i].name !== 'or'
          ? (level === 'or' ? chain('and') : notTest()) : this.missing(null, op.to));
      }
      if (values.length === 1) return values[0];
      return { kind: 'BoolOp', op: level, values, start: values[0].start, end: values[values.length - 1].end };
    };
    const notTest = (): Expr => {
      const tk = toks[i];
      if (!tk || tk.name === 'and' || tk.name === 'or') return this.missing(null, tk ? tk.from : n.to);
      i++;
      if (tk.name !== 'not') return isExprNode(tk.name) ? this.expr(tk) : this.unexpected(tk);
      const operand = notTest();
      return { kind: 'UnaryOp', op: 'not', operand, start: tk.from, end: operand.end };
    };
    const e = chain('or');
    while (i < toks.length) this.unexpected(toks[i++]);
    // Parentheses around operands are not in the AST; keep the outer span exact.
    if (e.kind === 'BoolOp' || e.kind === 'UnaryOp') return { ...e, start: n.from, end: n.to } as Expr;
    return e;
  }

  private unary(n: SyntaxNode): Expr {
    const opNode = first(n)!;
    if (opNode.name === 'not') return this.boolChain(n);
    const v = next(opNode);
    const operand = v && isExprNode(v.name) ? this.expr(v) : this.missing(v, n.to);
    const op = opNode.name === 'not' ? 'not' : this.text.slice(opNode.from, opNode.to);
    return { kind: 'UnaryOp', op: op as '-' | '+' | '~' | 'not', operand, start: n.from, end: n.to };
  }

  private parenthesized(n: SyntaxNode): Expr {
    const open = first(n)!;
    let inner = next(open);
    let e: Expr;
    if (inner && inner.name === '*') {
      const star = inner;
      inner = next(inner);
      const v = inner && isExprNode(inner.name) ? this.expr(inner) : this.missing(inner, star.to);
      e = { kind: 'Starred', value: v, start: star.from, end: v.end };
      this.report(RANK_SPECIFIC, 'cannot use starred expression here', star.from, v.end);
    } else if (inner && isExprNode(inner.name)) {
      e = this.expr(inner);
    } else {
      e = this.missing(inner, open.to);
      if (inner && inner.type.isError) inner = next(inner);
      else inner = null;
      this.expectClose(inner, open, ')');
      return e;
    }
    this.expectClose(next(inner), open, ')');
    return e;
  }

  private dict(n: SyntaxNode): Expr {
    const open = first(n)!;
    const entries: Array<{ key?: Expr; value: Expr }> = [];
    let c = next(open);
    let expectEntry = true;
    for (; c && c.name !== '}'; c = next(c)) {
      if (c.name === ',') { if (expectEntry) this.missing(null, c.from); expectEntry = true; continue; }
      if (!expectEntry) this.report(RANK_SPECIFIC, 'invalid syntax. Perhaps you forgot a comma?', c.from, c.to);
      expectEntry = false;
      if (c.name === '**') {
        const v = next(c);
        entries.push({ value: v && isExprNode(v.name) ? this.expr(v) : this.missing(v, c.to) });
        if (!v) break;
        c = v;
      } else if (isExprNode(c.name)) {
        const key = this.expr(c);
        const colon = next(c);
        if (!colon || colon.name !== ':') { entries.push({ key, value: this.missing(colon, key.end) }); if (!colon) break; c = colon; continue; }
        const v = next(colon);
        entries.push({ key, value: v && isExprNode(v.name) ? this.expr(v) : this.missing(v, colon.to) });
        if (!v) break;
        c = v;
      } else this.unexpected(c);
    }
    this.expectClose(c, open, '}');
    return { kind: 'Dict', entries, start: n.from, end: n.to };
  }

  private comprehension(n: SyntaxNode): Expr {
    const open = first(n)!;
    const close = n.name === 'ComprehensionExpression' ? ')' : n.name === 'ArrayComprehensionExpression' ? ']' : '}';
    let c = next(open);
    let key: Expr | undefined;
    let elt: Expr;
    if (c && (c.name === '*' || c.name === '**')) {
      const star = c;
      c = next(c);
      const v = c && isExprNode(c.name) ? this.expr(c) : this.missing(c, star.to);
      this.report(RANK_SPECIFIC, star.name === '*' ? 'iterable unpacking cannot be used in comprehension'
        : 'dict unpacking cannot be used in dict comprehension', star.from, v.end);
      elt = v;
    } else elt = c && isExprNode(c.name) ? this.expr(c) : this.missing(c, open.to);
    if (c && n.name === 'DictionaryComprehensionExpression') {
      const colon = next(c);
      if (colon && colon.name === ':') {
        key = elt;
        c = next(colon);
        elt = c && isExprNode(c.name) ? this.expr(c) : this.missing(c, colon.to);
      }
    }
    const comp = this.compClauses(c ? next(c) : null);
    this.expectClose(comp.next, open, close);
    const start = n.from, end = n.to, generators = comp.generators;
    if (n.name === 'ComprehensionExpression') return { kind: 'GeneratorExp', elt, generators, start, end };
    if (n.name === 'ArrayComprehensionExpression') return { kind: 'ListComp', elt, generators, start, end };
    if (key) return { kind: 'DictComp', key, value: elt, generators, start, end };
    return { kind: 'SetComp', elt, generators, start, end };
  }

  /** Reads `[async] for targets in iter (for … | if …)*` clauses starting at `c`. */
  compClauses(c: SyntaxNode | null): { generators: Comprehension[]; next: SyntaxNode | null } {
    const generators: Comprehension[] = [];
    while (c) {
      if (c.name === 'async' || c.name === 'for') {
        const start = c.from;
        const isAsync = c.name === 'async';
        if (isAsync) c = next(c);
        if (!c || c.name !== 'for') { this.missing(c, start); break; }
        const r = this.list(next(c), c.to);
        const target = this.tupleOrSingle(r, c.to);
        this.checkTarget(target, 'for');
        const inKw = r.next;
        if (!inKw || inKw.name !== 'in') { this.missing(inKw, r.end); c = inKw; break; }
        const itn = next(inKw);
        const iter = itn && isExprNode(itn.name) ? this.expr(itn) : this.missing(itn, inKw.to);
        const gen: Comprehension = { target, iter, ifs: [], start, end: iter.end };
        if (isAsync) gen.isAsync = true;
        generators.push(gen);
        c = itn ? next(itn) : null;
      } else if (c.name === 'if' && generators.length > 0) {
        const tn = next(c);
        const test = tn && isExprNode(tn.name) ? this.expr(tn) : this.missing(tn, c.to);
        const g = generators[generators.length - 1];
        g.ifs.push(test);
        generators[generators.length - 1] = { ...g, end: test.end };
        c = tn ? next(tn) : null;
      } else if (c.type.isError) {
        this.errorNode(c);
        c = next(c);
      } else break;
    }
    return { generators, next: c };
  }

  private call(n: SyntaxNode): Expr {
    const fn = first(n)!;
    const func = this.expr(fn);
    const argList = next(fn);
    if (!argList || argList.name !== 'ArgList') return this.missing(argList, n.to);
    const { args, keywords } = this.args(argList);
    return { kind: 'Call', func, args, keywords, start: n.from, end: n.to };
  }

  /** Call/class arguments: positional, `*xs`, `k=v`, `**kw`, and a sole generator argument. */
  args(argList: SyntaxNode): { args: Expr[]; keywords: Keyword[] } {
    const open = first(argList)!;
    const args: Expr[] = [], keywords: Keyword[] = [];
    let sawKeyword = false, sawKwUnpack = false, expectArg = true, count = 0, genAt: Expr | null = null;
    let c = open.name === '(' ? next(open) : open;
    for (; c && c.name !== ')'; c = next(c)) {
      if (c.name === ',') { if (expectArg) this.missing(null, c.from); expectArg = true; continue; }
      if (c.type.isError) { this.errorNode(c); continue; }
      if (!expectArg) {
        this.treeBroken = true;
        this.report(RANK_SPECIFIC, 'invalid syntax. Perhaps you forgot a comma?', c.from, c.to);
      }
      expectArg = false;
      count++;
      if (c.name === '*' || c.name === '**') {
        const star = c;
        const v = next(c);
        const value = v && isExprNode(v.name) ? this.expr(v) : this.missing(v, star.to);
        if (star.name === '*') {
          if (sawKwUnpack) this.report(RANK_SPECIFIC, 'iterable argument unpacking follows keyword argument unpacking', star.from, value.end);
          args.push({ kind: 'Starred', value, start: star.from, end: value.end });
        } else {
          sawKwUnpack = true;
          keywords.push({ kind: 'Keyword', value, start: star.from, end: value.end });
        }
        if (!v) break;
        c = v;
        continue;
      }
      if (!isExprNode(c.name)) { this.unexpected(c); continue; }
      const after = next(c);
      if (c.name === 'VariableName' && after && after.name === 'AssignOp') {
        const v = next(after);
        const value = v && isExprNode(v.name) ? this.expr(v) : this.missing(v, after.to);
        if (this.text.charCodeAt(after.from) === 58) { // ':=' as a positional argument
          args.push({ kind: 'NamedExpr', target: this.name(c), value, start: c.from, end: value.end });
        } else {
          sawKeyword = true;
          keywords.push({ kind: 'Keyword', name: this.name(c).id, value, start: c.from, end: value.end });
        }
        if (!v) break;
        c = v;
        continue;
      }
      const e = this.expr(c);
      if (after && (after.name === 'for' || after.name === 'async')) {
        const comp = this.compClauses(after);
        const end = comp.generators.length ? comp.generators[comp.generators.length - 1].end : e.end;
        genAt = { kind: 'GeneratorExp', elt: e, generators: comp.generators, start: e.start, end };
        args.push(genAt);
        if (!comp.next) { c = null; break; }
        c = comp.next;
        if (c.name === ')' ) break;
        if (c.name === ',') { expectArg = true; continue; }
        this.unexpected(c);
        continue;
      }
      if (sawKwUnpack) this.report(RANK_SPECIFIC, 'positional argument follows keyword argument unpacking', e.start, e.end);
      else if (sawKeyword) this.report(RANK_SPECIFIC, 'positional argument follows keyword argument', e.start, e.end);
      args.push(e);
    }
    this.expectClose(c, open, ')');
    if (genAt) {
      if (count > 1) this.report(RANK_SPECIFIC, 'Generator expression must be parenthesized', genAt.start, genAt.end);
      else args[0] = { ...genAt, start: argList.from, end: argList.to } as Expr;
    }
    return { args, keywords };
  }

  private member(n: SyntaxNode): Expr {
    const on = first(n)!;
    const sep = next(on);
    if (!sep) return this.missing(null, n.to);
    const t = this.text;
    if (sep.name === '.') {
      const prop = sep.nextSibling;
      // `1.` / `1.e5` / `1.j`: lezer has no trailing-dot float, so it reads a member access.
      if (on.name === 'Number' && sep.from === on.to && /^\d[\d_]*$/.test(t.slice(on.from, on.to))) {
        if (!prop || (prop.type.isError && prop.from === prop.to && !prop.firstChild)) {
          if (prop) this.forgiven.add(prop.from);
          const c = this.number(on.from, sep.to);
          return c;
        }
        if (prop.name === 'PropertyName' && prop.from === sep.to) {
          if (/^([eE]\d[\d_]*)?[jJ]?$/.test(t.slice(prop.from, prop.to))) return this.number(on.from, prop.to);
          this.report(RANK_TOKEN, 'invalid decimal literal', on.from, prop.to);
        }
      }
      const value = this.expr(on);
      if (!prop || prop.name !== 'PropertyName') return this.missing(prop, sep.to);
      for (let extra = next(prop); extra; extra = next(extra)) this.unexpected(extra);
      return {
        kind: 'Attribute', value, attr: this.name(prop).id, attrSpan: { start: prop.from, end: prop.to },
        start: n.from, end: n.to,
      };
    }
    const value = this.expr(on);
    if (sep.name !== '[') return this.unexpected(sep);
    const index = this.subscriptIndex(sep);
    return { kind: 'Subscript', value, index, start: n.from, end: n.to };
  }

  /** The index of `x[...]`: one item, a Slice for `a:b:c`, or a Tuple when there are commas. */
  private subscriptIndex(open: SyntaxNode): Expr {
    const items: Expr[] = [];
    let commas = 0, end = open.to;
    let parts: Array<Expr | undefined> = [undefined, undefined, undefined];
    let colons = 0, itemStart = -1, itemEnd = -1;
    const finish = () => {
      if (itemStart < 0) return;
      const e: Expr = colons === 0
        ? parts[0]!
        : { kind: 'Slice', lower: parts[0], upper: parts[1], step: parts[2], start: itemStart, end: itemEnd };
      if (e.kind === 'Slice') { if (!e.lower) delete e.lower; if (!e.upper) delete e.upper; if (!e.step) delete e.step; }
      items.push(e);
      end = itemEnd;
      parts = [undefined, undefined, undefined]; colons = 0; itemStart = -1;
    };
    let c = next(open);
    for (; c && c.name !== ']'; c = next(c)) {
      if (c.name === ',') {
        if (itemStart < 0) this.missing(null, c.from);
        finish(); commas++; end = c.to;
      } else if (c.name === ':') {
        if (itemStart < 0) itemStart = c.from;
        if (colons >= 2) this.unexpected(c);
        colons++; itemEnd = c.to;
      } else if (isExprNode(c.name) || c.type.isError) {
        const e = this.expr(c);
        if (itemStart < 0) itemStart = c.from;
        else if (parts[colons] !== undefined) {
          this.report(RANK_SPECIFIC, 'invalid syntax. Perhaps you forgot a comma?', itemStart, c.to);
        }
        parts[Math.min(colons, 2)] = e;
        itemEnd = c.to;
      } else this.unexpected(c);
    }
    finish();
    this.expectClose(c, open, ']');
    if (items.length === 0) return this.missing(c, open.to);
    if (items.length === 1 && commas === 0) return items[0];
    return { kind: 'Tuple', elts: items, start: items[0].start, end };
  }

  private lambda(n: SyntaxNode): Expr {
    const kw = first(n)!;
    let c = next(kw);
    let params: Parameters = { posOnly: [], args: [], kwOnly: [], start: kw.to, end: kw.to };
    if (c && c.name === 'ParamList') { params = this.params(c, true); c = next(c); }
    if (!c || c.name !== ':') return this.missing(c, n.to);
    const saved = this.scope;
    this.scope = { inFunction: true, inLoop: false, yieldSeen: false };
    const b = next(c);
    const body = b && isExprNode(b.name) ? this.expr(b) : this.missing(b, c.to);
    this.scope = saved;
    return { kind: 'Lambda', params, body, start: n.from, end: n.to };
  }

  /** Yield/YieldStatement children: `yield [from x | a, b]`. */
  yieldExpr(n: SyntaxNode): Expr {
    const kw = first(n)!;
    this.scope.yieldSeen = true;
    if (!this.scope.inFunction) this.report(RANK_SPECIFIC, "'yield' outside function", n.from, n.to);
    let c = next(kw);
    // Lezer's grammar wants a value after `yield`; a bare `yield` leaves an empty error node.
    if (c && c.type.isError && c.from === c.to && !c.firstChild) { this.forgiven.add(c.from); c = next(c); }
    if (c && c.name === 'from') {
      const v = next(c);
      const value = v && isExprNode(v.name) ? this.expr(v) : this.missing(v, c.to);
      return { kind: 'Yield', value, isFrom: true, start: n.from, end: n.to };
    }
    const r = this.list(c, kw.to);
    for (let extra = r.next; extra; extra = next(extra)) this.unexpected(extra);
    if (r.elts.length === 0) return { kind: 'Yield', start: n.from, end: n.to };
    return { kind: 'Yield', value: this.tupleOrSingle(r, kw.to), start: n.from, end: n.to };
  }

  // ---------------------------------------------------------------- implemented by the statement converter

  /** A def or lambda parameter list (lezer `ParamList`), with CPython's ordering checks. */
  abstract params(list: SyntaxNode, isLambda: boolean): Parameters;

  /** Reports CPython's error when `e` cannot be assigned to (or deleted). */
  abstract checkTarget(e: Expr, ctx: TargetContext, nested?: boolean): void;
}

/** CPython's noun for an expression kind, as used in "cannot assign to …". */
export function describe(e: Expr): string {
  switch (e.kind) {
    case 'Constant': return e.isEllipsis ? 'ellipsis' : 'literal';
    case 'JoinedStr': case 'FormattedValue': return 'f-string expression';
    case 'Call': return 'function call';
    case 'Compare': return 'comparison';
    case 'IfExp': return 'conditional expression';
    case 'Lambda': return 'lambda';
    case 'NamedExpr': return 'named expression';
    case 'Dict': return 'dict literal';
    case 'Set': return 'set display';
    case 'ListComp': return 'list comprehension';
    case 'SetComp': return 'set comprehension';
    case 'DictComp': return 'dict comprehension';
    case 'GeneratorExp': return 'generator expression';
    case 'Await': return 'await expression';
    case 'Yield': return 'yield expression';
    case 'Attribute': return 'attribute';
    case 'Subscript': return 'subscript';
    case 'Tuple': return 'tuple';
    case 'List': return 'list';
    case 'Starred': return 'starred';
    case 'Name': return 'name';
    default: return 'expression';
  }
}


/** Wraps the leftmost operand of a binary-operator tree in Await, widening spans to start at `start`. */
function awaitLeftmost(e: Expr, start: number): Expr {
  switch (e.kind) {
    case 'BinOp': return { ...e, left: awaitLeftmost(e.left, start), start };
    case 'Compare': return { ...e, left: awaitLeftmost(e.left, start), start };
    case 'BoolOp': return { ...e, values: [awaitLeftmost(e.values[0], start), ...e.values.slice(1)], start };
    default: return { kind: 'Await', value: e, start, end: e.end };
  }
}

/** Replaces the leftmost operand of a BinOp chain with `lit`, widening spans to start at `start`. */
function replaceLeftmost(e: Expr, lit: Constant, start: number): Expr {
  if (e.kind === 'BinOp') return { ...e, left: replaceLeftmost(e.left, lit, start), start };
  return lit;
}
