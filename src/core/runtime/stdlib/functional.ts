// functools, itertools and operator.

import { objectClass } from '../builtinTypes';
import type { Interpreter } from '../interpreter';
import { registerNativeModule } from '../nativeModules';
import { compareOp, contains, delItem, eqBool, getItem, inplaceOp, setItem, unaryOp } from '../operators';
import {
  PyBoundMethod,
  PyBuiltinFunction,
  PyClass,
  PyDict,
  PyFunction,
  PyInstance,
  PyIterator,
  PyList,
  PyProperty,
  PyTuple,
  STOP,
  type PyValue,
} from '../values';
import { classMethod, func, makeModule, method, nativeClass, type Native } from './common';

// ------------------------------------------------------------------ functools

interface PartialState {
  func: PyValue;
  args: PyValue[];
  kwargs: Map<string, PyValue>;
}
function partialState(v: PyValue): PartialState {
  return (v as PyInstance).native as PartialState;
}

export const partial = nativeClass('partial', 'functools', [objectClass], {
  __new__: (a, k, ip) => {
    const cls = a[0] as PyClass;
    let f = a[1];
    if (f === undefined) return ip.raise('TypeError', 'type \'partial\' takes at least one argument');
    let args = a.slice(2);
    let kwargs = new Map(k);
    if (f instanceof PyInstance && f.cls === partial) {
      const inner = partialState(f);
      args = [...inner.args, ...args];
      kwargs = new Map([...inner.kwargs, ...kwargs]);
      f = inner.func;
    }
    const inst = new PyInstance(cls);
    inst.native = { func: f, args, kwargs } satisfies PartialState;
    return inst;
  },
  __call__: (a, k, ip) => {
    const st = partialState(a[0]);
    const kw = k.size ? new Map([...st.kwargs, ...k]) : st.kwargs;
    return ip.call(st.func, [...st.args, ...a.slice(1)], kw);
  },
  __repr__: (a, _k, ip) => {
    const st = partialState(a[0]);
    const parts = [ip.repr(st.func), ...st.args.map((x) => ip.repr(x)), ...[...st.kwargs].map(([kk, v]) => `${kk}=${ip.repr(v)}`)];
    return `functools.partial(${parts.join(', ')})`;
  },
  func: new PyProperty(method('partial.func', (a) => partialState(a[0]).func)),
  args: new PyProperty(method('partial.args', (a) => new PyTuple(partialState(a[0]).args))),
  keywords: new PyProperty(
    method('partial.keywords', (a) => {
      const d = new PyDict();
      for (const [k, v] of partialState(a[0]).kwargs) d.set(k, v);
      return d;
    }),
  ),
});

const WRAPPER_ASSIGNMENTS = ['__module__', '__name__', '__qualname__', '__doc__'];

function updateWrapper(ip: Interpreter, wrapper: PyValue, wrapped: PyValue): PyValue {
  for (const name of WRAPPER_ASSIGNMENTS) {
    const v = ip.getAttrOrUndefined(wrapped, name);
    if (v !== undefined) {
      try {
        ip.setAttr(wrapper, name, v);
      } catch {
        /* read-only on this kind of object: skip, as functools does */
      }
    }
  }
  if (wrapper instanceof PyFunction && wrapped instanceof PyFunction) for (const [k, v] of wrapped.attrs) if (!wrapper.attrs.has(k)) wrapper.attrs.set(k, v);
  try {
    ip.setAttr(wrapper, '__wrapped__', wrapped);
  } catch {
    /* ignore */
  }
  return wrapper;
}

/** @lru_cache, @lru_cache(), @lru_cache(maxsize=None), @cache: the function itself (no caching needed). */
function passThroughDecorator(name: string): PyBuiltinFunction {
  return func(`functools.${name}`, (a, _k) => {
    const f = a[0];
    if (f instanceof PyFunction || f instanceof PyBoundMethod || f instanceof PyBuiltinFunction || f instanceof PyClass) {
      if (f instanceof PyFunction) {
        f.attrs.set('cache_clear', func(`${name}.cache_clear`, () => null));
        f.attrs.set('cache_info', func(`${name}.cache_info`, () => null));
      }
      return f;
    }
    return func(`functools.${name}.<decorator>`, (b) => b[0]);
  });
}

function reduce(a: PyValue[], _k: Map<string, PyValue>, ip: Interpreter): PyValue {
  const f = a[0];
  const next = ip.iterFn(a[1]);
  let acc: PyValue;
  if (a.length > 2) acc = a[2];
  else {
    const first = next();
    if (first === STOP) return ip.raise('TypeError', 'reduce() of empty iterable with no initial value');
    acc = first;
  }
  for (;;) {
    const v = next();
    if (v === STOP) return acc;
    acc = ip.call(f, [acc, v]);
  }
}

function totalOrdering(a: PyValue[], _k: Map<string, PyValue>, ip: Interpreter): PyValue {
  const cls = a[0];
  if (!(cls instanceof PyClass)) return cls;
  const has = (n: string) => cls.dict.has(n);
  const lt = (x: PyValue, y: PyValue) => ip.truthy(compareOp(ip, '<', x, y));
  const eq = (x: PyValue, y: PyValue) => eqBool(ip, x, y);
  const gt = (x: PyValue, y: PyValue) => ip.truthy(compareOp(ip, '>', x, y));
  const def = (n: string, f: (x: PyValue, y: PyValue) => boolean) => {
    if (!has(n)) cls.dict.set(n, method(`${cls.name}.${n}`, (b) => f(b[0], b[1])));
  };
  if (has('__lt__')) {
    def('__le__', (x, y) => lt(x, y) || eq(x, y));
    def('__gt__', (x, y) => !lt(x, y) && !eq(x, y));
    def('__ge__', (x, y) => !lt(x, y));
  } else if (has('__gt__')) {
    def('__lt__', (x, y) => !gt(x, y) && !eq(x, y));
    def('__ge__', (x, y) => gt(x, y) || eq(x, y));
    def('__le__', (x, y) => !gt(x, y));
  } else if (has('__le__')) {
    const le = (x: PyValue, y: PyValue) => ip.truthy(compareOp(ip, '<=', x, y));
    def('__lt__', (x, y) => le(x, y) && !eq(x, y));
    def('__gt__', (x, y) => !le(x, y));
    def('__ge__', (x, y) => !le(x, y) || eq(x, y));
  } else if (has('__ge__')) {
    const ge = (x: PyValue, y: PyValue) => ip.truthy(compareOp(ip, '>=', x, y));
    def('__gt__', (x, y) => ge(x, y) && !eq(x, y));
    def('__lt__', (x, y) => !ge(x, y));
    def('__le__', (x, y) => !ge(x, y) || eq(x, y));
  } else ip.raise('ValueError', 'must define at least one ordering operation: < > <= >=');
  return cls;
}

const CmpKey = nativeClass('KeyWrapper', 'functools', [objectClass], {
  __lt__: (a, _k, ip) => {
    const self = a[0] as PyInstance;
    const other = a[1] as PyInstance;
    const r = ip.call(self.dict.get('cmp')!, [self.dict.get('obj')!, other.dict.get('obj')!]);
    return ip.truthy(compareOp(ip, '<', r, 0));
  },
  __eq__: (a, _k, ip) => {
    const self = a[0] as PyInstance;
    const other = a[1] as PyInstance;
    const r = ip.call(self.dict.get('cmp')!, [self.dict.get('obj')!, other.dict.get('obj')!]);
    return eqBool(ip, r, 0);
  },
});

function cachedProperty(a: PyValue[], _k: Map<string, PyValue>, ip: Interpreter): PyValue {
  const f = a[0];
  const name = ip.getAttrOrUndefined(f, '__name__');
  return new PyProperty(
    func('cached_property.get', (b, _k2, ip2) => {
      const self = b[0];
      if (self instanceof PyInstance && typeof name === 'string') {
        const cached = self.dict.get(name);
        if (cached !== undefined) return cached;
        const v = ip2.call(f, [self]);
        self.dict.set(name, v);
        return v;
      }
      return ip2.call(f, [self]);
    }),
  );
}

registerNativeModule('functools', () =>
  makeModule('functools', {
    partial,
    reduce: func('functools.reduce', reduce),
    wraps: func('functools.wraps', (a) => {
      const wrapped = a[0];
      return func('functools.wraps.<decorator>', (b, _k, ip) => updateWrapper(ip, b[0], wrapped));
    }),
    update_wrapper: func('functools.update_wrapper', (a, _k, ip) => updateWrapper(ip, a[0], a[1])),
    lru_cache: passThroughDecorator('lru_cache'),
    cache: passThroughDecorator('cache'),
    cached_property: func('functools.cached_property', cachedProperty),
    total_ordering: func('functools.total_ordering', totalOrdering),
    cmp_to_key: func('functools.cmp_to_key', (a) =>
      func('functools.KeyWrapper', (b) => {
        const inst = new PyInstance(CmpKey);
        inst.dict.set('cmp', a[0]);
        inst.dict.set('obj', b[0]);
        return inst;
      }),
    ),
    singledispatch: func('functools.singledispatch', (a) => {
      const f = a[0];
      if (f instanceof PyFunction) f.attrs.set('register', func('register', (b) => (b.length > 1 ? b[1] : func('register.<decorator>', (c) => c[0]))));
      return f;
    }),
    WRAPPER_ASSIGNMENTS: new PyTuple(WRAPPER_ASSIGNMENTS),
  }),
);

// ------------------------------------------------------------------ itertools

function iter(ip: Interpreter, label: string, next: () => PyValue | typeof STOP): PyIterator {
  void ip;
  return new PyIterator(next, label);
}

function chainOf(ip: Interpreter, sources: () => PyValue | typeof STOP): PyIterator {
  let cur: (() => PyValue | typeof STOP) | null = null;
  return iter(ip, 'itertools.chain', () => {
    for (;;) {
      if (cur === null) {
        const src = sources();
        if (src === STOP) return STOP;
        cur = ip.iterFn(src);
      }
      const v = cur();
      if (v !== STOP) return v;
      cur = null;
    }
  });
}

const chain = nativeClass('chain', 'itertools', [objectClass], {
  __new__: (a, _k, ip) => {
    const srcs = a.slice(1);
    let i = 0;
    return chainOf(ip, () => (i < srcs.length ? srcs[i++] : STOP));
  },
  from_iterable: classMethod('chain.from_iterable', (a, _k, ip) => chainOf(ip, ip.iterFn(a[1]))),
});

function product(a: PyValue[], k: Map<string, PyValue>, ip: Interpreter): PyValue {
  const repeat = k.has('repeat') ? ip.toInt(k.get('repeat')!) : 1;
  let pools = a.map((x) => ip.iterate(x));
  const base = pools;
  pools = [];
  for (let r = 0; r < repeat; r++) pools.push(...base);
  let result: PyValue[][] = [[]];
  for (const pool of pools) {
    const next: PyValue[][] = [];
    for (const prefix of result) for (const x of pool) next.push([...prefix, x]);
    result = next;
    if (result.length > 5_000_000) ip.raise('MemoryError', '');
  }
  let i = 0;
  return iter(ip, 'itertools.product', () => (i < result.length ? new PyTuple(result[i++]) : STOP));
}

function permutations(a: PyValue[], k: Map<string, PyValue>, ip: Interpreter): PyValue {
  const pool = ip.iterate(a[0]);
  const rv = a.length > 1 ? a[1] : (k.get('r') ?? null);
  const r = rv === null ? pool.length : ip.toInt(rv);
  const out: PyValue[][] = [];
  const used = new Array(pool.length).fill(false);
  const cur: PyValue[] = [];
  const rec = () => {
    if (cur.length === r) {
      out.push(cur.slice());
      return;
    }
    for (let i = 0; i < pool.length; i++) {
      if (used[i]) continue;
      used[i] = true;
      cur.push(pool[i]);
      rec();
      cur.pop();
      used[i] = false;
    }
  };
  if (r <= pool.length) rec();
  let i = 0;
  return iter(ip, 'itertools.permutations', () => (i < out.length ? new PyTuple(out[i++]) : STOP));
}

function combinations(withReplacement: boolean): Native {
  return (a, k, ip) => {
    const pool = ip.iterate(a[0]);
    const r = ip.toInt(a.length > 1 ? a[1] : (k.get('r') ?? 0));
    const out: PyValue[][] = [];
    const cur: PyValue[] = [];
    const rec = (start: number) => {
      if (cur.length === r) {
        out.push(cur.slice());
        return;
      }
      for (let i = start; i < pool.length; i++) {
        cur.push(pool[i]);
        rec(withReplacement ? i : i + 1);
        cur.pop();
      }
    };
    rec(0);
    let i = 0;
    return iter(ip, 'itertools.combinations', () => (i < out.length ? new PyTuple(out[i++]) : STOP));
  };
}

registerNativeModule('itertools', () =>
  makeModule('itertools', {
    chain,
    product: func('itertools.product', product),
    permutations: func('itertools.permutations', permutations),
    combinations: func('itertools.combinations', combinations(false)),
    combinations_with_replacement: func('itertools.combinations_with_replacement', combinations(true)),
    repeat: func('itertools.repeat', (a, k, ip) => {
      const v = a[0];
      const t = a.length > 1 ? a[1] : (k.get('times') ?? null);
      let n = t === null ? Infinity : ip.toInt(t);
      return iter(ip, 'itertools.repeat', () => (n-- > 0 ? v : STOP));
    }),
    count: func('itertools.count', (a, k, ip) => {
      let cur: PyValue = a.length > 0 ? a[0] : (k.get('start') ?? 0);
      const step: PyValue = a.length > 1 ? a[1] : (k.get('step') ?? 1);
      return iter(ip, 'itertools.count', () => {
        const v = cur;
        cur = ip.binop('+', cur, step);
        return v;
      });
    }),
    cycle: func('itertools.cycle', (a, _k, ip) => {
      const saved: PyValue[] = [];
      const next = ip.iterFn(a[0]);
      let exhausted = false;
      let i = 0;
      return iter(ip, 'itertools.cycle', () => {
        if (!exhausted) {
          const v = next();
          if (v !== STOP) {
            saved.push(v);
            return v;
          }
          exhausted = true;
        }
        if (!saved.length) return STOP;
        return saved[i++ % saved.length];
      });
    }),
    accumulate: func('itertools.accumulate', (a, k, ip) => {
      const next = ip.iterFn(a[0]);
      const f = a.length > 1 ? a[1] : (k.get('func') ?? null);
      const initial = k.get('initial');
      let acc: PyValue | undefined = initial === undefined || initial === null ? undefined : initial;
      let emittedInitial = acc === undefined;
      return iter(ip, 'itertools.accumulate', () => {
        if (!emittedInitial) {
          emittedInitial = true;
          return acc!;
        }
        const v = next();
        if (v === STOP) return STOP;
        acc = acc === undefined ? v : f === null ? ip.binop('+', acc, v) : ip.call(f, [acc, v]);
        return acc;
      });
    }),
    islice: func('itertools.islice', (a, _k, ip) => {
      const next = ip.iterFn(a[0]);
      let start = 0;
      let stop: number | null;
      let step = 1;
      if (a.length === 2) stop = a[1] === null ? null : ip.toInt(a[1]);
      else {
        start = a[1] === null ? 0 : ip.toInt(a[1]);
        stop = a[2] === null || a[2] === undefined ? null : ip.toInt(a[2]);
        step = a.length > 3 && a[3] !== null ? ip.toInt(a[3]) : 1;
      }
      if (start < 0 || (stop !== null && stop < 0) || step <= 0)
        ip.raise('ValueError', 'Indices for islice() must be None or an integer: 0 <= x <= sys.maxsize.');
      let pos = 0;
      let nextWanted = start;
      return iter(ip, 'itertools.islice', () => {
        for (;;) {
          if (stop !== null && nextWanted >= stop) return STOP;
          const v = next();
          if (v === STOP) return STOP;
          const p = pos++;
          if (p === nextWanted) {
            nextWanted += step;
            return v;
          }
        }
      });
    }),
    zip_longest: func('itertools.zip_longest', (a, k, ip) => {
      const nexts = a.map((x) => ip.iterFn(x));
      const fill = k.get('fillvalue') ?? null;
      const done = nexts.map(() => false);
      return iter(ip, 'itertools.zip_longest', () => {
        const out: PyValue[] = [];
        for (let i = 0; i < nexts.length; i++) {
          if (done[i]) {
            out.push(fill);
            continue;
          }
          const v = nexts[i]();
          if (v === STOP) {
            done[i] = true;
            out.push(fill);
          } else out.push(v);
        }
        return done.every(Boolean) ? STOP : new PyTuple(out);
      });
    }),
    starmap: func('itertools.starmap', (a, _k, ip) => {
      const next = ip.iterFn(a[1]);
      return iter(ip, 'itertools.starmap', () => {
        const v = next();
        return v === STOP ? STOP : ip.call(a[0], ip.iterate(v));
      });
    }),
    takewhile: func('itertools.takewhile', (a, _k, ip) => {
      const next = ip.iterFn(a[1]);
      let done = false;
      return iter(ip, 'itertools.takewhile', () => {
        if (done) return STOP;
        const v = next();
        if (v === STOP || !ip.truthy(ip.call(a[0], [v]))) {
          done = true;
          return STOP;
        }
        return v;
      });
    }),
    dropwhile: func('itertools.dropwhile', (a, _k, ip) => {
      const next = ip.iterFn(a[1]);
      let dropping = true;
      return iter(ip, 'itertools.dropwhile', () => {
        for (;;) {
          const v = next();
          if (v === STOP) return STOP;
          if (dropping && ip.truthy(ip.call(a[0], [v]))) continue;
          dropping = false;
          return v;
        }
      });
    }),
    filterfalse: func('itertools.filterfalse', (a, _k, ip) => {
      const next = ip.iterFn(a[1]);
      return iter(ip, 'itertools.filterfalse', () => {
        for (;;) {
          const v = next();
          if (v === STOP) return STOP;
          if (!ip.truthy(a[0] === null ? v : ip.call(a[0], [v]))) return v;
        }
      });
    }),
    compress: func('itertools.compress', (a, _k, ip) => {
      const d = ip.iterFn(a[0]);
      const s = ip.iterFn(a[1]);
      return iter(ip, 'itertools.compress', () => {
        for (;;) {
          const v = d();
          const t = s();
          if (v === STOP || t === STOP) return STOP;
          if (ip.truthy(t)) return v;
        }
      });
    }),
    pairwise: func('itertools.pairwise', (a, _k, ip) => {
      const next = ip.iterFn(a[0]);
      let prev = next();
      return iter(ip, 'itertools.pairwise', () => {
        if (prev === STOP) return STOP;
        const v = next();
        if (v === STOP) return STOP;
        const t = new PyTuple([prev, v]);
        prev = v;
        return t;
      });
    }),
    groupby: func('itertools.groupby', (a, k, ip) => {
      const items = ip.iterate(a[0]);
      const key = a.length > 1 ? a[1] : (k.get('key') ?? null);
      const groups: Array<[PyValue, PyValue[]]> = [];
      for (const x of items) {
        const kv = key === null ? x : ip.call(key, [x]);
        const last = groups[groups.length - 1];
        if (last && eqBool(ip, last[0], kv)) last[1].push(x);
        else groups.push([kv, [x]]);
      }
      let i = 0;
      return iter(ip, 'itertools.groupby', () => {
        if (i >= groups.length) return STOP;
        const [kv, g] = groups[i++];
        return new PyTuple([kv, new PyIterator(ip.iterFn(new PyList(g)), 'itertools._grouper')]);
      });
    }),
    tee: func('itertools.tee', (a, _k, ip) => {
      const items = ip.iterate(a[0]);
      const n = a.length > 1 ? ip.toInt(a[1]) : 2;
      return new PyTuple(Array.from({ length: n }, () => new PyIterator(ip.iterFn(new PyList(items)), 'itertools._tee')));
    }),
  }),
);

// ------------------------------------------------------------------ operator

const binary = (op: Parameters<Interpreter['binop']>[0]) => (a: PyValue[], _k: Map<string, PyValue>, ip: Interpreter) => ip.binop(op, a[0], a[1]);
const cmp = (op: Parameters<typeof compareOp>[1]) => (a: PyValue[], _k: Map<string, PyValue>, ip: Interpreter) => compareOp(ip, op, a[0], a[1]);

const itemgetter = nativeClass('itemgetter', 'operator', [objectClass], {
  __init__: (a) => {
    (a[0] as PyInstance).native = a.slice(1);
    return null;
  },
  __call__: (a, _k, ip) => {
    const keys = (a[0] as PyInstance).native as PyValue[];
    if (keys.length === 1) return getItem(ip, a[1], keys[0]);
    return new PyTuple(keys.map((key) => getItem(ip, a[1], key)));
  },
});
const attrgetter = nativeClass('attrgetter', 'operator', [objectClass], {
  __init__: (a) => {
    (a[0] as PyInstance).native = a.slice(1);
    return null;
  },
  __call__: (a, _k, ip) => {
    const names = (a[0] as PyInstance).native as PyValue[];
    const get = (n: PyValue) => String(n).split('.').reduce<PyValue>((o, part) => ip.getAttr(o, part), a[1]);
    if (names.length === 1) return get(names[0]);
    return new PyTuple(names.map(get));
  },
});
const methodcaller = nativeClass('methodcaller', 'operator', [objectClass], {
  __init__: (a, k) => {
    (a[0] as PyInstance).native = { name: a[1], args: a.slice(2), kwargs: new Map(k) };
    return null;
  },
  __call__: (a, _k, ip) => {
    const st = (a[0] as PyInstance).native as { name: PyValue; args: PyValue[]; kwargs: Map<string, PyValue> };
    return ip.call(ip.getAttr(a[1], String(st.name)), st.args, st.kwargs);
  },
});

registerNativeModule('operator', () =>
  makeModule('operator', {
    add: func('operator.add', binary('+')),
    sub: func('operator.sub', binary('-')),
    mul: func('operator.mul', binary('*')),
    truediv: func('operator.truediv', binary('/')),
    floordiv: func('operator.floordiv', binary('//')),
    mod: func('operator.mod', binary('%')),
    pow: func('operator.pow', binary('**')),
    matmul: func('operator.matmul', binary('@')),
    lshift: func('operator.lshift', binary('<<')),
    rshift: func('operator.rshift', binary('>>')),
    and_: func('operator.and_', binary('&')),
    or_: func('operator.or_', binary('|')),
    xor: func('operator.xor', binary('^')),
    concat: func('operator.concat', binary('+')),
    iadd: func('operator.iadd', (a, _k, ip) => inplaceOp(ip, '+', a[0], a[1])),
    imul: func('operator.imul', (a, _k, ip) => inplaceOp(ip, '*', a[0], a[1])),
    neg: func('operator.neg', (a, _k, ip) => unaryOp(ip, '-', a[0])),
    pos: func('operator.pos', (a, _k, ip) => unaryOp(ip, '+', a[0])),
    invert: func('operator.invert', (a, _k, ip) => unaryOp(ip, '~', a[0])),
    not_: func('operator.not_', (a, _k, ip) => !ip.truthy(a[0])),
    truth: func('operator.truth', (a, _k, ip) => ip.truthy(a[0])),
    is_: func('operator.is_', (a) => a[0] === a[1]),
    is_not: func('operator.is_not', (a) => a[0] !== a[1]),
    eq: func('operator.eq', cmp('==')),
    ne: func('operator.ne', cmp('!=')),
    lt: func('operator.lt', cmp('<')),
    le: func('operator.le', cmp('<=')),
    gt: func('operator.gt', cmp('>')),
    ge: func('operator.ge', cmp('>=')),
    contains: func('operator.contains', (a, _k, ip) => contains(ip, a[0], a[1])),
    getitem: func('operator.getitem', (a, _k, ip) => getItem(ip, a[0], a[1])),
    setitem: func('operator.setitem', (a, _k, ip) => {
      setItem(ip, a[0], a[1], a[2]);
      return null;
    }),
    delitem: func('operator.delitem', (a, _k, ip) => {
      delItem(ip, a[0], a[1]);
      return null;
    }),
    index: func('operator.index', (a, _k, ip) => ip.toIndex(a[0])),
    abs: func('operator.abs', (a, _k, ip) => ip.call(ip.builtins.get('abs')!, [a[0]])),
    itemgetter,
    attrgetter,
    methodcaller,
  }),
);

