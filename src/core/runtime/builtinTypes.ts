// The builtin Python types as PyClass singletons (object, type, int, str, list, …, the exception tree),
// shared by every run: their dicts are filled once at load time and Python code cannot modify them.

import {
  NotImplemented,
  PyBoundMethod,
  PyBuiltinFunction,
  PyClass,
  PyClassMethod,
  PyDict,
  PyEllipsisType,
  PyFloat,
  PyFunction,
  PyInstance,
  PyIterator,
  PyList,
  PyModuleObject,
  PyNotImplementedType,
  PyObject,
  PyOpaque,
  PyProperty,
  PyRange,
  PySet,
  PySlice,
  PyStaticMethod,
  PyTuple,
  type CallArgs,
  type CallContext,
  type NativeFn,
  type PyValue,
} from './values';

/** Builtin classes never change; this marks them so setattr on them raises like CPython. */
export const builtinClasses = new WeakSet<PyClass>();

function mk(name: string, bases: PyClass[], module = 'builtins'): PyClass {
  const c = new PyClass(name, bases, new Map(), module);
  builtinClasses.add(c);
  return c;
}

export const objectClass = mk('object', []);
export const typeClass = mk('type', [objectClass]);
export const noneClass = mk('NoneType', [objectClass]);
export const intClass = mk('int', [objectClass]);
export const boolClass = mk('bool', [intClass]);
export const floatClass = mk('float', [objectClass]);
export const complexClass = mk('complex', [objectClass]);
export const strClass = mk('str', [objectClass]);
export const bytesClass = mk('bytes', [objectClass]);
export const listClass = mk('list', [objectClass]);
export const tupleClass = mk('tuple', [objectClass]);
export const dictClass = mk('dict', [objectClass]);
export const setClass = mk('set', [objectClass]);
export const frozensetClass = mk('frozenset', [objectClass]);
export const rangeClass = mk('range', [objectClass]);
export const sliceClass = mk('slice', [objectClass]);
export const functionClass = mk('function', [objectClass]);
export const builtinFunctionClass = mk('builtin_function_or_method', [objectClass]);
export const methodClass = mk('method', [objectClass]);
export const moduleClass = mk('module', [objectClass]);
export const ellipsisClass = mk('ellipsis', [objectClass]);
export const notImplementedClass = mk('NotImplementedType', [objectClass]);
export const iteratorClass = mk('iterator', [objectClass]);
export const generatorClass = mk('generator', [objectClass]);
export const propertyClass = mk('property', [objectClass]);
export const staticmethodClass = mk('staticmethod', [objectClass]);
export const classmethodClass = mk('classmethod', [objectClass]);
export const superClass = mk('super', [objectClass]);
/**
 * type() of a PyTuple with isSize (torch.Size): a tuple subclass, so isinstance(shape, tuple) holds.
 * The torch registry may expose this class as torch.Size and add methods to its dict.
 */
export const sizeClass = mk('Size', [tupleClass], 'torch');
/** type() of an opaque value. */
export const opaqueClass = mk('unknown', [objectClass], 'tensor_trace');

// ------------------------------------------------------------------ exceptions

export const exceptionClasses = new Map<string, PyClass>();
function exc(name: string, base: PyClass | null): PyClass {
  const c = mk(name, base ? [base] : [objectClass]);
  exceptionClasses.set(name, c);
  return c;
}
export const BaseException = exc('BaseException', null);
const SystemExit = exc('SystemExit', BaseException);
exc('KeyboardInterrupt', BaseException);
exc('GeneratorExit', BaseException);
export const ExceptionCls = exc('Exception', BaseException);
exc('StopIteration', ExceptionCls);
exc('StopAsyncIteration', ExceptionCls);
const ArithmeticError = exc('ArithmeticError', ExceptionCls);
exc('ZeroDivisionError', ArithmeticError);
exc('OverflowError', ArithmeticError);
exc('FloatingPointError', ArithmeticError);
exc('AssertionError', ExceptionCls);
exc('AttributeError', ExceptionCls);
exc('BufferError', ExceptionCls);
exc('EOFError', ExceptionCls);
const ImportError = exc('ImportError', ExceptionCls);
exc('ModuleNotFoundError', ImportError);
const LookupError = exc('LookupError', ExceptionCls);
exc('IndexError', LookupError);
exc('KeyError', LookupError);
exc('MemoryError', ExceptionCls);
const NameError = exc('NameError', ExceptionCls);
exc('UnboundLocalError', NameError);
const OSError = exc('OSError', ExceptionCls);
exc('FileNotFoundError', OSError);
exc('PermissionError', OSError);
exc('TimeoutError', OSError);
const RuntimeError = exc('RuntimeError', ExceptionCls);
exc('NotImplementedError', RuntimeError);
exc('RecursionError', RuntimeError);
const SyntaxError = exc('SyntaxError', ExceptionCls);
const IndentationError = exc('IndentationError', SyntaxError);
exc('TabError', IndentationError);
exc('SystemError', ExceptionCls);
exc('TypeError', ExceptionCls);
const ValueError = exc('ValueError', ExceptionCls);
const UnicodeError = exc('UnicodeError', ValueError);
exc('UnicodeDecodeError', UnicodeError);
exc('UnicodeEncodeError', UnicodeError);
const Warning = exc('Warning', ExceptionCls);
exc('UserWarning', Warning);
exc('DeprecationWarning', Warning);
exc('PendingDeprecationWarning', Warning);
exc('FutureWarning', Warning);
exc('RuntimeWarning', Warning);
exc('SyntaxWarning', Warning);
exc('ImportWarning', Warning);
exc('UnicodeWarning', Warning);
exc('ResourceWarning', Warning);
exceptionClasses.set('IOError', OSError);
exceptionClasses.set('EnvironmentError', OSError);

// ------------------------------------------------------------------ metaclasses

const metaclasses = new WeakMap<PyClass, PyClass>();

/** type(cls): the explicit or inherited metaclass, `type` by default. */
export function metaclassOf(cls: PyClass): PyClass {
  const m = metaclasses.get(cls);
  if (m) return m;
  for (const b of cls.bases) {
    const bm = metaclasses.get(b);
    if (bm) return bm;
  }
  return typeClass;
}
export function setMetaclass(cls: PyClass, meta: PyClass): void {
  if (meta !== typeClass) metaclasses.set(cls, meta);
}

// ------------------------------------------------------------------ typeOf

/** type(v) for any value. */
export function typeOf(v: PyValue): PyClass {
  if (v === null) return noneClass;
  switch (typeof v) {
    case 'boolean':
      return boolClass;
    case 'number':
      return intClass;
    case 'string':
      return strClass;
  }
  if (v instanceof PyInstance) return v.cls;
  if (v instanceof PyFloat) return floatClass;
  if (v instanceof PyList) return listClass;
  if (v instanceof PyTuple) return v.isSize ? sizeClass : tupleClass;
  if (v instanceof PyDict) return dictClass;
  if (v instanceof PySet) return v.frozen ? frozensetClass : setClass;
  if (v instanceof PyClass) return metaclassOf(v);
  if (v instanceof PyFunction) return functionClass;
  if (v instanceof PyBoundMethod) return methodClass;
  if (v instanceof PyBuiltinFunction) return builtinFunctionClass;
  if (v instanceof PyRange) return rangeClass;
  if (v instanceof PySlice) return sliceClass;
  if (v instanceof PyIterator) return v.label === 'generator' ? generatorClass : iteratorClass;
  if (v instanceof PyModuleObject) return moduleClass;
  if (v instanceof PyOpaque) return opaqueClass;
  if (v instanceof PyProperty) return propertyClass;
  if (v instanceof PyStaticMethod) return staticmethodClass;
  if (v instanceof PyClassMethod) return classmethodClass;
  if (v instanceof PyEllipsisType) return ellipsisClass;
  if (v instanceof PyNotImplementedType) return notImplementedClass;
  if (v instanceof TypedObject) return v.pyClass;
  return objectClass;
}

/** Interpreter-side objects (super(), dict views…) that know their own class. */
export abstract class TypedObject extends PyObject {
  abstract get pyClass(): PyClass;
  get typeName(): string {
    return this.pyClass.name;
  }
}

/** Name used in error messages: 'NoneType', 'int', 'MyClass'. */
export function typeName(v: PyValue): string {
  if (v === null) return 'NoneType';
  switch (typeof v) {
    case 'boolean':
      return 'bool';
    case 'number':
      return 'int';
    case 'string':
      return 'str';
  }
  if (v instanceof PyInstance) return v.cls.name;
  if (v instanceof PyTuple && v.isSize) return 'Size';
  return typeOf(v).name;
}

/** Looks a name up on a class, falling back to `object` for native classes built without that base. */
export function lookupType(cls: PyClass, name: string): PyValue | undefined {
  const mro = cls.mro;
  for (let i = 0; i < mro.length; i++) {
    const v = mro[i].dict.get(name);
    if (v !== undefined) return v;
  }
  if (mro[mro.length - 1] !== objectClass) return objectClass.dict.get(name);
  return undefined;
}

export function isSubclass(c: PyClass, base: PyClass): boolean {
  if (c === base || base === objectClass) return true;
  const mro = c.mro;
  for (let i = 0; i < mro.length; i++) if (mro[i] === base) return true;
  return false;
}

// ------------------------------------------------------------------ helpers for defining natives

export const NO_KWARGS: Map<string, PyValue> = new Map();

export function builtin(name: string, fn: NativeFn, qualname?: string): PyBuiltinFunction {
  return new PyBuiltinFunction(name, fn, qualname ?? name);
}

/** Defines a method on a builtin class: fn receives (self, ...args). */
export function defMethod(
  cls: PyClass,
  name: string,
  fn: (self: PyValue, args: PyValue[], kwargs: Map<string, PyValue>, ctx: CallContext) => PyValue,
): void {
  cls.dict.set(
    name,
    new PyBuiltinFunction(
      name,
      (c: CallArgs, ctx: CallContext) => fn(c.args[0], c.args.slice(1), c.kwargs, ctx),
      `${cls.name}.${name}`,
    ),
  );
}

export { NotImplemented };

/** Called after every class is created (type.__new__): stdlib hooks such as Enum member creation. */
export const classCreationHooks: Array<(ip: import('./interpreter').Interpreter, cls: PyClass, meta: PyClass) => void> = [];
