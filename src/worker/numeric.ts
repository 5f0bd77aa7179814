// The numeric engine's plug-in point: values and gradients on TensorFlow.js, async, with progress and cancel.
// Another engineer builds that engine; until it is wired in here, numeric requests are answered "unavailable".

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
}

export interface NumericTraceHooks {
  /** Reports progress; `fraction` in 0..1 when known. */
  onProgress(message: string, fraction: number | null): void;
  /** Aborted when the user cancels; the engine should stop at its next await point. */
  signal: AbortSignal;
}

/** The function the numeric engine exports (mode: 'numeric' in the returned TraceResult). */
export type TraceNumeric = (req: NumericTraceRequest, hooks: NumericTraceHooks) => Promise<TraceResult>;

/** Why numeric requests are refused in this build; shown to the user verbatim. */
export const numericUnavailableReason =
  'The numeric engine (values and gradients on TensorFlow.js) is not available in this build of Tensor Trace. ' +
  'Shapes, parameters and MACs from the symbolic trace are still shown.';

/**
 * Returns the numeric engine, or undefined while it is not part of the build.
 * To wire it in: `import { traceNumeric } from '../core/numeric';` and return it here.
 */
export function loadNumericEngine(): TraceNumeric | undefined {
  return undefined;
}
