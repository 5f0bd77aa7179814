// The tree-walking Python interpreter: statements, expressions, calls, classes, attributes, exceptions,
// generators and limits, implementing `Interp` for the torch registry. `runModule` is the entry point.

import { DiagnosticCode, LineMap, Severity, type Diagnostic, type DiagnosticSink, type Location } from '../diagnostics';
import type {
  ClassDef,
  Comprehension,
  Expr,
  FunctionDef,
  JoinedStr,
  Lambda,
  Module,
  Span,
  Stmt,
  With,
  Try,
  For,
} from '../syntax/ast';
import {
  BaseException,
  NO_KWARGS,
  builtinClasses,
  classCreationHooks,
  exceptionClasses,
  isSubclass,
  lookupType,
  metaclassOf,
  objectClass,
  opaqueClass,
  setMetaclass,
  typeClass,
  typeName,
  typeOf,
} from './builtinTypes';
import { BREAK, CONTINUE, NORMAL, RETURN } from './completion';
import { DEFAULT_LIMITS, LimitExceeded, RECURSION_MESSAGE, stepBudgetMessage, timeLimitMessage, type Limits } from './limits';
import { DictView, PySuper } from './objects';
import { binop, compareOp, delItem, eqBool, getItem, inplaceOp, setItem, unaryOp, numOf } from './operators';
import { ScopeKind, Scope, cachedFnInfo, exprHasYield, fnInfo, stmtHasYield, type FnInfo } from './scope';
import { formatFloat, formatInt, formatStr, hexId, parseFormatSpec, reprValue } from './strings';
import {
  Ellipsis,
  NotImplemented,
  PyBoundMethod,
  PyBuiltinFunction,
  PyClass,
  PyClassMethod,
  PyDict,
  PyFloat,
  PyFunction,
  PyInstance,
  PyIterator,
  PyList,
  PyModuleObject,
  PyOpaque,
  PyProperty,
  PyRaise,
  PyRange,
  PySet,
  PySlice,
  PyStaticMethod,
  PyTuple,
  STOP,
  hashHooks,
  hashKey,
  type CallContext,
  type ExceptionState,
  type Interp,
  type PyValue,
  type TraceHooks,
} from './values';
import { builtinsDict, objectMethods } from './builtins';
import { hooks, nonBindingBuiltins } from './helpers';
import { execImport, execImportFrom, type SourceResolver } from './imports';
import { parseSource } from './parseBridge';
import './stdlib/index';
import { docstring } from './docstring';
import { genBlock } from './generators';

export { docstring };

export type { SourceResolver } from './imports';


/** One source file the run has loaded. */
export interface ModuleInfo {
  name: string;
  file: string;
  text: string;
  lineMap: LineMap;
  module: PyModuleObject;
  /** Package used to resolve relative imports ('' for a top-level module). */
  packageName: string;
  /** The text has no ':=' (see walrusFree), once someone asked. */
  walrusFree?: boolean;
}

/** A Python frame: where execution is inside one function, class body or module. */
export class Frame {
  /** Span of the statement being executed. */
  stmt: Span | null = null;
  /** Span of the call being evaluated in that statement, if any. */
  call: Span | null = null;
  /** The exception an `except` block in this frame is handling (for bare `raise`). */
  handling: PyRaise | null = null;
  /** Return value, set by `return`. */
  ret: PyValue = null;
  /** Functions defined directly in a class body (their definingClass is set once the class exists). */
  classFns: PyFunction[] | null = null;
  constructor(
    public scope: Scope,
    readonly info: ModuleInfo,
    readonly fn: PyFunction | null,
    /** Prefix for __qualname__ of things defined here ('' at module level, 'A.' in class A, 'f.<locals>.' in f). */
    readonly qual: string,
  ) {}
}

const MINFO = Symbol('moduleInfo');
type FnWithInfo = PyFunction & { [MINFO]?: ModuleInfo };

interface ParamLayout {
  positional: string[];
  index: Map<string, number>;
  nPosOnly: number;
  vararg: string | undefined;
  kwOnly: string[];
  kwOnlySet: Set<string>;
  kwarg: string | undefined;
  simple: boolean;
}
const LAYOUT = Symbol('paramLayout');
function layoutOf(def: FunctionDef | Lambda): ParamLayout {
  let l = (def as { [LAYOUT]?: ParamLayout })[LAYOUT];
  if (!l) {
    const p = def.params;
    const positional = [...p.posOnly.map((x) => x.name), ...p.args.map((x) => x.name)];
    const kwOnly = p.kwOnly.map((x) => x.name);
    l = {
      positional,
      index: new Map(positional.map((n, i) => [n, i])),
      nPosOnly: p.posOnly.length,
      vararg: p.vararg?.name,
      kwOnly,
      kwOnlySet: new Set(kwOnly),
      kwarg: p.kwarg?.name,
      simple: !p.vararg && !p.kwarg && kwOnly.length === 0,
    };
    (def as { [LAYOUT]?: ParamLayout })[LAYOUT] = l;
  }
  return l;
}

function listNames(names: string[]): string {
  const q = names.map((n) => `'${n}'`);
  if (q.length === 1) return q[0];
  if (q.length === 2) return `${q[0]} and ${q[1]}`;
  return q.slice(0, -1).join(', ') + ', and ' + q[q.length - 1];
}

const EMPTY_TUPLE = new PyTuple([]);
/** The defaults of a function without any (shared: a function's defaults are never changed after it is made). */
const NO_DEFAULTS: Map<string, PyValue> = new Map();
/** Largest sequence a native loop may build (Python would run out of memory first, slowly). */
const MAX_MATERIALISE = 50_000_000;

/** Whether a module's source has no ':=' at all (no expression in it can bind a name), checked once per run. */
function walrusFree(info: ModuleInfo): boolean {
  return (info.walrusFree ??= !info.text.includes(':='));
}

/** A function's __defaults__: the defaults of its positional parameters, in order (None when it has none). */
function positionalDefaults(fn: PyFunction): PyValue {
  const index = layoutOf(fn.def).index;
  const d: PyValue[] = [];
  for (const [k, v] of fn.defaults) if (index.has(k)) d.push(v);
  return d.length ? new PyTuple(d) : null;
}

/** A float literal's value object, made once per literal (PyFloat is immutable; CPython shares constants too). */
const FLOAT_CONST = Symbol('floatConst');
function floatConstant(e: Extract<Expr, { kind: 'Constant' }>): PyFloat {
  const holder = e as typeof e & { [FLOAT_CONST]?: PyFloat };
  return (holder[FLOAT_CONST] ??= new PyFloat(e.value as number));
}

/** Source text of an assignment's target(s), cached per statement (assignments in loops repeat). */
const TARGET_TEXT = Symbol('targetText');
function targetText(text: string, s: Stmt, first: Span, last: Span): string {
  const holder = s as Stmt & { [TARGET_TEXT]?: string };
  let t = holder[TARGET_TEXT];
  if (t === undefined) {
    t = text.slice(first.start, last.end);
    holder[TARGET_TEXT] = t;
  }
  return t;
}

/** The interpreter whose run is executing (runs are synchronous), for the instance-hash hook. */
let activeInterp: Interpreter | null = null;
/** Marks `ip` as the interpreter of the run now executing (null when the run is over: nothing keeps it alive). */
export function setActiveInterpreter(ip: Interpreter | null): void {
  activeInterp = ip;
}

hashHooks.instance = (v: PyInstance): string | undefined => {
  const n = v.native;
  if (n !== undefined && (typeof n === 'string' || typeof n === 'number' || typeof n === 'boolean' || n instanceof PyFloat || n instanceof PyTuple)) {
    const h = lookupType(v.cls, '__hash__');
    if (h === undefined || h instanceof PyBuiltinFunction) return hashKey(n as PyValue);
  }
  const ip = activeInterp;
  if (!ip) return undefined;
  const h = lookupType(v.cls, '__hash__');
  if (h === undefined || h === null || h === objectMethods.__hash__ || h instanceof PyBuiltinFunction) return undefined;
  return 'h' + ip.toInt(ip.callMethod(h, v, []));
};

/**
 * The loop of a generator expression. A module-level generator function, not a closure: V8 gives every generator
 * closure its own prototype, which the young-generation GC keeps alive with everything the closure captured, so
 * one closure per genexp would keep each finished run's objects alive until the next full GC.
 */
function* genexpLoop(ip: Interpreter, elt: Expr, gens: Comprehension[], frame: Frame, i: number, iterable: PyValue): Generator<PyValue, void, unknown> {
  const g = gens[i];
  const next = ip.iterFn(iterable);
  const last = i === gens.length - 1;
  outer: for (;;) {
    const v = next();
    if (v === STOP) return;
    ip.tick();
    ip.assignTarget(g.target, v, frame);
    for (const c of g.ifs) if (!ip.truthy(ip.eval(c, frame))) continue outer;
    if (last) yield ip.eval(elt, frame);
    else yield* genexpLoop(ip, elt, gens, frame, i + 1, ip.eval(gens[i + 1].iter, frame));
  }
}

/** Exceptions raised by executing an ErrorStmt/ErrorExpr: already reported as syntax errors up front. */
const syntaxRaises = new WeakSet<PyInstance>();

/**
 * A method found on the instance's type and not shadowed by its __dict__, which a call may run directly with the
 * instance as self (what getAttr would bind, without the bound-method object); undefined otherwise.
 */
function directMethod(obj: PyInstance, name: string): PyFunction | PyBuiltinFunction | undefined {
  const ca = lookupType(obj.cls, name);
  if ((ca instanceof PyFunction || (ca instanceof PyBuiltinFunction && !nonBindingBuiltins.has(ca))) && !obj.dictHas(name)) return ca;
  return undefined;
}

/** [self, ...args] without the spread's iterator protocol (a method call's argument list). */
function withSelf(self: PyValue, args: PyValue[]): PyValue[] {
  const n = args.length;
  const out = new Array<PyValue>(n + 1);
  out[0] = self;
  for (let i = 0; i < n; i++) out[i + 1] = args[i];
  return out;
}

export class Interpreter implements Interp {
  readonly trace: TraceHooks;
  readonly sink: DiagnosticSink;
  readonly limits: Limits;
  readonly resolver: SourceResolver | undefined;
  /** sys.modules: every module imported in this run, by dotted name. */
  readonly modules = new Map<string, PyModuleObject>();
  readonly moduleInfos = new Map<string, ModuleInfo>();
  readonly infoByModule = new WeakMap<PyModuleObject, ModuleInfo>();
  /** Modules already reported as unresolved (one Information diagnostic each). */
  readonly reportedImports = new Set<string>();
  private readonly reportedUnsupported = new Set<string>();
  readonly frames: Frame[] = [];
  private steps = 0;
  private deadline = 0;
  private depth = 0;
  /** The frame that last added a traceback entry to an in-flight exception (one entry per frame). */
  private readonly tbFrame = new WeakMap<PyRaise, Frame>();
  /** Per-run state of stdlib modules (e.g. Enum auto() counters) lives here. */
  readonly runState = new Map<string, unknown>();
  readonly builtins: Map<string, PyValue> = builtinsDict;
  readonly notImplemented: PyValue = NotImplemented;

  constructor(opts: { trace: TraceHooks; sink: DiagnosticSink; limits?: Partial<Limits>; resolver?: SourceResolver }) {
    this.trace = opts.trace;
    this.sink = opts.sink;
    this.limits = { ...DEFAULT_LIMITS, ...(opts.limits ?? {}) };
    this.resolver = opts.resolver;
    this.resetClock();
  }

  /** Starts a fresh step and time budget (a run, or an entry expression evaluated afterwards). */
  resetClock(): void {
    this.steps = 0;
    this.deadline = Date.now() + this.limits.timeMs;
  }

  // ================================================================ limits

  tick(): void {
    if (++this.steps > this.limits.steps) this.stepLimit();
    if ((this.steps & 1023) === 0 && Date.now() > this.deadline) this.timeLimit();
  }
  private stepLimit(): never {
    throw this.limitError('step-budget', stepBudgetMessage(this.limits.steps));
  }
  private timeLimit(): never {
    throw this.limitError('time-limit', timeLimitMessage(this.limits.timeMs));
  }
  private limitError(code: LimitExceeded['code'], message: string): LimitExceeded {
    const e = new LimitExceeded(code, message);
    e.location = this.currentLocation();
    return e;
  }
  recursionLimit(): LimitExceeded {
    return this.limitError('recursion-limit', RECURSION_MESSAGE);
  }

  // ================================================================ locations & diagnostics

  location(span: Span, file: string): Location {
    const info = this.moduleInfos.get(file);
    if (info) return info.lineMap.location(file, span);
    return { file, span, line: 1, column: span.start + 1, endLine: 1, endColumn: span.end + 1 };
  }

  currentLocation(): Location {
    const f = this.frames[this.frames.length - 1];
    if (!f) return { file: '', span: { start: 0, end: 0 }, line: 1, column: 1, endLine: 1, endColumn: 1 };
    return this.frameLocation(f, true);
  }

  private frameLocation(f: Frame, preferCall: boolean): Location {
    const span = (preferCall && f.call) || f.stmt || { start: 0, end: 0 };
    return f.info.lineMap.location(f.info.file, span);
  }

  report(d: Diagnostic): void {
    this.sink.add(d);
  }

  /** Reports an Information diagnostic once per key. */
  reportOnce(key: string, code: Diagnostic['code'], message: string, location: Location): void {
    if (this.reportedUnsupported.has(key)) return;
    this.reportedUnsupported.add(key);
    this.sink.add({ severity: Severity.Information, code, message, location });
  }

  /** Adds this frame's location to an exception leaving it (once per frame). */
  private noteFrame(e: unknown, f: Frame): unknown {
    if (e instanceof PyRaise) {
      if (this.tbFrame.get(e) !== f) {
        this.tbFrame.set(e, f);
        e.traceback.push(this.frameLocation(f, e.traceback.length === 0));
      }
      return e;
    }
    if (e instanceof RangeError && /call stack/i.test(e.message)) return this.recursionLimit();
    return e;
  }

  // ================================================================ exceptions

  exceptionClass(name: string): PyClass {
    const c = exceptionClasses.get(name);
    if (!c) throw new Error(`unknown exception class ${name}`);
    return c;
  }

  newException(cls: PyClass | string, args: PyValue[]): PyInstance {
    const c = typeof cls === 'string' ? this.exceptionClass(cls) : cls;
    const inst = new PyInstance(c);
    inst.native = { args } satisfies ExceptionState;
    return inst;
  }

  raise(type: string, message: string): never {
    throw new PyRaise(this.newException(type, [message]));
  }

  raiseKeyError(key: PyValue): never {
    throw new PyRaise(this.newException('KeyError', [key]));
  }

  isStopIteration(e: unknown): boolean {
    return e instanceof PyRaise && isSubclass(e.exc.cls, this.exceptionClass('StopIteration'));
  }

  /** Turns the operand of `raise` into an exception instance. */
  toException(v: PyValue): PyInstance {
    if (v instanceof PyClass) {
      if (!isSubclass(v, BaseException)) this.raise('TypeError', 'exceptions must derive from BaseException');
      const inst = this.call(v, []);
      if (inst instanceof PyInstance) return inst;
      return this.newException('TypeError', ['exceptions must derive from BaseException']);
    }
    if (v instanceof PyInstance && isSubclass(v.cls, BaseException)) return v;
    if (v instanceof PyOpaque) {
      // An exception from an unknown library: a stand-in class named after it.
      const name = v.label.replace(/\(.*$/, '').split('.').pop() || 'Exception';
      const cls = new PyClass(name, [this.exceptionClass('Exception')], new Map(), 'unknown');
      return this.newException(cls, []);
    }
    return this.raise('TypeError', 'exceptions must derive from BaseException');
  }

  // ================================================================ truthiness / conversions

  truthy(v: PyValue): boolean {
    if (v === null) return false;
    switch (typeof v) {
      case 'boolean':
        return v;
      case 'number':
        return v !== 0;
      case 'string':
        return v.length > 0;
    }
    if (v instanceof PyFloat) return v.v !== 0;
    if (v instanceof PyList || v instanceof PyTuple) return v.items.length > 0;
    if (v instanceof PyDict) return v.size > 0;
    if (v instanceof PySet) return v.map.size > 0;
    if (v instanceof PyInstance) return this.instanceTruthy(v);
    if (v instanceof PyRange) return v.length > 0;
    if (v instanceof DictView) return v.dict.size > 0;
    return true;
  }

  private instanceTruthy(v: PyInstance): boolean {
    const b = lookupType(v.cls, '__bool__');
    if (b !== undefined && b !== null) {
      const r = this.callMethod(b, v, []);
      if (typeof r === 'boolean') return r;
      if (typeof r === 'number') return r !== 0;
      return this.raise('TypeError', `__bool__ should return bool, returned ${typeName(r)}`);
    }
    const l = lookupType(v.cls, '__len__');
    if (l !== undefined && l !== null) return this.toInt(this.callMethod(l, v, [])) !== 0;
    return true;
  }

  /** An integer index from an int, bool or an object with __index__; undefined otherwise. */
  toIndexOrUndefined(v: PyValue): number | undefined {
    if (typeof v === 'number') return v;
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (v instanceof PyInstance) {
      if (typeof v.native === 'number' && isSubclass(v.cls, typeOf(0))) return v.native;
      const f = lookupType(v.cls, '__index__');
      if (f !== undefined && f !== null) {
        const r = this.callMethod(f, v, []);
        if (typeof r === 'number') return r;
        if (typeof r === 'boolean') return r ? 1 : 0;
      }
    }
    return undefined;
  }

  toIndex(v: PyValue, message?: string): number {
    const n = this.toIndexOrUndefined(v);
    if (n === undefined) this.raise('TypeError', message ?? `'${typeName(v)}' object cannot be interpreted as an integer`);
    return n;
  }

  /** int() of a number-like value (for builtin arguments that accept ints). */
  toInt(v: PyValue): number {
    const n = this.toIndexOrUndefined(v);
    if (n !== undefined) return n;
    return this.raise('TypeError', `'${typeName(v)}' object cannot be interpreted as an integer`);
  }

  /** A float (or int) argument as a JS number. */
  toNumber(v: PyValue, what = 'must be real number'): number {
    const n = numOf(v);
    if (n !== undefined) return n;
    if (v instanceof PyInstance) {
      if (typeof v.native === 'number') return v.native;
      const f = lookupType(v.cls, '__float__');
      if (f !== undefined && f !== null) {
        const r = this.callMethod(f, v, []);
        const x = numOf(r);
        if (x !== undefined) return x;
      }
      const i = this.toIndexOrUndefined(v);
      if (i !== undefined) return i;
    }
    return this.raise('TypeError', `${what}, not ${typeName(v)}`);
  }

  /** A number for %-formatting with CPython's error text. */
  numberForFormat(v: PyValue, code: string): number {
    const n = numOf(v);
    if (n !== undefined) return n;
    if (v instanceof PyInstance) {
      try {
        return this.toNumber(v);
      } catch {
        /* fall through to the format error */
      }
    }
    const kind = 'diouxXc'.includes(code) ? (code === 'x' || code === 'X' || code === 'o' ? 'an integer is required' : 'a real number is required') : 'must be real number';
    if (kind === 'must be real number') return this.raise('TypeError', `must be real number, not ${typeName(v)}`);
    return this.raise('TypeError', `%${code} format: ${kind}, not ${typeName(v)}`);
  }

  checkHashable(v: PyValue): void {
    if (v instanceof PyList || v instanceof PyDict || (v instanceof PySet && !v.frozen))
      this.raise('TypeError', `unhashable type: '${typeName(v)}'`);
    if (v instanceof PyTuple) for (const x of v.items) this.checkHashable(x);
    if (v instanceof PyInstance && lookupType(v.cls, '__hash__') === null)
      this.raise('TypeError', `unhashable type: '${typeName(v)}'`);
  }

  // ================================================================ repr / str / format

  repr(v: PyValue): string {
    return reprValue(this, v, new Set());
  }
  /** repr inside a container (shares the recursion guard). */
  reprIn(v: PyValue, seen: Set<object>): string {
    if (typeof v === 'string') return reprValue(this, v, seen);
    return reprValue(this, v, seen);
  }

  str(v: PyValue): string {
    if (typeof v === 'string') return v;
    if (v instanceof PyInstance) {
      const f = lookupType(v.cls, '__str__');
      if (f !== undefined && f !== null && f !== objectMethods.__str__) {
        const r = this.callMethod(f, v, []);
        if (typeof r !== 'string') this.raise('TypeError', `__str__ returned non-string (type ${typeName(r)})`);
        return r;
      }
      return this.instanceRepr(v);
    }
    return reprValue(this, v, new Set());
  }

  instanceRepr(v: PyInstance): string {
    const f = lookupType(v.cls, '__repr__');
    if (f !== undefined && f !== null && f !== objectMethods.__repr__) {
      const r = this.callMethod(f, v, []);
      if (typeof r !== 'string') this.raise('TypeError', `__repr__ returned non-string (type ${typeName(r)})`);
      return r;
    }
    return this.objectRepr(v);
  }

  objectRepr(v: PyValue): string {
    const cls = typeOf(v);
    const mod = cls.module === 'builtins' ? '' : cls.module + '.';
    return `<${mod}${this.qualnameOf(cls)} object at ${hexId(v as object)}>`;
  }

  qualnameOf(cls: PyClass): string {
    const q = cls.dict.get('__qualname__');
    return typeof q === 'string' ? q : cls.name;
  }

  /** format(v, spec). */
  format(v: PyValue, spec: string): string {
    if (v instanceof PyInstance) {
      const f = lookupType(v.cls, '__format__');
      if (f !== undefined && f !== null && f !== objectMethods.__format__) {
        const r = this.callMethod(f, v, [spec]);
        return typeof r === 'string' ? r : this.str(r);
      }
      if (v.native !== undefined && (typeof v.native === 'string' || typeof v.native === 'number' || v.native instanceof PyFloat) && spec !== '')
        return this.format(v.native as PyValue, spec);
    }
    if (spec === '' || v instanceof PyOpaque) return this.str(v);
    const s = parseFormatSpec(spec);
    const err = (m: string): never => this.raise('ValueError', m);
    if (typeof s === 'string') return err(s);
    if (typeof v === 'string') return formatStr(v, s, err);
    if (typeof v === 'number') return formatInt(v, s, err);
    if (typeof v === 'boolean') return formatInt(v ? 1 : 0, s, err);
    if (v instanceof PyFloat) return formatFloat(v.v, s, err);
    return this.raise('TypeError', `unsupported format string passed to ${typeName(v)}.__format__`);
  }

  // ================================================================ isinstance / type

  typeOf(v: PyValue): PyClass {
    return typeOf(v);
  }

  isInstance(v: PyValue, cls: PyClass): boolean {
    return isSubclass(typeOf(v), cls);
  }

  /** isinstance(v, spec) where spec may be a class, tuple of classes, or opaque. */
  isInstanceOf(v: PyValue, spec: PyValue): boolean {
    if (spec instanceof PyClass) {
      if (isSubclass(typeOf(v), spec)) return true;
      const ic = lookupType(metaclassOf(spec), '__instancecheck__');
      if (ic !== undefined && ic !== null && ic !== typeClass.dict.get('__instancecheck__')) return this.truthy(this.callMethod(ic, spec, [v]));
      return false;
    }
    if (spec instanceof PyTuple) {
      for (const s of spec.items) if (this.isInstanceOf(v, s)) return true;
      return false;
    }
    if (spec instanceof PyOpaque) return false;
    if (spec instanceof PyInstance) {
      const ic = lookupType(spec.cls, '__instancecheck__');
      if (ic !== undefined && ic !== null) return this.truthy(this.callMethod(ic, spec, [v]));
    }
    return this.raise('TypeError', 'isinstance() arg 2 must be a type, a tuple of types, or a union');
  }

  isSubclassOf(c: PyValue, spec: PyValue): boolean {
    if (!(c instanceof PyClass)) {
      if (c instanceof PyOpaque) return false;
      return this.raise('TypeError', 'issubclass() arg 1 must be a class');
    }
    if (spec instanceof PyClass) return isSubclass(c, spec);
    if (spec instanceof PyTuple) {
      for (const s of spec.items) if (this.isSubclassOf(c, s)) return true;
      return false;
    }
    if (spec instanceof PyOpaque) return false;
    return this.raise('TypeError', 'issubclass() arg 2 must be a class, a tuple of classes, or a union');
  }

  /** True for object's own default dunder implementations (identity __eq__, default __repr__ …). */
  isObjectDefault(f: PyValue): boolean {
    return objectClass.dict.get((f as PyBuiltinFunction).name ?? '') === f;
  }

  // ================================================================ iteration

  isIterable(v: PyValue): boolean {
    if (typeof v === 'string') return true;
    if (v instanceof PyList || v instanceof PyTuple || v instanceof PyDict || v instanceof PySet) return true;
    if (v instanceof PyRange || v instanceof PyIterator || v instanceof DictView || v instanceof PyOpaque) return true;
    if (v instanceof PyInstance) return lookupType(v.cls, '__iter__') !== undefined || lookupType(v.cls, '__getitem__') !== undefined;
    if (v instanceof PyClass) return lookupType(metaclassOf(v), '__iter__') !== undefined;
    return false;
  }

  /** A `next` function over any iterable (STOP when exhausted). */
  iterFn(v: PyValue): () => PyValue | typeof STOP {
    if (v instanceof PyList) {
      let i = 0;
      return () => (i < v.items.length ? v.items[i++] : STOP);
    }
    if (v instanceof PyTuple) {
      const items = v.items;
      let i = 0;
      return () => (i < items.length ? items[i++] : STOP);
    }
    if (v instanceof PyIterator) {
      // Native consumers (sum, max, list, …) loop over iterators without executing statements:
      // count a step per item so an endless iterator still meets the limits.
      const next = v.next;
      return () => {
        this.tick();
        return next();
      };
    }
    if (v instanceof PyRange) {
      let cur = v.start;
      const { stop, step } = v;
      return step > 0
        ? () => {
            this.tick();
            return cur < stop ? (cur += step) - step : STOP;
          }
        : () => {
            this.tick();
            return cur > stop ? (cur += step) - step : STOP;
          };
    }
    if (typeof v === 'string') {
      let i = 0;
      return () => {
        if (i >= v.length) return STOP;
        const cp = v.codePointAt(i)!;
        const ch = String.fromCodePoint(cp);
        i += ch.length;
        return ch;
      };
    }
    if (v instanceof PyDict) {
      const keys = v.keys();
      let i = 0;
      return () => (i < keys.length ? keys[i++] : STOP);
    }
    if (v instanceof PySet) {
      const items = [...v.map.values()];
      let i = 0;
      return () => (i < items.length ? items[i++] : STOP);
    }
    if (v instanceof DictView) {
      const entries = [...v.dict.map.values()];
      let i = 0;
      const kind = v.kind;
      return () => {
        if (i >= entries.length) return STOP;
        const e = entries[i++];
        return kind === 'keys' ? e.key : kind === 'values' ? e.value : new PyTuple([e.key, e.value]);
      };
    }
    if (v instanceof PyInstance || v instanceof PyClass) {
      const cls = v instanceof PyClass ? metaclassOf(v) : v.cls;
      const it = lookupType(cls, '__iter__');
      if (it !== undefined && it !== null) {
        const iterator = this.callMethod(it, v, []);
        return this.nextFnOfIterator(iterator);
      }
      const gi = lookupType(cls, '__getitem__');
      if (gi !== undefined && gi !== null) {
        let i = 0;
        return () => {
          try {
            return this.callMethod(gi, v, [i++]);
          } catch (e) {
            if (e instanceof PyRaise && (isSubclass(e.exc.cls, this.exceptionClass('IndexError')) || this.isStopIteration(e))) return STOP;
            throw e;
          }
        };
      }
    }
    if (v instanceof PyOpaque || (v instanceof PyInstance && v.cls.hasOpaqueBase)) return () => STOP;
    return this.raise('TypeError', `'${typeName(v)}' object is not iterable`);
  }

  /** The `next` function of an iterator object (the result of __iter__). */
  nextFnOfIterator(iterator: PyValue): () => PyValue | typeof STOP {
    if (iterator instanceof PyIterator) return iterator.next;
    if (iterator instanceof PyInstance) {
      const nx = lookupType(iterator.cls, '__next__');
      if (nx === undefined || nx === null) this.raise('TypeError', `iter() returned non-iterator of type '${typeName(iterator)}'`);
      return () => {
        try {
          return this.callMethod(nx, iterator, []);
        } catch (e) {
          if (this.isStopIteration(e)) return STOP;
          throw e;
        }
      };
    }
    if (iterator instanceof PyOpaque) return () => STOP;
    return this.iterFn(iterator);
  }

  iterate(v: PyValue): PyValue[] {
    if (v instanceof PyList) return v.items.slice();
    if (v instanceof PyTuple) return v.items.slice();
    const next = this.iterFn(v);
    const out: PyValue[] = [];
    for (;;) {
      const x = next();
      if (x === STOP) return out;
      out.push(x);
      if (out.length > MAX_MATERIALISE) this.raise('MemoryError', '');
    }
  }

  // ================================================================ attributes

  getAttr(obj: PyValue, name: string): PyValue {
    const v = this.getAttrImpl(obj, name);
    if (v !== undefined) return v;
    return this.attributeError(obj, name);
  }

  getAttrOrUndefined(obj: PyValue, name: string): PyValue | undefined {
    try {
      return this.getAttrImpl(obj, name);
    } catch (e) {
      if (e instanceof PyRaise && isSubclass(e.exc.cls, this.exceptionClass('AttributeError'))) return undefined;
      throw e;
    }
  }

  attributeError(obj: PyValue, name: string): never {
    if (obj instanceof PyModuleObject) this.raise('AttributeError', `module '${obj.name}' has no attribute '${name}'`);
    if (obj instanceof PyClass) this.raise('AttributeError', `type object '${obj.name}' has no attribute '${name}'`);
    if (obj instanceof PySuper) this.raise('AttributeError', `'super' object has no attribute '${name}'`);
    return this.raise('AttributeError', `'${typeName(obj)}' object has no attribute '${name}'`);
  }

  /** Attribute lookup; undefined when missing (the caller raises AttributeError). */
  getAttrImpl(obj: PyValue, name: string): PyValue | undefined {
    if (obj instanceof PyInstance) {
      const cls = obj.cls;
      const ca = lookupType(cls, name);
      if (ca !== undefined) {
        if (ca instanceof PyProperty) {
          if (ca.fget === null) this.raise('AttributeError', `property '${name}' of '${cls.name}' object has no getter`);
          return this.call(ca.fget, [obj]);
        }
        if (ca instanceof PyInstance) {
          const get = lookupType(ca.cls, '__get__');
          if (get !== undefined && get !== null && lookupType(ca.cls, '__set__') !== undefined)
            return this.callMethod(get, ca, [obj, cls]);
        }
      }
      const dv = obj.dictGet(name);
      if (dv !== undefined) return dv;
      if (ca !== undefined) return this.bindDescriptor(ca, obj, cls);
      if (name === '__class__') return cls;
      if (name === '__dict__') return this.dictSnapshot(obj.dict);
      const ga = lookupType(cls, '__getattr__');
      if (ga !== undefined && ga !== null) {
        // (callMethod without its argument copies, for nn.Module's native __getattr__ on every submodule read)
        if (ga instanceof PyBuiltinFunction && !nonBindingBuiltins.has(ga)) return this.callNative(ga, [obj, name], NO_KWARGS);
        return this.callMethod(ga, obj, [name]);
      }
      if (cls.hasOpaqueBase) return new PyOpaque(`${cls.name}.${name}`);
      return undefined;
    }
    if (obj instanceof PyModuleObject) return this.moduleAttr(obj, name);
    if (obj instanceof PyClass) return this.classAttr(obj, name);
    if (obj instanceof PyOpaque) {
      if (name === '__class__') return opaqueClass;
      return new PyOpaque(`${obj.label}.${name}`, obj.origin);
    }
    if (obj instanceof PyFunction) {
      const a = obj.attrGet(name);
      if (a !== undefined) return a;
      switch (name) {
        case '__name__':
          return obj.name;
        case '__qualname__':
          return obj.qualname;
        case '__module__': {
          const m = obj.globals.dict.get('__name__');
          return typeof m === 'string' ? m : obj.globals.name;
        }
        case '__doc__':
          return obj.def.kind === 'FunctionDef' ? docstring(obj.def.body) : null;
        case '__defaults__':
          return positionalDefaults(obj);
        case '__kwdefaults__':
          return null;
        case '__dict__':
          return this.dictSnapshot(obj.attrs);
        case '__globals__':
          return this.dictSnapshot(obj.globals.dict);
        case '__class__':
          return typeOf(obj);
        case '__annotations__':
          return new PyDict();
      }
    } else if (obj instanceof PyBoundMethod) {
      if (name === '__self__') return obj.self;
      if (name === '__func__') return obj.func;
      if (name !== '__class__') {
        const v = this.getAttrImpl(obj.func, name);
        if (v !== undefined) return v;
      }
    } else if (obj instanceof PyBuiltinFunction) {
      if (name === '__name__') return obj.name;
      if (name === '__qualname__') return obj.qualname;
      if (name === '__module__') return 'builtins';
      if (name === '__doc__') return null;
    } else if (obj instanceof PySuper) {
      return this.superAttr(obj, name);
    } else if (obj instanceof PyProperty) {
      switch (name) {
        case 'fget':
          return obj.fget;
        case 'fset':
          return obj.fset;
        case '__doc__':
          return obj.fget ? this.getAttrImpl(obj.fget, '__doc__') ?? null : null;
      }
    } else if (obj instanceof PyStaticMethod || obj instanceof PyClassMethod) {
      if (name === '__func__' || name === '__wrapped__') return obj.func;
      if (name === '__isabstractmethod__') return this.getAttrOrUndefined(obj.func, name) ?? false;
    } else if (obj instanceof PySlice) {
      if (name === 'start') return obj.start;
      if (name === 'stop') return obj.stop;
      if (name === 'step') return obj.step;
    } else if (obj instanceof PyRange) {
      if (name === 'start') return obj.start;
      if (name === 'stop') return obj.stop;
      if (name === 'step') return obj.step;
    }
    const cls = typeOf(obj);
    if (name === '__class__') return cls;
    const ca = lookupType(cls, name);
    if (ca !== undefined) return this.bindDescriptor(ca, obj, cls);
    return undefined;
  }

  private moduleAttr(m: PyModuleObject, name: string): PyValue | undefined {
    const v = m.dict.get(name);
    if (v !== undefined) return v;
    if (name === '__dict__') return this.dictSnapshot(m.dict);
    if (name === '__class__') return typeOf(m);
    const sub = this.importSubmoduleForAttr(m, name);
    if (sub !== undefined) return sub;
    const ga = m.dict.get('__getattr__');
    if (ga !== undefined && ga !== null) return this.call(ga, [name]);
    if (m.tolerant) return new PyOpaque(`${m.name}.${name}`);
    return undefined;
  }

  /** `torch.nn` read as an attribute of `torch`: import a registered native submodule on demand. */
  importSubmoduleForAttr(m: PyModuleObject, name: string): PyValue | undefined {
    return hooks.importSubmodule(this, m, name);
  }

  private classAttr(cls: PyClass, name: string): PyValue | undefined {
    switch (name) {
      case '__name__':
        return cls.name;
      case '__qualname__':
        return this.qualnameOf(cls);
      case '__module__':
        return cls.dict.get('__module__') ?? cls.module;
      case '__mro__':
        return new PyTuple(cls.mro.length && cls.mro[cls.mro.length - 1] !== objectClass ? [...cls.mro, objectClass] : cls.mro);
      case '__bases__':
        return new PyTuple(cls.bases);
      case '__base__':
        return cls.bases[0] ?? null;
      case '__dict__':
        return this.dictSnapshot(cls.dict);
      case '__class__':
        return metaclassOf(cls);
      case '__doc__': {
        const d = cls.dict.get('__doc__');
        return d === undefined ? null : d;
      }
    }
    const v = lookupType(cls, name);
    if (v !== undefined) {
      if (v instanceof PyClassMethod) return new PyBoundMethod(cls, v.func);
      if (v instanceof PyStaticMethod) return v.func;
      if (v instanceof PyInstance) {
        const get = lookupType(v.cls, '__get__');
        if (get !== undefined && get !== null) return this.callMethod(get, v, [null, cls]);
      }
      return v;
    }
    const meta = metaclassOf(cls);
    const mv = lookupType(meta, name);
    if (mv !== undefined) {
      if (mv instanceof PyProperty) return mv.fget === null ? null : this.call(mv.fget, [cls]);
      return this.bindDescriptor(mv, cls, meta);
    }
    if (meta !== typeClass) {
      const ga = lookupType(meta, '__getattr__');
      if (ga !== undefined && ga !== null && !builtinClasses.has(meta)) return this.callMethod(ga, cls, [name]);
    }
    if (cls.hasOpaqueBase) return new PyOpaque(`${cls.name}.${name}`);
    return undefined;
  }

  private superAttr(s: PySuper, name: string): PyValue | undefined {
    const mro = s.startType.mro;
    const i = mro.indexOf(s.thisClass);
    const search = i < 0 ? mro.slice() : mro.slice(i + 1);
    if (search.length === 0 || search[search.length - 1] !== objectClass) search.push(objectClass);
    // super() in a classmethod (or super(C, C)): the object is the class that owns the MRO.
    const onClass = s.obj instanceof PyClass && s.obj === s.startType;
    for (const c of search) {
      const v = c.dict.get(name);
      if (v === undefined) continue;
      if (v instanceof PyClassMethod) return new PyBoundMethod(onClass ? s.obj : s.startType, v.func);
      if (v instanceof PyStaticMethod) return v.func;
      if (name === '__new__') return v;
      if (onClass) {
        if (v instanceof PyFunction || v instanceof PyBuiltinFunction) return v;
        if (v instanceof PyProperty) return v;
      }
      if (v instanceof PyProperty) return v.fget === null ? null : this.call(v.fget, [s.obj]);
      return this.bindDescriptor(v, s.obj, s.startType);
    }
    return undefined;
  }

  /** Binds a class attribute found for `obj` (functions become bound methods, etc.). */
  bindDescriptor(ca: PyValue, obj: PyValue, cls: PyClass): PyValue {
    if (ca instanceof PyFunction) return new PyBoundMethod(obj, ca);
    if (ca instanceof PyBuiltinFunction) return nonBindingBuiltins.has(ca) ? ca : new PyBoundMethod(obj, ca);
    if (ca instanceof PyStaticMethod) return ca.func;
    if (ca instanceof PyClassMethod) return new PyBoundMethod(cls, ca.func);
    if (ca instanceof PyProperty) return ca.fget === null ? null : this.call(ca.fget, [obj]);
    if (ca instanceof PyInstance) {
      const get = lookupType(ca.cls, '__get__');
      if (get !== undefined && get !== null) return this.callMethod(get, ca, [obj, cls]);
    }
    return ca;
  }

  dictSnapshot(m: Map<string, PyValue>): PyDict {
    const d = new PyDict();
    for (const [k, v] of m) d.set(k, v);
    return d;
  }

  setAttr(obj: PyValue, name: string, value: PyValue): void {
    if (obj instanceof PyInstance) {
      const sa = lookupType(obj.cls, '__setattr__');
      if (sa !== undefined && sa !== objectMethods.__setattr__ && sa !== null) {
        this.callMethod(sa, obj, [name, value]);
        return;
      }
      this.genericSetAttr(obj, name, value);
      return;
    }
    if (obj instanceof PyClass) {
      if (builtinClasses.has(obj)) this.raise('TypeError', `cannot set '${name}' attribute of immutable type '${obj.name}'`);
      obj.dict.set(name, value);
      return;
    }
    if (obj instanceof PyModuleObject) {
      obj.dict.set(name, value);
      return;
    }
    if (obj instanceof PyFunction) {
      obj.attrs.set(name, value);
      return;
    }
    if (obj instanceof PyOpaque) return;
    if (obj instanceof PyBoundMethod) this.raise('AttributeError', `'method' object has no attribute '${name}'`);
    this.raise('AttributeError', `'${typeName(obj)}' object has no attribute '${name}'`);
  }

  /** object.__setattr__: data descriptors (property setters) first, then the instance dict. */
  genericSetAttr(obj: PyInstance, name: string, value: PyValue): void {
    const ca = lookupType(obj.cls, name);
    if (ca !== undefined) {
      if (ca instanceof PyProperty) {
        if (ca.fset === null) this.raise('AttributeError', `property '${name}' of '${obj.cls.name}' object has no setter`);
        this.call(ca.fset, [obj, value]);
        return;
      }
      if (ca instanceof PyInstance) {
        const set = lookupType(ca.cls, '__set__');
        if (set !== undefined && set !== null) {
          this.callMethod(set, ca, [obj, value]);
          return;
        }
      }
    }
    obj.dict.set(name, value);
  }

  delAttr(obj: PyValue, name: string): void {
    if (obj instanceof PyInstance) {
      const da = lookupType(obj.cls, '__delattr__');
      if (da !== undefined && da !== null && da !== objectMethods.__delattr__) {
        this.callMethod(da, obj, [name]);
        return;
      }
      if (!obj.dict.delete(name)) this.attributeError(obj, name);
      return;
    }
    if (obj instanceof PyClass && !builtinClasses.has(obj)) {
      if (!obj.dict.delete(name)) this.attributeError(obj, name);
      return;
    }
    if (obj instanceof PyModuleObject) {
      if (!obj.dict.delete(name)) this.attributeError(obj, name);
      return;
    }
    if (obj instanceof PyFunction) {
      if (!obj.attrs.delete(name)) this.attributeError(obj, name);
      return;
    }
    if (obj instanceof PyOpaque) return;
    this.attributeError(obj, name);
  }

  // ================================================================ subscripting

  getItem(obj: PyValue, idx: PyValue): PyValue {
    return getItem(this, obj, idx);
  }

  /** obj[idx] for instances and classes (__getitem__, metaclass __getitem__, __class_getitem__). */
  getItemDunder(obj: PyInstance | PyClass, idx: PyValue): PyValue {
    if (obj instanceof PyInstance) {
      const f = lookupType(obj.cls, '__getitem__');
      if (f !== undefined && f !== null) return this.callMethod(f, obj, [idx]);
      if (obj.cls.hasOpaqueBase) return new PyOpaque(`${obj.cls.name}[]`);
      return this.raise('TypeError', `'${obj.cls.name}' object is not subscriptable`);
    }
    const meta = metaclassOf(obj);
    const mg = lookupType(meta, '__getitem__');
    if (mg !== undefined && mg !== null) return this.callMethod(mg, obj, [idx]);
    const cg = lookupType(obj, '__class_getitem__');
    if (cg !== undefined && cg !== null) {
      if (cg instanceof PyClassMethod) return this.call(cg.func, [obj, idx]);
      return this.callMethod(cg, obj, [idx]);
    }
    if (builtinClasses.has(obj) || obj.hasOpaqueBase) return obj;
    return this.raise('TypeError', `type '${obj.name}' is not subscriptable`);
  }

  // ================================================================ calls

  private ctxFor(span: Span | undefined): CallContext {
    const f = this.frames[this.frames.length - 1];
    return {
      interp: this,
      span: span ?? f?.call ?? f?.stmt ?? { start: 0, end: 0 },
      file: f ? f.info.file : '',
    };
  }

  call(fn: PyValue, args: PyValue[], kwargs?: Map<string, PyValue>, span?: Span): PyValue {
    return this.callValue(fn, args, kwargs ?? NO_KWARGS, span);
  }

  callAttr(obj: PyValue, name: string, args: PyValue[], kwargs?: Map<string, PyValue>, span?: Span): PyValue {
    if (obj instanceof PyInstance) {
      const ca = directMethod(obj, name);
      if (ca !== undefined) return this.callMethod(ca, obj, args, kwargs ?? NO_KWARGS, span);
    }
    return this.callValue(this.getAttr(obj, name), args, kwargs ?? NO_KWARGS, span);
  }

  callValue(fn: PyValue, args: PyValue[], kwargs: Map<string, PyValue>, span?: Span): PyValue {
    if (fn instanceof PyFunction) return this.callFunction(fn, args, kwargs);
    if (fn instanceof PyBuiltinFunction) return this.callNative(fn, args, kwargs, span);
    if (fn instanceof PyBoundMethod) {
      const f = fn.func;
      if (f instanceof PyFunction) return this.callFunction(f, withSelf(fn.self, args), kwargs);
      return this.callValue(f, withSelf(fn.self, args), kwargs, span);
    }
    if (fn instanceof PyClass) return this.instantiate(fn, args, kwargs, span);
    if (fn instanceof PyInstance) {
      const c = lookupType(fn.cls, '__call__');
      if (c !== undefined && c !== null) return this.callMethod(c, fn, args, kwargs, span);
      // An instance of a class built on an unknown base: its __call__ may live in the unknown part.
      if (fn.cls.hasOpaqueBase) return new PyOpaque(`${fn.cls.name}()`);
    } else if (fn instanceof PyOpaque) {
      this.tick();
      return new PyOpaque(fn.label.endsWith('()') ? fn.label : fn.label + '()', fn.origin);
    } else if (fn instanceof PyStaticMethod) return this.callValue(fn.func, args, kwargs, span);
    return this.raise('TypeError', `'${typeName(fn)}' object is not callable`);
  }

  /** Calls a class attribute `f` on `self` (no bound-method allocation for plain functions). */
  callMethod(f: PyValue, self: PyValue, args: PyValue[], kwargs: Map<string, PyValue> = NO_KWARGS, span?: Span): PyValue {
    if (f instanceof PyFunction) return this.callFunction(f, withSelf(self, args), kwargs);
    if (f instanceof PyBuiltinFunction) {
      if (nonBindingBuiltins.has(f)) return this.callNative(f, args, kwargs, span);
      return this.callNative(f, withSelf(self, args), kwargs, span);
    }
    if (f instanceof PyStaticMethod) return this.callValue(f.func, args, kwargs, span);
    if (f instanceof PyClassMethod) return this.callValue(f.func, [self instanceof PyClass ? self : typeOf(self), ...args], kwargs, span);
    return this.callValue(this.bindDescriptor(f, self, typeOf(self)), args, kwargs, span);
  }

  callNative(fn: PyBuiltinFunction, args: PyValue[], kwargs: Map<string, PyValue>, span?: Span): PyValue {
    this.tick();
    try {
      return fn.fn({ args, kwargs }, this.ctxFor(span));
    } catch (e) {
      if (e instanceof PyRaise) {
        if (e.traceback.length === 0) {
          const f = this.frames[this.frames.length - 1];
          if (f) {
            this.tbFrame.set(e, f);
            e.traceback.push(this.frameLocation(f, true));
          }
        }
        throw e;
      }
      if (e instanceof RangeError && /call stack/i.test(e.message)) throw this.recursionLimit();
      throw e;
    }
  }

  /** Binds call arguments to a user function's parameters, with CPython's TypeError messages. */
  private bindArgs(fn: PyFunction, vars: Map<string, PyValue>, args: PyValue[], kwargs: Map<string, PyValue>): void {
    const L = layoutOf(fn.def);
    const pos = L.positional;
    const np = pos.length;
    const n = args.length;
    if (L.simple && n === np && kwargs.size === 0) {
      for (let i = 0; i < n; i++) vars.set(pos[i], args[i]);
      return;
    }
    const fname = fn.qualname;
    if (n > np) {
      if (!L.vararg) {
        let nd = 0;
        for (const p of pos) if (fn.defaults.has(p)) nd++;
        const takes = nd > 0 ? `from ${np - nd} to ${np}` : `${np}`;
        const pl = nd === 0 && np === 1 ? 'argument' : 'arguments';
        this.raise('TypeError', `${fname}() takes ${takes} positional ${pl} but ${n} ${n === 1 ? 'was' : 'were'} given`);
      }
      for (let i = 0; i < np; i++) vars.set(pos[i], args[i]);
      vars.set(L.vararg, new PyTuple(args.slice(np)));
    } else {
      for (let i = 0; i < n; i++) vars.set(pos[i], args[i]);
      if (L.vararg) vars.set(L.vararg, EMPTY_TUPLE);
    }
    let kwDict: PyDict | null = L.kwarg ? new PyDict() : null;
    if (kwargs.size > 0) {
      let posOnlyAsKw: string[] | null = null;
      for (const [k, v] of kwargs) {
        const idx = L.index.get(k);
        if (idx !== undefined && idx >= L.nPosOnly) {
          if (idx < n) this.raise('TypeError', `${fname}() got multiple values for argument '${k}'`);
          vars.set(k, v);
        } else if (L.kwOnlySet.has(k)) vars.set(k, v);
        else if (kwDict) kwDict.set(k, v);
        else if (idx !== undefined) (posOnlyAsKw ??= []).push(k);
        else this.raise('TypeError', `${fname}() got an unexpected keyword argument '${k}'`);
      }
      if (posOnlyAsKw)
        this.raise('TypeError', `${fname}() got some positional-only arguments passed as keyword arguments: '${posOnlyAsKw.join(', ')}'`);
    }
    let missing: string[] | null = null;
    for (let i = n; i < np; i++) {
      const name = pos[i];
      if (!vars.has(name)) {
        const d = fn.defaults.get(name);
        if (d !== undefined) vars.set(name, d);
        else (missing ??= []).push(name);
      }
    }
    if (missing)
      this.raise('TypeError', `${fname}() missing ${missing.length} required positional argument${missing.length > 1 ? 's' : ''}: ${listNames(missing)}`);
    let missingKw: string[] | null = null;
    for (const name of L.kwOnly) {
      if (!vars.has(name)) {
        const d = fn.defaults.get(name);
        if (d !== undefined) vars.set(name, d);
        else (missingKw ??= []).push(name);
      }
    }
    if (missingKw)
      this.raise('TypeError', `${fname}() missing ${missingKw.length} required keyword-only argument${missingKw.length > 1 ? 's' : ''}: ${listNames(missingKw)}`);
    if (L.kwarg) vars.set(L.kwarg, kwDict!);
    kwDict = null;
  }

  callFunction(fn: PyFunction, args: PyValue[], kwargs: Map<string, PyValue>): PyValue {
    this.tick();
    const def = fn.def;
    let minfo = (fn as FnWithInfo)[MINFO];
    if (minfo === undefined) {
      minfo = this.infoByModule.get(fn.globals) ?? this.frames[this.frames.length - 1]?.info;
      (fn as FnWithInfo)[MINFO] = minfo;
    }
    // (The walrus check reads the text of the file the function is defined in: its module's own info.)
    const info = cachedFnInfo(def) ?? fnInfo(def, minfo !== undefined && minfo.module === fn.globals && walrusFree(minfo));
    const scope = new Scope(ScopeKind.Function, new Map(), fn.closure as Scope | null, fn.globals.dict, info);
    this.bindArgs(fn, scope.vars, args, kwargs);
    if (!minfo) throw new Error('function called with no module context');
    const frame = new Frame(scope, minfo, fn, fn.qualname + '.<locals>.');
    if (def.kind === 'FunctionDef' && def.isGenerator) return this.makeGenerator(fn, frame);
    this.enterFrame(frame);
    const self = fn.definingClass !== null && args.length > 0 ? args[0] : undefined;
    this.trace.onEnterFunction(fn, self);
    try {
      if (def.kind === 'Lambda') {
        frame.stmt = def.body;
        return this.eval(def.body, frame);
      }
      const c = this.execBlock(def.body, frame);
      return c === RETURN ? frame.ret : null;
    } catch (e) {
      throw this.noteFrame(e, frame);
    } finally {
      this.leaveFrame();
      this.trace.onExitFunction(fn);
    }
  }

  /** Class instantiation: metaclass __call__, then __new__ along the MRO, then __init__. */
  instantiate(cls: PyClass, args: PyValue[], kwargs: Map<string, PyValue>, span?: Span): PyValue {
    const meta = metaclassOf(cls);
    if (meta !== typeClass) {
      const mc = lookupType(meta, '__call__');
      if (mc !== undefined && mc !== null && mc !== hooks.typeCall) return this.callMethod(mc, cls, args, kwargs, span);
    }
    return this.typeCall(cls, args, kwargs, span);
  }

  /** type.__call__(cls, *args, **kwargs). */
  typeCall(cls: PyClass, args: PyValue[], kwargs: Map<string, PyValue>, span?: Span): PyValue {
    const nw = lookupType(cls, '__new__');
    let inst: PyValue;
    if (nw === undefined || nw === objectMethods.__new__) {
      const init = lookupType(cls, '__init__');
      if ((args.length > 0 || kwargs.size > 0) && (init === undefined || init === objectMethods.__init__))
        this.raise('TypeError', `${cls.name}() takes no arguments`);
      this.checkAbstract(cls);
      inst = new PyInstance(cls);
    } else if (nw instanceof PyStaticMethod) inst = this.callValue(nw.func, [cls, ...args], kwargs, span);
    else inst = this.callValue(nw, [cls, ...args], kwargs, span);
    if (inst instanceof PyInstance && isSubclass(inst.cls, cls)) {
      const init = lookupType(inst.cls, '__init__');
      if (init !== undefined && init !== null && init !== objectMethods.__init__) {
        const r = this.callMethod(init, inst, args, kwargs, span);
        if (r !== null) this.raise('TypeError', `__init__() should return None, not '${typeName(r)}'`);
      }
    }
    return inst;
  }

  private checkAbstract(cls: PyClass): void {
    if (!cls.mro.some((c) => c.dict.has('__abstractmethods_marker__'))) return;
    const abstract: string[] = [];
    const seen = new Set<string>();
    for (const c of cls.mro) {
      for (const [k, v] of c.dict) {
        if (seen.has(k)) continue;
        seen.add(k);
        const fnv = v instanceof PyStaticMethod || v instanceof PyClassMethod ? v.func : v instanceof PyProperty ? v.fget : v;
        if (fnv instanceof PyFunction && fnv.attrGet('__isabstractmethod__') === true) abstract.push(k);
      }
    }
    if (abstract.length) {
      abstract.sort();
      this.raise(
        'TypeError',
        `Can't instantiate abstract class ${cls.name} with abstract method${abstract.length > 1 ? 's' : ''} ${abstract.join(', ')}`,
      );
    }
  }

  /** Creates a class object (type.__new__), running metaclass hooks such as Enum member creation. */
  buildClass(meta: PyClass, name: string, bases: PyClass[], ns: Map<string, PyValue>, hasOpaqueBase: boolean, definedAt?: Location, kwargs?: Map<string, PyValue>): PyClass {
    for (const k of ['__new__']) {
      const v = ns.get(k);
      if (v instanceof PyFunction) ns.set(k, new PyStaticMethod(v));
    }
    for (const k of ['__init_subclass__', '__class_getitem__']) {
      const v = ns.get(k);
      if (v instanceof PyFunction) ns.set(k, new PyClassMethod(v));
    }
    const modName = ns.get('__module__');
    const cls = new PyClass(name, bases.length ? bases : [objectClass], ns, typeof modName === 'string' ? modName : '__main__', definedAt);
    cls.hasOpaqueBase = hasOpaqueBase || bases.some((b) => b.hasOpaqueBase);
    setMetaclass(cls, meta);
    for (const [k, v] of [...ns]) {
      if (v instanceof PyInstance) {
        const sn = lookupType(v.cls, '__set_name__');
        if (sn !== undefined && sn !== null) this.callMethod(sn, v, [cls, k]);
      }
    }
    for (const hook of classCreationHooks) hook(this, cls, meta);
    // __init_subclass__ of the nearest base that defines one.
    for (let i = 1; i < cls.mro.length; i++) {
      const isc = cls.mro[i].dict.get('__init_subclass__');
      if (isc !== undefined) {
        if (cls.mro[i] !== objectClass) {
          const f = isc instanceof PyClassMethod ? isc.func : isc;
          this.callValue(f, [cls], kwargs ?? NO_KWARGS);
        }
        break;
      }
    }
    return cls;
  }

  // ================================================================ names

  lookupName(name: string, f: Frame): PyValue {
    let s: Scope | null = f.scope;
    if (s.kind === ScopeKind.Function) {
      // A function's vars hold only its own locals, so a hit needs no further checks.
      const v = s.vars.get(name);
      if (v !== undefined) return v;
      const info = s.info!;
      if (info.locals.has(name))
        return this.raise('UnboundLocalError', `cannot access local variable '${name}' where it is not associated with a value`);
      if (info.globals.size !== 0 && info.globals.has(name)) return this.lookupGlobal(name, s.globals);
      s = s.parent;
    } else if (s.kind !== ScopeKind.Module) {
      const v = s.vars.get(name);
      if (v !== undefined) return v;
      s = s.parent;
    }
    while (s !== null && s.kind !== ScopeKind.Module) {
      if (s.kind !== ScopeKind.Class) {
        const v = s.vars.get(name);
        if (v !== undefined) return v;
      }
      s = s.parent;
    }
    return this.lookupGlobal(name, f.scope.globals);
  }

  private lookupGlobal(name: string, globals: Map<string, PyValue>): PyValue {
    const v = globals.get(name);
    if (v !== undefined) return v;
    const b = this.builtins.get(name);
    if (b !== undefined) return b;
    return this.raise('NameError', `name '${name}' is not defined`);
  }

  assignName(name: string, v: PyValue, f: Frame): void {
    const s = f.scope;
    if (s.kind === ScopeKind.Function) {
      const info = s.info!;
      if (info.globals.size !== 0 && info.globals.has(name)) {
        s.globals.set(name, v);
        return;
      }
      if (info.nonlocals.size !== 0 && info.nonlocals.has(name)) {
        this.enclosingScopeOf(name, s).vars.set(name, v);
        return;
      }
    }
    s.vars.set(name, v);
  }

  private enclosingScopeOf(name: string, s: Scope): Scope {
    let p = s.parent;
    while (p !== null && p.kind !== ScopeKind.Module) {
      if (p.kind === ScopeKind.Function && (p.vars.has(name) || p.info!.locals.has(name))) return p;
      p = p.parent;
    }
    return this.raise('SyntaxError', `no binding for nonlocal '${name}' found`);
  }

  private deleteName(name: string, f: Frame): void {
    const s = f.scope;
    let target: Map<string, PyValue> = s.vars;
    if (s.kind === ScopeKind.Function) {
      if (s.info!.globals.has(name)) target = s.globals;
      else if (s.info!.nonlocals.has(name)) target = this.enclosingScopeOf(name, s).vars;
    }
    if (!target.delete(name)) this.raise('NameError', `name '${name}' is not defined`);
  }

  // ================================================================ statements

  execBlock(body: Stmt[], f: Frame): number {
    for (let i = 0; i < body.length; i++) {
      const c = this.execStmt(body[i], f);
      if (c !== NORMAL) return c;
    }
    return NORMAL;
  }

  execStmt(s: Stmt, f: Frame): number {
    f.stmt = s;
    f.call = null;
    if (++this.steps > this.limits.steps) this.stepLimit();
    if ((this.steps & 1023) === 0 && Date.now() > this.deadline) this.timeLimit();
    switch (s.kind) {
      case 'ExprStmt': {
        const v = this.eval(s.value, f);
        if (v !== null && s.value.kind !== 'Constant') this.trace.onStatementValue(f.info.file, s, null, v);
        return NORMAL;
      }
      case 'Assign': {
        const v = this.eval(s.value, f);
        const targets = s.targets;
        for (let i = 0; i < targets.length; i++) this.assignTarget(targets[i], v, f);
        this.trace.onStatementValue(f.info.file, s, targetText(f.info.text, s, targets[0], targets[targets.length - 1]), v);
        return NORMAL;
      }
      case 'AugAssign':
        this.execAugAssign(s.target, s.op, s.value, s, f);
        return NORMAL;
      case 'AnnAssign': {
        if (f.scope.kind === ScopeKind.Class || f.scope.kind === ScopeKind.Module) {
          if (s.target.kind === 'Name') {
            let ann = f.scope.vars.get('__annotations__');
            if (!(ann instanceof PyDict)) {
              ann = new PyDict();
              f.scope.vars.set('__annotations__', ann);
            }
            (ann as PyDict).set(s.target.id, this.evalAnnotation(s.annotation, f));
          }
        }
        if (s.value) {
          const v = this.eval(s.value, f);
          this.assignTarget(s.target, v, f);
          this.trace.onStatementValue(f.info.file, s, targetText(f.info.text, s, s.target, s.target), v);
        }
        return NORMAL;
      }
      case 'FunctionDef':
        this.execFunctionDef(s, f);
        return NORMAL;
      case 'ClassDef':
        this.execClassDef(s, f);
        return NORMAL;
      case 'Return':
        f.ret = s.value ? this.eval(s.value, f) : null;
        return RETURN;
      case 'If': {
        let node: Stmt = s;
        for (;;) {
          const n = node as Extract<Stmt, { kind: 'If' }>;
          if (this.truthy(this.eval(n.test, f))) return this.execBlock(n.body, f);
          if (n.orelse.length === 1 && n.orelse[0].kind === 'If') {
            node = n.orelse[0];
            f.stmt = node;
            continue;
          }
          return this.execBlock(n.orelse, f);
        }
      }
      case 'For':
        return this.execFor(s, f);
      case 'While': {
        for (;;) {
          f.stmt = s;
          if (!this.truthy(this.eval(s.test, f))) break;
          const c = this.execBlock(s.body, f);
          if (c === BREAK) return NORMAL;
          if (c === RETURN) return c;
          this.tick();
        }
        return this.execBlock(s.orelse, f);
      }
      case 'Pass':
        return NORMAL;
      case 'Break':
        return BREAK;
      case 'Continue':
        return CONTINUE;
      case 'Try':
        return this.execTry(s, f);
      case 'With':
        return this.execWith(s, 0, f);
      case 'Raise':
        this.execRaise(s.exc, s.cause, f);
        return NORMAL;
      case 'Assert': {
        if (!this.truthy(this.eval(s.test, f))) {
          const args = s.msg ? [this.eval(s.msg, f)] : [];
          throw new PyRaise(this.newException('AssertionError', args));
        }
        return NORMAL;
      }
      case 'Delete':
        for (const t of s.targets) this.deleteTarget(t, f);
        return NORMAL;
      case 'Import':
        execImport(this, s, f);
        return NORMAL;
      case 'ImportFrom':
        execImportFrom(this, s, f);
        return NORMAL;
      case 'Global':
      case 'Nonlocal':
        return NORMAL;
      case 'ErrorStmt': {
        const exc = this.newException('SyntaxError', [s.message]);
        syntaxRaises.add(exc);
        throw new PyRaise(exc);
      }
      case 'UnsupportedStmt':
        this.reportOnce(
          `${f.info.file}:${s.start}`,
          DiagnosticCode.Unsupported,
          `Tensor Trace does not run '${s.construct}' statements; this one was skipped.`,
          f.info.lineMap.location(f.info.file, s),
        );
        return NORMAL;
    }
  }

  private evalAnnotation(e: Expr, f: Frame): PyValue {
    if (e.kind === 'Constant') return e.value as PyValue;
    try {
      return this.eval(e, f);
    } catch (err) {
      if (err instanceof PyRaise && isSubclass(err.exc.cls, this.exceptionClass('NameError'))) throw err;
      if (err instanceof PyRaise) return new PyOpaque('annotation');
      throw err;
    }
  }

  private execAugAssign(target: Expr, op: Parameters<typeof inplaceOp>[1], valueExpr: Expr, s: Stmt, f: Frame): void {
    let result: PyValue;
    if (target.kind === 'Name') {
      const cur = this.lookupName(target.id, f);
      const rhs = this.eval(valueExpr, f);
      result =
        typeof cur === 'number' && typeof rhs === 'number' && (op === '+' || op === '-' || op === '*')
          ? op === '+'
            ? cur + rhs
            : op === '-'
              ? cur - rhs
              : cur * rhs + 0
          : inplaceOp(this, op, cur, rhs);
      this.assignName(target.id, result, f);
    } else if (target.kind === 'Attribute') {
      const obj = this.eval(target.value, f);
      const cur = this.getAttr(obj, target.attr);
      result = inplaceOp(this, op, cur, this.eval(valueExpr, f));
      this.setAttr(obj, target.attr, result);
    } else if (target.kind === 'Subscript') {
      const obj = this.eval(target.value, f);
      const idx = this.evalIndex(target.index, f);
      const cur = getItem(this, obj, idx);
      result = inplaceOp(this, op, cur, this.eval(valueExpr, f));
      setItem(this, obj, idx, result);
    } else {
      return this.raise('SyntaxError', "'expression' is an illegal expression for augmented assignment");
    }
    this.trace.onStatementValue(f.info.file, s, targetText(f.info.text, s, target, target), result);
  }

  private execFor(s: For, f: Frame): number {
    const it = this.eval(s.iter, f);
    const target = s.target;
    if (it instanceof PyRange && target.kind === 'Name') {
      const { start, stop, step } = it;
      const name = target.id;
      // Where assignName stores the loop variable, decided once (global/nonlocal declarations are static).
      const sc = f.scope;
      const plain =
        sc.kind !== ScopeKind.Function ||
        ((sc.info!.globals.size === 0 || !sc.info!.globals.has(name)) && (sc.info!.nonlocals.size === 0 || !sc.info!.nonlocals.has(name)));
      const vars = sc.vars;
      for (let i = start; step > 0 ? i < stop : i > stop; i += step) {
        if (plain && f.scope === sc) vars.set(name, i);
        else this.assignName(name, i, f);
        const c = this.execBlock(s.body, f);
        if (c === BREAK) return NORMAL;
        if (c === RETURN) return c;
      }
      f.stmt = s;
      return this.execBlock(s.orelse, f);
    }
    const next = this.iterFn(it);
    for (;;) {
      const v = next();
      if (v === STOP) break;
      if (target.kind === 'Name') this.assignName(target.id, v, f);
      else this.assignTarget(target, v, f);
      const c = this.execBlock(s.body, f);
      if (c === BREAK) return NORMAL;
      if (c === RETURN) return c;
      f.stmt = s;
    }
    return this.execBlock(s.orelse, f);
  }

  matchHandler(handlers: Try['handlers'], e: PyRaise, f: Frame): Try['handlers'][number] | undefined {
    for (const h of handlers) {
      if (!h.type) return h;
      const t = this.eval(h.type, f);
      if (this.exceptionMatches(e.exc, t)) return h;
    }
    return undefined;
  }

  exceptionMatches(exc: PyInstance, t: PyValue): boolean {
    if (t instanceof PyClass) {
      if (!isSubclass(t, BaseException) && !t.hasOpaqueBase)
        this.raise('TypeError', 'catching classes that do not inherit from BaseException is not allowed');
      return isSubclass(exc.cls, t);
    }
    if (t instanceof PyTuple) return t.items.some((x) => this.exceptionMatches(exc, x));
    if (t instanceof PyOpaque) return false;
    return this.raise('TypeError', 'catching classes that do not inherit from BaseException is not allowed');
  }

  private execTry(s: Try, f: Frame): number {
    let c = NORMAL;
    let pending: PyRaise | null = null;
    try {
      c = this.execBlock(s.body, f);
      if (c === NORMAL && s.orelse.length) c = this.execBlock(s.orelse, f);
    } catch (e) {
      if (!(e instanceof PyRaise)) throw e;
      if (s.handlers.length === 0) pending = e;
      else {
        let h: Try['handlers'][number] | undefined;
        try {
          h = this.matchHandler(s.handlers, e, f);
        } catch (e2) {
          if (!(e2 instanceof PyRaise) || s.finalbody.length === 0) throw e2;
          pending = e2;
        }
        if (!h && !pending) pending = e;
        else if (h) {
          const prev = f.handling;
          f.handling = e;
          try {
            if (h.name) this.assignName(h.name, e.exc, f);
            c = this.execBlock(h.body, f);
          } catch (e3) {
            if (!(e3 instanceof PyRaise) || s.finalbody.length === 0) throw e3;
            pending = e3;
          } finally {
            f.handling = prev;
            if (h.name) f.scope.vars.delete(h.name);
          }
        }
      }
    }
    if (s.finalbody.length) {
      const savedRet = f.ret;
      const fc = this.execBlock(s.finalbody, f);
      if (fc !== NORMAL) return fc;
      f.ret = savedRet;
    }
    if (pending) throw pending;
    return c;
  }

  private execWith(s: With, i: number, f: Frame): number {
    if (i === s.items.length) return this.execBlock(s.body, f);
    const item = s.items[i];
    const mgr = this.eval(item.contextExpr, f);
    if (mgr instanceof PyOpaque) {
      if (item.optionalVars) this.assignTarget(item.optionalVars, new PyOpaque(mgr.label + '.__enter__()'), f);
      return this.execWith(s, i + 1, f);
    }
    const cls = typeOf(mgr);
    const enter = lookupType(cls, '__enter__');
    const exit = lookupType(cls, '__exit__');
    if (enter === undefined || enter === null || exit === undefined || exit === null)
      this.raise('TypeError', `'${typeName(mgr)}' object does not support the context manager protocol`);
    const val = this.callMethod(enter, mgr, []);
    if (item.optionalVars) this.assignTarget(item.optionalVars, val, f);
    let c: number;
    try {
      c = this.execWith(s, i + 1, f);
    } catch (e) {
      if (!(e instanceof PyRaise)) throw e;
      const r = this.callMethod(exit, mgr, [e.exc.cls, e.exc, null]);
      if (this.truthy(r)) return NORMAL;
      throw e;
    }
    this.callMethod(exit, mgr, [null, null, null]);
    return c;
  }

  execRaise(excExpr: Expr | undefined, causeExpr: Expr | undefined, f: Frame): never {
    if (!excExpr) {
      for (let i = this.frames.length - 1; i >= 0; i--) {
        const h = this.frames[i].handling;
        if (h) throw h;
      }
      if (f.handling) throw f.handling;
      return this.raise('RuntimeError', 'No active exception to reraise');
    }
    const exc = this.toException(this.eval(excExpr, f));
    if (causeExpr) {
      const cv = this.eval(causeExpr, f);
      exc.dict.set('__cause__', cv === null ? null : this.toException(cv));
      exc.dict.set('__suppress_context__', true);
    }
    throw new PyRaise(exc);
  }

  private execFunctionDef(s: FunctionDef, f: Frame): void {
    const decorators = s.decorators.map((d) => this.eval(d, f));
    const fn = this.makeFunction(s, s.name, f);
    let v: PyValue = fn;
    for (let i = decorators.length - 1; i >= 0; i--) {
      const d = decorators[i];
      if (d instanceof PyOpaque) continue;
      const r = this.call(d, [v], undefined, s.decorators[i]);
      if (!(r instanceof PyOpaque)) v = r;
    }
    this.assignName(s.name, v, f);
  }

  makeFunction(def: FunctionDef | Lambda, name: string, f: Frame): PyFunction {
    const p = def.params;
    let defaults = NO_DEFAULTS;
    for (const group of [p.posOnly, p.args, p.kwOnly]) {
      for (const a of group) {
        if (!a.default) continue;
        if (defaults === NO_DEFAULTS) defaults = new Map();
        defaults.set(a.name, this.eval(a.default, f));
      }
    }
    const fn = new PyFunction(name, f.qual + name, def, f.scope, f.info.module, defaults, null);
    if (f.classFns) f.classFns.push(fn);
    return fn;
  }

  private execClassDef(s: ClassDef, f: Frame): void {
    const decorators = s.decorators.map((d) => this.eval(d, f));
    const bases: PyClass[] = [];
    let opaqueBase = false;
    for (const b of s.bases) {
      const vals = b.kind === 'Starred' ? this.iterate(this.eval(b.value, f)) : [this.eval(b, f)];
      for (const v of vals) {
        if (v instanceof PyClass) bases.push(v);
        else if (v instanceof PyOpaque) opaqueBase = true;
        else if (v instanceof PyInstance) {
          const me = lookupType(v.cls, '__mro_entries__');
          if (me !== undefined && me !== null) {
            for (const x of this.iterate(this.callMethod(me, v, [new PyTuple([])]))) if (x instanceof PyClass) bases.push(x);
          } else opaqueBase = true;
        } else opaqueBase = true;
      }
    }
    let meta: PyClass | null = null;
    const kwargs = new Map<string, PyValue>();
    for (const k of s.keywords) {
      const v = this.eval(k.value, f);
      if (k.name === 'metaclass') {
        if (v instanceof PyClass) meta = v;
      } else if (k.name) kwargs.set(k.name, v);
      else for (const [kk, vv] of this.mappingItems(v)) kwargs.set(this.str(kk), vv);
    }
    if (!meta) {
      meta = typeClass;
      for (const b of bases) {
        const bm = metaclassOf(b);
        if (isSubclass(bm, meta)) meta = bm;
      }
    }
    const qual = f.qual + s.name;
    const ns = new Map<string, PyValue>();
    ns.set('__module__', f.info.name);
    ns.set('__qualname__', qual);
    const doc = docstring(s.body);
    if (doc !== null) ns.set('__doc__', doc);
    const scope = new Scope(ScopeKind.Class, ns, f.scope, f.scope.globals, null);
    const frame = new Frame(scope, f.info, f.fn, qual + '.');
    frame.classFns = [];
    this.enterFrame(frame);
    try {
      this.execBlock(s.body, frame);
    } catch (e) {
      throw this.noteFrame(e, frame);
    } finally {
      this.leaveFrame();
    }
    const definedAt = f.info.lineMap.location(f.info.file, s.nameSpan);
    let cls: PyValue;
    const customMeta =
      meta !== typeClass && !builtinClasses.has(meta) && (meta.lookup('__new__') !== typeClass.dict.get('__new__') || meta.lookup('__init__') !== typeClass.dict.get('__init__'));
    if (customMeta && (lookupType(meta, '__new__') !== typeClass.dict.get('__new__') || lookupType(meta, '__init__') !== typeClass.dict.get('__init__'))) {
      const nsDict = new PyDict();
      for (const [k, v] of ns) nsDict.set(k, v);
      cls = this.callValue(meta, [s.name, new PyTuple(bases), nsDict], kwargs, s);
      if (cls instanceof PyClass) {
        (cls as PyClass & { definedAt?: Location }).definedAt ??= definedAt;
        if (opaqueBase) cls.hasOpaqueBase = true;
      }
    } else cls = this.buildClass(meta, s.name, bases, ns, opaqueBase, definedAt, kwargs);
    if (cls instanceof PyClass) for (const fn of frame.classFns) fn.definingClass = cls;
    let v: PyValue = cls;
    for (let i = decorators.length - 1; i >= 0; i--) {
      const d = decorators[i];
      if (d instanceof PyOpaque) continue;
      const r = this.call(d, [v], undefined, s.decorators[i]);
      if (!(r instanceof PyOpaque)) v = r;
    }
    this.assignName(s.name, v, f);
  }

  /** (key, value) pairs of a mapping (dict or an object with keys()/__getitem__). */
  mappingItems(v: PyValue): Array<[PyValue, PyValue]> {
    if (v instanceof PyDict) return [...v.map.values()].map((e) => [e.key, e.value]);
    if (v instanceof PyInstance && v.native instanceof PyDict) return [...v.native.map.values()].map((e) => [e.key, e.value]);
    if (v instanceof PyOpaque) return [];
    const keys = this.getAttrOrUndefined(v, 'keys');
    if (keys === undefined) this.raise('TypeError', `'${typeName(v)}' object is not a mapping`);
    return this.iterate(this.call(keys, [])).map((k) => [k, getItem(this, v, k)]);
  }

  dictUpdate(d: PyDict, other: PyValue): void {
    if (other instanceof PyDict) {
      for (const e of other.map.values()) d.set(e.key, e.value);
      return;
    }
    if (other instanceof PyInstance && other.native instanceof PyDict && lookupType(other.cls, 'keys') === lookupType(typeOf(new PyDict()), 'keys')) {
      for (const e of other.native.map.values()) d.set(e.key, e.value);
      return;
    }
    if (this.getAttrOrUndefined(other, 'keys') !== undefined && !(other instanceof PyList) && !(other instanceof PyTuple)) {
      for (const [k, v] of this.mappingItems(other)) {
        this.checkHashable(k);
        d.set(k, v);
      }
      return;
    }
    const next = this.iterFn(other);
    let i = 0;
    for (;;) {
      const item = next();
      if (item === STOP) break;
      const pair = this.iterate(item);
      if (pair.length !== 2)
        this.raise('ValueError', `dictionary update sequence element #${i} has length ${pair.length}; 2 is required`);
      this.checkHashable(pair[0]);
      d.set(pair[0], pair[1]);
      i++;
    }
  }

  // ================================================================ assignment targets

  assignTarget(t: Expr, v: PyValue, f: Frame): void {
    switch (t.kind) {
      case 'Name':
        this.assignName(t.id, v, f);
        return;
      case 'Attribute':
        this.setAttr(this.eval(t.value, f), t.attr, v);
        return;
      case 'Subscript':
        setItem(this, this.eval(t.value, f), this.evalIndex(t.index, f), v);
        return;
      case 'Tuple':
      case 'List':
        this.unpack(t.elts, v, f);
        return;
      case 'Starred':
        this.assignTarget(t.value, new PyList(this.iterate(v)), f);
        return;
      case 'ErrorExpr':
        this.raiseSyntax(t.message);
        return;
      default:
        this.raise('SyntaxError', 'cannot assign to expression');
    }
  }

  private unpack(elts: Expr[], v: PyValue, f: Frame): void {
    let items: PyValue[];
    if (v instanceof PyTuple || v instanceof PyList) items = v.items;
    else if (v instanceof PyOpaque) {
      for (const e of elts) this.assignTarget(e.kind === 'Starred' ? e.value : e, e.kind === 'Starred' ? new PyList([]) : new PyOpaque(v.label + '[]'), f);
      return;
    } else {
      if (!this.isIterable(v) && !(v instanceof PyIterator)) this.raise('TypeError', `cannot unpack non-iterable ${typeName(v)} object`);
      items = this.iterate(v);
    }
    let star = -1;
    for (let i = 0; i < elts.length; i++) if (elts[i].kind === 'Starred') star = i;
    const n = elts.length;
    if (star < 0) {
      if (items.length !== n) {
        if (items.length > n) this.raise('ValueError', `too many values to unpack (expected ${n})`);
        this.raise('ValueError', `not enough values to unpack (expected ${n}, got ${items.length})`);
      }
      // Copy first: `a, b = b, a` on a list must read before writing.
      if (items.length > 0 && v instanceof PyList) items = items.slice();
      for (let i = 0; i < n; i++) this.assignTarget(elts[i], items[i], f);
      return;
    }
    if (items.length < n - 1) this.raise('ValueError', `not enough values to unpack (expected at least ${n - 1}, got ${items.length})`);
    items = items.slice();
    const after = n - 1 - star;
    for (let i = 0; i < star; i++) this.assignTarget(elts[i], items[i], f);
    this.assignTarget((elts[star] as Extract<Expr, { kind: 'Starred' }>).value, new PyList(items.slice(star, items.length - after)), f);
    for (let i = 0; i < after; i++) this.assignTarget(elts[star + 1 + i], items[items.length - after + i], f);
  }

  private deleteTarget(t: Expr, f: Frame): void {
    switch (t.kind) {
      case 'Name':
        this.deleteName(t.id, f);
        return;
      case 'Attribute':
        this.delAttr(this.eval(t.value, f), t.attr);
        return;
      case 'Subscript':
        delItem(this, this.eval(t.value, f), this.evalIndex(t.index, f));
        return;
      case 'Tuple':
      case 'List':
        for (const e of t.elts) this.deleteTarget(e, f);
        return;
      default:
        this.raise('SyntaxError', 'cannot delete expression');
    }
  }

  private raiseSyntax(message: string): never {
    const exc = this.newException('SyntaxError', [message]);
    syntaxRaises.add(exc);
    throw new PyRaise(exc);
  }

  // ================================================================ expressions

  evalIndex(e: Expr, f: Frame): PyValue {
    if (e.kind === 'Slice')
      return new PySlice(
        e.lower ? this.eval(e.lower, f) : null,
        e.upper ? this.eval(e.upper, f) : null,
        e.step ? this.eval(e.step, f) : null,
      );
    if (e.kind === 'Tuple' && e.elts.some((x) => x.kind === 'Slice' || x.kind === 'Starred')) {
      const out: PyValue[] = [];
      for (const x of e.elts) {
        if (x.kind === 'Starred') out.push(...this.iterate(this.eval(x.value, f)));
        else out.push(this.evalIndex(x, f));
      }
      return new PyTuple(out);
    }
    return this.eval(e, f);
  }

  eval(e: Expr, f: Frame): PyValue {
    switch (e.kind) {
      case 'Name':
        return this.lookupName(e.id, f);
      case 'Constant': {
        const v = e.value;
        if (e.isFloat) return floatConstant(e);
        if (e.isEllipsis) return Ellipsis;
        if (e.isBytes) return new PyOpaque('bytes');
        if (e.isImaginary) return new PyOpaque('complex');
        return v;
      }
      case 'Attribute':
        return this.getAttr(this.eval(e.value, f), e.attr);
      case 'Call':
        return this.evalCall(e, f);
      case 'BinOp': {
        const a = this.eval(e.left, f);
        const b = this.eval(e.right, f);
        if (typeof a === 'number' && typeof b === 'number') {
          switch (e.op) {
            case '+':
              return a + b;
            case '-':
              return a - b;
            case '*':
              return a * b + 0;
          }
        }
        return binop(this, e.op, a, b);
      }
      case 'Compare': {
        let left = this.eval(e.left, f);
        const n = e.ops.length;
        for (let i = 0; i < n; i++) {
          const right = this.eval(e.comparators[i], f);
          const r = compareOp(this, e.ops[i], left, right);
          if (i === n - 1) return r;
          if (!this.truthy(r)) return r;
          left = right;
        }
        return true;
      }
      case 'BoolOp': {
        let v: PyValue = null;
        if (e.op === 'and') {
          for (const x of e.values) {
            v = this.eval(x, f);
            if (!this.truthy(v)) return v;
          }
        } else {
          for (const x of e.values) {
            v = this.eval(x, f);
            if (this.truthy(v)) return v;
          }
        }
        return v;
      }
      case 'UnaryOp': {
        const v = this.eval(e.operand, f);
        if (e.op === 'not') return !this.truthy(v);
        return unaryOp(this, e.op, v);
      }
      case 'Subscript':
        return getItem(this, this.eval(e.value, f), this.evalIndex(e.index, f));
      case 'IfExp':
        return this.truthy(this.eval(e.test, f)) ? this.eval(e.body, f) : this.eval(e.orelse, f);
      case 'Tuple':
        return new PyTuple(this.evalElts(e.elts, f));
      case 'List':
        return new PyList(this.evalElts(e.elts, f));
      case 'Set': {
        const s = new PySet();
        for (const v of this.evalElts(e.elts, f)) {
          this.checkHashable(v);
          s.add(v);
        }
        return s;
      }
      case 'Dict': {
        const d = new PyDict();
        for (const en of e.entries) {
          if (en.key === undefined) this.dictUpdateMapping(d, this.eval(en.value, f));
          else {
            const k = this.eval(en.key, f);
            this.checkHashable(k);
            d.set(k, this.eval(en.value, f));
          }
        }
        return d;
      }
      case 'JoinedStr':
        return this.evalJoinedStr(e, f);
      case 'FormattedValue':
        return this.evalFormatted(e, f);
      case 'Lambda':
        return this.makeFunction(e, '<lambda>', f);
      case 'NamedExpr': {
        const v = this.eval(e.value, f);
        this.assignWalrus(e.target.id, v, f);
        return v;
      }
      case 'ListComp':
      case 'SetComp':
      case 'DictComp':
        // In methods of their own: a closure in eval would make V8 allocate a context on every eval call.
        return this.evalComprehension(e, f);
      case 'GeneratorExp':
        return this.makeGeneratorExp(e.elt, e.generators, f, e);
      case 'Slice':
        return this.evalIndex(e, f);
      case 'Starred':
        return this.raise('SyntaxError', "can't use starred expression here");
      case 'Await':
        this.reportOnce(`${f.info.file}:${e.start}`, DiagnosticCode.Unsupported, "Tensor Trace does not run 'await'.", f.info.lineMap.location(f.info.file, e));
        return new PyOpaque('await');
      case 'Yield':
        return this.raise('SyntaxError', "'yield' inside an expression is not supported by Tensor Trace");
      case 'ErrorExpr':
        return this.raiseSyntax(e.message);
    }
  }

  private evalComprehension(e: Extract<Expr, { kind: 'ListComp' | 'SetComp' | 'DictComp' }>, f: Frame): PyValue {
    if (e.kind === 'ListComp') {
      const out: PyValue[] = [];
      this.runComprehension(e.generators, f, (cf) => {
        out.push(this.eval(e.elt, cf));
      });
      return new PyList(out);
    }
    if (e.kind === 'SetComp') {
      const out = new PySet();
      this.runComprehension(e.generators, f, (cf) => {
        const v = this.eval(e.elt, cf);
        this.checkHashable(v);
        out.add(v);
      });
      return out;
    }
    const out = new PyDict();
    this.runComprehension(e.generators, f, (cf) => {
      const k = this.eval(e.key, cf);
      this.checkHashable(k);
      out.set(k, this.eval(e.value, cf));
    });
    return out;
  }

  private dictUpdateMapping(d: PyDict, v: PyValue): void {
    if (v instanceof PyDict) {
      for (const en of v.map.values()) d.set(en.key, en.value);
      return;
    }
    for (const [k, val] of this.mappingItems(v)) d.set(k, val);
  }

  private evalElts(elts: Expr[], f: Frame): PyValue[] {
    const out: PyValue[] = new Array(elts.length);
    let j = 0;
    for (let i = 0; i < elts.length; i++) {
      const x = elts[i];
      if (x.kind === 'Starred') {
        const items = this.iterate(this.eval(x.value, f));
        out.length += items.length - 1;
        for (const it of items) out[j++] = it;
      } else out[j++] = this.eval(x, f);
    }
    out.length = j;
    return out;
  }

  private assignWalrus(name: string, v: PyValue, f: Frame): void {
    let s: Scope = f.scope;
    while (s.kind === ScopeKind.Comprehension && s.parent) s = s.parent;
    if (s === f.scope) this.assignName(name, v, f);
    else if (s.kind === ScopeKind.Function && s.info!.globals.has(name)) s.globals.set(name, v);
    else s.vars.set(name, v);
  }

  private evalJoinedStr(e: JoinedStr, f: Frame): string {
    let out = '';
    for (const p of e.parts) out += typeof p === 'string' ? p : this.evalFormatted(p, f);
    return out;
  }

  private evalFormatted(e: Extract<Expr, { kind: 'FormattedValue' }>, f: Frame): string {
    let v = this.eval(e.value, f);
    let conv = e.conversion;
    const spec = e.formatSpec ? this.evalJoinedStr(e.formatSpec, f) : '';
    if (e.selfDoc !== undefined && !conv && !e.formatSpec) conv = 'r';
    if (conv === 'r' || conv === 'a') v = this.repr(v);
    else if (conv === 's') v = this.str(v);
    const s = spec === '' && typeof v === 'string' ? v : this.format(v, spec);
    return e.selfDoc !== undefined ? e.selfDoc + s : s;
  }

  private evalCall(e: Extract<Expr, { kind: 'Call' }>, f: Frame): PyValue {
    const fe = e.func;
    let fn: PyValue;
    let self: PyValue | undefined;
    if (fe.kind === 'Attribute') {
      const obj = this.eval(fe.value, f);
      // Method-call fast path: no bound-method object for functions found on the type.
      if (obj instanceof PyInstance) {
        const ca = directMethod(obj, fe.attr);
        if (ca !== undefined) {
          fn = ca;
          self = obj;
        } else fn = this.getAttr(obj, fe.attr);
      } else if (obj instanceof PyList || typeof obj === 'string' || obj instanceof PyDict || obj instanceof PyTuple) {
        const ca = lookupType(typeOf(obj), fe.attr);
        if (ca instanceof PyBuiltinFunction) {
          fn = ca;
          self = obj;
        } else fn = this.getAttr(obj, fe.attr);
      } else fn = this.getAttr(obj, fe.attr);
    } else fn = this.eval(fe, f);
    // Arguments.
    let args: PyValue[];
    const a = e.args;
    if (self !== undefined) {
      args = [self];
      for (let i = 0; i < a.length; i++) {
        const x = a[i];
        if (x.kind === 'Starred') for (const it of this.iterate(this.eval(x.value, f))) args.push(it);
        else args.push(this.eval(x, f));
      }
    } else {
      let hasStar = false;
      for (let i = 0; i < a.length; i++) if (a[i].kind === 'Starred') hasStar = true;
      if (!hasStar) {
        args = new Array(a.length);
        for (let i = 0; i < a.length; i++) args[i] = this.eval(a[i], f);
      } else args = this.evalElts(a, f);
    }
    let kwargs = NO_KWARGS;
    if (e.keywords.length) {
      kwargs = new Map();
      for (const k of e.keywords) {
        const v = this.eval(k.value, f);
        if (k.name !== undefined) {
          if (kwargs.has(k.name)) this.raise('SyntaxError', `keyword argument repeated: ${k.name}`);
          kwargs.set(k.name, v);
        } else {
          for (const [kk, vv] of this.mappingItems(v)) {
            if (typeof kk !== 'string') this.raise('TypeError', 'keywords must be strings');
            if (kwargs.has(kk)) this.raise('TypeError', `${this.callableName(fn, true)}() got multiple values for keyword argument '${kk}'`);
            kwargs.set(kk, vv);
          }
        }
      }
    }
    const prev = f.call;
    f.call = e;
    const r = fn instanceof PyFunction ? this.callFunction(fn, args, kwargs) : this.callValue(fn, args, kwargs, e);
    f.call = prev;
    return r;
  }

  callableName(fn: PyValue, withModule = false): string {
    if (fn instanceof PyFunction) {
      const m = fn.globals.dict.get('__name__');
      return withModule && typeof m === 'string' ? `${m}.${fn.qualname}` : fn.qualname;
    }
    if (fn instanceof PyBuiltinFunction) return fn.name;
    if (fn instanceof PyBoundMethod) return this.callableName(fn.func, withModule);
    if (fn instanceof PyClass) return fn.name;
    return typeName(fn);
  }

  // ================================================================ comprehensions & generators

  private runComprehension(gens: Comprehension[], f: Frame, emit: (f: Frame) => void): void {
    const first = this.eval(gens[0].iter, f);
    const outer = f.scope;
    const parent = outer;
    f.scope = new Scope(ScopeKind.Comprehension, new Map(), parent, outer.globals, null);
    try {
      this.compLoop(gens, 0, first, f, emit);
    } finally {
      f.scope = outer;
    }
  }

  private compLoop(gens: Comprehension[], i: number, iterable: PyValue, f: Frame, emit: (f: Frame) => void): void {
    const g = gens[i];
    const next = this.iterFn(iterable);
    const last = i === gens.length - 1;
    outer: for (;;) {
      const v = next();
      if (v === STOP) return;
      this.tick();
      if (g.target.kind === 'Name') f.scope.vars.set(g.target.id, v);
      else this.assignTarget(g.target, v, f);
      for (const c of g.ifs) if (!this.truthy(this.eval(c, f))) continue outer;
      if (last) emit(f);
      else this.compLoop(gens, i + 1, this.eval(gens[i + 1].iter, f), f, emit);
    }
  }

  private makeGeneratorExp(elt: Expr, gens: Comprehension[], f: Frame, span: Span): PyIterator {
    const first = this.eval(gens[0].iter, f);
    const scope = new Scope(ScopeKind.Comprehension, new Map(), f.scope, f.scope.globals, null);
    const frame = new Frame(scope, f.info, f.fn, f.qual + '<genexpr>.');
    frame.stmt = span;
    return this.wrapGenerator(genexpLoop(this, elt, gens, frame, 0, first), frame);
  }

  wrapGenerator(gen: Generator<PyValue, unknown, PyValue>, frame: Frame): PyIterator {
    let done = false;
    return new PyIterator(() => {
      if (done) return STOP;
      this.enterFrame(frame);
      try {
        const r = gen.next(null);
        if (r.done) {
          done = true;
          return STOP;
        }
        return r.value as PyValue;
      } catch (e) {
        done = true;
        throw this.noteFrame(e, frame);
      } finally {
        this.leaveFrame();
      }
    }, 'generator');
  }

  private makeGenerator(fn: PyFunction, frame: Frame): PyIterator {
    const def = fn.def as FunctionDef;
    return this.wrapGenerator(genBlock(this, def.body, frame), frame);
  }

  // ================================================================ super()

  /** super() with zero arguments inside a method, or super(cls, obj). */
  makeSuper(args: PyValue[]): PySuper {
    let cls: PyValue;
    let obj: PyValue;
    if (args.length === 0) {
      const f = this.frames[this.frames.length - 1];
      const fn = f?.fn;
      if (!fn || !fn.definingClass) return this.raise('RuntimeError', 'super(): __class__ cell not found');
      const first = fnInfo(fn.def).firstParam;
      // Inside a comprehension or generator expression the method's own scope is further out.
      let sc: Scope | null = f.scope;
      while (sc !== null && sc.kind === ScopeKind.Comprehension) sc = sc.parent;
      const v = first !== undefined && sc !== null ? sc.vars.get(first) : undefined;
      if (v === undefined) return this.raise('RuntimeError', 'super(): no arguments');
      cls = fn.definingClass;
      obj = v;
    } else {
      cls = args[0];
      obj = args.length > 1 ? args[1] : null;
    }
    if (!(cls instanceof PyClass)) return this.raise('TypeError', `super() argument 1 must be a type, not ${typeName(cls)}`);
    const start = obj instanceof PyClass && isSubclass(obj, cls) ? obj : typeOf(obj);
    if (!isSubclass(start, cls) && !(obj instanceof PyOpaque))
      this.raise('TypeError', 'super(type, obj): obj must be an instance or subtype of type');
    return new PySuper(cls, obj, start);
  }

  // ================================================================ modules

  /** Registers a module's source so locations in it resolve. */
  registerModuleInfo(info: ModuleInfo): void {
    this.moduleInfos.set(info.file, info);
    this.infoByModule.set(info.module, info);
  }

  /** Pushes a Python frame, counting it against the recursion limit; every caller pairs it with leaveFrame. */
  private enterFrame(frame: Frame): void {
    if (++this.depth > this.limits.recursion) {
      this.depth--;
      throw this.recursionLimit();
    }
    this.frames.push(frame);
  }

  private leaveFrame(): void {
    this.frames.pop();
    this.depth--;
  }

  /** Executes a parsed module body in its own frame. */
  execModuleBody(mod: Module, info: ModuleInfo): void {
    const scope = new Scope(ScopeKind.Module, info.module.dict, null, info.module.dict, null);
    const frame = new Frame(scope, info, null, '');
    this.enterFrame(frame);
    try {
      this.execBlock(mod.body, frame);
    } catch (e) {
      throw this.noteFrame(e, frame);
    } finally {
      this.leaveFrame();
    }
  }

  /** Evaluates one expression in a module's globals (used for entry expressions). */
  evalExpression(expr: Expr, info: ModuleInfo, globals: PyModuleObject): PyValue {
    const scope = new Scope(ScopeKind.Module, globals.dict, null, globals.dict, null);
    const frame = new Frame(scope, info, null, '');
    frame.stmt = expr;
    this.enterFrame(frame);
    try {
      return this.eval(expr, frame);
    } catch (e) {
      throw this.noteFrame(e, frame);
    } finally {
      this.leaveFrame();
    }
  }

  /** The module info of the innermost frame (the importing file for imports). */
  currentModuleInfo(): ModuleInfo | undefined {
    return this.frames[this.frames.length - 1]?.info;
  }

  /** Exceptions raised by executing unparsable code (already reported as syntax errors). */
  isSyntaxPlaceholder(exc: PyInstance): boolean {
    return syntaxRaises.has(exc);
  }

  binop(op: Parameters<typeof binop>[1], a: PyValue, b: PyValue): PyValue {
    return binop(this, op, a, b);
  }
  compare(op: Parameters<typeof compareOp>[1], a: PyValue, b: PyValue): PyValue {
    return compareOp(this, op, a, b);
  }
  tuple(items: PyValue[]): PyTuple {
    return new PyTuple(items);
  }

  hashOf(v: PyValue): number {
    this.checkHashable(v);
    if (typeof v === 'number') return v;
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (v === null) return 0x5f3759;
    if (v instanceof PyFloat) return Number.isInteger(v.v) ? v.v : Math.floor(v.v * 1e6) | 0;
    if (v instanceof PyInstance) {
      const h = lookupType(v.cls, '__hash__');
      if (h !== undefined && h !== null && !this.isObjectDefault(h)) return this.toInt(this.callMethod(h, v, []));
    }
    const k = hashKey(v);
    let h = 0;
    for (let i = 0; i < k.length; i++) h = (Math.imul(h, 31) + k.charCodeAt(i)) | 0;
    return h;
  }
}

export { describeError, evalInRun, runModule, type RunError, type RunOptions, type RunResult } from './run';
