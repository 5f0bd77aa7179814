// Tensor creation ops: randn/rand/zeros/ones/empty/full/arange/tensor/*_like/manual_seed and friends.

import * as tf from '@tensorflow/tfjs-core';
import { PyFloat, PyList, PyOpaque, PyTuple, type PyValue } from '../../runtime/values';
import type { NumericCall } from '../numericCall';
import { castTo, numberArg, pyNumber, tfDtype, val } from '../numericValues';
import type { DType } from '../dtype';
import { runtimeError, typeError, valueError } from '../errors';
import { registerOp, type OpEnv } from '../registry';
import { asFloat, pyTypeName, type Args } from '../signature';
import { isTensor, Tensor } from '../tensor';
import { deviceArg, dtypeArg, sizeFromVarargs, sizeValue } from './common';

const FACTORY_KW = 'dtype=None, layout=None, device=None, requires_grad: bool = False, pin_memory: bool = False, memory_format=None';

/** Applies dtype/device/requires_grad keyword arguments to a fresh leaf tensor. */
function finishFactory(t: Tensor, a: Args): Tensor {
  const dev = deviceArg(a.get('device'));
  if (dev) t.device = dev;
  if (a.has('requires_grad') && a.bool('requires_grad')) {
    if (!t.isFloating) throw runtimeError('Only Tensors of floating point and complex dtype can require gradients');
    t.requiresGrad = true;
  }
  return t;
}

function sizedFactory(name: string, floatOnly: boolean): void {
  registerOp({
    name: `torch.${name}`,
    sig: `${name}(*size, generator=None, out=None, ${FACTORY_KW})`,
    impl: (a, env) => {
      const shape = sizeFromVarargs(a, name);
      const dtype = dtypeArg(a.get('dtype'), 'float32');
      if (floatOnly && !(dtype.startsWith('float') || dtype === 'bfloat16' || dtype.startsWith('complex'))) {
        throw runtimeError(`"normal_kernel_cpu" not implemented for '${dtype === 'int64' ? 'Long' : dtype}'`);
      }
      return finishFactory(env.out(shape, dtype), a);
    },
    numeric: (c) => fillLike(c, name),
  });
}

/** Values of a fresh tensor from a factory kind ('randn', 'zeros', …), shaped like the output. */
function fillLike(c: NumericCall, kind: string, fill?: number): tf.Tensor {
  const t = c.out();
  const shape = t.shape;
  const n = t.numel;
  const dt = tfDtype(t.dtype);
  switch (kind) {
    case 'randn':
      return tf.tensor(c.run.rng.fillNormal(n), shape, 'float32');
    case 'rand':
      return tf.tensor(c.run.rng.fillUniform(n), shape, 'float32');
    case 'ones':
      return tf.ones(shape, dt);
    case 'full':
      return castTo(tf.fill(shape, fill ?? 0, dt === 'bool' ? 'float32' : dt), t.dtype);
    default:
      return tf.zeros(shape, dt);
  }
}
sizedFactory('randn', true);
sizedFactory('rand', true);
sizedFactory('zeros', false);
sizedFactory('ones', false);
sizedFactory('empty', false);

registerOp({
  name: 'torch.full',
  sig: `full(size, fill_value, *, out=None, ${FACTORY_KW})`,
  impl: (a, env) => {
    const shape = sizeValue(a.get('size'), 'full');
    const fill = a.get('fill_value');
    const inferred: DType = typeof fill === 'boolean' ? 'bool' : typeof fill === 'number' ? 'int64' : 'float32';
    return finishFactory(env.out(shape, dtypeArg(a.get('dtype'), inferred)), a);
  },
  numeric: (c) => fillLike(c, 'full', numberArg(c.a.get('fill_value'))),
});

registerOp({
  name: 'torch.randint',
  sig: `randint(low, high=None, size=None, *, generator=None, out=None, ${FACTORY_KW})`,
  impl: (a, env) => {
    // randint(high, size) or randint(low, high, size)
    let size = a.get('size');
    if (size === null) size = a.get('high');
    if (size === null) throw typeError('randint() missing 1 required positional arguments: "size"');
    return finishFactory(env.out(sizeValue(size, 'randint'), dtypeArg(a.get('dtype'), 'int64')), a);
  },
  numeric: (c) => {
    const bySize = c.a.get('size') !== null;
    const lo = bySize ? numberArg(c.a.get('low')) : 0;
    const hi = bySize ? numberArg(c.a.get('high')) : numberArg(c.a.get('low'));
    if (hi <= lo) throw runtimeError(`random_ expects 'from' to be less than 'to', but got from=${lo} >= to=${hi}`);
    const t = c.out();
    return castTo(tf.tensor(c.run.rng.fillInt(t.numel, lo, hi), t.shape, 'int32'), t.dtype);
  },
});

registerOp({
  name: 'torch.arange',
  sig: `arange(start, end=None, step=1, *, out=None, ${FACTORY_KW})`,
  impl: (a, env) => {
    const vals = ['start', 'end', 'step'].map((k) => a.get(k));
    let [start, end, step] = vals.map((v) => (v === null ? null : asFloat(v as PyValue)));
    if (start === undefined || end === undefined || step === undefined) throw typeError('arange() received an invalid combination of arguments');
    if (end === null) {
      end = start;
      start = 0;
    }
    if (!step) throw runtimeError('step must be nonzero');
    const n = Math.max(0, Math.ceil(((end as number) - (start as number)) / step));
    if ((end as number) > (start as number) && step < 0) throw runtimeError('upper bound and larger bound inconsistent with step sign');
    const anyFloat = vals.some((v) => v instanceof PyFloat);
    return finishFactory(env.out([n], dtypeArg(a.get('dtype'), anyFloat ? 'float32' : 'int64')), a);
  },
  numeric: (c) => {
    let start = pyNumber(c.a.get('start')) ?? 0;
    let end = pyNumber(c.a.get('end') ?? undefined);
    const step = pyNumber(c.a.get('step')) ?? 1;
    if (end === undefined) {
      end = start;
      start = 0;
    }
    const t = c.out();
    const vals = new Float64Array(t.numel);
    for (let i = 0; i < vals.length; i++) vals[i] = start + i * step;
    return castTo(tf.tensor(Float32Array.from(vals), [t.numel], 'float32'), t.dtype);
  },
});

registerOp({
  name: 'torch.linspace',
  sig: `linspace(start, end, steps, *, out=None, ${FACTORY_KW})`,
  impl: (a, env) => finishFactory(env.out([a.int('steps')], dtypeArg(a.get('dtype'), 'float32')), a),
  numeric: (c) => {
    const start = numberArg(c.a.get('start'));
    const end = numberArg(c.a.get('end'));
    const n = c.a.int('steps');
    const vals = new Float32Array(n);
    const step = n > 1 ? (end - start) / (n - 1) : 0;
    // PyTorch fills the second half from the end so the last value is exactly `end`.
    for (let i = 0; i < n; i++) vals[i] = i < n / 2 ? start + step * i : end - step * (n - 1 - i);
    return castTo(tf.tensor(vals, [n], 'float32'), c.out().dtype);
  },
});

registerOp({
  name: 'torch.eye',
  sig: `eye(n, m=None, *, out=None, ${FACTORY_KW})`,
  impl: (a, env) => finishFactory(env.out([a.int('n'), a.optInt('m') ?? a.int('n')], dtypeArg(a.get('dtype'), 'float32')), a),
  numeric: (c) => castTo(tf.eye(c.out().shape[0], c.out().shape[1]), c.out().dtype),
});

registerOp({
  name: 'torch.randperm',
  sig: `randperm(n, *, generator=None, out=None, ${FACTORY_KW})`,
  impl: (a, env) => finishFactory(env.out([a.int('n')], dtypeArg(a.get('dtype'), 'int64')), a),
  numeric: (c) => castTo(tf.tensor(c.run.rng.permutation(c.a.int('n')), [c.a.int('n')], 'int32'), c.out().dtype),
});

/** Shape and dtype of nested Python data for torch.tensor(). */
export function inferData(v: PyValue, fname = 'tensor'): { shape: number[]; dtype: DType } {
  if (isTensor(v)) return { shape: [...v.shape], dtype: v.dtype };
  if (typeof v === 'boolean') return { shape: [], dtype: 'bool' };
  if (typeof v === 'number') return { shape: [], dtype: 'int64' };
  if (v instanceof PyFloat) return { shape: [], dtype: 'float32' };
  if (v instanceof PyList || v instanceof PyTuple) {
    if (v.items.length === 0) return { shape: [0], dtype: 'float32' };
    const subs = v.items.map((x) => inferData(x, fname));
    const first = subs[0];
    for (let i = 1; i < subs.length; i++) {
      if (subs[i].shape.length !== first.shape.length || subs[i].shape.some((d, j) => d !== first.shape[j])) {
        throw valueError(`expected sequence of length ${first.shape[0] ?? 0} at dim 1 (got ${subs[i].shape[0] ?? 0})`);
      }
    }
    const rank = (d: DType) => (d === 'bool' ? 0 : d === 'int64' ? 1 : 2);
    const dtype = subs.reduce<DType>((acc, s) => (rank(s.dtype) > rank(acc) ? s.dtype : acc), first.dtype);
    return { shape: [v.items.length, ...first.shape], dtype };
  }
  throw runtimeError(`Could not infer dtype of ${v instanceof PyOpaque ? 'an unknown value' : pyTypeName(v)}`);
}

registerOp({
  name: 'torch.tensor',
  sig: 'tensor(data, *, dtype=None, device=None, requires_grad: bool = False, pin_memory: bool = False)',
  impl: (a, env) => {
    const { shape, dtype } = inferData(a.get('data'));
    return finishFactory(env.out(shape, dtypeArg(a.get('dtype'), dtype)), a);
  },
  numeric: (c) => dataValue(c, c.a.get('data')),
  aliases: [{ name: 'torch.as_tensor', sig: 'as_tensor(data, dtype=None, device=None)' }],
});

/** Values of nested Python data (or a tensor's values) for torch.tensor() and new_tensor(). */
function dataValue(c: NumericCall, data: PyValue): tf.Tensor {
  const t = c.out();
  if (isTensor(data)) return castTo(tf.clone(val(data)), t.dtype);
  const flat: number[] = [];
  const walk = (v: PyValue) => {
    if (v instanceof PyList || v instanceof PyTuple) for (const it of v.items) walk(it);
    else if (isTensor(v)) for (const x of val(v).dataSync()) flat.push(Number(x));
    else flat.push(pyNumber(v) ?? NaN);
  };
  walk(data);
  return castTo(tf.tensor(Float32Array.from(flat), t.shape, 'float32'), t.dtype);
}

function likeFactory(name: string, extra = ''): void {
  registerOp({
    name: `torch.${name}_like`,
    sig: `${name}_like(input: Tensor, ${extra}*, ${FACTORY_KW})`,
    impl: (a, env) => {
      const src = a.tensor('input');
      const t = env.out(src.shape, dtypeArg(a.get('dtype'), src.dtype));
      t.device = src.device;
      return finishFactory(t, a);
    },
    numeric: (c) => fillLike(c, name, name === 'full' ? numberArg(c.a.get('fill_value')) : undefined),
  });
}
likeFactory('zeros');
likeFactory('ones');
likeFactory('empty');
likeFactory('randn');
likeFactory('rand');
likeFactory('full', 'fill_value, ');

/** Tensor.new_zeros(size) & co: same dtype/device as self unless given. */
function newFactory(name: string, extra = ''): void {
  registerOp({
    name: `Tensor.new_${name}`,
    sig: `new_${name}(self: Tensor, *size, ${extra}${FACTORY_KW})`,
    impl: (a, env) => {
      const src = a.tensor('self');
      let shape = sizeFromVarargs(a, `new_${name}`);
      if (name === 'full') shape = sizeValue(a.varargs[0] ?? null, 'new_full');
      const t = env.out(shape, dtypeArg(a.get('dtype'), src.dtype));
      t.device = src.device;
      return finishFactory(t, a);
    },
    numeric: (c) => fillLike(c, name, name === 'full' ? numberArg(c.a.varargs[1] ?? c.a.get('fill_value')) : undefined),
  });
}
newFactory('zeros');
newFactory('ones');
newFactory('empty');
newFactory('full', 'fill_value=0, ');

registerOp({
  name: 'Tensor.new_tensor',
  sig: 'new_tensor(self: Tensor, data, dtype=None, device=None, requires_grad: bool = False)',
  impl: (a, env) => {
    const { shape } = inferData(a.get('data'));
    const src = a.tensor('self');
    return finishFactory(env.out(shape, dtypeArg(a.get('dtype'), src.dtype)), a);
  },
  numeric: (c) => dataValue(c, c.a.get('data')),
});

registerOp({
  name: 'torch.manual_seed',
  sig: 'manual_seed(seed)',
  record: false,
  impl: (a, env: OpEnv) => {
    env.state.seed = a.int('seed');
    env.state.numeric?.rng.seed(env.state.seed);
    return new PyOpaque('torch._C.Generator');
  },
  aliases: ['torch.random.manual_seed', 'torch.cuda.manual_seed', 'torch.cuda.manual_seed_all'],
});

