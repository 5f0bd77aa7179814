// The `builtins` namespace (print, len, range, isinstance, sorted, …) and the methods of object, type,
// the exception classes, property/staticmethod/classmethod and super. Container and str methods live in
// typeMethods.ts. Builtins are shared by every run: they hold no state and reach the run through ctx.interp.

import {
  BaseException,
  ExceptionCls,
  boolClass,
  builtin,
  builtinFunctionClass,
  bytesClass,
  classmethodClass,
  complexClass,
  defMethod,
  dictClass,
  exceptionClasses,
  floatClass,
  frozensetClass,
  intClass,
  isSubclass,
  listClass,
  lookupType,
  metaclassOf,
  objectClass,
  propertyClass,
  rangeClass,
  setClass,
  sliceClass,
  staticmethodClass,
  strClass,
  superClass,
  tupleClass,
  typeClass,
  typeName,
  typeOf,
} from './builtinTypes';
import type { Interpreter } from './interpreter';
import { argOr, hooks, ipOf, nonBindingBuiltins, unwrap } from './helpers';
import { DictView } from './objects';
import { binop, compareOp, eqBool, numOf } from './operators';
import { floatRepr, intRepr, toFixedExact } from './strings';
import { installTypeMethods, lenOf, sortValues } from './typeMethods';
import {
  Ellipsis,
  NotImplemented,
  PyBoundMethod,
  PyBuiltinFunction,
  PyClass,
  PyClassMethod,
  PyDict,
  PyFloat,
  PyFunction,
  PyInstance,
  PyIterator,
  PyList,
  PyModuleObject,
  PyOpaque,
  PyProperty,
  PyRaise,
  PyRange,
  PySet,
  PySlice,
  PyStaticMethod,
  PyTuple,
  STOP,
  objectId,
  type CallArgs,
  type CallContext,
  type ExceptionState,
  type PyValue,
} from './values';

export const builtinsDict = new Map<string, PyValue>();
function fn(name: string, f: (c: CallArgs, ctx: CallContext) => PyValue): void {
  const b = builtin(name, f);
  nonBindingBuiltins.add(b);
  builtinsDict.set(name, b);
}

// ================================================================ object / type

function setOn(cls: PyClass, name: string, f: (c: CallArgs, ctx: CallContext) => PyValue): PyBuiltinFunction {
  const b = new PyBuiltinFunction(name, f, `${cls.name}.${name}`);
  cls.dict.set(name, b);
  return b;
}

export const objectMethods = {
  __new__: setOn(objectClass, '__new__', (c, ctx) => {
    const cls = c.args[0];
    if (!(cls instanceof PyClass)) return ipOf(ctx).raise('TypeError', 'object.__new__(X): X is not a type object');
    return new PyInstance(cls);
  }),
  __init__: setOn(objectClass, '__init__', () => null),
  __repr__: setOn(objectClass, '__repr__', (c, ctx) => ipOf(ctx).objectRepr(c.args[0])),
  __str__: setOn(objectClass, '__str__', (c, ctx) => {
    const self = c.args[0];
    return self instanceof PyInstance ? ipOf(ctx).instanceRepr(self) : ipOf(ctx).repr(self);
  }),
  __format__: setOn(objectClass, '__format__', (c, ctx) => {
    const spec = c.args[1];
    if (spec !== '' && spec !== undefined)
      ipOf(ctx).raise('TypeError', `unsupported format string passed to ${typeName(c.args[0])}.__format__`);
    return ipOf(ctx).str(c.args[0]);
  }),
  __eq__: setOn(objectClass, '__eq__', (c) => (c.args[0] === c.args[1] ? true : NotImplemented)),
  __ne__: setOn(objectClass, '__ne__', (c) => (c.args[0] === c.args[1] ? false : NotImplemented)),
  __hash__: setOn(objectClass, '__hash__', (c) => objectId(c.args[0] as object)),
  __setattr__: setOn(objectClass, '__setattr__', (c, ctx) => {
    const [self, name, value] = c.args;
    if (typeof name !== 'string') return ipOf(ctx).raise('TypeError', `attribute name must be string, not '${typeName(name)}'`);
    if (self instanceof PyInstance) ipOf(ctx).genericSetAttr(self, name, value);
    else ipOf(ctx).setAttr(self, name, value);
    return null;
  }),
  __getattribute__: setOn(objectClass, '__getattribute__', (c, ctx) => {
    const name = c.args[1];
    if (typeof name !== 'string') return ipOf(ctx).raise('TypeError', 'attribute name must be string');
    return ipOf(ctx).getAttr(c.args[0], name);
  }),
  __delattr__: setOn(objectClass, '__delattr__', (c, ctx) => {
    const [self, name] = c.args;
    if (self instanceof PyInstance && typeof name === 'string') {
      if (!self.dict.delete(name)) ipOf(ctx).attributeError(self, name);
    }
    return null;
  }),
  __init_subclass__: setOn(objectClass, '__init_subclass__', () => null),
  __dir__: setOn(objectClass, '__dir__', (c, ctx) => dirOf(ipOf(ctx), c.args[0])),
};
objectClass.dict.set('__doc__', 'The base class of the class hierarchy.');

setOn(typeClass, '__new__', (c, ctx) => {
  const ip = ipOf(ctx);
  const [mcs, ...rest] = c.args;
  if (rest.length === 1 && c.kwargs.size === 0) return typeOf(rest[0]);
  if (rest.length !== 3) return ip.raise('TypeError', 'type() takes 1 or 3 arguments');
  const [name, bases, ns] = rest;
  if (typeof name !== 'string') return ip.raise('TypeError', `type.__new__() argument 1 must be str, not ${typeName(name)}`);
  const baseList: PyClass[] = [];
  let opaque = false;
  for (const b of ip.iterate(bases)) {
    if (b instanceof PyClass) baseList.push(b);
    else opaque = true;
  }
  const map = new Map<string, PyValue>();
  if (ns instanceof PyDict) for (const e of ns.map.values()) if (typeof e.key === 'string') map.set(e.key, e.value);
  if (!map.has('__module__')) {
    const m = ip.currentModuleInfo();
    map.set('__module__', m ? m.name : '__main__');
  }
  const meta = mcs instanceof PyClass ? mcs : typeClass;
  return ip.buildClass(meta, name, baseList, map, opaque, undefined, c.kwargs);
});
setOn(typeClass, '__init__', () => null);
hooks.typeCall = setOn(typeClass, '__call__', (c, ctx) => {
  const [cls, ...rest] = c.args;
  if (!(cls instanceof PyClass)) return ipOf(ctx).raise('TypeError', "descriptor '__call__' requires a 'type' object");
  return ipOf(ctx).typeCall(cls, rest, c.kwargs, ctx.span);
});
setOn(typeClass, 'mro', (c) => new PyList([...(c.args[0] as PyClass).mro]));
setOn(typeClass, '__subclasses__', () => new PyList([]));
setOn(typeClass, '__instancecheck__', (c, ctx) => ipOf(ctx).isInstance(c.args[1], c.args[0] as PyClass));
setOn(typeClass, '__subclasscheck__', (c, ctx) => ipOf(ctx).isSubclassOf(c.args[1], c.args[0]));
setOn(typeClass, '__repr__', (c, ctx) => ipOf(ctx).repr(c.args[0]));

// ================================================================ exceptions

function excState(v: PyValue): ExceptionState {
  if (v instanceof PyInstance) {
    if (!v.native || typeof v.native !== 'object' || !('args' in (v.native as object))) v.native = { args: [] } satisfies ExceptionState;
    return v.native as ExceptionState;
  }
  return { args: [] };
}

setOn(BaseException, '__new__', (c, ctx) => {
  const cls = c.args[0];
  if (!(cls instanceof PyClass)) return ipOf(ctx).raise('TypeError', 'BaseException.__new__(X): X is not a type object');
  const inst = new PyInstance(cls);
  inst.native = { args: c.args.slice(1) } satisfies ExceptionState;
  return inst;
});
setOn(BaseException, '__init__', (c) => {
  excState(c.args[0]).args = c.args.slice(1);
  return null;
});
setOn(BaseException, '__str__', (c, ctx) => {
  const args = excState(c.args[0]).args;
  if (args.length === 0) return '';
  if (args.length === 1) return ipOf(ctx).str(args[0]);
  return ipOf(ctx).repr(new PyTuple(args));
});
setOn(BaseException, '__repr__', (c, ctx) => {
  const self = c.args[0] as PyInstance;
  const args = excState(self).args;
  const inner = args.length === 1 ? ipOf(ctx).repr(args[0]) : args.map((a) => ipOf(ctx).repr(a)).join(', ');
  return `${self.cls.name}(${inner})`;
});
setOn(BaseException, 'with_traceback', (c) => c.args[0]);
setOn(BaseException, 'add_note', () => null);
BaseException.dict.set('args', new PyProperty(builtin('args', (c) => new PyTuple(excState(c.args[0]).args))));
BaseException.dict.set('__cause__', null);
BaseException.dict.set('__context__', null);
BaseException.dict.set('__traceback__', null);
BaseException.dict.set('__suppress_context__', false);
{
  const keyError = exceptionClasses.get('KeyError')!;
  setOn(keyError, '__str__', (c, ctx) => {
    const args = excState(c.args[0]).args;
    if (args.length === 1) return ipOf(ctx).repr(args[0]);
    if (args.length === 0) return '';
    return ipOf(ctx).repr(new PyTuple(args));
  });
  const stop = exceptionClasses.get('StopIteration')!;
  stop.dict.set('value', new PyProperty(builtin('value', (c) => excState(c.args[0]).args[0] ?? null)));
  const sysExit = exceptionClasses.get('SystemExit')!;
  sysExit.dict.set('code', new PyProperty(builtin('code', (c) => excState(c.args[0]).args[0] ?? null)));
  for (const name of ['ImportError', 'ModuleNotFoundError']) {
    exceptionClasses.get(name)!.dict.set('name', null);
  }
  const syntax = exceptionClasses.get('SyntaxError')!;
  syntax.dict.set('msg', new PyProperty(builtin('msg', (c) => excState(c.args[0]).args[0] ?? null)));
}

// ================================================================ property / staticmethod / classmethod / super

setOn(propertyClass, '__new__', (c) => new PyProperty(argOr(c, 1, 'fget', null), argOr(c, 2, 'fset', null)));
setOn(propertyClass, 'setter', (c) => new PyProperty((c.args[0] as PyProperty).fget, c.args[1]));
setOn(propertyClass, 'getter', (c) => new PyProperty(c.args[1], (c.args[0] as PyProperty).fset));
setOn(propertyClass, 'deleter', (c) => c.args[0]);
setOn(propertyClass, '__get__', (c, ctx) => {
  const p = c.args[0] as PyProperty;
  const obj = c.args[1];
  if (obj === null || obj === undefined) return p;
  return p.fget === null ? null : ipOf(ctx).call(p.fget, [obj]);
});
setOn(staticmethodClass, '__new__', (c) => new PyStaticMethod(c.args[1] ?? null));
setOn(classmethodClass, '__new__', (c) => new PyClassMethod(c.args[1] ?? null));
setOn(superClass, '__new__', (c, ctx) => ipOf(ctx).makeSuper(c.args.slice(1)));

// ================================================================ constructors of builtin types

function parseIntStr(ip: Interpreter, s: string, base: number): number {
  const orig = s;
  let t = s.trim();
  let neg = false;
  if (t[0] === '+' || t[0] === '-') {
    neg = t[0] === '-';
    t = t.slice(1);
  }
  const lower = t.toLowerCase();
  let b = base;
  const prefixes: Record<string, number> = { '0x': 16, '0o': 8, '0b': 2 };
  const pre = lower.slice(0, 2);
  if (prefixes[pre] !== undefined && (b === 0 || b === prefixes[pre])) {
    b = prefixes[pre];
    t = t.slice(2).replace(/^_/, '');
  } else if (b === 0) {
    if (/^0+(_?0)*$/.test(t)) return 0;
    if (t[0] === '0' && t.length > 1) b = -1;
    else b = 10;
  }
  const digits = '0123456789abcdefghijklmnopqrstuvwxyz'.slice(0, Math.max(b, 0));
  const valid = b >= 2 && t.length > 0 && !t.startsWith('_') && !t.endsWith('_') && !t.includes('__') && [...t.toLowerCase().replace(/_/g, '')].every((ch) => digits.includes(ch));
  if (!valid) ip.raise('ValueError', `invalid literal for int() with base ${base}: ${ip.repr(orig)}`);
  const clean = t.replace(/_/g, '').toLowerCase();
  let n: number;
  if (b === 10) n = clean.length > 15 ? Number(BigInt(clean)) : parseInt(clean, 10);
  else {
    let big = 0n;
    for (const ch of clean) big = big * BigInt(b) + BigInt(digits.indexOf(ch));
    n = Number(big);
  }
  return neg ? -n : n;
}

function toIntValue(ip: Interpreter, v: PyValue, base: PyValue | undefined): PyValue {
  if (base !== undefined && base !== null) {
    const b = ip.toInt(base);
    const s = unwrap(v);
    if (typeof s !== 'string') return ip.raise('TypeError', "int() can't convert non-string with explicit base");
    if (b !== 0 && (b < 2 || b > 36)) ip.raise('ValueError', 'int() base must be >= 2 and <= 36, or 0');
    return parseIntStr(ip, s, b);
  }
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') return parseIntStr(ip, v, 10);
  if (v instanceof PyFloat) {
    if (v.v !== v.v) ip.raise('ValueError', 'cannot convert float NaN to integer');
    if (!isFinite(v.v)) ip.raise('OverflowError', 'cannot convert float infinity to integer');
    return Math.trunc(v.v) || 0;
  }
  if (v instanceof PyInstance) {
    for (const name of ['__int__', '__index__', '__trunc__']) {
      const f = lookupType(v.cls, name);
      if (f !== undefined && f !== null) return ip.callMethod(f, v, []);
    }
    const n = unwrap(v);
    if (n !== v) return toIntValue(ip, n, undefined);
  }
  if (v instanceof PyOpaque) return v;
  return ip.raise('TypeError', `int() argument must be a string, a bytes-like object or a real number, not '${typeName(v)}'`);
}

// Unambiguous (no nested optional repetition), so long inputs cannot make it backtrack.
const FLOAT_RE = /^[+-]?(\d+(_\d+)*)?(\.(\d+(_\d+)*)?)?([eE][+-]?\d+(_\d+)*)?$/;

export function toFloatValue(ip: Interpreter, v: PyValue): PyValue {
  if (v instanceof PyFloat) return v;
  if (typeof v === 'number') return new PyFloat(v);
  if (typeof v === 'boolean') return new PyFloat(v ? 1 : 0);
  if (typeof v === 'string') {
    const t = v.trim().toLowerCase();
    const m = /^([+-]?)(inf|infinity|nan)$/.exec(t);
    if (m) return new PyFloat(m[2] === 'nan' ? NaN : m[1] === '-' ? -Infinity : Infinity);
    if (t && FLOAT_RE.test(t) && /\d/.test(t.replace(/e.*$/, ''))) return new PyFloat(Number(t.replace(/_/g, '')));
    return ip.raise('ValueError', `could not convert string to float: ${ip.repr(v)}`);
  }
  if (v instanceof PyInstance) {
    const f = lookupType(v.cls, '__float__');
    if (f !== undefined && f !== null) return ip.callMethod(f, v, []);
    const i = lookupType(v.cls, '__index__');
    if (i !== undefined && i !== null) return new PyFloat(ip.toNumber(ip.callMethod(i, v, [])));
    const n = unwrap(v);
    if (n !== v) return toFloatValue(ip, n);
  }
  if (v instanceof PyOpaque) return v;
  return ip.raise('TypeError', `float() argument must be a string or a real number, not '${typeName(v)}'`);
}

/** Creates an instance of a user subclass of a builtin type, wrapping `native`. */
function subclassInstance(cls: PyClass, native: PyValue): PyInstance {
  const inst = new PyInstance(cls);
  inst.native = native;
  return inst;
}

setOn(intClass, '__new__', (c, ctx) => {
  const cls = c.args[0] as PyClass;
  const x = argOr(c, 1, 'x', 0);
  const base = c.args.length > 2 ? c.args[2] : c.kwargs.get('base');
  const v = toIntValue(ipOf(ctx), x, base);
  return cls === intClass ? v : subclassInstance(cls, v);
});
setOn(boolClass, '__new__', (c, ctx) => (c.args.length > 1 ? ipOf(ctx).truthy(c.args[1]) : false));
setOn(floatClass, '__new__', (c, ctx) => {
  const cls = c.args[0] as PyClass;
  const v = c.args.length > 1 ? toFloatValue(ipOf(ctx), c.args[1]) : new PyFloat(0);
  return cls === floatClass ? v : subclassInstance(cls, v);
});
setOn(strClass, '__new__', (c, ctx) => {
  const cls = c.args[0] as PyClass;
  const v = c.args.length > 1 ? ipOf(ctx).str(c.args[1]) : c.kwargs.has('object') ? ipOf(ctx).str(c.kwargs.get('object')!) : '';
  return cls === strClass ? v : subclassInstance(cls, v);
});
setOn(listClass, '__new__', (c, ctx) => {
  const cls = c.args[0] as PyClass;
  if (cls !== listClass) return subclassInstance(cls, new PyList([]));
  return new PyList(c.args.length > 1 ? ipOf(ctx).iterate(c.args[1]) : []);
});
setOn(listClass, '__init__', (c, ctx) => {
  const self = unwrap(c.args[0]);
  if (self instanceof PyList && c.args.length > 1) self.items = ipOf(ctx).iterate(c.args[1]);
  return null;
});
setOn(tupleClass, '__new__', (c, ctx) => {
  const cls = c.args[0] as PyClass;
  const src = c.args.length > 1 ? c.args[1] : undefined;
  if (cls === tupleClass && src instanceof PyTuple && !src.isSize) return src;
  const t = new PyTuple(src === undefined ? [] : ipOf(ctx).iterate(src));
  return cls === tupleClass ? t : subclassInstance(cls, t);
});
setOn(dictClass, '__new__', (c, ctx) => {
  const cls = c.args[0] as PyClass;
  if (cls !== dictClass) return subclassInstance(cls, new PyDict());
  const d = new PyDict();
  if (c.args.length > 1) ipOf(ctx).dictUpdate(d, c.args[1]);
  for (const [k, v] of c.kwargs) d.set(k, v);
  return d;
});
setOn(dictClass, '__init__', (c, ctx) => {
  const self = unwrap(c.args[0]);
  if (self instanceof PyDict && c.args[0] instanceof PyInstance) {
    if (c.args.length > 1) ipOf(ctx).dictUpdate(self, c.args[1]);
    for (const [k, v] of c.kwargs) self.set(k, v);
  }
  return null;
});
function makeSet(ip: Interpreter, src: PyValue | undefined, frozen: boolean): PySet {
  const s = new PySet(frozen);
  if (src !== undefined)
    for (const v of ip.iterate(src)) {
      ip.checkHashable(v);
      s.add(v);
    }
  return s;
}
setOn(setClass, '__new__', (c, ctx) => {
  const cls = c.args[0] as PyClass;
  if (cls !== setClass) return subclassInstance(cls, new PySet());
  return makeSet(ipOf(ctx), c.args[1], false);
});
setOn(setClass, '__init__', (c, ctx) => {
  const self = unwrap(c.args[0]);
  if (self instanceof PySet && c.args[0] instanceof PyInstance && c.args.length > 1)
    for (const v of ipOf(ctx).iterate(c.args[1])) self.add(v);
  return null;
});
setOn(frozensetClass, '__new__', (c, ctx) => makeSet(ipOf(ctx), c.args[1], true));
setOn(rangeClass, '__new__', (c, ctx) => {
  const ip = ipOf(ctx);
  const a = c.args.slice(1);
  if (a.some((x) => x instanceof PyOpaque)) return new PyRange(0, 0, 1);
  if (a.length === 0) return ip.raise('TypeError', 'range expected at least 1 argument, got 0');
  if (a.length > 3) return ip.raise('TypeError', `range expected at most 3 arguments, got ${a.length}`);
  const n = a.map((x) => ip.toIndex(x));
  if (n.length === 1) return new PyRange(0, n[0], 1);
  if (n.length === 3 && n[2] === 0) return ip.raise('ValueError', 'range() arg 3 must not be zero');
  return new PyRange(n[0], n[1], n.length === 3 ? n[2] : 1);
});
setOn(sliceClass, '__new__', (c) => {
  const a = c.args.slice(1);
  if (a.length === 1) return new PySlice(null, a[0], null);
  return new PySlice(a[0] ?? null, a[1] ?? null, a[2] ?? null);
});
setOn(complexClass, '__new__', () => new PyOpaque('complex'));
setOn(bytesClass, '__new__', () => new PyOpaque('bytes'));

installTypeMethods();

// ================================================================ builtin functions

for (const cls of [objectClass, typeClass, intClass, boolClass, floatClass, strClass, listClass, tupleClass, dictClass, setClass, frozensetClass, rangeClass, sliceClass, propertyClass, staticmethodClass, classmethodClass, superClass, complexClass, bytesClass])
  builtinsDict.set(cls.name, cls);
builtinsDict.set('bytearray', bytesClass);
for (const [name, cls] of exceptionClasses) builtinsDict.set(name, cls);
builtinsDict.set('NotImplemented', NotImplemented);
builtinsDict.set('Ellipsis', Ellipsis);
builtinsDict.set('__debug__', true);
builtinsDict.set('None', null);
builtinsDict.set('True', true);
builtinsDict.set('False', false);

fn('print', (c, ctx) => {
  const ip = ipOf(ctx);
  const sepV = c.kwargs.get('sep');
  const endV = c.kwargs.get('end');
  const sep = sepV === undefined || sepV === null ? ' ' : ip.str(sepV);
  const end = endV === undefined || endV === null ? '\n' : ip.str(endV);
  let out = '';
  for (let i = 0; i < c.args.length; i++) {
    if (i > 0) out += sep;
    out += ip.str(c.args[i]);
  }
  ip.trace.onPrint(out + end);
  return null;
});

fn('len', (c, ctx) => {
  if (c.args.length !== 1) ipOf(ctx).raise('TypeError', `len() takes exactly one argument (${c.args.length} given)`);
  return lenOf(ipOf(ctx), c.args[0]);
});
fn('isinstance', (c, ctx) => {
  if (c.args.length !== 2) ipOf(ctx).raise('TypeError', `isinstance expected 2 arguments, got ${c.args.length}`);
  return ipOf(ctx).isInstanceOf(c.args[0], c.args[1]);
});
fn('issubclass', (c, ctx) => {
  if (c.args.length !== 2) ipOf(ctx).raise('TypeError', `issubclass expected 2 arguments, got ${c.args.length}`);
  return ipOf(ctx).isSubclassOf(c.args[0], c.args[1]);
});

fn('repr', (c, ctx) => ipOf(ctx).repr(c.args[0]));
fn('ascii', (c, ctx) =>
  ipOf(ctx)
    .repr(c.args[0])
    .replace(/[\u0080-\uffff]/g, (ch) => {
      const n = ch.charCodeAt(0);
      return n < 0x100 ? '\\x' + n.toString(16).padStart(2, '0') : '\\u' + n.toString(16).padStart(4, '0');
    }),
);
fn('format', (c, ctx) => {
  const spec = argOr(c, 1, 'format_spec', '');
  return ipOf(ctx).format(c.args[0], typeof spec === 'string' ? spec : ipOf(ctx).str(spec));
});

fn('abs', (c, ctx) => {
  const v = c.args[0];
  if (typeof v === 'number') return Math.abs(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof PyFloat) return new PyFloat(Math.abs(v.v));
  if (v instanceof PyInstance) {
    const f = lookupType(v.cls, '__abs__');
    if (f !== undefined && f !== null) return ipOf(ctx).callMethod(f, v, []);
  }
  if (v instanceof PyOpaque) return v;
  return ipOf(ctx).raise('TypeError', `bad operand type for abs(): '${typeName(v)}'`);
});

function minMax(name: 'min' | 'max', c: CallArgs, ctx: CallContext): PyValue {
  const ip = ipOf(ctx);
  const key = c.kwargs.get('key') ?? null;
  const dflt = c.kwargs.get('default');
  let items: PyValue[];
  if (c.args.length === 0) return ip.raise('TypeError', `${name} expected at least 1 argument, got 0`);
  if (c.args.length === 1) items = ip.iterate(c.args[0]);
  else {
    if (dflt !== undefined) ip.raise('TypeError', `Cannot specify a default for ${name}() with multiple positional arguments`);
    items = c.args;
  }
  if (items.length === 0) {
    if (dflt !== undefined) return dflt;
    return ip.raise('ValueError', `${name}() arg is an empty sequence`);
  }
  const op = name === 'max' ? '>' : '<';
  let best = items[0];
  let bestKey = key !== null ? ip.call(key, [best]) : best;
  for (let i = 1; i < items.length; i++) {
    const k = key !== null ? ip.call(key, [items[i]]) : items[i];
    if (ip.truthy(compareOp(ip, op, k, bestKey))) {
      best = items[i];
      bestKey = k;
    }
  }
  return best;
}
fn('min', (c, ctx) => minMax('min', c, ctx));
fn('max', (c, ctx) => minMax('max', c, ctx));

fn('sum', (c, ctx) => {
  const ip = ipOf(ctx);
  let acc: PyValue = argOr(c, 1, 'start', 0);
  if (typeof acc === 'string') return ip.raise('TypeError', "sum() can't sum strings [use ''.join(seq) instead]");
  const next = ip.iterFn(c.args[0]);
  let intAcc = typeof acc === 'number' ? acc : undefined;
  let floatAcc: number | undefined;
  for (;;) {
    const v = next();
    if (v === STOP) break;
    if (intAcc !== undefined && (typeof v === 'number' || typeof v === 'boolean')) {
      intAcc += v === true ? 1 : v === false ? 0 : v;
      continue;
    }
    if ((intAcc !== undefined || floatAcc !== undefined) && v instanceof PyFloat) {
      floatAcc = (floatAcc ?? intAcc!) + v.v;
      intAcc = undefined;
      continue;
    }
    if (floatAcc !== undefined && (typeof v === 'number' || typeof v === 'boolean')) {
      floatAcc += v === true ? 1 : v === false ? 0 : v;
      continue;
    }
    if (intAcc !== undefined) acc = intAcc;
    else if (floatAcc !== undefined) acc = new PyFloat(floatAcc);
    intAcc = undefined;
    floatAcc = undefined;
    acc = binop(ip, '+', acc, v);
  }
  if (intAcc !== undefined) return intAcc;
  if (floatAcc !== undefined) return new PyFloat(floatAcc);
  return acc;
});

fn('round', (c, ctx) => {
  const ip = ipOf(ctx);
  const v = c.args[0];
  const nd = argOr(c, 1, 'ndigits', null);
  if (v instanceof PyInstance) {
    const f = lookupType(v.cls, '__round__');
    if (f !== undefined && f !== null) return ip.callMethod(f, v, nd === null ? [] : [nd]);
  }
  if (v instanceof PyOpaque) return v;
  const x = numOf(v);
  if (x === undefined) return ip.raise('TypeError', `type ${typeName(v)} doesn't define __round__ method`);
  const isInt = typeof v === 'number' || typeof v === 'boolean';
  if (nd === null) {
    if (isInt) return x;
    if (x !== x) return ip.raise('ValueError', 'cannot convert float NaN to integer');
    if (!isFinite(x)) return ip.raise('OverflowError', 'cannot convert float infinity to integer');
    return roundHalfEven(x);
  }
  const n = ip.toInt(nd);
  if (isInt) {
    if (n >= 0) return x;
    const p = Math.pow(10, -n);
    return roundHalfEven(x / p) * p;
  }
  if (!isFinite(x)) return v;
  if (n >= 0) {
    const s = toFixedExact(x, Math.min(n, 340));
    const r = Number(s);
    return new PyFloat(x < 0 ? -r : r);
  }
  const p = Math.pow(10, -n);
  return new PyFloat(roundHalfEven(x / p) * p);
});

export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f || 0;
  return f % 2 === 0 ? f || 0 : f + 1;
}

fn('sorted', (c, ctx) => {
  const ip = ipOf(ctx);
  if (c.args.length !== 1) ip.raise('TypeError', `sorted expected 1 argument, got ${c.args.length}`);
  const items = ip.iterate(c.args[0]);
  return new PyList(sortValues(ip, items, c.kwargs.get('key') ?? null, ip.truthy(c.kwargs.get('reverse') ?? false)));
});

fn('reversed', (c, ctx) => {
  const ip = ipOf(ctx);
  const v = c.args[0];
  if (v instanceof PyInstance) {
    const f = lookupType(v.cls, '__reversed__');
    if (f !== undefined && f !== null) return ip.callMethod(f, v, []);
  }
  let items: PyValue[];
  if (v instanceof PyList || v instanceof PyTuple) items = v.items.slice();
  else if (typeof v === 'string' || v instanceof PyRange || v instanceof PyDict || v instanceof DictView || v instanceof PyInstance)
    items = ip.iterate(v);
  else if (v instanceof PyOpaque) items = [];
  else return ip.raise('TypeError', `'${typeName(v)}' object is not reversible`);
  let i = items.length;
  return new PyIterator(() => (i > 0 ? items[--i] : STOP), 'list_reverseiterator');
});

fn('enumerate', (c, ctx) => {
  const ip = ipOf(ctx);
  const next = ip.iterFn(argOr(c, 0, 'iterable', null));
  let i = ip.toInt(argOr(c, 1, 'start', 0));
  return new PyIterator(() => {
    const v = next();
    if (v === STOP) return STOP;
    return new PyTuple([i++, v]);
  }, 'enumerate');
});

fn('zip', (c, ctx) => {
  const ip = ipOf(ctx);
  const nexts = c.args.map((a) => ip.iterFn(a));
  const strict = ip.truthy(c.kwargs.get('strict') ?? false);
  let done = nexts.length === 0;
  return new PyIterator(() => {
    if (done) return STOP;
    const out: PyValue[] = [];
    for (let i = 0; i < nexts.length; i++) {
      const v = nexts[i]();
      if (v === STOP) {
        done = true;
        if (strict) {
          if (i > 0) ip.raise('ValueError', `zip() argument ${i + 1} is shorter than argument${i > 1 ? 's 1-' + i : ' 1'}`);
          for (let j = 1; j < nexts.length; j++)
            if (nexts[j]() !== STOP) ip.raise('ValueError', `zip() argument ${j + 1} is longer than argument${j > 1 ? 's 1-' + j : ' 1'}`);
        }
        return STOP;
      }
      out.push(v);
    }
    return new PyTuple(out);
  }, 'zip');
});

fn('map', (c, ctx) => {
  const ip = ipOf(ctx);
  const f = c.args[0];
  const nexts = c.args.slice(1).map((a) => ip.iterFn(a));
  if (nexts.length === 0) ip.raise('TypeError', 'map() must have at least two arguments.');
  return new PyIterator(() => {
    const vals: PyValue[] = [];
    for (const n of nexts) {
      const v = n();
      if (v === STOP) return STOP;
      vals.push(v);
    }
    return ip.call(f, vals);
  }, 'map');
});

fn('filter', (c, ctx) => {
  const ip = ipOf(ctx);
  const f = c.args[0];
  const next = ip.iterFn(c.args[1]);
  return new PyIterator(() => {
    for (;;) {
      const v = next();
      if (v === STOP) return STOP;
      if (ip.truthy(f === null ? v : ip.call(f, [v]))) return v;
    }
  }, 'filter');
});

fn('iter', (c, ctx) => {
  const ip = ipOf(ctx);
  const v = c.args[0];
  if (c.args.length === 2) {
    const sentinel = c.args[1];
    let done = false;
    return new PyIterator(() => {
      if (done) return STOP;
      const r = ip.call(v, []);
      if (eqBool(ip, r, sentinel)) {
        done = true;
        return STOP;
      }
      return r;
    }, 'callable_iterator');
  }
  if (v instanceof PyIterator) return v;
  if (v instanceof PyInstance) {
    const f = lookupType(v.cls, '__iter__');
    if (f !== undefined && f !== null) {
      const r = ip.callMethod(f, v, []);
      if (r instanceof PyIterator || r instanceof PyInstance) return r;
      return new PyIterator(ip.nextFnOfIterator(r), 'iterator');
    }
  }
  if (v instanceof PyOpaque) return new PyIterator(() => STOP, 'iterator');
  const label =
    v instanceof PyList ? 'list_iterator' : v instanceof PyTuple ? 'tuple_iterator' : typeof v === 'string' ? 'str_ascii_iterator' : v instanceof PyRange ? 'range_iterator' : v instanceof PyDict ? 'dict_keyiterator' : 'iterator';
  return new PyIterator(ip.iterFn(v), label);
});

fn('next', (c, ctx) => {
  const ip = ipOf(ctx);
  const it = c.args[0];
  const hasDefault = c.args.length > 1;
  if (it instanceof PyIterator) {
    const v = it.next();
    if (v === STOP) {
      if (hasDefault) return c.args[1];
      throw new PyRaise(ip.newException('StopIteration', []));
    }
    return v;
  }
  if (it instanceof PyInstance) {
    const f = lookupType(it.cls, '__next__');
    if (f !== undefined && f !== null) {
      if (!hasDefault) return ip.callMethod(f, it, []);
      try {
        return ip.callMethod(f, it, []);
      } catch (e) {
        if (ip.isStopIteration(e)) return c.args[1];
        throw e;
      }
    }
  }
  if (it instanceof PyOpaque) {
    if (hasDefault) return c.args[1];
    throw new PyRaise(ip.newException('StopIteration', []));
  }
  return ip.raise('TypeError', `'${typeName(it)}' object is not an iterator`);
});

fn('any', (c, ctx) => {
  const ip = ipOf(ctx);
  const next = ip.iterFn(c.args[0]);
  for (;;) {
    const v = next();
    if (v === STOP) return false;
    if (ip.truthy(v)) return true;
  }
});
fn('all', (c, ctx) => {
  const ip = ipOf(ctx);
  const next = ip.iterFn(c.args[0]);
  for (;;) {
    const v = next();
    if (v === STOP) return true;
    if (!ip.truthy(v)) return false;
  }
});

fn('divmod', (c, ctx) => {
  const ip = ipOf(ctx);
  const [a, b] = c.args;
  if (typeof a === 'number' && typeof b === 'number' && b === 0) ip.raise('ZeroDivisionError', 'integer division or modulo by zero');
  return new PyTuple([binop(ip, '//', a, b), binop(ip, '%', a, b)]);
});

fn('pow', (c, ctx) => {
  const ip = ipOf(ctx);
  const a = argOr(c, 0, 'base', null);
  const b = argOr(c, 1, 'exp', null);
  const m = argOr(c, 2, 'mod', null);
  if (m === null) return binop(ip, '**', a, b);
  let base = BigInt(ip.toInt(a));
  let e = BigInt(ip.toInt(b));
  const mod = BigInt(ip.toInt(m));
  if (mod === 0n) ip.raise('ValueError', 'pow() 3rd argument cannot be 0');
  if (e < 0n) {
    // modular inverse (Python 3.8+)
    let [g, x] = egcd(((base % mod) + mod) % mod, mod);
    if (g !== 1n) ip.raise('ValueError', 'base is not invertible for the given modulus');
    base = ((x % mod) + mod) % mod;
    e = -e;
    g = 0n;
  }
  let r = 1n;
  base = ((base % mod) + mod) % mod;
  while (e > 0n) {
    if (e & 1n) r = (r * base) % mod;
    base = (base * base) % mod;
    e >>= 1n;
  }
  return Number(((r % mod) + mod) % mod);
});
function egcd(a: bigint, b: bigint): [bigint, bigint] {
  let [oldR, r] = [a, b];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  return [oldR, oldS];
}

fn('id', (c) => {
  const v = c.args[0];
  if (v !== null && typeof v === 'object') return 140000000000 + objectId(v) * 16;
  return 94000000000 + (typeof v === 'number' ? v * 32 : String(v).length * 48);
});
fn('hash', (c, ctx) => ipOf(ctx).hashOf(c.args[0]));
fn('callable', (c) => {
  const v = c.args[0];
  if (v instanceof PyFunction || v instanceof PyBuiltinFunction || v instanceof PyBoundMethod || v instanceof PyClass || v instanceof PyOpaque)
    return true;
  if (v instanceof PyInstance) {
    const f = lookupType(v.cls, '__call__');
    return f !== undefined && f !== null;
  }
  return v instanceof PyStaticMethod;
});

fn('getattr', (c, ctx) => {
  const ip = ipOf(ctx);
  const [obj, name] = c.args;
  if (typeof name !== 'string') return ip.raise('TypeError', `attribute name must be string, not '${typeName(name)}'`);
  if (c.args.length > 2) {
    const v = ip.getAttrOrUndefined(obj, name);
    return v === undefined ? c.args[2] : v;
  }
  return ip.getAttr(obj, name);
});
fn('hasattr', (c, ctx) => {
  const ip = ipOf(ctx);
  const [obj, name] = c.args;
  if (typeof name !== 'string') return ip.raise('TypeError', `attribute name must be string, not '${typeName(name)}'`);
  return ip.getAttrOrUndefined(obj, name) !== undefined;
});
fn('setattr', (c, ctx) => {
  const ip = ipOf(ctx);
  const [obj, name, value] = c.args;
  if (typeof name !== 'string') return ip.raise('TypeError', `attribute name must be string, not '${typeName(name)}'`);
  ip.setAttr(obj, name, value);
  return null;
});
fn('delattr', (c, ctx) => {
  const ip = ipOf(ctx);
  const [obj, name] = c.args;
  if (typeof name !== 'string') return ip.raise('TypeError', `attribute name must be string, not '${typeName(name)}'`);
  ip.delAttr(obj, name);
  return null;
});

fn('chr', (c, ctx) => {
  const n = ipOf(ctx).toInt(c.args[0]);
  if (n < 0 || n > 0x10ffff) ipOf(ctx).raise('ValueError', 'chr() arg not in range(0x110000)');
  return String.fromCodePoint(n);
});
fn('ord', (c, ctx) => {
  const s = c.args[0];
  if (typeof s !== 'string') return ipOf(ctx).raise('TypeError', `ord() expected string of length 1, but ${typeName(s)} found`);
  const chars = [...s];
  if (chars.length !== 1) ipOf(ctx).raise('TypeError', `ord() expected a character, but string of length ${chars.length} found`);
  return chars[0].codePointAt(0)!;
});
function radix(prefix: string, base: number) {
  return (c: CallArgs, ctx: CallContext): PyValue => {
    const n = ipOf(ctx).toIndex(c.args[0]);
    const s = BigInt(Math.abs(n)).toString(base);
    return (n < 0 ? '-' : '') + prefix + s;
  };
}
fn('hex', radix('0x', 16));
fn('oct', radix('0o', 8));
fn('bin', radix('0b', 2));

function dirOf(ip: Interpreter, v: PyValue): PyList {
  const names = new Set<string>();
  if (v instanceof PyInstance) for (const k of v.dict.keys()) names.add(k);
  if (v instanceof PyModuleObject) for (const k of v.dict.keys()) names.add(k);
  const cls = v instanceof PyClass ? v : typeOf(v);
  for (const c of cls.mro) for (const k of c.dict.keys()) names.add(k);
  for (const k of objectClass.dict.keys()) names.add(k);
  void ip;
  return new PyList([...names].sort());
}
fn('dir', (c, ctx) => {
  const ip = ipOf(ctx);
  if (c.args.length === 0) {
    const f = ip.frames[ip.frames.length - 1];
    return new PyList(f ? [...f.scope.vars.keys()].sort() : []);
  }
  return dirOf(ip, c.args[0]);
});
fn('vars', (c, ctx) => {
  const ip = ipOf(ctx);
  if (c.args.length === 0) {
    const f = ip.frames[ip.frames.length - 1];
    return ip.dictSnapshot(f ? f.scope.vars : new Map());
  }
  const v = c.args[0];
  if (v instanceof PyInstance) return ip.dictSnapshot(v.dict);
  if (v instanceof PyModuleObject) return ip.dictSnapshot(v.dict);
  if (v instanceof PyClass) return ip.dictSnapshot(v.dict);
  if (v instanceof PyFunction) return ip.dictSnapshot(v.attrs);
  return ip.raise('TypeError', 'vars() argument must have __dict__ attribute');
});
fn('globals', (_c, ctx) => {
  const ip = ipOf(ctx);
  const f = ip.frames[ip.frames.length - 1];
  return ip.dictSnapshot(f ? f.scope.globals : new Map());
});
fn('locals', (_c, ctx) => {
  const ip = ipOf(ctx);
  const f = ip.frames[ip.frames.length - 1];
  return ip.dictSnapshot(f ? f.scope.vars : new Map());
});

// Sandboxing: the traced script sees no files, processes or dynamic code.
fn('open', (c, ctx) =>
  ipOf(ctx).raise(
    'PermissionError',
    `Tensor Trace does not let the traced script open files${typeof c.args[0] === 'string' ? ` ('${c.args[0]}')` : ''}`,
  ),
);
for (const name of ['exec', 'eval', 'compile', '__import__']) {
  fn(name, (_c, ctx) => ipOf(ctx).raise('RuntimeError', `Tensor Trace does not run ${name}(): only the file's own code is executed`));
}
fn('input', (_c, ctx) => ipOf(ctx).raise('RuntimeError', 'Tensor Trace does not run input(): the traced script cannot read from a terminal'));
fn('breakpoint', () => null);
fn('help', () => null);
for (const name of ['exit', 'quit']) {
  fn(name, (c, ctx) => {
    throw new PyRaise(ipOf(ctx).newException('SystemExit', c.args.length ? [c.args[0]] : []));
  });
}
fn('memoryview', () => new PyOpaque('memoryview'));

export { floatRepr, intRepr, isSubclass, builtinFunctionClass, argOr, ipOf, unwrap, nonBindingBuiltins };
