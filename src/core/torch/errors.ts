// Errors raised by torch semantics. Shape rules throw TorchError (plain JS, testable without an interpreter);
// the op dispatcher turns it into a Python exception carrying the operand shapes.

import type { DiagnosticCode } from '../diagnostics';
import { PyInstance, PyRaise, type ExceptionState, type Interp } from '../runtime/values';

export type PyErrorType = 'RuntimeError' | 'TypeError' | 'ValueError' | 'IndexError' | 'NotImplementedError' | 'AttributeError' | 'KeyError';

/** Exception state as torch sets it: the contract's fields plus an optional diagnostic code for the engine. */
export interface TorchExceptionState extends ExceptionState {
  /** Overrides the diagnostic code the engine reports (e.g. 'skip-shape-mismatch'). */
  code?: DiagnosticCode;
}

/** A Python exception described in JS; thrown by shape rules and argument binding. */
export class TorchError extends Error {
  constructor(
    readonly pyType: PyErrorType,
    message: string,
    /** Set for tensor shape mismatches. */
    readonly operandShapes?: number[][],
    public code?: DiagnosticCode,
  ) {
    super(message);
  }
}

/** Shorthands for the common error kinds. */
export const shapeError = (message: string, ...shapes: number[][]): TorchError => new TorchError('RuntimeError', message, shapes);
export const runtimeError = (message: string): TorchError => new TorchError('RuntimeError', message);
export const typeError = (message: string): TorchError => new TorchError('TypeError', message);
export const valueError = (message: string): TorchError => new TorchError('ValueError', message);
export const indexError = (message: string, ...shapes: number[][]): TorchError =>
  new TorchError('IndexError', message, shapes.length ? shapes : undefined);

/** Builds the Python exception for a TorchError and throws it through the interpreter. */
export function raiseTorchError(interp: Interp, e: TorchError): never {
  const cls = interp.exceptionClass(e.pyType);
  let inst: PyInstance | undefined;
  try {
    const v = interp.call(cls, [e.message]);
    if (v instanceof PyInstance) inst = v;
  } catch (err) {
    if (!(err instanceof PyRaise)) throw err;
  }
  if (!inst) {
    inst = new PyInstance(cls);
    inst.native = { args: [e.message] } satisfies ExceptionState;
  }
  const state = (inst.native && typeof inst.native === 'object' ? inst.native : { args: [e.message] }) as TorchExceptionState;
  if (!Array.isArray(state.args)) state.args = [e.message];
  if (e.operandShapes) state.shapeError = { operandShapes: e.operandShapes.map((s) => [...s]) };
  if (e.code) state.code = e.code;
  inst.native = state;
  throw new PyRaise(inst);
}

/** Runs `fn`, converting a TorchError into a Python exception. */
export function withTorchErrors<T>(interp: Interp, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof TorchError) raiseTorchError(interp, e);
    throw e;
  }
}
