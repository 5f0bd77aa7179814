// Shape arithmetic shared by the op families: dim wrapping, broadcasting, view/stride compatibility,
// each throwing the exact error PyTorch raises.

import { indexError, runtimeError, shapeError } from './errors';
import { numelOf, rowMajorStrides, type Shape } from './tensor';

/** Wraps a possibly negative dim into [0, ndim) ('Dimension out of range …' otherwise). Scalars accept -1/0. */
export function normDim(dim: number, ndim: number): number {
  const n = Math.max(ndim, 1);
  if (dim < -n || dim >= n) {
    throw indexError(`Dimension out of range (expected to be in range of [${-n}, ${n - 1}], but got ${dim})`);
  }
  return dim < 0 ? dim + n : dim;
}

/** Broadcasts two shapes with PyTorch's message naming the last mismatching dimension. */
export function broadcastShapes(a: Shape, b: Shape): Shape {
  const n = Math.max(a.length, b.length);
  const out: number[] = new Array(n);
  for (let i = n - 1; i >= 0; i--) {
    const off = n - 1 - i;
    const da = a.length - 1 - off >= 0 ? a[a.length - 1 - off] : 1;
    const db = b.length - 1 - off >= 0 ? b[b.length - 1 - off] : 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw shapeError(`The size of tensor a (${da}) must match the size of tensor b (${db}) at non-singleton dimension ${i}`, a, b);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Broadcasts any number of shapes. */
export function broadcastAll(shapes: Shape[]): Shape {
  return shapes.reduce((acc, s) => broadcastShapes(acc, s), [] as Shape);
}

/** Checks that `from` can be expanded to `to` (expand()'s rules and message). Returns the target with -1 resolved. */
export function expandShape(from: Shape, to: Shape): Shape {
  if (to.length < from.length) {
    throw runtimeError(
      `expand(torch.FloatTensor{[${from.join(', ')}]}, size=[${to.join(', ')}]): the number of sizes provided (${to.length}) must be greater or equal to the number of dimensions in the tensor (${from.length})`,
    );
  }
  const out = [...to];
  const off = to.length - from.length;
  for (let i = to.length - 1; i >= 0; i--) {
    const j = i - off;
    if (j < 0) {
      if (to[i] < 0) throw runtimeError(`The expanded size of the tensor (${to[i]}) isn't allowed in a leading, non-existing dimension ${i}`);
      continue;
    }
    if (to[i] === -1) {
      out[i] = from[j];
      continue;
    }
    if (from[j] !== to[i] && from[j] !== 1) {
      throw shapeError(
        `The expanded size of the tensor (${to[i]}) must match the existing size (${from[j]}) at non-singleton dimension ${i}.  Target sizes: [${to.join(', ')}].  Tensor sizes: [${from.join(', ')}]`,
        from,
        to,
      );
    }
  }
  return out;
}

/** Resolves a view/reshape target with at most one -1 against the element count. */
export function inferViewShape(target: number[], numel: number): Shape {
  let infer = -1;
  let known = 1;
  for (let i = 0; i < target.length; i++) {
    if (target[i] === -1) {
      if (infer >= 0) throw runtimeError('only one dimension can be inferred');
      infer = i;
    } else if (target[i] < 0) {
      throw runtimeError(`invalid shape dimension ${target[i]}`);
    } else known *= target[i];
  }
  const bad = () => shapeError(`shape '[${target.join(', ')}]' is invalid for input of size ${numel}`, [numel], target);
  if (infer >= 0) {
    if (known === 0 || numel % known !== 0) throw bad();
    const out = [...target];
    out[infer] = numel / known;
    return out;
  }
  if (known !== numel) throw bad();
  return [...target];
}

/** Row-major strides of a contiguous tensor. */
export const contiguousStrides = rowMajorStrides;

export function isContiguous(shape: Shape, strides: number[]): boolean {
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] === 1) continue;
    if (strides[i] !== expected) return false;
    expected *= shape[i];
  }
  return true;
}

/**
 * PyTorch's computeStride (aten/src/ATen/TensorUtils.cpp): the strides of a view of (oldShape, oldStrides) as
 * newShape, or null when the view is impossible without a copy.
 */
export function viewStrides(oldShape: Shape, oldStrides: number[], newShape: Shape): number[] | null {
  if (oldShape.length === 0) return new Array(newShape.length).fill(1);
  const numel = numelOf(oldShape);
  if (numel === 0) return oldShape.every((d, i) => d === newShape[i]) && oldShape.length === newShape.length ? [...oldStrides] : contiguousStrides(newShape);
  const newStrides = new Array(newShape.length).fill(0);
  let viewD = newShape.length - 1;
  let chunkBaseStride = oldStrides[oldStrides.length - 1];
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let tensorD = oldShape.length - 1; tensorD >= 0; tensorD--) {
    tensorNumel *= oldShape[tensorD];
    if (tensorD === 0 || (oldShape[tensorD - 1] !== 1 && oldStrides[tensorD - 1] !== tensorNumel * chunkBaseStride)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] === 1)) {
        newStrides[viewD] = viewNumel * chunkBaseStride;
        viewNumel *= newShape[viewD];
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (tensorD > 0) {
        chunkBaseStride = oldStrides[tensorD - 1];
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  if (viewD !== -1) return null;
  return newStrides;
}

/** Output length of a conv/pool window along one dimension. */
export function windowOut(inp: number, kernel: number, stride: number, pad: number, dilation: number, ceilMode = false): number {
  const eff = dilation * (kernel - 1) + 1;
  const num = inp + 2 * pad - eff;
  let out = (ceilMode ? Math.ceil(num / stride) : Math.floor(num / stride)) + 1;
  // With ceil_mode the last window must start inside the (left-padded) input.
  if (ceilMode && (out - 1) * stride >= inp + pad) out--;
  return out;
}

/** '[2, 3]' */
export const fmtShape = (s: Shape): string => `[${s.join(', ')}]`;
