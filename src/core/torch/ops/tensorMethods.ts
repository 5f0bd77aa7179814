// Tensor attributes and conversions: .shape/.dtype/.device/.grad/.requires_grad/.is_leaf/.grad_fn/.T/.data,
// to()/cpu()/cuda()/float()/long()/type_as(), clone, printing, len/iter/bool, torch.is_tensor & co.

import * as tf from '@tensorflow/tfjs-core';
import {
  PyClass,
  PyFloat,
  PyInstance,
  PyIterator,
  PyOpaque,
  PyTuple,
  STOP,
  objectId,
  type CallArgs,
  type CallContext,
  type PyValue,
} from '../../runtime/values';
import { DTYPES, LEGACY_TYPE, PyDevice, PyDtype, parseDevice, type DType } from '../dtype';
import { raiseTorchError, runtimeError, TorchError, typeError } from '../errors';
import { builtin, defineMethod, nativeClass } from '../native';
import { callOp, registerOp } from '../registry';
import { pyTypeName } from '../signature';
import { torchState } from '../state';
import { isTensor, type Tensor, TensorClass, tensorRepr } from '../tensor';
import { tensorFallback } from '../unsupported';
import { castTo } from '../numericValues';
import { numericRepr } from '../printing';
import { detached, pyScalarOf, setRequiresGrad } from './autograd';

function self(call: CallArgs, ctx: CallContext): Tensor {
  const t = call.args[0];
  if (!isTensor(t)) return ctx.interp.raise('TypeError', `descriptor requires a 'torch._C._TensorBase' object but received a '${pyTypeName(t)}'`);
  return t;
}

// ------------------------------------------------------------------ grad_fn objects

const gradFnClasses = new Map<string, PyClass>();

/** The object `tensor.grad_fn` returns: prints as `<AddBackward0 object at 0x…>`, has name(). */
export function gradFnObject(name: string): PyInstance {
  let cls = gradFnClasses.get(name);
  if (!cls) {
    cls = nativeClass(name, 'torch.autograd', [], {
      name: () => name,
      __repr__: (c) => `<${name} object at 0x${(0x7f0000000000 + objectId(c.args[0] as PyInstance) * 16).toString(16)}>`,
    });
    gradFnClasses.set(name, cls);
  }
  return new PyInstance(cls);
}

// ------------------------------------------------------------------ attributes

/** Attribute reads not found on the class (PyTorch exposes these as C properties). */
function tensorAttr(t: Tensor, name: string, ctx: CallContext): PyValue | undefined {
  switch (name) {
    case 'shape':
      return new PyTuple([...t.shape], true);
    case 'dtype':
      return DTYPES[t.dtype];
    case 'device':
      return parseDevice(t.device === 'cuda' ? 'cuda:0' : t.device) ?? new PyDevice('cpu');
    case 'grad':
      if (!t.isLeaf && !t.retainsGrad) return null;
      return t.grad;
    case 'requires_grad':
      return t.requiresGrad;
    case 'is_leaf':
      return t.isLeaf;
    case 'grad_fn':
      return t.gradFn ? gradFnObject(t.gradFn) : null;
    case 'ndim':
      return t.ndim;
    case 'is_cuda':
      return t.device.startsWith('cuda');
    case 'is_sparse':
    case 'is_quantized':
    case 'is_meta':
      return false;
    case 'layout':
      return new PyOpaque('torch.strided');
    case 'data':
      return detached(t, false);
    case 'T':
      return callOp('Tensor.permute', ctx, [t, ...[...Array(t.ndim).keys()].reverse()]);
    case 'mT':
      return callOp('torch.transpose', ctx, [t, -2, -1]);
    case 'H':
    case 'mH':
      return callOp('torch.transpose', ctx, [t, -2, -1]);
    case 'real':
      return t;
    case '_version':
      return t.version;
    case 'retains_grad':
      return t.retainsGrad;
    case 'itemsize':
      return DTYPES[t.dtype].dict.get('itemsize') ?? 4;
    case 'nbytes':
      return t.nbytes;
    case 'output_nr':
      return 0;
    case 'names':
      return new PyTuple(t.shape.map(() => null));
  }
  return undefined;
}

defineMethod(TensorClass, '__getattr__', (call, ctx) => {
  const t = self(call, ctx);
  const name = call.args[1];
  if (typeof name !== 'string') return ctx.interp.raise('TypeError', 'attribute name must be string');
  const attr = tensorAttr(t, name, ctx);
  const v = attr === undefined ? tensorFallback(name) : attr;
  if (v === undefined) return ctx.interp.raise('AttributeError', `'${t.cls.name}' object has no attribute '${name}'`);
  return v;
});

defineMethod(TensorClass, '__setattr__', (call, ctx) => {
  const t = self(call, ctx);
  const [, name, value] = call.args;
  if (typeof name !== 'string') return ctx.interp.raise('TypeError', 'attribute name must be string');
  try {
    switch (name) {
      case 'requires_grad':
        setRequiresGrad(t, ctx.interp.truthy(value));
        return null;
      case 'grad':
        if (value !== null && !isTensor(value)) throw typeError(`assigned grad expected to be a Tensor or None but got grad of type ${pyTypeName(value)}`);
        if (isTensor(value) && value.shape.join(',') !== t.shape.join(',')) {
          throw runtimeError(`assigned grad has data of a different size`);
        }
        t.grad = value;
        return null;
      case 'data':
        if (!isTensor(value)) throw typeError(`Variable data has to be a tensor, but got ${pyTypeName(value)}`);
        t.shape = [...value.shape];
        t.strides = [...value.strides];
        t.dtype = value.dtype;
        if (value.storage) t.aliasOf(value);
        return null;
      case 'shape':
      case 'dtype':
      case 'device':
      case 'is_leaf':
      case 'grad_fn':
      case 'ndim':
        ctx.interp.raise('AttributeError', `attribute '${name}' of 'torch._C._TensorBase' objects is not writable`);
    }
  } catch (e) {
    if (e instanceof TorchError) raiseTorchError(ctx.interp, e);
    throw e;
  }
  t.dict.set(name, value);
  return null;
});

// ------------------------------------------------------------------ printing & protocol

/** repr() of a tensor: with its values in a numeric run, else its shape. */
function reprOf(t: Tensor): string {
  const d = t.data;
  if (d) return numericRepr(t, d.dataSync() as ArrayLike<number>);
  return tensorRepr(t);
}

defineMethod(TensorClass, '__repr__', (call, ctx) => reprOf(self(call, ctx)));
defineMethod(TensorClass, '__str__', (call, ctx) => reprOf(self(call, ctx)));
defineMethod(TensorClass, '__format__', (call, ctx) => {
  const t = self(call, ctx);
  const spec = call.args[1];
  // PyTorch formats a 0-d tensor as its item(): f"{loss:.4f}".
  if (t.data && t.ndim === 0 && typeof spec === 'string' && spec !== '') {
    const fmt = (ctx.interp as unknown as { format?: (v: PyValue, s: string) => string }).format;
    if (fmt) return fmt.call(ctx.interp, pyScalarOf(t, 0), spec);
  }
  return reprOf(t);
});
defineMethod(TensorClass, '__hash__', (call, ctx) => objectId(self(call, ctx)));

defineMethod(TensorClass, '__len__', (call, ctx) => {
  const t = self(call, ctx);
  if (t.ndim === 0) ctx.interp.raise('TypeError', 'len() of a 0-d tensor');
  return t.shape[0];
});

defineMethod(TensorClass, '__iter__', (call, ctx) => {
  const t = self(call, ctx);
  if (t.ndim === 0) ctx.interp.raise('TypeError', 'iteration over a 0-d tensor');
  let i = 0;
  return new PyIterator(() => {
    if (i >= t.shape[0]) return STOP;
    ctx.interp.tick();
    return callOp('Tensor.__getitem__', ctx, [t, i++]);
  }, 'iterator');
});

/** bool(tensor): multi-element raises; a single symbolic element is unknown, assumed True with a notice. */
defineMethod(TensorClass, '__bool__', (call, ctx) => {
  const t = self(call, ctx);
  if (t.numel === 0) ctx.interp.raise('RuntimeError', 'Boolean value of Tensor with no values is ambiguous');
  if (t.numel > 1) ctx.interp.raise('RuntimeError', 'Boolean value of Tensor with more than one value is ambiguous');
  if (t.data) return Number(t.data.dataSync()[0]) !== 0;
  const loc = ctx.interp.currentLocation();
  const st = torchState(ctx.interp);
  const key = `bool:${loc.file}:${loc.line}`;
  if (!st.warned.has(key)) {
    st.warned.add(key);
    ctx.interp.report({
      severity: 'information',
      code: 'unsupported',
      message: "A condition depends on a tensor's value, which a symbolic trace does not know; it was taken as True.",
      location: loc,
    });
  }
  return true;
});

for (const [name, label] of [
  ['__float__', 'float(tensor)'],
  ['__int__', 'int(tensor)'],
  ['__index__', 'tensor index'],
] as const) {
  defineMethod(TensorClass, name, (call, ctx) => {
    const t = self(call, ctx);
    if (t.numel !== 1) ctx.interp.raise(name === '__index__' ? 'TypeError' : 'ValueError', `only one element tensors can be converted to Python scalars`);
    if (t.data) {
      const v = Number(t.data.dataSync()[0]);
      if (name === '__float__') return new PyFloat(v);
      if (name === '__index__' && t.isFloating) ctx.interp.raise('TypeError', 'only integer tensors of a single element can be converted to an index');
      return Math.trunc(v);
    }
    return new PyOpaque(`${label} (value known after a numeric trace)`);
  });
}

// ------------------------------------------------------------------ conversions

function converted(ctx: CallContext, t: Tensor, dtype: DType, device: string, copy = false): Tensor {
  if (!copy && dtype === t.dtype && device === t.device) return t;
  return callOp('Tensor._to_copy', ctx, [t, DTYPES[dtype], device]) as Tensor;
}

registerOp({
  name: 'Tensor._to_copy',
  sig: '_to_copy(self: Tensor, dtype, device)',
  gradFn: 'ToCopyBackward0',
  impl: (a, env) => {
    const t = a.tensor('self');
    const dt = (a.get('dtype') as PyDtype).dtype;
    const out = env.out(t.shape, dt);
    out.device = a.str('device');
    if (!out.isFloating) env.gradFn = null;
    return out;
  },
  numeric: (c) => {
    c.backward((gy) => ({ self: gy[0] }));
    return castTo(tf.clone(c.v('self')), c.out().dtype);
  },
});

function deviceSpec(v: PyValue): string | null {
  if (v instanceof PyDevice) return v.spec;
  if (typeof v === 'string' && parseDevice(v)) return v;
  if (typeof v === 'number') return `cuda:${v}`;
  return null;
}

defineMethod(TensorClass, 'to', (call, ctx) => {
  const t = self(call, ctx);
  let dtype = t.dtype;
  let device = t.device;
  const rest = call.args.slice(1);
  for (const v of rest) {
    if (v instanceof PyDtype) dtype = v.dtype;
    else if (isTensor(v)) {
      dtype = v.dtype;
      device = v.device;
    } else {
      const d = deviceSpec(v);
      if (d) device = d;
      else if (typeof v === 'string') ctx.interp.raise('RuntimeError', `Invalid device string: '${v}'`);
    }
  }
  const kd = call.kwargs.get('dtype');
  if (kd instanceof PyDtype) dtype = kd.dtype;
  const kdev = call.kwargs.get('device');
  if (kdev !== undefined && kdev !== null) device = deviceSpec(kdev) ?? device;
  return converted(ctx, t, dtype, device, call.kwargs.get('copy') === true);
});

defineMethod(TensorClass, 'cpu', (call, ctx) => {
  const t = self(call, ctx);
  return converted(ctx, t, t.dtype, 'cpu');
});
defineMethod(TensorClass, 'cuda', (call, ctx) => {
  const t = self(call, ctx);
  const d = call.args[1] ?? call.kwargs.get('device') ?? null;
  return converted(ctx, t, t.dtype, d === null ? 'cuda' : (deviceSpec(d) ?? 'cuda'));
});

for (const [m, dt] of [
  ['float', 'float32'],
  ['double', 'float64'],
  ['half', 'float16'],
  ['bfloat16', 'bfloat16'],
  ['long', 'int64'],
  ['int', 'int32'],
  ['short', 'int16'],
  ['char', 'int8'],
  ['byte', 'uint8'],
  ['bool', 'bool'],
] as const) {
  defineMethod(TensorClass, m, (call, ctx) => {
    const t = self(call, ctx);
    return converted(ctx, t, dt, t.device);
  });
}

defineMethod(TensorClass, 'type_as', (call, ctx) => {
  const t = self(call, ctx);
  const o = call.args[1];
  if (!isTensor(o)) return ctx.interp.raise('TypeError', `type_as(): argument 'other' (position 1) must be Tensor, not ${pyTypeName(o)}`);
  return converted(ctx, t, o.dtype, t.device);
});

defineMethod(TensorClass, 'type', (call, ctx) => {
  const t = self(call, ctx);
  const d = call.args[1] ?? call.kwargs.get('dtype') ?? null;
  if (d === null) return LEGACY_TYPE[t.dtype];
  if (d instanceof PyDtype) return converted(ctx, t, d.dtype, t.device);
  if (typeof d === 'string') {
    const hit = (Object.entries(LEGACY_TYPE) as Array<[DType, string]>).find(([, n]) => n === d || n.replace('torch.', 'torch.cuda.') === d);
    if (hit) return converted(ctx, t, hit[0], d.includes('cuda') ? 'cuda' : t.device);
    ctx.interp.raise('ValueError', `invalid type: '${d}'`);
  }
  return t;
});

defineMethod(TensorClass, 'is_floating_point', (call, ctx) => self(call, ctx).isFloating && !self(call, ctx).dtype.startsWith('complex'));
defineMethod(TensorClass, 'is_complex', (call, ctx) => self(call, ctx).dtype.startsWith('complex'));
defineMethod(TensorClass, 'element_size', (call, ctx) => DTYPES[self(call, ctx).dtype].dict.get('itemsize') ?? 4);
defineMethod(TensorClass, 'get_device', (call, ctx) => {
  const d = self(call, ctx).device;
  return d.startsWith('cuda') ? Number(d.split(':')[1] ?? 0) : -1;
});
defineMethod(TensorClass, 'stride', (call, ctx) => {
  const t = self(call, ctx);
  const d = call.args[1];
  if (typeof d === 'number') return t.strides[d < 0 ? d + t.ndim : d];
  return new PyTuple([...t.strides]);
});
defineMethod(TensorClass, 'data_ptr', () => 0);
defineMethod(TensorClass, '__contains__', (call, ctx) => {
  self(call, ctx);
  return true;
});

registerOp({
  name: 'torch.clone',
  sig: 'clone(input: Tensor, *, memory_format=None)',
  aliases: ['Tensor.clone'],
  gradFn: 'CloneBackward0',
  impl: (a, env) => {
    const t = a.tensor('input');
    const out = env.out(t.shape, t.dtype);
    out.device = t.device;
    return out;
  },
  numeric: (c) => {
    c.backward((gy) => ({ input: gy[0] }));
    return tf.clone(c.v('input'));
  },
});

// ------------------------------------------------------------------ torch.* predicates & helpers

export const isTensorFn = builtin('is_tensor', (c) => isTensor(c.args[0]), 'torch.is_tensor');
export const isFloatingPointFn = builtin(
  'is_floating_point',
  (c, ctx) => {
    const t = c.args[0];
    if (!isTensor(t)) return ctx.interp.raise('TypeError', `is_floating_point(): argument 'input' (position 1) must be Tensor, not ${pyTypeName(t)}`);
    return t.isFloating;
  },
  'torch.is_floating_point',
);
export const getDefaultDtype = builtin('get_default_dtype', () => DTYPES.float32, 'torch.get_default_dtype');

/** torch.Size(seq) → a torch.Size tuple. */
export const SizeClass = nativeClass('Size', 'torch', []);
SizeClass.dict.set(
  '__new__',
  builtin('__new__', (c, ctx) => {
    const v = c.args[1] ?? new PyTuple([]);
    const items = ctx.interp.iterate(v);
    for (const it of items) {
      if (typeof it !== 'number') ctx.interp.raise('TypeError', `torch.Size() takes an iterable of 'int' (item 0 is '${pyTypeName(it)}')`);
    }
    return new PyTuple(items, true);
  }),
);

