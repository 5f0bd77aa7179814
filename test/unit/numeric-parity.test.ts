// Whole models in numeric mode against real PyTorch on identical weights: for every case of
// test/reference/numeric_ref.py (the seed block at 4×64×56×56, bottlenecks, BatchNorm in train and eval mode,
// grouped convolutions, a Linear head, pre-activation, SE, Conv1d, LayerNorm MLP, option-A shortcuts, attention,
// a U-Net up block, pooling, a multi-file ResNet), the PyTorch state_dict and inputs are loaded into Tensor
// Trace's modules, and the output, the loss (output.mean()), the input gradients, every parameter gradient and the
// running statistics afterwards must match within 1e-4 relative or 1e-5 absolute. Runs on the wasm backend, so
// every convolution's weight gradient comes from the numeric layer's wasm kernels.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { NumericCapture } from '../../src/core/engine';
import { numericBackend, traceNumeric } from '../../src/core/numericEngine';
import { createFileResolver } from '../../src/host/fileResolver';
import { compare, loadRef, readArray, ROOT, type ModelCase } from './numericRefCache';

const RTOL = 1e-4;
const ATOL = 1e-5;

interface Row {
  id: string;
  what: string;
  maxAbs: number;
  maxRel: number;
  ratio: number;
  ok: boolean;
}
const rows: Row[] = [];

async function runCase(c: ModelCase): Promise<{ cap: NumericCapture; errors: string[] }> {
  const file = path.join(ROOT, c.file);
  const weights = new Map<string, Float32Array>();
  for (const k of c.state) weights.set(k, readArray(c.arrays[`state.${k}`]));
  const inputValues = c.inputs.map((_, i) => readArray(c.arrays[`input.${i}`]));
  let cap: NumericCapture | null = null;
  const r = await traceNumeric({
    file,
    text: readFileSync(file, 'utf8'),
    resolver: createFileResolver([path.dirname(file)]),
    entry: { expr: c.expr, inputs: c.inputs, train: c.train, loss: 'mean' },
    backend: 'wasm',
    weights,
    inputValues,
    capture: (x) => (cap = x),
    limits: { timeMs: 300_000 },
  });
  const errors = r.diagnostics.filter((d) => d.severity === 'error' || d.message.includes('weights')).map((d) => `${d.code}: ${d.message}`);
  assert.ok(cap, `no values captured: ${errors.join('; ')}`);
  return { cap, errors };
}

function check(id: string, what: string, ours: ArrayLike<number> | null | undefined, ref: Float32Array): string | null {
  if (!ours) return `${what}: missing`;
  const r = compare(ours, ref, RTOL, ATOL);
  rows.push({ id, what, maxAbs: r.maxAbs, maxRel: r.maxRel, ratio: r.ratio, ok: r.ok });
  return r.ok ? null : `${what}: max |Δ| ${r.maxAbs.toExponential(3)}, max rel ${r.maxRel.toExponential(3)} (${ours.length} vs ${ref.length} values)`;
}

describe('numeric parity with PyTorch on identical weights', function () {
  this.timeout(900_000);
  let cases: ModelCase[] = [];
  before(async () => {
    cases = loadRef().models;
    await numericBackend('wasm');
  });
  after(() => {
    if (!process.env.TT_PARITY_TABLE) return;
    const byCase = new Map<string, { abs: number; rel: number; ratio: number; n: number }>();
    for (const r of rows) {
      const e = byCase.get(r.id) ?? { abs: 0, rel: 0, ratio: 0, n: 0 };
      byCase.set(r.id, { abs: Math.max(e.abs, r.maxAbs), rel: Math.max(e.rel, r.maxRel), ratio: Math.max(e.ratio, r.ratio), n: e.n + 1 });
    }
    console.log(`${'case'.padEnd(28)} arrays  max |Δ|    max rel (|ref| ≥ 1e-3·max)  worst |Δ|/tolerance`);
    for (const [id, e] of byCase) {
      console.log(`${id.padEnd(28)} ${String(e.n).padStart(6)}  ${e.abs.toExponential(2)}  ${e.rel.toExponential(2).padEnd(26)}  ${e.ratio.toFixed(3)}`);
    }
  });

  it('has reference cases', () => assert.ok(cases.length >= 6));

  for (const id of [
    'seed-b4',
    'bottleneck-identity',
    'bottleneck-projection-eval',
    'grouped-train',
    'grouped-down-eval',
    'cifar-resnet-linear-head',
    'preact-projection',
    'preact-bottleneck',
    'se-block',
    'conv1d-eval',
    'prenorm-mlp-eval',
    'option-a',
    'attention-block',
    'unet-up-block',
    'multi-scale-pool',
    'multi-file-tiny-resnet',
  ]) {
    it(id, async () => {
      const c = cases.find((x) => x.id === id);
      assert.ok(c, `no reference case ${id}`);
      const { cap, errors } = await runCase(c);
      assert.deepEqual(errors, []);
      const problems: string[] = [];
      const add = (p: string | null) => p && problems.push(p);
      add(check(id, 'output', cap.output, readArray(c.arrays.output)));
      add(check(id, 'loss', cap.loss === null ? null : [cap.loss], readArray(c.arrays.loss)));
      c.inputs.forEach((_, i) => add(check(id, `input grad ${i}`, cap.inputGrads[i], readArray(c.arrays[`grad.input.${i}`]))));
      for (const p of c.params) {
        const ref = c.arrays[`grad.param.${p}`];
        if (ref) add(check(id, `grad ${p}`, cap.paramGrads.get(p), readArray(ref)));
      }
      for (const k of c.state) add(check(id, `after ${k}`, cap.state.get(k), readArray(c.arrays[`after.${k}`])));
      assert.deepEqual(problems, []);
    });
  }
});
