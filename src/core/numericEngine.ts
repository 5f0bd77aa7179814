// The numeric engine's front door for hosts (CLI, editor worker, tests): initialises a TensorFlow.js backend once,
// then runs the same interpreter and op registry with real values and PyTorch-semantics autograd, synchronously
// on the calling thread. Never throws: every problem ends up in the TraceResult's diagnostics.

import * as tf from '@tensorflow/tfjs-core';
import { DiagnosticCode, Severity } from './diagnostics';
import { runTrace, type NumericCapture, type TraceRequest } from './engine';
import { initBackend, type BackendInfo, type BackendPref } from './numeric/backend';
import { parseSource } from './runtime/parseBridge';
import type { Call } from './syntax/ast';
import { NumericRun } from './torch/numericRun';
import type { TraceResult } from './trace/types';

/** Default time limit of a numeric run, in ms. */
export const NUMERIC_TIME_LIMIT_MS = 60_000;

export interface NumericTraceRequest extends TraceRequest {
  /** TensorFlow.js backend (default 'auto': node, then wasm, then cpu). */
  backend?: BackendPref;
  /** An existing @tensorflow/tfjs-node installation (its folder) to load instead of the one installed beside the engine. */
  tfjsNodePath?: string;
  /** Run the model with every skip connection's addition replaced by its main path alone. */
  noSkips?: boolean;
  /** Called after every module call. */
  onProgress?: (p: { module: string; done: number; total?: number }) => void;
  /** Entry runs: parameter/buffer values by state_dict key, applied after construction. */
  weights?: Map<string, Float32Array>;
  /** Entry runs: the inputs' values (row-major), one per entry input. */
  inputValues?: Float32Array[];
  /** Entry runs: receives output, loss and gradient values before the run frees them (tests). */
  capture?: (c: NumericCapture) => void;
}

const backends = new Map<string, Promise<BackendInfo>>();

/**
 * Initialises (once per preference) and selects the backend. A host that switches preference between runs gets
 * the right one re-selected (tfjs has one active backend per process).
 */
export async function numericBackend(pref: BackendPref = 'auto', tfjsNodePath?: string): Promise<BackendInfo> {
  const key = `${pref}\u0000${tfjsNodePath ?? ''}`;
  const opts = tfjsNodePath ? { tfjsNodePath } : {};
  let p = backends.get(key);
  if (!p) {
    p = initBackend(pref, opts);
    backends.set(key, p);
    p.catch(() => backends.delete(key));
  }
  const info = await p;
  if (tf.getBackend() !== info.name) {
    const again = initBackend(pref, opts);
    backends.set(key, again);
    return again;
  }
  return info;
}

/**
 * Traces `req.file` with values and gradients. The backend is initialised on the first call (awaited); the run
 * itself is synchronous. Obeys limits.timeMs (default 60 s) and limits.memoryBytes (default 2 GiB).
 */
export async function traceNumeric(req: NumericTraceRequest): Promise<TraceResult> {
  let backend: BackendInfo;
  try {
    backend = await numericBackend(req.backend ?? 'auto', req.tfjsNodePath);
  } catch (e) {
    const result = runTrace(req);
    result.diagnostics.push({
      severity: Severity.Error,
      code: DiagnosticCode.Internal,
      message: `No TensorFlow.js backend could be started for the numeric trace (${e instanceof Error ? e.message : String(e)}); showing the symbolic trace.`,
      location: { file: req.file, span: { start: 0, end: 0 }, line: 1, column: 1, endLine: 1, endColumn: 1 },
    });
    return result;
  }
  return traceNumericSync(req, backend);
}

/** The synchronous part of traceNumeric, for hosts that initialised the backend themselves. */
export function traceNumericSync(req: NumericTraceRequest, backend: BackendInfo): TraceResult {
  const run = new NumericRun({
    timeMs: req.limits?.timeMs ?? NUMERIC_TIME_LIMIT_MS,
    memoryBytes: req.limits?.memoryBytes,
    noSkips: req.noSkips,
    onProgress: req.onProgress,
  });
  const limits = { ...req.limits, timeMs: req.limits?.timeMs ?? NUMERIC_TIME_LIMIT_MS };
  return runTrace({ ...req, limits, mode: 'numeric' }, { run, backend, weights: req.weights, inputValues: req.inputValues, capture: req.capture });
}

/**
 * Whether a script computes gradients: a call of `.backward(…)` (loss.backward(), torch.autograd.backward) or of
 * `autograd.grad(…)` anywhere in its syntax tree. Hosts use it to pick the numeric trace by default.
 */
export function callsBackward(text: string): boolean {
  let found = false;
  const visit = (v: unknown): void => {
    if (found || v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      for (const x of v) visit(x);
      return;
    }
    const node = v as { kind?: string };
    if (node.kind === 'Call') {
      const f = (node as Call).func;
      if (f.kind === 'Attribute' && (f.attr === 'backward' || (f.attr === 'grad' && f.value.kind === 'Attribute' && f.value.attr === 'autograd'))) {
        found = true;
        return;
      }
    }
    for (const [k, x] of Object.entries(node)) if (k !== 'syntaxErrors' && typeof x === 'object') visit(x);
  };
  visit(parseSource(text));
  return found;
}
