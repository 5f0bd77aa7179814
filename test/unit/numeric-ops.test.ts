// Every op family in numeric mode against real PyTorch: the programs of test/reference/numeric_ref.py (deterministic
// inputs, forward, a weighted sum, backward) run in Tensor Trace on the wasm backend, and their printed values and
// gradients must match what PyTorch 1.13 printed: numbers within 1e-4 relative or 1e-5 absolute, text exactly;
// the print-* programs (tensor repr of exact values) must match character for character.
import { strict as assert } from 'node:assert';
import { numericBackend, traceNumeric } from '../../src/core/numericEngine';
import { loadRef, type OpCase } from './numericRefCache';

const NUM = /[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?|nan|inf/g;

/** Compares two printed lines: the text around numbers exactly, the numbers with a tolerance. */
function sameLine(ours: string, ref: string, rtol = 1e-4, atol = 1e-5): string | null {
  const skel = (s: string) => s.replace(NUM, '#');
  if (skel(ours) !== skel(ref)) return `text differs:\n  ours: ${ours.slice(0, 300)}\n  ref:  ${ref.slice(0, 300)}`;
  const a = (ours.match(NUM) ?? []).map(Number);
  const b = (ref.match(NUM) ?? []).map(Number);
  for (let i = 0; i < b.length; i++) {
    if (Number.isNaN(a[i]) && Number.isNaN(b[i])) continue;
    if (!(Math.abs(a[i] - b[i]) <= atol + rtol * Math.abs(b[i]))) {
      return `value ${i} differs: ours ${a[i]}, PyTorch ${b[i]}\n  ours: ${ours.slice(0, 300)}\n  ref:  ${ref.slice(0, 300)}`;
    }
  }
  return null;
}

describe('numeric ops vs PyTorch', function () {
  this.timeout(600_000);
  let cases: OpCase[] = [];
  before(async () => {
    cases = loadRef().ops;
    await numericBackend('wasm');
  });

  it('has reference cases', () => assert.ok(cases.length > 30));

  for (const id of [
    'add-broadcast',
    'sub-mul-div',
    'rsub-rdiv-pow',
    'pow-tensor',
    'unary-math',
    'relu-family',
    'clamp-where-mask',
    'maximum-minimum',
    'softmax',
    'matmul',
    'addmm-baddbmm-einsum',
    'reductions',
    'max-dim-sort-topk',
    'views',
    'split-chunk-cat-stack',
    'repeat-flip-roll-tri',
    'indexing',
    'setitem',
    'gather-index-select',
    'inplace-ops',
    'inplace-error',
    'conv2d-variants',
    'conv1d-transpose',
    'linear-bilinear',
    'batch-norm-modes',
    'layer-group-instance-norm',
    'pooling',
    'max-pool-indices',
    'pad-interpolate',
    'losses',
    'cross-entropy-spatial',
    'embedding-misc',
    'creation-and-item',
    'autograd-grad-accumulate',
    'retain-grad-detach',
    'autograd-grad-fn',
    'semantics-views-training',
    'print-basic',
    'print-dtypes',
    'print-nested',
    'print-summarize',
    'print-autograd',
    'print-wide',
  ]) {
    it(id, async () => {
      const c = cases.find((x) => x.id === id);
      assert.ok(c, `no reference case ${id}`);
      const r = await traceNumeric({ file: `/virtual/${id}.py`, text: c.program, backend: 'wasm', limits: { timeMs: 120_000 } });
      const errors = r.diagnostics.filter((d) => d.severity === 'error');
      assert.deepEqual(errors.map((d) => `${d.exceptionType ?? d.code}: ${d.message} (line ${d.location.line})`), []);
      // Printed tensors of exact values must be reproduced character for character.
      if (id.startsWith('print-')) {
        assert.equal(r.stdout, c.stdout);
        return;
      }
      const ours = r.stdout.trimEnd().split('\n');
      const ref = c.stdout.trimEnd().split('\n');
      assert.equal(ours.length, ref.length, `line count\nours:\n${r.stdout.slice(0, 2000)}\nref:\n${c.stdout.slice(0, 2000)}`);
      const problems = ours.map((l, i) => sameLine(l, ref[i])).filter((p): p is string => p !== null);
      assert.deepEqual(problems, []);
    });
  }
});
