// The fast path's statement structure: the module, blocks, compound statements, function and class definitions.

import type { ExceptHandler, Expr, FunctionDef, Keyword, Module, Name, Parameters, Span, Stmt, WithItem } from './ast';
import { validTarget } from './fastExpr';
import { FastSimpleStmtParser } from './fastSimpleStmt';
import {
  bail, K_AS, K_CLASS, K_DEF, K_ELIF, K_ELSE, K_EXCEPT, K_FINALLY, K_FOR, K_IF, K_IN, K_TRY, K_WHILE, K_WITH, T_ARROW,
  T_AT, T_COLON, T_COMMA, T_DEDENT, T_DOT, T_EOF, T_INDENT, T_LPAR, T_NAME, T_NEWLINE, T_SEMI, T_STAR,
} from './fastTokens';

/** The complete fast-path parser: `new FastParser(text).module()` parses a whole file or throws BAIL. */
export class FastParser extends FastSimpleStmtParser {
  /** Content end of the block parsed last (a trailing ';' counts). */
  private blockEnd = 0;

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

  /** `def NAME` / `class NAME`: the keyword's start, the name and its span; leaves the token after the name. */
  private defHeader(): { start: number; name: string; nameSpan: Span } {
    const start = this.ts;
    this.next();
    const name = this.nameText();
    const nameSpan = { start: this.ts, end: this.te };
    this.next();
    return { start, name, nameSpan };
  }

  private funcDef(out: Stmt[], decorators: Expr[]): number {
    const { start, name, nameSpan } = this.defHeader();
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
    const { start, name, nameSpan } = this.defHeader();
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
    const ps = this.paramList(open, true);
    if (this.slashComments !== comments) bail();
    this.next();
    return ps;
  }
}
