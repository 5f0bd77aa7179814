// Run limits (steps, wall clock, frame depth) and the one error that ends a run when a limit is hit.
// LimitExceeded is a plain JS error: Python's `except` never sees it, so a script cannot swallow it.

import type { Location } from '../diagnostics';

/** Which limit ended the run; the values double as diagnostic codes. */
export type LimitCode = 'step-budget' | 'time-limit' | 'recursion-limit';

export interface Limits {
  /** Statements plus calls executed before the run is stopped. */
  steps: number;
  /** Wall-clock budget for the whole run, in milliseconds. */
  timeMs: number;
  /** Maximum Python frame depth. */
  recursion: number;
}

export const DEFAULT_LIMITS: Limits = { steps: 5_000_000, timeMs: 1_000, recursion: 300 };

/** Thrown (never caught by Python code) when the run exceeds a limit. */
export class LimitExceeded extends Error {
  /** Where the run was when the limit was hit (set by the interpreter). */
  location?: Location;
  constructor(
    readonly code: LimitCode,
    message: string,
  ) {
    super(message);
    this.name = 'LimitExceeded';
  }
}

export function stepBudgetMessage(steps: number): string {
  return `Tensor Trace stopped the script after ${steps.toLocaleString('en-US')} steps: is there an endless loop?`;
}

export function timeLimitMessage(ms: number): string {
  return `Tensor Trace stopped the script after ${ms.toLocaleString('en-US')} ms: is there an endless loop or a very long computation?`;
}

export const RECURSION_MESSAGE = 'RecursionError: maximum recursion depth exceeded';
