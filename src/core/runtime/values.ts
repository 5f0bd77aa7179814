// The Python value model the interpreter and the torch registry share.
// Plain JS values stand for the commonest Python values: null is None, boolean is bool, number is int,
// string is str. Everything else is a PyObject subclass whose Python type is a PyClass.

import type { FunctionDef, Lambda, Span } from '../syntax/ast';
import type { Diagnostic, Location } from '../diagnostics';

export type PyValue = null | boolean | number | string | PyObject;

/** Base of every non-primitive Python value. */
export abstract class PyObject {
  /** Python type name, used in error messages (e.g. 'list', 'Tensor'). */
  abstract get typeName(): string;
}

export class PyFloat extends PyObject {
  constructor(readonly v: number) {
    super();
  }
  get typeName(): string {
    return 'float';
  }
}

export class PyTuple extends PyObject {
  constructor(
    readonly items: PyValue[],
    /** torch.Size: a tuple of ints that prints as `torch.Size([…])`. */
    readonly isSize = false,
  ) {
    super();
  }
  get typeName(): string {
    return this.isSize ? 'Size' : 'tuple';
  }
}

export class PyList extends PyObject {
  constructor(public items: PyValue[]) {
    super();
  }
  get typeName(): string {
    return 'list';
  }
}

/** Insertion-ordered dict; keys hashed by `hashKey`. */
export class PyDict extends PyObject {
  readonly map = new Map<string, { key: PyValue; value: PyValue }>();
  get typeName(): string {
    return 'dict';
  }
  get(key: PyValue): PyValue | undefined {
    return this.map.get(hashKey(key))?.value;
  }
  set(key: PyValue, value: PyValue): void {
    const h = hashKey(key);
    const e = this.map.get(h);
    if (e) e.value = value;
    else this.map.set(h, { key, value });
  }
  delete(key: PyValue): boolean {
    return this.map.delete(hashKey(key));
  }
  has(key: PyValue): boolean {
    return this.map.has(hashKey(key));
  }
  keys(): PyValue[] {
    return [...this.map.values()].map((e) => e.key);
  }
  values(): PyValue[] {
    return [...this.map.values()].map((e) => e.value);
  }
  get size(): number {
    return this.map.size;
  }
}

export class PySet extends PyObject {
  readonly map = new Map<string, PyValue>();
  constructor(readonly frozen = false) {
    super();
  }
  get typeName(): string {
    return this.frozen ? 'frozenset' : 'set';
  }
  add(v: PyValue): void {
    this.map.set(hashKey(v), v);
  }
  has(v: PyValue): boolean {
    return this.map.has(hashKey(v));
  }
}

export class PySlice extends PyObject {
  constructor(
    readonly start: PyValue,
    readonly stop: PyValue,
    readonly step: PyValue,
  ) {
    super();
  }
  get typeName(): string {
    return 'slice';
  }
}

export class PyEllipsisType extends PyObject {
  get typeName(): string {
    return 'ellipsis';
  }
}
export const Ellipsis = new PyEllipsisType();

/** NotImplemented, returned by binary dunder methods that decline an operand. */
export class PyNotImplementedType extends PyObject {
  get typeName(): string {
    return 'NotImplementedType';
  }
}
export const NotImplemented = new PyNotImplementedType();

export class PyRange extends PyObject {
  constructor(
    readonly start: number,
    readonly stop: number,
    readonly step: number,
  ) {
    super();
  }
  get typeName(): string {
    return 'range';
  }
  get length(): number {
    const n = Math.ceil((this.stop - this.start) / this.step);
    return n > 0 ? n : 0;
  }
}

/** Sentinel returned by PyIterator.next() when exhausted. */
export const STOP: unique symbol = Symbol('StopIteration');

/** A lazy iterator (iter(), zip, map, enumerate, generators, dict views…). */
export class PyIterator extends PyObject {
  constructor(
    readonly next: () => PyValue | typeof STOP,
    readonly label = 'iterator',
  ) {
    super();
  }
  get typeName(): string {
    return this.label;
  }
}

/** Positional and keyword arguments of one call, already evaluated and unpacked. */
export interface CallArgs {
  args: PyValue[];
  /** Keyword arguments in the order written. */
  kwargs: Map<string, PyValue>;
}

/** Things a natively implemented callable can ask of the interpreter. */
export interface CallContext {
  readonly interp: Interp;
  /** Source span of the call expression being evaluated (for trace records and errors). */
  readonly span: Span;
  /** The file the call is in. */
  readonly file: string;
}

export type NativeFn = (call: CallArgs, ctx: CallContext) => PyValue;

export class PyBuiltinFunction extends PyObject {
  constructor(
    readonly name: string,
    readonly fn: NativeFn,
    /** Qualified name for errors/reprs, e.g. 'torch.cat'. */
    readonly qualname = name,
  ) {
    super();
  }
  get typeName(): string {
    return 'builtin_function_or_method';
  }
}

/** A user function or lambda; defaults evaluated at definition time. */
export class PyFunction extends PyObject {
  constructor(
    readonly name: string,
    readonly qualname: string,
    readonly def: FunctionDef | Lambda,
    /** The enclosing scope chain for closures (interpreter-owned). */
    readonly closure: unknown,
    /** The module globals the function was defined in. */
    readonly globals: PyModuleObject,
    readonly defaults: Map<string, PyValue>,
    /** The class the function was defined in, for zero-argument super(). */
    public definingClass: PyClass | null = null,
  ) {
    super();
  }
  private ownAttrs: Map<string, PyValue> | null = null;
  /** Attributes set on the function object (created on first use: most functions have none). */
  get attrs(): Map<string, PyValue> {
    return (this.ownAttrs ??= new Map());
  }
  /** An attribute set on the function, without creating the map. */
  attrGet(name: string): PyValue | undefined {
    return this.ownAttrs === null ? undefined : this.ownAttrs.get(name);
  }
  get typeName(): string {
    return 'function';
  }
}

export class PyBoundMethod extends PyObject {
  constructor(
    readonly self: PyValue,
    readonly func: PyValue,
  ) {
    super();
  }
  get typeName(): string {
    return 'method';
  }
}

export class PyStaticMethod extends PyObject {
  constructor(readonly func: PyValue) {
    super();
  }
  get typeName(): string {
    return 'staticmethod';
  }
}
export class PyClassMethod extends PyObject {
  constructor(readonly func: PyValue) {
    super();
  }
  get typeName(): string {
    return 'classmethod';
  }
}
export class PyProperty extends PyObject {
  constructor(
    readonly fget: PyValue,
    readonly fset: PyValue = null,
  ) {
    super();
  }
  get typeName(): string {
    return 'property';
  }
}

/**
 * A class, user-defined or native. Native classes (nn.Conv2d, torch.Tensor, list…) keep their methods
 * as PyBuiltinFunctions in `dict`, so user subclasses and attribute lookup work the same way for both.
 */
export class PyClass extends PyObject {
  mro: PyClass[] = [];
  /** True when a base was an opaque (unresolved) value: unknown attributes then read as opaque. */
  hasOpaqueBase = false;
  constructor(
    readonly name: string,
    readonly bases: PyClass[],
    readonly dict: Map<string, PyValue>,
    /** Dotted module the class lives in ('torch.nn', '__main__', a file's module name). */
    readonly module: string,
    /** Where a user class was defined. */
    readonly definedAt?: Location,
  ) {
    super();
    this.mro = computeMro(this);
  }
  get typeName(): string {
    return 'type';
  }
  /** Looks a name up along the MRO. */
  lookup(name: string): PyValue | undefined {
    for (const c of this.mro) {
      const v = c.dict.get(name);
      if (v !== undefined) return v;
    }
    return undefined;
  }
  isSubclassOf(other: PyClass): boolean {
    return this.mro.includes(other);
  }
}

/** C3 linearisation, falling back to depth-first order when the bases are inconsistent. */
function computeMro(cls: PyClass): PyClass[] {
  const seqs = cls.bases.map((b) => [...b.mro]);
  seqs.push([...cls.bases]);
  const out: PyClass[] = [cls];
  for (;;) {
    const nonEmpty = seqs.filter((s) => s.length > 0);
    if (nonEmpty.length === 0) return out;
    let head: PyClass | undefined;
    for (const s of nonEmpty) {
      const cand = s[0];
      if (!nonEmpty.some((t) => t.indexOf(cand) > 0)) {
        head = cand;
        break;
      }
    }
    if (!head) {
      // Inconsistent hierarchy: Python raises TypeError; we keep a usable order instead.
      for (const s of nonEmpty) for (const c of s) if (!out.includes(c)) out.push(c);
      return out;
    }
    out.push(head);
    for (const s of nonEmpty) if (s[0] === head) s.shift();
  }
}

/** An instance of a user or native class. `native` carries state owned by native code (e.g. module state). */
export class PyInstance extends PyObject {
  private ownDict: Map<string, PyValue> | null = null;
  native: unknown = undefined;
  /** The instance's __dict__, created on first use (most tensors never get an attribute of their own). */
  get dict(): Map<string, PyValue> {
    return (this.ownDict ??= new Map());
  }
  /** An attribute from the instance dict, without creating the dict. */
  dictGet(name: string): PyValue | undefined {
    return this.ownDict === null ? undefined : this.ownDict.get(name);
  }
  dictHas(name: string): boolean {
    return this.ownDict !== null && this.ownDict.has(name);
  }
  constructor(public cls: PyClass) {
    super();
  }
  get typeName(): string {
    return this.cls.name;
  }
}

/** A Python module object (a file, or a native module such as torch.nn). */
export class PyModuleObject extends PyObject {
  readonly dict: Map<string, PyValue>;
  constructor(
    readonly name: string,
    readonly file?: string,
    /** When true, reading a missing attribute yields an opaque value instead of AttributeError. */
    readonly tolerant = false,
    /** The module's namespace, when it starts with entries (a native module's copy of its built dict). */
    dict?: Map<string, PyValue>,
  ) {
    super();
    this.dict = dict ?? new Map();
  }
  get typeName(): string {
    return 'module';
  }
}

/**
 * A value the engine cannot know: an unresolved import, an unknown library call, a base class from
 * outside the project. Calling it, reading its attributes or subclassing it yields more opaque values;
 * only a tensor computation that depends on it is an error.
 */
export class PyOpaque extends PyObject {
  constructor(
    /** Dotted description of where it came from, e.g. 'torchvision.transforms._presets.ImageClassification'. */
    readonly label: string,
    readonly origin?: Location,
  ) {
    super();
  }
  get typeName(): string {
    return 'opaque';
  }
}

/** Native state of an exception instance (PyInstance.native of a BaseException subclass). */
export interface ExceptionState {
  args: PyValue[];
  /** Set by torch shape rules: the error is a tensor shape mismatch, with the operand shapes. */
  shapeError?: { operandShapes: number[][] };
}

/** A Python exception in flight. Thrown by native code and the interpreter; caught by try/except. */
export class PyRaise {
  constructor(
    /** The exception instance (an instance of a BaseException subclass). */
    readonly exc: PyInstance,
    /** Where it was raised, innermost first as frames unwind (the interpreter appends). */
    readonly traceback: Location[] = [],
  ) {}
}

/**
 * Optional hook the interpreter installs so instances of classes that define `__hash__` (or wrap a
 * builtin value, like a str subclass) hash by value rather than identity. Additive: absent, identity is used.
 */
export const hashHooks: { instance?: (v: PyInstance) => string | undefined } = {};

/** Hash key for dict/set membership: equal Python values give equal keys (1 == 1.0 == True). */
export function hashKey(v: PyValue): string {
  if (v === null) return 'N';
  switch (typeof v) {
    case 'boolean':
      return 'n' + (v ? 1 : 0);
    case 'number':
      return 'n' + v;
    case 'string':
      return 's' + v;
  }
  if (v instanceof PyFloat) return 'n' + v.v;
  if (v instanceof PyTuple) return '(' + v.items.map(hashKey).join(',') + ')';
  if (v instanceof PyInstance && hashHooks.instance) {
    const k = hashHooks.instance(v);
    if (k !== undefined) return k;
  }
  return 'o' + objectId(v);
}

const ids = new WeakMap<object, number>();
let nextId = 1;
/** Stable identity number for `id()` and hashing of objects. */
export function objectId(o: object): number {
  let id = ids.get(o);
  if (id === undefined) {
    id = nextId++;
    ids.set(o, id);
  }
  return id;
}

/** The operations native code may ask of the interpreter. Implemented by the interpreter. */
export interface Interp {
  /** Calls any Python callable (function, bound method, class, builtin, module instance…). */
  call(fn: PyValue, args: PyValue[], kwargs?: Map<string, PyValue>, span?: Span): PyValue;
  /** `obj.name(*args, **kwargs)`: same as call(getAttr(obj, name), …) without building a bound method. */
  callAttr(obj: PyValue, name: string, args: PyValue[], kwargs?: Map<string, PyValue>, span?: Span): PyValue;
  getAttr(obj: PyValue, name: string): PyValue;
  /** Returns undefined instead of raising AttributeError. */
  getAttrOrUndefined(obj: PyValue, name: string): PyValue | undefined;
  setAttr(obj: PyValue, name: string, value: PyValue): void;
  /** Materialises any iterable into a JS array (raises TypeError when not iterable). */
  iterate(v: PyValue): PyValue[];
  /** Python's isinstance(). */
  isInstance(v: PyValue, cls: PyClass): boolean;
  /** type(v) */
  typeOf(v: PyValue): PyClass;
  repr(v: PyValue): string;
  str(v: PyValue): string;
  truthy(v: PyValue): boolean;
  /** Creates and throws a Python exception of the named builtin type ('TypeError', 'RuntimeError', …). */
  raise(type: string, message: string): never;
  /** Looks up a builtin exception class by name. */
  exceptionClass(name: string): PyClass;
  /** Counts one step against the step budget and time limit (native loops over user code call this). */
  tick(): void;
  /** Location of a span in a file the run has loaded. */
  location(span: Span, file: string): Location;
  /** Location of the statement (or call) being executed right now. */
  currentLocation(): Location;
  /** Adds a non-fatal diagnostic (e.g. Information for an unsupported construct). */
  report(d: Diagnostic): void;
  /** The trace recorder for this run. */
  readonly trace: TraceHooks;
}

/** Hooks the interpreter calls so the trace can attach shapes to source lines. Implemented in core/trace. */
export interface TraceHooks {
  /** A statement assigned `value` to `target` (or an expression statement produced it). */
  onStatementValue(file: string, span: Span, targetText: string | null, value: PyValue): void;
  /** The script printed text (already formatted, with the trailing newline). */
  onPrint(text: string): void;
  /** Entering / leaving a user function frame (for module forward bookkeeping). */
  onEnterFunction(fn: PyFunction, self: PyValue | undefined): void;
  onExitFunction(fn: PyFunction): void;
}
