// The op registry: one entry per torch / Tensor / F name, holding its signature, shape rule, grad_fn name, MACs
// and numeric forward on TensorFlow.js with its gradient. Aliases (torch.add, Tensor.add, +, __radd__) share one entry.
// Registering a qualified name twice throws.

import {
  NotImplemented,
  PyBuiltinFunction,
  PyFloat,
  PyInstance,
  PyList,
  PyTuple,
  type CallArgs,
  type CallContext,
  type Interp,
  type PyValue,
} from '../runtime/values';
import type * as tf from '@tensorflow/tfjs-core';
import { NO_KWARGS } from '../runtime/builtinTypes';
import { getRecorder } from '../trace/recorder';
import { runNumeric, type NumericCall } from './numericCall';
import type { DType } from './dtype';
import { raiseTorchError, TorchError } from './errors';
import { bindArgs, parseSignature, type Args, type Signature } from './signature';
import { torchState, type TorchState } from './state';
import { checkAllocation, isTensor, Tensor, TensorClass, type Shape } from './tensor';

/**
 * Numeric forward on tfjs for one op (see numericCall.ts): reads its inputs' values through the call, returns the
 * outputs' values (one per returned tensor, or the new value of an in-place op's target) and registers its
 * backward formula. The dispatcher runs it inside tf.tidy whenever the run is numeric and every input has values.
 */
export type NumericForward = (c: NumericCall) => tf.Tensor | tf.Tensor[] | void;

/** Everything an op implementation may use while it runs. */
export interface OpEnv {
  readonly interp: Interp;
  readonly ctx: CallContext;
  readonly entry: OpEntry;
  /** The alias the op was called by ('Tensor.view', 'add'). */
  readonly alias: string;
  readonly state: TorchState;
  /** A new output tensor (memory-checked unless the entry is a view). */
  out(shape: Shape, dtype?: DType): Tensor;
  /** Declares an in-place modification of `t`; returns the pre-modification snapshot. */
  mutate(t: Tensor): Tensor;
  /** Detail shown for this op on skip paths ('::2'). */
  detail?: string;
  /** Overrides the grad_fn name for this call. */
  gradFn?: string | null;
}

export type OpImpl = (a: Args, env: OpEnv) => PyValue;
export type MacsRule = (a: Args, outputs: Shape[]) => number;

export interface AliasSpec {
  /** Qualified name: 'torch.add', 'Tensor.add', 'Tensor.__radd__', 'F.relu'. */
  name: string;
  /** Own signature when it differs from the entry's (e.g. Tensor methods bind `self`). */
  sig?: string;
  /** Reflected operator: swap the first two positional arguments (`__radd__`). */
  reflected?: boolean;
  /** Operator dunder: return NotImplemented when the other operand is not a tensor or number. */
  dunder?: boolean;
  /** Name recorded in trace ops ('add' for `+`). */
  display?: string;
}

export interface OpSpec {
  /** Canonical qualified name ('torch.cat', 'Tensor.view', 'F.conv2d'). */
  name: string;
  /** Python signature, e.g. 'cat(tensors: Tensors, dim: int = 0)'. */
  sig: string;
  aliases?: Array<string | AliasSpec>;
  /** PyTorch's grad_fn class name for outputs ('CatBackward0'); null/absent = not differentiable. */
  gradFn?: string | null;
  impl: OpImpl;
  macs?: MacsRule;
  /** Numeric forward slot (tfjs); filled by the numeric mode. */
  numeric?: NumericForward;
  /** False for views and metadata ops: no memory check. */
  allocates?: boolean;
  /** False for ops that produce no traced tensor work (size(), dim(), …). */
  record?: boolean;
  /** Additions are checked for skip connections. */
  isAdd?: boolean;
}

export interface OpEntry extends Required<Pick<OpSpec, 'name' | 'impl'>> {
  readonly signature: Signature;
  readonly gradFn: string | null;
  readonly macs?: MacsRule;
  numeric?: NumericForward;
  readonly allocates: boolean;
  readonly record: boolean;
  readonly isAdd: boolean;
  readonly aliases: AliasSpec[];
}

interface Binding {
  entry: OpEntry;
  alias: AliasSpec;
  signature: Signature;
  fn: PyBuiltinFunction;
}

const byName = new Map<string, Binding>();
const entries = new Map<string, OpEntry>();
/** namesUnder results (every run builds the torch namespaces); cleared when an op is registered. */
const namesByPrefix = new Map<string, Array<[string, PyBuiltinFunction]>>();

/** Registers one op and all its aliases. Throws when any qualified name is already taken. */
export function registerOp(spec: OpSpec): OpEntry {
  const aliases: AliasSpec[] = [{ name: spec.name }, ...(spec.aliases ?? []).map((a) => (typeof a === 'string' ? { name: a } : a))];
  for (const a of aliases) if (byName.has(a.name)) throw new Error(`torch op '${a.name}' registered twice`);
  const entry: OpEntry = {
    name: spec.name,
    impl: spec.impl,
    signature: parseSignature(spec.sig),
    gradFn: spec.gradFn ?? null,
    macs: spec.macs,
    numeric: spec.numeric,
    allocates: spec.allocates ?? true,
    record: spec.record ?? true,
    isAdd: spec.isAdd ?? false,
    aliases,
  };
  entries.set(spec.name, entry);
  namesByPrefix.clear();
  for (const alias of aliases) {
    const signature = alias.sig ? parseSignature(alias.sig) : entry.signature;
    const short = alias.name.slice(alias.name.lastIndexOf('.') + 1);
    const fn = new PyBuiltinFunction(short, (call, ctx) => invoke(entry, alias, signature, call, ctx), alias.name);
    byName.set(alias.name, { entry, alias, signature, fn });
    if (alias.name.startsWith('Tensor.')) TensorClass.dict.set(short, fn);
  }
  return entry;
}

/** The entry a qualified name resolves to (aliases included). */
export function getOp(name: string): OpEntry | undefined {
  return byName.get(name)?.entry;
}

/** The Python callable for a qualified name. */
export function opFunction(name: string): PyBuiltinFunction | undefined {
  return byName.get(name)?.fn;
}

/** All qualified names under a namespace prefix ('torch.', 'F.'), with their callables. */
export function namesUnder(prefix: string): Array<[string, PyBuiltinFunction]> {
  let names = namesByPrefix.get(prefix);
  if (names === undefined) {
    names = [];
    for (const [name, b] of byName) {
      if (name.startsWith(prefix) && !name.slice(prefix.length).includes('.')) names.push([name.slice(prefix.length), b.fn]);
    }
    namesByPrefix.set(prefix, names);
  }
  return names.slice();
}

export function allEntries(): OpEntry[] {
  return [...entries.values()];
}

/** Calls an op from native code (layers' forward, other ops), with the same recording as a Python call. */
export function callOp(name: string, ctx: CallContext, args: PyValue[], kwargs?: Record<string, PyValue>): PyValue {
  const b = byName.get(name);
  if (!b) throw new Error(`unknown torch op ${name}`);
  return invoke(b.entry, b.alias, b.signature, { args, kwargs: kwargs ? new Map(Object.entries(kwargs)) : NO_KWARGS }, ctx);
}

/** Same as callOp, for ops known to return a tensor. */
export function callTensorOp(name: string, ctx: CallContext, args: PyValue[], kwargs?: Record<string, PyValue>): Tensor {
  const r = callOp(name, ctx, args, kwargs);
  if (!isTensor(r)) throw new Error(`${name} did not return a tensor`);
  return r;
}

/** The OpEnv of one op call; tensors it creates or modifies are tracked only once there are some. */
class OpCallEnv implements OpEnv {
  /** Tensors made by out(), in order (null: none). */
  created: Tensor[] | null = null;
  /** In-place targets → their pre-modification snapshots (null: none). */
  mutated: Map<Tensor, Tensor> | null = null;
  detail?: string;
  gradFn?: string | null;
  constructor(
    readonly interp: Interp,
    readonly ctx: CallContext,
    readonly entry: OpEntry,
    readonly alias: string,
    readonly state: TorchState,
  ) {}
  out(shape: Shape, dtype: DType = 'float32'): Tensor {
    if (this.entry.allocates) checkAllocation(shape, dtype, this.state.maxTensorBytes);
    const t = new Tensor([...shape], dtype);
    (this.created ??= []).push(t);
    return t;
  }
  mutate(t: Tensor): Tensor {
    let snap = this.mutated?.get(t);
    if (!snap) {
      if (this.state.gradEnabled && t.requiresGrad && t.isLeaf) {
        throw new TorchError('RuntimeError', 'a leaf Variable that requires grad is being used in an in-place operation.');
      }
      snap = t.snapshot();
      (this.mutated ??= new Map()).set(t, snap);
      t.version++;
    }
    return snap;
  }
}

const isOperand = (v: PyValue | undefined): boolean =>
  v === undefined || typeof v === 'number' || typeof v === 'boolean' || v instanceof PyFloat || isTensor(v);

function invoke(entry: OpEntry, alias: AliasSpec, signature: Signature, call: CallArgs, ctx: CallContext): PyValue {
  const interp = ctx.interp;
  let c = call;
  if (alias.dunder && !isOperand(call.args[1])) return NotImplemented;
  if (alias.reflected) c = { args: [call.args[1], call.args[0], ...call.args.slice(2)], kwargs: call.kwargs };
  const env = new OpCallEnv(interp, ctx, entry, alias.display ?? alias.name, torchState(interp));
  let args: Args | undefined;
  try {
    args = bindArgs(signature, c);
    const result = entry.impl(args, env);
    finish(entry, env, args, result);
    return result;
  } catch (e) {
    if (e instanceof TorchError) {
      if (entry.isAdd && args && e.operandShapes) {
        const [x, y] = tensorInputs(args);
        const rec = getRecorder(interp);
        if (x && y && rec?.sharesAncestor(x, y)) {
          e.code = 'skip-shape-mismatch';
          rec.onFailedAdd(x, y, ctx.file, ctx.span);
        }
      }
      raiseTorchError(interp, e);
    }
    throw e;
  }
}

/** Tensor arguments of a call in signature order (lists/tuples of tensors flattened one level). */
export function tensorInputs(a: Args): Tensor[] {
  const out: Tensor[] = [];
  const bound = a.boundValues;
  for (let i = 0; i < bound.length; i++) takeTensors(bound[i], out);
  for (let i = 0; i < a.varargs.length; i++) takeTensors(a.varargs[i], out);
  return out;
}

function takeTensors(v: PyValue | undefined, out: Tensor[]): void {
  if (isTensor(v)) out.push(v);
  else if (v instanceof PyList || v instanceof PyTuple) for (const it of v.items) if (isTensor(it)) out.push(it);
}

/** Tensors in an op's result: a tensor, a tuple/list of tensors, or a named tuple (values, indices). */
export function tensorOutputs(v: PyValue): Tensor[] {
  if (isTensor(v)) return [v];
  if (v instanceof PyTuple || v instanceof PyList) return v.items.filter(isTensor);
  if (v instanceof PyInstance && v.native instanceof PyTuple) return v.native.items.filter(isTensor);
  return [];
}

/** What an op that mutated nothing passes on as its mutated-tensor map (read only). */
const NOTHING_MUTATED: ReadonlyMap<Tensor, Tensor> = new Map();

/** Inputs as the op saw them: a tensor it changed in place is replaced by its snapshot from before the op. */
function snapshotsOf(inputs: Tensor[], mutated: Map<Tensor, Tensor>): Tensor[] {
  const out = new Array<Tensor>(inputs.length);
  for (let i = 0; i < inputs.length; i++) out[i] = mutated.get(inputs[i]) ?? inputs[i];
  return out;
}

/** Records where an op's output came from, and (when the op tracks gradients) its autograd parents. */
function stamp(t: Tensor, env: OpCallEnv, inputs: Tensor[], scope: number | null, gradFn: string | null, gradParents: Tensor[] | null): void {
  t.producer = { kind: 'op', op: env.alias, inputs, scope, detail: env.detail };
  if (gradParents !== null && t.isFloating) {
    t.requiresGrad = true;
    t.gradFn = gradFn;
    t.gradParents = gradParents;
  }
}

function finish(entry: OpEntry, env: OpCallEnv, a: Args, result: PyValue): void {
  const created = env.created;
  if (created === null && env.mutated === null) return;
  const mutated = env.mutated ?? (NOTHING_MUTATED as Map<Tensor, Tensor>);
  const inputs = tensorInputs(a);
  const outputs = tensorOutputs(result);
  const rec = getRecorder(env.interp);
  const scope = rec ? rec.currentCallId() : null;
  const gradFn = env.gradFn === undefined ? entry.gradFn : env.gradFn;
  const provInputs = env.mutated === null ? inputs : snapshotsOf(inputs, env.mutated);
  let gradInputs: Tensor[] | null = null;
  for (const t of provInputs) if (t.requiresGrad) (gradInputs ??= []).push(t);
  const tracksGrad = env.state.gradEnabled && gradFn !== null && gradInputs !== null;
  const gradOf = tracksGrad ? gradInputs : null;
  if (created !== null) for (const t of created) stamp(t, env, provInputs, scope, gradFn, gradOf);
  for (const t of mutated.keys()) stamp(t, env, provInputs, scope, gradFn, gradOf);
  // Numeric mode: when every input carries values, compute the outputs' values (and the op's autograd node).
  const run = env.state.numeric;
  if (run && provInputs.every((t) => t.data !== undefined)) {
    const targets = outputs.length ? outputs : [...mutated.keys()];
    runNumeric(run, entry, env, a, provInputs, mutated, targets, tracksGrad ? gradFn : null);
  }
  if (rec && entry.record) {
    const outs = outputs.length ? outputs : [...mutated.keys()];
    const macs = entry.macs ? entry.macs(a, outs.map((t) => t.shape)) : 0;
    rec.onOp({
      op: env.alias,
      detail: env.detail,
      file: env.ctx.file,
      span: env.ctx.span,
      inputs: provInputs,
      outputs: outs,
      macs,
      isAdd: entry.isAdd,
    });
  }
}
