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
    readonly values: Map<string, PyValue>,
    /** Extra positional arguments collected by `*args`. */
    readonly varargs: PyValue[],
    /** Extra keyword arguments collected by `**kwargs`. */
    readonly varkw: Map<string, PyValue>,
    /** 1-based position of each argument given positionally. */
    readonly positions: Map<string, number>,
  ) {}

  has(name: string): boolean {
    return this.values.has(name);
  }
  get(name: string): PyValue {
    const v = this.values.get(name);
    return v === undefined ? null : v;
  }
  /** Whether the caller passed the argument explicitly (not a default). */
  given(name: string): boolean {
    return this.positions.has(name) || this.explicitKw.has(name);
  }
  readonly explicitKw = new Set<string>();

  private fail(name: string, expected: string, v: PyValue): never {
    const pos = this.positions.get(name);
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

/** Binds a call to a signature; throws TorchError('TypeError') with the style's wording. */
export function bindArgs(sig: Signature, call: CallArgs): Args {
  const values = new Map<string, PyValue>();
  const positions = new Map<string, number>();
  const varargs: PyValue[] = [];
  const varkw = new Map<string, PyValue>();
  const positional = sig.params.filter((p) => p.kind === 'posonly' || p.kind === 'normal');
  const hasVarargs = sig.params.some((p) => p.kind === 'varargs');
  const hasVarkw = sig.params.some((p) => p.kind === 'varkw');
  const fname = sig.name;
  const py = sig.style === 'python';

  // Positional arguments.
  call.args.forEach((v, i) => {
    if (i < positional.length) {
      values.set(positional[i].name, v);
      positions.set(positional[i].name, i + 1);
    } else if (hasVarargs) varargs.push(v);
  });
  if (call.args.length > positional.length && !hasVarargs) {
    const required = positional.filter((p) => p.default === undefined).length;
    const max = positional.length;
    const n = call.args.length;
    if (required !== max) throw typeError(`${fname}() takes from ${required} to ${max} positional arguments but ${n} were given`);
    throw typeError(`${fname}() takes ${max} positional argument${max === 1 ? '' : 's'} but ${n} ${n === 1 ? 'was' : 'were'} given`);
  }

  // Keyword arguments.
  const explicitKw = new Set<string>();
  for (const [k, v] of call.kwargs) {
    const p = sig.params.find((q) => q.name === k && (q.kind === 'normal' || q.kind === 'kwonly'));
    if (!p) {
      if (hasVarkw) {
        varkw.set(k, v);
        continue;
      }
      throw typeError(`${fname}() got an unexpected keyword argument '${k}'`);
    }
    if (values.has(k)) throw typeError(`${fname}() got multiple values for argument '${k}'`);
    values.set(k, v);
    explicitKw.add(k);
  }

  // Missing required arguments, then defaults.
  const missing = positional.filter((p) => !values.has(p.name) && p.default === undefined && !p.optional);
  if (missing.length) throw missingError(fname, missing.map((p) => p.name), py, 'positional');
  const missingKw = sig.params.filter((p) => p.kind === 'kwonly' && !values.has(p.name) && p.default === undefined && !p.optional);
  if (missingKw.length) throw missingError(fname, missingKw.map((p) => p.name), py, 'keyword-only');
  for (const p of sig.params) {
    if ((p.kind === 'normal' || p.kind === 'posonly' || p.kind === 'kwonly') && !values.has(p.name)) {
      values.set(p.name, p.default === undefined ? null : p.default);
    }
  }

  const args = new Args(sig, values, varargs, varkw, positions);
  for (const k of explicitKw) args.explicitKw.add(k);
  // Type tags on parameters are checked eagerly so every op gets the same messages.
  for (const p of sig.params) {
    if (p.kind === 'varargs' || p.kind === 'varkw') continue;
    const v = values.get(p.name) ?? null;
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
