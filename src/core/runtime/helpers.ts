// Small helpers shared by the native parts of the runtime (builtins, type methods, stdlib, imports).
// Kept free of value imports from the interpreter so module load order never matters.

import type { Interpreter } from './interpreter';
import {
  PyBuiltinFunction,
  PyDict,
  PyFloat,
  PyInstance,
  PyList,
  PySet,
  PyTuple,
  type CallArgs,
  type CallContext,
  type PyModuleObject,
  type PyValue,
} from './values';

export const ipOf = (ctx: CallContext): Interpreter => ctx.interp as Interpreter;

/** Positional-or-keyword argument `i`/`name` of a native call, or `dflt`. */
export function argOr(c: CallArgs, i: number, name: string, dflt: PyValue): PyValue {
  if (i < c.args.length) return c.args[i];
  const v = c.kwargs.get(name);
  return v === undefined ? dflt : v;
}

/** The value a builtin-subclass instance wraps (a list subclass instance → its PyList), else v. */
export function unwrap(v: PyValue): PyValue {
  if (v instanceof PyInstance && v.native !== undefined) {
    const n = v.native;
    if (
      n === null ||
      typeof n === 'string' ||
      typeof n === 'number' ||
      typeof n === 'boolean' ||
      n instanceof PyList ||
      n instanceof PyDict ||
      n instanceof PyTuple ||
      n instanceof PySet ||
      n instanceof PyFloat
    )
      return n as PyValue;
  }
  return v;
}

/** Builtins that stay plain functions when stored as class attributes (like CPython's C functions). */
export const nonBindingBuiltins = new WeakSet<PyBuiltinFunction>();

/** Late-bound links between runtime files (set once at load time). */
export const hooks: {
  /** type.__call__, so instantiation can tell a metaclass override from the default. */
  typeCall: PyValue | undefined;
  /** Imports `pkg.name` when it is read as an attribute of a native package. */
  importSubmodule: (ip: Interpreter, m: PyModuleObject, name: string) => PyValue | undefined;
} = {
  typeCall: undefined,
  importSubmodule: () => undefined,
};
