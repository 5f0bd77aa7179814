// Picks and initialises the TensorFlow.js backend the numeric layer runs on.
//
// Order for 'auto': @tensorflow/tfjs-node (native libtensorflow; an optional dependency that is usually
// absent because its install script downloads libtensorflow) → wasm (XNNPACK, shipped .wasm files loaded
// from disk, never the network) → cpu (pure JS, slow). Which one ran and why is returned and kept in
// `backendInfo()`.
//
// wasm variants (tfjs-backend-wasm 4.22): tfjs itself picks `tfjs-backend-wasm-simd.wasm` under Node,
// because its WASM_HAS_MULTITHREAD_SUPPORT flag is hard-wired to false when IS_NODE. The threaded build
// (`tfjs-backend-wasm-threaded-simd.wasm`) can still run in Node with two shims that are only active while
// the backend initialises:
//   1. emscripten spawns its pthread pool with `new Worker(URL.createObjectURL(blob))`, and Node's
//      worker_threads refuse blob: URLs, so the worker script (and the module factory it imports) are
//      written to a cache directory on disk and `URL.createObjectURL` returns that path;
//   2. the C++ side caps the XNNPACK pool at `emscripten_num_logical_cores() / 2` (= os.cpus().length / 2,
//      so 1 on a 2-core machine), so `os.cpus()` reports 2 × the wanted thread count during init.
// `threads` picks the variant: 1 → SIMD single-threaded, >1 → threaded SIMD (falls back to single-threaded
// SIMD if the pool cannot start). The default comes from bench/conv-block.bench.ts measurements.

import * as tf from '@tensorflow/tfjs-core';
// A named import, not a bare one: the package's "sideEffects" list does not name its CJS main file, so a
// bundler drops `import '@tensorflow/tfjs-backend-cpu'` and the 'cpu' backend is never registered.
import { version_cpu } from '@tensorflow/tfjs-backend-cpu';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import * as path from 'node:path';

export type BackendPref = 'auto' | 'node' | 'wasm' | 'cpu';

export interface BackendOptions {
  /** Module id or absolute path to require instead of '@tensorflow/tfjs-node'. */
  tfjsNodePath?: string;
  /** Directory holding the tfjs-backend-wasm*.wasm files (default: next to the bundle, else the package's dist/). */
  wasmDir?: string;
  /** wasm threads: 1 = SIMD single-threaded, n > 1 = threaded SIMD with an n-thread XNNPACK pool. */
  threads?: number;
  /** Force the plain (no SIMD, no threads) wasm binary — for measurements only. */
  noSimd?: boolean;
  /** Where the pthread worker scripts are written (default: os.tmpdir()). */
  cacheDir?: string;
}

export interface BackendInfo {
  /** tfjs backend name: 'tensorflow' (tfjs-node), 'wasm' or 'cpu'. */
  name: string;
  /** Why this backend runs: what was tried before it and how that failed. */
  reason: string;
  /** For wasm: the .wasm binary that was loaded and the XNNPACK thread count. */
  wasmFile?: string;
  threads?: number;
  /** Every backend that was tried, in order, with the error if it failed. */
  attempts: { backend: string; ok: boolean; detail: string }[];
}

const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];

/**
 * Default wasm thread count: one per logical CPU, at most 4 (XNNPACK's pool is pre-sized to 8 workers).
 * On the 2-core reference machine 2 threads ran the seed block in 0.76 s vs 1.44 s single-threaded
 * (bench/conv-block.bench.ts, least-loaded runs); $TENSOR_TRACE_WASM_THREADS or `threads` overrides it.
 */
export function defaultWasmThreads(): number {
  const env = Number(process.env.TENSOR_TRACE_WASM_THREADS);
  if (Number.isInteger(env) && env >= 1) return Math.min(8, env);
  return Math.max(1, Math.min(4, availableParallelism()));
}

let current: BackendInfo | null = null;
let pending: Promise<BackendInfo> | null = null;

/** The backend chosen by the last `initBackend`, or null before. */
export function backendInfo(): BackendInfo | null {
  return current;
}

/** Node's require, for run-time loads that the bundler must leave alone (tfjs-node is external). */
function nodeRequire(): NodeRequire {
  return typeof require === 'function' ? require : createRequire(path.join(process.cwd(), 'noop.js'));
}

function message(e: unknown): string {
  if (e instanceof Error) return e.message.split('\n')[0];
  if (e && typeof e === 'object' && 'message' in e) return String((e as { message: unknown }).message).split('\n')[0];
  return String(e);
}

/**
 * Initialises a backend. Idempotent per process in practice: tfjs can hold several backends, but the wasm
 * module (and its variant) can only be initialised once, so later calls re-select an initialised backend.
 */
export function initBackend(pref: BackendPref = 'auto', opts: BackendOptions = {}): Promise<BackendInfo> {
  const run = async (): Promise<BackendInfo> => {
    if (pending) await pending.catch(() => undefined);
    return doInit(pref, opts);
  };
  const p = run();
  pending = p;
  return p;
}

async function doInit(pref: BackendPref, opts: BackendOptions): Promise<BackendInfo> {
  const attempts: BackendInfo['attempts'] = [];
  const order: ('node' | 'wasm' | 'cpu')[] = pref === 'auto' ? ['node', 'wasm', 'cpu'] : [pref];
  for (const b of order) {
    try {
      let info: BackendInfo;
      if (b === 'node') info = await tryNode(opts, attempts);
      else if (b === 'wasm') info = await tryWasm(opts, attempts);
      else info = await tryCpu(attempts);
      current = info;
      return info;
    } catch (e) {
      attempts.push({ backend: b, ok: false, detail: message(e) });
    }
  }
  throw new Error(`no TensorFlow.js backend could be initialised: ${attempts.map((a) => `${a.backend}: ${a.detail}`).join('; ')}`);
}

function reasonFrom(attempts: BackendInfo['attempts'], why: string): string {
  const failed = attempts.filter((a) => !a.ok).map((a) => `${a.backend} unavailable (${a.detail})`);
  return [...failed, why].join('; ');
}

/**
 * tfjs-node brings its own copy of @tensorflow/tfjs; its tfjs-core shares the global engine and kernel registry
 * with ours, so its CPU kernels and platform register a second time, each with a console warning (~180 lines).
 * Those are expected and harmless; any other warning still shows.
 */
function withoutDuplicateRegistrationWarnings<T>(load: () => T): T {
  const warn = console.warn;
  const duplicate = /is already registered|has already been set|Reusing existing backend factory/;
  console.warn = (...args: unknown[]) => {
    if (!(typeof args[0] === 'string' && duplicate.test(args[0]))) warn(...args);
  };
  try {
    return load();
  } finally {
    console.warn = warn;
  }
}

async function tryNode(opts: BackendOptions, attempts: BackendInfo['attempts']): Promise<BackendInfo> {
  if (tf.findBackend('tensorflow') == null) {
    // Run-time require: esbuild keeps '@tensorflow/tfjs-node' external, and it may not be installed (its
    // install script downloads libtensorflow, which fails offline, and npm then drops the optional dependency).
    process.env.TF_CPP_MIN_LOG_LEVEL ??= '2'; // libtensorflow's start-up INFO lines, unless the user asked for them
    withoutDuplicateRegistrationWarnings(() => nodeRequire()(opts.tfjsNodePath ?? '@tensorflow/tfjs-node'));
  }
  if (!(await tf.setBackend('tensorflow'))) throw new Error("tfjs-node loaded but backend 'tensorflow' failed to initialise");
  const reason = reasonFrom(attempts, '@tensorflow/tfjs-node is installed (native libtensorflow)');
  attempts.push({ backend: 'node', ok: true, detail: 'tfjs-node' });
  return { name: 'tensorflow', reason, attempts };
}

async function tryCpu(attempts: BackendInfo['attempts']): Promise<BackendInfo> {
  if (!(await tf.setBackend('cpu'))) throw new Error("backend 'cpu' failed to initialise");
  // Its one-time "install tfjs-node" console banner is noise here: the reason is reported instead.
  (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
  // (using version_cpu here also keeps the registering import in tree-shaken bundles)
  attempts.push({ backend: 'cpu', ok: true, detail: `pure JS, tfjs-backend-cpu ${version_cpu}` });
  return { name: 'cpu', reason: reasonFrom(attempts, 'pure-JS cpu backend (slow)'), attempts };
}

/** The directory that holds the .wasm files: explicit, else beside the running bundle, else the package. */
export function resolveWasmDir(explicit?: string): string {
  if (explicit) {
    if (existsSync(path.join(explicit, 'tfjs-backend-wasm-simd.wasm'))) return path.resolve(explicit) + path.sep;
    throw new Error(`no tfjs-backend-wasm*.wasm files in ${explicit}`);
  }
  const candidates: string[] = [];
  if (process.env.TENSOR_TRACE_WASM_DIR) candidates.push(process.env.TENSOR_TRACE_WASM_DIR);
  // The build copies the .wasm files into dist/wasm/, beside the bundles (__dirname there).
  if (typeof __dirname === 'string') candidates.push(path.join(__dirname, 'wasm'), __dirname);
  try {
    const pkg = nodeRequire().resolve('@tensorflow/tfjs-backend-wasm/package.json');
    candidates.push(path.join(path.dirname(pkg), 'dist'));
  } catch {
    // not resolvable from here (bundled without node_modules)
  }
  for (const dir of candidates) {
    if (existsSync(path.join(dir, 'tfjs-backend-wasm-simd.wasm'))) return path.resolve(dir) + path.sep;
  }
  throw new Error(`tfjs-backend-wasm .wasm files not found (looked in ${candidates.join(', ') || 'nowhere'})`);
}

let wasmInit: { file: string; threads: number } | null = null;

async function tryWasm(opts: BackendOptions, attempts: BackendInfo['attempts']): Promise<BackendInfo> {
  const done = (why: string): BackendInfo => {
    attempts.push({ backend: 'wasm', ok: true, detail: `${wasmInit!.file}, ${wasmInit!.threads} thread(s)` });
    return { name: 'wasm', reason: reasonFrom(attempts, why), wasmFile: wasmInit!.file, threads: wasmInit!.threads, attempts };
  };
  if (wasmInit) {
    if (!(await tf.setBackend('wasm'))) throw new Error("backend 'wasm' failed to re-select");
    return done(`wasm already initialised in this process (${wasmInit.file})`);
  }
  const dir = resolveWasmDir(opts.wasmDir);
  for (const f of WASM_FILES) {
    if (!existsSync(dir + f)) throw new Error(`missing ${dir + f}`);
  }
  setWasmPaths(dir); // a local directory prefix: emscripten reads it with fs, never fetch()

  const wanted = Math.max(1, Math.min(8, Math.floor(opts.threads ?? defaultWasmThreads())));
  const env = tf.env();
  if (opts.noSimd) {
    env.set('WASM_HAS_SIMD_SUPPORT', false);
    env.set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    if (!(await tf.setBackend('wasm'))) throw new Error("backend 'wasm' failed to initialise (no-SIMD binary)");
    wasmInit = { file: 'tfjs-backend-wasm.wasm', threads: 1 };
    return done('forced plain wasm (no SIMD) for measurement');
  }
  const simd = await env.getAsync('WASM_HAS_SIMD_SUPPORT');
  let threadNote = '';
  if (wanted > 1 && simd) {
    try {
      const n = await initThreadedWasm(wanted, opts.cacheDir);
      wasmInit = { file: 'tfjs-backend-wasm-threaded-simd.wasm', threads: n };
      return done(`threaded SIMD wasm with ${n} XNNPACK threads (Node worker_threads shim)`);
    } catch (e) {
      threadNote = `threaded wasm failed (${message(e)}), `;
      env.set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    }
  }
  env.set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  if (!(await tf.setBackend('wasm'))) throw new Error("backend 'wasm' failed to initialise");
  wasmInit = { file: simd ? 'tfjs-backend-wasm-simd.wasm' : 'tfjs-backend-wasm.wasm', threads: 1 };
  return done(`${threadNote}${simd ? 'SIMD' : 'plain'} wasm, single-threaded`);
}

interface EmscriptenWorker { terminate(): unknown; unref?(): unknown }
interface PThreadApi { unusedWorkers: EmscriptenWorker[]; runningWorkers: EmscriptenWorker[] }

/** Writes the pthread worker script and the module factory it imports; returns the worker path. */
function writeWorkerFiles(cacheDir: string | undefined): string {
  // Static require strings so the bundler includes both modules.
  const factory = require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js') as { toString(): string };
  const { wasmWorkerContents } = require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js') as {
    wasmWorkerContents: string;
  };
  const mainSrc = `var WasmBackendModuleThreadedSimd = ${factory.toString()};\n`;
  const hash = createHash('sha256').update(mainSrc).update(wasmWorkerContents).digest('hex').slice(0, 16);
  const dir = path.join(cacheDir ?? tmpdir(), `tensor-trace-wasm-${tf.version_core}-${hash}`);
  const mainJs = path.join(dir, 'wasm-pthread-main.js');
  const workerJs = path.join(dir, 'wasm-pthread-worker.js');
  // The worker receives the factory as a Blob it cannot read synchronously in Node: point it at the file.
  // tfjs escapes '\n' before making its Blob (the template literal holds literal "\n" sequences); same here.
  const workerSrc =
    `URL.createObjectURL = function () { return ${JSON.stringify(mainJs)}; };\n` +
    `URL.revokeObjectURL = function () {};\n` +
    wasmWorkerContents.replace(/\n/g, '\\n');
  mkdirSync(dir, { recursive: true });
  for (const [file, src] of [[mainJs, mainSrc], [workerJs, workerSrc]] as const) {
    if (existsSync(file) && readFileSync(file, 'utf8') === src) continue;
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, src);
    renameSync(tmp, file);
  }
  return workerJs;
}

async function initThreadedWasm(threads: number, cacheDir: string | undefined): Promise<number> {
  const workerJs = writeWorkerFiles(cacheDir);
  const os = nodeRequire()('os') as { cpus: () => unknown[] };
  const realCpus = os.cpus;
  const realCreate = URL.createObjectURL;
  os.cpus = () => {
    const c = realCpus.call(os);
    return Array.from({ length: 2 * threads }, (_, i) => c[i % Math.max(1, c.length)]);
  };
  URL.createObjectURL = ((obj: unknown) => (obj instanceof Blob ? workerJs : realCreate(obj as Blob))) as typeof URL.createObjectURL;
  let ok = false;
  try {
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
    setThreadsCount(threads);
    ok = await tf.setBackend('wasm');
  } finally {
    os.cpus = realCpus;
    URL.createObjectURL = realCreate;
  }
  if (!ok) throw new Error('wasm backend initialisation failed with the threaded binary');
  const n = getThreadsCount();
  // emscripten pre-spawns 8 workers; XNNPACK's pool holds threads-1 of them. Drop the idle ones (memory),
  // and unref the rest so that a finished CLI run can exit.
  const pthread = (tf.backend() as unknown as { wasm: { PThread?: PThreadApi } }).wasm.PThread;
  if (pthread) {
    for (const w of pthread.unusedWorkers) w.terminate();
    pthread.unusedWorkers.length = 0;
    for (const w of pthread.runningWorkers) w.unref?.();
  }
  return n;
}
