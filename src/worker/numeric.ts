// The numeric engine's plug-in point: values and gradients on TensorFlow.js, async, with progress and cancel.

import type { SourceResolver } from '../host/fileResolver';
import type { TraceResult } from '../core/trace/types';
import type { BackendSetting } from './protocol';

/** What a numeric run receives; the symbolic request plus the backend choice. */
export interface NumericTraceRequest {
  file: string;
  text: string;
  resolver?: SourceResolver;
  entry?: { expr: string; inputs: number[][] };
  limits?: { timeMs?: number; steps?: number; memoryBytes?: number };
  backend: BackendSetting;
  /** An existing @tensorflow/tfjs-node installation for the node backend. */
  tfjsNodePath?: string;
}

export interface NumericTraceHooks {
  /** Reports progress; `fraction` in 0..1 when known. */
  onProgress(message: string, fraction: number | null): void;
  /** Aborted when the user cancels; the engine should stop at its next await point. */
  signal: AbortSignal;
}

/** The function the numeric engine exports (mode: 'numeric' in the returned TraceResult). */
export type TraceNumeric = (req: NumericTraceRequest, hooks: NumericTraceHooks) => Promise<TraceResult>;

/**
 * Returns the numeric engine. It is imported lazily so that symbolic traces never pay for loading TensorFlow.js;
 * the run itself is synchronous inside this worker, so cancelling means the host terminates the worker.
 */
export function loadNumericEngine(): TraceNumeric | undefined {
  return async (req, hooks) => {
    const { traceNumeric } = await import('../core/numericEngine');
    return traceNumeric({
      file: req.file,
      text: req.text,
      resolver: req.resolver,
      entry: req.entry,
      limits: req.limits,
      backend: req.backend,
      tfjsNodePath: req.tfjsNodePath,
      onProgress: (p) => hooks.onProgress(`${p.module} (${p.done}${p.total ? `/${p.total}` : ''})`, p.total ? p.done / p.total : null),
    });
  };
}

/** Shown when the engine could not be loaded at all. */
export const numericUnavailableReason =
  'The numeric engine (values and gradients on TensorFlow.js) could not be loaded; shapes, parameters and MACs from the symbolic trace are still shown.';
