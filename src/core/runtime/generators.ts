// Generator functions, run lazily: statements that contain `yield` execute as JS generators, the rest
// through the ordinary statement executor, so infinite generators consumed by islice or zip just work.

import { DiagnosticCode } from '../diagnostics';
import type { Expr, Stmt, With } from '../syntax/ast';
import { lookupType, typeName, typeOf } from './builtinTypes';
import { BREAK, NORMAL, RETURN } from './completion';
import type { Frame, Interpreter } from './interpreter';
import { getItem, inplaceOp, setItem } from './operators';
import { exprHasYield, stmtHasYield } from './scope';
import { PyList, PyOpaque, PyRaise, PyTuple, STOP, type PyValue } from './values';

export function* genBlock(ip: Interpreter, body: Stmt[], f: Frame): Generator<PyValue, number, PyValue> {
  for (let i = 0; i < body.length; i++) {
    const s = body[i];
    const c = stmtHasYield(s) ? yield* genStmt(ip, s, f) : ip.execStmt(s, f);
    if (c !== NORMAL) return c;
  }
  return NORMAL;
}

/** Evaluates an expression that may be `yield x` / `yield from xs` at its top. */
function* genExpr(ip: Interpreter, e: Expr, f: Frame): Generator<PyValue, PyValue, PyValue> {
  if (e.kind === 'Yield') {
    if (e.isFrom) {
      const next = ip.iterFn(ip.eval(e.value!, f));
      for (;;) {
        const v = next();
        if (v === STOP) return null;
        yield v;
      }
    }
    const v = e.value ? ip.eval(e.value, f) : null;
    const sent = yield v;
    return sent === undefined ? null : sent;
  }
  if (exprHasYield(e)) {
    if (e.kind === 'Tuple' || e.kind === 'List') {
      const out: PyValue[] = [];
      for (const x of e.elts) out.push(yield* genExpr(ip, x, f));
      return e.kind === 'Tuple' ? new PyTuple(out) : new PyList(out);
    }
    ip.reportOnce(
      `${f.info.file}:${e.start}`,
      DiagnosticCode.Unsupported,
      'Tensor Trace runs `yield` only as a statement or the value of an assignment.',
      f.info.lineMap.location(f.info.file, e),
    );
  }
  return ip.eval(e, f);
}

function* genStmt(ip: Interpreter, s: Stmt, f: Frame): Generator<PyValue, number, PyValue> {
  f.stmt = s;
  f.call = null;
  ip.tick();
  switch (s.kind) {
    case 'ExprStmt':
      yield* genExpr(ip, s.value, f);
      return NORMAL;
    case 'Assign': {
      const v = yield* genExpr(ip, s.value, f);
      f.stmt = s;
      for (const t of s.targets) ip.assignTarget(t, v, f);
      return NORMAL;
    }
    case 'AugAssign': {
      const v = yield* genExpr(ip, s.value, f);
      f.stmt = s;
      const t = s.target;
      if (t.kind === 'Name') ip.assignName(t.id, inplaceOp(ip, s.op, ip.lookupName(t.id, f), v), f);
      else if (t.kind === 'Attribute') {
        const o = ip.eval(t.value, f);
        ip.setAttr(o, t.attr, inplaceOp(ip, s.op, ip.getAttr(o, t.attr), v));
      } else if (t.kind === 'Subscript') {
        const o = ip.eval(t.value, f);
        const k = ip.evalIndex(t.index, f);
        setItem(ip, o, k, inplaceOp(ip, s.op, getItem(ip, o, k), v));
      }
      return NORMAL;
    }
    case 'AnnAssign':
      if (s.value) ip.assignTarget(s.target, yield* genExpr(ip, s.value, f), f);
      return NORMAL;
    case 'Return':
      f.ret = s.value ? yield* genExpr(ip, s.value, f) : null;
      return RETURN;
    case 'If': {
      const t = yield* genExpr(ip, s.test, f);
      return yield* genBlock(ip, ip.truthy(t) ? s.body : s.orelse, f);
    }
    case 'While': {
      for (;;) {
        f.stmt = s;
        const t = yield* genExpr(ip, s.test, f);
        if (!ip.truthy(t)) break;
        const c = yield* genBlock(ip, s.body, f);
        if (c === BREAK) return NORMAL;
        if (c === RETURN) return c;
        ip.tick();
      }
      return yield* genBlock(ip, s.orelse, f);
    }
    case 'For': {
      const it = yield* genExpr(ip, s.iter, f);
      const next = ip.iterFn(it);
      for (;;) {
        const v = next();
        if (v === STOP) break;
        ip.assignTarget(s.target, v, f);
        const c = yield* genBlock(ip, s.body, f);
        if (c === BREAK) return NORMAL;
        if (c === RETURN) return c;
        f.stmt = s;
      }
      return yield* genBlock(ip, s.orelse, f);
    }
    case 'With':
      return yield* genWith(ip, s, 0, f);
    case 'Try': {
      let c = NORMAL;
      let pending: PyRaise | null = null;
      try {
        c = yield* genBlock(ip, s.body, f);
        if (c === NORMAL && s.orelse.length) c = yield* genBlock(ip, s.orelse, f);
      } catch (e) {
        if (!(e instanceof PyRaise)) throw e;
        const h = ip.matchHandler(s.handlers, e, f);
        if (!h) pending = e;
        else {
          const prev = f.handling;
          f.handling = e;
          try {
            if (h.name) ip.assignName(h.name, e.exc, f);
            c = yield* genBlock(ip, h.body, f);
          } catch (e3) {
            if (!(e3 instanceof PyRaise) || s.finalbody.length === 0) throw e3;
            pending = e3;
          } finally {
            f.handling = prev;
          }
        }
      }
      if (s.finalbody.length) {
        const saved = f.ret;
        const fc = yield* genBlock(ip, s.finalbody, f);
        if (fc !== NORMAL) return fc;
        f.ret = saved;
      }
      if (pending) throw pending;
      return c;
    }
    case 'Raise':
      ip.execRaise(s.exc, s.cause, f);
      return NORMAL;
    default:
      return ip.execStmt(s, f);
  }
}

function* genWith(ip: Interpreter, s: With, i: number, f: Frame): Generator<PyValue, number, PyValue> {
  if (i === s.items.length) return yield* genBlock(ip, s.body, f);
  const item = s.items[i];
  const mgr = ip.eval(item.contextExpr, f);
  if (mgr instanceof PyOpaque) {
    if (item.optionalVars) ip.assignTarget(item.optionalVars, new PyOpaque(mgr.label + '.__enter__()'), f);
    return yield* genWith(ip, s, i + 1, f);
  }
  const cls = typeOf(mgr);
  const enter = lookupType(cls, '__enter__');
  const exit = lookupType(cls, '__exit__');
  if (enter === undefined || enter === null || exit === undefined || exit === null)
    ip.raise('TypeError', `'${typeName(mgr)}' object does not support the context manager protocol`);
  const val = ip.callMethod(enter, mgr, []);
  if (item.optionalVars) ip.assignTarget(item.optionalVars, val, f);
  let c: number;
  try {
    c = yield* genWith(ip, s, i + 1, f);
  } catch (e) {
    if (!(e instanceof PyRaise)) throw e;
    if (ip.truthy(ip.callMethod(exit, mgr, [e.exc.cls, e.exc, null]))) return NORMAL;
    throw e;
  }
  ip.callMethod(exit, mgr, [null, null, null]);
  return c;
}

