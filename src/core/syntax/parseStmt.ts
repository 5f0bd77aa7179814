// Statement half of the lezer → engine AST conversion: every simple and compound statement, function
// parameters and assignment-target checks. Block-level bookkeeping and error repair live in parse.ts.

import type { SyntaxNode } from '@lezer/common';
import type {
  BinOperator, ErrorStmt, ExceptHandler, Expr, ImportAlias, Keyword, Param, Parameters, Stmt, WithItem,
} from './ast';
import { describe, ExprConverter, isExprNode, type TargetContext } from './parseExpr';
import { first, next, RANK_GENERIC, RANK_SPECIFIC, trimEnd } from './parseStrings';

/** Lezer node names of statements. */
export const STMT_NODES = new Set([
  'ExpressionStatement', 'AssignStatement', 'UpdateStatement', 'DeleteStatement', 'PassStatement',
  'BreakStatement', 'ContinueStatement', 'ReturnStatement', 'YieldStatement', 'PrintStatement',
  'RaiseStatement', 'ImportStatement', 'ScopeStatement', 'AssertStatement', 'TypeDefinition',
  'IfStatement', 'WhileStatement', 'ForStatement', 'TryStatement', 'WithStatement', 'FunctionDefinition',
  'ClassDefinition', 'DecoratedStatement', 'MatchStatement',
]);
/** Lezer node names of compound statements (those with a Body). */
export const COMPOUND = new Set([
  'IfStatement', 'WhileStatement', 'ForStatement', 'TryStatement', 'WithStatement', 'FunctionDefinition',
  'ClassDefinition', 'DecoratedStatement', 'MatchStatement',
]);

/** Who owns a Body: for "expected an indented block after … on line N". */
export interface Owner { label: string; kwPos: number }

/** Converts statement nodes, parameters and assignment targets; blocks are converted by parse.ts. */
export abstract class StmtConverter extends ExprConverter {
  /**
   * @param placeholders ErrorStmts standing for source blanked in earlier passes, by the offset of
   *   the `0` statement that replaced them.
   */
  constructor(text: string, readonly placeholders: ReadonlyMap<number, ErrorStmt> = new Map()) {
    super(text);
  }

  /** Where a statement's content ends: trailing blank lines, comments and indentation excluded. */
  contentEnd(n: SyntaxNode): number {
    let c = n.lastChild;
    while (c && (c.name === 'Comment' || c.to === c.from)) c = c.prevSibling;
    if (!c) return trimEnd(this.text, n.from, n.to);
    if (c.name === 'Body' || c.name === 'StatementGroup') return this.contentEnd(c);
    if (STMT_NODES.has(c.name)) {
      const ph = this.placeholders.get(c.from);
      return ph ? ph.end : this.contentEnd(c);
    }
    return trimEnd(this.text, n.from, c.to);
  }

  /** A header's Body, or "expected ':'" when lezer found none. */
  private body(c: SyntaxNode | null, label: string, kwPos: number, headerEnd: number): { body: Stmt[]; next: SyntaxNode | null } {
    if (c && c.name === 'Body') return { body: this.block(c, { label, kwPos }), next: next(c) };
    this.treeBroken = true;
    if (c && c.type.isError && !/^\s*$/.test(this.text.slice(c.from, c.to))) {
      this.errorNode(c);
      return { body: [], next: next(c) };
    }
    if (this.problem) return { body: [], next: c && c.type.isError ? next(c) : c };
    let k = headerEnd;
    while (k > kwPos && /\s/.test(this.text[k - 1])) k--;
    this.report(RANK_SPECIFIC, "expected ':'", Math.max(kwPos, k - 1), k);
    return { body: [], next: c && c.type.isError ? next(c) : c };
  }

  // ---------------------------------------------------------------- statements

  /** Converts one statement node. */
  stmt(n: SyntaxNode): Stmt {
    const start = n.from, end = this.contentEnd(n);
    switch (n.name) {
      case 'ExpressionStatement': {
        const r = this.list(first(n), n.from);
        this.rest(r.next);
        return { kind: 'ExprStmt', value: this.tupleOrSingle(r, n.from), start, end };
      }
      case 'AssignStatement': return this.assign(n);
      case 'UpdateStatement': {
        const tn = first(n)!;
        const r = this.list(tn, n.from);
        const target = this.tupleOrSingle(r, n.from);
        this.checkTarget(target, 'aug');
        const op = r.next;
        if (!op || op.name !== 'UpdateOp') return { kind: 'ExprStmt', value: this.missing(op, target.end), start, end };
        const v = next(op);
        const value = v && v.name === 'YieldExpression' ? this.rest(next(v), this.expr(v)) : this.tupleRest(v, op.to);
        const opText = this.text.slice(op.from, op.to - 1);
        return { kind: 'AugAssign', target, op: opText as BinOperator, value, opSpan: { start: op.from, end: op.to }, start, end };
      }
      case 'DeleteStatement': {
        const r = this.list(next(first(n)), n.from);
        this.rest(r.next);
        if (r.elts.length === 0) this.missing(r.next, n.to);
        for (const e of r.elts) this.checkTarget(e, 'del');
        return { kind: 'Delete', targets: r.elts, start, end };
      }
      case 'PassStatement': return { kind: 'Pass', start, end };
      case 'BreakStatement':
      case 'ContinueStatement': {
        const br = n.name === 'BreakStatement';
        if (!this.scope.inLoop) this.report(RANK_SPECIFIC, br ? "'break' outside loop" : "'continue' not properly in loop", start, end);
        return br ? { kind: 'Break', start, end } : { kind: 'Continue', start, end };
      }
      case 'ReturnStatement': {
        if (!this.scope.inFunction) this.report(RANK_SPECIFIC, "'return' outside function", start, end);
        const kw = first(n)!;
        const r = this.list(next(kw), kw.to);
        this.rest(r.next);
        return r.elts.length ? { kind: 'Return', value: this.tupleOrSingle(r, kw.to), start, end } : { kind: 'Return', start, end };
      }
      case 'YieldStatement': return { kind: 'ExprStmt', value: this.yieldExpr(n), start, end };
      case 'PrintStatement':
        this.report(RANK_SPECIFIC, "Missing parentheses in call to 'print'. Did you mean print(...)?", start, end);
        return { kind: 'Pass', start, end };
      case 'RaiseStatement': {
        const kw = first(n)!;
        const en = next(kw);
        if (!en) return { kind: 'Raise', start, end };
        const exc = isExprNode(en.name) ? this.expr(en) : this.missing(en, kw.to);
        const f = next(en);
        if (!f) return { kind: 'Raise', exc, start, end };
        if (f.name !== 'from') { this.unexpected(f); return { kind: 'Raise', exc, start, end }; }
        const cn = next(f);
        const cause = cn && isExprNode(cn.name) ? this.rest(next(cn), this.expr(cn)) : this.missing(cn, f.to);
        return { kind: 'Raise', exc, cause, start, end };
      }
      case 'ImportStatement': return this.importStmt(n);
      case 'ScopeStatement': {
        const kw = first(n)!;
        const names: string[] = [];
        for (let c = next(kw); c; c = next(c)) {
          if (c.name === 'VariableName') names.push(this.name(c).id);
          else if (c.name !== ',') this.unexpected(c);
        }
        if (kw.name === 'nonlocal') {
          if (!this.scope.inFunction) this.report(RANK_SPECIFIC, 'nonlocal declaration not allowed at module level', start, end);
          return { kind: 'Nonlocal', names, start, end };
        }
        return { kind: 'Global', names, start, end };
      }
      case 'AssertStatement': {
        const kw = first(n)!;
        const r = this.list(next(kw), kw.to);
        this.rest(r.next);
        if (r.elts.length === 0) return { kind: 'Assert', test: this.missing(r.next, kw.to), start, end };
        if (r.elts.length > 2 || r.trailingComma) this.report(RANK_GENERIC, 'invalid syntax', r.elts[Math.min(2, r.elts.length - 1)].start, end);
        return r.elts.length > 1
          ? { kind: 'Assert', test: r.elts[0], msg: r.elts[1], start, end }
          : { kind: 'Assert', test: r.elts[0], start, end };
      }
      case 'TypeDefinition': return { kind: 'UnsupportedStmt', construct: 'type alias statement', start, end };
      case 'MatchStatement': return { kind: 'UnsupportedStmt', construct: 'match statement', start, end };
      case 'IfStatement': return this.ifStmt(n);
      case 'WhileStatement': return this.whileStmt(n);
      case 'ForStatement': return this.forStmt(n);
      case 'TryStatement': return this.tryStmt(n);
      case 'WithStatement': return this.withStmt(n);
      case 'FunctionDefinition': return this.funcDef(n, []);
      case 'ClassDefinition': return this.classDef(n, []);
      case 'DecoratedStatement': return this.decorated(n);
      default: return { kind: 'ExprStmt', value: this.unexpected(n), start, end };
    }
  }

  /** Reports leftover nodes; returns `v` for chaining. */
  private rest<T>(c: SyntaxNode | null, v?: T): T {
    for (; c; c = next(c)) this.unexpected(c);
    return v as T;
  }

  private tupleRest(c: SyntaxNode | null, pos: number): Expr {
    const r = this.list(c, pos);
    this.rest(r.next);
    return this.tupleOrSingle(r, pos);
  }

  private assign(n: SyntaxNode): Stmt {
    const start = n.from, end = this.contentEnd(n);
    const groups: Expr[] = [];
    let r = this.list(first(n), n.from);
    groups.push(this.tupleOrSingle(r, n.from));
    let c = r.next;
    let annotation: Expr | undefined;
    if (c && c.name === 'TypeDef') { annotation = this.typeDef(c); c = next(c); }
    while (c && c.name === 'AssignOp') {
      const v = next(c);
      if (v && v.name === 'YieldExpression') { groups.push(this.expr(v)); c = next(v); continue; }
      r = this.list(v, c.to);
      groups.push(this.tupleOrSingle(r, c.to));
      c = r.next;
    }
    this.rest(c);
    if (annotation) {
      const target = groups[0];
      if (target.kind === 'Tuple') this.report(RANK_SPECIFIC, 'only single target (not tuple) can be annotated', target.start, target.end);
      else if (target.kind === 'List') this.report(RANK_SPECIFIC, 'only single target (not list) can be annotated', target.start, target.end);
      else if (target.kind !== 'Name' && target.kind !== 'Attribute' && target.kind !== 'Subscript' && target.kind !== 'ErrorExpr') {
        this.report(RANK_SPECIFIC, `illegal target for annotation`, target.start, target.end);
      }
      if (groups.length > 2) this.report(RANK_GENERIC, 'invalid syntax', groups[2].start, groups[2].end);
      return groups.length > 1
        ? { kind: 'AnnAssign', target, annotation, value: groups[1], start, end }
        : { kind: 'AnnAssign', target, annotation, start, end };
    }
    if (groups.length < 2) return { kind: 'ExprStmt', value: groups[0], start, end };
    const targets = groups.slice(0, -1);
    for (const t of targets) this.checkTarget(t, 'assign');
    return { kind: 'Assign', targets, value: groups[groups.length - 1], start, end };
  }

  /** The expression of a TypeDef node (`: T` or `-> T`). */
  private typeDef(td: SyntaxNode): Expr {
    let c = first(td);
    if (c && c.name === ':') c = next(c);
    return c && isExprNode(c.name) ? this.rest(next(c), this.expr(c)) : this.missing(c, td.to);
  }

  private importStmt(n: SyntaxNode): Stmt {
    const start = n.from, end = this.contentEnd(n);
    const kw = first(n)!;
    if (kw.name === 'import') {
      const { names, next: c } = this.importNames(next(kw), false, false);
      this.rest(c);
      if (names.length === 0) this.missing(c, kw.to);
      return { kind: 'Import', names, start, end };
    }
    let level = 0, module = '';
    let c = next(kw);
    while (c && (c.name === '.' || c.name === 'Ellipsis')) { level += c.name === '.' ? 1 : 3; c = next(c); }
    if (c && c.name === 'VariableName') {
      const d = this.dotted(c);
      module = d.name; c = d.next;
    }
    if (level === 0 && !module) this.missing(c, kw.to);
    if (!c || c.name !== 'import') return { kind: 'ImportFrom', module, level, names: [], start, end: this.missing(c, end).end };
    let names: ImportAlias[];
    const after = next(c);
    if (after && after.name === '*') {
      names = [{ name: '*', start: after.from, end: after.to }];
      this.rest(next(after));
    } else if (after && after.name === '(') {
      const r = this.importNames(next(after), true, true);
      names = r.names;
      this.expectClose(r.next, after, ')');
      if (r.next) this.rest(next(r.next));
    } else {
      const r = this.importNames(after, true, false);
      names = r.names;
      this.rest(r.next);
    }
    if (names.length === 0) this.missing(after, c.to);
    return { kind: 'ImportFrom', module, level, names, start, end };
  }

  private dotted(c: SyntaxNode): { name: string; end: number; next: SyntaxNode | null } {
    let name = this.name(c).id, end = c.to;
    let d = next(c);
    while (d && d.name === '.') {
      const v = next(d);
      if (!v || v.name !== 'VariableName') { this.missing(v, d.to); return { name, end, next: v }; }
      name += '.' + this.name(v).id;
      end = v.to;
      d = next(v);
    }
    return { name, end, next: d };
  }

  private importNames(c: SyntaxNode | null, inFrom: boolean, parens: boolean): { names: ImportAlias[]; next: SyntaxNode | null } {
    const names: ImportAlias[] = [];
    let trailing: SyntaxNode | null = null;
    while (c && c.name === 'VariableName') {
      const d = this.dotted(c);
      if (inFrom && d.name.includes('.')) this.report(RANK_GENERIC, 'invalid syntax', c.from, d.end);
      let alias: ImportAlias = { name: d.name, start: c.from, end: d.end };
      c = d.next;
      if (c && c.name === 'as') {
        const v = next(c);
        if (!v || v.name !== 'VariableName') { this.missing(v, c.to); return { names, next: v }; }
        alias = { name: d.name, asname: this.name(v).id, start: alias.start, end: v.to };
        c = next(v);
      }
      names.push(alias);
      trailing = null;
      if (c && c.name === ',') { trailing = c; c = next(c); } else break;
    }
    if (trailing && !parens) {
      this.report(RANK_SPECIFIC, 'trailing comma not allowed without surrounding parentheses', trailing.from, trailing.to);
    }
    return { names, next: c };
  }

  /** A header expression at `c`, or a reported gap; `next` is where the Body should be. */
  private header(c: SyntaxNode | null, pos: number): { e: Expr; next: SyntaxNode | null } {
    if (c && isExprNode(c.name)) return { e: this.expr(c), next: next(c) };
    if (c && c.type.isError && c.to > c.from && !/^\s*$/.test(this.text.slice(c.from, c.to))) {
      return { e: this.errorNode(c), next: next(c) };
    }
    return { e: this.missing(null, pos), next: c };
  }

  private ifStmt(n: SyntaxNode): Stmt {
    const clauses: Array<{ kw: SyntaxNode; test: Expr; body: Stmt[] }> = [];
    let orelse: Stmt[] = [];
    let c = first(n);
    while (c) {
      if (c.name === 'if' || c.name === 'elif') {
        const kw = c;
        const h = this.header(next(kw), kw.to);
        const b = this.body(h.next, `'${kw.name}' statement`, kw.from, h.e.end);
        clauses.push({ kw, test: h.e, body: b.body });
        c = b.next;
      } else if (c.name === 'else' && clauses.length > 0) {
        const b = this.body(next(c), "'else' statement", c.from, c.to);
        orelse = b.body;
        c = b.next;
      } else { this.unexpected(c); c = next(c); }
    }
    if (clauses.length === 0) return { kind: 'ExprStmt', value: this.missing(null, n.from), start: n.from, end: this.contentEnd(n) };
    for (let i = clauses.length - 1; i >= 0; i--) {
      const cl = clauses[i];
      orelse = [{ kind: 'If', test: cl.test, body: cl.body, orelse, start: cl.kw.from, end: this.contentEnd(n) }];
    }
    return orelse[0];
  }

  private loopBody(c: SyntaxNode | null, label: string, kwPos: number, headerEnd: number): { body: Stmt[]; orelse: Stmt[]; next: SyntaxNode | null } {
    const savedLoop = this.scope.inLoop;
    this.scope.inLoop = true;
    const b = this.body(c, label, kwPos, headerEnd);
    this.scope.inLoop = savedLoop;
    let orelse: Stmt[] = [];
    let rest = b.next;
    if (rest && rest.name === 'else') {
      const e = this.body(next(rest), "'else' statement", rest.from, rest.to);
      orelse = e.body;
      rest = e.next;
    }
    this.rest(rest);
    return { body: b.body, orelse, next: null };
  }

  private whileStmt(n: SyntaxNode): Stmt {
    const kw = first(n)!;
    const h = this.header(next(kw), kw.to);
    const test = h.e;
    const lb = this.loopBody(h.next, "'while' statement", kw.from, test.end);
    return { kind: 'While', test, body: lb.body, orelse: lb.orelse, start: n.from, end: this.contentEnd(n) };
  }

  private forStmt(n: SyntaxNode): Stmt {
    let kw = first(n)!;
    const isAsync = kw.name === 'async';
    if (isAsync) kw = next(kw)!;
    const r = this.list(next(kw), kw.to);
    const target = this.tupleOrSingle(r, kw.to);
    this.checkTarget(target, 'for');
    let c = r.next;
    let iter: Expr;
    if (c && c.name === 'in') {
      const ir = this.list(next(c), c.to);
      iter = this.tupleOrSingle(ir, c.to);
      c = ir.next;
    } else iter = this.missing(c, target.end);
    const lb = this.loopBody(c, "'for' statement", kw.from, iter.end);
    const f: Stmt = { kind: 'For', target, iter, body: lb.body, orelse: lb.orelse, start: n.from, end: this.contentEnd(n) };
    if (isAsync) f.isAsync = true;
    return f;
  }

  private tryStmt(n: SyntaxNode): Stmt {
    const kw = first(n)!;
    const b = this.body(next(kw), "'try' statement", kw.from, kw.to);
    const handlers: ExceptHandler[] = [];
    let orelse: Stmt[] = [], finalbody: Stmt[] = [], hasFinally = false;
    let c = b.next;
    while (c) {
      if (c.name === 'except') {
        const ex = c;
        let h = next(c);
        if (h && h.name === '*') return { kind: 'UnsupportedStmt', construct: 'except* clause', start: n.from, end: this.contentEnd(n) };
        let type: Expr | undefined, name: string | undefined;
        if (h && isExprNode(h.name)) {
          type = this.expr(h);
          h = next(h);
          if (h && (h.name === 'as' || h.name === ',')) {
            if (h.name === ',') this.report(RANK_SPECIFIC, 'multiple exception types must be parenthesized', type.start, h.to);
            const v = next(h);
            if (v && v.name === 'VariableName') { name = this.name(v).id; h = next(v); } else { this.missing(v, h.to); h = v; }
          }
        }
        if (handlers.length && handlers[handlers.length - 1].type === undefined) {
          this.report(RANK_SPECIFIC, "default 'except:' must be last", handlers[handlers.length - 1].start, handlers[handlers.length - 1].end);
        }
        const hb = this.body(h, "'except' statement", ex.from, type ? type.end : ex.to);
        const handler: ExceptHandler = { body: hb.body, start: ex.from, end: hb.body.length ? hb.body[hb.body.length - 1].end : ex.to };
        if (type) handler.type = type;
        if (name !== undefined) handler.name = name;
        handlers.push(handler);
        c = hb.next;
      } else if (c.name === 'else') {
        if (handlers.length === 0) this.unexpected(c);
        const e = this.body(next(c), "'else' statement", c.from, c.to);
        orelse = e.body; c = e.next;
      } else if (c.name === 'finally') {
        const e = this.body(next(c), "'finally' statement", c.from, c.to);
        finalbody = e.body; hasFinally = true; c = e.next;
      } else { this.unexpected(c); c = next(c); }
    }
    if (handlers.length === 0 && !hasFinally) {
      const s = this.pointSpan(n.to);
      this.report(RANK_SPECIFIC, "expected 'except' or 'finally' block", s.start, s.end);
    }
    return { kind: 'Try', body: b.body, handlers, orelse, finalbody, start: n.from, end: this.contentEnd(n) };
  }

  private withStmt(n: SyntaxNode): Stmt {
    let kw = first(n)!;
    const isAsync = kw.name === 'async';
    if (isAsync) kw = next(kw)!;
    const items: WithItem[] = [];
    let c = next(kw);
    let end = kw.to;
    while (c && isExprNode(c.name)) {
      const contextExpr = this.expr(c);
      const item: WithItem = { contextExpr, start: contextExpr.start, end: contextExpr.end };
      c = next(c);
      if (c && c.name === 'as') {
        const v = next(c);
        if (v && v.name === 'VariableName') {
          items.push({ ...item, optionalVars: this.name(v), end: v.to });
          c = next(v);
        } else { items.push(item); this.missing(v, c.to); c = v && v.type.isError ? next(v) : v; }
      } else items.push(item);
      end = items[items.length - 1].end;
      if (c && c.name === ',') { end = c.to; c = next(c); } else break;
    }
    if (items.length === 0) this.missing(c, kw.to);
    const b = this.body(c, "'with' statement", kw.from, end);
    this.rest(b.next);
    const w: Stmt = { kind: 'With', items, body: b.body, start: n.from, end: this.contentEnd(n) };
    if (isAsync) w.isAsync = true;
    return w;
  }

  private decorated(n: SyntaxNode): Stmt {
    const decorators: Expr[] = [];
    let c = first(n);
    for (; c && c.name === 'Decorator'; c = next(c)) decorators.push(this.decorator(c));
    if (c && c.name === 'FunctionDefinition') return this.rest(next(c), this.funcDef(c, decorators));
    if (c && c.name === 'ClassDefinition') return this.rest(next(c), this.classDef(c, decorators));
    return { kind: 'ExprStmt', value: this.missing(c, n.to), start: n.from, end: this.contentEnd(n) };
  }

  /** `@a.b(args)` → Name / Attribute chain / Call. */
  private decorator(d: SyntaxNode): Expr {
    let c = next(first(d));
    if (!c || c.name !== 'VariableName') return this.missing(c, d.from + 1);
    let e: Expr = this.name(c);
    for (c = next(c); c; c = next(c)) {
      if (c.name === '.') {
        const v = next(c);
        if (!v || v.name !== 'VariableName') return this.missing(v, c.to);
        e = { kind: 'Attribute', value: e, attr: this.name(v).id, attrSpan: { start: v.from, end: v.to }, start: e.start, end: v.to };
        c = v;
      } else if (c.name === 'ArgList') {
        const { args, keywords } = this.args(c);
        e = { kind: 'Call', func: e, args, keywords, start: e.start, end: c.to };
      } else this.unexpected(c);
    }
    return e;
  }

  private funcDef(n: SyntaxNode, decorators: Expr[]): Stmt {
    let c = first(n)!;
    const isAsync = c.name === 'async';
    if (isAsync) c = next(c)!;
    const kw = c;
    const nameNode = next(kw);
    if (!nameNode || nameNode.name !== 'VariableName') {
      return { kind: 'ExprStmt', value: this.missing(nameNode, kw.to), start: n.from, end: this.contentEnd(n) };
    }
    const name = this.name(nameNode).id;
    let p = next(nameNode);
    if (p && p.name === 'TypeParamList') return { kind: 'UnsupportedStmt', construct: 'generic type parameters', start: n.from, end: this.contentEnd(n) };
    const params = p && p.name === 'ParamList'
      ? this.params(p, false)
      : { posOnly: [], args: [], kwOnly: [], start: nameNode.to, end: nameNode.to };
    if (!p || p.name !== 'ParamList') this.missing(p, nameNode.to);
    else p = next(p);
    let returns: Expr | undefined;
    if (p && p.name === 'TypeDef') { returns = this.typeDef(p); p = next(p); }
    const saved = this.scope;
    this.scope = { inFunction: true, inLoop: false, yieldSeen: false };
    const b = this.body(p, 'function definition', kw.from, returns ? returns.end : params.end);
    const isGenerator = this.scope.yieldSeen;
    this.scope = saved;
    this.rest(b.next);
    const f: Stmt = {
      kind: 'FunctionDef', name, nameSpan: { start: nameNode.from, end: nameNode.to }, params, body: b.body, decorators,
      start: n.from, end: this.contentEnd(n),
    };
    if (returns) f.returns = returns;
    if (isAsync) f.isAsync = true;
    if (isGenerator) f.isGenerator = true;
    return f;
  }

  private classDef(n: SyntaxNode, decorators: Expr[]): Stmt {
    const kw = first(n)!;
    const nameNode = next(kw);
    if (!nameNode || nameNode.name !== 'VariableName') {
      return { kind: 'ExprStmt', value: this.missing(nameNode, kw.to), start: n.from, end: this.contentEnd(n) };
    }
    let c = next(nameNode);
    if (c && c.name === 'TypeParamList') return { kind: 'UnsupportedStmt', construct: 'generic type parameters', start: n.from, end: this.contentEnd(n) };
    let bases: Expr[] = [], keywords: Keyword[] = [];
    let headerEnd = nameNode.to;
    if (c && c.name === 'ArgList' && first(c)?.name !== '(') {
      // Lezer read the lines after a header that lacks its ':' as an argument list.
      this.treeBroken = true;
      this.report(RANK_SPECIFIC, "expected ':'", nameNode.to - 1, nameNode.to);
      return { kind: 'ExprStmt', value: this.unexpected(c), start: n.from, end: this.contentEnd(n) };
    }
    if (c && c.name === 'ArgList') {
      ({ args: bases, keywords } = this.args(c));
      headerEnd = c.to;
      c = next(c);
    }
    const saved = this.scope;
    this.scope = { inFunction: false, inLoop: false, yieldSeen: false };
    const b = this.body(c, 'class definition', kw.from, headerEnd);
    this.scope = saved;
    this.rest(b.next);
    return {
      kind: 'ClassDef', name: this.name(nameNode).id, nameSpan: { start: nameNode.from, end: nameNode.to }, bases, keywords,
      body: b.body, decorators, start: n.from, end: this.contentEnd(n),
    };
  }

  // ---------------------------------------------------------------- parameters and targets

  /** def/lambda parameter list (lezer `ParamList`), with CPython's ordering checks. */
  params(list: SyntaxNode, isLambda: boolean): Parameters {
    const t = this.text;
    const posOnly: Param[] = [], args: Param[] = [], kwOnly: Param[] = [];
    let vararg: Param | undefined, kwarg: Param | undefined;
    let sawStar = false, bareStar: SyntaxNode | null = null, sawDefault = false;
    let prevEnd = list.from;
    let c = list.firstChild;
    let open: SyntaxNode | null = null;
    if (!isLambda && c && c.name === '(') { open = c; prevEnd = c.to; c = c.nextSibling; }
    const seen = new Set<string>();
    const slashIn = (from: number, to: number) => { for (let i = from; i < to; i++) if (t.charCodeAt(i) === 47) return i; return -1; };
    const onSlash = (at: number) => {
      if (sawStar || kwarg) this.report(RANK_SPECIFIC, '/ must be ahead of *', at, at + 1);
      else if (args.length === 0) this.report(RANK_SPECIFIC, 'at least one argument must precede /', at, at + 1);
      else if (posOnly.length > 0) this.report(RANK_SPECIFIC, '/ may appear only once', at, at + 1);
      else posOnly.push(...args.splice(0));
    };
    const param = (nameNode: SyntaxNode, c2: SyntaxNode | null, allowDefault: boolean): [Param, SyntaxNode | null] => {
      const nm = this.name(nameNode);
      if (seen.has(nm.id)) this.report(RANK_SPECIFIC, `duplicate argument '${nm.id}' in function definition`, nameNode.from, nameNode.to);
      seen.add(nm.id);
      const p: Param = { name: nm.id, nameSpan: { start: nameNode.from, end: nameNode.to }, start: nameNode.from, end: nameNode.to };
      let end = nameNode.to;
      if (c2 && c2.name === 'TypeDef') {
        const a = next(first(c2));
        p.annotation = a && isExprNode(a.name) ? this.expr(a) : this.missing(a, c2.to);
        end = c2.to;
        c2 = next(c2);
      }
      if (c2 && c2.name === 'AssignOp') {
        const d = next(c2);
        p.default = d && isExprNode(d.name) ? this.expr(d) : this.missing(d, c2.to);
        if (!allowDefault) this.report(RANK_SPECIFIC, 'var-positional argument cannot have default value', c2.from, p.default.end);
        end = p.default.end;
        c2 = d ? next(d) : null;
      }
      return [{ ...p, end }, c2];
    };
    while (c) {
      if (c.name === 'Comment') { c = c.nextSibling; continue; }
      const slash = slashIn(prevEnd, c.from);
      if (slash >= 0) onSlash(slash);
      if (c.name === ')' && !isLambda) break;
      let nextNode: SyntaxNode | null = c.nextSibling;
      if (c.name === ',') {
        // handled by position
      } else if (kwarg && c.name !== ')') {
        this.report(RANK_SPECIFIC, 'arguments cannot follow var-keyword argument', c.from, c.to);
      } else if (c.name === 'VariableName') {
        const [p, rest] = param(c, next(c), true);
        if (sawStar) kwOnly.push(p);
        else {
          if (p.default) sawDefault = true;
          else if (sawDefault) this.report(RANK_SPECIFIC, 'non-default argument follows default argument', p.start, p.end);
          args.push(p);
        }
        bareStar = null;
        nextNode = rest;
        prevEnd = p.end;
        c = nextNode;
        continue;
      } else if (c.name === '*' || c.name === '**') {
        const star = c;
        const nn = next(c);
        if (star.name === '*') {
          if (sawStar) this.report(RANK_SPECIFIC, '* argument may appear only once', star.from, star.to);
          sawStar = true;
          if (nn && nn.name === 'VariableName') {
            const [p, rest] = param(nn, next(nn), false);
            vararg = p; prevEnd = p.end; c = rest;
            continue;
          }
          bareStar = star;
        } else {
          if (nn && nn.name === 'VariableName') {
            const [p, rest] = param(nn, next(nn), false);
            kwarg = p; prevEnd = p.end; c = rest;
            continue;
          }
          this.missing(nn, star.to);
        }
      } else this.unexpected(c);
      prevEnd = c.to;
      c = nextNode;
    }
    if (isLambda) { const slash = slashIn(prevEnd, list.to); if (slash >= 0) onSlash(slash); }
    if (open) this.expectClose(c, open, ')');
    if (bareStar && kwOnly.length === 0) this.report(RANK_SPECIFIC, 'named arguments must follow bare *', bareStar.from, bareStar.to);
    const ps: Parameters = { posOnly, args, kwOnly, start: list.from, end: list.to };
    if (vararg) ps.vararg = vararg;
    if (kwarg) ps.kwarg = kwarg;
    return ps;
  }

  /** Reports CPython's error when `e` cannot be assigned to (or deleted). */
  checkTarget(e: Expr, ctx: TargetContext, nested = false): void {
    switch (e.kind) {
      case 'Name': case 'Attribute': case 'Subscript': case 'ErrorExpr': return;
      case 'Tuple': case 'List': {
        if (ctx === 'aug') break;
        let stars = 0;
        for (const x of e.elts) {
          if (x.kind === 'Starred' && ctx !== 'del') { stars++; this.checkTarget(x.value, ctx, true); }
          else this.checkTarget(x, ctx, true);
        }
        if (stars > 1) this.report(RANK_SPECIFIC, 'multiple starred expressions in assignment', e.start, e.end);
        return;
      }
      case 'Starred':
        if (ctx !== 'del' && ctx !== 'aug') {
          this.report(RANK_SPECIFIC, 'starred assignment target must be in a list or tuple', e.start, e.end);
          return;
        }
        break;
    }
    const what = describe(e);
    let msg: string;
    if (e.kind === 'Constant' && (typeof e.value === 'boolean' || (e.value === null && !e.isEllipsis))) {
      msg = `cannot ${ctx === 'del' ? 'delete' : 'assign to'} ${e.value === null ? 'None' : e.value ? 'True' : 'False'}`;
    } else if (ctx === 'aug') msg = `'${what}' is an illegal expression for augmented assignment`;
    else if (ctx === 'del') msg = `cannot delete ${what}`;
    else if (ctx === 'assign' && !nested) msg = `cannot assign to ${what} here. Maybe you meant '==' instead of '='?`;
    else msg = `cannot assign to ${what}`;
    this.report(RANK_SPECIFIC, msg, e.start, e.end);
  }

  /** Statements of a Script or Body node (block-level bookkeeping lives in parse.ts). */
  abstract block(container: SyntaxNode, owner: Owner | null): Stmt[];
}
