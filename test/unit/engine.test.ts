// The engine against real PyTorch: every fixture script and entry in test/fixtures is traced and compared with
// the JSON that test/reference/generate.py recorded under torch 1.13 (module names, classes, shapes, params,
// MACs within 1%, printed shape lines, errors with message and line), plus the hand-written skip facts.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { traceSource, type TraceRequest } from '../../src/core/engine';
import type { ModuleCall, TraceResult } from '../../src/core/trace/types';
import { createFileResolver } from '../../src/host/fileResolver';
import { seedFile } from './numericRefCache';

const ROOT = join(__dirname, '..', '..');
const FIXTURES = join(ROOT, 'test', 'fixtures');
const REFS = join(ROOT, 'test', '.cache', 'reference');
const PYTHON = process.env.TT_PYTHON ?? '/usr/bin/python3';
/** Generous limits: the references run to completion, so must the engine. */
const LIMITS = { timeMs: 60_000, steps: 50_000_000 };

type RefShape = number[] | RefShape[] | { [k: string]: RefShape } | null;
interface RefModule {
  index: number;
  name: string | null;
  class: string;
  parent: number | null;
  inputs: number[][];
  output: RefShape;
  params: number;
  /** module.parameters() at the call, each shared parameter once. */
  total_params: number;
  macs: number;
  completed: boolean;
}
interface Reference {
  kind: 'script' | 'entry';
  id: string;
  file: string;
  module?: string | null;
  entry?: string;
  inputs?: number[][];
  mode?: 'eval' | 'train';
  stdout: string;
  error: { type: string; message: string; line: number | null } | null;
  output_shape?: RefShape;
  roots: Array<{ class: string; total_params: number; module_index: number; macs: number }>;
  modules: RefModule[];
  total_params: number;
  macs: number;
}
interface Expectation {
  skip_connections?: {
    identity: number;
    projection: number;
    concat: number;
    skips: Array<{ root: number; block: string; class: string; kind: string; line: number; file?: string; layers?: string[] }>;
  };
}

/** Generates the references when `npm test` has not already done it (fails loudly without PyTorch). */
function ensureReferences(): void {
  if (existsSync(join(REFS, 'entry-tv-resnet18.json'))) return;
  const r = spawnSync(PYTHON, [join(ROOT, 'test', 'reference', 'generate.py'), '--out', REFS], { encoding: 'utf8' });
  if (!existsSync(join(REFS, 'entry-tv-resnet18.json'))) {
    throw new Error(`PyTorch references are missing and could not be generated (${PYTHON}): ${r.stderr || r.stdout}`);
  }
}

function listRefs(dir: string, out: string[] = []): string[] {
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) {
      if (n !== 'python') listRefs(p, out); // interpreter fixtures are tested by interp.test.ts
    } else if (n.endsWith('.json')) out.push(p);
  }
  return out.sort();
}

/** Shapes of a reference output structure, flattened in order. */
function flatShapes(v: RefShape): number[][] {
  if (v === null) return [];
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === 'number')) return [v as number[]];
    return (v as RefShape[]).flatMap(flatShapes);
  }
  return Object.values(v).flatMap(flatShapes);
}

const within1pct = (a: number, b: number): boolean => Math.abs(a - b) <= Math.max(0.01 * Math.abs(b), 0);

function traceCase(ref: Reference): TraceResult {
  const file = isAbsolute(ref.file) ? ref.file : join(FIXTURES, ref.file);
  const text = readFileSync(file, 'utf8');
  const req: TraceRequest = { file, text, resolver: createFileResolver([dirname(file)]), limits: LIMITS };
  if (ref.kind === 'entry') req.entry = { expr: ref.entry as string, inputs: ref.inputs as number[][], train: ref.mode === 'train' };
  return traceSource(req);
}

/** Elementwise arithmetic the engine counts (1 MAC per output element) but the reference does not. */
const ELEMENTWISE = new Set(['add', 'sub', 'rsub', 'mul', 'div']);
function isElementwise(op: string): boolean {
  return ELEMENTWISE.has(op.slice(op.lastIndexOf('.') + 1).replace(/^__|__$/g, '').replace(/_$/, ''));
}

/** MACs of a call without the elementwise arithmetic in its subtree: the reference's conv/linear/matmul count. */
function referenceStyleMacs(t: TraceResult, id: number): number {
  const inTree = new Set<number>();
  const add = (k: number) => {
    inTree.add(k);
    for (const c of t.modules[k].children) add(c);
  };
  add(id);
  const elementwise = t.ops.filter((o) => o.module !== null && inTree.has(o.module) && isElementwise(o.op)).reduce((s, o) => s + o.macs, 0);
  return t.modules[id].macs - elementwise;
}

const sizeLines = (s: string): string[] => s.split('\n').filter((l) => l.includes('torch.Size('));

/** Index of each module call's root among the root calls. */
function rootIndexOf(t: TraceResult, id: number): number {
  let m: ModuleCall = t.modules[id];
  while (m.parent !== null) m = t.modules[m.parent];
  return t.modules.filter((x) => x.parent === null).indexOf(m);
}

describe('engine vs PyTorch references', function () {
  this.timeout(120_000);
  ensureReferences();
  const expectations = JSON.parse(readFileSync(join(ROOT, 'test', 'reference', 'expectations.json'), 'utf8')).cases as Record<string, Expectation>;

  for (const refFile of listRefs(REFS)) {
    const ref = JSON.parse(readFileSync(refFile, 'utf8')) as Reference;
    const caseId = ref.kind === 'entry' ? `entry-${ref.id}` : relative(REFS, refFile).replace(/\.json$/, '');
    describe(caseId, () => {
      let t: TraceResult;
      before(() => {
        t = traceCase(ref);
      });

      it('ends like PyTorch (error type, message and line, or no error)', () => {
        if (!ref.error) {
          assert.equal(t.error, null, `unexpected error: ${t.error?.exceptionType}: ${t.error?.message} (line ${t.error?.location.line})`);
          return;
        }
        assert.ok(t.error, `expected ${ref.error.type}: ${ref.error.message}`);
        assert.equal(t.error.exceptionType, ref.error.type);
        assert.equal(t.error.message, ref.error.message);
        if (ref.error.line !== null) assert.equal(t.error.location.line, ref.error.line);
      });

      it('prints the same torch.Size lines', () => {
        assert.deepEqual(sizeLines(t.stdout), sizeLines(ref.stdout));
      });

      it('records every module call with PyTorch’s name, class, shapes and params', () => {
        assert.equal(t.modules.length, ref.modules.length, `module calls: ${t.modules.map((m) => m.className).join(',')}`);
        ref.modules.forEach((rm, i) => {
          const m = t.modules[i];
          const where = `call ${i} (${rm.class} '${rm.name}')`;
          assert.equal(m.className, rm.class, where);
          if (rm.name !== null) assert.equal(m.name, rm.name, where);
          assert.equal(m.parent, rm.parent, `${where} parent`);
          assert.deepEqual(m.inputShapes, rm.inputs, `${where} inputs`);
          if (rm.completed) assert.deepEqual(m.outputShapes, flatShapes(rm.output), `${where} output`);
          assert.equal(m.ownParams, rm.params, `${where} params`);
          assert.equal(m.totalParams, rm.total_params, `${where} subtree params`);
          assert.ok(within1pct(referenceStyleMacs(t, i), rm.macs), `${where} MACs ${referenceStyleMacs(t, i)} vs ${rm.macs}`);
          assert.ok(m.macs >= rm.macs, `${where} MACs below the reference`);
        });
      });

      it('counts the same parameters and MACs (within 1%)', () => {
        assert.equal(t.totals.params, ref.total_params);
        assert.ok(within1pct(t.totals.macs, ref.macs), `MACs ${t.totals.macs} vs ${ref.macs}`);
        const roots = t.modules.filter((m) => m.parent === null);
        assert.deepEqual(
          roots.map((m) => [m.className, m.totalParams]),
          ref.roots.map((r) => [r.class, r.total_params]),
        );
        if (ref.kind === 'entry') assert.deepEqual(t.outputShape, flatShapes(ref.output_shape ?? null)[0] ?? null);
      });

      const exp = expectations[caseId]?.skip_connections;
      if (exp) {
        it('finds the designed skip connections', () => {
          const expected = exp.skips.filter((s) => s.kind !== 'concat' && !/never reached/.test((s as { note?: string }).note ?? ''));
          const got = t.skips.map((s) => ({
            root: rootIndexOf(t, s.module),
            block: t.modules[s.module].name,
            class: t.modules[s.module].className,
            kind: s.kind,
            line: s.site.line,
          }));
          const want = expected.map((s) => ({ root: s.root, block: s.block, class: s.class, kind: s.kind, line: s.line }));
          assert.deepEqual(got, want);
        });
      }
    });
  }
});

describe('engine: seed residual block', () => {
  let file: string;
  let expectedFile: string;
  let t: TraceResult;
  before(function () {
    file = seedFile('residual_block.py');
    expectedFile = seedFile('residual_block.expected-output.txt');
    t = traceSource({ file, text: readFileSync(file, 'utf8') });
  });

  it('reproduces every shape line of the expected output', () => {
    const expected = readFileSync(expectedFile, 'utf8');
    assert.deepEqual(sizeLines(t.stdout), sizeLines(expected));
    assert.equal(t.error, null);
  });

  it('prints the symbolic placeholder for value lines', () => {
    assert.match(t.stdout, /Values \(first 5 elements\):  tensor\(<shape \[5\]>, grad_fn=<SliceBackward0>\)/);
    assert.match(t.stdout, /Gradient of Input Tensor \(first 5 elements\):  tensor\(<shape \[5\]>\)/);
  });

  it('counts 230,144 parameters and finds a 1×1 stride-2 projection shortcut', () => {
    assert.equal(t.totals.params, 230_144);
    assert.equal(t.skips.length, 1);
    const s = t.skips[0];
    assert.equal(s.kind, 'projection');
    assert.equal(s.label, 'proj 1×1/2');
    assert.deepEqual(s.shortcut, ['Conv2d 1×1 stride 2, 64→128', 'BatchNorm2d(128)']);
    assert.equal(s.site.line, 53);
    assert.deepEqual(s.mainShape, [32, 128, 28, 28]);
  });
});
