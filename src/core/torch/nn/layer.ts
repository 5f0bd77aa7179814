// defineLayer(): the shape every built-in layer file shares — a native subclass of nn.Module whose __init__
// binds PyTorch's exact constructor signature, registers parameters/buffers, and whose forward calls an F op.

import {
  PyClass,
  PyFloat,
  PyInstance,
  PyTuple,
  type CallArgs,
  type CallContext,
  type NativeFn,
  type PyValue,
} from '../../runtime/values';
import * as tf from '@tensorflow/tfjs-core';
import { raiseTorchError, TorchError } from '../errors';
import { torchState } from '../state';
import { builtin, floatRepr } from '../native';
import { callOp } from '../registry';
import { bindArgs, parseSignature, type Args } from '../signature';
import type { Tensor } from '../tensor';
import { ModuleClass, moduleSetAttr } from './module';
import { moduleState, type ModuleState } from './moduleState';
import { newParameter } from './Parameter';

export interface LayerSpec {
  /** PyTorch class name ('Conv2d'). */
  name: string;
  /** Python module the class lives in ('torch.nn.modules.conv'). */
  module: string;
  /** Constructor signature including self, e.g. 'Conv2d.__init__(self, in_channels, …)'. Omit for no-arg layers. */
  sig?: string;
  /** Name used in constructor TypeErrors when it differs (PyTorch's _BatchNorm.__init__). */
  base?: PyClass;
  /** Sets attributes, parameters and buffers from the bound arguments. */
  init?(self: PyInstance, a: Args, ctx: CallContext): void;
  /** forward(self, *args); most layers take one input. */
  forward?(self: PyInstance, call: CallArgs, ctx: CallContext): PyValue;
  /** extra_repr as PyTorch prints it. */
  extraRepr?(self: PyInstance): string;
  /** Short label on a skip path. */
  describe?(self: PyInstance): string;
  /** Extra native methods (Sequential's __getitem__, append, …). */
  methods?: Record<string, NativeFn>;
}

/** Creates the native class for a layer. */
export function defineLayer(spec: LayerSpec): PyClass {
  const cls = new PyClass(spec.name, [spec.base ?? ModuleClass], new Map(), spec.module);
  const sig = spec.sig ? parseSignature(spec.sig, 'python') : parseSignature(`${spec.name}.__init__(self)`, 'python');
  cls.dict.set(
    '__init__',
    builtin(
      '__init__',
      (call, ctx) => {
        const self = call.args[0] as PyInstance;
        const st = moduleState(self);
        if (!st) return ctx.interp.raise('TypeError', `descriptor '__init__' requires a 'Module' object`);
        try {
          const a = bindArgs(sig, call);
          st.initCalled = true;
          st.layer = { extraRepr: (m: PyInstance) => (spec.extraRepr ? spec.extraRepr(m) : ''), describe: spec.describe };
          spec.init?.(self, a, ctx);
        } catch (e) {
          if (e instanceof TorchError) raiseTorchError(ctx.interp, e);
          throw e;
        }
        return null;
      },
      `${spec.name}.__init__`,
    ),
  );
  if (spec.forward) {
    const fwd = spec.forward;
    cls.dict.set(
      'forward',
      builtin(
        'forward',
        (call, ctx) => {
          try {
            return fwd(call.args[0] as PyInstance, { args: call.args.slice(1), kwargs: call.kwargs }, ctx);
          } catch (e) {
            if (e instanceof TorchError) raiseTorchError(ctx.interp, e);
            throw e;
          }
        },
        `${spec.name}.forward`,
      ),
    );
  }
  for (const [k, fn] of Object.entries(spec.methods ?? {})) cls.dict.set(k, builtin(k, fn, `${spec.name}.${k}`));
  return cls;
}

// ------------------------------------------------------------------ helpers for layer files

/** Reads a plain attribute the constructor stored (user code may have changed it since). */
export function attr(self: PyInstance, name: string): PyValue {
  const v = self.dict.get(name);
  return v === undefined ? null : v;
}

export function setAttrs(self: PyInstance, attrs: Record<string, PyValue>): void {
  const dict = self.dict;
  for (const k in attrs) dict.set(k, attrs[k]);
}

/**
 * How a numeric run fills a new parameter or buffer, as PyTorch's reset_parameters() does: `fanIn` is
 * uniform(±1/√fan_in) (kaiming_uniform_(a=√5) for weights, and the matching bias bound), `const` a fill,
 * `normal` N(0, 1).
 */
export type ParamInit = { kind: 'fanIn'; fanIn: number } | { kind: 'const'; value: number } | { kind: 'normal' };

/** Writes a parameter's or buffer's initial values in a numeric run (no-op in a symbolic one). */
export function initValues(t: Tensor, init: ParamInit, ctx: CallContext): void {
  const run = torchState(ctx.interp).numeric;
  if (!run) return;
  const n = t.numel;
  let v: tf.Tensor;
  if (init.kind === 'const') v = tf.fill(t.shape, init.value, t.dtype === 'int64' ? 'int32' : 'float32');
  else if (init.kind === 'normal') v = tf.tensor(run.rng.fillNormal(n), t.shape);
  else {
    const bound = init.fanIn > 0 ? 1 / Math.sqrt(init.fanIn) : 0;
    v = tf.tensor(run.rng.fillUniform(n, -bound, bound), t.shape);
  }
  t.data = run.keep(v);
}

/** Registers a parameter (or None) like `self.weight = Parameter(...)`; a numeric run fills it with `init`. */
export function addParam(self: PyInstance, name: string, shape: number[] | null, ctx: CallContext, init: ParamInit = { kind: 'const', value: 0 }): Tensor | null {
  const st = moduleState(self) as ModuleState;
  if (shape === null) {
    st.writableParams().set(name, null);
    return null;
  }
  const p = newParameter(shape);
  initValues(p, init, ctx);
  moduleSetAttr(self, name, p, ctx);
  return p;
}

export function addBuffer(self: PyInstance, name: string, t: Tensor | null, ctx?: CallContext, init?: ParamInit): void {
  if (t && ctx && init) initValues(t, init, ctx);
  (moduleState(self) as ModuleState).writableBuffers().set(name, t);
}

export function param(self: PyInstance, name: string): Tensor | null {
  return (moduleState(self) as ModuleState).params.get(name) ?? null;
}

export function buffer(self: PyInstance, name: string): Tensor | null {
  return (moduleState(self) as ModuleState).buffers.get(name) ?? null;
}

export const isTraining = (self: PyInstance): boolean => (moduleState(self) as ModuleState).training;

/** The single input of a one-input forward, with Python's missing-argument error. */
export function input1(call: CallArgs, ctx: CallContext, cls: string): PyValue {
  const v = call.args[0] ?? call.kwargs.get('input');
  if (v === undefined) return ctx.interp.raise('TypeError', `${cls}.forward() missing 1 required positional argument: 'input'`);
  if (call.args.length > 1) ctx.interp.raise('TypeError', `${cls}.forward() takes 2 positional arguments but ${call.args.length + 1} were given`);
  return v;
}

/** A tuple of ints from an int or sequence (PyTorch's _pair/_single/_triple). */
export function ntuple(v: PyValue, n: number): PyTuple {
  if (typeof v === 'number') return new PyTuple(new Array(n).fill(v));
  if (v instanceof PyTuple) return v;
  if (v && typeof v === 'object' && 'items' in v) return new PyTuple([...(v as { items: PyValue[] }).items]);
  return new PyTuple(new Array(n).fill(v));
}

/** Python repr of an attribute value for extra_repr texts. */
export function r(v: PyValue): string {
  if (v === null) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return `'${v}'`;
  if (v instanceof PyFloat) return floatRepr(v.v);
  if (v instanceof PyTuple) return v.items.length === 1 ? `(${r(v.items[0])},)` : `(${v.items.map(r).join(', ')})`;
  if (v && typeof v === 'object' && 'items' in v) return `[${(v as { items: PyValue[] }).items.map(r).join(', ')}]`;
  return String(v);
}

/** Calls an F op from a layer's forward. */
export function f(name: string, ctx: CallContext, args: PyValue[], kwargs?: Record<string, PyValue>): PyValue {
  return callOp(name, ctx, args, kwargs);
}

export const num = (v: PyValue): number => (typeof v === 'number' ? v : v instanceof PyFloat ? v.v : typeof v === 'boolean' ? Number(v) : NaN);
export const float = (v: number): PyFloat => new PyFloat(v);
