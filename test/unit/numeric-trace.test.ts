// The numeric trace end to end: the seed script prints every line of its PyTorch output in PyTorch's form, the
// trace gains statistics and gradients per module and per skip connection, the no-skips comparison, limits
// (time, memory) end in clear diagnostics, and every tfjs tensor of a run is freed when it ends.
import * as tf from '@tensorflow/tfjs-core';
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { numericBackend, traceNumeric } from '../../src/core/numericEngine';
import type { TraceResult } from '../../src/core/trace/types';
import { createFileResolver } from '../../src/host/fileResolver';
import { ROOT, seedFile } from './numericRefCache';
import { assertSlimSpans } from './slimSpans';

/** The seed (../shared/seed/residual_block.py), read by the first hook so a missing seed fails these tests only. */
let seedPath = '';
let seedText = '';
/** The seed at batch 4 (same block, 8× less work). */
let seedSmall = '';

/** Values of a printed `tensor([...]...)`, with the exact text between them. */
function tensorValues(line: string): { values: string[]; rest: string } | null {
  const m = /tensor\(\[(.*)\](.*)\)$/.exec(line);
  if (!m) return null;
  return { values: m[1].split(','), rest: m[2] };
}

describe('numeric trace', function () {
  this.timeout(600_000);
  before(() => {
    seedPath = seedFile('residual_block.py');
    seedText = readFileSync(seedPath, 'utf8');
    seedSmall = seedText.replace('torch.randn(32, 64, 56, 56', 'torch.randn(4, 64, 56, 56');
    return numericBackend('wasm');
  });

  describe('the seed script at full size (32×64×56×56)', () => {
    let r: TraceResult;
    let ms = 0;
    let leaked = 0;
    before(async () => {
      const base = tf.memory().numTensors;
      const t0 = Date.now();
      r = await traceNumeric({ file: seedPath, text: seedText, backend: 'wasm' });
      ms = Date.now() - t0;
      leaked = tf.memory().numTensors - base;
      if (process.env.TT_SEED_TIMING) console.log(`      seed full size on wasm: ${ms} ms`);
    });

    it('runs numerically on wasm without diagnostics', () => {
      assertSlimSpans(r);
      assert.equal(r.mode, 'numeric');
      assert.equal(r.backend.name, 'wasm');
      assert.deepEqual(r.diagnostics.map((d) => d.message), []);
      assert.equal(r.error, null);
    });

    it('prints every line of the PyTorch output in the same form', () => {
      const expected = readFileSync(seedFile('residual_block.expected-output.txt'), 'utf8').trimEnd().split('\n');
      const ours = r.stdout.trimEnd().split('\n');
      assert.equal(ours.length, expected.length, r.stdout);
      ours.forEach((line, i) => {
        const exp = expected[i];
        if (exp.startsWith('Loss:')) {
          // Python's repr of float(float32): the shortest digits of the double.
          assert.match(line, /^Loss: {2}0\.\d{10,17}$/);
          const v = Number(line.slice(7));
          assert.equal(Math.fround(v), v, 'the loss is a float32 value widened to double');
          assert.ok(Math.abs(v - 0.5638895034790039) < 0.01, line);
          return;
        }
        const te = tensorValues(exp);
        if (!te) return assert.equal(line, exp);
        const to = tensorValues(line);
        assert.ok(to, line);
        assert.equal(line.slice(0, line.indexOf('tensor(')), exp.slice(0, exp.indexOf('tensor(')));
        assert.equal(to.rest, te.rest, 'same suffix (grad_fn)');
        assert.equal(to.values.length, te.values.length);
        // Same format: fixed or scientific, 4 digits, common width.
        const shape = (v: string) => v.replace(/\d/g, '9').replace(/-/g, '9').replace(/^ ?/, '');
        const width = (vs: string[]) => new Set(vs.map((v) => v.trim().length + (v.trim().startsWith('-') ? 0 : 1)));
        assert.deepEqual(
          to.values.map((v) => /e/.test(v)),
          te.values.map((v) => /e/.test(v)),
          `${line} vs ${exp}`,
        );
        assert.equal(width(to.values).size, 1, `one width: ${line}`);
        void shape;
      });
      assert.equal(ours[11], 'Gradient of Output Tensor (first 5 elements):  tensor([3.1140e-07, 3.1140e-07, 3.1140e-07, 3.1140e-07, 3.1140e-07])');
    });

    it('frees every tfjs tensor of the run', () => assert.equal(leaked, 0));

    it('records the run time', () => assert.ok(ms > 0));
  });

  describe('statistics and gradients in the trace', () => {
    let r: TraceResult;
    let noSkips: TraceResult;
    const progress: string[] = [];
    before(async () => {
      r = await traceNumeric({ file: seedPath, text: seedSmall, backend: 'wasm', onProgress: (p) => progress.push(`${p.done}:${p.module}`) });
      noSkips = await traceNumeric({ file: seedPath, text: seedSmall, backend: 'wasm', noSkips: true });
    });

    it('gives every module call output statistics', () => {
      for (const m of r.modules) {
        assert.ok(m.stats, m.name);
        assert.ok(m.stats.min <= m.stats.mean && m.stats.mean <= m.stats.max, m.name);
      }
      const relu = r.modules.find((m) => m.name === '');
      assert.ok(relu?.stats && relu.stats.zeroFraction > 0.3 && relu.stats.zeroFraction < 0.7, 'the block ends in a ReLU: about half zeros');
      const bn = r.modules.find((m) => m.name === 'bn1');
      assert.ok(bn?.stats && Math.abs(bn.stats.mean) < 1e-3 && Math.abs(bn.stats.std - 1) < 1e-2, 'BatchNorm in train mode normalises');
    });

    it('gives every module call its output gradient and parameter gradient norms', () => {
      const n = 4 * 128 * 28 * 28;
      const root = r.modules[0];
      assert.ok(root.grad);
      assert.ok(Math.abs(root.grad.outputFirst[0] - 1 / n) < 1e-12, 'd mean / d output = 1/numel');
      assert.ok(Math.abs(root.grad.outputNorm * Math.sqrt(n) - 1) < 1e-4);
      assert.ok(root.grad.inputNorm && root.grad.inputNorm > 0 && root.grad.inputFirst?.length === 5, 'the input gradient (a leaf) is recorded');
      for (const name of ['conv1', 'bn1', 'conv2', 'bn2', 'skip.0', 'skip.1']) {
        const m = r.modules.find((x) => x.name === name);
        assert.ok(m?.grad, name);
        assert.ok(m.grad.outputNorm > 0, name);
        const keys = Object.keys(m.grad.paramNorms).sort();
        assert.deepEqual(keys, name.includes('bn') || name === 'skip.1' ? ['bias', 'weight'] : ['weight'], name);
        for (const v of Object.values(m.grad.paramNorms)) assert.ok(v > 0 && Number.isFinite(v), name);
      }
    });

    it('measures f(x) − x and the shortcut share of the input gradient at the skip', () => {
      assert.equal(r.skips.length, 1);
      const s = r.skips[0];
      assert.ok(s.residualStats && s.residualStats.std > 0);
      assert.ok(s.shortcutGradShare !== undefined && s.shortcutGradShare > 0 && s.shortcutGradShare < 1, String(s.shortcutGradShare));
    });

    it('reports progress per module call', () => {
      assert.equal(progress.length, r.modules.length);
      assert.equal(progress[0], '1:skip.0');
    });

    it('runs the same model without its skip connections for comparison', () => {
      assert.equal(noSkips.error, null);
      assert.equal(noSkips.skips.length, 1, 'the skip is still detected');
      // Same weights and inputs (same seed): the block output now is relu(f(x)), so the statistics differ,
      // and no gradient reaches the input through the shortcut.
      const a = r.modules[0].stats;
      const b = noSkips.modules[0].stats;
      assert.ok(a && b && a.mean !== b.mean);
      assert.equal(noSkips.skips[0].shortcutGradShare, 0, 'no gradient through the removed shortcut');
      const sc = noSkips.modules.find((m) => m.name === 'skip.0')?.grad;
      assert.ok(!sc || (sc.outputNorm === 0 && Object.keys(sc.paramNorms).length === 0), 'the shortcut conv gets no gradient');
      const bn1a = r.modules.find((m) => m.name === 'conv1')?.stats;
      const bn1b = noSkips.modules.find((m) => m.name === 'conv1')?.stats;
      assert.deepEqual(bn1a, bn1b, 'everything before the addition is identical');
      assert.notEqual(r.modules[0].grad?.inputNorm, noSkips.modules[0].grad?.inputNorm);
    });
  });

  describe('the fixture scripts', () => {
    const FIX = path.join(ROOT, 'test', 'fixtures');
    const REF = path.join(ROOT, 'test', '.cache', 'reference');
    const ids = [...readdirSync(FIX).filter((f) => f.endsWith('.py')).map((f) => f.slice(0, -3)), 'multi_file/model'];
    /** What generate.py recorded for a fixture (run for that case when missing). */
    const reference = (id: string): { stdout: string; error: { type: string; message: string; line: number } | null } => {
      const file = path.join(REF, `${id}.json`);
      if (!existsSync(file)) {
        const r = spawnSync(process.env.TT_PYTHON ?? '/usr/bin/python3', [path.join(ROOT, 'test', 'reference', 'generate.py'), '--out', REF, '--only', id], { encoding: 'utf8' });
        if (!existsSync(file)) throw new Error(`generate.py did not write ${file}: ${r.stderr}`);
      }
      return JSON.parse(readFileSync(file, 'utf8'));
    };
    const skeleton = (s: string) => s.replace(/-?\d+\.\d+(e[-+]\d+)?/g, '#');

    for (const id of ids) {
      it(`${id} prints what PyTorch printed and raises what it raised`, async () => {
        const ref = reference(id);
        const file = path.join(FIX, `${id}.py`);
        const r = await traceNumeric({ file, text: readFileSync(file, 'utf8'), resolver: createFileResolver([path.dirname(file)]), backend: 'wasm' });
        assert.ok(!r.diagnostics.some((d) => d.code === 'internal'), JSON.stringify(r.diagnostics));
        // Values printed from random weights differ between any two runs; everything else is PyTorch's text.
        assert.equal(skeleton(r.stdout), skeleton(ref.stdout));
        assert.equal(r.error?.message ?? null, ref.error?.message ?? null);
        if (ref.error) assert.equal(r.error?.location.line, ref.error.line);
      });
    }
  });

  describe('limits', () => {
    it('stops at the time limit with a diagnostic', async () => {
      const text = 'import torch\nx = torch.randn(256, 256)\nwhile True:\n    x = (x @ x).tanh()\n';
      const base = tf.memory().numTensors;
      const r = await traceNumeric({ file: '/virtual/loop.py', text, backend: 'wasm', limits: { timeMs: 300 } });
      assert.ok(r.diagnostics.some((d) => d.code === 'time-limit'), JSON.stringify(r.diagnostics));
      assert.equal(tf.memory().numTensors, base, 'freed after the limit');
    });

    it('stops at the memory cap with a diagnostic', async () => {
      const text = 'import torch\nxs = []\nfor i in range(100):\n    xs.append(torch.randn(1024, 1024))\n';
      const base = tf.memory().numTensors;
      const r = await traceNumeric({ file: '/virtual/mem.py', text, backend: 'wasm', limits: { memoryBytes: 20 * 1024 * 1024 } });
      assert.equal(r.error?.code, 'memory-limit');
      assert.match(r.error?.message ?? '', /memory limit of 20\.0 MiB/);
      assert.equal(r.error?.location.line, 4);
      assert.equal(tf.memory().numTensors, base);
    });

    it('never throws: a script error is a diagnostic and the tensors are freed', async () => {
      const base = tf.memory().numTensors;
      const r = await traceNumeric({ file: '/virtual/bad.py', text: 'import torch\na = torch.randn(2, 3)\nb = a @ a\n', backend: 'wasm' });
      assert.equal(r.error?.message, 'mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)');
      assert.equal(tf.memory().numTensors, base);
    });
  });
});
