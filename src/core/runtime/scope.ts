// Variable scopes and the static facts name resolution needs (which names a function body binds).
// A function's locals are computed once per definition, so lookups never guess between local and global.

import type { Comprehension, Expr, FunctionDef, Lambda, Parameters, Stmt } from '../syntax/ast';
import type { PyValue } from './values';

export const enum ScopeKind {
  Module = 0,
  Function = 1,
  Class = 2,
  Comprehension = 3,
}

/** Static facts about one function (or lambda) body. */
export interface FnInfo {
  /** Names bound anywhere in the body (parameters included), minus global/nonlocal declarations. */
  locals: Set<string>;
  globals: Set<string>;
  nonlocals: Set<string>;
  /** Parameter names in binding order: posOnly, args, vararg, kwOnly, kwarg. */
  firstParam: string | undefined;
}

/** One scope of the scope chain. Module scopes use the module dict itself as `vars`. */
export class Scope {
  constructor(
    readonly kind: ScopeKind,
    readonly vars: Map<string, PyValue>,
    /** Lexically enclosing scope (closures); null for a module. */
    readonly parent: Scope | null,
    /** The module globals this scope resolves free names against. */
    readonly globals: Map<string, PyValue>,
    readonly info: FnInfo | null,
  ) {}
}

// Cached on the definition node itself: a symbol property is cheaper than a WeakMap on every call.
const INFO = Symbol('fnInfo');
type WithInfo = (FunctionDef | Lambda) & { [INFO]?: FnInfo };

/**
 * `walrusFree`: the source text has no ':=' anywhere, so no expression in the body can bind a name and only the
 * statements need walking (a file-wide check that costs one text scan, not one tree walk per function).
 */
export function fnInfo(def: FunctionDef | Lambda, walrusFree = false): FnInfo {
  let info = (def as WithInfo)[INFO];
  if (info === undefined) {
    scanExprs = !walrusFree;
    try {
      info = analyse(def);
    } finally {
      scanExprs = true;
    }
    (def as WithInfo)[INFO] = info;
  }
  return info;
}

/** The facts fnInfo() already found for a definition, if any (no analysis). */
export function cachedFnInfo(def: FunctionDef | Lambda): FnInfo | undefined {
  return (def as WithInfo)[INFO];
}

/** Whether expressions are walked for walrus targets during the current analysis (see fnInfo). */
let scanExprs = true;

function paramNames(p: Parameters): string[] {
  const out: string[] = [];
  for (const a of p.posOnly) out.push(a.name);
  for (const a of p.args) out.push(a.name);
  if (p.vararg) out.push(p.vararg.name);
  for (const a of p.kwOnly) out.push(a.name);
  if (p.kwarg) out.push(p.kwarg.name);
  return out;
}

function analyse(def: FunctionDef | Lambda): FnInfo {
  const bound = new Set<string>(paramNames(def.params));
  const globals = new Set<string>();
  const nonlocals = new Set<string>();
  const firstParam = def.params.posOnly[0]?.name ?? def.params.args[0]?.name;
  if (def.kind === 'Lambda') {
    walkExprBindings(def.body, bound);
  } else {
    for (const s of def.body) walkStmt(s, bound, globals, nonlocals);
  }
  for (const g of globals) bound.delete(g);
  for (const n of nonlocals) bound.delete(n);
  return { locals: bound, globals, nonlocals, firstParam };
}

/** Adds the names a target expression binds. */
export function targetNames(t: Expr, out: Set<string>): void {
  switch (t.kind) {
    case 'Name':
      out.add(t.id);
      break;
    case 'Tuple':
    case 'List':
      for (const e of t.elts) targetNames(e, out);
      break;
    case 'Starred':
      targetNames(t.value, out);
      break;
    default:
      walkExprBindings(t, out);
  }
}

/** Walrus targets inside an expression (they bind in the enclosing function, even from a comprehension). */
function walkExprBindings(e: Expr | undefined, out: Set<string>): void {
  if (!e || !scanExprs) return;
  switch (e.kind) {
    case 'NamedExpr':
      out.add(e.target.id);
      walkExprBindings(e.value, out);
      return;
    case 'Lambda':
    case 'Name':
    case 'Constant':
    case 'ErrorExpr':
      return;
    case 'Attribute':
    case 'Starred':
    case 'Await':
      walkExprBindings(e.value, out);
      return;
    case 'Yield':
      walkExprBindings(e.value, out);
      return;
    case 'Subscript':
      walkExprBindings(e.value, out);
      walkExprBindings(e.index, out);
      return;
    case 'Slice':
      walkExprBindings(e.lower, out);
      walkExprBindings(e.upper, out);
      walkExprBindings(e.step, out);
      return;
    case 'Call':
      walkExprBindings(e.func, out);
      for (const a of e.args) walkExprBindings(a, out);
      for (const k of e.keywords) walkExprBindings(k.value, out);
      return;
    case 'BinOp':
      walkExprBindings(e.left, out);
      walkExprBindings(e.right, out);
      return;
    case 'UnaryOp':
      walkExprBindings(e.operand, out);
      return;
    case 'BoolOp':
      for (const v of e.values) walkExprBindings(v, out);
      return;
    case 'Compare':
      walkExprBindings(e.left, out);
      for (const v of e.comparators) walkExprBindings(v, out);
      return;
    case 'IfExp':
      walkExprBindings(e.test, out);
      walkExprBindings(e.body, out);
      walkExprBindings(e.orelse, out);
      return;
    case 'Tuple':
    case 'List':
    case 'Set':
      for (const v of e.elts) walkExprBindings(v, out);
      return;
    case 'Dict':
      for (const en of e.entries) {
        walkExprBindings(en.key, out);
        walkExprBindings(en.value, out);
      }
      return;
    case 'JoinedStr':
      for (const p of e.parts) if (typeof p !== 'string') walkExprBindings(p, out);
      return;
    case 'FormattedValue':
      walkExprBindings(e.value, out);
      return;
    case 'ListComp':
    case 'SetComp':
    case 'GeneratorExp':
      walkExprBindings(e.elt, out);
      walkComp(e.generators, out);
      return;
    case 'DictComp':
      walkExprBindings(e.key, out);
      walkExprBindings(e.value, out);
      walkComp(e.generators, out);
      return;
  }
}

function walkComp(gens: Comprehension[], out: Set<string>): void {
  for (const g of gens) {
    walkExprBindings(g.iter, out);
    for (const c of g.ifs) walkExprBindings(c, out);
  }
}

function walkStmts(body: Stmt[], out: Set<string>, globals: Set<string>, nonlocals: Set<string>): void {
  for (const s of body) walkStmt(s, out, globals, nonlocals);
}

function walkStmt(s: Stmt, out: Set<string>, globals: Set<string>, nonlocals: Set<string>): void {
  switch (s.kind) {
    case 'ExprStmt':
      walkExprBindings(s.value, out);
      return;
    case 'Assign':
      for (const t of s.targets) targetNames(t, out);
      walkExprBindings(s.value, out);
      return;
    case 'AugAssign':
      targetNames(s.target, out);
      walkExprBindings(s.value, out);
      return;
    case 'AnnAssign':
      if (s.target.kind === 'Name') out.add(s.target.id);
      else walkExprBindings(s.target, out);
      walkExprBindings(s.value, out);
      return;
    case 'FunctionDef':
    case 'ClassDef':
      out.add(s.name);
      for (const d of s.decorators) walkExprBindings(d, out);
      return;
    case 'Return':
      walkExprBindings(s.value, out);
      return;
    case 'Delete':
      for (const t of s.targets) targetNames(t, out);
      return;
    case 'If':
    case 'While':
      walkExprBindings(s.test, out);
      walkStmts(s.body, out, globals, nonlocals);
      walkStmts(s.orelse, out, globals, nonlocals);
      return;
    case 'For':
      targetNames(s.target, out);
      walkExprBindings(s.iter, out);
      walkStmts(s.body, out, globals, nonlocals);
      walkStmts(s.orelse, out, globals, nonlocals);
      return;
    case 'With':
      for (const it of s.items) {
        walkExprBindings(it.contextExpr, out);
        if (it.optionalVars) targetNames(it.optionalVars, out);
      }
      walkStmts(s.body, out, globals, nonlocals);
      return;
    case 'Try':
      walkStmts(s.body, out, globals, nonlocals);
      for (const h of s.handlers) {
        if (h.name) out.add(h.name);
        walkStmts(h.body, out, globals, nonlocals);
      }
      walkStmts(s.orelse, out, globals, nonlocals);
      walkStmts(s.finalbody, out, globals, nonlocals);
      return;
    case 'Raise':
      walkExprBindings(s.exc, out);
      walkExprBindings(s.cause, out);
      return;
    case 'Assert':
      walkExprBindings(s.test, out);
      walkExprBindings(s.msg, out);
      return;
    case 'Import':
      for (const a of s.names) out.add(a.asname ?? a.name.split('.')[0]);
      return;
    case 'ImportFrom':
      for (const a of s.names) if (a.name !== '*') out.add(a.asname ?? a.name);
      return;
    case 'Global':
      for (const n of s.names) globals.add(n);
      return;
    case 'Nonlocal':
      for (const n of s.names) nonlocals.add(n);
      return;
    default:
      return;
  }
}

const yieldCache = new WeakMap<object, boolean>();

/** True when a statement contains a `yield` that belongs to the current function (not a nested def). */
export function stmtHasYield(s: Stmt): boolean {
  let r = yieldCache.get(s);
  if (r === undefined) {
    r = computeStmtYield(s);
    yieldCache.set(s, r);
  }
  return r;
}

function anyStmtYield(b: Stmt[]): boolean {
  for (const s of b) if (stmtHasYield(s)) return true;
  return false;
}

function computeStmtYield(s: Stmt): boolean {
  switch (s.kind) {
    case 'ExprStmt':
      return exprHasYield(s.value);
    case 'Assign':
      return exprHasYield(s.value) || s.targets.some(exprHasYield);
    case 'AugAssign':
      return exprHasYield(s.value);
    case 'AnnAssign':
      return exprHasYield(s.value);
    case 'Return':
      return exprHasYield(s.value);
    case 'If':
    case 'While':
      return exprHasYield(s.test) || anyStmtYield(s.body) || anyStmtYield(s.orelse);
    case 'For':
      return exprHasYield(s.iter) || anyStmtYield(s.body) || anyStmtYield(s.orelse);
    case 'With':
      return s.items.some((i) => exprHasYield(i.contextExpr)) || anyStmtYield(s.body);
    case 'Try':
      return (
        anyStmtYield(s.body) ||
        s.handlers.some((h) => anyStmtYield(h.body)) ||
        anyStmtYield(s.orelse) ||
        anyStmtYield(s.finalbody)
      );
    case 'Raise':
      return exprHasYield(s.exc) || exprHasYield(s.cause);
    default:
      return false;
  }
}

/** True when an expression contains `yield` outside nested functions/lambdas. */
export function exprHasYield(e: Expr | undefined): boolean {
  if (!e) return false;
  switch (e.kind) {
    case 'Yield':
      return true;
    case 'Lambda':
    case 'Name':
    case 'Constant':
    case 'ErrorExpr':
      return false;
    case 'Attribute':
    case 'Starred':
    case 'Await':
    case 'FormattedValue':
      return exprHasYield(e.value);
    case 'NamedExpr':
      return exprHasYield(e.value);
    case 'Subscript':
      return exprHasYield(e.value) || exprHasYield(e.index);
    case 'Slice':
      return exprHasYield(e.lower) || exprHasYield(e.upper) || exprHasYield(e.step);
    case 'Call':
      return exprHasYield(e.func) || e.args.some(exprHasYield) || e.keywords.some((k) => exprHasYield(k.value));
    case 'BinOp':
      return exprHasYield(e.left) || exprHasYield(e.right);
    case 'UnaryOp':
      return exprHasYield(e.operand);
    case 'BoolOp':
      return e.values.some(exprHasYield);
    case 'Compare':
      return exprHasYield(e.left) || e.comparators.some(exprHasYield);
    case 'IfExp':
      return exprHasYield(e.test) || exprHasYield(e.body) || exprHasYield(e.orelse);
    case 'Tuple':
    case 'List':
    case 'Set':
      return e.elts.some(exprHasYield);
    case 'Dict':
      return e.entries.some((en) => exprHasYield(en.key) || exprHasYield(en.value));
    case 'JoinedStr':
      return e.parts.some((p) => typeof p !== 'string' && exprHasYield(p));
    default:
      return false;
  }
}
