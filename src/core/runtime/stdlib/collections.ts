// collections: OrderedDict, defaultdict, Counter, deque and namedtuple (also typing.NamedTuple classes).

import { classCreationHooks, dictClass, isSubclass, lookupType, objectClass, tupleClass } from '../builtinTypes';
import { unwrap } from '../helpers';
import type { Interpreter } from '../interpreter';
import { registerNativeModule } from '../nativeModules';
import { eqBool, getItem } from '../operators';
import { sortValues } from '../typeMethods';
import {
  PyClass,
  PyDict,
  PyInstance,
  PyIterator,
  PyList,
  PyProperty,
  PyRaise,
  PyTuple,
  STOP,
  hashKey,
  type PyValue,
} from '../values';
import { classMethod, func, makeModule, method, nativeClass, type Native } from './common';
import { collectionsAbc, NamedTupleBase } from './typing';

function dictOf(ip: Interpreter, self: PyValue): PyDict {
  const d = unwrap(self);
  if (d instanceof PyDict) return d;
  return ip.raise('TypeError', 'descriptor requires a dict subclass instance');
}

function clsName(ip: Interpreter, self: PyValue): string {
  return self instanceof PyInstance ? ip.qualnameOf(self.cls) : 'dict';
}

// ------------------------------------------------------------------ OrderedDict

export const OrderedDict = nativeClass('OrderedDict', 'collections', [dictClass], {
  __repr__: (a, _k, ip) => {
    const d = dictOf(ip, a[0]);
    if (d.size === 0) return `${clsName(ip, a[0])}()`;
    const items = [...d.map.values()].map((e) => `(${ip.repr(e.key)}, ${ip.repr(e.value)})`);
    return `${clsName(ip, a[0])}([${items.join(', ')}])`;
  },
  move_to_end: (a, k, ip) => {
    const d = dictOf(ip, a[0]);
    const key = a[1];
    const last = a.length > 2 ? ip.truthy(a[2]) : ip.truthy(k.get('last') ?? true);
    const h = hashKey(key);
    const e = d.map.get(h);
    if (!e) return ip.raiseKeyError(key);
    d.map.delete(h);
    if (last) d.map.set(h, e);
    else {
      const rest = [...d.map.entries()];
      d.map.clear();
      d.map.set(h, e);
      for (const [kk, vv] of rest) d.map.set(kk, vv);
    }
    return null;
  },
  popitem: (a, k, ip) => {
    const d = dictOf(ip, a[0]);
    const last = a.length > 1 ? ip.truthy(a[1]) : ip.truthy(k.get('last') ?? true);
    const keys = [...d.map.keys()];
    if (!keys.length) return ip.raiseKeyError('dictionary is empty');
    const h = last ? keys[keys.length - 1] : keys[0];
    const e = d.map.get(h)!;
    d.map.delete(h);
    return new PyTuple([e.key, e.value]);
  },
  copy: (a, _k, ip) => {
    const self = a[0];
    const out = ip.call(self instanceof PyInstance ? self.cls : OrderedDict, []);
    const d = unwrap(out) as PyDict;
    for (const e of dictOf(ip, self).map.values()) d.set(e.key, e.value);
    return out;
  },
});

// ------------------------------------------------------------------ defaultdict

export const defaultdict = nativeClass('defaultdict', 'collections', [dictClass], {
  __init__: (a, k, ip) => {
    const self = a[0] as PyInstance;
    const factory = a.length > 1 ? a[1] : null;
    self.dict.set('default_factory', factory);
    const d = dictOf(ip, self);
    if (a.length > 2) ip.dictUpdate(d, a[2]);
    for (const [kk, v] of k) d.set(kk, v);
    return null;
  },
  __missing__: (a, _k, ip) => {
    const self = a[0] as PyInstance;
    const factory = self.dict.get('default_factory') ?? null;
    if (factory === null) return ip.raiseKeyError(a[1]);
    const v = ip.call(factory, []);
    dictOf(ip, self).set(a[1], v);
    return v;
  },
  __repr__: (a, _k, ip) => {
    const self = a[0] as PyInstance;
    const factory = self.dict.get('default_factory') ?? null;
    return `${clsName(ip, self)}(${ip.repr(factory)}, ${ip.repr(dictOf(ip, self))})`;
  },
  copy: (a, _k, ip) => {
    const self = a[0] as PyInstance;
    const out = ip.call(self.cls, [self.dict.get('default_factory') ?? null]);
    const d = unwrap(out) as PyDict;
    for (const e of dictOf(ip, self).map.values()) d.set(e.key, e.value);
    return out;
  },
});

// ------------------------------------------------------------------ Counter

function counterAdd(ip: Interpreter, d: PyDict, src: PyValue, sign: number): void {
  const u = unwrap(src);
  if (u instanceof PyDict) {
    for (const e of u.map.values()) d.set(e.key, ip.binop(sign > 0 ? '+' : '-', d.get(e.key) ?? 0, e.value));
    return;
  }
  for (const x of ip.iterate(src)) {
    ip.checkHashable(x);
    d.set(x, ip.binop(sign > 0 ? '+' : '-', d.get(x) ?? 0, 1));
  }
}

function mostCommon(ip: Interpreter, d: PyDict): PyTuple[] {
  const items = [...d.map.values()].map((e) => new PyTuple([e.key, e.value]));
  return sortValues(ip, items, func('key', (a) => (a[0] as PyTuple).items[1]), true) as PyTuple[];
}

export const Counter = nativeClass('Counter', 'collections', [dictClass], {
  __init__: (a, k, ip) => {
    const d = dictOf(ip, a[0]);
    if (a.length > 1 && a[1] !== null) counterAdd(ip, d, a[1], 1);
    for (const [kk, v] of k) d.set(kk, v);
    return null;
  },
  __missing__: () => 0,
  update: (a, k, ip) => {
    const d = dictOf(ip, a[0]);
    if (a.length > 1 && a[1] !== null) counterAdd(ip, d, a[1], 1);
    for (const [kk, v] of k) d.set(kk, ip.binop('+', d.get(kk) ?? 0, v));
    return null;
  },
  subtract: (a, _k, ip) => {
    if (a.length > 1) counterAdd(ip, dictOf(ip, a[0]), a[1], -1);
    return null;
  },
  most_common: (a, _k, ip) => {
    const all = mostCommon(ip, dictOf(ip, a[0]));
    const n = a.length > 1 && a[1] !== null ? ip.toInt(a[1]) : all.length;
    return new PyList(all.slice(0, n));
  },
  elements: (a, _k, ip) => {
    const out: PyValue[] = [];
    for (const e of dictOf(ip, a[0]).map.values()) for (let i = 0; i < ip.toInt(e.value); i++) out.push(e.key);
    return new PyIterator(ip.iterFn(new PyList(out)), 'itertools.chain');
  },
  total: (a, _k, ip) => [...dictOf(ip, a[0]).map.values()].reduce<PyValue>((s, e) => ip.binop('+', s, e.value), 0),
  __repr__: (a, _k, ip) => {
    const d = dictOf(ip, a[0]);
    if (d.size === 0) return `${clsName(ip, a[0])}()`;
    const parts = mostCommon(ip, d).map((t) => `${ip.repr(t.items[0])}: ${ip.repr(t.items[1])}`);
    return `${clsName(ip, a[0])}({${parts.join(', ')}})`;
  },
});

// ------------------------------------------------------------------ deque

interface DequeState {
  items: PyValue[];
  maxlen: number | null;
}
function dq(ip: Interpreter, v: PyValue): DequeState {
  if (v instanceof PyInstance && v.native && typeof v.native === 'object' && 'maxlen' in (v.native as object)) return v.native as DequeState;
  return ip.raise('TypeError', 'descriptor requires a deque');
}
function trim(s: DequeState, fromLeft: boolean): void {
  if (s.maxlen === null) return;
  while (s.items.length > s.maxlen) {
    if (fromLeft) s.items.shift();
    else s.items.pop();
  }
}

const dequeMethods: Record<string, Native | PyValue> = {
  __init__: (a, k, ip) => {
    const self = a[0] as PyInstance;
    const ml = a.length > 2 ? a[2] : (k.get('maxlen') ?? null);
    const st: DequeState = { items: [], maxlen: ml === null ? null : ip.toInt(ml) };
    self.native = st;
    const src = a.length > 1 ? a[1] : (k.get('iterable') ?? null);
    if (src !== null) st.items = ip.iterate(src);
    trim(st, true);
    return null;
  },
  append: (a, _k, ip) => {
    const s = dq(ip, a[0]);
    s.items.push(a[1]);
    trim(s, true);
    return null;
  },
  appendleft: (a, _k, ip) => {
    const s = dq(ip, a[0]);
    s.items.unshift(a[1]);
    trim(s, false);
    return null;
  },
  extend: (a, _k, ip) => {
    const s = dq(ip, a[0]);
    for (const x of ip.iterate(a[1])) s.items.push(x);
    trim(s, true);
    return null;
  },
  extendleft: (a, _k, ip) => {
    const s = dq(ip, a[0]);
    for (const x of ip.iterate(a[1])) s.items.unshift(x);
    trim(s, false);
    return null;
  },
  pop: (a, _k, ip) => {
    const s = dq(ip, a[0]);
    if (!s.items.length) return ip.raise('IndexError', 'pop from an empty deque');
    return s.items.pop()!;
  },
  popleft: (a, _k, ip) => {
    const s = dq(ip, a[0]);
    if (!s.items.length) return ip.raise('IndexError', 'pop from an empty deque');
    return s.items.shift()!;
  },
  clear: (a, _k, ip) => {
    dq(ip, a[0]).items = [];
    return null;
  },
  rotate: (a, _k, ip) => {
    const s = dq(ip, a[0]);
    const n = a.length > 1 ? ip.toInt(a[1]) : 1;
    const len = s.items.length;
    if (!len) return null;
    const r = ((n % len) + len) % len;
    s.items = [...s.items.slice(len - r), ...s.items.slice(0, len - r)];
    return null;
  },
  count: (a, _k, ip) => dq(ip, a[0]).items.filter((x) => eqBool(ip, x, a[1])).length,
  index: (a, _k, ip) => {
    const i = dq(ip, a[0]).items.findIndex((x) => eqBool(ip, x, a[1]));
    if (i < 0) ip.raise('ValueError', `${ip.repr(a[1])} is not in deque`);
    return i;
  },
  remove: (a, _k, ip) => {
    const s = dq(ip, a[0]);
    const i = s.items.findIndex((x) => eqBool(ip, x, a[1]));
    if (i < 0) ip.raise('ValueError', `${ip.repr(a[1])} is not in deque`);
    s.items.splice(i, 1);
    return null;
  },
  reverse: (a, _k, ip) => {
    dq(ip, a[0]).items.reverse();
    return null;
  },
  copy: (a, _k, ip) => {
    const s = dq(ip, a[0]);
    return ip.call(deque, [new PyList(s.items.slice()), s.maxlen]);
  },
  __len__: (a, _k, ip) => dq(ip, a[0]).items.length,
  __bool__: (a, _k, ip) => dq(ip, a[0]).items.length > 0,
  __iter__: (a, _k, ip) => new PyIterator(ip.iterFn(new PyList(dq(ip, a[0]).items)), '_collections._deque_iterator'),
  __reversed__: (a, _k, ip) => new PyIterator(ip.iterFn(new PyList(dq(ip, a[0]).items.slice().reverse())), '_collections._deque_reverse_iterator'),
  __contains__: (a, _k, ip) => dq(ip, a[0]).items.some((x) => eqBool(ip, x, a[1])),
  __getitem__: (a, _k, ip) => getItem(ip, new PyList(dq(ip, a[0]).items), a[1]),
  __setitem__: (a, _k, ip) => {
    const s = dq(ip, a[0]);
    let i = ip.toInt(a[1]);
    if (i < 0) i += s.items.length;
    if (i < 0 || i >= s.items.length) ip.raise('IndexError', 'deque index out of range');
    s.items[i] = a[2];
    return null;
  },
  __eq__: (a, _k, ip) => {
    const o = a[1];
    if (!(o instanceof PyInstance) || !isSubclass(o.cls, deque)) return false;
    const x = dq(ip, a[0]).items;
    const y = dq(ip, o).items;
    return x.length === y.length && x.every((v, i) => eqBool(ip, v, y[i]));
  },
  __repr__: (a, _k, ip) => {
    const s = dq(ip, a[0]);
    const inner = ip.repr(new PyList(s.items));
    return s.maxlen === null ? `deque(${inner})` : `deque(${inner}, maxlen=${s.maxlen})`;
  },
  maxlen: new PyProperty(method('deque.maxlen', (a, _k, ip) => dq(ip, a[0]).maxlen)),
};
export const deque = nativeClass('deque', 'collections', [objectClass], dequeMethods);

// ------------------------------------------------------------------ namedtuple

/** Installs namedtuple behaviour (fields, __new__, properties, repr, _asdict, _replace) on `cls`. */
export function installNamedTuple(cls: PyClass, fields: string[], defaults: PyValue[]): void {
  const nf = fields.length;
  const firstDefault = nf - defaults.length;
  const fieldDefaults = new PyDict();
  defaults.forEach((d, i) => fieldDefaults.set(fields[firstDefault + i], d));
  cls.dict.set('_fields', new PyTuple(fields));
  cls.dict.set('_field_defaults', fieldDefaults);
  cls.dict.set(
    '__new__',
    method(`${cls.name}.__new__`, (a, k, ip) => {
      const c = a[0] as PyClass;
      const args = a.slice(1);
      const name = ip.qualnameOf(c);
      if (args.length > nf) ip.raise('TypeError', `${name}.__new__() takes ${nf + 1} positional arguments but ${args.length + 1} were given`);
      const vals: Array<PyValue | undefined> = fields.map((_, i) => args[i]);
      for (const [kk, v] of k) {
        const i = fields.indexOf(kk);
        if (i < 0) ip.raise('TypeError', `${name}.__new__() got an unexpected keyword argument '${kk}'`);
        if (vals[i] !== undefined) ip.raise('TypeError', `${name}.__new__() got multiple values for argument '${kk}'`);
        vals[i] = v;
      }
      const missing: string[] = [];
      vals.forEach((v, i) => {
        if (v === undefined) {
          if (i >= firstDefault) vals[i] = defaults[i - firstDefault];
          else missing.push(fields[i]);
        }
      });
      if (missing.length) {
        const q = missing.map((m) => `'${m}'`);
        const list = q.length === 1 ? q[0] : q.length === 2 ? `${q[0]} and ${q[1]}` : `${q.slice(0, -1).join(', ')}, and ${q[q.length - 1]}`;
        ip.raise('TypeError', `${name}.__new__() missing ${missing.length} required positional argument${missing.length > 1 ? 's' : ''}: ${list}`);
      }
      const inst = new PyInstance(c);
      inst.native = new PyTuple(vals as PyValue[]);
      return inst;
    }),
  );
  fields.forEach((f, i) => {
    cls.dict.set(f, new PyProperty(method(`${cls.name}.${f}`, (a) => ((a[0] as PyInstance).native as PyTuple).items[i])));
  });
  if (!cls.dict.has('__repr__') || cls.dict.get('__repr__') === undefined)
    cls.dict.set(
      '__repr__',
      method(`${cls.name}.__repr__`, (a, _k, ip) => {
        const self = a[0] as PyInstance;
        const items = (self.native as PyTuple).items;
        return `${ip.qualnameOf(self.cls)}(${fields.map((f, i) => `${f}=${ip.repr(items[i])}`).join(', ')})`;
      }),
    );
  cls.dict.set(
    '_asdict',
    method(`${cls.name}._asdict`, (a) => {
      const d = new PyDict();
      const items = ((a[0] as PyInstance).native as PyTuple).items;
      fields.forEach((f, i) => d.set(f, items[i]));
      return d;
    }),
  );
  cls.dict.set(
    '_replace',
    method(`${cls.name}._replace`, (a, k, ip) => {
      const self = a[0] as PyInstance;
      const items = (self.native as PyTuple).items.slice();
      for (const [kk, v] of k) {
        const i = fields.indexOf(kk);
        if (i < 0) ip.raise('ValueError', `Got unexpected field names: ['${kk}']`);
        items[i] = v;
      }
      const inst = new PyInstance(self.cls);
      inst.native = new PyTuple(items);
      return inst;
    }),
  );
  cls.dict.set(
    '_make',
    classMethod(`${cls.name}._make`, (a, _k, ip) => ip.call(a[0], ip.iterate(a[1]))),
  );
  cls.dict.set('__getnewargs__', method(`${cls.name}.__getnewargs__`, (a) => (a[0] as PyInstance).native as PyTuple));
}

function namedtuple(a: PyValue[], k: Map<string, PyValue>, ip: Interpreter): PyValue {
  const typename = ip.str(a[0]);
  const spec = a.length > 1 ? a[1] : (k.get('field_names') ?? new PyList([]));
  let fields: string[];
  if (typeof spec === 'string') fields = spec.replace(/,/g, ' ').split(/\s+/).filter(Boolean);
  else fields = ip.iterate(spec).map((x) => ip.str(x));
  for (const f of fields)
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(f) && !ip.truthy(k.get('rename') ?? false))
      ip.raise('ValueError', `Type names and field names must be valid identifiers: ${ip.repr(f)}`);
  const defaultsV = k.get('defaults');
  const defaults = defaultsV && defaultsV !== null ? ip.iterate(defaultsV) : [];
  const mod = k.get('module');
  const cls = new PyClass(typename, [tupleClass], new Map(), typeof mod === 'string' ? mod : (ip.currentModuleInfo()?.name ?? '__main__'));
  cls.dict.set('__module__', cls.module);
  installNamedTuple(cls, fields, defaults);
  return cls;
}

// typing.NamedTuple subclasses: fields from annotations, defaults from class attributes.
classCreationHooks.push((_ip, cls) => {
  if (cls === NamedTupleBase || !cls.bases.includes(NamedTupleBase)) return;
  const ann = cls.dict.get('__annotations__');
  const fields = ann instanceof PyDict ? ann.keys().map(String) : [];
  const defaults: PyValue[] = [];
  let seenDefault = false;
  for (const f of fields) {
    const d = cls.dict.get(f);
    if (d !== undefined) {
      defaults.push(d);
      seenDefault = true;
    } else if (seenDefault) throw new PyRaise(_ip.newException('TypeError', [`Non-default namedtuple field ${f} cannot follow default field${defaults.length > 1 ? 's' : ''} ${fields.filter((x) => cls.dict.has(x)).join(', ')}`]));
  }
  const userRepr = cls.dict.get('__repr__');
  installNamedTuple(cls, fields, defaults);
  if (userRepr !== undefined) cls.dict.set('__repr__', userRepr);
});

registerNativeModule('collections', () =>
  makeModule('collections', {
    OrderedDict,
    defaultdict,
    Counter,
    deque,
    namedtuple: func('collections.namedtuple', namedtuple),
    ChainMap: dictClass,
    UserDict: dictClass,
    abc: makeModule('collections.abc', collectionsAbc),
  }),
);

