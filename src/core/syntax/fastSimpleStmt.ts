// The fast path's simple statements: pass/return/raise/del/assert/global, imports, assignments and expressions.

import type { Expr, ImportAlias, Stmt } from './ast';
import { validTarget } from './fastExpr';
import { FastStringParser } from './fastStrings';
import {
  bail, K_AS, K_ASSERT, K_BREAK, K_CONTINUE, K_DEL, K_FALSE, K_FROM, K_GLOBAL, K_IMPORT, K_LAMBDA, K_NONE, K_NONLOCAL,
  K_NOT, K_PASS, K_RAISE, K_RETURN, K_TRUE, K_YIELD, T_ASSIGN, T_AUGASSIGN, T_COLON, T_COMMA, T_DOT, T_ELLIPSIS,
  T_LPAR, T_NAME, T_NEWLINE, T_RPAR, T_SEMI, T_STAR,
} from './fastTokens';

/** One simple statement (the statement levels above split lines and blocks). */
export class FastSimpleStmtParser extends FastStringParser {
  protected simple(): Stmt {
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
}
