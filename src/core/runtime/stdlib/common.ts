// Helpers for writing the native stdlib modules: module objects, plain functions and small native classes.

import { builtinClasses, objectClass, setMetaclass } from '../builtinTypes';
import { ipOf, nonBindingBuiltins } from '../helpers';
import type { Interpreter } from '../interpreter';
import {
  PyBuiltinFunction,
  PyClass,
  PyClassMethod,
  PyModuleObject,
  PyProperty,
  PyStaticMethod,
  type CallArgs,
  type CallContext,
  type PyValue,
} from '../values';

export type Native = (args: PyValue[], kwargs: Map<string, PyValue>, ip: Interpreter, ctx: CallContext) => PyValue;

/** A module-level function (never bound as a method). */
export function func(qualname: string, f: Native): PyBuiltinFunction {
  const name = qualname.slice(qualname.lastIndexOf('.') + 1);
  const b = new PyBuiltinFunction(name, (c: CallArgs, ctx: CallContext) => f(c.args, c.kwargs, ipOf(ctx), ctx), qualname);
  nonBindingBuiltins.add(b);
  return b;
}

/** A method stored in a class dict: receives self as args[0]. */
export function method(qualname: string, f: Native): PyBuiltinFunction {
  const name = qualname.slice(qualname.lastIndexOf('.') + 1);
  return new PyBuiltinFunction(name, (c: CallArgs, ctx: CallContext) => f(c.args, c.kwargs, ipOf(ctx), ctx), qualname);
}

export function classMethod(qualname: string, f: Native): PyClassMethod {
  return new PyClassMethod(method(qualname, f));
}

export function staticMethod(qualname: string, f: Native): PyStaticMethod {
  return new PyStaticMethod(method(qualname, f));
}

export function property(qualname: string, get: (self: PyValue, ip: Interpreter) => PyValue): PyProperty {
  return new PyProperty(method(qualname, (a, _k, ip) => get(a[0], ip)));
}

/** A native class; `methods` entries that are PyValues are stored as-is (properties, classmethods…). */
export function nativeClass(
  name: string,
  module: string,
  bases: PyClass[],
  methods: Record<string, Native | PyValue>,
  meta?: PyClass,
): PyClass {
  const dict = new Map<string, PyValue>();
  dict.set('__module__', module);
  const cls = new PyClass(name, bases.length ? bases : [objectClass], dict, module);
  for (const [k, v] of Object.entries(methods)) {
    dict.set(k, typeof v === 'function' ? method(`${name}.${k}`, v as Native) : (v as PyValue));
  }
  if (meta) setMetaclass(cls, meta);
  builtinClasses.add(cls);
  return cls;
}

/** A module object filled from entries. */
export function makeModule(name: string, entries: Record<string, PyValue>): PyModuleObject {
  const m = new PyModuleObject(name);
  m.dict.set('__name__', name);
  for (const [k, v] of Object.entries(entries)) m.dict.set(k, v);
  return m;
}

export function kwarg(args: PyValue[], kwargs: Map<string, PyValue>, i: number, name: string, dflt: PyValue): PyValue {
  if (i < args.length) return args[i];
  const v = kwargs.get(name);
  return v === undefined ? dflt : v;
}
