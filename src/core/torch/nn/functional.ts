// torch.nn.functional: conv/pool/norm/linear/pad/interpolate/dropout/losses/activations as registry entries
// ('F.conv2d' …), each with PyTorch's shape rule and error texts, grad_fn name and MACs.
// MACs: conv = output elements × (in_channels / groups) × kernel elements; conv_transpose = input elements ×
// (out_channels / groups) × kernel elements; linear = output elements × in_features. Normalization (batch/layer/group/instance norm), pooling,
// interpolation, padding, dropout and activations count 0: at inference BN folds into the preceding conv,
// and this matches the convention of torchvision's published GFLOPS and the PyTorch reference generator.

import { PyFloat, PyList, PyTuple, type PyValue } from '../../runtime/values';
import { isFloatingDtype } from '../dtype';
import { runtimeError, shapeError, TorchError, typeError, valueError } from '../errors';
import { registerOp, type OpEnv } from '../registry';
import { broadcastShapes, expandShape, normDim, windowOut } from '../shapes';
import { asFloat, type Args } from '../signature';
import { numelOf, sizeRepr, type Shape, type Tensor } from '../tensor';
import { LEGACY_TYPE } from '../dtype';
import { implicitSoftmaxDim } from '../ops/elementwise';
import { reduceShape } from '../ops/reduce';
import { softmaxNumeric } from '../ops/elementwiseNumeric';
import {
  activationNumeric,
  adaptiveAvgNumeric,
  adaptiveMaxNumeric,
  avgPoolNumeric,
  batchNormNumeric,
  bilinearNumeric,
  classLossNumeric,
  convNumeric,
  convTransposeNumeric,
  cosineSimilarityNumeric,
  dropoutNumeric,
  embeddingNumeric,
  gluNumeric,
  groupNormNumeric,
  instanceNormNumeric,
  interpolateNumeric,
  layerNormNumeric,
  linearNumeric,
  maxPoolNumeric,
  normalizeNumeric,
  oneHotNumeric,
  padNumeric,
  pixelShuffleNumeric,
  pointLossNumeric,
  preluNumeric,
  sdpaNumeric,
} from './functionalNumeric';

const fmt = (s: Shape): string => `[${s.join(', ')}]`;

/** An int-or-tuple argument expanded to n values. */
function tupleArg(v: PyValue, n: number, fname: string, name: string): number[] {
  if (typeof v === 'number') return new Array(n).fill(v);
  if (typeof v === 'boolean') return new Array(n).fill(Number(v));
  if (v instanceof PyTuple || v instanceof PyList) {
    const out = v.items.map((x) => {
      if (typeof x !== 'number') throw typeError(`${fname}(): argument '${name}' must be tuple of ints, but found element of type ${x instanceof PyFloat ? 'float' : typeof x} at pos 0`);
      return x;
    });
    if (out.length === 1) return new Array(n).fill(out[0]);
    if (out.length !== n) throw runtimeError(`expected ${name} to be a single integer value or a list of ${n} values to match the convolution dimensions, but got ${name}=[${out.join(', ')}]`);
    return out;
  }
  throw typeError(`${fname}(): argument '${name}' must be tuple of ints, not ${v === null ? 'NoneType' : typeof v}`);
}

// ------------------------------------------------------------------ convolution

export interface ConvParams {
  stride: number[];
  padding: number[] | 'same' | 'valid';
  dilation: number[];
  groups: number;
}

/** Output shape of an N-d convolution (batched input), with PyTorch's checks and messages. */
export function convOutputShape(n: number, input: Shape, weight: Shape, bias: Shape | null, p: ConvParams): Shape {
  const name = `conv${n}d`;
  if (input.length !== n + 1 && input.length !== n + 2) {
    throw shapeError(`Expected ${n + 1}D (unbatched) or ${n + 2}D (batched) input to ${name}, but got input of size: ${fmt(input)}`, input);
  }
  const x = input.length === n + 1 ? [1, ...input] : input;
  if (weight.length !== n + 2) {
    throw shapeError(`weight should have at least three dimensions`, weight);
  }
  const g = p.groups;
  if (g <= 0) throw runtimeError('non-positive groups is not supported');
  if (weight[0] % g !== 0) {
    throw shapeError(`Given groups=${g}, expected weight to be divisible by ${g} at dimension 0, but got weight of size [${fmt(weight)}] instead`, weight);
  }
  if (x[1] !== weight[1] * g) {
    throw shapeError(
      `Given groups=${g}, weight of size ${fmt(weight)}, expected input${fmt(x)} to have ${weight[1] * g} channels, but got ${x[1]} channels instead`,
      x,
      weight,
    );
  }
  if (bias && (bias.length !== 1 || bias[0] !== weight[0])) {
    throw shapeError(
      `Given weight of size ${fmt(weight)}, expected bias to be 1-dimensional with ${weight[0]} elements, but got bias of size ${fmt(bias)} instead`,
      weight,
      bias,
    );
  }
  const k = weight.slice(2);
  let pad: number[];
  if (p.padding === 'valid') pad = new Array(n).fill(0);
  else if (p.padding === 'same') {
    if (p.stride.some((s) => s !== 1)) throw runtimeError("padding='same' is not supported for strided convolutions");
    const out = x.slice(2);
    return input.length === n + 1 ? [weight[0], ...out] : [x[0], weight[0], ...out];
  } else pad = p.padding;
  const spatial = x.slice(2);
  const padded = spatial.map((s, i) => s + 2 * pad[i]);
  const eff = k.map((kk, i) => p.dilation[i] * (kk - 1) + 1);
  if (padded.some((s, i) => s < eff[i])) {
    throw shapeError(
      `Calculated padded input size per channel: (${padded.join(' x ')}). Kernel size: (${eff.join(' x ')}). Kernel size can't be greater than actual input size`,
      x,
      weight,
    );
  }
  const out = spatial.map((s, i) => windowOut(s, k[i], p.stride[i], pad[i], p.dilation[i]));
  return input.length === n + 1 ? [weight[0], ...out] : [x[0], weight[0], ...out];
}

/** Output shape of an N-d transposed convolution. */
export function convTransposeOutputShape(
  n: number,
  input: Shape,
  weight: Shape,
  bias: Shape | null,
  p: { stride: number[]; padding: number[]; outputPadding: number[]; dilation: number[]; groups: number },
): Shape {
  const name = `conv_transpose${n}d`;
  if (input.length !== n + 1 && input.length !== n + 2) {
    throw shapeError(`Expected ${n + 1}D (unbatched) or ${n + 2}D (batched) input to ${name}, but got input of size: ${fmt(input)}`, input);
  }
  const x = input.length === n + 1 ? [1, ...input] : input;
  if (x[1] !== weight[0]) {
    throw shapeError(
      `Given transposed=1, weight of size ${fmt(weight)}, expected input${fmt(x)} to have ${weight[0]} channels, but got ${x[1]} channels instead`,
      x,
      weight,
    );
  }
  for (let i = 0; i < n; i++) {
    if (p.outputPadding[i] >= p.stride[i] && p.outputPadding[i] >= p.dilation[i]) {
      const dims = n === 2 ? ['height', 'width'] : n === 1 ? ['width'] : ['depth', 'height', 'width'];
      throw runtimeError(
        `output padding must be smaller than either stride or dilation, but got ${dims.map((d, j) => `output_padding_${d}: ${p.outputPadding[j]}`).join(' ')} ${dims.map((d, j) => `stride_${d}: ${p.stride[j]}`).join(' ')} ${dims.map((d, j) => `dilation_${d}: ${p.dilation[j]}`).join(' ')}`,
      );
    }
  }
  const cout = weight[1] * p.groups;
  if (bias && (bias.length !== 1 || bias[0] !== cout)) {
    throw shapeError(`Given transposed=1, weight of size ${fmt(weight)}, expected bias to be 1-dimensional with ${cout} elements, but got bias of size ${fmt(bias)} instead`, weight, bias);
  }
  const k = weight.slice(2);
  const out = x.slice(2).map((s, i) => (s - 1) * p.stride[i] - 2 * p.padding[i] + p.dilation[i] * (k[i] - 1) + p.outputPadding[i] + 1);
  if (out.some((o) => o <= 0)) throw shapeError(`Given input size per channel: (${x.slice(2).join(' x ')}). Calculated output size per channel: (${out.join(' x ')}). Output size is too small`, x, weight);
  return input.length === n + 1 ? [cout, ...out] : [x[0], cout, ...out];
}

function convEntry(n: 1 | 2 | 3): void {
  registerOp({
    name: `F.conv${n}d`,
    sig: `conv${n}d(input: Tensor, weight: Tensor, bias: Tensor? = None, stride=1, padding=0, dilation=1, groups: int = 1)`,
    aliases: [`torch.conv${n}d`],
    gradFn: 'ConvolutionBackward0',
    macs: (a, outs) => {
      const w = a.tensor('weight');
      return numelOf(outs[0] ?? []) * numelOf(w.shape.slice(1));
    },
    impl: (a, env) => {
      const x = a.tensor('input');
      const w = a.tensor('weight');
      const b = a.optTensor('bias');
      const padV = a.get('padding');
      const fname = `conv${n}d`;
      let padding: ConvParams['padding'];
      if (typeof padV === 'string') {
        if (padV !== 'same' && padV !== 'valid') throw runtimeError(`Invalid padding string: '${padV}'`);
        padding = padV;
      } else padding = tupleArg(padV, n, fname, 'padding');
      const shape = convOutputShape(n, x.shape, w.shape, b ? b.shape : null, {
        stride: tupleArg(a.get('stride'), n, fname, 'stride'),
        padding,
        dilation: tupleArg(a.get('dilation'), n, fname, 'dilation'),
        groups: a.int('groups'),
      });
      if (x.ndim === n + 1) env.gradFn = 'SqueezeBackward1';
      return out(env, x, shape);
    },
    numeric: convNumeric(n),
  });
  registerOp({
    name: `F.conv_transpose${n}d`,
    sig: `conv_transpose${n}d(input: Tensor, weight: Tensor, bias: Tensor? = None, stride=1, padding=0, output_padding=0, groups: int = 1, dilation=1)`,
    aliases: [`torch.conv_transpose${n}d`],
    gradFn: 'ConvolutionBackward0',
    macs: (a) => {
      const x = a.tensor('input');
      const w = a.tensor('weight');
      const g = a.int('groups');
      return x.numel * ((w.shape[1] * g) / g) * numelOf(w.shape.slice(2));
    },
    impl: (a, env) => {
      const x = a.tensor('input');
      const w = a.tensor('weight');
      const b = a.optTensor('bias');
      const fname = `conv_transpose${n}d`;
      const shape = convTransposeOutputShape(n, x.shape, w.shape, b ? b.shape : null, {
        stride: tupleArg(a.get('stride'), n, fname, 'stride'),
        padding: tupleArg(a.get('padding'), n, fname, 'padding'),
        outputPadding: tupleArg(a.get('output_padding'), n, fname, 'output_padding'),
        dilation: tupleArg(a.get('dilation'), n, fname, 'dilation'),
        groups: a.int('groups'),
      });
      if (x.ndim === n + 1) env.gradFn = 'SqueezeBackward1';
      return out(env, x, shape);
    },
    numeric: convTransposeNumeric(n),
  });
}
convEntry(1);
convEntry(2);
convEntry(3);

function out(env: OpEnv, like: Tensor, shape: Shape): Tensor {
  const t = env.out(shape, like.dtype);
  t.device = like.device;
  return t;
}

// ------------------------------------------------------------------ linear

/** F.linear's shape rule: input [..., in] × weight [out, in]ᵀ (+ bias broadcast). */
export function linearShape(input: Shape, weight: Shape, bias: Shape | null): { shape: Shape; gradFn: string } {
  if (weight.length !== 2 && weight.length !== 1) throw runtimeError(`t() expects a tensor with <= 2 dimensions, but self is ${weight.length}D`);
  const w = weight.length === 1 ? [1, weight[0]] : weight;
  const inF = input[input.length - 1];
  if (input.length === 0) throw runtimeError(`both arguments to linear need to be at least 1D, but they are 0D and ${weight.length}D`);
  const rows = input.length === 1 ? 1 : input.slice(0, -1).reduce((p, d) => p * d, 1);
  if (inF !== w[1]) throw shapeError(`mat1 and mat2 shapes cannot be multiplied (${rows}x${inF} and ${w[1]}x${w[0]})`, input, weight);
  const shape = [...input.slice(0, -1), ...(weight.length === 1 ? [] : [w[0]])];
  if (bias) expandShape(bias, shape);
  const gradFn = input.length === 1 ? (bias ? 'AddBackward0' : 'SqueezeBackward4') : input.length === 2 ? (bias ? 'AddmmBackward0' : 'MmBackward0') : bias ? 'ViewBackward0' : 'UnsafeViewBackward0';
  return { shape, gradFn };
}

registerOp({
  name: 'F.linear',
  sig: 'linear(input: Tensor, weight: Tensor, bias: Tensor? = None)',
  gradFn: 'AddmmBackward0',
  macs: (a, outs) => numelOf(outs[0] ?? []) * a.tensor('input').shape[a.tensor('input').ndim - 1],
  impl: (a, env) => {
    const x = a.tensor('input');
    const b = a.optTensor('bias');
    const r = linearShape(x.shape, a.tensor('weight').shape, b ? b.shape : null);
    env.gradFn = r.gradFn;
    return out(env, x, r.shape);
  },
  numeric: linearNumeric,
});

registerOp({
  name: 'F.bilinear',
  sig: 'bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor? = None)',
  gradFn: 'ViewBackward0',
  macs: (a, outs) => numelOf(outs[0] ?? []) * a.tensor('weight').shape[1] * a.tensor('weight').shape[2],
  impl: (a, env) => {
    const x1 = a.tensor('input1');
    const w = a.tensor('weight');
    return out(env, x1, [...x1.shape.slice(0, -1), w.shape[0]]);
  },
  numeric: bilinearNumeric,
});

// ------------------------------------------------------------------ normalization

registerOp({
  name: 'F.batch_norm',
  sig: 'batch_norm(input: Tensor, running_mean: Tensor?, running_var: Tensor?, weight: Tensor? = None, bias: Tensor? = None, training: bool = False, momentum: float = 0.1, eps: float = 1e-05)',
  aliases: [{ name: 'torch.batch_norm', sig: 'batch_norm(input: Tensor, weight: Tensor?, bias: Tensor?, running_mean: Tensor?, running_var: Tensor?, training: bool, momentum: float, eps: float, cudnn_enabled: bool)' }],
  gradFn: 'NativeBatchNormBackward0',
  impl: (a, env) => {
    const x = a.tensor('input');
    if (x.ndim < 2) throw valueError(`Expected 2D or higher input (got ${x.ndim}D input)`);
    const c = x.shape[1];
    if (a.bool('training')) {
      const per = x.shape[0] * numelOf(x.shape.slice(2));
      if (per === 1) throw valueError(`Expected more than 1 value per channel when training, got input size ${sizeRepr(x.shape)}`);
    }
    for (const name of ['running_mean', 'running_var', 'weight', 'bias']) {
      const t = a.optTensor(name);
      if (t && t.numel !== c) throw shapeError(`${name} should contain ${c} elements not ${t.numel}`, x.shape, t.shape);
    }
    return out(env, x, x.shape);
  },
  numeric: batchNormNumeric,
});

/** LayerNorm's check: the trailing dims of the input must equal normalized_shape. */
export function checkLayerNorm(input: Shape, normalized: number[]): void {
  const n = normalized.length;
  const tail = input.slice(input.length - n);
  if (input.length < n || tail.some((d, i) => d !== normalized[i])) {
    throw shapeError(
      `Given normalized_shape=${fmt(normalized)}, expected input with shape [*, ${normalized.join(', ')}], but got input of size${fmt(input)}`,
      input,
      normalized,
    );
  }
}

registerOp({
  name: 'F.layer_norm',
  sig: 'layer_norm(input: Tensor, normalized_shape, weight: Tensor? = None, bias: Tensor? = None, eps: float = 1e-05)',
  aliases: ['torch.layer_norm'],
  gradFn: 'NativeLayerNormBackward0',
  impl: (a, env) => {
    const x = a.tensor('input');
    const ns = a.ints('normalized_shape');
    checkLayerNorm(x.shape, ns);
    return out(env, x, x.shape);
  },
  numeric: layerNormNumeric,
});

registerOp({
  name: 'F.group_norm',
  sig: 'group_norm(input: Tensor, num_groups: int, weight: Tensor? = None, bias: Tensor? = None, eps: float = 1e-05)',
  aliases: ['torch.group_norm'],
  gradFn: 'NativeGroupNormBackward0',
  impl: (a, env) => {
    const x = a.tensor('input');
    const g = a.int('num_groups');
    if (x.ndim < 2 || x.shape[1] % g !== 0) {
      throw shapeError(
        `Expected number of channels in input to be divisible by num_groups, but got input of shape ${fmt(x.shape)} and num_groups=${g}`,
        x.shape,
      );
    }
    const w = a.optTensor('weight');
    if (w && w.numel !== x.shape[1]) {
      throw shapeError(`Expected weight to be a vector of size equal to the number of channels in input, but got weight of shape ${fmt(w.shape)} and input of shape ${fmt(x.shape)}`, x.shape, w.shape);
    }
    return out(env, x, x.shape);
  },
  numeric: groupNormNumeric,
});

registerOp({
  name: 'F.instance_norm',
  sig: 'instance_norm(input: Tensor, running_mean: Tensor? = None, running_var: Tensor? = None, weight: Tensor? = None, bias: Tensor? = None, use_input_stats: bool = True, momentum: float = 0.1, eps: float = 1e-05)',
  gradFn: 'NativeBatchNormBackward0',
  impl: (a, env) => out(env, a.tensor('input'), a.tensor('input').shape),
  numeric: instanceNormNumeric,
});

registerOp({
  name: 'F.normalize',
  sig: 'normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out=None)',
  gradFn: 'DivBackward0',
  impl: (a, env) => {
    const x = a.tensor('input');
    normDim(a.int('dim'), x.ndim);
    return out(env, x, x.shape);
  },
  numeric: normalizeNumeric,
});

// ------------------------------------------------------------------ pooling

/** Pooling output shape for `n` spatial dims (input batched or not). */
export function poolOutputShape(
  n: number,
  kind: 'max' | 'avg',
  input: Shape,
  kernel: number[],
  stride: number[],
  padding: number[],
  dilation: number[],
  ceilMode: boolean,
): Shape {
  const fname = `${kind}_pool${n}d`;
  if (input.length !== n + 1 && input.length !== n + 2) {
    if (kind === 'max' && n === 2) throw shapeError('non-empty 3D or 4D (batch mode) tensor expected for input', input);
    if (kind === 'avg') {
      throw new TorchError('IndexError', `Dimension out of range (expected to be in range of [${-input.length}, ${input.length - 1}], but got ${-n - 1})`, [input]);
    }
    throw shapeError(`Expected ${n + 1}D or ${n + 2}D (batch mode) tensor for input to ${fname}`, input);
  }
  for (let i = 0; i < n; i++) {
    if (padding[i] > kernel[i] / 2) {
      throw runtimeError(`pad should be at most half of kernel size, but got pad=${padding[i]} and kernel_size=${kernel[i]}`);
    }
    if (stride[i] <= 0) throw runtimeError('stride should be greater than zero');
  }
  const lead = input.slice(0, input.length - n);
  const spatial = input.slice(input.length - n);
  const outSp = spatial.map((s, i) => windowOut(s, kernel[i], stride[i], padding[i], dilation[i], ceilMode));
  if (outSp.some((o) => o <= 0)) {
    const c = input.length === n + 2 ? input[1] : input[0];
    throw shapeError(
      `Given input size: (${[c, ...spatial].join('x')}). Calculated output size: (${[c, ...outSp].join('x')}). Output size is too small`,
      input,
    );
  }
  return [...lead, ...outSp];
}

function poolEntry(n: 1 | 2 | 3, kind: 'max' | 'avg'): void {
  const sig =
    kind === 'max'
      ? `max_pool${n}d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False, return_indices: bool = False)`
      : `avg_pool${n}d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False, count_include_pad: bool = True${n > 1 ? ', divisor_override=None' : ''})`;
  registerOp({
    name: `F.${kind}_pool${n}d`,
    sig,
    aliases: [`torch.${kind}_pool${n}d`],
    gradFn: n === 1 ? 'SqueezeBackward1' : kind === 'max' ? `MaxPool${n}DWithIndicesBackward0` : `AvgPool${n}DBackward0`,
    impl: (a, env) => {
      const x = a.tensor('input');
      const fname = `${kind}_pool${n}d`;
      const kernel = tupleArg(a.get('kernel_size'), n, fname, 'kernel_size');
      const strideV = a.get('stride');
      const stride = strideV === null || (strideV instanceof PyList && strideV.items.length === 0) ? kernel : tupleArg(strideV, n, fname, 'stride');
      const padding = tupleArg(a.get('padding'), n, fname, 'padding');
      const dilation = kind === 'max' ? tupleArg(a.get('dilation'), n, fname, 'dilation') : new Array(n).fill(1);
      const shape = poolOutputShape(n, kind, x.shape, kernel, stride, padding, dilation, a.bool('ceil_mode'));
      const o = out(env, x, shape);
      if (kind === 'max' && a.bool('return_indices')) return new PyTuple([o, env.out(shape, 'int64')]);
      return o;
    },
    numeric: kind === 'max' ? maxPoolNumeric(n) : avgPoolNumeric(n),
  });
}
for (const n of [1, 2, 3] as const) {
  poolEntry(n, 'max');
  poolEntry(n, 'avg');
}

/** Adaptive pooling output shape; `None` entries keep the input size. */
export function adaptiveOutputShape(n: number, input: Shape, outputSize: Array<number | null>, fname: string): Shape {
  if (input.length !== n + 1 && input.length !== n + 2) {
    throw shapeError(`${fname}(): Expected ${n + 1}D or ${n + 2}D tensor, but got ${fmt(input)}`, input);
  }
  const lead = input.slice(0, input.length - n);
  const spatial = input.slice(input.length - n);
  return [...lead, ...spatial.map((s, i) => outputSize[i] ?? s)];
}

function outputSizeArg(v: PyValue, n: number): Array<number | null> {
  if (typeof v === 'number') return new Array(n).fill(v);
  if (v instanceof PyTuple || v instanceof PyList) {
    const items = v.items.map((x) => (typeof x === 'number' ? x : null));
    return items.length === 1 ? new Array(n).fill(items[0]) : items;
  }
  if (v === null) return new Array(n).fill(null);
  throw typeError(`adaptive pool: output_size must be int or tuple of ints`);
}

for (const n of [1, 2, 3] as const) {
  for (const kind of ['avg', 'max'] as const) {
    const fname = `adaptive_${kind}_pool${n}d`;
    registerOp({
      name: `F.${fname}`,
      sig: kind === 'avg' ? `${fname}(input: Tensor, output_size)` : `${fname}(input: Tensor, output_size, return_indices: bool = False)`,
      aliases: [`torch.${fname}`],
      gradFn: n === 1 ? 'SqueezeBackward1' : kind === 'avg' ? `AdaptiveAvgPool${n}DBackward0` : `AdaptiveMaxPool${n}DBackward0`,
      impl: (a, env) => {
        const x = a.tensor('input');
        const os = outputSizeArg(a.get('output_size'), n);
        const shape = adaptiveOutputShape(n, x.shape, os, fname);
        // A global average pool is a mean over the spatial dims in PyTorch's autograd graph.
        if (kind === 'avg' && n === 2 && shape.slice(-2).every((d) => d === 1)) env.gradFn = 'MeanBackward1';
        const o = out(env, x, shape);
        if (kind === 'max' && a.bool('return_indices')) return new PyTuple([o, env.out(shape, 'int64')]);
        return o;
      },
      numeric: kind === 'avg' ? adaptiveAvgNumeric(n) : adaptiveMaxNumeric(n),
    });
  }
}

// ------------------------------------------------------------------ dropout

for (const [name, minDim] of [
  ['dropout', 0],
  ['dropout1d', 2],
  ['dropout2d', 3],
  ['dropout3d', 4],
  ['alpha_dropout', 0],
  ['feature_alpha_dropout', 0],
] as const) {
  registerOp({
    name: `F.${name}`,
    sig: `${name}(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False)`,
    aliases: name === 'dropout' ? [{ name: 'torch.dropout', sig: 'dropout(input: Tensor, p: float, train: bool)' }] : [],
    gradFn: 'MulBackward0',
    impl: (a, env) => {
      const x = a.tensor('input');
      const p = a.float('p');
      if (p < 0 || p > 1) throw valueError(`dropout probability has to be between 0 and 1, but got ${Number.isInteger(p) ? p.toFixed(1) : p}`);
      void minDim;
      const training = a.has('train') ? a.bool('train') : a.bool('training');
      if (!training) return x;
      if (a.bool('inplace')) {
        env.mutate(x);
        return x;
      }
      return out(env, x, x.shape);
    },
    numeric: dropoutNumeric(name === 'dropout' ? 'dropout' : name === 'alpha_dropout' ? 'alpha' : name === 'feature_alpha_dropout' ? 'feature_alpha' : 'feature'),
  });
}

// ------------------------------------------------------------------ pad & interpolate

/** F.pad's shape rule: pairs apply to the last dims first ((left, right, top, bottom, …)). */
export function padShape(input: Shape, pad: number[], mode: string): Shape {
  if (pad.length % 2 !== 0) throw runtimeError('Padding length must be divisible by 2');
  if (pad.length / 2 > input.length) throw runtimeError('Padding length too large');
  if (mode !== 'constant') {
    const n = pad.length / 2;
    if (n < 1 || n > 3 || input.length < n + 1) {
      throw new TorchError('NotImplementedError', 'Only 2D, 3D, 4D, 5D padding with non-constant padding are supported for now');
    }
  }
  const out = [...input];
  for (let i = 0; i < pad.length / 2; i++) {
    const d = input.length - 1 - i;
    const size = input[d] + pad[2 * i] + pad[2 * i + 1];
    if (mode === 'reflect' && (pad[2 * i] >= input[d] || pad[2 * i + 1] >= input[d])) {
      throw runtimeError(
        `Argument #4: Padding size should be less than the corresponding input dimension, but got: padding (${pad[2 * i]}, ${pad[2 * i + 1]}) at dimension ${d} of input ${fmt(input)}`,
      );
    }
    if (size < 0) {
      throw shapeError(
        `The input size ${input[d]}, plus negative padding ${pad[2 * i]} and ${pad[2 * i + 1]} resulted in a negative output size, which is invalid. Check dimension ${d} of your input.`,
        input,
      );
    }
    out[d] = size;
  }
  return out;
}

registerOp({
  name: 'F.pad',
  sig: 'pad(input: Tensor, pad, mode: str = "constant", value=None)',
  gradFn: 'ConstantPadNdBackward0',
  impl: (a, env) => {
    const x = a.tensor('input');
    const pad = a.ints('pad');
    const mode = a.str('mode');
    if (!['constant', 'reflect', 'replicate', 'circular'].includes(mode)) throw new TorchError('NotImplementedError', `Unrecognised padding mode ${mode}`);
    const shape = padShape(x.shape, pad, mode);
    const n = pad.length / 2;
    env.gradFn = mode === 'constant' ? 'ConstantPadNdBackward0' : mode === 'reflect' ? `ReflectionPad${n}DBackward0` : mode === 'replicate' ? `ReplicationPad${n}DBackward0` : 'CopySlices';
    return out(env, x, shape);
  },
  numeric: padNumeric,
});

const INTERP_MODES = ['nearest', 'linear', 'bilinear', 'bicubic', 'trilinear', 'area', 'nearest-exact'];

/** F.interpolate's shape rule. */
export function interpolateShape(input: Shape, size: number[] | null, scale: number[] | null, mode: string, alignCorners: boolean | null): Shape {
  const dim = input.length - 2;
  if (size && scale) throw valueError('only one of size or scale_factor should be defined');
  if (!size && !scale) throw valueError('either size or scale_factor should be defined');
  if (alignCorners !== null && !['linear', 'bilinear', 'bicubic', 'trilinear'].includes(mode)) {
    throw valueError('align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear');
  }
  const needs: Record<string, number> = { linear: 3, bilinear: 4, bicubic: 4, trilinear: 5 };
  if (needs[mode] !== undefined && input.length !== needs[mode]) {
    throw new TorchError('NotImplementedError', `Got ${input.length}D input, but ${mode} mode needs ${needs[mode]}D input`);
  }
  if (!INTERP_MODES.includes(mode) || dim < 1 || dim > 3) {
    throw new TorchError(
      'NotImplementedError',
      `Input Error: Only 3D, 4D and 5D input Tensors supported (got ${input.length}D) for the modes: nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact (got ${mode})`,
    );
  }
  const expand = <T>(v: T[], what: string): T[] => {
    if (v.length === 1) return new Array(dim).fill(v[0]);
    if (v.length !== dim) {
      throw valueError(`Input and ${what} must have the same number of spatial dimensions, but got input with spatial dimensions of ${fmt(input.slice(2))} and output size of ${fmt(v as unknown as number[])}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format.`);
    }
    return v;
  };
  const spatial = size ? expand(size, 'output size') : input.slice(2).map((s, i) => Math.floor(s * expand(scale as number[], 'scale_factor')[i]));
  return [...input.slice(0, 2), ...spatial];
}

function numList(v: PyValue): number[] | null {
  if (v === null) return null;
  const f = asFloat(v);
  if (f !== undefined) return [f];
  if (v instanceof PyTuple || v instanceof PyList) return v.items.map((x) => asFloat(x) ?? NaN);
  throw typeError('interpolate(): size and scale_factor must be numbers or sequences of numbers');
}

registerOp({
  name: 'F.interpolate',
  sig: 'interpolate(input: Tensor, size=None, scale_factor=None, mode: str = "nearest", align_corners=None, recompute_scale_factor=None, antialias: bool = False)',
  aliases: [
    { name: 'F.upsample', sig: 'upsample(input: Tensor, size=None, scale_factor=None, mode: str = "nearest", align_corners=None)' },
  ],
  gradFn: 'UpsampleNearest2DBackward1',
  impl: (a, env) => {
    const x = a.tensor('input');
    const mode = a.str('mode');
    const ac = a.get('align_corners');
    const shape = interpolateShape(x.shape, numList(a.get('size')), numList(a.get('scale_factor')), mode, ac === null ? null : ac === true);
    const d = x.ndim - 2;
    const names: Record<string, string> = {
      nearest: `UpsampleNearest${d}DBackward1`,
      'nearest-exact': `UpsampleNearestExact${d}DBackward1`,
      linear: 'UpsampleLinear1DBackward1',
      bilinear: 'UpsampleBilinear2DBackward1',
      bicubic: 'UpsampleBicubic2DBackward1',
      trilinear: 'UpsampleTrilinear3DBackward1',
      area: `AdaptiveAvgPool${d}DBackward0`,
    };
    env.gradFn = names[mode] ?? null;
    return out(env, x, shape);
  },
  numeric: interpolateNumeric,
});

registerOp({
  name: 'F.pixel_shuffle',
  sig: 'pixel_shuffle(input: Tensor, upscale_factor: int)',
  aliases: ['torch.pixel_shuffle'],
  gradFn: 'PixelShuffleBackward0',
  impl: (a, env) => {
    const x = a.tensor('input');
    const r = a.int('upscale_factor');
    if (x.ndim < 3) throw runtimeError(`pixel_shuffle expects input to have at least 3 dimensions, but got input with ${x.ndim} dimension(s)`);
    const c = x.shape[x.ndim - 3];
    if (c % (r * r) !== 0) throw runtimeError(`pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of upscale_factor, but input.size(-3)=${c} is not divisible by ${r * r}`);
    return out(env, x, [...x.shape.slice(0, -3), c / (r * r), x.shape[x.ndim - 2] * r, x.shape[x.ndim - 1] * r]);
  },
  numeric: pixelShuffleNumeric,
});

// ------------------------------------------------------------------ activations (F-only names)

function activation(name: string, gradFn: string, extraSig = '', opts: { inplace?: boolean } = {}): void {
  const extra = extraSig ? `, ${extraSig}` : '';
  registerOp({
    name: `F.${name}`,
    sig: `${name}(input: Tensor${extra}${opts.inplace ? ', inplace: bool = False' : ''})`,
    gradFn,
    impl: (a, env) => {
      const x = a.tensor('input');
      if (!x.isFloating && name !== 'relu6' && name !== 'hardtanh') {
        throw runtimeError(`"${name}_cpu" not implemented for '${x.dtype === 'int64' ? 'Long' : x.dtype}'`);
      }
      if (opts.inplace && a.bool('inplace')) {
        env.mutate(x);
        return x;
      }
      return out(env, x, x.shape);
    },
    numeric: activationNumeric(name),
  });
}
activation('gelu', 'GeluBackward0', 'approximate: str = "none"');
activation('silu', 'SiluBackward0', '', { inplace: true });
activation('leaky_relu', 'LeakyReluBackward0', 'negative_slope: float = 0.01', { inplace: true });
activation('relu6', 'HardtanhBackward0', '', { inplace: true });
activation('hardtanh', 'HardtanhBackward0', 'min_val: float = -1.0, max_val: float = 1.0', { inplace: true });
activation('elu', 'EluBackward0', 'alpha: float = 1.0', { inplace: true });
activation('selu', 'EluBackward0', '', { inplace: true });
activation('celu', 'EluBackward0', 'alpha: float = 1.0', { inplace: true });
activation('softplus', 'SoftplusBackward0', 'beta: float = 1, threshold: float = 20');
activation('hardswish', 'HardswishBackward0', '', { inplace: true });
activation('hardsigmoid', 'HardsigmoidBackward0', '', { inplace: true });
activation('mish', 'MishBackward0', '', { inplace: true });
activation('logsigmoid', 'LogSigmoidBackward0');
activation('softsign', 'DivBackward0');
activation('tanhshrink', 'SubBackward0');

registerOp({
  name: 'F.prelu',
  sig: 'prelu(input: Tensor, weight: Tensor)',
  aliases: ['torch.prelu'],
  gradFn: 'PreluBackward0',
  impl: (a, env) => out(env, a.tensor('input'), a.tensor('input').shape),
  numeric: preluNumeric,
});

registerOp({
  name: 'F.softmin',
  sig: 'softmin(input: Tensor, dim=None, _stacklevel: int = 3, dtype=None)',
  gradFn: 'SoftmaxBackward0',
  impl: (a, env) => {
    const x = a.tensor('input');
    normDim(a.get('dim') === null ? implicitSoftmaxDim(x.ndim) : a.int('dim'), x.ndim);
    return out(env, x, x.shape);
  },
  numeric: softmaxNumeric(false, true),
});

registerOp({
  name: 'F.glu',
  sig: 'glu(input: Tensor, dim: int = -1)',
  gradFn: 'GluBackward0',
  impl: (a, env) => {
    const x = a.tensor('input');
    const d = normDim(a.int('dim'), x.ndim);
    if (x.shape[d] % 2 !== 0) throw runtimeError(`Halving dimension must be even, but dimension ${d} is size ${x.shape[d]}`);
    const shape = [...x.shape];
    shape[d] /= 2;
    return out(env, x, shape);
  },
  numeric: gluNumeric,
});

// ------------------------------------------------------------------ embedding & misc

registerOp({
  name: 'F.embedding',
  sig: 'embedding(input: Tensor, weight: Tensor, padding_idx=None, max_norm=None, norm_type: float = 2.0, scale_grad_by_freq: bool = False, sparse: bool = False)',
  gradFn: 'EmbeddingBackward0',
  impl: (a, env) => {
    const x = a.tensor('input');
    const w = a.tensor('weight');
    if (x.dtype !== 'int64' && x.dtype !== 'int32') {
      throw runtimeError(
        `Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got ${LEGACY_TYPE[x.dtype]} instead (while checking arguments for embedding)`,
      );
    }
    return out(env, w, [...x.shape, w.shape[1]]);
  },
  numeric: embeddingNumeric,
});

registerOp({
  name: 'F.one_hot',
  sig: 'one_hot(tensor: Tensor, num_classes: int = -1)',
  gradFn: null,
  impl: (a, env) => {
    const x = a.tensor('tensor');
    if (x.dtype !== 'int64') throw runtimeError('one_hot is only applicable to index tensor.');
    let n = a.int('num_classes');
    if (n < 0 && x.data) n = Math.max(-1, ...Array.from(x.data.dataSync(), Number)) + 1;
    if (n < 0) throw runtimeError('one_hot(num_classes=-1) needs the tensor values to find the class count; pass num_classes (a symbolic trace does not know the values)');
    return env.out([...x.shape, n], 'int64');
  },
  numeric: oneHotNumeric,
});

registerOp({
  name: 'F.cosine_similarity',
  sig: 'cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-08)',
  aliases: ['torch.cosine_similarity'],
  gradFn: 'DivBackward0',
  impl: (a, env) => {
    const x1 = a.tensor('x1');
    const shape = broadcastShapes(x1.shape, a.tensor('x2').shape);
    return out(env, x1, reduceShape(shape, [a.int('dim')], false));
  },
  numeric: cosineSimilarityNumeric,
});

registerOp({
  name: 'F.scaled_dot_product_attention',
  sig: 'scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor, attn_mask: Tensor? = None, dropout_p: float = 0.0, is_causal: bool = False, scale=None)',
  gradFn: 'ScaledDotProductAttentionBackward0',
  macs: (a) => {
    const q = a.tensor('query');
    const k = a.tensor('key');
    const v = a.tensor('value');
    const L = q.shape[q.ndim - 2];
    const S = k.shape[k.ndim - 2];
    const batch = numelOf(q.shape.slice(0, -2));
    return batch * L * S * (q.shape[q.ndim - 1] + v.shape[v.ndim - 1]);
  },
  impl: (a, env) => {
    const q = a.tensor('query');
    const k = a.tensor('key');
    const v = a.tensor('value');
    if (q.shape[q.ndim - 1] !== k.shape[k.ndim - 1]) {
      throw shapeError(`Expected query and key to have the same embedding dimension, but got ${q.shape[q.ndim - 1]} and ${k.shape[k.ndim - 1]}`, q.shape, k.shape);
    }
    const batch = broadcastShapes(q.shape.slice(0, -2), v.shape.slice(0, -2));
    return out(env, q, [...batch, q.shape[q.ndim - 2], v.shape[v.ndim - 1]]);
  },
  numeric: sdpaNumeric,
});

// ------------------------------------------------------------------ losses

const REDUCTIONS = ['none', 'mean', 'sum'];

function reduced(env: OpEnv, like: Tensor, shape: Shape, reduction: string): Tensor {
  // kl_div also accepts 'batchmean' (sum / batch size).
  const ok = REDUCTIONS.includes(reduction) || (reduction === 'batchmean' && env.entry.name === 'F.kl_div');
  if (!ok) throw valueError(`${reduction} is not a valid value for reduction`);
  return out(env, like, reduction === 'none' ? shape : []);
}

/** cross_entropy / nll_loss target check; returns the unreduced loss shape. */
export function classLossShape(input: Shape, target: Shape, targetIsFloat: boolean, fname: 'cross_entropy' | 'nll_loss'): Shape {
  if (input.length === 0) throw runtimeError(`input tensor should be 1D or more`);
  if (targetIsFloat && fname === 'cross_entropy') {
    if (input.length !== target.length || input.some((d, i) => d !== target[i])) {
      if (target.length === input.length - 1 || (input.length === 1 && target.length === 0)) {
        throw runtimeError('expected scalar type Long but found Float');
      }
      throw shapeError(`Expected target size ${fmt(target)}, got ${fmt(input)}`, input, target);
    }
    return input.length === 1 ? [] : [input[0], ...input.slice(2)];
  }
  if (input.length === 1) {
    if (target.length !== 0) throw shapeError(`0D or 1D target tensor expected, multi-target not supported`, input, target);
    return [];
  }
  if (input[0] !== target[0]) throw new TorchError('ValueError', `Expected input batch_size (${input[0]}) to match target batch_size (${target[0]}).`, [input, target]);
  const expected = [input[0], ...input.slice(2)];
  if (target.length !== expected.length || target.some((d, i) => d !== expected[i])) {
    if (input.length === 2) throw runtimeError(`0D or 1D target tensor expected, multi-target not supported`);
    throw shapeError(`Expected target size ${fmt(expected)}, got ${fmt(target)}`, input, target);
  }
  return expected;
}

for (const name of ['cross_entropy', 'nll_loss'] as const) {
  registerOp({
    name: `F.${name}`,
    sig: `${name}(input: Tensor, target: Tensor, weight: Tensor? = None, size_average=None, ignore_index: int = -100, reduce=None, reduction: str = "mean"${name === 'cross_entropy' ? ', label_smoothing: float = 0.0' : ''})`,
    gradFn: 'NllLossBackward0',
    impl: (a, env) => {
      const x = a.tensor('input');
      const t = a.tensor('target');
      const targetFloat = isFloatingDtype(t.dtype);
      if (name === 'nll_loss' && targetFloat) throw runtimeError('expected scalar type Long but found Float');
      const shape = classLossShape(x.shape, t.shape, targetFloat, name);
      if (name === 'cross_entropy' && targetFloat) env.gradFn = 'DivBackward1';
      return reduced(env, x, shape, a.str('reduction'));
    },
    numeric: classLossNumeric(name),
  });
}

for (const [name, grad, strict] of [
  ['mse_loss', 'MseLossBackward0', false],
  ['l1_loss', 'MeanBackward0', false],
  ['smooth_l1_loss', 'SmoothL1LossBackward0', false],
  ['huber_loss', 'HuberLossBackward0', false],
  ['binary_cross_entropy', 'BinaryCrossEntropyBackward0', true],
  ['binary_cross_entropy_with_logits', 'BinaryCrossEntropyWithLogitsBackward0', true],
  ['kl_div', 'MeanBackward0', false],
] as const) {
  registerOp({
    name: `F.${name}`,
    sig:
      name === 'binary_cross_entropy_with_logits'
        ? `${name}(input: Tensor, target: Tensor, weight: Tensor? = None, size_average=None, reduce=None, reduction: str = "mean", pos_weight: Tensor? = None)`
        : name === 'binary_cross_entropy'
          ? `${name}(input: Tensor, target: Tensor, weight: Tensor? = None, size_average=None, reduce=None, reduction: str = "mean")`
          : name === 'kl_div'
            ? `${name}(input: Tensor, target: Tensor, size_average=None, reduce=None, reduction: str = "mean", log_target: bool = False)`
            : `${name}(input: Tensor, target: Tensor, size_average=None, reduce=None, reduction: str = "mean"${name === 'smooth_l1_loss' ? ', beta: float = 1.0' : name === 'huber_loss' ? ', delta: float = 1.0' : ''})`,
    gradFn: grad,
    impl: (a, env) => {
      const x = a.tensor('input');
      const t = a.tensor('target');
      const same = x.ndim === t.ndim && x.shape.every((d, i) => d === t.shape[i]);
      if (strict && !same) {
        throw valueError(
          name === 'binary_cross_entropy'
            ? `Using a target size (${sizeRepr(t.shape)}) that is different to the input size (${sizeRepr(x.shape)}) is deprecated. Please ensure they have the same size.`
            : `Target size (${sizeRepr(t.shape)}) must be the same as input size (${sizeRepr(x.shape)})`,
        );
      }
      const shape = broadcastShapes(x.shape, t.shape);
      return reduced(env, x, shape, a.str('reduction'));
    },
    numeric: pointLossNumeric(name),
  });
}

/** Args accessor re-exported for layer files that parse their own options. */
export type { Args };
