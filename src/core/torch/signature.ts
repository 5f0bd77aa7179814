// Python signatures for torch ops, parsed once from a string such as 'cat(tensors: Tensors, dim: int = 0)',
// and the binder that maps a call's arguments onto them with PyTorch's (or Python's) TypeError texts.

import { PyFloat, PyList, PyOpaque, PyTuple, type CallArgs, type PyValue } from '../runtime/values';
import { TorchError, typeError } from './errors';
import { isTensor, type Tensor } from './tensor';

/** Parameter type tags understood by the binder. '?' suffix = None allowed. */
export type ParamType =
  | 'any'
  | 'Tensor'
  | 'Tensors'
  | 'int'
  | 'ints'
  | 'float'
  | 'bool'
  | 'str'
  | 'Scalar'
  | 'dtype';

export interface SigParam {
  name: string;
  type: ParamType;
  optional: boolean;
  /** Undefined when required. */
  default?: PyValue;
  kind: 'posonly' | 'normal' | 'kwonly' | 'varargs' | 'varkw';
}

export interface Signature {
  /** Name used in error messages, e.g. 'cat' or 'Conv2d.__init__'. */
  name: string;
  params: SigParam[];
  /** 'torch': PyTorch's C++ argument parser texts; 'python': CPython's texts (nn layer constructors). */
  style: 'torch' | 'python';
}

// ------------------------------------------------------------------ parsing

/** Parses 'name(a, b: Tensor = None, *, c=1)'. Throws a JS Error for a malformed signature (a programming bug). */
export function parseSignature(text: string, style: 'torch' | 'python' = 'torch'): Signature {
  const m = /^\s*([\w.]+)\s*\(([\s\S]*)\)\s*$/.exec(text);
  if (!m) throw new Error(`bad signature: ${text}`);
  const params: SigParam[] = [];
  let kwOnly = false;
  for (const raw of splitTopLevel(m[2])) {
    const p = raw.trim();
    if (!p) continue;
    if (p === '*') {
      kwOnly = true;
      continue;
    }
    if (p === '/') {
      for (const q of params) if (q.kind === 'normal') q.kind = 'posonly';
      continue;
    }
    const pm = /^(\*\*|\*)?(\w+)\s*(?::\s*([\w]+)(\?)?)?\s*(?:=\s*([\s\S]+))?$/.exec(p);
    if (!pm) throw new Error(`bad parameter '${p}' in ${text}`);
    const [, star, name, type, q, def] = pm;
    const param: SigParam = {
      name,
      type: (type ?? 'any') as ParamType,
      optional: !!q,
      kind: star === '**' ? 'varkw' : star === '*' ? 'varargs' : kwOnly ? 'kwonly' : 'normal',
    };
    if (def !== undefined) {
      param.default = parseLiteral(def.trim());
      if (param.default === null) param.optional = true;
    }
    if (star === '*') kwOnly = true;
    params.push(param);
  }
  return { name: m[1], params, style };
}

function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  let quote = '';
  for (const ch of s) {
    if (quote) {
      cur += ch;
      if (ch === quote) quote = '';
      continue;
    }
    if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '(' || ch === '[') depth++;
    else if (ch === ')' || ch === ']') depth--;
    else if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
      continue;
    }
    cur += ch;
  }
  out.push(cur);
  return out;
}

/** Literal defaults: ints, floats, None, True/False, strings, tuples and lists of those. */
export function parseLiteral(s: string): PyValue {
  if (s === 'None') return null;
  if (s === 'True') return true;
  if (s === 'False') return false;
  if (/^-?\d+$/.test(s)) return Number(s);
  if (/^-?(\d+\.\d*|\.\d+|\d+(\.\d*)?[eE][-+]?\d+|inf)$/.test(s)) return new PyFloat(s.endsWith('inf') ? (s.startsWith('-') ? -Infinity : Infinity) : Number(s));
  if (/^(['"]).*\1$/.test(s)) return s.slice(1, -1);
  if ((s.startsWith('(') && s.endsWith(')')) || (s.startsWith('[') && s.endsWith(']'))) {
    const items = splitTopLevel(s.slice(1, -1))
      .map((x) => x.trim())
      .filter((x) => x)
      .map(parseLiteral);
    return s.startsWith('(') ? new PyTuple(items) : new PyList(items);
  }
  throw new Error(`bad default literal: ${s}`);
}

// ------------------------------------------------------------------ binding

/** A value's type for messages; unknown values say where they came from. */
export function describeValue(v: PyValue): string {
  if (v instanceof PyOpaque) return `an unknown value (${v.label}, which Tensor Trace does not model)`;
  return pyTypeName(v);
}

/** Python type name of a value, as error messages print it. */
export function pyTypeName(v: PyValue | undefined): string {
  if (v === undefined) return 'undefined';
  if (v === null) return 'NoneType';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return 'int';
  if (typeof v === 'string') return 'str';
  return v.typeName;
}

/** The bound arguments of one call, with typed accessors that raise PyTorch's TypeErrors. */
export class Args {
  constructor(
    readonly sig: Signature,
    /** Bound values by the signature's slot index (compiled(sig).slotIndex); undefined: never bound. */
    private readonly slots: PyValue[],
    /** Extra positional arguments collected by `*args`. */
    readonly varargs: PyValue[],
    /** Extra keyword arguments collected by `**kwargs`. */
    readonly varkw: Map<string, PyValue>,
    /** How many positional parameters were given positionally. */
    private readonly nPositional = 0,
    /** Names passed as keyword arguments (null: none). */
    private readonly keywords: ReadonlySet<string> | null = null,
  ) {}

  /** 1-based position of each argument given positionally. */
  get positions(): Map<string, number> {
    const m = new Map<string, number>();
    const pos = compiled(this.sig).positional;
    for (let i = 0; i < this.nPositional; i++) m.set(pos[i].name, i + 1);
    return m;
  }
  private position(name: string): number | undefined {
    const i = compiled(this.sig).positionIndex.get(name);
    return i !== undefined && i < this.nPositional ? i + 1 : undefined;
  }
  /** Names the caller passed as keyword arguments. */
  get explicitKw(): ReadonlySet<string> {
    return this.keywords ?? NO_NAMES;
  }
  /** Every bound parameter with its value, in signature order. */
  get values(): Map<string, PyValue> {
    const m = new Map<string, PyValue>();
    const names = compiled(this.sig).slotNames;
    for (let i = 0; i < names.length; i++) if (this.slots[i] !== undefined) m.set(names[i], this.slots[i]);
    return m;
  }
  /** The bound values in signature order, without their names (undefined where nothing was bound). */
  get boundValues(): readonly (PyValue | undefined)[] {
    return this.slots;
  }

  has(name: string): boolean {
    const i = compiled(this.sig).slotIndex.get(name);
    return i !== undefined && this.slots[i] !== undefined;
  }
  get(name: string): PyValue {
    const i = compiled(this.sig).slotIndex.get(name);
    if (i === undefined) return null;
    const v = this.slots[i];
    return v === undefined ? null : v;
  }
  /** Whether the caller passed the argument explicitly (not a default). */
  given(name: string): boolean {
    return this.position(name) !== undefined || (this.keywords !== null && this.keywords.has(name));
  }

  private fail(name: string, expected: string, v: PyValue): never {
    const pos = this.position(name);
    const where = pos !== undefined ? `argument '${name}' (position ${pos})` : `argument '${name}'`;
    throw typeError(`${this.sig.name}(): ${where} must be ${expected}, not ${describeValue(v)}`);
  }

  tensor(name: string): Tensor {
    const v = this.get(name);
    if (!isTensor(v)) this.fail(name, 'Tensor', v);
    return v;
  }
  optTensor(name: string): Tensor | null {
    const v = this.get(name);
    if (v === null) return null;
    if (!isTensor(v)) this.fail(name, 'Tensor', v);
    return v;
  }
  tensors(name: string): Tensor[] {
    const v = this.get(name);
    if (!(v instanceof PyList || v instanceof PyTuple)) this.fail(name, 'tuple of Tensors', v);
    const items = (v as PyList | PyTuple).items;
    items.forEach((t, i) => {
      if (!isTensor(t)) throw typeError(`expected Tensor as element ${i} in argument ${this.paramIndex(name)}, but got ${pyTypeName(t)}`);
    });
    return items as Tensor[];
  }
  private paramIndex(name: string): number {
    return this.sig.params.findIndex((p) => p.name === name);
  }
  int(name: string): number {
    const v = this.get(name);
    const n = asInt(v);
    if (n === undefined) this.fail(name, 'int', v);
    return n;
  }
  optInt(name: string): number | null {
    const v = this.get(name);
    if (v === null) return null;
    return this.int(name);
  }
  float(name: string): number {
    const v = this.get(name);
    const n = asFloat(v);
    if (n === undefined) this.fail(name, 'float', v);
    return n;
  }
  optFloat(name: string): number | null {
    return this.get(name) === null ? null : this.float(name);
  }
  bool(name: string): boolean {
    const v = this.get(name);
    if (typeof v === 'boolean') return v;
    if (typeof v === 'number') return v !== 0;
    if (v === null) return false;
    this.fail(name, 'bool', v);
  }
  str(name: string): string {
    const v = this.get(name);
    if (typeof v !== 'string') this.fail(name, 'str', v);
    return v;
  }
  optStr(name: string): string | null {
    const v = this.get(name);
    return v === null ? null : this.str(name);
  }
  /** An int or a tuple/list of ints; a single int is repeated `n` times when n is given. */
  ints(name: string, n?: number): number[] {
    const v = this.get(name);
    const n1 = asInt(v);
    if (n1 !== undefined) return n === undefined ? [n1] : new Array(n).fill(n1);
    if (v instanceof PyTuple || v instanceof PyList) {
      const out: number[] = [];
      for (const it of v.items) {
        const k = asInt(it);
        if (k === undefined) this.fail(name, 'tuple of ints', v);
        out.push(k);
      }
      return out;
    }
    this.fail(name, 'tuple of ints', v);
  }
  optInts(name: string, n?: number): number[] | null {
    return this.get(name) === null ? null : this.ints(name, n);
  }
}

/** A Python int (bools count, as in Python), or undefined. */
export function asInt(v: PyValue | undefined): number | undefined {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (isTensor(v) && v.shape.length === 0 && !v.isFloating) {
    // Numeric mode: a 0-d integer tensor is usable as an int (as PyTorch's __index__ allows).
    if (v.data) return Number(v.data.dataSync()[0]);
    throw typeError(`a symbolic tensor's value is not known (an int was needed); run a numeric trace`);
  }
  return undefined;
}

export function asFloat(v: PyValue | undefined): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof PyFloat) return v.v;
  return undefined;
}

export function isOpaque(v: PyValue | undefined): v is PyOpaque {
  return v instanceof PyOpaque;
}

const NO_NAMES: ReadonlySet<string> = new Set();
const NO_VARARGS: PyValue[] = Object.freeze([]) as unknown as PyValue[];
const NO_VARKW: Map<string, PyValue> = new Map();

/** A signature's parameters sorted out once, for binding calls quickly. */
interface CompiledSignature {
  /** posonly and normal parameters, in order. */
  positional: SigParam[];
  positionIndex: Map<string, number>;
  /** Parameters a keyword argument can name (normal and kwonly; the first of a name wins). */
  byKeyword: Map<string, SigParam>;
  hasVarargs: boolean;
  hasVarkw: boolean;
  /** normal, posonly and kwonly parameters, in order (they get defaults). */
  named: SigParam[];
  /** Parameters whose type tag is checked (checkType does something for them). */
  typed: SigParam[];
  /** Keyword-only parameters a call must give (no default, not optional). */
  requiredKwonly: SigParam[];
  /** Distinct names of the named parameters, in signature order: a bound call stores its values in this order. */
  slotNames: string[];
  slotIndex: Map<string, number>;
  /** Slot of each positional parameter, and of each named parameter. */
  positionSlot: number[];
  namedSlot: number[];
}

const compiledSignatures = new WeakMap<Signature, CompiledSignature>();

function compiled(sig: Signature): CompiledSignature {
  let c = compiledSignatures.get(sig);
  if (c === undefined) {
    const positional = sig.params.filter((p) => p.kind === 'posonly' || p.kind === 'normal');
    const byKeyword = new Map<string, SigParam>();
    for (const q of sig.params) if ((q.kind === 'normal' || q.kind === 'kwonly') && !byKeyword.has(q.name)) byKeyword.set(q.name, q);
    const named = sig.params.filter((p) => p.kind === 'normal' || p.kind === 'posonly' || p.kind === 'kwonly');
    const slotIndex = new Map<string, number>();
    for (const p of named) if (!slotIndex.has(p.name)) slotIndex.set(p.name, slotIndex.size);
    c = {
      positional,
      positionIndex: new Map(positional.map((p, i) => [p.name, i])),
      byKeyword,
      hasVarargs: sig.params.some((p) => p.kind === 'varargs'),
      hasVarkw: sig.params.some((p) => p.kind === 'varkw'),
      named,
      typed: sig.params.filter(
        (p) => p.kind !== 'varargs' && p.kind !== 'varkw' &&
          (p.type === 'Tensor' || p.type === 'Tensors' || p.type === 'int' || p.type === 'ints' || p.type === 'float' || p.type === 'Scalar'),
      ),
      requiredKwonly: sig.params.filter((p) => p.kind === 'kwonly' && p.default === undefined && !p.optional),
      slotNames: [...slotIndex.keys()],
      slotIndex,
      positionSlot: positional.map((p) => slotIndex.get(p.name)!),
      namedSlot: named.map((p) => slotIndex.get(p.name)!),
    };
    compiledSignatures.set(sig, c);
  }
  return c;
}

/** Binds a call to a signature; throws TorchError('TypeError') with the style's wording. */
export function bindArgs(sig: Signature, call: CallArgs): Args {
  const c = compiled(sig);
  const slotIndex = c.slotIndex;
  const slots: PyValue[] = new Array(c.slotNames.length);
  const positional = c.positional;
  const np = positional.length;
  const hasVarargs = c.hasVarargs;
  const fname = sig.name;
  const py = sig.style === 'python';
  const given = call.args;
  const n = given.length;

  // Positional arguments.
  let varargs = NO_VARARGS;
  if (n > np) {
    if (!hasVarargs) {
      const required = positional.filter((p) => p.default === undefined).length;
      if (required !== np) throw typeError(`${fname}() takes from ${required} to ${np} positional arguments but ${n} were given`);
      throw typeError(`${fname}() takes ${np} positional argument${np === 1 ? '' : 's'} but ${n} ${n === 1 ? 'was' : 'were'} given`);
    }
    varargs = given.slice(np);
  } else if (hasVarargs) varargs = [];
  const nPos = n < np ? n : np;
  for (let i = 0; i < nPos; i++) slots[c.positionSlot[i]] = given[i];

  // Keyword arguments.
  let keywords: Set<string> | null = null;
  const varkw = c.hasVarkw ? new Map<string, PyValue>() : NO_VARKW;
  if (call.kwargs.size > 0) {
    for (const [k, v] of call.kwargs) {
      const p = c.byKeyword.get(k);
      if (!p) {
        if (c.hasVarkw) {
          varkw.set(k, v);
          continue;
        }
        throw typeError(`${fname}() got an unexpected keyword argument '${k}'`);
      }
      const slot = slotIndex.get(k)!;
      if (slots[slot] !== undefined) throw typeError(`${fname}() got multiple values for argument '${k}'`);
      slots[slot] = v;
      (keywords ??= new Set()).add(k);
    }
  }

  // Missing required arguments, then defaults.
  let missing: SigParam[] | null = null;
  for (let i = nPos; i < np; i++) {
    const p = positional[i];
    if (slots[c.positionSlot[i]] === undefined && p.default === undefined && !p.optional) (missing ??= []).push(p);
  }
  if (missing) throw missingError(fname, missing.map((p) => p.name), py, 'positional');
  if (c.requiredKwonly.length) {
    const missingKw = c.requiredKwonly.filter((p) => slots[slotIndex.get(p.name)!] === undefined);
    if (missingKw.length) throw missingError(fname, missingKw.map((p) => p.name), py, 'keyword-only');
  }
  const named = c.named;
  for (let i = 0; i < named.length; i++) {
    const p = named[i];
    const slot = c.namedSlot[i];
    if (slots[slot] === undefined) slots[slot] = p.default === undefined ? null : p.default;
  }

  const args = new Args(sig, slots, varargs, varkw, nPos, keywords);
  // Type tags on parameters are checked eagerly so every op gets the same messages.
  for (const p of c.typed) {
    const v = slots[slotIndex.get(p.name)!] ?? null;
    if (v === null && (p.optional || p.default === null)) continue;
    if (!args.given(p.name)) continue;
    checkType(args, p, v);
  }
  return args;
}

function checkType(args: Args, p: SigParam, v: PyValue): void {
  switch (p.type) {
    case 'Tensor':
      args.tensor(p.name);
      return;
    case 'Tensors':
      args.tensors(p.name);
      return;
    case 'int':
      args.int(p.name);
      return;
    case 'ints':
      args.ints(p.name);
      return;
    case 'float':
      args.float(p.name);
      return;
    case 'Scalar':
      if (asFloat(v) === undefined && !isTensor(v)) args.float(p.name);
      return;
    default:
      return;
  }
}

function missingError(fname: string, names: string[], python: boolean, what: 'positional' | 'keyword-only'): TorchError {
  const n = names.length;
  if (!python) {
    // PyTorch's arg parser pluralises the other way round ("missing 1 required positional arguments").
    return typeError(`${fname}() missing ${n} required ${what} argument${n === 1 ? 's' : ''}: ${names.map((s) => `"${s}"`).join(', ')}`);
  }
  const quoted = names.map((s) => `'${s}'`);
  const list =
    n === 1 ? quoted[0] : n === 2 ? `${quoted[0]} and ${quoted[1]}` : `${quoted.slice(0, -1).join(', ')}, and ${quoted[n - 1]}`;
  return typeError(`${fname}() missing ${n} required ${what} argument${n === 1 ? '' : 's'}: ${list}`);
}
