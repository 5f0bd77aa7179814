// Autograd bookkeeping on symbolic tensors: backward() fills .grad of leaves (and retain_grad() tensors) with
// tensors of the right shape; requires_grad_/detach/retain_grad/item; no_grad/enable_grad/set_grad_enabled.

import * as tf from '@tensorflow/tfjs-core';
import { runBackward as runNumericBackward } from '../../autograd/engine';
import { PyBuiltinFunction, PyFloat, PyInstance, PyList, PyOpaque, PyTuple, type CallContext, type Interp, type PyValue } from '../../runtime/values';
import { getRecorder } from '../../trace/recorder';
import { raiseTorchError, runtimeError, TorchError, valueError } from '../errors';
import { castTo, tidy, val } from '../numericValues';
import { builtin, nativeClass } from '../native';
import { registerOp } from '../registry';
import { torchState } from '../state';
import { isTensor, sizeRepr, Tensor } from '../tensor';

/** PyTorch's checks on backward()'s root and gradient. */
function checkRoot(root: Tensor, gradient: Tensor | null): void {
  if (!root.requiresGrad) throw runtimeError('element 0 of tensors does not require grad and does not have a grad_fn');
  if (gradient === null && root.numel !== 1) throw runtimeError('grad can be implicitly created only for scalar outputs');
  if (gradient && (gradient.shape.length !== root.shape.length || gradient.shape.some((d, i) => d !== root.shape[i]))) {
    throw runtimeError(
      `Mismatch in shape: grad_output[0] has a shape of ${sizeRepr(gradient.shape)} and output[0] has a shape of ${sizeRepr(root.shape)}.`,
    );
  }
}

/** Walks the autograd graph from `root` and gives every reachable leaf requiring grad (and retain_grad tensors) a grad. */
export function runBackward(root: Tensor, gradient: Tensor | null, retainGraph: boolean): void {
  checkRoot(root, gradient);
  const seen = new Set<Tensor>();
  const stack: Tensor[] = [root];
  const freed = freedGraphs;
  while (stack.length) {
    const t = stack.pop() as Tensor;
    if (seen.has(t)) continue;
    seen.add(t);
    if (!t.isLeaf && freed.has(t)) {
      throw runtimeError(
        'Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or if you need to access saved tensors after calling backward.',
      );
    }
    if (t.requiresGrad && (t.isLeaf || t.retainsGrad) && !t.grad) {
      const g = new Tensor([...t.shape], t.dtype);
      g.device = t.device;
      t.grad = g;
    }
    for (const p of t.gradParents) stack.push(p);
  }
  if (!retainGraph) for (const t of seen) if (!t.isLeaf && t.gradFn !== null) freed.add(t);
}

/** Non-leaf tensors whose graph was freed by a backward() without retain_graph. */
const freedGraphs = new WeakSet<Tensor>();

registerOp({
  name: 'Tensor.backward',
  sig: 'backward(self: Tensor, gradient=None, retain_graph=None, create_graph: bool = False, inputs=None)',
  aliases: [{ name: 'torch.autograd.backward', sig: 'backward(self: Tensor, grad_tensors=None, retain_graph=None, create_graph: bool = False, grad_variables=None, inputs=None)' }],
  record: false,
  allocates: false,
  impl: (a, env) => {
    const self = a.tensor('self');
    const g = a.get('gradient') ?? a.get('grad_tensors');
    const retain = a.get('retain_graph') === true || a.get('create_graph') === true;
    const run = env.state.numeric;
    if (run && self.data) {
      // Numeric mode: real gradients through the recorded graph.
      checkRoot(self, isTensor(g) ? g : null);
      const seed = isTensor(g) ? tidy(() => castTo(val(g), 'float32')) : tf.onesLike(castTo(val(self), 'float32'));
      const rec = getRecorder(env.interp);
      runNumericBackward(run, [self], [seed], {
        retainGraph: retain,
        onEdge: rec ? (node, edge, grad) => rec.onGradEdge(node, edge, grad) : undefined,
        onDone: rec ? () => rec.onBackwardDone() : undefined,
      });
      return null;
    }
    runBackward(self, isTensor(g) ? g : null, retain);
    return null;
  },
});

registerOp({
  name: 'Tensor.retain_grad',
  sig: 'retain_grad(self: Tensor)',
  record: false,
  allocates: false,
  impl: (a, env) => {
    const self = a.tensor('self');
    if (!self.requiresGrad) throw runtimeError("can't retain_grad on Tensor that has requires_grad=False");
    if (!self.isLeaf) {
      self.retainsGrad = true;
      env.state.numeric?.retained.add(self);
    }
    return null;
  },
});

/** Sets requires_grad as PyTorch allows it (only on leaves, only for floating dtypes). */
export function setRequiresGrad(t: Tensor, v: boolean): void {
  if (!t.isLeaf) {
    if (v) return;
    throw runtimeError(
      "you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().",
    );
  }
  if (v && !t.isFloating) throw runtimeError('only Tensors of floating point dtype can require gradients');
  t.requiresGrad = v;
}

registerOp({
  name: 'Tensor.requires_grad_',
  sig: 'requires_grad_(self: Tensor, requires_grad: bool = True)',
  record: false,
  allocates: false,
  impl: (a) => {
    const self = a.tensor('self');
    setRequiresGrad(self, a.bool('requires_grad'));
    return self;
  },
});

/**
 * A tensor sharing `t`'s values with no autograd history. detach() also shares the version counter (in-place
 * changes through it are still caught by autograd); `.data` does not (`shareVersion` false).
 */
export function detached(t: Tensor, shareVersion = true): Tensor {
  const d = new Tensor([...t.shape], t.dtype);
  d.device = t.device;
  d.strides = [...t.strides];
  d.producer = t.producer;
  d.aliasOf(t);
  if (shareVersion) d.vc = t.vc;
  return d;
}

registerOp({
  name: 'torch.detach',
  sig: 'detach(input: Tensor)',
  aliases: ['Tensor.detach'],
  record: false,
  allocates: false,
  impl: (a) => detached(a.tensor('input')),
});

registerOp({
  name: 'Tensor.detach_',
  sig: 'detach_(self: Tensor)',
  record: false,
  allocates: false,
  impl: (a) => {
    const t = a.tensor('self');
    t.gradFn = null;
    t.gradParents = [];
    t.requiresGrad = false;
    return t;
  },
});

/** The symbolic stand-in for a Python number that only a numeric trace knows. */
export const UNKNOWN_ITEM_LABEL = 'tensor.item() (value known after a numeric trace)';

registerOp({
  name: 'Tensor.item',
  sig: 'item(self: Tensor)',
  record: false,
  allocates: false,
  impl: (a) => {
    const t = a.tensor('self');
    if (t.numel !== 1) throw valueError('only one element tensors can be converted to Python scalars');
    if (t.data) return pyScalarOf(t, 0);
    return new PyOpaque(UNKNOWN_ITEM_LABEL);
  },
});

registerOp({
  name: 'Tensor.tolist',
  sig: 'tolist(self: Tensor)',
  aliases: ['Tensor.numpy'],
  record: false,
  allocates: false,
  impl: (a) => {
    const t = a.tensor('self');
    if (t.data && a.sig.name === 'tolist') return toList(t);
    if (t.data && a.sig.name === 'numpy' && t.requiresGrad) {
      throw runtimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.");
    }
    if (t.requiresGrad && a.sig.name === 'tolist') return new PyOpaque('tensor.tolist() (values known after a numeric trace)');
    return new PyOpaque('tensor values (known after a numeric trace)');
  },
});

/** Element `i` (row-major) of a tensor with values, as the Python scalar item() returns (float, int or bool). */
export function pyScalarOf(t: Tensor, i: number): PyValue {
  const v = Number((t.data as tf.Tensor).dataSync()[i]);
  if (t.dtype === 'bool') return v !== 0;
  if (t.isFloating) return new PyFloat(v);
  return v;
}

/** tensor.tolist(): nested lists of Python scalars. */
function toList(t: Tensor): PyValue {
  const data = (t.data as tf.Tensor).dataSync();
  const conv = (v: number): PyValue => (t.dtype === 'bool' ? v !== 0 : t.isFloating ? new PyFloat(v) : v);
  if (t.ndim === 0) return conv(Number(data[0]));
  const build = (dim: number, off: number): PyValue => {
    const n = t.shape[dim];
    const stride = t.shape.slice(dim + 1).reduce((p, d) => p * d, 1);
    const items: PyValue[] = [];
    for (let i = 0; i < n; i++) items.push(dim === t.ndim - 1 ? conv(Number(data[off + i])) : build(dim + 1, off + i * stride));
    return new PyList(items);
  };
  return build(0, 0);
}

// ------------------------------------------------------------------ grad mode context managers

type GradModeNative = { mode: boolean; prev: boolean[] };

function gradModeClass(name: string, mode: (args: PyValue[]) => boolean) {
  const cls = nativeClass(name, 'torch.autograd.grad_mode', [], {
    __init__: (c) => {
      const self = c.args[0] as PyInstance;
      self.native = { mode: mode(c.args.slice(1)), prev: [] } satisfies GradModeNative;
      return null;
    },
    __enter__: (c, ctx) => {
      const st = (c.args[0] as PyInstance).native as GradModeNative;
      const ts = torchState(ctx.interp);
      st.prev.push(ts.gradEnabled);
      ts.gradEnabled = st.mode;
      return null;
    },
    __exit__: (c, ctx) => {
      const st = (c.args[0] as PyInstance).native as GradModeNative;
      const ts = torchState(ctx.interp);
      ts.gradEnabled = st.prev.pop() ?? true;
      return false;
    },
    __call__: (c) => {
      // Used as a decorator: @torch.no_grad()
      const self = c.args[0] as PyInstance;
      const fn = c.args[1];
      const st = self.native as GradModeNative;
      return new PyBuiltinFunction(
        'decorate_context',
        (call, ctx: CallContext) => {
          const ts = torchState(ctx.interp);
          const prev = ts.gradEnabled;
          ts.gradEnabled = st.mode;
          try {
            return ctx.interp.call(fn, call.args, call.kwargs, ctx.span);
          } finally {
            ts.gradEnabled = prev;
          }
        },
        'decorate_context',
      );
    },
  });
  return cls;
}

export const NoGradClass = gradModeClass('no_grad', () => false);
export const EnableGradClass = gradModeClass('enable_grad', () => true);
export const SetGradEnabledClass = gradModeClass('set_grad_enabled', (args) => args[0] !== false && args[0] !== 0);
export const InferenceModeClass = gradModeClass('inference_mode', (args) => args[0] === false);

// set_grad_enabled(False) also works as a plain call (no `with`).
SetGradEnabledClass.dict.set(
  '__init__',
  builtin('__init__', (c, ctx) => {
    const self = c.args[0] as PyInstance;
    const m = !(c.args[1] === false || c.args[1] === 0 || c.kwargs.get('mode') === false);
    const ts = torchState(ctx.interp);
    self.native = { mode: m, prev: [ts.gradEnabled] } satisfies GradModeNative;
    ts.gradEnabled = m;
    return null;
  }),
);
SetGradEnabledClass.dict.set(
  '__enter__',
  builtin('__enter__', () => null),
);

export const isGradEnabled = builtin('is_grad_enabled', (_c, ctx) => torchState(ctx.interp).gradEnabled, 'torch.is_grad_enabled');

/** torch.autograd.grad(outputs, inputs): gradients shaped like the inputs. */
export const autogradGrad = builtin(
  'grad',
  (c, ctx) => {
    const outputs = c.args[0] ?? c.kwargs.get('outputs') ?? null;
    const inputs = c.args[1] ?? c.kwargs.get('inputs') ?? null;
    const outs = isTensor(outputs) ? [outputs] : ctx.interp.iterate(outputs).filter(isTensor);
    const ins = isTensor(inputs) ? [inputs] : ctx.interp.iterate(inputs).filter(isTensor);
    try {
      for (const o of outs) {
        if (!o.requiresGrad) throw runtimeError('element 0 of tensors does not require grad and does not have a grad_fn');
      }
    } catch (e) {
      ctx.interp.raise('RuntimeError', (e as Error).message);
    }
    const run = torchState(ctx.interp).numeric;
    if (run && outs.every((o) => o.data) && ins.every((t) => t.data)) {
      return numericGrad(ctx.interp, outs, ins, c.args[2] ?? c.kwargs.get('grad_outputs') ?? null, c.kwargs.get('retain_graph') === true || c.kwargs.get('create_graph') === true);
    }
    return new PyTuple(
      ins.map((t) => {
        const g = new Tensor([...t.shape], t.dtype);
        g.device = t.device;
        return g;
      }),
    );
  },
  'torch.autograd.grad',
);

/** torch.autograd.grad in numeric mode: the gradients of `ins`, without touching any `.grad`. */
function numericGrad(interp: Interp, outs: Tensor[], ins: Tensor[], gradOutputs: PyValue, retain: boolean): PyValue {
  const run = torchState(interp).numeric;
  if (!run) return null;
  const gos = gradOutputs === null ? [] : isTensor(gradOutputs) ? [gradOutputs] : interp.iterate(gradOutputs).filter(isTensor);
  try {
    outs.forEach((o, i) => checkRoot(o, gos[i] ?? null));
    const seeds = outs.map((o, i) => (gos[i] ? tidy(() => castTo(val(gos[i]), 'float32')) : tf.onesLike(castTo(val(o), 'float32'))));
    const grads = runNumericBackward(run, outs, seeds, { retainGraph: retain, inputs: ins }) ?? [];
    return new PyTuple(
      ins.map((t, i) => {
        const g = grads[i];
        if (!g) {
          throw runtimeError('One of the differentiated Tensors appears to not have been used in the graph. Set allow_unused=True if this is the desired behavior.');
        }
        const r = new Tensor([...t.shape], t.dtype);
        r.device = t.device;
        r.data = g;
        return r;
      }),
    );
  } catch (e) {
    if (e instanceof TorchError) raiseTorchError(interp, e);
    throw e;
  }
}
