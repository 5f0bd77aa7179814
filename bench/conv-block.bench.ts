// Seed residual block, forward + backward with every gradient, on TensorFlow.js (src/core/numeric) vs
// PyTorch CPU measured in the same run.
//
//   npx tsx bench/conv-block.bench.ts [--runs 5] [--warmup 2] [--threads N] [--layout nhwc|nchw]
//        [--wgrad gemm-chunked|conv-batch-as-channels|gemm-1x1-taps] [--no-input-grad] [--backend auto|node|wasm|cpu]
//        [--no-simd] [--batch 32] [--profile] [--skip-torch] [--wgrad-chunk-bytes B] [--tfjs-node PATH]
//
// Block (batch 32 × 64 × 56 × 56): conv3x3 64→128 stride 2 → BN → ReLU → conv3x3 128→128 → BN;
// projection conv1x1 64→128 stride 2 → BN; add; ReLU; loss = mean. BN in training mode (batch stats,
// running-stat update). Gradients: all conv weights, all BN γ/β, and the block input (PyTorch:
// x.requires_grad=True) unless --no-input-grad.
// Layouts: 'nhwc' keeps activations channels-last between ops (what an engine with an internal NHWC
// layout would run; the input is created NHWC); 'nchw' uses the PyTorch-layout API, which transposes at
// every conv.
// --tfjs-node DIR: a tfjs-node installation to load instead of '@tensorflow/tfjs-node' for --backend node|auto
// (bench/tfjs-node-from-wheel.sh builds one offline).
// Reported: median of --runs timed runs after --warmup runs, each side's peak RSS (VmHWM / ru_maxrss).
import * as tf from '@tensorflow/tfjs-core';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import * as path from 'node:path';
import { initBackend, type BackendPref } from '../src/core/numeric/backend';
import { batchNormBackward, batchNormForward } from '../src/core/numeric/batchnorm';
import {
  conv2d,
  conv2dBackward,
  convBackwardInputNHWC,
  convBackwardWeightNHWC,
  convForwardNHWC,
  convGeometry,
  setWeightGradChunkBytes,
  setWeightGradStrategy,
  WEIGHT_GRAD_CHUNK_BYTES,
  WEIGHT_GRAD_STRATEGY,
  xToCHWN,
  type ConvGeometry,
  type WeightGradStrategy,
} from '../src/core/numeric/conv';

// ------------------------------------------------------------------ options
const argv = process.argv.slice(2);
const flag = (n: string) => argv.includes(`--${n}`);
const opt = (n: string, d: string) => {
  const i = argv.indexOf(`--${n}`);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : d;
};
const RUNS = Number(opt('runs', '5'));
const WARMUP = Number(opt('warmup', '2'));
const THREADS = opt('threads', '') ? Number(opt('threads', '')) : undefined; // default: defaultWasmThreads()
const LAYOUT = opt('layout', 'nhwc') as 'nhwc' | 'nchw';
const WGRAD = opt('wgrad', WEIGHT_GRAD_STRATEGY) as WeightGradStrategy; // default: the library's default
const WGRAD_CHUNK = Number(opt('wgrad-chunk-bytes', String(WEIGHT_GRAD_CHUNK_BYTES))); // gemm-chunked only
const INPUT_GRAD = !flag('no-input-grad');
const BACKEND = opt('backend', 'auto') as BackendPref;
const TFJS_NODE = opt('tfjs-node', '') ? path.resolve(opt('tfjs-node', '')) : undefined; // default: '@tensorflow/tfjs-node'
const N = Number(opt('batch', '32'));
const PROFILE = flag('profile');
const PYTHON = process.env.TT_PYTHON ?? '/usr/bin/python3';

const median = (a: number[]) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// ------------------------------------------------------------------ PyTorch side
const TORCH_SCRIPT = String.raw`
import sys, time, json, resource
import torch, torch.nn as nn, torch.nn.functional as F
N, runs, warmup, threads, input_grad = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5] == '1'
torch.set_num_threads(threads)
torch.manual_seed(0)
class Block(nn.Module):
    def __init__(s):
        super().__init__()
        s.c1 = nn.Conv2d(64, 128, 3, 2, 1, bias=False); s.b1 = nn.BatchNorm2d(128)
        s.c2 = nn.Conv2d(128, 128, 3, 1, 1, bias=False); s.b2 = nn.BatchNorm2d(128)
        s.p = nn.Conv2d(64, 128, 1, 2, 0, bias=False); s.pb = nn.BatchNorm2d(128)
    def forward(s, x):
        y = F.relu(s.b1(s.c1(x)))
        y = s.b2(s.c2(y))
        return F.relu(y + s.pb(s.p(x)))
m = Block().train()
x = torch.randn(N, 64, 56, 56, requires_grad=input_grad)
times, cpu = [], []
for i in range(warmup + runs):
    m.zero_grad(set_to_none=True); x.grad = None
    t, c = time.perf_counter(), time.process_time()
    loss = m(x).mean()
    loss.backward()
    times.append((time.perf_counter() - t) * 1000)
    cpu.append((time.process_time() - c) * 1000)
ok = all(p.grad is not None for p in m.parameters()) and (x.grad is not None) == input_grad
status = open('/proc/self/status').read()
hwm = int([l for l in status.splitlines() if l.startswith('VmHWM')][0].split()[1])
print(json.dumps({"times": times[warmup:], "cpu": cpu[warmup:], "hwm_kb": hwm, "ok": ok, "torch": torch.__version__,
                  "threads": torch.get_num_threads(), "mkldnn": torch.backends.mkldnn.is_available()}))
`;

function runTorch() {
  // OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are set on this machine for old OpenBLAS builds and slow a current
  // one down; unset them for this measurement only.
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const r = spawnSync(PYTHON, ['-c', TORCH_SCRIPT, String(N), String(RUNS), String(WARMUP), '2', INPUT_GRAD ? '1' : '0'], {
    encoding: 'utf8',
    env,
    maxBuffer: 1 << 24,
  });
  if (r.status !== 0) throw new Error(`PyTorch run failed: ${r.error?.message ?? ''}\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as {
    times: number[];
    cpu: number[];
    hwm_kb: number;
    ok: boolean;
    torch: string;
    threads: number;
    mkldnn: boolean;
  };
}

// ------------------------------------------------------------------ tfjs side
/** process CPU time (all threads) in ms */
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const prof = new Map<string, { wall: number; cpu: number }>();
function timed<T>(name: string, f: () => T): T {
  if (!PROFILE) return f();
  const t = performance.now();
  const c = cpuMs();
  const r = f();
  const e = prof.get(name) ?? { wall: 0, cpu: 0 };
  e.wall += performance.now() - t;
  e.cpu += cpuMs() - c;
  prof.set(name, e);
  return r;
}

interface Params {
  w1: tf.Tensor4D;
  w2: tf.Tensor4D;
  wp: tf.Tensor4D;
  bn: { g: tf.Tensor1D; b: tf.Tensor1D; rm: tf.Tensor1D; rv: tf.Tensor1D }[];
}

function kaiming(shape: number[], fanIn: number) {
  return tf.mul(tf.randomNormal(shape), Math.sqrt(2 / fanIn));
}

function makeParams(layout: 'nhwc' | 'nchw'): Params {
  // weights kept in the layout the chosen API takes: grouped HWIO for nhwc, PyTorch OIHW for nchw
  const w = (o: number, i: number, k: number) =>
    (layout === 'nhwc' ? kaiming([k, k, i, o], i * k * k) : kaiming([o, i, k, k], i * k * k)) as tf.Tensor4D;
  const bn = () => ({ g: tf.ones([128]) as tf.Tensor1D, b: tf.zeros([128]) as tf.Tensor1D, rm: tf.zeros([128]) as tf.Tensor1D, rv: tf.ones([128]) as tf.Tensor1D });
  return { w1: w(128, 64, 3), w2: w(128, 128, 3), wp: w(128, 64, 1), bn: [bn(), bn(), bn()] };
}

const G1 = (n: number) => convGeometry([n, 64, 56, 56], [128, 64, 3, 3], { stride: 2, padding: 1 });
const G2 = (n: number) => convGeometry([n, 128, 28, 28], [128, 128, 3, 3], { stride: 1, padding: 1 });
const GP = (n: number) => convGeometry([n, 64, 56, 56], [128, 64, 1, 1], { stride: 2, padding: 0 });

/** One training step of the block: returns every gradient (and the loss); the caller disposes them. */
function step(x: tf.Tensor4D, P: Params, layout: 'nhwc' | 'nchw'): tf.NamedTensorMap {
  const ca = layout === 'nhwc' ? 3 : 1; // BN channel axis
  const n = x.shape[0];
  const [g1, g2, gp] = [G1(n), G2(n), GP(n)];
  const fwdConv = (inp: tf.Tensor4D, w: tf.Tensor4D, g: ConvGeometry, name: string) =>
    timed(`fwd ${name}`, () =>
      layout === 'nhwc' ? convForwardNHWC(inp, w, g) : conv2d(inp, w, null, { stride: [g.sh, g.sw], padding: [[g.pt, g.pb], [g.pl, g.pr]] }),
    );
  // conv1 and the projection both take x: share its transposed copy for their weight gradients
  let xPrepared: { xCHWN?: tf.Tensor4D } | undefined;
  const bwdConv = (inp: tf.Tensor4D, w: tf.Tensor4D, dy: tf.Tensor4D, g: ConvGeometry, name: string, needInput: boolean) => {
    if (layout === 'nhwc') {
      // (libtensorflow's own weight gradient, used on tfjs-node, reads x as it is)
      const sharesLayout = WGRAD !== 'gemm-1x1-taps' && tf.getBackend() !== 'tensorflow';
      const prepared = inp === x && sharesLayout ? (xPrepared ??= { xCHWN: timed(`bwd x layout (shared)`, () => xToCHWN(x)) }) : undefined;
      const dw = timed(`bwd ${name} dW`, () => convBackwardWeightNHWC(inp, dy, g, prepared));
      const dx = needInput ? timed(`bwd ${name} dX`, () => convBackwardInputNHWC(dy, w, g)) : undefined;
      return { dw, dx };
    }
    return timed(`bwd ${name} dW+dX`, () =>
      conv2dBackward(inp, w, dy, { stride: [g.sh, g.sw], padding: [[g.pt, g.pb], [g.pl, g.pr]] }, { input: needInput, weight: true, bias: false }),
    );
  };
  const bnOpts = { training: true, momentum: 0.1, eps: 1e-5, channelAxis: ca };
  const bnF = (inp: tf.Tensor, i: number) =>
    timed(`fwd bn`, () => batchNormForward(inp, P.bn[i].g, P.bn[i].b, P.bn[i].rm, P.bn[i].rv, bnOpts));

  // forward
  const c1 = fwdConv(x, P.w1, g1, 'conv1');
  const b1 = bnF(c1, 0);
  const r1 = timed('fwd relu/add/loss', () => tf.relu(b1.y)) as tf.Tensor4D;
  const c2 = fwdConv(r1, P.w2, g2, 'conv2');
  const b2 = bnF(c2, 1);
  const cp = fwdConv(x, P.wp, gp, 'proj');
  const bp = bnF(cp, 2);
  const s = timed('fwd relu/add/loss', () => tf.add(b2.y, bp.y));
  const out = timed('fwd relu/add/loss', () => tf.relu(s));
  const loss = timed('fwd relu/add/loss', () => tf.mean(out));

  // backward: d mean = 1/numel, through the final ReLU
  const dS = timed('bwd relu', () => tf.mul(tf.step(s), 1 / out.size)) as tf.Tensor4D;
  const bnB = (dy: tf.Tensor, inp: tf.Tensor, i: number, f: { mean: tf.Tensor1D; invstd: tf.Tensor1D }) =>
    timed('bwd bn', () => batchNormBackward(dy, inp, P.bn[i].g, f.mean, f.invstd, bnOpts));
  const gb2 = bnB(dS, c2, 1, b2);
  const gbp = bnB(dS, cp, 2, bp);
  const gc2 = bwdConv(r1, P.w2, gb2.dx as tf.Tensor4D, g2, 'conv2', true);
  const dR1 = timed('bwd relu', () => tf.mul(gc2.dx!, tf.step(r1)));
  const gb1 = bnB(dR1, c1, 0, b1);
  const gc1 = bwdConv(x, P.w1, gb1.dx as tf.Tensor4D, g1, 'conv1', INPUT_GRAD);
  const gcp = bwdConv(x, P.wp, gbp.dx as tf.Tensor4D, gp, 'proj', INPUT_GRAD);
  const grads: tf.NamedTensorMap = {
    loss,
    dw1: gc1.dw!,
    dw2: gc2.dw!,
    dwp: gcp.dw!,
    dg1: gb1.dgamma!,
    db1: gb1.dbeta!,
    dg2: gb2.dgamma!,
    db2: gb2.dbeta!,
    dgp: gbp.dgamma!,
    dbp: gbp.dbeta!,
    rm1: b1.runningMean!,
    rv1: b1.runningVar!,
  };
  if (INPUT_GRAD) grads.dx = timed('bwd dx add', () => tf.add(gc1.dx!, gcp.dx!));
  return grads;
}

function vmHWMkb(): number {
  const m = /VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) : process.resourceUsage().maxRSS;
}

async function runTfjs() {
  const info = await initBackend(BACKEND, { threads: THREADS, noSimd: flag('no-simd'), tfjsNodePath: TFJS_NODE });
  setWeightGradStrategy(WGRAD);
  setWeightGradChunkBytes(WGRAD_CHUNK);
  const P = makeParams(LAYOUT);
  const x = (LAYOUT === 'nhwc' ? tf.randomNormal([N, 56, 56, 64]) : tf.randomNormal([N, 64, 56, 56])) as tf.Tensor4D;
  const times: number[] = [];
  const cpu: number[] = [];
  const tensorsBefore = tf.memory().numTensors;
  for (let i = 0; i < WARMUP + RUNS; i++) {
    if (i === WARMUP) prof.clear();
    const t = performance.now();
    const c = cpuMs();
    const g = tf.tidy(() => step(x, P, LAYOUT));
    g.loss.dataSync(); // wasm / cpu kernels run synchronously; this is only a barrier for async backends
    times.push(performance.now() - t);
    cpu.push(cpuMs() - c);
    tf.dispose(g);
  }
  const leaked = tf.memory().numTensors - tensorsBefore;
  return { info, times: times.slice(WARMUP), cpu: cpu.slice(WARMUP), leaked, hwmKb: vmHWMkb() };
}

// ------------------------------------------------------------------ main
async function main() {
  const load0 = loadavg()[0];
  console.log(
    `seed residual block fwd+bwd, batch ${N}x64x56x56, ${RUNS} runs after ${WARMUP} warmup; ` +
      `input grad: ${INPUT_GRAD}; layout: ${LAYOUT}; weight-grad: ${WGRAD}${WGRAD === 'gemm-chunked' ? ` (chunks of ${WGRAD_CHUNK} B)` : ''}; load avg ${load0.toFixed(2)}`,
  );
  let torch: ReturnType<typeof runTorch> | null = null;
  if (!flag('skip-torch')) {
    torch = runTorch();
    console.log(
      `PyTorch ${torch.torch} CPU (${torch.threads} threads, mkldnn ${torch.mkldnn}): median ${median(torch.times).toFixed(1)} ms (min ${Math.min(...torch.times).toFixed(0)}) ` +
        `[${torch.times.map((t) => t.toFixed(0)).join(' ')}], CPU ${median(torch.cpu).toFixed(0)} ms/run, peak RSS ${(torch.hwm_kb / 1024).toFixed(0)} MiB${torch.ok ? '' : ' (GRADIENTS MISSING)'}`,
    );
  }
  const t = await runTfjs();
  const wasmBytes = t.info.name === 'wasm' ? ((tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.byteLength) : 0;
  console.log(
    `tfjs ${tf.version_core} ${t.info.name}${t.info.wasmFile ? ` (${t.info.wasmFile}, ${t.info.threads} thread${t.info.threads === 1 ? '' : 's'})` : ''}: ` +
      `median ${median(t.times).toFixed(1)} ms (min ${Math.min(...t.times).toFixed(0)}) [${t.times.map((v) => v.toFixed(0)).join(' ')}], CPU ${median(t.cpu).toFixed(0)} ms/run, peak RSS ${(t.hwmKb / 1024).toFixed(0)} MiB` +
      (wasmBytes ? ` (wasm heap ${(wasmBytes / 2 ** 20).toFixed(0)} MiB)` : '') +
      `, leaked tensors ${t.leaked}`,
  );
  console.log(`backend reason: ${t.info.reason}`);
  if (PROFILE) {
    const total = [...prof.values()].reduce((a, b) => a + b.cpu, 0);
    console.log('  phase                    wall ms/run   CPU ms/run  CPU share');
    for (const [k, v] of [...prof.entries()].sort((a, b) => b[1].cpu - a[1].cpu)) {
      console.log(
        `  ${k.padEnd(22)} ${(v.wall / RUNS).toFixed(1).padStart(10)} ${(v.cpu / RUNS).toFixed(1).padStart(12)}  ${((100 * v.cpu) / total).toFixed(1).padStart(5)}%`,
      );
    }
  }
  if (torch) {
    const ratio = median(t.times) / median(torch.times);
    const cpuRatio = median(t.cpu) / median(torch.cpu);
    console.log(
      `ratio tfjs/PyTorch (wall medians): ${ratio.toFixed(2)}x (goal <= 1.5x: ${ratio <= 1.5 ? 'met' : 'not met'}); ` +
        `ratio of fastest runs ${(Math.min(...t.times) / Math.min(...torch.times)).toFixed(2)}x; CPU-time ratio ${cpuRatio.toFixed(2)}x; ` +
        `load avg at end ${loadavg()[0].toFixed(2)}`,
    );
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
