// Benchmark (not a test): the whole symbolic trace of torchvision's ResNet-50 source — parse, run, record —
// beside PyTorch's meta-device forward of the same model, measured in the same run. The headline number traces a
// fresh text every run (so the main file is always parsed from scratch); a second line shows the warm-cache time.
// PyTorch runs the model in the mode the trace executes it: as the entry expression builds it, in training mode
// (BatchNorm takes batch statistics and updates its running buffers, as the engine's BatchNorm does). Eval mode
// — fewer ops per BatchNorm — is printed as well, as a stricter second baseline.
// Run: node bench/run.mjs symbolic-trace [--runs N]  (bundles with esbuild first, so it measures shipped code)

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { traceSource } from '../src/core/engine';
import { createFileResolver } from '../src/host/fileResolver';

const RESNET = '/usr/lib/python3/dist-packages/torchvision/models/resnet.py';
const PYTHON = process.env.TT_PYTHON ?? '/usr/bin/python3';
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 30;
const WARMUP = 30;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface EngineTimes {
  median: number;
  min: number;
  params: number;
  macs: number;
}

/**
 * `fresh`: every timed run traces a text never seen before (a unique trailing comment), so no cache can skip
 * parsing the main file. Otherwise every run traces the same text (what an editor re-running an unchanged
 * file sees: cached parse allowed).
 */
function benchEngine(fresh: boolean): EngineTimes {
  const text = fs.readFileSync(RESNET, 'utf8');
  let n = 0;
  // A new resolver every run, as the trace worker and the CLI make one per trace (a resolver serves one run).
  const run = () =>
    traceSource({
      file: RESNET,
      text: fresh ? `${text}\n# bench run ${n++} ${Math.random()}\n` : text,
      resolver: createFileResolver([path.dirname(RESNET)]),
      entry: { expr: 'ResNet(Bottleneck, [3, 4, 6, 3])', inputs: [[1, 3, 224, 224]] },
    });
  // Warm up the JIT as a long-running trace worker is: V8 keeps optimising the engine for the first few dozen runs.
  for (let i = 0; i < WARMUP; i++) run();
  const times: number[] = [];
  let last = run();
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    last = run();
    times.push(performance.now() - t0);
  }
  if (last.error) throw new Error(`trace failed: ${last.error.message}`);
  return { median: median(times), min: Math.min(...times), params: last.totals.params, macs: last.totals.macs };
}

interface TorchTimes {
  median: number;
  min: number;
}

function benchPyTorch(): { train: TorchTimes; eval: TorchTimes } {
  const script = `
import time, json, torch, torchvision
torch.set_num_threads(2)
m = torchvision.models.resnet50().to('meta')
x = torch.randn(1, 3, 224, 224, device='meta')
def forward_times():
    for _ in range(5): m(x)
    ts = []
    for _ in range(${RUNS}):
        t0 = time.perf_counter(); m(x); ts.append((time.perf_counter() - t0) * 1000)
    ts.sort()
    return {"median": ts[len(ts)//2], "min": ts[0]}
train = forward_times()
m.eval()
print(json.dumps({"train": train, "eval": forward_times()}))
`;
  const r = spawnSync(PYTHON, ['-c', script], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`PyTorch benchmark failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

const ours = benchEngine(true);
const warm = benchEngine(false);
const torch = benchPyTorch();
console.log(`ResNet-50 (torchvision source), 1×3×224×224, ${RUNS} runs after ${WARMUP} warm-up runs (PyTorch: 5)`);
console.log(`  Tensor Trace symbolic trace (parse + run + record), fresh text every run (no parse cache): median ${ours.median.toFixed(2)} ms, min ${ours.min.toFixed(2)} ms  [${ours.params.toLocaleString('en-US')} params, ${(ours.macs / 1e9).toFixed(2)} G MACs]`);
console.log(`  Tensor Trace symbolic trace, same text every run (warm parse cache):                median ${warm.median.toFixed(2)} ms, min ${warm.min.toFixed(2)} ms`);
console.log(`  PyTorch meta-device forward only, training mode (as built; what the trace runs):   median ${torch.train.median.toFixed(2)} ms, min ${torch.train.min.toFixed(2)} ms`);
console.log(`  PyTorch meta-device forward only, eval mode (stricter baseline):                   median ${torch.eval.median.toFixed(2)} ms, min ${torch.eval.min.toFixed(2)} ms`);
console.log(`  ratio (ours fresh text / PyTorch training mode): ${(ours.median / torch.train.median).toFixed(2)}×  (goal ≤ 1.00×)`);
console.log(`  ratio (ours fresh text / PyTorch eval mode):     ${(ours.median / torch.eval.median).toFixed(2)}×`);
