// Per-run torch state (grad mode, memory cap, RNG seed), keyed by the interpreter so concurrent runs stay apart.

import type { Interp } from '../runtime/values';
import type { NumericRun } from './numericRun';
import { DEFAULT_MAX_TENSOR_BYTES } from './tensor';

/** Options a host sets for one run (the trace recorder carries them as `torchOptions`). */
export interface TorchOptions {
  /** Largest tensor, in bytes, a run may create (default 2 GiB); bigger ones raise PyTorch's allocator error. */
  maxTensorBytes?: number;
  /** Numeric mode: the run context (values on TensorFlow.js, autograd); absent for a symbolic trace. */
  numeric?: NumericRun;
}

export interface TorchState {
  gradEnabled: boolean;
  maxTensorBytes: number;
  seed: number | null;
  /** Numeric mode context, or null for a symbolic run. */
  numeric: NumericRun | null;
  /** Sites already warned about (value-dependent branches on symbolic tensors, …). */
  warned: Set<string>;
}

const states = new WeakMap<Interp, TorchState>();

export function torchState(interp: Interp): TorchState {
  let s = states.get(interp);
  if (!s) {
    const opts = (interp.trace as { torchOptions?: TorchOptions } | undefined)?.torchOptions;
    s = {
      gradEnabled: true,
      maxTensorBytes: opts?.maxTensorBytes ?? DEFAULT_MAX_TENSOR_BYTES,
      seed: null,
      numeric: opts?.numeric ?? null,
      warned: new Set(),
    };
    states.set(interp, s);
  }
  return s;
}
