// Host side of the trace worker: starts dist/traceWorker.js lazily, runs one job at a time, and terminates the
// worker on cancel, on timeout and when it runs out of memory (the next job starts a fresh one).
// No `vscode` import: the extension wraps it, tests can drive it directly.

import { Worker } from 'node:worker_threads';
import {
  isWorkerMessage,
  type BackendSetting,
  type LogLevel,
  type TraceJob,
  type TraceOutput,
  type WorkerMessage,
  type WorkerRequest,
} from '../worker/protocol';

export type TraceMode = 'symbolic' | 'numeric';

export type TraceOutcome =
  | ({ kind: 'done'; ms: number } & TraceOutput)
  | { kind: 'cancelled' }
  /** Replaced by a newer job for the same key before it started. */
  | { kind: 'superseded' }
  | { kind: 'timeout'; ms: number }
  | { kind: 'unavailable'; reason: string }
  | { kind: 'failed'; message: string };

export interface TraceJobOptions {
  mode: TraceMode;
  backend?: BackendSetting;
  /** An existing @tensorflow/tfjs-node installation for the node backend. */
  tfjsNodePath?: string;
  /** Jobs with the same key replace each other while queued (typing produces many). */
  key?: string;
  /** Wall-clock limit for the whole job, after which the worker is terminated. */
  timeoutMs: number;
  onProgress?: (message: string, fraction: number | null) => void;
  /** Aborting cancels the job: dropped when queued, worker terminated when running. */
  signal?: AbortSignal;
}

export interface TraceClientOptions {
  workerFile: string;
  /** Heap limit of the worker (the engine's own memory limit plus room for the engine itself). */
  maxOldGenerationSizeMb: () => number;
  log: (level: LogLevel, message: string) => void;
}

interface Pending {
  id: number;
  job: TraceJob;
  options: TraceJobOptions;
  resolve: (o: TraceOutcome) => void;
  started?: number;
  timer?: NodeJS.Timeout;
  onAbort?: () => void;
}

/**
 * The worker's young generation. A trace allocates a few MB of short-lived objects per run (ResNet-50: ~5 MB);
 * with V8's default size the worker scavenges every two or three traces, and each scavenge copies the running
 * trace's live objects. 64 MB took a ResNet-50 re-trace from ~18 to ~13 ms as the host sees it.
 */
const WORKER_YOUNG_GENERATION_MB = 64;

/** Runs trace jobs in a worker thread, one at a time, in arrival order. */
export class TraceClient {
  private worker: Worker | undefined;
  private readonly queue: Pending[] = [];
  private current: Pending | undefined;
  private nextId = 1;
  private disposed = false;
  private workerStarts = 0;

  constructor(private readonly options: TraceClientOptions) {}

  /** How many times a worker was started (tests assert restarts after cancel and timeout). */
  get starts(): number {
    return this.workerStarts;
  }

  get busy(): boolean {
    return this.current !== undefined;
  }

  run(job: TraceJob, options: TraceJobOptions): Promise<TraceOutcome> {
    if (this.disposed) return Promise.resolve({ kind: 'cancelled' });
    if (options.signal?.aborted) return Promise.resolve({ kind: 'cancelled' });
    return new Promise<TraceOutcome>((resolve) => {
      if (options.key !== undefined) {
        for (let i = this.queue.length - 1; i >= 0; i--) {
          const q = this.queue[i];
          if (q.options.key === options.key && q.options.mode === options.mode) {
            this.queue.splice(i, 1);
            this.settle(q, { kind: 'superseded' });
          }
        }
      }
      const p: Pending = { id: this.nextId++, job, options, resolve };
      if (options.signal) {
        p.onAbort = () => this.cancel(p);
        options.signal.addEventListener('abort', p.onAbort, { once: true });
      }
      this.queue.push(p);
      this.pump();
    });
  }

  dispose(): void {
    this.disposed = true;
    for (const q of this.queue.splice(0)) this.settle(q, { kind: 'cancelled' });
    if (this.current) this.settle(this.current, { kind: 'cancelled' });
    this.current = undefined;
    this.kill();
  }

  private cancel(p: Pending): void {
    const i = this.queue.indexOf(p);
    if (i >= 0) {
      this.queue.splice(i, 1);
      this.settle(p, { kind: 'cancelled' });
      return;
    }
    if (this.current === p) {
      this.worker?.postMessage({ type: 'cancel', id: p.id } satisfies WorkerRequest);
      this.options.log('info', `trace ${p.id} cancelled; restarting the trace worker`);
      this.kill();
      this.current = undefined;
      this.settle(p, { kind: 'cancelled' });
      this.pump();
    }
  }

  private settle(p: Pending, outcome: TraceOutcome): void {
    if (p.timer) clearTimeout(p.timer);
    if (p.onAbort) p.options.signal?.removeEventListener('abort', p.onAbort);
    p.resolve(outcome);
  }

  private pump(): void {
    if (this.disposed || this.current || this.queue.length === 0) return;
    const p = this.queue.shift()!;
    this.current = p;
    const worker = this.ensureWorker();
    p.started = performance.now();
    p.timer = setTimeout(() => {
      if (this.current !== p) return;
      const ms = performance.now() - (p.started ?? 0);
      this.options.log('warn', `trace ${p.id} of ${p.job.file} exceeded ${p.options.timeoutMs} ms; terminating the trace worker`);
      this.kill();
      this.current = undefined;
      this.settle(p, { kind: 'timeout', ms });
      this.pump();
    }, p.options.timeoutMs);
    const request: WorkerRequest =
      p.options.mode === 'numeric'
        ? { type: 'trace', id: p.id, mode: 'numeric', job: p.job, backend: p.options.backend ?? 'auto', tfjsNodePath: p.options.tfjsNodePath }
        : { type: 'trace', id: p.id, mode: 'symbolic', job: p.job };
    worker.postMessage(request);
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.options.workerFile, {
      resourceLimits: { maxOldGenerationSizeMb: this.options.maxOldGenerationSizeMb(), maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
      stdout: true,
      stderr: true,
    });
    this.workerStarts++;
    worker.stdout.on('data', (b: Buffer) => this.options.log('debug', `[worker stdout] ${String(b).trimEnd()}`));
    worker.stderr.on('data', (b: Buffer) => this.options.log('warn', `[worker stderr] ${String(b).trimEnd()}`));
    worker.on('message', (m: unknown) => this.onMessage(worker, m));
    worker.on('error', (err) => this.onExit(worker, err));
    worker.on('exit', (code) => this.onExit(worker, code === 0 ? undefined : new Error(`trace worker exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }

  private kill(): void {
    const w = this.worker;
    this.worker = undefined;
    if (w) void w.terminate();
  }

  private onExit(worker: Worker, err: Error | undefined): void {
    if (this.worker !== worker) return; // already replaced (terminated on purpose)
    this.worker = undefined;
    const p = this.current;
    this.current = undefined;
    const outOfMemory = (err as { code?: string } | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY';
    const message = outOfMemory
      ? 'The trace ran out of memory (tensorTrace.memoryLimitMB) and was stopped.'
      : `The trace worker stopped unexpectedly: ${err?.message ?? 'exit'}`;
    this.options.log('error', message);
    if (p) this.settle(p, { kind: 'failed', message });
    this.pump();
  }

  private onMessage(worker: Worker, m: unknown): void {
    if (this.worker !== worker) return;
    if (!isWorkerMessage(m)) {
      this.options.log('error', `malformed message from the trace worker: ${JSON.stringify(m)?.slice(0, 200)}`);
      return;
    }
    this.handle(m);
  }

  private handle(m: WorkerMessage): void {
    switch (m.type) {
      case 'ready':
        this.options.log('debug', `trace worker ready in ${m.loadMs.toFixed(0)} ms (numeric engine ${m.numericAvailable ? 'available' : 'not in this build'})`);
        return;
      case 'log':
        this.options.log(m.level, m.message);
        return;
      case 'progress':
        if (this.current?.id === m.id) this.current.options.onProgress?.(m.message, m.fraction);
        return;
      case 'done':
      case 'unavailable':
      case 'failed': {
        const p = this.current;
        if (!p || p.id !== m.id) return;
        this.current = undefined;
        const ms = performance.now() - (p.started ?? 0);
        if (m.type === 'done') {
          this.settle(p, { kind: 'done', ms, result: m.result, syntax: m.syntax, sources: m.sources, workerMs: m.workerMs });
        } else if (m.type === 'unavailable') {
          this.settle(p, { kind: 'unavailable', reason: m.reason });
        } else {
          this.settle(p, { kind: 'failed', message: m.message });
        }
        this.pump();
        return;
      }
    }
  }
}
