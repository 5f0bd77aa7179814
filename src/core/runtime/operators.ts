// Python operator semantics: arithmetic (int vs float, floor division/modulo, **), sequence concatenation
// and repetition, rich comparisons (chained, lexicographic), identity, membership and subscripting.

import type { BinOperator } from '../syntax/ast';
import { lookupType, typeName, typeOf } from './builtinTypes';
import type { Interpreter } from './interpreter';
import { percentFormat } from './strings';
import {
  NotImplemented,
  PyClass,
  PyDict,
  PyFloat,
  PyInstance,
  PyIterator,
  PyList,
  PyOpaque,
  PyRange,
  PySet,
  PySlice,
  PyTuple,
  STOP,
  hashKey,
  type PyValue,
} from './values';

export const BIN_DUNDERS: Record<BinOperator, readonly [string, string, string]> = {
  '+': ['__add__', '__radd__', '__iadd__'],
  '-': ['__sub__', '__rsub__', '__isub__'],
  '*': ['__mul__', '__rmul__', '__imul__'],
  '/': ['__truediv__', '__rtruediv__', '__itruediv__'],
  '//': ['__floordiv__', '__rfloordiv__', '__ifloordiv__'],
  '%': ['__mod__', '__rmod__', '__imod__'],
  '**': ['__pow__', '__rpow__', '__ipow__'],
  '@': ['__matmul__', '__rmatmul__', '__imatmul__'],
  '<<': ['__lshift__', '__rlshift__', '__ilshift__'],
  '>>': ['__rshift__', '__rrshift__', '__irshift__'],
  '&': ['__and__', '__rand__', '__iand__'],
  '|': ['__or__', '__ror__', '__ior__'],
  '^': ['__xor__', '__rxor__', '__ixor__'],
};

const MAX_SEQ = 50_000_000;

/** int/bool/float as a JS number; undefined for anything else. */
export function numOf(v: PyValue): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof PyFloat) return v.v;
  return undefined;
}

function isIntLike(v: PyValue): v is number | boolean {
  return typeof v === 'number' || typeof v === 'boolean';
}

function bigOp(a: number, b: number, op: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  switch (op) {
    case '&':
      return Number(x & y);
    case '|':
      return Number(x | y);
    default:
      return Number(x ^ y);
  }
}

function int32(a: number): boolean {
  return a >= -2147483648 && a <= 2147483647;
}

/** int op int. */
export function intOp(ip: Interpreter, op: BinOperator, a: number, b: number): PyValue {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b + 0; // + 0 turns JS's -0 into Python's 0
    case '/':
      if (b === 0) ip.raise('ZeroDivisionError', 'division by zero');
      return new PyFloat(a / b);
    case '//':
      if (b === 0) ip.raise('ZeroDivisionError', 'integer division or modulo by zero');
      return Math.floor(a / b) + 0;
    case '%': {
      if (b === 0) ip.raise('ZeroDivisionError', 'integer modulo by zero');
      let r = a % b;
      if (r !== 0 && r < 0 !== b < 0) r += b;
      return r + 0;
    }
    case '**':
      if (b < 0) {
        if (a === 0) ip.raise('ZeroDivisionError', '0.0 cannot be raised to a negative power');
        return new PyFloat(Math.pow(a, b));
      }
      return intPow(a, b);
    case '<<':
      if (b < 0) ip.raise('ValueError', 'negative shift count');
      return a * Math.pow(2, b);
    case '>>':
      if (b < 0) ip.raise('ValueError', 'negative shift count');
      return Math.floor(a / Math.pow(2, b));
    case '&':
      return int32(a) && int32(b) ? a & b : bigOp(a, b, '&');
    case '|':
      return int32(a) && int32(b) ? a | b : bigOp(a, b, '|');
    case '^':
      return int32(a) && int32(b) ? a ^ b : bigOp(a, b, '^');
    case '@':
      return ip.raise('TypeError', `unsupported operand type(s) for @: 'int' and 'int'`);
  }
}

function intPow(a: number, b: number): number {
  const r = Math.pow(a, b);
  if (Number.isSafeInteger(r)) return r;
  if (!isFinite(r)) return r;
  return Number(BigInt(a) ** BigInt(b));
}

function floatOp(ip: Interpreter, op: BinOperator, x: number, y: number, ta: PyValue, tb: PyValue): PyValue {
  switch (op) {
    case '+':
      return new PyFloat(x + y);
    case '-':
      return new PyFloat(x - y);
    case '*':
      return new PyFloat(x * y);
    case '/':
      if (y === 0) ip.raise('ZeroDivisionError', 'float division by zero');
      return new PyFloat(x / y);
    case '//':
      if (y === 0) ip.raise('ZeroDivisionError', 'float floor division by zero');
      return new PyFloat(Math.floor(x / y));
    case '%': {
      if (y === 0) ip.raise('ZeroDivisionError', 'float modulo');
      let r = x % y;
      if (r !== 0 && r < 0 !== y < 0) r += y;
      return new PyFloat(r);
    }
    case '**':
      if (x === 0 && y < 0) ip.raise('ZeroDivisionError', '0.0 cannot be raised to a negative power');
      if (x < 0 && !Number.isInteger(y)) return new PyOpaque('complex');
      return new PyFloat(Math.pow(x, y));
    default:
      return unsupported(ip, op, ta, tb);
  }
}

function unsupported(ip: Interpreter, op: BinOperator, a: PyValue, b: PyValue): never {
  const sym = op === '**' ? '** or pow()' : op;
  return ip.raise('TypeError', `unsupported operand type(s) for ${sym}: '${typeName(a)}' and '${typeName(b)}'`);
}

function repeatCount(ip: Interpreter, seq: PyValue, n: PyValue): number {
  if (typeof n === 'number') return n;
  if (typeof n === 'boolean') return n ? 1 : 0;
  if (n instanceof PyInstance) {
    const idx = ip.toIndexOrUndefined(n);
    if (idx !== undefined) return idx;
  }
  return ip.raise('TypeError', `can't multiply sequence by non-int of type '${typeName(n)}'`);
}

function checkSize(ip: Interpreter, n: number): void {
  if (n > MAX_SEQ) ip.raise('MemoryError', '');
}

function repeatItems(ip: Interpreter, items: PyValue[], n: number): PyValue[] {
  if (n <= 0) return [];
  checkSize(ip, items.length * n);
  const out: PyValue[] = [];
  for (let i = 0; i < n; i++) for (const x of items) out.push(x);
  return out;
}

function isSetLike(v: PyValue): v is PySet {
  return v instanceof PySet;
}

function setOp(op: BinOperator, a: PySet, b: PySet): PySet | undefined {
  const out = new PySet(a.frozen);
  switch (op) {
    case '|':
      for (const [k, v] of a.map) out.map.set(k, v);
      for (const [k, v] of b.map) if (!out.map.has(k)) out.map.set(k, v);
      return out;
    case '&':
      for (const [k, v] of a.map) if (b.map.has(k)) out.map.set(k, v);
      return out;
    case '-':
      for (const [k, v] of a.map) if (!b.map.has(k)) out.map.set(k, v);
      return out;
    case '^':
      for (const [k, v] of a.map) if (!b.map.has(k)) out.map.set(k, v);
      for (const [k, v] of b.map) if (!a.map.has(k)) out.map.set(k, v);
      return out;
  }
  return undefined;
}

/** a <op> b with Python semantics (dunder dispatch, reflected operands, opaque tolerance). */
export function binop(ip: Interpreter, op: BinOperator, a: PyValue, b: PyValue): PyValue {
  if (typeof a === 'number' && typeof b === 'number') return intOp(ip, op, a, b);
  const x = numOf(a);
  if (x !== undefined) {
    const y = numOf(b);
    if (y !== undefined) {
      if (isIntLike(a) && isIntLike(b)) {
        if (typeof a === 'boolean' && typeof b === 'boolean' && (op === '&' || op === '|' || op === '^')) {
          return op === '&' ? a && b : op === '|' ? a || b : a !== b;
        }
        return intOp(ip, op, x, y);
      }
      return floatOp(ip, op, x, y, a, b);
    }
  }
  if (typeof a === 'string') {
    if (op === '+') {
      if (typeof b === 'string') {
        checkSize(ip, a.length + b.length);
        return a + b;
      }
      if (!(b instanceof PyInstance) && !(b instanceof PyOpaque))
        ip.raise('TypeError', `can only concatenate str (not "${typeName(b)}") to str`);
    } else if (op === '*' && !(b instanceof PyInstance && lookupType(b.cls, '__rmul__') && ip.toIndexOrUndefined(b) === undefined)) {
      const n = repeatCount(ip, a, b);
      checkSize(ip, a.length * n);
      return n > 0 ? a.repeat(n) : '';
    } else if (op === '%') {
      return percentFormat(ip, a, b);
    }
  } else if (a instanceof PyList) {
    if (op === '+') {
      if (b instanceof PyList) return new PyList(a.items.concat(b.items));
      if (!(b instanceof PyInstance) && !(b instanceof PyOpaque))
        ip.raise('TypeError', `can only concatenate list (not "${typeName(b)}") to list`);
    } else if (op === '*' && !(b instanceof PyOpaque)) return new PyList(repeatItems(ip, a.items, repeatCount(ip, a, b)));
  } else if (a instanceof PyTuple) {
    if (op === '+') {
      if (b instanceof PyTuple) return new PyTuple(a.items.concat(b.items), a.isSize && b.isSize);
      if (!(b instanceof PyInstance) && !(b instanceof PyOpaque))
        ip.raise('TypeError', `can only concatenate tuple (not "${typeName(b)}") to tuple`);
    } else if (op === '*' && !(b instanceof PyOpaque)) return new PyTuple(repeatItems(ip, a.items, repeatCount(ip, a, b)));
  } else if (isSetLike(a) && isSetLike(b)) {
    const r = setOp(op, a, b);
    if (r) return r;
  } else if (a instanceof PyDict && b instanceof PyDict && op === '|') {
    const out = new PyDict();
    for (const e of a.map.values()) out.set(e.key, e.value);
    for (const e of b.map.values()) out.set(e.key, e.value);
    return out;
  } else if (op === '*' && isIntLike(a)) {
    if (typeof b === 'string') {
      const n = repeatCount(ip, b, a);
      checkSize(ip, b.length * n);
      return n > 0 ? b.repeat(n) : '';
    }
    if (b instanceof PyList) return new PyList(repeatItems(ip, b.items, repeatCount(ip, b, a)));
    if (b instanceof PyTuple) return new PyTuple(repeatItems(ip, b.items, repeatCount(ip, b, a)));
  }
  const [name, rname] = BIN_DUNDERS[op];
  if (a instanceof PyInstance) {
    const f = lookupType(a.cls, name);
    if (f !== undefined && f !== null) {
      const r = ip.callMethod(f, a, [b]);
      if (r !== NotImplemented) return r;
    }
  }
  if (b instanceof PyInstance) {
    const f = lookupType(b.cls, rname);
    if (f !== undefined && f !== null) {
      const r = ip.callMethod(f, b, [a]);
      if (r !== NotImplemented) return r;
    }
  }
  if (a instanceof PyOpaque) return a;
  if (b instanceof PyOpaque) return b;
  if ((a instanceof PyInstance && a.cls.hasOpaqueBase) || (b instanceof PyInstance && b.cls.hasOpaqueBase))
    return new PyOpaque(`(${typeName(a)} ${op} ${typeName(b)})`);
  if (op === '|' && (a instanceof PyClass || a === null || b instanceof PyClass || b === null)) {
    // PEP 604 unions in annotations: `int | None`.
    return new PyOpaque(`${ip.repr(a)} | ${ip.repr(b)}`);
  }
  if (a instanceof PyClass && op === '|') return new PyOpaque('types.UnionType');
  return unsupported(ip, op, a, b);
}

/** a <op>= b: __iop__ first, lists/sets/dicts mutate in place, otherwise a <op> b. */
export function inplaceOp(ip: Interpreter, op: BinOperator, a: PyValue, b: PyValue): PyValue {
  if (typeof a === 'number' && typeof b === 'number') return intOp(ip, op, a, b);
  if (a instanceof PyInstance) {
    const f = lookupType(a.cls, BIN_DUNDERS[op][2]);
    if (f !== undefined && f !== null) {
      const r = ip.callMethod(f, a, [b]);
      if (r !== NotImplemented) return r;
    }
    return binop(ip, op, a, b);
  }
  if (a instanceof PyList) {
    if (op === '+') {
      const items = ip.iterate(b);
      for (const x of items) a.items.push(x);
      return a;
    }
    if (op === '*') {
      a.items = repeatItems(ip, a.items, repeatCount(ip, a, b));
      return a;
    }
  } else if (a instanceof PySet && !a.frozen && b instanceof PySet) {
    const r = setOp(op, a, b);
    if (r) {
      a.map.clear();
      for (const [k, v] of r.map) a.map.set(k, v);
      return a;
    }
  } else if (a instanceof PyDict && op === '|') {
    ip.dictUpdate(a, b);
    return a;
  }
  return binop(ip, op, a, b);
}

/** -x, +x, ~x, not x. */
export function unaryOp(ip: Interpreter, op: '-' | '+' | '~' | 'not', v: PyValue): PyValue {
  if (op === 'not') return !ip.truthy(v);
  if (typeof v === 'number') {
    if (op === '-') return v === 0 ? 0 : -v;
    if (op === '+') return v;
    return int32(v) ? ~v : -v - 1;
  }
  if (typeof v === 'boolean') {
    const n = v ? 1 : 0;
    return op === '-' ? -n || 0 : op === '+' ? n : ~n;
  }
  if (v instanceof PyFloat) {
    if (op === '-') return new PyFloat(-v.v);
    if (op === '+') return v;
  }
  if (v instanceof PyInstance) {
    const name = op === '-' ? '__neg__' : op === '+' ? '__pos__' : '__invert__';
    const f = lookupType(v.cls, name);
    if (f !== undefined && f !== null) return ip.callMethod(f, v, []);
  }
  if (v instanceof PyOpaque) return v;
  return ip.raise('TypeError', `bad operand type for unary ${op}: '${typeName(v)}'`);
}

// ------------------------------------------------------------------ comparisons

const CMP_DUNDERS: Record<string, readonly [string, string]> = {
  '<': ['__lt__', '__gt__'],
  '<=': ['__le__', '__ge__'],
  '>': ['__gt__', '__lt__'],
  '>=': ['__ge__', '__le__'],
  '==': ['__eq__', '__eq__'],
  '!=': ['__ne__', '__ne__'],
};

/** `==` returning Python's result (may be a non-bool for tensors). */
export function eqValue(ip: Interpreter, a: PyValue, b: PyValue): PyValue {
  if (a === b && !(a instanceof PyFloat)) {
    if (!(a instanceof PyInstance)) return true;
  }
  const ta = typeof a;
  if (ta !== 'object' || a === null) {
    const tb = typeof b;
    if (tb !== 'object' || b === null) {
      if (ta === tb) return a === b;
      if (ta === 'string' || tb === 'string' || a === null || b === null) return false;
      return numOf(a) === numOf(b);
    }
  }
  if (a instanceof PyInstance || b instanceof PyInstance) {
    const r = richDunder(ip, '==', a, b);
    if (r !== NotImplemented) return r;
    return a === b;
  }
  if (a instanceof PyOpaque || b instanceof PyOpaque) return a === b ? true : new PyOpaque('comparison');
  return structuralEq(ip, a, b);
}

function structuralEq(ip: Interpreter, a: PyValue, b: PyValue): boolean {
  const na = numOf(a);
  if (na !== undefined) {
    const nb = numOf(b);
    return nb !== undefined && na === nb;
  }
  if (a instanceof PyList) return b instanceof PyList && seqEq(ip, a.items, b.items);
  if (a instanceof PyTuple) return b instanceof PyTuple && seqEq(ip, a.items, b.items);
  if (a instanceof PyDict) {
    if (!(b instanceof PyDict) || a.size !== b.size) return false;
    for (const [k, e] of a.map) {
      const o = b.map.get(k);
      if (!o || !eqBool(ip, e.value, o.value)) return false;
    }
    return true;
  }
  if (a instanceof PySet) {
    if (!(b instanceof PySet) || a.map.size !== b.map.size) return false;
    for (const k of a.map.keys()) if (!b.map.has(k)) return false;
    return true;
  }
  if (a instanceof PyRange) {
    if (!(b instanceof PyRange)) return false;
    const la = a.length;
    if (la !== b.length) return false;
    if (la === 0) return true;
    return a.start === b.start && (la === 1 || a.step === b.step);
  }
  if (a instanceof PySlice)
    return b instanceof PySlice && eqBool(ip, a.start, b.start) && eqBool(ip, a.stop, b.stop) && eqBool(ip, a.step, b.step);
  return a === b;
}

function seqEq(ip: Interpreter, a: PyValue[], b: PyValue[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!eqBool(ip, a[i], b[i])) return false;
  return true;
}

/** Equality as containers use it: identity first, then ==, then truthiness. */
export function eqBool(ip: Interpreter, a: PyValue, b: PyValue): boolean {
  if (a === b) return true;
  const r = eqValue(ip, a, b);
  return r === true || (r !== false && ip.truthy(r));
}

/** `self.<name>(other)` when self is an instance whose class defines it (not object's default), else NotImplemented. */
function callDunder(ip: Interpreter, self: PyValue, name: string, other: PyValue): PyValue {
  if (!(self instanceof PyInstance)) return NotImplemented;
  const f = lookupType(self.cls, name);
  if (f === undefined || f === null || ip.isObjectDefault(f)) return NotImplemented;
  return ip.callMethod(f, self, [other]);
}

function richDunder(ip: Interpreter, op: string, a: PyValue, b: PyValue): PyValue {
  const [name, rname] = CMP_DUNDERS[op];
  // A subclass's reflected method takes priority (Python's rule for rich comparisons).
  const bFirst = b instanceof PyInstance && a instanceof PyInstance && b.cls !== a.cls && b.cls.isSubclassOf(a.cls);
  if (bFirst) {
    const r = callDunder(ip, b, rname, a);
    if (r !== NotImplemented) return r;
  }
  const r = callDunder(ip, a, name, b);
  if (r !== NotImplemented) return r;
  if (!bFirst) {
    const r = callDunder(ip, b, rname, a);
    if (r !== NotImplemented) return r;
  }
  if (op === '!=') {
    // Default __ne__ inverts __eq__.
    const r = richDunder(ip, '==', a, b);
    if (r === NotImplemented) return NotImplemented;
    if (typeof r === 'boolean') return !r;
    return unaryOp(ip, 'not', r);
  }
  return NotImplemented;
}

/** `x op y` for an ordering op ('<', '<=', '>', '>=') on two numbers or two strings. */
function ordered<T extends number | string>(op: string, x: T, y: T): boolean {
  switch (op) {
    case '<':
      return x < y;
    case '<=':
      return x <= y;
    case '>':
      return x > y;
    default:
      return x >= y;
  }
}

function orderNative(ip: Interpreter, op: string, a: PyValue, b: PyValue): boolean | undefined {
  const x = numOf(a);
  if (x !== undefined) {
    const y = numOf(b);
    if (y === undefined) return undefined;
    return ordered(op, x, y);
  }
  if (typeof a === 'string') {
    if (typeof b !== 'string') return undefined;
    return ordered(op, a, b);
  }
  if ((a instanceof PyList && b instanceof PyList) || (a instanceof PyTuple && b instanceof PyTuple)) {
    const xa = a.items;
    const xb = (b as PyList | PyTuple).items;
    const n = Math.min(xa.length, xb.length);
    for (let i = 0; i < n; i++) {
      if (!eqBool(ip, xa[i], xb[i])) return ip.truthy(compareOp(ip, op as '<', xa[i], xb[i]));
    }
    return ordered(op, xa.length, xb.length);
  }
  if (a instanceof PySet && b instanceof PySet) {
    // a < b: a is a proper subset of b; a >= b: b is a subset of a.
    const [p, q] = op[0] === '<' ? [a, b] : [b, a];
    return [...p.map.keys()].every((k) => q.map.has(k)) && (op.length === 2 || p.map.size < q.map.size);
  }
  return undefined;
}

export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'is' | 'is not' | 'in' | 'not in';

/** One comparison `a op b`, returning Python's result (a bool, or whatever a rich comparison returned). */
export function compareOp(ip: Interpreter, op: CompareOp, a: PyValue, b: PyValue): PyValue {
  if (typeof a === 'number' && typeof b === 'number' && op !== 'in' && op !== 'not in') {
    // Two ints (the usual loop bound or shape check): no dunder lookup.
    if (op === '==' || op === 'is') return a === b;
    if (op === '!=' || op === 'is not') return a !== b;
    return ordered(op, a, b);
  }
  switch (op) {
    case '==':
      return eqValue(ip, a, b);
    case '!=': {
      if (a instanceof PyInstance || b instanceof PyInstance) {
        const r = richDunder(ip, '!=', a, b);
        if (r !== NotImplemented) return r;
        return a !== b;
      }
      const r = eqValue(ip, a, b);
      if (typeof r === 'boolean') return !r;
      return r instanceof PyOpaque ? r : !ip.truthy(r);
    }
    case 'is':
      return a === b;
    case 'is not':
      return a !== b;
    case 'in':
      return contains(ip, b, a);
    case 'not in':
      return !contains(ip, b, a);
  }
  if (typeof a === 'number' && typeof b === 'number') {
    return ordered(op, a, b);
  }
  if (a instanceof PyInstance || b instanceof PyInstance) {
    const r = richDunder(ip, op, a, b);
    if (r !== NotImplemented) return r;
  } else {
    const r = orderNative(ip, op, a, b);
    if (r !== undefined) return r;
  }
  if (a instanceof PyOpaque) return a;
  if (b instanceof PyOpaque) return b;
  return ip.raise('TypeError', `'${op}' not supported between instances of '${typeName(a)}' and '${typeName(b)}'`);
}

/** `item in container`. */
export function contains(ip: Interpreter, container: PyValue, item: PyValue): boolean {
  if (container instanceof PyList || container instanceof PyTuple) {
    const items = container.items;
    for (let i = 0; i < items.length; i++) if (eqBool(ip, items[i], item)) return true;
    return false;
  }
  if (typeof container === 'string') {
    if (typeof item !== 'string')
      ip.raise('TypeError', `'in <string>' requires string as left operand, not ${typeName(item)}`);
    return container.includes(item);
  }
  if (container instanceof PyDict) {
    ip.checkHashable(item);
    return container.map.has(hashKey(item));
  }
  if (container instanceof PySet) {
    ip.checkHashable(item);
    return container.map.has(hashKey(item));
  }
  if (container instanceof PyRange) {
    const n = numOf(item);
    if (n === undefined || !Number.isInteger(n)) return false;
    const { start, stop, step } = container;
    if (step > 0 ? n < start || n >= stop : n > start || n <= stop) return false;
    return (n - start) % step === 0;
  }
  if (container instanceof PyInstance || container instanceof PyClass) {
    const cls = typeOf(container);
    const f = lookupType(cls, '__contains__');
    if (f !== undefined && f !== null) return ip.truthy(ip.callMethod(f, container, [item]));
    const it = lookupType(cls, '__iter__');
    if (it === undefined && lookupType(cls, '__getitem__') === undefined)
      ip.raise('TypeError', `argument of type '${typeName(container)}' is not iterable`);
  } else if (container instanceof PyOpaque) return false;
  else if (!(container instanceof PyIterator) && !ip.isIterable(container))
    ip.raise('TypeError', `argument of type '${typeName(container)}' is not iterable`);
  const next = ip.iterFn(container);
  for (;;) {
    const v = next();
    if (v === STOP) return false;
    if (eqBool(ip, v, item)) return true;
  }
}

// ------------------------------------------------------------------ slicing

/** Python's slice.indices(len): start, stop, step and the resulting length. */
export function sliceIndices(ip: Interpreter, s: PySlice, len: number): [number, number, number, number] {
  let step = 1;
  if (s.step !== null) {
    step = ip.toIndex(s.step, 'slice indices must be integers or None or have an __index__ method');
    if (step === 0) ip.raise('ValueError', 'slice step cannot be zero');
  }
  const lower = step < 0 ? -1 : 0;
  const upper = step < 0 ? len - 1 : len;
  /** A start or stop: None → its default, negative → from the end, then clamped to [lower, upper]. */
  const bound = (v: PyValue, dflt: number): number => {
    if (v === null) return dflt;
    const i = ip.toIndex(v, 'slice indices must be integers or None or have an __index__ method');
    if (i < 0) return Math.max(i + len, lower);
    return Math.min(i, upper);
  };
  const start = bound(s.start, step < 0 ? upper : lower);
  const stop = bound(s.stop, step < 0 ? lower : upper);
  let count = 0;
  if (step < 0) {
    if (stop < start) count = Math.floor((start - stop - 1) / -step) + 1;
  } else if (start < stop) count = Math.floor((stop - start - 1) / step) + 1;
  return [start, stop, step, count];
}

export function sliceArray<T>(ip: Interpreter, items: T[], s: PySlice): T[] {
  const [start, stop, step, count] = sliceIndices(ip, s, items.length);
  if (step === 1) return items.slice(start, stop > start ? stop : start);
  const out: T[] = new Array(count);
  for (let i = 0, j = start; i < count; i++, j += step) out[i] = items[j];
  return out;
}

function sliceString(ip: Interpreter, str: string, s: PySlice): string {
  const [start, stop, step, count] = sliceIndices(ip, s, str.length);
  if (step === 1) return str.slice(start, stop > start ? stop : start);
  let out = '';
  for (let i = 0, j = start; i < count; i++, j += step) out += str[j];
  return out;
}

function seqIndex(ip: Interpreter, idx: PyValue, len: number, what: string, kind: string): number {
  let i: number;
  if (typeof idx === 'number') i = idx;
  else if (typeof idx === 'boolean') i = idx ? 1 : 0;
  else {
    const n = idx instanceof PyInstance ? ip.toIndexOrUndefined(idx) : undefined;
    if (n === undefined) {
      if (kind === 'str') return ip.raise('TypeError', `string indices must be integers, not '${typeName(idx)}'`);
      return ip.raise('TypeError', `${kind} indices must be integers or slices, not ${typeName(idx)}`);
    }
    i = n;
  }
  if (i < 0) i += len;
  if (i < 0 || i >= len) ip.raise('IndexError', `${what} index out of range`);
  return i;
}

/** obj[idx] for builtin containers; instances dispatch to __getitem__. */
export function getItem(ip: Interpreter, obj: PyValue, idx: PyValue): PyValue {
  if (idx instanceof PyOpaque && !(obj instanceof PyInstance)) return new PyOpaque(`${typeName(obj)}[${idx.label}]`);
  if (obj instanceof PyList) {
    if (typeof idx === 'number') {
      const items = obj.items;
      const i = idx < 0 ? idx + items.length : idx;
      if (i >= 0 && i < items.length) return items[i];
    }
    if (idx instanceof PySlice) return new PyList(sliceArray(ip, obj.items, idx));
    return obj.items[seqIndex(ip, idx, obj.items.length, 'list', 'list')];
  }
  if (obj instanceof PyTuple) {
    if (idx instanceof PySlice) return new PyTuple(sliceArray(ip, obj.items, idx), obj.isSize);
    return obj.items[seqIndex(ip, idx, obj.items.length, 'tuple', 'tuple')];
  }
  if (obj instanceof PyDict) {
    ip.checkHashable(idx);
    const e = obj.map.get(hashKey(idx));
    if (e === undefined) ip.raiseKeyError(idx);
    return e.value;
  }
  if (typeof obj === 'string') {
    if (idx instanceof PySlice) return sliceString(ip, obj, idx);
    return obj[seqIndex(ip, idx, obj.length, 'string', 'str')];
  }
  if (obj instanceof PyInstance || obj instanceof PyClass) return ip.getItemDunder(obj, idx);
  if (obj instanceof PyRange) {
    const len = obj.length;
    if (idx instanceof PySlice) {
      const [start, , step, count] = sliceIndices(ip, idx, len);
      const s0 = obj.start + start * obj.step;
      const st = obj.step * step;
      return new PyRange(s0, s0 + count * st, st);
    }
    const i = seqIndex(ip, idx, len, 'range object', 'range');
    return obj.start + i * obj.step;
  }
  if (obj instanceof PyOpaque) return new PyOpaque(obj.label + '[]');
  return ip.raise('TypeError', `'${typeName(obj)}' object is not subscriptable`);
}

/** obj[idx] = value. */
export function setItem(ip: Interpreter, obj: PyValue, idx: PyValue, value: PyValue): void {
  if (obj instanceof PyList) {
    if (idx instanceof PySlice) {
      const items = ip.iterate(value);
      const [start, stop, step, count] = sliceIndices(ip, idx, obj.items.length);
      if (step === 1) {
        obj.items.splice(start, Math.max(0, stop - start), ...items);
        return;
      }
      if (items.length !== count)
        ip.raise('ValueError', `attempt to assign sequence of size ${items.length} to extended slice of size ${count}`);
      for (let i = 0, j = start; i < count; i++, j += step) obj.items[j] = items[i];
      return;
    }
    const i = seqIndex(ip, idx, obj.items.length, 'list assignment', 'list');
    obj.items[i] = value;
    return;
  }
  if (obj instanceof PyDict) {
    ip.checkHashable(idx);
    obj.set(idx, value);
    return;
  }
  if (obj instanceof PyInstance) {
    const f = lookupType(obj.cls, '__setitem__');
    if (f !== undefined && f !== null) {
      ip.callMethod(f, obj, [idx, value]);
      return;
    }
  }
  if (obj instanceof PyOpaque) return;
  ip.raise('TypeError', `'${typeName(obj)}' object does not support item assignment`);
}

/** del obj[idx]. */
export function delItem(ip: Interpreter, obj: PyValue, idx: PyValue): void {
  if (obj instanceof PyList) {
    if (idx instanceof PySlice) {
      const [start, stop, step, count] = sliceIndices(ip, idx, obj.items.length);
      if (step === 1) {
        obj.items.splice(start, Math.max(0, stop - start));
        return;
      }
      const drop = new Set<number>();
      for (let i = 0, j = start; i < count; i++, j += step) drop.add(j);
      obj.items = obj.items.filter((_, i) => !drop.has(i));
      return;
    }
    const i = seqIndex(ip, idx, obj.items.length, 'list assignment', 'list');
    obj.items.splice(i, 1);
    return;
  }
  if (obj instanceof PyDict) {
    ip.checkHashable(idx);
    if (!obj.delete(idx)) ip.raiseKeyError(idx);
    return;
  }
  if (obj instanceof PyInstance) {
    const f = lookupType(obj.cls, '__delitem__');
    if (f !== undefined && f !== null) {
      ip.callMethod(f, obj, [idx]);
      return;
    }
  }
  if (obj instanceof PyOpaque) return;
  ip.raise('TypeError', `'${typeName(obj)}' object doesn't support item deletion`);
}
