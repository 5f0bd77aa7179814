// Small helpers for building native Python classes, functions and values from TypeScript.
// Every torch file uses these, so native classes look the same to the interpreter as user classes.

import {
  PyBuiltinFunction,
  PyClass,
  PyDict,
  PyFloat,
  PyInstance,
  PyList,
  PyTuple,
  type CallArgs,
  type CallContext,
  type NativeFn,
  type PyValue,
} from '../runtime/values';
import { floatRepr } from '../runtime/strings';

/** Python's repr of a float (the interpreter's own), for extra_repr texts. */
export { floatRepr };

/** Creates a builtin function value. */
export function builtin(name: string, fn: NativeFn, qualname = name): PyBuiltinFunction {
  return new PyBuiltinFunction(name, fn, qualname);
}

/** Creates a native class whose methods are builtins taking `self` as the first positional argument. */
export function nativeClass(
  name: string,
  module: string,
  bases: PyClass[],
  methods: Record<string, NativeFn> = {},
): PyClass {
  const dict = new Map<string, PyValue>();
  for (const [k, fn] of Object.entries(methods)) dict.set(k, builtin(k, fn, `${name}.${k}`));
  return new PyClass(name, bases, dict, module);
}

/** Adds (or replaces) a native method on a class. */
export function defineMethod(cls: PyClass, name: string, fn: NativeFn): void {
  cls.dict.set(name, builtin(name, fn, `${cls.name}.${name}`));
}

export const tuple = (items: PyValue[]): PyTuple => new PyTuple(items);
export const size = (dims: number[]): PyTuple => new PyTuple([...dims], true);
export const list = (items: PyValue[]): PyList => new PyList(items);
export const float = (v: number): PyFloat => new PyFloat(v);

/** A `CallArgs` with no keywords. */
export function callArgs(args: PyValue[], kwargs?: Map<string, PyValue>): CallArgs {
  return { args, kwargs: kwargs ?? new Map() };
}

/** Makes a dict from JS entries (string keys). */
export function dictOf(entries: Array<[PyValue, PyValue]>): PyDict {
  const d = new PyDict();
  for (const [k, v] of entries) d.set(k, v);
  return d;
}

/** The `self` argument of a native method call, checked to be an instance of `cls`. */
export function selfArg<T>(call: CallArgs, ctx: CallContext, guard: (v: PyValue) => v is PyValue & T, what: string): T {
  const self = call.args[0];
  if (self === undefined || !guard(self)) {
    ctx.interp.raise('TypeError', `descriptor '${what}' requires a '${what.split('.')[0]}' object`);
  }
  return self as T;
}

export function isInstanceOf(v: PyValue, cls: PyClass): v is PyInstance {
  return v instanceof PyInstance && v.cls.isSubclassOf(cls);
}

/** Python repr of simple JS-side values used in extra_repr texts (ints, floats, bools, None, strings, tuples). */
export function pyRepr(v: PyValue | number[]): string {
  if (Array.isArray(v)) return v.length === 1 ? `(${v[0]},)` : `(${v.join(', ')})`;
  if (v === null) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return `'${v}'`;
  if (v instanceof PyFloat) return floatRepr(v.v);
  if (v instanceof PyTuple) return v.items.length === 1 ? `(${pyRepr(v.items[0])},)` : `(${v.items.map((i) => pyRepr(i)).join(', ')})`;
  if (v instanceof PyList) return `[${v.items.map((i) => pyRepr(i)).join(', ')}]`;
  return `<${v.typeName}>`;
}
