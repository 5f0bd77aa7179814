// Shape ops: view/reshape/flatten/permute/transpose/unsqueeze/squeeze/contiguous/expand/chunk/split/cat/stack/
// size/dim/numel/t/repeat and friends. Views keep strides so view() of a transposed tensor fails as in PyTorch.

import { PyTuple, type PyValue } from '../../runtime/values';
import { promoteTypes } from '../dtype';
import { indexError, runtimeError, shapeError, typeError } from '../errors';
import { registerOp, type OpEnv } from '../registry';
import { contiguousStrides, expandShape, inferViewShape, isContiguous, normDim, viewStrides } from '../shapes';
import type { Args } from '../signature';
import { checkAllocation, isTensor, type Shape, type Tensor } from '../tensor';
import { sizeFromVarargs, sizeValue } from './common';
import {
  catNumeric,
  contiguousNumeric,
  expandNumeric,
  flipNumeric,
  permuteNumeric,
  piecesNumeric,
  repeatNumeric,
  reshapeViewNumeric,
  rollNumeric,
  stackNumeric,
  triNumeric,
  unbindNumeric,
} from './shapeNumeric';

/** A view of `src` with the given shape and strides. */
function viewOf(env: OpEnv, src: Tensor, shape: Shape, strides: number[], gradFn?: string): Tensor {
  const t = env.out(shape, src.dtype);
  t.strides = strides;
  t.device = src.device;
  if (gradFn) env.gradFn = gradFn;
  return t;
}

/** A fresh contiguous tensor (a copy), memory-checked. */
function copyOf(env: OpEnv, src: Tensor, shape: Shape, gradFn?: string): Tensor {
  checkAllocation(shape, src.dtype, env.state.maxTensorBytes);
  const t = env.out(shape, src.dtype);
  t.device = src.device;
  if (gradFn) env.gradFn = gradFn;
  return t;
}

const NOT_VIEWABLE =
  "view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.";

/** Target shape of view/reshape (shape given as varargs or one sequence). */
function viewTarget(a: Args, fname: string): number[] {
  return sizeFromVarargs(a, fname, 'shape');
}

export function viewShape(src: Shape, target: number[]): Shape {
  return inferViewShape(target, src.reduce((p, d) => p * d, 1));
}

registerOp({
  name: 'Tensor.view',
  sig: 'view(self: Tensor, *shape)',
  gradFn: 'ViewBackward0',
  allocates: false,
  impl: (a, env) => {
    const self = a.tensor('self');
    const shape = viewShape(self.shape, viewTarget(a, 'view'));
    const strides = viewStrides(self.shape, self.strides, shape);
    if (!strides) throw shapeError(NOT_VIEWABLE, self.shape, shape);
    return viewOf(env, self, shape, strides);
  },
  numeric: reshapeViewNumeric('self'),
});

registerOp({
  name: 'Tensor.view_as',
  sig: 'view_as(self: Tensor, other: Tensor)',
  gradFn: 'ViewBackward0',
  allocates: false,
  impl: (a, env) => {
    const self = a.tensor('self');
    const shape = viewShape(self.shape, a.tensor('other').shape);
    const strides = viewStrides(self.shape, self.strides, shape);
    if (!strides) throw shapeError(NOT_VIEWABLE, self.shape, shape);
    return viewOf(env, self, shape, strides);
  },
  numeric: reshapeViewNumeric('self'),
});

function reshapeTo(env: OpEnv, self: Tensor, shape: Shape): Tensor {
  const strides = viewStrides(self.shape, self.strides, shape);
  if (strides) return viewOf(env, self, shape, strides, 'ReshapeAliasBackward0');
  return copyOf(env, self, shape, 'UnsafeViewBackward0');
}

registerOp({
  name: 'Tensor.reshape',
  sig: 'reshape(self: Tensor, *shape)',
  gradFn: 'ReshapeAliasBackward0',
  allocates: false,
  impl: (a, env) => {
    const self = a.tensor('self');
    return reshapeTo(env, self, viewShape(self.shape, viewTarget(a, 'reshape')));
  },
  numeric: reshapeViewNumeric('self'),
});

registerOp({
  name: 'torch.reshape',
  sig: 'reshape(input: Tensor, shape)',
  gradFn: 'ReshapeAliasBackward0',
  allocates: false,
  impl: (a, env) => {
    const self = a.tensor('input');
    return reshapeTo(env, self, viewShape(self.shape, sizeValue(a.get('shape'), 'reshape', 'shape')));
  },
  numeric: reshapeViewNumeric('input'),
});

registerOp({
  name: 'Tensor.reshape_as',
  sig: 'reshape_as(self: Tensor, other: Tensor)',
  gradFn: 'ReshapeAliasBackward0',
  allocates: false,
  impl: (a, env) => {
    const self = a.tensor('self');
    return reshapeTo(env, self, viewShape(self.shape, a.tensor('other').shape));
  },
  numeric: reshapeViewNumeric('self'),
});

/** torch.flatten's shape rule. */
export function flattenShape(shape: Shape, startDim: number, endDim: number): Shape {
  if (shape.length === 0) return [1];
  const s = normDim(startDim, shape.length);
  const e = normDim(endDim, shape.length);
  if (s > e) throw runtimeError('flatten() has invalid args: start_dim cannot come after end_dim');
  const merged = shape.slice(s, e + 1).reduce((p, d) => p * d, 1);
  return [...shape.slice(0, s), merged, ...shape.slice(e + 1)];
}

registerOp({
  name: 'torch.flatten',
  sig: 'flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1)',
  aliases: ['Tensor.flatten'],
  gradFn: 'ReshapeAliasBackward0',
  allocates: false,
  impl: (a, env) => {
    const self = a.tensor('input');
    const shape = flattenShape(self.shape, a.int('start_dim'), a.int('end_dim'));
    if (shape.length === self.shape.length && self.shape.length > 0) return self;
    return reshapeTo(env, self, shape);
  },
  numeric: reshapeViewNumeric('input'),
});

registerOp({
  name: 'torch.unflatten',
  sig: 'unflatten(input: Tensor, dim: int, sizes)',
  aliases: ['Tensor.unflatten'],
  gradFn: 'ViewBackward0',
  allocates: false,
  impl: (a, env) => {
    const self = a.tensor('input');
    const d = normDim(a.int('dim'), self.ndim);
    const sizes = inferViewShape(sizeValue(a.get('sizes'), 'unflatten', 'sizes'), self.shape[d]);
    const shape = [...self.shape.slice(0, d), ...sizes, ...self.shape.slice(d + 1)];
    return reshapeTo(env, self, shape);
  },
  numeric: reshapeViewNumeric('input'),
});

/** permute's checks and result. */
export function permuteDims(shape: Shape, dims: number[]): number[] {
  if (dims.length !== shape.length) {
    throw runtimeError(
      `permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = ${shape.length} is not equal to len(dims) = ${dims.length}`,
    );
  }
  const norm = dims.map((d) => normDim(d, shape.length));
  if (new Set(norm).size !== norm.length) throw runtimeError('permute(): duplicate dims are not allowed.');
  return norm;
}

function permuted(env: OpEnv, self: Tensor, order: number[], gradFn: string): Tensor {
  return viewOf(env, self, order.map((i) => self.shape[i]), order.map((i) => self.strides[i]), gradFn);
}

registerOp({
  name: 'Tensor.permute',
  sig: 'permute(self: Tensor, *dims)',
  gradFn: 'PermuteBackward0',
  allocates: false,
  impl: (a, env) => {
    const self = a.tensor('self');
    return permuted(env, self, permuteDims(self.shape, sizeFromVarargs(a, 'permute', 'dims')), 'PermuteBackward0');
  },
  numeric: permuteNumeric('self'),
});

registerOp({
  name: 'torch.permute',
  sig: 'permute(input: Tensor, dims)',
  gradFn: 'PermuteBackward0',
  allocates: false,
  impl: (a, env) => {
    const self = a.tensor('input');
    return permuted(env, self, permuteDims(self.shape, sizeValue(a.get('dims'), 'permute', 'dims')), 'PermuteBackward0');
  },
  numeric: permuteNumeric('input'),
});

registerOp({
  name: 'torch.movedim',
  sig: 'movedim(input: Tensor, source, destination)',
  aliases: ['Tensor.movedim', 'torch.moveaxis', 'Tensor.moveaxis'],
  gradFn: 'PermuteBackward0',
  allocates: false,
  impl: (a, env) => {
    const self = a.tensor('input');
    const n = self.ndim;
    const src = sizeValue(a.get('source'), 'movedim', 'source').map((d) => normDim(d, n));
    const dst = sizeValue(a.get('destination'), 'movedim', 'destination').map((d) => normDim(d, n));
    if (src.length !== dst.length) {
      throw runtimeError(`movedim: Invalid source or destination dims: source (${src.length} dims) should contain the same number of dims as destination (${dst.length} dims)`);
    }
    const order: number[] = new Array(n).fill(-1);
    src.forEach((s, i) => (order[dst[i]] = s));
    const rest = [...Array(n).keys()].filter((d) => !src.includes(d));
    for (let i = 0, j = 0; i < n; i++) if (order[i] === -1) order[i] = rest[j++];
    return permuted(env, self, order, 'PermuteBackward0');
  },
  numeric: permuteNumeric('input'),
});

registerOp({
  name: 'torch.transpose',
  sig: 'transpose(input: Tensor, dim0: int, dim1: int)',
  aliases: ['Tensor.transpose', 'torch.swapaxes', 'Tensor.swapaxes', 'torch.swapdims', 'Tensor.swapdims'],
  gradFn: 'TransposeBackward0',
  allocates: false,
  impl: (a, env) => {
    const self = a.tensor('input');
    const n = self.ndim;
    const d0 = normDim(a.int('dim0'), n);
    const d1 = normDim(a.int('dim1'), n);
    const order = [...Array(n).keys()];
    [order[d0], order[d1]] = [order[d1], order[d0]];
    return permuted(env, self, order, 'TransposeBackward0');
  },
  numeric: permuteNumeric('input'),
});

registerOp({
  name: 'torch.t',
  sig: 't(input: Tensor)',
  aliases: ['Tensor.t'],
  gradFn: 'TBackward0',
  allocates: false,
  impl: (a, env) => {
    const self = a.tensor('input');
    if (self.ndim > 2) throw runtimeError(`t() expects a tensor with <= 2 dimensions, but self is ${self.ndim}D`);
    return permuted(env, self, self.ndim === 2 ? [1, 0] : [...Array(self.ndim).keys()], 'TBackward0');
  },
  numeric: permuteNumeric('input'),
});

registerOp({
  name: 'torch.unsqueeze',
  sig: 'unsqueeze(input: Tensor, dim: int)',
  aliases: ['Tensor.unsqueeze'],
  gradFn: 'UnsqueezeBackward0',
  allocates: false,
  impl: (a, env) => {
    const self = a.tensor('input');
    const d = normDim(a.int('dim'), self.ndim + 1);
    const shape = [...self.shape];
    const strides = [...self.strides];
    shape.splice(d, 0, 1);
    strides.splice(d, 0, d < self.ndim ? self.strides[d] * self.shape[d] : 1);
    return viewOf(env, self, shape, strides);
  },
  numeric: reshapeViewNumeric('input'),
});

registerOp({
  name: 'torch.squeeze',
  sig: 'squeeze(input: Tensor, dim=None)',
  aliases: ['Tensor.squeeze'],
  gradFn: 'SqueezeBackward0',
  allocates: false,
  impl: (a, env) => {
    const self = a.tensor('input');
    const dimArg = a.get('dim');
    let drop: number[];
    if (dimArg === null) drop = self.shape.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0);
    else {
      env.gradFn = 'SqueezeBackward1';
      drop = sizeValue(dimArg, 'squeeze', 'dim')
        .map((d) => normDim(d, self.ndim))
        .filter((d) => self.shape[d] === 1);
    }
    const keep = self.shape.map((_, i) => i).filter((i) => !drop.includes(i));
    return viewOf(env, self, keep.map((i) => self.shape[i]), keep.map((i) => self.strides[i]));
  },
  numeric: reshapeViewNumeric('input'),
});

registerOp({
  name: 'Tensor.contiguous',
  sig: 'contiguous(self: Tensor, memory_format=None)',
  gradFn: 'CloneBackward0',
  allocates: false,
  impl: (a, env) => {
    const self = a.tensor('self');
    if (isContiguous(self.shape, self.strides)) return self;
    const t = copyOf(env, self, self.shape);
    t.strides = contiguousStrides(self.shape);
    return t;
  },
  numeric: contiguousNumeric,
});

registerOp({
  name: 'Tensor.is_contiguous',
  sig: 'is_contiguous(self: Tensor, memory_format=None)',
  record: false,
  impl: (a) => {
    const self = a.tensor('self');
    return isContiguous(self.shape, self.strides);
  },
});

function expandTo(env: OpEnv, self: Tensor, target: number[]): Tensor {
  const shape = expandShape(self.shape, target);
  const off = shape.length - self.ndim;
  const strides = shape.map((d, i) => (i < off ? 0 : self.shape[i - off] === 1 && d !== 1 ? 0 : self.strides[i - off]));
  return viewOf(env, self, shape, strides);
}

registerOp({
  name: 'Tensor.expand',
  sig: 'expand(self: Tensor, *size)',
  gradFn: 'ExpandBackward0',
  allocates: false,
  impl: (a, env) => expandTo(env, a.tensor('self'), sizeFromVarargs(a, 'expand')),
  numeric: expandNumeric,
});

registerOp({
  name: 'Tensor.expand_as',
  sig: 'expand_as(self: Tensor, other: Tensor)',
  gradFn: 'ExpandBackward0',
  allocates: false,
  impl: (a, env) => expandTo(env, a.tensor('self'), a.tensor('other').shape),
  numeric: expandNumeric,
});

registerOp({
  name: 'torch.broadcast_to',
  sig: 'broadcast_to(input: Tensor, size)',
  aliases: ['Tensor.broadcast_to'],
  gradFn: 'ExpandBackward0',
  allocates: false,
  impl: (a, env) => expandTo(env, a.tensor('input'), sizeValue(a.get('size'), 'broadcast_to')),
  numeric: expandNumeric,
});

/** repeat()'s shape rule. */
export function repeatShape(shape: Shape, reps: number[]): Shape {
  if (reps.length < shape.length) {
    throw runtimeError('Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor');
  }
  const padded = [...new Array(reps.length - shape.length).fill(1), ...shape];
  return padded.map((d, i) => d * reps[i]);
}

registerOp({
  name: 'Tensor.repeat',
  sig: 'repeat(self: Tensor, *repeats)',
  gradFn: 'RepeatBackward0',
  impl: (a, env) => {
    const self = a.tensor('self');
    return env.out(repeatShape(self.shape, sizeFromVarargs(a, 'repeat', 'repeats')), self.dtype);
  },
  numeric: repeatNumeric('self'),
});

registerOp({
  name: 'torch.tile',
  sig: 'tile(input: Tensor, dims)',
  aliases: ['Tensor.tile'],
  gradFn: 'RepeatBackward0',
  impl: (a, env) => {
    const self = a.tensor('input');
    let reps = sizeValue(a.get('dims'), 'tile', 'dims');
    if (reps.length < self.ndim) reps = [...new Array(self.ndim - reps.length).fill(1), ...reps];
    return env.out(repeatShape(self.shape, reps), self.dtype);
  },
  numeric: repeatNumeric('input'),
});

/** Sizes of the pieces chunk() returns. */
export function chunkSizes(size: number, chunks: number): number[] {
  if (chunks <= 0) throw runtimeError(`chunk expects \`chunks\` to be greater than 0, got: ${chunks}`);
  const step = Math.max(1, Math.ceil(size / chunks));
  const out: number[] = [];
  for (let s = 0; s < size; s += step) out.push(Math.min(step, size - s));
  return out.length ? out : [0];
}

function pieces(env: OpEnv, self: Tensor, dim: number, sizes: number[]): PyTuple {
  return new PyTuple(
    sizes.map((n) => {
      const shape = [...self.shape];
      shape[dim] = n;
      return viewOf(env, self, shape, [...self.strides]);
    }),
  );
}

registerOp({
  name: 'torch.chunk',
  sig: 'chunk(input: Tensor, chunks: int, dim: int = 0)',
  aliases: ['Tensor.chunk'],
  gradFn: 'SplitBackward0',
  allocates: false,
  impl: (a, env) => {
    const self = a.tensor('input');
    if (self.ndim === 0) throw runtimeError('chunk expects at least a 1-dimensional tensor');
    const d = normDim(a.int('dim'), self.ndim);
    return pieces(env, self, d, chunkSizes(self.shape[d], a.int('chunks')));
  },
  numeric: piecesNumeric,
});

registerOp({
  name: 'torch.split',
  sig: 'split(tensor: Tensor, split_size_or_sections, dim: int = 0)',
  aliases: [{ name: 'Tensor.split', sig: 'split(self: Tensor, split_size, dim: int = 0)' }],
  gradFn: 'SplitBackward0',
  allocates: false,
  impl: (a, env) => {
    const self = (a.get('tensor') ?? a.get('self')) as Tensor;
    if (!isTensor(self)) throw typeError('split(): argument must be Tensor');
    const spec: PyValue = a.has('split_size') ? a.get('split_size') : a.get('split_size_or_sections');
    if (self.ndim === 0) throw runtimeError('split expects at least a 1-dimensional tensor');
    const d = normDim(a.int('dim'), self.ndim);
    const size = self.shape[d];
    if (typeof spec === 'number') {
      if (spec < 0) throw runtimeError(`split expects split_size be non-negative, but got split_size=${spec}`);
      const sizes: number[] = [];
      if (spec === 0) sizes.push(0);
      for (let s = 0; s < size && spec > 0; s += spec) sizes.push(Math.min(spec, size - s));
      return pieces(env, self, d, sizes.length ? sizes : [0]);
    }
    const sizes = sizeValue(spec, 'split', 'split_size');
    const sum = sizes.reduce((p, x) => p + x, 0);
    if (sum !== size) {
      throw shapeError(
        `split_with_sizes expects split_sizes to sum exactly to ${size} (input tensor's size at dimension ${d}), but got split_sizes=[${sizes.join(', ')}]`,
        self.shape,
      );
    }
    env.gradFn = 'SplitWithSizesBackward0';
    return pieces(env, self, d, sizes);
  },
  numeric: piecesNumeric,
});

registerOp({
  name: 'torch.unbind',
  sig: 'unbind(input: Tensor, dim: int = 0)',
  aliases: ['Tensor.unbind'],
  gradFn: 'UnbindBackward0',
  allocates: false,
  impl: (a, env) => {
    const self = a.tensor('input');
    const d = normDim(a.int('dim'), self.ndim);
    const shape = self.shape.filter((_, i) => i !== d);
    const strides = self.strides.filter((_, i) => i !== d);
    return new PyTuple(Array.from({ length: self.shape[d] }, () => viewOf(env, self, shape, strides)));
  },
  numeric: unbindNumeric,
});

registerOp({
  name: 'torch.narrow',
  sig: 'narrow(input: Tensor, dim: int, start: int, length: int)',
  aliases: ['Tensor.narrow'],
  gradFn: 'SliceBackward0',
  allocates: false,
  impl: (a, env) => {
    const self = a.tensor('input');
    const d = normDim(a.int('dim'), self.ndim);
    let start = a.int('start');
    const len = a.int('length');
    if (start < 0) start += self.shape[d];
    if (start < 0 || start + len > self.shape[d]) throw runtimeError(`start (${a.int('start')}) + length (${len}) exceeds dimension size (${self.shape[d]}).`);
    const shape = [...self.shape];
    shape[d] = len;
    return viewOf(env, self, shape, [...self.strides]);
  },
  numeric: piecesNumeric,
});

registerOp({
  name: 'torch.flip',
  sig: 'flip(input: Tensor, dims)',
  aliases: [{ name: 'Tensor.flip', sig: 'flip(input: Tensor, *dims)' }],
  gradFn: 'FlipBackward0',
  impl: (a, env) => {
    const self = a.tensor('input');
    const dims = a.has('dims') ? sizeValue(a.get('dims'), 'flip', 'dims') : sizeFromVarargs(a, 'flip', 'dims');
    dims.forEach((d) => normDim(d, self.ndim));
    return env.out(self.shape, self.dtype);
  },
  numeric: flipNumeric,
});

/** torch.cat's shape rule (tensors' shapes, dim). */
export function catShape(shapes: Shape[], dim: number): Shape {
  if (shapes.length === 0) throw runtimeError('torch.cat(): expected a non-empty list of Tensors');
  // Legacy behaviour: 1-D empty tensors are skipped.
  const used = shapes.filter((s) => !(s.length === 1 && s[0] === 0));
  if (used.length === 0) return [...shapes[0]];
  const ref = used[0];
  const d = normDim(dim, ref.length);
  if (ref.length === 0) throw runtimeError(`zero-dimensional tensor (at position 0) cannot be concatenated`);
  const out = [...ref];
  out[d] = 0;
  shapes.forEach((s, i) => {
    if (s.length === 1 && s[0] === 0) return;
    if (s.length !== ref.length) throw shapeError(`Tensors must have same number of dimensions: got ${ref.length} and ${s.length}`, ref, s);
    for (let k = 0; k < s.length; k++) {
      if (k !== d && s[k] !== ref[k]) {
        throw shapeError(
          `Sizes of tensors must match except in dimension ${d}. Expected size ${ref[k]} but got size ${s[k]} for tensor number ${i} in the list.`,
          ...shapes,
        );
      }
    }
    out[d] += s[d];
  });
  return out;
}

registerOp({
  name: 'torch.cat',
  sig: 'cat(tensors: Tensors, dim: int = 0, *, out=None)',
  aliases: ['torch.concat', 'torch.concatenate'],
  gradFn: 'CatBackward0',
  impl: (a, env) => {
    const ts = a.tensors('tensors');
    const shape = catShape(
      ts.map((t) => t.shape),
      a.int('dim'),
    );
    return env.out(shape, ts.map((t) => t.dtype).reduce(promoteTypes));
  },
  numeric: catNumeric,
});

/** torch.stack's shape rule. */
export function stackShape(shapes: Shape[], dim: number): Shape {
  if (shapes.length === 0) throw runtimeError('stack expects a non-empty TensorList');
  const ref = shapes[0];
  shapes.forEach((s, i) => {
    if (s.length !== ref.length || s.some((d, k) => d !== ref[k])) {
      throw shapeError(`stack expects each tensor to be equal size, but got [${ref.join(', ')}] at entry 0 and [${s.join(', ')}] at entry ${i}`, ...shapes);
    }
  });
  const d = normDim(dim, ref.length + 1);
  const out = [...ref];
  out.splice(d, 0, shapes.length);
  return out;
}

registerOp({
  name: 'torch.stack',
  sig: 'stack(tensors: Tensors, dim: int = 0, *, out=None)',
  gradFn: 'StackBackward0',
  impl: (a, env) => {
    const ts = a.tensors('tensors');
    return env.out(
      stackShape(
        ts.map((t) => t.shape),
        a.int('dim'),
      ),
      ts.map((t) => t.dtype).reduce(promoteTypes),
    );
  },
  numeric: stackNumeric,
});

registerOp({
  name: 'Tensor.size',
  sig: 'size(self: Tensor, dim=None)',
  record: false,
  allocates: false,
  impl: (a) => {
    const self = a.tensor('self');
    const dim = a.get('dim');
    if (dim === null) return new PyTuple([...self.shape], true);
    if (typeof dim !== 'number') throw typeError(`size(): argument 'dim' (position 1) must be int, not ${typeof dim}`);
    return self.shape[normDim(dim, self.ndim)] ?? indexErr(dim);
  },
});

function indexErr(dim: number): never {
  throw indexError(`Dimension specified as ${dim} but tensor has no dimensions`);
}

registerOp({
  name: 'Tensor.dim',
  sig: 'dim(self: Tensor)',
  aliases: ['Tensor.ndimension'],
  record: false,
  allocates: false,
  impl: (a) => a.tensor('self').ndim,
});

registerOp({
  name: 'torch.numel',
  sig: 'numel(input: Tensor)',
  aliases: ['Tensor.numel', 'Tensor.nelement'],
  record: false,
  allocates: false,
  impl: (a) => a.tensor('input').numel,
});

for (const [name, grad] of [
  ['tril', 'TrilBackward0'],
  ['triu', 'TriuBackward0'],
] as const) {
  registerOp({
    name: `torch.${name}`,
    sig: `${name}(input: Tensor, diagonal: int = 0, *, out=None)`,
    aliases: [`Tensor.${name}`],
    gradFn: grad,
    impl: (a, env) => {
      const x = a.tensor('input');
      if (x.ndim < 2) throw runtimeError(`${name}: input tensor must have at least 2 dimensions`);
      return env.out(x.shape, x.dtype);
    },
    numeric: triNumeric(name === 'tril'),
  });
  registerOp({
    name: `Tensor.${name}_`,
    sig: `${name}_(input: Tensor, diagonal: int = 0)`,
    gradFn: grad,
    impl: (a, env) => {
      const x = a.tensor('input');
      env.mutate(x);
      return x;
    },
    numeric: triNumeric(name === 'tril'),
  });
}

registerOp({
  name: 'torch.roll',
  sig: 'roll(input: Tensor, shifts, dims=None)',
  aliases: ['Tensor.roll'],
  gradFn: 'RollBackward0',
  impl: (a, env) => {
    const x = a.tensor('input');
    const dims = a.get('dims');
    if (dims !== null) sizeValue(dims, 'roll', 'dims').forEach((d) => normDim(d, x.ndim));
    return env.out(x.shape, x.dtype);
  },
  numeric: rollNumeric,
});
