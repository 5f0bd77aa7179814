// The interpreter's own contract: limits, broken input, opaque tolerance, imports through a resolver,
// trace hooks, sandboxing and the run API (runModule / evalInRun). Python semantics are covered by
// interp.test.ts against CPython.

import assert from 'node:assert/strict';
import { DiagnosticSink } from '../../src/core/diagnostics';
import { evalInRun, runModule, type RunResult, type SourceResolver } from '../../src/core/runtime/interpreter';
import { LimitExceeded } from '../../src/core/runtime/limits';
import { registerNativeModule } from '../../src/core/runtime/nativeModules';
import { PyBuiltinFunction, PyClass, PyFunction, PyInstance, PyModuleObject, PyOpaque, PyRaise, type PyValue, type TraceHooks } from '../../src/core/runtime/values';

interface Recorded {
  out: string;
  values: Array<{ line: number; target: string | null; value: PyValue }>;
  enters: string[];
  exits: string[];
}

function run(text: string, opts: { resolver?: SourceResolver; limits?: { steps?: number; timeMs?: number; recursion?: number }; file?: string; moduleName?: string } = {}) {
  const rec: Recorded = { out: '', values: [], enters: [], exits: [] };
  const sink = new DiagnosticSink();
  const file = opts.file ?? '/proj/main.py';
  const trace: TraceHooks = {
    onPrint: (s) => {
      rec.out += s;
    },
    onStatementValue: (_f, span, target, value) => {
      rec.values.push({ line: text.slice(0, span.start).split('\n').length, target, value });
    },
    onEnterFunction: (fn, self) => {
      rec.enters.push(fn.qualname + (self !== undefined ? `(self=${self instanceof PyInstance ? self.cls.name : typeof self})` : ''));
    },
    onExitFunction: (fn) => {
      rec.exits.push(fn.qualname);
    },
  };
  const result = runModule({ file, text, trace, sink, resolver: opts.resolver, limits: opts.limits, moduleName: opts.moduleName });
  return { rec, sink, result };
}

function codes(sink: DiagnosticSink): string[] {
  return sink.items.map((d) => d.code);
}

/** A resolver over an in-memory project: absolute names map to files, relative ones resolve from the importer's folder. */
function memoryResolver(files: Record<string, string>): SourceResolver & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    resolve(moduleName, level, fromFile) {
      calls.push(`${'.'.repeat(level)}${moduleName}`);
      let base = '';
      if (level > 0) {
        const parts = fromFile.split('/').slice(0, -1);
        for (let i = 1; i < level; i++) parts.pop();
        base = parts.join('/');
      } else base = '/proj';
      const rel = moduleName ? moduleName.split('.').join('/') : '';
      for (const cand of [rel ? `${base}/${rel}.py` : '', `${base}${rel ? '/' + rel : ''}/__init__.py`]) {
        if (cand && files[cand] !== undefined) {
          const name = cand
            .replace(/^\/proj\//, '')
            .replace(/\/__init__\.py$/, '')
            .replace(/\.py$/, '')
            .split('/')
            .join('.');
          return { file: cand, text: files[cand], moduleName: name };
        }
      }
      return undefined;
    },
  };
}

describe('interpreter limits', function () {
  this.timeout(20_000);
  it('stops `while True: pass` with a step-budget or time-limit diagnostic, quickly', () => {
    const t0 = Date.now();
    const { sink, result } = run('x = 1\nwhile True:\n    pass\n');
    const ms = Date.now() - t0;
    assert.ok(ms < 1500, `took ${ms} ms`);
    assert.ok(result.limit instanceof LimitExceeded);
    assert.ok(['step-budget', 'time-limit'].includes(result.limit!.code));
    const d = sink.items.find((x) => x.code === result.limit!.code)!;
    assert.ok(d, 'a diagnostic for the limit');
    assert.equal(d.location.line, 3);
    assert.equal(result.error, null);
  });

  it('reports the step budget with its own wording', () => {
    const { sink, result } = run('i = 0\nwhile True:\n    i += 1\n', { limits: { steps: 10_000, timeMs: 60_000 } });
    assert.equal(result.limit?.code, 'step-budget');
    assert.match(sink.items[0].message, /stopped the script after 10,000 steps/);
  });

  it('stops on the wall clock even when steps remain', () => {
    const { result } = run('while True:\n    x = [i for i in range(100)]\n', { limits: { steps: 1e12, timeMs: 150 } });
    assert.equal(result.limit?.code, 'time-limit');
  });

  it('ends unbounded recursion with recursion-limit at a location', () => {
    const { sink, result } = run('def f(n):\n    return f(n + 1)\n\nf(0)\n');
    assert.equal(result.limit?.code, 'recursion-limit');
    const d = sink.items.find((x) => x.code === 'recursion-limit')!;
    assert.equal(d.message, 'RecursionError: maximum recursion depth exceeded');
    assert.equal(d.location.line, 2);
  });

  it('except Exception cannot swallow a limit', () => {
    const { result, rec } = run('try:\n    while True:\n        pass\nexcept Exception:\n    print("caught")\nprint("after")\n', {
      limits: { steps: 5000 },
    });
    assert.equal(result.limit?.code, 'step-budget');
    assert.equal(rec.out, '');
  });

  it('deep but bounded recursion works, and the frame limit is configurable', () => {
    const prog = 'def depth(n):\n    return 0 if n == 0 else 1 + depth(n - 1)\nprint(depth(250))\n';
    assert.equal(run(prog).rec.out, '250\n');
    assert.equal(run(prog, { limits: { recursion: 100 } }).result.limit?.code, 'recursion-limit');
  });

  for (const code of ['import itertools\nsum(itertools.count())', 'x = list(range(10**12))', 'max(range(10**12))', 'sorted(range(10**9))']) {
    it(`native loops meet the limits: ${code.split('\n').pop()}`, () => {
      const t0 = Date.now();
      const { result } = run(code + '\n');
      assert.ok(result.limit, 'stopped by a limit');
      assert.ok(Date.now() - t0 < 3000);
    });
  }

  it('parsing float() input cannot backtrack catastrophically', () => {
    const { result } = run('float("1" * 200000 + "x")\n');
    assert.equal(result.error?.excType, 'ValueError');
  });

  it('counts steps inside infinite generators consumed by builtins', () => {
    const { result } = run('def g():\n    while True:\n        yield 1\nsum(g())\n', { limits: { steps: 20_000 } });
    assert.equal(result.limit?.code, 'step-budget');
  });
});

describe('interpreter on broken input', function () {
  this.timeout(20_000);
  it('runs an empty file', () => {
    const { sink, result, rec } = run('');
    assert.equal(result.error, null);
    assert.deepEqual(sink.items, []);
    assert.equal(rec.out, '');
  });

  it('binary garbage ends in diagnostics, not an exception', () => {
    const garbage = String.fromCharCode(...Array.from({ length: 400 }, (_, i) => (i * 7919) % 256));
    const { sink } = run(garbage);
    assert.ok(sink.items.length > 0);
    assert.ok(sink.items.every((d) => d.code !== 'internal'), JSON.stringify(sink.items.filter((d) => d.code === 'internal')));
  });

  it('a half-typed line is a syntax error diagnostic; code before it still runs', () => {
    const text = 'print("before")\nclass M:\n    def forward(self, x):\n        out = self.conv1(\n';
    const { sink, rec } = run(text);
    assert.equal(rec.out, 'before\n');
    const errs = sink.items.filter((d) => d.code === 'syntax-error');
    assert.ok(errs.length >= 1);
    assert.ok(sink.items.every((d) => d.code !== 'internal'));
  });

  it('a syntax error at module level stops there without a duplicate runtime diagnostic', () => {
    const { sink, rec, result } = run('print(1)\nx = = 2\nprint(2)\n');
    assert.equal(rec.out, '1\n');
    assert.equal(result.error?.excType, 'SyntaxError');
    assert.ok(sink.items.filter((d) => d.code === 'syntax-error').length >= 1);
    assert.equal(sink.items.filter((d) => d.code === 'runtime-error').length, 0);
  });

  it('reports an uncaught exception with its traceback (Python order)', () => {
    const { sink, result } = run('def a():\n    b()\n\ndef b():\n    raise ValueError("bad")\n\na()\n');
    assert.equal(result.error?.excType, 'ValueError');
    assert.equal(result.error?.message, 'bad');
    assert.deepEqual(result.error?.traceback.map((l) => l.line), [7, 2, 5]);
    assert.equal(result.error?.location.line, 5);
    const d = sink.items.find((x) => x.code === 'runtime-error')!;
    assert.equal(d.message, 'ValueError: bad');
    assert.equal(d.exceptionType, 'ValueError');
    assert.equal(d.location.line, 5);
  });

  it('a native error is located at the call expression', () => {
    const { result } = run('x = [1, 2]\ny = 0\nz = len(x) + int("nope")\n');
    assert.equal(result.error?.excType, 'ValueError');
    const loc = result.error!.location;
    assert.equal(loc.line, 3);
    assert.equal(loc.column, 14);
  });
});

describe('opaque tolerance', function () {
  this.timeout(20_000);
  it('imports an unknown module, subclasses, decorates with and calls it', () => {
    const text = [
      'import fancylib',
      'from fancylib.layers import Block, register',
      'import os',
      '@register()',
      '@fancylib.decorate',
      'def build(n):',
      '    return n * 2',
      'class Mine(Block):',
      '    def __init__(self):',
      '        super().__init__()',
      '        self.k = 3',
      'm = Mine()',
      'print(build(21), m.k, m.unknown_attr is not None)',
      'v = fancylib.make(1, 2, key=3)',
      'w = v.attr[0](4) + 1',
      'for item in fancylib.items():',
      '    print("never")',
      'with fancylib.ctx() as c:',
      '    print("in ctx", c is not None)',
      'if v:',
      '    print("opaque is truthy")',
      'print(isinstance(3, fancylib.Kind), type(os.getcwd()).__name__)',
      'try:',
      '    raise fancylib.Error("x")',
      'except Exception as e:',
      '    print("caught", type(e).__name__)',
    ].join('\n');
    const { rec, sink, result } = run(text);
    assert.equal(result.error, null, result.error?.message);
    assert.equal(rec.out, '42 3 True\nin ctx True\nopaque is truthy\nFalse unknown\ncaught Error\n');
    const info = sink.items.filter((d) => d.code === 'import-unresolved');
    assert.deepEqual(
      info.map((d) => d.location.line),
      [1, 3],
      'one Information diagnostic per unresolved module',
    );
    assert.ok(info.every((d) => d.severity === 'information'));
  });

  it('formats, rounds and indexes with unknown values without failing', () => {
    const text = [
      'import time, math',
      't = time.time()',
      'print(f"{t:.2f}|{t:>8}|" + "%.3f|%d" % (t, t), round(t, 2) is not None, math.sqrt(t) is not None)',
      'xs = [1, 2, 3]',
      'print(xs[t] is not None, {"a": 1}[t] is not None, t < 3, bool(t == 1))',
    ].join('\n');
    const { rec, result } = run(text);
    assert.equal(result.error, null, result.error?.message);
    assert.match(rec.out, /^<unknown time\.time\(\)>\|<unknown time\.time\(\)>\|<unknown time\.time\(\)>\|<unknown time\.time\(\)> True True\n/);
    assert.match(rec.out, /\nTrue True <unknown [^>]*> True\n$/);
  });

  it('a name under a native root that is not registered is a tolerant module', () => {
    registerNativeModule('fakeroot_for_test', () => {
      const m = new PyModuleObject('fakeroot_for_test');
      m.dict.set('value', 7);
      return m;
    });
    const { rec, sink } = run('import fakeroot_for_test.sub.deep as d\nimport fakeroot_for_test\nprint(fakeroot_for_test.value, d.anything is not None)\n');
    assert.equal(rec.out, '7 True\n');
    assert.deepEqual(codes(sink), []);
  });
});

describe('imports through the resolver', function () {
  this.timeout(20_000);
  it('absolute, relative, packages, star imports with __all__, parent attributes and caching', () => {
    const files = {
      '/proj/pkg/__init__.py': 'from .util import helper\nVERSION = "1.0"\n',
      '/proj/pkg/util.py': 'print("util loaded")\n__all__ = ["helper", "CONST"]\nCONST = 5\n_private = 1\nOTHER = 2\ndef helper(x):\n    return x + CONST\n',
      '/proj/pkg/models/__init__.py': '',
      '/proj/pkg/models/net.py': 'from ..util import helper\nfrom . import layers\nfrom .layers import Layer as L\nclass Net(L):\n    def go(self):\n        return helper(1)\n',
      '/proj/pkg/models/layers.py': 'class Layer:\n    name = "layer"\n',
    };
    const resolver = memoryResolver(files);
    const text = [
      'import pkg.models.net',
      'from pkg.util import *',
      'import pkg.util as u',
      'from pkg import VERSION',
      'print(pkg.models.net.Net().go(), CONST, helper(0), VERSION, u.OTHER, pkg.util is u)',
      'print("OTHER" in dir(), "_private" in globals())',
      'from pkg.models.net import Net',
      'print(Net.name, Net.__module__, pkg.models.layers.Layer.name)',
    ].join('\n');
    const { rec, sink, result } = run(text, { resolver });
    assert.equal(result.error, null, result.error?.message);
    assert.equal(rec.out, 'util loaded\n6 5 5 1.0 2 True\nFalse False\nlayer pkg.models.net layer\n');
    assert.deepEqual(codes(sink), []);
  });

  it('circular imports see the partially initialised module', () => {
    const files = {
      '/proj/a.py': 'import b\nA = 1\ndef fa():\n    return b.B\n',
      '/proj/b.py': 'import a\nB = 2\ndef fb():\n    return a.A\n',
    };
    const { rec, result } = run('import a, b\nprint(a.fa(), b.fb())\n', { resolver: memoryResolver(files) });
    assert.equal(result.error, null, result.error?.message);
    assert.equal(rec.out, '2 1\n');
  });

  it('an error inside an imported file makes the module tolerant and reports Information', () => {
    const files = {
      '/proj/broken.py': 'good = 1\nraise RuntimeError("boom at import")\nlater = 2\n',
    };
    const { rec, sink, result } = run('import broken\nfrom broken import good, later\nprint(good, later is not None)\n', { resolver: memoryResolver(files) });
    assert.equal(result.error, null, result.error?.message);
    assert.equal(rec.out, '1 True\n');
    const d = sink.items.find((x) => x.code === 'import-unresolved')!;
    assert.equal(d.severity, 'information');
    assert.equal(d.location.line, 1);
    assert.match(d.message, /RuntimeError: boom at import/);
  });

  it('ImportError for a missing name in a real module', () => {
    const files = { '/proj/m.py': 'x = 1\n' };
    const { result } = run('from m import y\n', { resolver: memoryResolver(files) });
    assert.equal(result.error?.excType, 'ImportError');
    assert.match(result.error!.message, /cannot import name 'y' from 'm'/);
  });

  it('stdlib modules are native (no resolver call) and os is opaque', () => {
    const resolver = memoryResolver({});
    const { rec, sink } = run('import math, collections.abc, typing\nimport os.path\nprint(math.floor(2.5), os.path.join("a", "b") is not None)\n', { resolver });
    assert.equal(rec.out, '2 True\n');
    assert.deepEqual(resolver.calls, ['os']);
    assert.deepEqual(codes(sink), ['import-unresolved']);
  });
});

describe('trace hooks', function () {
  this.timeout(20_000);
  it('reports assignments, expression values and function frames', () => {
    const text = [
      'class M:',
      '    def f(self, x):',
      '        y = x * 2',
      '        return y',
      'def g(a):',
      '    return a',
      'm = M()',
      'a, b = 1, 2',
      'c = d = m.f(3)',
      'c += 1',
      'm.f(1)',
      'g(5)',
      'None',
      'n: int = 4',
      '"docstring-like"',
    ].join('\n');
    const { rec } = run(text);
    const summary = rec.values.map((v) => `${v.line}:${v.target}=${v.value instanceof PyInstance ? v.value.cls.name : String(v.value)}`);
    assert.deepEqual(summary, ['7:m=M', '8:a, b=[object Object]', '3:y=6', '9:c = d=6', '10:c=7', '3:y=2', '11:null=2', '12:null=5', '14:n=4']);
    assert.deepEqual(rec.enters, ['M.f(self=M)', 'M.f(self=M)', 'g']);
    assert.deepEqual(rec.exits, ['M.f', 'M.f', 'g']);
  });

  it('print honours sep and end', () => {
    const { rec } = run('print(1, 2, sep="-", end="!\\n")\nprint()\nprint("a", "b", sep="")\n');
    assert.equal(rec.out, '1-2!\n\nab\n');
  });
});

describe('sandbox', function () {
  this.timeout(20_000);
  for (const [code, type] of [
    ['open("/etc/passwd")', 'PermissionError'],
    ['eval("1+1")', 'RuntimeError'],
    ['exec("x=1")', 'RuntimeError'],
    ['__import__("os")', 'RuntimeError'],
    ['compile("1", "f", "eval")', 'RuntimeError'],
    ['input()', 'RuntimeError'],
  ] as const) {
    it(`${code} raises ${type}`, () => {
      const { result } = run(`${code}\n`);
      assert.equal(result.error?.excType, type);
      assert.match(result.error!.message, /Tensor Trace/);
    });
  }
});

describe('run API', function () {
  this.timeout(20_000);
  it('evalInRun evaluates an entry expression in the finished run', () => {
    const { result } = run('class Net:\n    def __init__(self, depth, widths):\n        self.depth = depth\n        self.total = sum(widths)\n');
    const v = evalInRun(result, 'Net(3, [2, 2, 2])');
    assert.ok(v instanceof PyInstance);
    assert.equal(v.dict.get('total'), 6);
    assert.throws(() => evalInRun(result, 'Net()'), (e: unknown) => e instanceof PyRaise && e.exc.cls.name === 'TypeError');
    assert.throws(() => evalInRun(result, 'Net(('), (e: unknown) => e instanceof PyRaise && e.exc.cls.name === 'SyntaxError');
  });

  it('native __new__ receives the CallContext of the instantiation; __setattr__ hooks run', () => {
    const seen: Array<{ start: number; end: number }> = [];
    const setattrs: string[] = [];
    registerNativeModule('nativebase_for_test', (interp) => {
      const m = new PyModuleObject('nativebase_for_test');
      const cls = new PyClass('Base', [], new Map(), 'nativebase_for_test');
      cls.dict.set(
        '__new__',
        new PyBuiltinFunction('__new__', (c, ctx) => {
          seen.push(ctx.span);
          const inst = new PyInstance(c.args[0] as PyClass);
          inst.native = { made: true };
          return inst;
        }),
      );
      cls.dict.set('__init__', new PyBuiltinFunction('__init__', () => null));
      cls.dict.set(
        '__setattr__',
        new PyBuiltinFunction('__setattr__', (c) => {
          setattrs.push(String(c.args[1]));
          (c.args[0] as PyInstance).dict.set(String(c.args[1]), c.args[2]);
          return null;
        }),
      );
      void interp;
      m.dict.set('Base', cls);
      return m;
    });
    const text = 'from nativebase_for_test import Base\nclass Mod(Base):\n    def __init__(self):\n        super().__init__()\n        self.w = 1\nm = Mod()\nprint(m.w, repr(m).startswith("<__main__.Mod object"))\n';
    const { rec, result } = run(text);
    assert.equal(result.error, null, result.error?.message);
    assert.equal(rec.out, '1 True\n');
    assert.deepEqual(
      seen.map((sp) => ({ start: sp.start, end: sp.end })),
      [{ start: text.indexOf('Mod()'), end: text.indexOf('Mod()') + 5 }],
    );
    assert.deepEqual(setattrs, ['w']);
  });

  it('Interp API: call, getAttr, iterate, isInstance, repr and raise', () => {
    const { result } = run('def add(a, b=10):\n    return a + b\nclass P:\n    x = 5\nitems = [1, (2, 3)]\n');
    const ip = result.interp;
    const g = result.globals.dict;
    assert.equal(ip.call(g.get('add')!, [1]), 11);
    assert.equal(ip.call(g.get('add')!, [1], new Map([['b', 2]])), 3);
    assert.equal(ip.getAttr(g.get('P')!, 'x'), 5);
    assert.equal(ip.getAttrOrUndefined(g.get('P')!, 'nope'), undefined);
    assert.equal(ip.repr(g.get('items')!), '[1, (2, 3)]');
    assert.equal(ip.iterate(g.get('items')!).length, 2);
    assert.equal(ip.isInstance(true, ip.typeOf(1)), true);
    assert.ok(g.get('add') instanceof PyFunction);
    assert.throws(() => ip.raise('ValueError', 'x'), (e: unknown) => e instanceof PyRaise && e.exc.cls === ip.exceptionClass('ValueError'));
    assert.ok(new PyOpaque('x') instanceof PyOpaque);
  });

  it('runs a 1M-iteration loop (timing printed; generous limit for loaded CI machines)', () => {
    let out = '';
    const trace: TraceHooks = { onPrint: (s) => (out += s), onStatementValue() {}, onEnterFunction() {}, onExitFunction() {} };
    const text = 's = 0\nfor i in range(1000000):\n    s += i\nprint(s)\n';
    runModule({ file: '/w.py', text: 'for i in range(20000):\n    i += 1\n', trace, sink: new DiagnosticSink() });
    const t0 = Date.now();
    const result = runModule({ file: '/p.py', text, trace, sink: new DiagnosticSink(), limits: { timeMs: 10_000 } });
    const ms = Date.now() - t0;
    assert.equal(result.limit, undefined);
    assert.equal(out, '499999500000\n');
    console.log(`      1M-iteration loop: ${ms} ms`);
  });
});

export type { RunResult };
