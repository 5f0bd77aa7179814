// dataclasses: @dataclass generates __init__/__repr__/__eq__ from the class annotations; field(), fields(),
// asdict(), replace() and is_dataclass().

import { exceptionClasses, objectClass, typeOf } from '../builtinTypes';
import type { Interpreter } from '../interpreter';
import { registerNativeModule } from '../nativeModules';
import { eqBool } from '../operators';
import {
  PyClass,
  PyDict,
  PyInstance,
  PyList,
  PyOpaque,
  PyRaise,
  PySet,
  PyTuple,
  type PyValue,
} from '../values';
import { func, makeModule, method, nativeClass } from './common';

const MISSING_CLS = nativeClass('_MISSING_TYPE', 'dataclasses', [objectClass], {
  __repr__: () => '<dataclasses._MISSING_TYPE object>',
});
export const MISSING = new PyInstance(MISSING_CLS);

export const Field = nativeClass('Field', 'dataclasses', [objectClass], {
  __repr__: (a, _k, ip) => {
    const f = a[0] as PyInstance;
    return `Field(name=${ip.repr(f.dict.get('name') ?? null)},type=${ip.repr(f.dict.get('type') ?? null)},default=${ip.repr(f.dict.get('default') ?? MISSING)})`;
  },
});

function makeField(args: Map<string, PyValue>): PyInstance {
  const f = new PyInstance(Field);
  f.dict.set('name', null);
  f.dict.set('type', null);
  f.dict.set('default', args.get('default') ?? MISSING);
  f.dict.set('default_factory', args.get('default_factory') ?? MISSING);
  f.dict.set('init', args.get('init') ?? true);
  f.dict.set('repr', args.get('repr') ?? true);
  f.dict.set('compare', args.get('compare') ?? true);
  f.dict.set('kw_only', args.get('kw_only') ?? false);
  f.dict.set('metadata', args.get('metadata') ?? new PyDict());
  return f;
}

interface Options {
  init: boolean;
  repr: boolean;
  eq: boolean;
  order: boolean;
  frozen: boolean;
  kwOnly: boolean;
}

function fieldsOf(cls: PyClass): PyInstance[] {
  const d = cls.lookup('__dataclass_fields__');
  return d instanceof PyDict ? (d.values() as PyInstance[]) : [];
}

function isClassVar(ip: Interpreter, ann: PyValue): boolean {
  if (typeof ann === 'string') return ann.startsWith('ClassVar') || ann.startsWith('typing.ClassVar');
  if (ann instanceof PyInstance) {
    const r = ip.repr(ann);
    return r.startsWith('typing.ClassVar');
  }
  return false;
}

function processClass(ip: Interpreter, cls: PyClass, opts: Options): PyClass {
  const all = new Map<string, PyInstance>();
  for (let i = cls.mro.length - 1; i >= 1; i--) {
    const d = cls.mro[i].dict.get('__dataclass_fields__');
    if (d instanceof PyDict) for (const e of d.map.values()) all.set(String(e.key), e.value as PyInstance);
  }
  const ann = cls.dict.get('__annotations__');
  if (ann instanceof PyDict) {
    for (const e of ann.map.values()) {
      const name = String(e.key);
      if (isClassVar(ip, e.value)) continue;
      const dv = cls.dict.get(name);
      let f: PyInstance;
      if (dv instanceof PyInstance && dv.cls === Field) f = dv;
      else {
        f = makeField(new Map());
        if (dv !== undefined) f.dict.set('default', dv);
      }
      f.dict.set('name', name);
      f.dict.set('type', e.value);
      if (opts.kwOnly) f.dict.set('kw_only', true);
      const def = f.dict.get('default')!;
      if (def instanceof PyList || (def instanceof PyDict) || (def instanceof PySet && !def.frozen))
        ip.raise('ValueError', `mutable default ${ip.repr(typeOf(def))} for field ${name} is not allowed: use default_factory`);
      if (def !== MISSING) cls.dict.set(name, def);
      else if (dv !== undefined) cls.dict.delete(name);
      all.set(name, f);
    }
  }
  const fdict = new PyDict();
  for (const [k, f] of all) fdict.set(k, f);
  cls.dict.set('__dataclass_fields__', fdict);
  const fields = [...all.values()];
  const initFields = fields.filter((f) => f.dict.get('init') !== false);
  const qual = ip.qualnameOf(cls);

  if (opts.init && !cls.dict.has('__init__')) {
    // Non-default fields may not follow default ones (CPython raises at decoration time).
    let seenDefault: string | null = null;
    for (const f of initFields) {
      if (f.dict.get('kw_only') === true) continue;
      const hasDefault = f.dict.get('default') !== MISSING || f.dict.get('default_factory') !== MISSING;
      if (hasDefault) seenDefault = String(f.dict.get('name'));
      else if (seenDefault) ip.raise('TypeError', `non-default argument '${String(f.dict.get('name'))}' follows default argument`);
    }
    cls.dict.set(
      '__init__',
      method(`${qual}.__init__`, (a, k, ip2) => {
        const self = a[0];
        const args = a.slice(1);
        const positional = initFields.filter((f) => f.dict.get('kw_only') !== true);
        if (args.length > positional.length)
          ip2.raise('TypeError', `${qual}.__init__() takes ${positional.length + 1} positional argument${positional.length ? 's' : ''} but ${args.length + 1} were given`);
        const vals = new Map<string, PyValue>();
        positional.forEach((f, i) => {
          if (i < args.length) vals.set(String(f.dict.get('name')), args[i]);
        });
        for (const [kk, v] of k) {
          if (!initFields.some((f) => f.dict.get('name') === kk)) ip2.raise('TypeError', `${qual}.__init__() got an unexpected keyword argument '${kk}'`);
          if (vals.has(kk)) ip2.raise('TypeError', `${qual}.__init__() got multiple values for argument '${kk}'`);
          vals.set(kk, v);
        }
        const missing: string[] = [];
        for (const f of initFields) {
          const name = String(f.dict.get('name'));
          if (vals.has(name)) continue;
          const d = f.dict.get('default')!;
          const df = f.dict.get('default_factory')!;
          if (d !== MISSING) vals.set(name, d);
          else if (df !== MISSING) vals.set(name, ip2.call(df, []));
          else missing.push(name);
        }
        if (missing.length) {
          const q = missing.map((m) => `'${m}'`);
          const list = q.length === 1 ? q[0] : q.length === 2 ? `${q[0]} and ${q[1]}` : `${q.slice(0, -1).join(', ')}, and ${q[q.length - 1]}`;
          ip2.raise('TypeError', `${qual}.__init__() missing ${missing.length} required positional argument${missing.length > 1 ? 's' : ''}: ${list}`);
        }
        for (const f of fields) {
          const name = String(f.dict.get('name'));
          if (f.dict.get('init') === false) {
            const df = f.dict.get('default_factory')!;
            const d = f.dict.get('default')!;
            if (df !== MISSING) vals.set(name, ip2.call(df, []));
            else if (d !== MISSING) vals.set(name, d);
            else continue;
          }
          setField(ip2, self, name, vals.get(name)!, opts.frozen);
        }
        const post = ip2.getAttrOrUndefined(self, '__post_init__');
        if (post !== undefined) ip2.call(post, []);
        return null;
      }),
    );
  }
  if (opts.repr && !cls.dict.has('__repr__')) {
    cls.dict.set(
      '__repr__',
      method(`${qual}.__repr__`, (a, _k, ip2) => {
        const self = a[0] as PyInstance;
        const parts = fields
          .filter((f) => f.dict.get('repr') !== false)
          .map((f) => {
            const n = String(f.dict.get('name'));
            return `${n}=${ip2.repr(ip2.getAttr(self, n))}`;
          });
        return `${ip2.qualnameOf(self.cls)}(${parts.join(', ')})`;
      }),
    );
  }
  const cmpFields = fields.filter((f) => f.dict.get('compare') !== false).map((f) => String(f.dict.get('name')));
  const tupleOf = (ip2: Interpreter, o: PyValue) => new PyTuple(cmpFields.map((n) => ip2.getAttr(o, n)));
  if (opts.eq && !cls.dict.has('__eq__')) {
    cls.dict.set(
      '__eq__',
      method(`${qual}.__eq__`, (a, _k, ip2) => {
        const [x, y] = a;
        if (!(y instanceof PyInstance) || y.cls !== (x as PyInstance).cls) return ip2.notImplemented;
        return eqBool(ip2, tupleOf(ip2, x), tupleOf(ip2, y));
      }),
    );
  }
  if (opts.order) {
    for (const [name, op] of [['__lt__', '<'], ['__le__', '<='], ['__gt__', '>'], ['__ge__', '>=']] as const) {
      if (cls.dict.has(name)) continue;
      cls.dict.set(
        name,
        method(`${qual}.${name}`, (a, _k, ip2) => {
          const [x, y] = a;
          if (!(y instanceof PyInstance) || y.cls !== (x as PyInstance).cls) return ip2.notImplemented;
          return ip2.compare(op, tupleOf(ip2, x), tupleOf(ip2, y));
        }),
      );
    }
  }
  if (opts.frozen) {
    cls.dict.set(
      '__setattr__',
      method(`${qual}.__setattr__`, (a, _k, ip2) => {
        throw new PyRaise(ip2.newException(FrozenInstanceError, [`cannot assign to field '${String(a[1])}'`]));
      }),
    );
  }
  cls.dict.set('__match_args__', new PyTuple(initFields.map((f) => f.dict.get('name')!)));
  return cls;
}

const FrozenInstanceError = new PyClass('FrozenInstanceError', [exceptionClasses.get('AttributeError')!], new Map([['__module__', 'dataclasses']]), 'dataclasses');

function setField(ip: Interpreter, self: PyValue, name: string, v: PyValue, frozen: boolean): void {
  if (frozen && self instanceof PyInstance) ip.genericSetAttr(self, name, v);
  else ip.setAttr(self, name, v);
}

function optionsFrom(ip: Interpreter, k: Map<string, PyValue>): Options {
  const b = (n: string, d: boolean) => (k.has(n) ? ip.truthy(k.get(n)!) : d);
  return { init: b('init', true), repr: b('repr', true), eq: b('eq', true), order: b('order', false), frozen: b('frozen', false), kwOnly: b('kw_only', false) };
}

function asdict(ip: Interpreter, v: PyValue): PyValue {
  if (v instanceof PyInstance && v.cls.lookup('__dataclass_fields__') instanceof PyDict) {
    const d = new PyDict();
    for (const f of fieldsOf(v.cls)) {
      const n = String(f.dict.get('name'));
      d.set(n, asdict(ip, ip.getAttr(v, n)));
    }
    return d;
  }
  if (v instanceof PyList) return new PyList(v.items.map((x) => asdict(ip, x)));
  if (v instanceof PyTuple) return new PyTuple(v.items.map((x) => asdict(ip, x)));
  if (v instanceof PyDict) {
    const d = new PyDict();
    for (const e of v.map.values()) d.set(asdict(ip, e.key), asdict(ip, e.value));
    return d;
  }
  return v;
}

registerNativeModule('dataclasses', () =>
  makeModule('dataclasses', {
    dataclass: func('dataclasses.dataclass', (a, k, ip) => {
      if (a.length > 0 && a[0] instanceof PyClass) return processClass(ip, a[0], optionsFrom(ip, k));
      if (a.length > 0 && a[0] instanceof PyOpaque) return a[0];
      const opts = optionsFrom(ip, k);
      return func('dataclasses.dataclass.<decorator>', (b, _k, ip2) => (b[0] instanceof PyClass ? processClass(ip2, b[0], opts) : b[0]));
    }),
    field: func('dataclasses.field', (_a, k) => makeField(k)),
    fields: func('dataclasses.fields', (a, _k, ip) => {
      const v = a[0];
      const cls = v instanceof PyClass ? v : typeOf(v);
      if (!(cls.lookup('__dataclass_fields__') instanceof PyDict)) ip.raise('TypeError', 'must be called with a dataclass type or instance');
      return new PyTuple(fieldsOf(cls));
    }),
    asdict: func('dataclasses.asdict', (a, _k, ip) => asdict(ip, a[0])),
    astuple: func('dataclasses.astuple', (a, _k, ip) => {
      const v = a[0] as PyInstance;
      return new PyTuple(fieldsOf(v.cls).map((f) => ip.getAttr(v, String(f.dict.get('name')))));
    }),
    replace: func('dataclasses.replace', (a, k, ip) => {
      const v = a[0] as PyInstance;
      const kw = new Map<string, PyValue>();
      for (const f of fieldsOf(v.cls)) {
        if (f.dict.get('init') === false) continue;
        const n = String(f.dict.get('name'));
        kw.set(n, k.has(n) ? k.get(n)! : ip.getAttr(v, n));
      }
      return ip.call(v.cls, [], kw);
    }),
    is_dataclass: func('dataclasses.is_dataclass', (a) => {
      const v = a[0];
      const cls = v instanceof PyClass ? v : typeOf(v);
      return cls.lookup('__dataclass_fields__') instanceof PyDict;
    }),
    MISSING,
    Field,
    FrozenInstanceError,
    KW_ONLY: MISSING,
  }),
);

