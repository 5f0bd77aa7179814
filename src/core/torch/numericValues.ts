// Numeric-mode helpers shared by the op families: PyTorch dtype ↔ tfjs dtype, operand values (tensors or Python
// scalars), reading values back into JS, and the gradient helpers every backward formula needs (unbroadcast,
// re-expanding a reduced gradient, scattering into an index map).

import * as tf from '@tensorflow/tfjs-core';
// tfjs-core registers no gradient functions (nor the chained-op methods some of them call) by default; composite
// ops are differentiated through them.
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { PyFloat, type PyValue } from '../runtime/values';
import { isFloatingDtype, type DType } from './dtype';
import { runtimeError } from './errors';
import { isTensor, type Tensor } from './tensor';

export type TfDtype = 'float32' | 'int32' | 'bool';

/** An int32 scalar (tfjs turns a bare JS number into float32 and upcasts int32 operands with it). */
export const i32 = (n: number): tf.Scalar => tf.scalar(n, 'int32');

// Comparisons, logical ops and the like have no tfjs gradient; inside a composite op they only build masks, so
// they get zero gradients (tfjs otherwise refuses to differentiate any expression that contains them).
for (const kernelName of ['Greater', 'GreaterEqual', 'Less', 'LessEqual', 'Equal', 'NotEqual', 'LogicalAnd', 'LogicalOr', 'LogicalXor']) {
  if (!tf.getGradient(kernelName)) {
    tf.registerGradient({ kernelName, inputsToSave: ['a', 'b'], gradFunc: (_dy, saved) => ({ a: () => tf.zerosLike(saved[0]), b: () => tf.zerosLike(saved[1]) }) });
  }
}
for (const kernelName of ['LogicalNot', 'IsNan', 'IsInf', 'IsFinite', 'OnesLike', 'ZerosLike', 'ArgMax', 'ArgMin']) {
  if (!tf.getGradient(kernelName)) {
    tf.registerGradient({ kernelName, inputsToSave: ['x'], gradFunc: (_dy, saved) => ({ x: () => tf.zerosLike(saved[0]) }) });
  }
}

/** tf.tidy for any result holding tensors (arrays with nulls, records): what it returns survives, the rest is freed. */
export function tidy<T>(fn: () => T): T {
  return tf.tidy(fn as unknown as () => tf.TensorContainer) as unknown as T;
}

/**
 * tfjs holds every floating dtype as float32 and every integer dtype as int32 (float64/int64 values beyond
 * float32/int32 range are not represented exactly); bool stays bool.
 */
export function tfDtype(d: DType): TfDtype {
  if (d === 'bool') return 'bool';
  if (isFloatingDtype(d) || d.startsWith('complex')) return 'float32';
  return 'int32';
}

/** The values of a tensor (throws when the tensor has none, e.g. it came from a symbolic part of the run). */
export function val(t: Tensor): tf.Tensor {
  const d = t.data;
  if (!d) throw runtimeError(`the values of a tensor of shape [${t.shape.join(', ')}] are not known in this numeric run`);
  return d;
}

/** A value cast to the tfjs dtype that holds `d`. */
export function castTo(v: tf.Tensor, d: DType | TfDtype): tf.Tensor {
  const td = d === 'float32' || d === 'int32' || d === 'bool' ? d : tfDtype(d as DType);
  if (v.dtype === td) return v;
  if (td === 'bool') return tf.notEqual(v, tf.scalar(0, v.dtype as TfDtype));
  if (td === 'int32' && v.dtype === 'float32') {
    // PyTorch truncates toward zero when casting floats to integers.
    return tf.cast(tf.mul(tf.sign(v), tf.floor(tf.abs(v))), 'int32');
  }
  return tf.cast(v, td);
}

/** A Python number (int, float, bool) as a JS number, or undefined. */
export function pyNumber(v: PyValue | undefined): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof PyFloat) return v.v;
  return undefined;
}

/** A tensor operand or a Python scalar as a tfjs value of dtype `d` (scalars become 0-d tensors). */
export function operandValue(v: PyValue | undefined, d: DType): tf.Tensor {
  if (isTensor(v)) return castTo(val(v), d);
  const n = pyNumber(v);
  if (n === undefined) throw runtimeError('expected a tensor or a number');
  return tf.scalar(n, tfDtype(d));
}

/** The single value of a one-element tensor, as a JS number (bools as 0/1). */
export function scalarOf(t: Tensor): number {
  const d = val(t);
  if (d.size !== 1) throw runtimeError('only one element tensors can be converted to Python scalars');
  return Number(d.dataSync()[0]);
}

/** A number argument that may be a Python scalar or a one-element tensor. */
export function numberArg(v: PyValue | undefined, fallback?: number): number {
  if (v === null || v === undefined) {
    if (fallback === undefined) throw runtimeError('expected a number');
    return fallback;
  }
  if (isTensor(v)) return scalarOf(v);
  const n = pyNumber(v);
  if (n === undefined) throw runtimeError('expected a number');
  return n;
}

/** Sums a gradient over the dimensions that broadcasting added or stretched, back to `shape`. */
export function unbroadcast(g: tf.Tensor, shape: readonly number[]): tf.Tensor {
  if (g.shape.length === shape.length && g.shape.every((d, i) => d === shape[i])) return g;
  let r = g;
  const lead = r.rank - shape.length;
  if (lead > 0) r = tf.sum(r, [...Array(lead).keys()]);
  const axes: number[] = [];
  shape.forEach((d, i) => {
    if (d === 1 && r.shape[i] !== 1) axes.push(i);
  });
  if (axes.length) r = tf.sum(r, axes, true);
  return r.shape.length === shape.length ? r : tf.reshape(r, [...shape]);
}

/** Normalised, sorted reduction dims (null = all). */
export function reduceDims(ndim: number, dims: number[] | null): number[] {
  if (dims === null || dims.length === 0) return [...Array(ndim).keys()];
  return [...new Set(dims.map((d) => (d < 0 ? d + ndim : d)))].sort((a, b) => a - b);
}

/** A reduced gradient re-expanded to the input shape (reinserting the reduced dims when keepdim was False). */
export function expandReduced(g: tf.Tensor, inShape: readonly number[], dims: number[], keepdim: boolean): tf.Tensor {
  let r = g;
  if (!keepdim) {
    const kept = inShape.map((d, i) => (dims.includes(i) ? 1 : d));
    r = tf.reshape(r, kept);
  }
  return tf.broadcastTo(r, [...inShape]);
}

/** Flat row-major indices 0..n-1 shaped like `shape` (int32): run a gather-like op on it to get its index map. */
export function iota(shape: readonly number[]): tf.Tensor {
  const n = shape.reduce((p, d) => p * d, 1);
  return tf.reshape(tf.range(0, n, 1, 'int32'), [...shape]);
}

/**
 * Backward of any op whose outputs copy input elements (indexing, gathers, views): adds each gradient element
 * into the input position the index map names (duplicates summed).
 */
export function scatterAdd(indexMap: tf.Tensor, g: tf.Tensor, inShape: readonly number[]): tf.Tensor {
  const n = inShape.reduce((p, d) => p * d, 1);
  if (indexMap.size === 0) return tf.zeros([...inShape]);
  const idx = tf.reshape(indexMap, [-1, 1]);
  const flat = tf.scatterND(idx, tf.reshape(tf.cast(g, 'float32'), [-1]), [n]);
  return tf.reshape(flat, [...inShape]);
}

/**
 * Flat indices into a tensor of shape `xShape` for PyTorch's gather(dim, idx): the element at every position of
 * `idx` with its `dim` coordinate replaced by the index value (negative values wrap).
 */
export function alongIndex(xShape: readonly number[], dim: number, idx: tf.Tensor): tf.Tensor {
  const n = xShape.length;
  const xStrides = new Array<number>(n);
  let acc = 1;
  for (let i = n - 1; i >= 0; i--) {
    xStrides[i] = acc;
    acc *= xShape[i];
  }
  const ishape = idx.shape;
  const pos = iota(ishape);
  let flat = tf.mul(tf.add(tf.cast(idx, 'int32'), tf.mul(tf.cast(tf.less(idx, 0), 'int32'), i32(xShape[dim]))), i32(xStrides[dim]));
  let istride = 1;
  for (let a = n - 1; a >= 0; a--) {
    if (a !== dim) {
      const coord = tf.mod(tf.floorDiv(pos, tf.scalar(istride, 'int32')), tf.scalar(ishape[a], 'int32'));
      flat = tf.add(flat, tf.mul(coord, tf.scalar(xStrides[a], 'int32')));
    }
    istride *= ishape[a];
  }
  return flat;
}

/** PyTorch's gather(x, dim, idx) on values. */
export function gatherAlong(x: tf.Tensor, dim: number, idx: tf.Tensor): tf.Tensor {
  const flat = alongIndex(x.shape, dim, idx);
  return tf.reshape(tf.gather(tf.reshape(x, [-1]), tf.reshape(flat, [-1])), idx.shape);
}

/**
 * tf.slice that stays fast on large tensors: tfjs-backend-wasm's Slice copies the whole input heap into JS first,
 * so big float32 inputs go through the native StridedSlice kernel and others through GatherV2 along each axis.
 */
export function sliceAny(x: tf.Tensor, begin: number[], size: number[]): tf.Tensor {
  const sz = size.map((s, i) => (s < 0 ? x.shape[i] - begin[i] : s));
  if (x.size <= 4096 || tf.getBackend() !== 'wasm') return tf.slice(x, begin, sz);
  if (sz.every((s, i) => s === x.shape[i])) return x;
  // (StridedSlice with unit strides also falls back to that JS Slice.)
  return gatherSlice(x, begin, sz);
}

/** A slice as GatherV2 along each sliced axis (native on every backend, any dtype). */
function gatherSlice(x: tf.Tensor, begin: number[], size: number[]): tf.Tensor {
  const isBool = x.dtype === 'bool';
  let r = isBool ? tf.cast(x, 'int32') : x;
  for (let a = 0; a < x.rank; a++) {
    if (begin[a] === 0 && size[a] === x.shape[a]) continue;
    r = tf.gather(r, tf.range(begin[a], begin[a] + size[a], 1, 'int32'), a);
  }
  return isBool ? tf.cast(r, 'bool') : r;
}

/**
 * tf.stridedSlice for any dtype: tfjs-backend-wasm's StridedSlice reinterprets int32 data as float32, so integer
 * (and bool) values are gathered along each strided axis instead.
 */
export function stridedSliceAny(x: tf.Tensor, begin: number[], end: number[], strides: number[], gatherAll = false): tf.Tensor {
  if (x.dtype === 'float32' && strides.some((s) => s !== 1)) return tf.stridedSlice(x, begin, end, strides);
  if (strides.every((s) => s === 1)) return sliceAny(x, begin, end.map((e, i) => Math.max(0, e - begin[i])));
  const isBool = x.dtype === 'bool';
  let r = isBool ? tf.cast(x, 'int32') : x;
  for (let a = 0; a < x.rank; a++) {
    const s = strides[a];
    const n = s > 0 ? Math.max(0, Math.ceil((end[a] - begin[a]) / s)) : 0;
    if (begin[a] === 0 && n === r.shape[a] && s === 1) continue;
    if (s === 1 && !gatherAll) {
      r = tf.slice(r, r.shape.map((_, k) => (k === a ? begin[a] : 0)), r.shape.map((d, k) => (k === a ? n : d)));
      continue;
    }
    r = tf.gather(r, tf.range(begin[a], begin[a] + n * s, s, 'int32'), a);
  }
  return isBool ? tf.cast(r, 'bool') : r;
}

/**
 * tf.tensorScatterUpdate without touching `x` (tfjs-backend-cpu writes the updates into the input's own buffer).
 */
export function scatterUpdate(x: tf.Tensor, indices: tf.Tensor, updates: tf.Tensor): tf.Tensor {
  const isBool = x.dtype === 'bool';
  const base = isBool ? tf.cast(x, 'int32') : tf.add(x, tf.zerosLike(x));
  const upd = isBool ? tf.cast(updates, 'int32') : tf.cast(updates, x.dtype);
  const r = tf.tensorScatterUpdate(base, indices, upd);
  return isBool ? tf.cast(r, 'bool') : r;
}

/**
 * Sum over `axes` with cascaded float32 partial sums (chunks of 256): backends sum sequentially in float32, which
 * loses ~n·ε of precision on big reductions (a mean over 3.2M elements drifts in the 4th digit); PyTorch sums in
 * a cascade too.
 */
export function accurateSum(x: tf.Tensor, axes: number[], keepDims = false): tf.Tensor {
  const n = axes.reduce((p, a) => p * x.shape[a], 1);
  if (n <= 1024 || x.dtype !== 'float32') return tf.sum(x, axes, keepDims);
  const rest = [...Array(x.rank).keys()].filter((a) => !axes.includes(a));
  const perm = [...rest, ...axes];
  const keepShape = rest.map((a) => x.shape[a]);
  const m = keepShape.reduce((p, d) => p * d, 1);
  let t = tf.reshape(isIdentityPerm(perm) ? x : tf.transpose(x, perm), [m, n]);
  let len = n;
  while (len > 256) {
    const chunks = Math.ceil(len / 256);
    if (chunks * 256 !== len) t = tf.pad(t, [[0, 0], [0, chunks * 256 - len]]);
    t = tf.sum(tf.reshape(t, [m, chunks, 256]), 2);
    len = chunks;
  }
  const r = tf.sum(t, 1);
  return tf.reshape(r, keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : keepShape);
}

/** Zeros shaped like a tensor, float32. */
export const zerosLike = (shape: readonly number[]): tf.Tensor => tf.zeros([...shape]);

/** Reads values into a JS array (bools as 0/1). */
export function readValues(v: tf.Tensor): Float32Array | Int32Array | Uint8Array {
  return v.dataSync() as Float32Array | Int32Array | Uint8Array;
}

/** Moves axis `from` to the last position (returns the permutation and its inverse). */
export function moveToEnd(ndim: number, axis: number): { perm: number[]; inv: number[] } {
  const perm = [...Array(ndim).keys()].filter((i) => i !== axis).concat([axis]);
  const inv = new Array<number>(ndim);
  perm.forEach((p, i) => (inv[p] = i));
  return { perm, inv };
}

/** True when a permutation is the identity. */
export const isIdentityPerm = (p: number[]): boolean => p.every((v, i) => v === i);

/** Float tensors only: PyTorch differentiates floating outputs. */
export const differentiable = (t: Tensor): boolean => t.isFloating;
