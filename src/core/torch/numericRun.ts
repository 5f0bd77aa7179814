// One numeric run's context: its random generator, the tfjs tensors it owns (all freed when the run ends), its
// time and memory limits, and the switches the engine sets (no-skips comparison, progress).

import * as tf from '@tensorflow/tfjs-core';
import { LimitExceeded, timeLimitMessage } from '../runtime/limits';
import type { Interp } from '../runtime/values';
import { TorchError } from './errors';
import { scatterUpdate } from './numericValues';
import { Generator } from './random';
import { storageHooks, type Tensor } from './tensor';

/** 2 GiB: default cap on the tfjs memory of one numeric run. */
export const DEFAULT_RUN_MEMORY_BYTES = 2 * 1024 ** 3;

export interface NumericRunOptions {
  /** Wall-clock budget in ms (checked after every op and autograd node). */
  timeMs?: number;
  /** Cap on the bytes of tfjs tensors the run holds at once. */
  memoryBytes?: number;
  /** Replace every skip connection's addition by its main path. */
  noSkips?: boolean;
  /** Called after each module call ends. */
  onProgress?: (p: { module: string; done: number; total?: number }) => void;
}

const fmtBytes = (n: number): string => (n >= 1024 ** 3 ? `${(n / 1024 ** 3).toFixed(2)} GiB` : `${(n / 1024 ** 2).toFixed(1)} MiB`);

export class NumericRun {
  readonly rng = new Generator();
  readonly noSkips: boolean;
  readonly memoryBytes: number;
  readonly timeMs: number;
  readonly onProgress?: NumericRunOptions['onProgress'];
  /** Non-leaf tensors that called retain_grad(). */
  readonly retained = new Set<Tensor>();
  /** Module calls finished so far (progress). */
  callsDone = 0;
  totalCalls?: number;
  private owned: tf.Tensor[] = [];
  private baseBytes = 0;
  private deadline = Infinity;
  private started = false;
  private opCount = 0;
  interp: Interp | null = null;

  constructor(opts: NumericRunOptions = {}) {
    this.noSkips = !!opts.noSkips;
    this.memoryBytes = opts.memoryBytes ?? DEFAULT_RUN_MEMORY_BYTES;
    this.timeMs = opts.timeMs ?? 60_000;
    this.onProgress = opts.onProgress;
  }

  /** Opens the run's tfjs scope; everything created until finish() is freed then. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.baseBytes = tf.memory().numBytes;
    this.deadline = Date.now() + this.timeMs;
    tf.engine().startScope();
  }

  /** Frees every tensor of the run. */
  finish(): void {
    if (!this.started) return;
    this.started = false;
    for (const t of this.owned) if (!t.isDisposed) t.dispose();
    this.owned = [];
    tf.engine().endScope();
  }

  /** Keeps a tensor made inside a tf.tidy alive until the run ends. */
  keep<T extends tf.Tensor>(t: T): T {
    tf.keep(t);
    this.owned.push(t);
    return t;
  }

  /** Bytes of tfjs tensors held by the run so far. */
  get bytes(): number {
    return tf.memory().numBytes - this.baseBytes;
  }

  /** Enforces the time and memory limits; called after every op and autograd node. */
  check(): void {
    if ((++this.opCount & 3) === 0 || this.timeMs < 5000) {
      if (Date.now() > this.deadline) {
        const e = new LimitExceeded('time-limit', timeLimitMessage(this.timeMs));
        try {
          if (this.interp) e.location = this.interp.currentLocation();
        } catch {
          /* no frame */
        }
        throw e;
      }
    }
    const used = this.bytes;
    if (used > this.memoryBytes) {
      throw new TorchError(
        'RuntimeError',
        `Tensor Trace stopped the numeric run: its tensors hold ${fmtBytes(used)}, more than the memory limit of ${fmtBytes(this.memoryBytes)} (raise it with the tensorTrace.memoryLimitMB setting, or use smaller inputs)`,
        undefined,
        'memory-limit',
      );
    }
  }
}

// Views read their base through their view function; writing a view scatters its new values into the base.
storageHooks.read = (fn, root) => {
  const v = tf.tidy(() => fn(root));
  return keepInCurrentRun(v);
};
storageHooks.write = (fn, root, value) => {
  const out = tf.tidy(() => {
    const n = root.size;
    const idx = fn(tf.reshape(tf.range(0, n, 1, 'int32'), root.shape));
    return tf.reshape(scatterUpdate(tf.reshape(root, [-1]), tf.reshape(idx, [-1, 1]), tf.reshape(value, [-1])), root.shape);
  });
  return keepInCurrentRun(out);
};

/** The run whose ops are executing (numeric runs are synchronous, so at most one is active). */
let activeRun: NumericRun | null = null;
export function setActiveRun(r: NumericRun | null): void {
  activeRun = r;
}
export function currentRun(): NumericRun | null {
  return activeRun;
}

function keepInCurrentRun(t: tf.Tensor): tf.Tensor {
  return activeRun ? activeRun.keep(t) : tf.keep(t);
}
