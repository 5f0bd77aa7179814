// The numeric half of the op dispatcher: runs an entry's tfjs forward inside tf.tidy, stores the values on the
// output tensors (views share their base's storage), and records the op's autograd node with the tensors its
// backward saved, as PyTorch's autograd would.

import * as tf from '@tensorflow/tfjs-core';
import { GradNode, SavedTensor, edgeTo, type BackwardFn } from '../autograd/graph';
import { PyList, PyTuple, type PyValue } from '../runtime/values';
import { getRecorder } from '../trace/recorder';
import { TorchError } from './errors';
import type { NumericRun } from './numericRun';
import type { DType } from './dtype';
import { castTo, operandValue, tfDtype, tidy, val } from './numericValues';
import type { OpEntry, OpEnv } from './registry';
import type { Args } from './signature';
import { isTensor, rowMajorStrides, type Tensor } from './tensor';

/** Gradients a backward formula returns, by argument name (a list for a sequence-of-tensors argument; '*' = varargs). */
export type GradsByName = Record<string, tf.Tensor | null | undefined | Array<tf.Tensor | null | undefined>>;

interface Slot {
  name: string;
  tensor: Tensor;
}

/** What an op's numeric forward sees. */
export class NumericCall {
  /** The backward formula registered by the forward, if any. */
  backwardFn: ((gy: tf.Tensor[]) => GradsByName) | null = null;
  /** Views: for output i, the function that reads it from input `name`'s values. */
  readonly views = new Map<number, { from: Tensor; fn: (v: tf.Tensor) => tf.Tensor }>();
  readonly saved: SavedTensor[] = [];
  readonly savedOutputs: number[] = [];
  holdsValues = false;

  constructor(
    readonly a: Args,
    readonly env: OpEnv,
    readonly run: NumericRun,
    /** Tensor inputs in signature order, as they were before an in-place change. */
    readonly inputs: Tensor[],
    readonly slots: Slot[],
    /** The tensors the op returns, or the tensor an in-place op changed. */
    readonly outputs: Tensor[],
    /** The op records an autograd node (grad mode on, some input requires grad). */
    readonly grad: boolean,
  ) {}

  /** The input tensor bound to argument `name` (its pre-mutation snapshot for in-place ops). */
  t(name: string): Tensor {
    const s = this.slots.find((x) => x.name === name);
    if (!s) throw new Error(`numeric: no tensor argument '${name}'`);
    return s.tensor;
  }
  has(name: string): boolean {
    return this.slots.some((x) => x.name === name);
  }
  /** Tensors of a sequence argument (torch.cat's `tensors`). */
  list(name: string): Tensor[] {
    return this.slots.filter((x) => x.name === name).map((x) => x.tensor);
  }
  /** The values of argument `name`. */
  v(name: string): tf.Tensor {
    return val(this.t(name));
  }
  /** Whether argument `name` is a tensor that needs a gradient from this op. */
  needs(name: string): boolean {
    return this.grad && this.slots.some((x) => x.name === name && x.tensor.requiresGrad);
  }
  /** Saves argument `name` for backward (checked against in-place changes) and returns its values. */
  save(name: string): tf.Tensor {
    const t = this.t(name);
    if (this.grad) {
      this.saved.push(new SavedTensor(t));
      this.holdsValues = true;
    }
    return val(t);
  }
  /** Saves output `i` (e.g. relu's result): modifying it in place later makes backward raise. */
  saveOutput(i = 0): void {
    if (this.grad) {
      this.savedOutputs.push(i);
      this.holdsValues = true;
    }
  }
  /** Keeps an intermediate value of the forward for the backward formula. */
  keep<T extends tf.Tensor>(t: T): T {
    if (this.grad) this.holdsValues = true;
    return this.run.keep(t);
  }
  /** Registers the backward formula (only runs when the op records a node). */
  backward(fn: (gy: tf.Tensor[]) => GradsByName): void {
    this.backwardFn = fn;
  }
  /** Output `i` is a view of argument `name`: it shares its storage and version counter. */
  view(name: string, fn: (v: tf.Tensor) => tf.Tensor, i = 0): void {
    this.views.set(i, { from: this.t(name), fn });
  }
  /** The output tensor `i`. */
  out(i = 0): Tensor {
    return this.outputs[i];
  }
  /** Argument `name` as a value of dtype `d`: a tensor's values or a Python scalar as a 0-d tensor. */
  operand(name: string, d: DType): tf.Tensor {
    if (this.has(name)) return castTo(this.v(name), d);
    return operandValue(this.a.get(name), d);
  }
  /**
   * An op written as a composition of tfjs ops over the named tensor arguments (all as float32); its backward is
   * tfjs's autodiff of the same composition (the forward is recomputed then). `save` lists the arguments PyTorch
   * saves for this op (default: all of them), for the in-place checks.
   */
  composite(names: string[], f: (...xs: tf.Tensor[]) => tf.Tensor, save: string[] = names): tf.Tensor {
    const present = names.filter((n) => this.has(n));
    const vals = (xs: tf.Tensor[]) => names.map((n) => (this.has(n) ? xs[present.indexOf(n)] : (undefined as unknown as tf.Tensor)));
    const xs = present.map((n) => castTo(this.v(n), 'float32'));
    if (this.grad) {
      // Linear ops (pad, pooling, resampling) save nothing: their gradient does not depend on the input values.
      for (const n of save) if (this.has(n)) this.save(n);
      const need = present.filter((n) => this.needs(n));
      this.backward((gy) => {
        // Distinct handles per argument, so an op given the same tensor twice (mse_loss(x, x)) gets one
        // gradient per argument rather than their sum twice.
        const ins = present.map((n) => tf.clone(castTo(this.v(n), 'float32')));
        const idx = need.map((n) => present.indexOf(n));
        const { grads } = tf.engine().gradients(
          () => f(...vals(ins)),
          idx.map((i) => ins[i]),
          gy[0],
          true,
        );
        const out: GradsByName = {};
        need.forEach((n, k) => (out[n] = grads[k] ?? null));
        return out;
      });
    }
    return f(...vals(xs));
  }
}

/** The tensor inputs of a bound call by argument name, in the order tensorInputs() lists them. */
function slotsOf(a: Args, mutated: Map<Tensor, Tensor>): Slot[] {
  const out: Slot[] = [];
  const take = (name: string, v: PyValue | undefined) => {
    if (isTensor(v)) out.push({ name, tensor: mutated.get(v) ?? v });
    else if (v instanceof PyList || v instanceof PyTuple) for (const it of v.items) if (isTensor(it)) out.push({ name, tensor: mutated.get(it) ?? it });
  };
  for (const [k, v] of a.values) take(k, v);
  for (const v of a.varargs) take('*', v);
  return out;
}

/** Runs an entry's numeric forward for one call and wires the results into tensors and the autograd graph. */
export function runNumeric(
  run: NumericRun,
  entry: OpEntry,
  env: OpEnv,
  a: Args,
  inputs: Tensor[],
  mutated: Map<Tensor, Tensor>,
  targets: Tensor[],
  gradFn: string | null,
): void {
  if (!entry.numeric) {
    throw new TorchError('NotImplementedError', `${entry.name}: Tensor Trace's numeric mode cannot compute this op yet`);
  }
  const forward = entry.numeric;
  const slots = slotsOf(a, mutated);
  const grad = gradFn !== null;
  const c = new NumericCall(a, env, run, inputs, slots, targets, grad);
  let result: tf.Tensor | tf.Tensor[] | void;
  try {
    // Without autograd the forward's temporaries are freed at once; with it, its backward formula may hold any of
    // them (casts, scalars), so they live in the run's scope until the run ends.
    result = grad ? forward(c) : tidy(() => forward(c));
  } catch (e) {
    if (e instanceof TorchError || !(e instanceof Error)) throw e;
    if (e.name === 'LimitExceeded') throw e;
    throw new TorchError('RuntimeError', `${entry.name} (numeric): ${e.message}`, undefined, 'internal');
  }
  const values = result === undefined ? [] : Array.isArray(result) ? result : [result];
  targets.forEach((t, i) => {
    const view = c.views.get(i);
    if (view) {
      const src = view.from;
      const prev = src.viewFn;
      t.storage = src.storage;
      t.viewFn = prev ? (r) => view.fn(prev(r)) : view.fn;
      t.vc = src.vc;
      return;
    }
    const v = values[i];
    if (!v) return;
    const want = tfDtype(t.dtype);
    const value = v.dtype === want ? v : run.keep(tidy(() => castTo(v, want)));
    // Data-dependent shapes (boolean masks, nonzero): the values know the real size.
    if (!mutated.has(t) && (value.shape.length !== t.shape.length || value.shape.some((d, k) => d !== t.shape[k]))) {
      t.shape = [...value.shape];
      t.strides = rowMajorStrides(t.shape);
    }
    t.data = value;
  });
  if (grad) recordNode(c, gradFn as string, inputs, targets);
  run.check();
}

function recordNode(c: NumericCall, name: string, inputs: Tensor[], outputs: Tensor[]): void {
  const rec = getRecorder(c.env.interp);
  const slots = c.slots;
  const fn = c.backwardFn;
  const backward: BackwardFn = fn
    ? (gy) => {
        const byName = fn(gy);
        const seen = new Map<string, number>();
        return slots.map((s) => {
          const v = byName[s.name];
          if (Array.isArray(v)) {
            const k = seen.get(s.name) ?? 0;
            seen.set(s.name, k + 1);
            return v[k] ?? null;
          }
          return s.tensor.requiresGrad ? (v ?? null) : null;
        });
      }
    : () => {
        throw new TorchError('NotImplementedError', `the derivative of ${c.env.entry.name} (${name}) is not implemented in Tensor Trace's numeric mode`);
      };
  const node = new GradNode(
    name,
    inputs.map(edgeTo),
    outputs.map((t) => [...t.shape]),
    backward,
    c.saved,
    rec ? rec.callPath() : [],
  );
  node.holdsValues = c.holdsValues;
  outputs.forEach((t, i) => {
    if (!t.isFloating || !t.requiresGrad) return;
    t.gradNode = node;
    t.outputNr = i;
  });
  for (const i of c.savedOutputs) if (outputs[i]) node.saved.push(new SavedTensor(outputs[i], name));
  // The op's producer record points at its node, so the trace can tell which consumer a gradient came through.
  for (const t of outputs) if (t.producer && t.producer.kind === 'op') t.producer.node = node;
}
