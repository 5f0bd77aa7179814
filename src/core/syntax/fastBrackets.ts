// The fast path's bracketed expressions: parentheses, list/set/dict displays, comprehensions, calls and subscripts.

import type { Comprehension, Expr, Keyword, Name } from './ast';
import { FastExprParser, validTarget } from './fastExpr';
import {
  bail, K_ASYNC, K_FOR, K_IF, K_IN, K_LAMBDA, K_YIELD, T_COLON, T_COMMA, T_DSTAR, T_NAME, T_RBRACE, T_RPAR, T_RSQB,
  T_STAR, T_WALRUS,
} from './fastTokens';

/** The atoms in brackets and what follows an atom in brackets (call arguments, subscripts). */
export abstract class FastBracketParser extends FastExprParser {
  /** `( … )`: parenthesized expression (keeps its own span), tuple or generator expression. */
  protected override paren(): Expr {
    const open = this.ts;
    this.next();
    if (this.tok === T_RPAR) return this.closeAtom(open, { kind: 'Tuple', elts: [], start: open, end: this.te });
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
      e = { kind: 'Tuple', elts: this.displayItems(first, T_RPAR, true), start: open, end: this.te };
    } else {
      if (this.tok !== T_RPAR || starred) bail();
      e = first;
    }
    return this.closeAtom(open, e);
  }

  /** Consumes the closing bracket of `e`, the atom that opened at `open`, and records its outer extent. */
  private closeAtom(open: number, e: Expr): Expr {
    this.ps = open;
    this.pe = this.te;
    this.next();
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

  /** A display's items from its parsed `first` to the `close` token (left current), a trailing comma allowed. */
  private displayItems(first: Expr, close: number, named: boolean): Expr[] {
    const elts = [first];
    while (this.tok === T_COMMA) {
      this.next();
      if (this.tok === close) break;
      elts.push(this.displayItem(named));
    }
    if (this.tok !== close) bail();
    return elts;
  }

  protected override listDisplay(): Expr {
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
      } else e = { kind: 'List', elts: this.displayItems(first, T_RSQB, true), start: open, end: this.te };
    }
    return this.closeAtom(open, e);
  }

  protected override braceDisplay(): Expr {
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
    return this.closeAtom(open, e);
  }

  /** A set display or comprehension after its first item; stops at the `}`. */
  private setRest(open: number, first: Expr): Expr {
    if (this.isKw(K_FOR)) {
      if (first.kind === 'Starred') bail();
      const generators = this.compClauses();
      if (this.tok !== T_RBRACE) bail();
      return { kind: 'SetComp', elt: first, generators, start: open, end: this.te };
    }
    return { kind: 'Set', elts: this.displayItems(first, T_RBRACE, false), start: open, end: this.te };
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
  protected override args(): { args: Expr[]; keywords: Keyword[] } {
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
  protected override subscript(): Expr {
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
}
