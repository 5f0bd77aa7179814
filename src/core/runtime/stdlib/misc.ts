// copy, warnings, sys, __future__, contextlib, types and string.

import {
  functionClass,
  generatorClass,
  lookupType,
  methodClass,
  moduleClass,
  noneClass,
  objectClass,
  builtinFunctionClass,
} from '../builtinTypes';
import type { Interpreter } from '../interpreter';
import { registerNativeModule } from '../nativeModules';
import {
  PyClass,
  PyDict,
  PyFloat,
  PyInstance,
  PyIterator,
  PyList,
  PyModuleObject,
  PyRaise,
  PySet,
  PyTuple,
  STOP,
  type PyValue,
} from '../values';
import { func, makeModule, method, nativeClass } from './common';
import { installNamedTuple } from './collections';
import { tupleClass } from '../builtinTypes';

// ------------------------------------------------------------------ copy

function copyNative(n: unknown, deep: (v: PyValue) => PyValue): unknown {
  if (n instanceof PyList) return new PyList(n.items.map(deep));
  if (n instanceof PyDict) {
    const d = new PyDict();
    for (const e of n.map.values()) d.set(e.key, deep(e.value));
    return d;
  }
  if (n instanceof PySet) {
    const s = new PySet(n.frozen);
    for (const [k, v] of n.map) s.map.set(k, v);
    return s;
  }
  if (n instanceof PyTuple) return new PyTuple(n.items.map(deep), n.isSize);
  if (n && typeof n === 'object' && 'items' in n && Array.isArray((n as { items: unknown }).items))
    return { ...(n as object), items: [...(n as { items: PyValue[] }).items].map(deep) };
  return n;
}

export function shallowCopy(ip: Interpreter, v: PyValue): PyValue {
  if (v instanceof PyList) return new PyList(v.items.slice());
  if (v instanceof PyDict) {
    const d = new PyDict();
    for (const e of v.map.values()) d.set(e.key, e.value);
    return d;
  }
  if (v instanceof PySet) {
    if (v.frozen) return v;
    const s = new PySet();
    for (const [k, x] of v.map) s.map.set(k, x);
    return s;
  }
  if (v instanceof PyInstance) {
    const c = lookupType(v.cls, '__copy__');
    if (c !== undefined && c !== null) return ip.callMethod(c, v, []);
    const out = new PyInstance(v.cls);
    for (const [k, x] of v.dict) out.dict.set(k, x);
    out.native = copyNative(v.native, (x) => x);
    return out;
  }
  return v;
}

export function deepCopy(ip: Interpreter, v: PyValue, memo: Map<object, PyValue>): PyValue {
  if (v === null || typeof v !== 'object') return v;
  const seen = memo.get(v);
  if (seen !== undefined) return seen;
  if (v instanceof PyFloat) return v;
  if (v instanceof PyList) {
    const out = new PyList([]);
    memo.set(v, out);
    out.items = v.items.map((x) => deepCopy(ip, x, memo));
    return out;
  }
  if (v instanceof PyTuple) {
    const items = v.items.map((x) => deepCopy(ip, x, memo));
    const same = items.every((x, i) => x === v.items[i]);
    const out = same ? v : new PyTuple(items, v.isSize);
    memo.set(v, out);
    return out;
  }
  if (v instanceof PyDict) {
    const out = new PyDict();
    memo.set(v, out);
    for (const e of v.map.values()) out.set(deepCopy(ip, e.key, memo), deepCopy(ip, e.value, memo));
    return out;
  }
  if (v instanceof PySet) {
    if (v.frozen) return v;
    const out = new PySet();
    memo.set(v, out);
    for (const [k, x] of v.map) out.map.set(k, x);
    return out;
  }
  if (v instanceof PyInstance) {
    const dc = lookupType(v.cls, '__deepcopy__');
    if (dc !== undefined && dc !== null) {
      const memoDict = new PyDict();
      const r = ip.callMethod(dc, v, [memoDict]);
      memo.set(v, r);
      return r;
    }
    const out = new PyInstance(v.cls);
    memo.set(v, out);
    for (const [k, x] of v.dict) out.dict.set(k, deepCopy(ip, x, memo));
    out.native = copyNative(v.native, (x) => deepCopy(ip, x, memo));
    return out;
  }
  // Functions, classes, modules, opaque values: shared, as CPython does for functions and classes.
  return v;
}

registerNativeModule('copy', () =>
  makeModule('copy', {
    copy: func('copy.copy', (a, _k, ip) => shallowCopy(ip, a[0])),
    deepcopy: func('copy.deepcopy', (a, _k, ip) => deepCopy(ip, a[0], new Map())),
    Error: ip0Error(),
  }),
);
function ip0Error(): PyValue {
  return nativeClass('Error', 'copy', [objectClass], {});
}

// ------------------------------------------------------------------ warnings

const noop = (name: string) => func(name, () => null);
const catchWarnings = nativeClass('catch_warnings', 'warnings', [objectClass], {
  __init__: () => null,
  __enter__: () => new PyList([]),
  __exit__: () => false,
});
registerNativeModule('warnings', () =>
  makeModule('warnings', {
    warn: noop('warnings.warn'),
    warn_explicit: noop('warnings.warn_explicit'),
    filterwarnings: noop('warnings.filterwarnings'),
    simplefilter: noop('warnings.simplefilter'),
    resetwarnings: noop('warnings.resetwarnings'),
    showwarning: noop('warnings.showwarning'),
    formatwarning: func('warnings.formatwarning', (a, _k, ip) => ip.str(a[0])),
    catch_warnings: catchWarnings,
  }),
);

// ------------------------------------------------------------------ sys

const versionInfo = (() => {
  const cls = new PyClass('version_info', [tupleClass], new Map(), 'sys');
  installNamedTuple(cls, ['major', 'minor', 'micro', 'releaselevel', 'serial'], []);
  cls.dict.set(
    '__repr__',
    method('version_info.__repr__', (a, _k, ip) => {
      const items = ((a[0] as PyInstance).native as PyTuple).items;
      return `sys.version_info(major=${items[0]}, minor=${items[1]}, micro=${items[2]}, releaselevel=${ip.repr(items[3])}, serial=${items[4]})`;
    }),
  );
  const inst = new PyInstance(cls);
  inst.native = new PyTuple([3, 11, 7, 'final', 0]);
  return inst;
})();

const Stream = nativeClass('TextIOWrapper', 'io', [objectClass], {
  write: (a, _k, ip) => {
    const self = a[0] as PyInstance;
    const s = ip.str(a[1]);
    if (self.native === 'stdout') ip.trace.onPrint(s);
    return s.length;
  },
  flush: () => null,
  isatty: () => false,
  fileno: () => 1,
});
function stream(name: string): PyInstance {
  const s = new PyInstance(Stream);
  s.native = name;
  return s;
}

registerNativeModule('sys', (interp) => {
  const ip = interp as Interpreter;
  return makeModule('sys', {
    version_info: versionInfo,
    version: '3.11.7 (Tensor Trace)',
    hexversion: 0x030b07f0,
    platform: 'linux',
    byteorder: 'little',
    maxsize: 2 ** 63 - 1,
    float_info: makeModule('sys.float_info', {
      max: new PyFloat(Number.MAX_VALUE),
      min: new PyFloat(2.2250738585072014e-308),
      epsilon: new PyFloat(Number.EPSILON),
    }),
    stdout: stream('stdout'),
    stderr: stream('stderr'),
    implementation: makeModule('sys.implementation', { name: 'cpython' }),
    getrecursionlimit: func('sys.getrecursionlimit', () => ip.limits.recursion),
    setrecursionlimit: func('sys.setrecursionlimit', () => null),
    getsizeof: func('sys.getsizeof', () => 64),
    exit: func('sys.exit', (a, _k, ip2) => {
      throw new PyRaise(ip2.newException('SystemExit', a.length ? [a[0]] : []));
    }),
    __getattr__: func('sys.__getattr__', (a, _k, ip2) => {
      if (a[0] === 'modules') {
        const d = new PyDict();
        for (const [k, m] of ip2.modules) d.set(k, m);
        return d;
      }
      return ip2.raise('AttributeError', `module 'sys' has no attribute '${String(a[0])}'`);
    }),
  });
});

// ------------------------------------------------------------------ __future__

registerNativeModule('__future__', () => {
  const feature = nativeClass('_Feature', '__future__', [objectClass], {});
  const entries: Record<string, PyValue> = {};
  for (const n of ['annotations', 'division', 'print_function', 'absolute_import', 'generators', 'nested_scopes', 'with_statement', 'unicode_literals', 'generator_stop'])
    entries[n] = new PyInstance(feature);
  return makeModule('__future__', entries);
});

// ------------------------------------------------------------------ contextlib

const GeneratorContextManager = nativeClass('_GeneratorContextManager', 'contextlib', [objectClass], {
  __enter__: (a, _k, ip) => {
    const self = a[0] as PyInstance;
    const gen = self.native as PyIterator;
    const v = gen.next();
    if (v === STOP) return ip.raise('RuntimeError', "generator didn't yield");
    return v;
  },
  __exit__: (a, _k, ip) => {
    const self = a[0] as PyInstance;
    const gen = self.native as PyIterator;
    if (a[1] === null) {
      const v = gen.next();
      if (v !== STOP) ip.raise('RuntimeError', "generator didn't stop");
      return false;
    }
    // The body raised: CPython throws into the generator; we cannot resume it with an exception,
    // so let the exception propagate (the common `try: yield finally: …` cleanup is skipped).
    return false;
  },
  __call__: (a, _k, ip) => {
    const self = a[0] as PyInstance;
    const f = a[1];
    const factory = self.dict.get('__factory__');
    void ip;
    return func('contextlib.decorated', (b, k, ip2) => {
      const cm = factory !== undefined ? ip2.call(factory, []) : self;
      const enter = lookupType((cm as PyInstance).cls, '__enter__')!;
      const exit = lookupType((cm as PyInstance).cls, '__exit__')!;
      ip2.callMethod(enter, cm, []);
      try {
        const r = ip2.call(f, b, k);
        ip2.callMethod(exit, cm, [null, null, null]);
        return r;
      } catch (e) {
        if (e instanceof PyRaise && ip2.truthy(ip2.callMethod(exit, cm, [e.exc.cls, e.exc, null]))) return null;
        throw e;
      }
    });
  },
});

const nullcontext = nativeClass('nullcontext', 'contextlib', [objectClass], {
  __init__: (a) => {
    (a[0] as PyInstance).native = a.length > 1 ? a[1] : null;
    return null;
  },
  __enter__: (a) => (a[0] as PyInstance).native as PyValue,
  __exit__: () => false,
});

const suppress = nativeClass('suppress', 'contextlib', [objectClass], {
  __init__: (a) => {
    (a[0] as PyInstance).native = a.slice(1);
    return null;
  },
  __enter__: () => null,
  __exit__: (a, _k, ip) => {
    const types = (a[0] as PyInstance).native as PyValue[];
    const exc = a[2];
    if (!(exc instanceof PyInstance)) return false;
    return types.some((t) => ip.exceptionMatches(exc, t));
  },
});

registerNativeModule('contextlib', () =>
  makeModule('contextlib', {
    contextmanager: func('contextlib.contextmanager', (a) => {
      const genFn = a[0];
      return func('contextlib.contextmanager.<helper>', (b, k, ip) => {
        const gen = ip.call(genFn, b, k);
        const cm = new PyInstance(GeneratorContextManager);
        cm.native = gen instanceof PyIterator ? gen : new PyIterator(ip.iterFn(gen));
        return cm;
      });
    }),
    nullcontext,
    suppress,
    AbstractContextManager: nativeClass('AbstractContextManager', 'contextlib', [objectClass], {
      __enter__: (a) => a[0],
      __exit__: () => null,
    }),
  }),
);

// ------------------------------------------------------------------ types

const SimpleNamespace = nativeClass('SimpleNamespace', 'types', [objectClass], {
  __init__: (a, k) => {
    const self = a[0] as PyInstance;
    for (const [kk, v] of k) self.dict.set(kk, v);
    return null;
  },
  __repr__: (a, _k, ip) => {
    const self = a[0] as PyInstance;
    const name = self.cls.name === 'SimpleNamespace' ? 'namespace' : self.cls.name;
    return `${name}(${[...self.dict].map(([k, v]) => `${k}=${ip.repr(v)}`).join(', ')})`;
  },
  __eq__: (a, _k, ip) => {
    const x = a[0] as PyInstance;
    const y = a[1];
    if (!(y instanceof PyInstance) || x.dict.size !== y.dict.size) return false;
    for (const [k, v] of x.dict) {
      const w = y.dict.get(k);
      if (w === undefined || !ip.truthy(ip.compare('==', v, w))) return false;
    }
    return true;
  },
});

registerNativeModule('types', () =>
  makeModule('types', {
    SimpleNamespace,
    ModuleType: moduleClass,
    FunctionType: functionClass,
    LambdaType: functionClass,
    MethodType: methodClass,
    BuiltinFunctionType: builtinFunctionClass,
    GeneratorType: generatorClass,
    NoneType: noneClass,
  }),
);

// ------------------------------------------------------------------ string

registerNativeModule('string', () =>
  makeModule('string', {
    ascii_letters: 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ',
    ascii_lowercase: 'abcdefghijklmnopqrstuvwxyz',
    ascii_uppercase: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
    digits: '0123456789',
    hexdigits: '0123456789abcdefABCDEF',
    octdigits: '01234567',
    punctuation: '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~',
    whitespace: ' \t\n\r\x0b\x0c',
    printable: '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~ \t\n\r\x0b\x0c',
  }),
);

