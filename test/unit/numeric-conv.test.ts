// The numeric layer (src/core/numeric) against real PyTorch: conv2d / conv1d / conv_transpose2d forward
// and gradients, batch_norm and linear. Reference data comes from test/reference/numeric_conv_ref.py,
// which this test runs itself (with /usr/bin/python3, or $TT_PYTHON) when test/.cache/numeric is missing
// or was produced by another version of the script. Tolerance: |a − b| ≤ 1e-5 + 1e-4·|b|.
import * as tf from '@tensorflow/tfjs-core';
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { backendInfo, initBackend, resolveWasmDir } from '../../src/core/numeric/backend';
import { batchNorm2dBackward, batchNorm2dForward, batchNormBackward, batchNormForward } from '../../src/core/numeric/batchnorm';
import {
  conv1d,
  conv1dBackwardBias,
  conv1dBackwardInput,
  conv1dBackwardWeight,
  conv2d,
  conv2dBackward,
  conv2dBackwardBias,
  conv2dBackwardInput,
  conv2dBackwardWeight,
  convBackwardBiasNHWC,
  convBackwardInputNHWC,
  convBackwardWeightNHWC,
  convForwardNHWC,
  convGeometry,
  hwioToTorchWeight,
  nchwToNhwc,
  nhwcToNchw,
  torchWeightToHWIO,
  convTranspose2d,
  convTranspose2dBackwardBias,
  convTranspose2dBackwardInput,
  convTranspose2dBackwardWeight,
  setWeightGradStrategy,
  WEIGHT_GRAD_STRATEGY,
  type Conv2dOptions,
  type WeightGradStrategy,
  xToCHWN,
} from '../../src/core/numeric/conv';
import { linear, linearBackward } from '../../src/core/numeric/linear';

const ROOT = path.resolve(__dirname, '..', '..');
const SCRIPT = path.join(ROOT, 'test', 'reference', 'numeric_conv_ref.py');
const CACHE = path.join(ROOT, 'test', '.cache', 'numeric');
const PYTHON = process.env.TT_PYTHON ?? '/usr/bin/python3';
const ATOL = 1e-5;
const RTOL = 1e-4;

interface ArrayRef {
  file: string;
  shape: number[];
}
interface Case {
  id: string;
  kind: 'conv2d' | 'conv1d' | 'conv_transpose2d' | 'batch_norm2d' | 'linear';
  params: Record<string, unknown>;
  inputs: Record<string, ArrayRef>;
  outputs: Record<string, ArrayRef>;
}
interface Manifest {
  version: string;
  torch: string;
  cases: Case[];
}

function loadManifest(): Manifest {
  const version = createHash('sha256').update(readFileSync(SCRIPT)).digest('hex').slice(0, 16);
  const file = path.join(CACHE, 'manifest.json');
  const read = () => (existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Manifest) : null);
  let m = read();
  if (!m || m.version !== version) {
    const r = spawnSync(PYTHON, [SCRIPT, '--out', CACHE], { encoding: 'utf8' });
    if (r.status !== 0) {
      throw new Error(`${PYTHON} ${SCRIPT} failed (status ${r.status}): ${r.error?.message ?? ''}\n${r.stderr}`);
    }
    m = read();
    if (!m || m.version !== version) throw new Error(`${SCRIPT} did not write a current ${file}`);
  }
  return m;
}

function readArray(ref: ArrayRef): Float32Array {
  const buf = readFileSync(path.join(CACHE, ref.file));
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

function tensor(ref: ArrayRef): tf.Tensor {
  return tf.tensor(readArray(ref), ref.shape, 'float32');
}

function assertClose(actual: tf.Tensor | undefined, ref: ArrayRef, label: string) {
  assert.ok(actual, `${label}: missing`);
  assert.deepEqual(actual.shape, ref.shape, `${label}: shape`);
  const a = actual.dataSync();
  const b = readArray(ref);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < b.length; i++) {
    const excess = Math.abs(a[i] - b[i]) - (ATOL + RTOL * Math.abs(b[i]));
    if (!(excess <= worstExcess)) {
      worst = i;
      worstExcess = Number.isNaN(excess) ? Infinity : excess;
    }
  }
  if (worst >= 0) assert.fail(`${label}: element ${worst} is ${a[worst]}, PyTorch says ${b[worst]} (|diff| ${Math.abs(a[worst] - b[worst])})`);
}

type Params = Record<string, unknown>;

function runCase(c: Case) {
  const t = (k: string) => tensor(c.inputs[k]);
  const p = c.params as Params;
  /** every PyTorch output must be matched, unless `only` (then just the given ones) */
  const check = (got: Record<string, tf.Tensor | undefined>, only = false) => {
    for (const [k, ref] of Object.entries(c.outputs)) {
      if (!only || k in got) assertClose(got[k], ref, `${c.id}.${k}`);
    }
  };
  if (c.kind === 'conv2d') {
    const [x, w, dy] = [t('x'), t('w'), t('dy')] as tf.Tensor4D[];
    const b = c.inputs.b ? (t('b') as tf.Tensor1D) : null;
    const opts = p as Conv2dOptions;
    check({
      y: conv2d(x, w, b, opts),
      dx: conv2dBackwardInput(dy, w, x.shape, opts),
      dw: conv2dBackwardWeight(x, dy, w.shape, opts),
      db: b ? conv2dBackwardBias(dy) : undefined,
    });
    const all = conv2dBackward(x, w, dy, opts, { input: true, weight: true, bias: !!b });
    check({ y: conv2d(x, w, b, opts), dx: all.dx, dw: all.dw, db: all.db });
    // the channels-last core an NHWC engine calls directly
    const geom = convGeometry(x.shape, w.shape, opts);
    const [xh, dyh, wg] = [nchwToNhwc(x), nchwToNhwc(dy), torchWeightToHWIO(w)];
    check({
      y: nhwcToNchw(convForwardNHWC(xh, wg, geom, b)),
      dx: nhwcToNchw(convBackwardInputNHWC(dyh, wg, geom)),
      dw: hwioToTorchWeight(convBackwardWeightNHWC(xh, dyh, geom)),
      db: b ? convBackwardBiasNHWC(dyh) : undefined,
    });
    if (geom.groups === 1) {
      check({ dw: hwioToTorchWeight(convBackwardWeightNHWC(xh, dyh, geom, { xCHWN: xToCHWN(xh) })) }, true);
    }
  } else if (c.kind === 'conv1d') {
    const [x, w, dy] = [t('x'), t('w'), t('dy')] as tf.Tensor3D[];
    const b = c.inputs.b ? (t('b') as tf.Tensor1D) : null;
    const opts = p as Parameters<typeof conv1d>[3];
    check({
      y: conv1d(x, w, b, opts),
      dx: conv1dBackwardInput(dy, w, x.shape, opts),
      dw: conv1dBackwardWeight(x, dy, w.shape, opts),
      db: b ? conv1dBackwardBias(dy) : undefined,
    });
  } else if (c.kind === 'conv_transpose2d') {
    const [x, w, dy] = [t('x'), t('w'), t('dy')] as tf.Tensor4D[];
    const b = c.inputs.b ? (t('b') as tf.Tensor1D) : null;
    const opts = p as Parameters<typeof convTranspose2d>[3];
    check({
      y: convTranspose2d(x, w, b, opts),
      dx: convTranspose2dBackwardInput(dy, w, x.shape, opts),
      dw: convTranspose2dBackwardWeight(x, dy, w.shape, opts),
      db: b ? convTranspose2dBackwardBias(dy) : undefined,
    });
  } else if (c.kind === 'batch_norm2d') {
    const x = t('x') as tf.Tensor4D;
    const dy = t('dy') as tf.Tensor4D;
    const [gamma, beta, rm, rv] = ['gamma', 'beta', 'running_mean', 'running_var'].map((k) => t(k) as tf.Tensor1D);
    const opts = { training: p.training as boolean, momentum: p.momentum as number, eps: p.eps as number };
    const f = batchNorm2dForward(x, gamma, beta, rm, rv, opts);
    const g = batchNorm2dBackward(dy, x, gamma, f.mean, f.invstd, opts);
    check({
      y: f.y,
      dx: g.dx,
      dgamma: g.dgamma,
      dbeta: g.dbeta,
      running_mean: f.runningMean ?? rm,
      running_var: f.runningVar ?? rv,
    });
    // channels-last (an NHWC engine): same numbers
    const fl = batchNormForward(nchwToNhwc(x), gamma, beta, rm, rv, { ...opts, channelAxis: 3 });
    const gl = batchNormBackward(nchwToNhwc(dy), nchwToNhwc(x), gamma, fl.mean, fl.invstd, { ...opts, channelAxis: 3 });
    check({
      y: nhwcToNchw(fl.y as tf.Tensor4D),
      dx: nhwcToNchw(gl.dx as tf.Tensor4D),
      dgamma: gl.dgamma,
      dbeta: gl.dbeta,
      running_mean: fl.runningMean ?? rm,
      running_var: fl.runningVar ?? rv,
    });
  } else if (c.kind === 'linear') {
    const [x, dy] = [t('x'), t('dy')];
    const w = t('w') as tf.Tensor2D;
    const b = c.inputs.b ? (t('b') as tf.Tensor1D) : null;
    const g = linearBackward(x, w, dy, { input: true, weight: true, bias: !!b });
    check({ y: linear(x, w, b), dx: g.dx, dw: g.dw, db: g.db });
  } else {
    throw new Error(`unknown case kind ${(c as Case).kind}`);
  }
}

let manifest: Manifest | null = null;
let loadError: Error | null = null;
try {
  manifest = loadManifest();
} catch (e) {
  loadError = e as Error;
}

describe('numeric backend selection', function () {
  this.timeout(60_000);

  it("'auto' falls back from tfjs-node to wasm and says why", async function () {
    // (runs before the node-backend cases below: once tfjs-node is loaded in a process, 'auto' keeps it)
    const info = await initBackend('auto', { tfjsNodePath: '@tensorflow/tfjs-node-definitely-absent' });
    assert.equal(info.name, 'wasm');
    assert.match(info.reason, /node unavailable/);
    assert.equal(info.attempts[0].backend, 'node');
    assert.equal(info.attempts[0].ok, false);
    assert.match(info.wasmFile ?? '', /^tfjs-backend-wasm.*\.wasm$/);
    assert.equal(backendInfo(), info);
  });

  it('loads the .wasm files from a local directory', function () {
    const dir = resolveWasmDir();
    assert.ok(existsSync(path.join(dir, 'tfjs-backend-wasm-simd.wasm')));
    assert.throws(() => resolveWasmDir('/nonexistent-wasm-dir'), /no tfjs-backend-wasm/);
  });

  it('reports PyTorch-style conv argument errors', function () {
    assert.throws(
      () => convGeometry([2, 3, 8, 8], [16, 4, 3, 3]),
      /Given groups=1, weight of size \[16, 4, 3, 3\], expected input\[2, 3, 8, 8\] to have 4 channels, but got 3 channels instead/,
    );
    assert.throws(() => convGeometry([1, 4, 8, 8], [4, 4, 3, 3], { stride: 2, padding: 'same' }), /not supported for strided/);
    assert.throws(() => convGeometry([1, 4, 2, 2], [4, 4, 3, 3]), /Kernel size can't be greater than actual input size/);
  });
});

describe('numeric layer vs PyTorch (test/reference/numeric_conv_ref.py)', function () {
  this.timeout(120_000);

  it('has the PyTorch reference data', function () {
    if (loadError) throw loadError;
    assert.ok(manifest && manifest.cases.length >= 30, 'reference cases');
  });

  // tfjs-node (libtensorflow) when TT_TFJS_NODE names an installation: .ci/run builds one from a TensorFlow wheel
  // when the machine has one (bench/tfjs-node-from-wheel.sh); without it those cases show as skipped.
  const tfjsNodePath = process.env.TT_TFJS_NODE;
  if (!tfjsNodePath) it.skip('on the node backend (set TT_TFJS_NODE to a tfjs-node installation to run these cases)');
  for (const backend of ['wasm', 'cpu', ...(tfjsNodePath ? (['node'] as const) : [])] as const) {
    describe(`on the ${backend} backend`, function () {
      before(async function () {
        const info = await initBackend(backend, { tfjsNodePath });
        const name = backend === 'node' ? 'tensorflow' : backend;
        assert.equal(info.name, name);
        assert.equal(tf.getBackend(), name);
      });

      for (const c of manifest?.cases ?? []) {
        it(`${c.kind} ${c.id}`, function () {
          const before = tf.memory().numTensors;
          tf.tidy(() => runCase(c));
          assert.equal(tf.memory().numTensors, before, 'tensors leaked');
        });
      }

      it('gives the same weight gradients with every strategy', function () {
        const cases = (manifest?.cases ?? []).filter((c) => c.kind === 'conv2d');
        const saved = WEIGHT_GRAD_STRATEGY;
        try {
          for (const s of ['gemm-chunked', 'conv-batch-as-channels', 'gemm-1x1-taps'] as WeightGradStrategy[]) {
            setWeightGradStrategy(s);
            for (const c of cases) {
              tf.tidy(() => {
                const x = tensor(c.inputs.x) as tf.Tensor4D;
                const dy = tensor(c.inputs.dy) as tf.Tensor4D;
                assertClose(conv2dBackwardWeight(x, dy, c.inputs.w.shape, c.params as Conv2dOptions), c.outputs.dw, `${s} ${c.id}.dw`);
              });
            }
          }
        } finally {
          setWeightGradStrategy(saved);
        }
      });
    });
  }
});

