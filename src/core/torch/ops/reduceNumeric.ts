// Numeric forwards and gradients (tfjs) of the reductions: mean/sum/prod, max/min (all, along a dim with indices,
// elementwise), amax/amin, arg*, sort/topk/median/kthvalue/mode, std/var, norm, logsumexp, all/any, cumsum/cumprod.

import * as tf from '@tensorflow/tfjs-core';
import { PyList, PyTuple, type PyValue } from '../../runtime/values';
import { isFloatingDtype } from '../dtype';
import type { NumericCall } from '../numericCall';
import { accurateSum, alongIndex, castTo, expandReduced, gatherAlong, numberArg, reduceDims, scatterAdd, sliceAny, unbroadcast } from '../numericValues';
import type { NumericForward } from '../registry';
import { isTensor } from '../tensor';

const F32 = 'float32';

function dimsOf(v: PyValue): number[] | null {
  if (v === null || typeof v === 'boolean') return null;
  if (typeof v === 'number') return [v];
  if (v instanceof PyTuple || v instanceof PyList) return v.items.map((x) => Number(x));
  return null;
}

/** mean/sum/nansum/prod with dim/keepdim/dtype. */
export function simpleReductionNumeric(name: 'mean' | 'sum' | 'nansum' | 'prod'): NumericForward {
  return (c) => {
    const xt = c.t('input');
    const out = c.out();
    const dims = reduceDims(xt.ndim, dimsOf(c.a.get('dim')));
    const keep = c.a.bool('keepdim');
    let x = c.v('input');
    const cd = isFloatingDtype(out.dtype) ? F32 : 'int32';
    x = castTo(x, cd);
    if (xt.ndim === 0) {
      c.backward((gy) => ({ input: gy[0] }));
      return x;
    }
    const count = dims.reduce((p, d) => p * xt.shape[d], 1);
    switch (name) {
      case 'mean':
        c.backward((gy) => ({ input: tf.div(expandReduced(gy[0], xt.shape, dims, keep), count) }));
        return tf.div(accurateSum(x, dims, keep), count);
      case 'sum':
        c.backward((gy) => ({ input: expandReduced(gy[0], xt.shape, dims, keep) }));
        return accurateSum(x, dims, keep);
      case 'nansum': {
        const nan = tf.isNaN(castTo(x, F32));
        c.save('input');
        c.backward((gy) => ({ input: tf.where(nan, tf.zeros(xt.shape), expandReduced(gy[0], xt.shape, dims, keep)) }));
        return tf.sum(tf.where(nan, tf.zerosLike(x), x), dims, keep);
      }
      default:
        return c.composite(['input'], (v) => tf.prod(v, dims, keep));
    }
  };
}

/** Gradient of a max/min-like reduction spread evenly over the tied extreme values (amax, max()). */
function evenGrad(x: tf.Tensor, y: tf.Tensor, g: tf.Tensor, inShape: number[], dims: number[], keep: boolean): tf.Tensor {
  const ye = expandReduced(y, inShape, dims, keep);
  const mask = tf.cast(tf.equal(x, ye), F32);
  const count = tf.sum(mask, dims, true);
  return tf.div(tf.mul(mask, expandReduced(g, inShape, dims, keep)), count);
}

export function amaxNumeric(kind: 'max' | 'min'): NumericForward {
  return (c) => {
    const xt = c.t('input');
    const dims = reduceDims(xt.ndim, dimsOf(c.a.get('dim')));
    const keep = c.a.bool('keepdim');
    const x = c.v('input');
    const y = xt.ndim === 0 ? x : kind === 'max' ? tf.max(x, dims, keep) : tf.min(x, dims, keep);
    c.save('input');
    c.saveOutput(0);
    c.backward((gy) => ({ input: xt.ndim === 0 ? gy[0] : evenGrad(castTo(x, F32), castTo(y, F32), gy[0], xt.shape, dims, keep) }));
    return y;
  };
}

export function argNumeric(kind: 'max' | 'min'): NumericForward {
  return (c) => {
    const x = castTo(c.v('input'), F32);
    const dim = c.a.optInt('dim');
    const out = c.out();
    if (x.rank === 0) return tf.zeros(out.shape, 'int32');
    const r = dim === null ? (kind === 'max' ? tf.argMax(tf.reshape(x, [-1]), 0) : tf.argMin(tf.reshape(x, [-1]), 0)) : kind === 'max' ? tf.argMax(x, dim < 0 ? dim + x.rank : dim) : tf.argMin(x, dim < 0 ? dim + x.rank : dim);
    return tf.reshape(r, out.shape);
  };
}

/** Values and indices along `dim` (max/min with a dim). */
function valuesIndices(c: NumericCall, x: tf.Tensor, dim: number, keep: boolean, kind: 'max' | 'min'): tf.Tensor[] {
  const xt = c.t('input');
  if (xt.ndim === 0) {
    c.backward((gy) => ({ input: gy[0] }));
    return [x, tf.zeros([], 'int32')];
  }
  const d = dim < 0 ? dim + xt.ndim : dim;
  const idx = kind === 'max' ? tf.argMax(x, d) : tf.argMin(x, d);
  const idxK = tf.expandDims(idx, d);
  const vals = gatherAlong(x, d, idxK);
  selectBackward(c, xt.shape, d, idxK, keep);
  return keep ? [vals, idxK] : [tf.squeeze(vals, [d]), idx];
}

/** Backward of a value-selecting reduction: the gradient goes to the selected positions. */
function selectBackward(c: NumericCall, inShape: number[], d: number, idxK: tf.Tensor, keep: boolean): void {
  if (!c.grad) return;
  const idx = c.keep(tf.clone(idxK));
  c.saveOutput(1);
  c.backward((gy) => {
    const g = keep ? gy[0] : tf.expandDims(gy[0], d);
    return { input: scatterAdd(alongIndex(inShape, d, idx), g, inShape) };
  });
}

export function maxMinNumeric(kind: 'max' | 'min'): NumericForward {
  return (c) => {
    const dim = c.a.get('dim');
    const x = c.v('input');
    const xt = c.t('input');
    if (isTensor(dim)) {
      // Elementwise maximum/minimum with another tensor.
      const y = castTo(c.v('dim'), xt.dtype);
      c.save('input');
      c.save('dim');
      c.backward((gy) => {
        const xf = castTo(x, F32);
        const yf = castTo(y, F32);
        const half = tf.div(gy[0], 2);
        const z = tf.zerosLike(gy[0]);
        const tie = tf.equal(xf, yf);
        const wx = kind === 'max' ? tf.greater(xf, yf) : tf.less(xf, yf);
        const wy = kind === 'max' ? tf.less(xf, yf) : tf.greater(xf, yf);
        return {
          input: unbroadcast(tf.where(tie, half, tf.where(wx, gy[0], z)), xt.shape),
          dim: unbroadcast(tf.where(tie, half, tf.where(wy, gy[0], z)), c.t('dim').shape),
        };
      });
      return kind === 'max' ? tf.maximum(x, y) : tf.minimum(x, y);
    }
    if (dim === null) {
      const all = reduceDims(xt.ndim, null);
      const y = xt.ndim === 0 ? x : kind === 'max' ? tf.max(x) : tf.min(x);
      c.save('input');
      c.saveOutput(0);
      c.backward((gy) => ({ input: xt.ndim === 0 ? gy[0] : evenGrad(castTo(x, F32), castTo(y, F32), gy[0], xt.shape, all, false) }));
      return y;
    }
    return valuesIndices(c, x, c.a.int('dim'), c.a.bool('keepdim'), kind);
  };
}

/** Sorted values and indices along the last axis of `x` (descending or ascending), via topk. */
function sortLast(x: tf.Tensor, descending: boolean, k?: number): { values: tf.Tensor; indices: tf.Tensor } {
  const n = x.shape[x.rank - 1];
  const kk = k ?? n;
  const isInt = x.dtype !== F32;
  const base = isInt ? tf.cast(x, F32) : x;
  const r = descending ? tf.topk(base, kk, true) : tf.topk(tf.neg(base), kk, true);
  const values = descending ? r.values : tf.neg(r.values);
  return { values: isInt ? tf.cast(values, x.dtype) : values, indices: r.indices };
}

/** Runs `f` with `dim` moved last, moving the results back. */
function alongDim<T extends tf.Tensor[]>(x: tf.Tensor, dim: number, f: (t: tf.Tensor) => T): T {
  const n = x.rank;
  const d = dim < 0 ? dim + n : dim;
  if (d === n - 1) return f(x);
  const perm = [...Array(n).keys()];
  [perm[d], perm[n - 1]] = [perm[n - 1], perm[d]];
  return f(tf.transpose(x, perm)).map((t) => tf.transpose(t, perm)) as T;
}

export const sortNumeric: NumericForward = (c) => {
  const x = c.v('input');
  const xt = c.t('input');
  if (xt.ndim === 0) {
    c.backward((gy) => ({ input: gy[0] }));
    return [x, tf.zeros([], 'int32')];
  }
  const d = c.a.int('dim') < 0 ? c.a.int('dim') + xt.ndim : c.a.int('dim');
  const [values, indices] = alongDim(x, d, (t) => {
    const r = sortLast(t, c.a.bool('descending'));
    return [r.values, r.indices];
  });
  selectBackward(c, xt.shape, d, indices, true);
  return [values, indices];
};

export const argsortNumeric: NumericForward = (c) => {
  const x = c.v('input');
  const xt = c.t('input');
  if (xt.ndim === 0) return tf.zeros([], 'int32');
  const [, indices] = alongDim(x, c.a.int('dim'), (t) => {
    const r = sortLast(t, c.a.bool('descending'));
    return [r.values, r.indices];
  });
  return indices;
};

export const topkNumeric: NumericForward = (c) => {
  const x = c.v('input');
  const xt = c.t('input');
  const k = c.a.int('k');
  if (xt.ndim === 0) {
    c.backward((gy) => ({ input: gy[0] }));
    return [x, tf.zeros([], 'int32')];
  }
  const d = c.a.int('dim') < 0 ? c.a.int('dim') + xt.ndim : c.a.int('dim');
  const [values, indices] = alongDim(x, d, (t) => {
    const r = sortLast(t, c.a.bool('largest'), k);
    return [r.values, r.indices];
  });
  selectBackward(c, xt.shape, d, indices, true);
  return [values, indices];
};

/** median / kthvalue along a dim: the k-th smallest value (median: the lower median) and its index. */
export function kthNumeric(kind: 'median' | 'kthvalue'): NumericForward {
  return (c) => {
    const x = c.v('input');
    const xt = c.t('input');
    const keep = c.a.bool('keepdim');
    if (xt.ndim === 0) {
      c.backward((gy) => ({ input: gy[0] }));
      return [x, tf.zeros([], 'int32')];
    }
    const d = c.a.int('dim') < 0 ? c.a.int('dim') + xt.ndim : c.a.int('dim');
    const n = xt.shape[d];
    const k = kind === 'median' ? Math.floor((n - 1) / 2) : c.a.int('k') - 1;
    const [values, indices] = alongDim(x, d, (t) => {
      const r = sortLast(t, false);
      const sl = (v: tf.Tensor) => sliceAny(v, [...Array(v.rank - 1).fill(0), k], [...v.shape.slice(0, -1), 1]);
      return [sl(r.values), sl(r.indices)];
    });
    selectBackward(c, xt.shape, d, indices, keep);
    return keep ? [values, indices] : [tf.squeeze(values, [d]), tf.squeeze(indices, [d])];
  };
}

/** mode along a dim: the most frequent value (smallest on ties) and the last index where it occurs. */
export const modeNumeric: NumericForward = (c) => {
  const xt = c.t('input');
  const keep = c.a.bool('keepdim');
  const x = c.v('input');
  if (xt.ndim === 0) return [x, tf.zeros([], 'int32')];
  const d = c.a.int('dim') < 0 ? c.a.int('dim') + xt.ndim : c.a.int('dim');
  const [vals, idxs] = alongDim(x, d, (t) => {
    const data = t.dataSync();
    const n = t.shape[t.rank - 1];
    const rows = data.length / n;
    const v = new Float32Array(rows);
    const ix = new Int32Array(rows);
    for (let r = 0; r < rows; r++) {
      const counts = new Map<number, { n: number; last: number }>();
      for (let j = 0; j < n; j++) {
        const e = counts.get(data[r * n + j]) ?? { n: 0, last: 0 };
        e.n++;
        e.last = j;
        counts.set(data[r * n + j], e);
      }
      let best = Infinity;
      let bestN = -1;
      for (const [value, e] of counts) if (e.n > bestN || (e.n === bestN && value < best)) [best, bestN] = [value, e.n];
      v[r] = best;
      ix[r] = (counts.get(best) as { last: number }).last;
    }
    const shape = [...t.shape.slice(0, -1), 1];
    return [castTo(tf.tensor(v, shape), t.dtype as "float32"), tf.tensor(ix, shape, 'int32')];
  });
  selectBackward(c, xt.shape, d, idxs, keep);
  return keep ? [vals, idxs] : [tf.squeeze(vals, [d]), tf.squeeze(idxs, [d])];
};

export function stdVarNumeric(kind: 'std' | 'var'): NumericForward {
  return (c) => {
    const xt = c.t('input');
    const dimV = c.a.get('dim');
    let correction = 1;
    if (typeof dimV === 'boolean') correction = dimV ? 1 : 0;
    const ub = c.a.get('unbiased');
    if (typeof ub === 'boolean') correction = ub ? 1 : 0;
    const corr = c.a.get('correction');
    if (corr !== null) correction = numberArg(corr);
    const dims = reduceDims(xt.ndim, dimsOf(dimV));
    const keep = c.a.bool('keepdim');
    const n = dims.reduce((p, d) => p * xt.shape[d], 1);
    return c.composite(['input'], (x) => {
      if (x.rank === 0) return tf.mul(x, NaN);
      const m = tf.mean(x, dims, true);
      const v = tf.div(tf.sum(tf.square(tf.sub(x, m)), dims, keep), Math.max(n - correction, 0));
      return kind === 'var' ? v : tf.sqrt(v);
    });
  };
}

export const normNumeric: NumericForward = (c) => {
  const xt = c.t('input');
  const pv = c.a.get('p');
  const p = pv === 'fro' || pv === null ? 2 : pv === 'nuc' ? NaN : numberArg(pv);
  const dims = reduceDims(xt.ndim, dimsOf(c.a.get('dim')));
  const keep = c.a.bool('keepdim');
  if (p === 2) {
    const x = castTo(c.v('input'), F32);
    const y = xt.ndim === 0 ? tf.abs(x) : tf.sqrt(tf.sum(tf.square(x), dims, keep));
    c.save('input');
    c.saveOutput(0);
    c.backward((gy) => {
      if (xt.ndim === 0) return { input: tf.mul(gy[0], tf.sign(x)) };
      const ye = expandReduced(y, xt.shape, dims, keep);
      const g = expandReduced(gy[0], xt.shape, dims, keep);
      return { input: tf.where(tf.equal(ye, 0), tf.zerosLike(x), tf.div(tf.mul(g, x), ye)) };
    });
    return y;
  }
  return c.composite(['input'], (x) => {
    const a = tf.abs(x);
    if (p === Infinity) return tf.max(a, dims, keep);
    if (p === -Infinity) return tf.min(a, dims, keep);
    if (p === 0) return tf.sum(tf.cast(tf.notEqual(a, 0), F32), dims, keep);
    if (p === 1) return tf.sum(a, dims, keep);
    return tf.pow(tf.sum(tf.pow(a, p), dims, keep), 1 / p);
  });
};

export const logsumexpNumeric: NumericForward = (c) => {
  const xt = c.t('input');
  const dims = reduceDims(xt.ndim, dimsOf(c.a.get('dim')));
  const keep = c.a.bool('keepdim');
  const x = castTo(c.v('input'), F32);
  if (xt.ndim === 0) {
    c.backward((gy) => ({ input: gy[0] }));
    return x;
  }
  const y = tf.logSumExp(x, dims, keep);
  c.save('input');
  c.saveOutput(0);
  c.backward((gy) => ({
    input: tf.mul(expandReduced(gy[0], xt.shape, dims, keep), tf.exp(tf.sub(x, expandReduced(y, xt.shape, dims, keep)))),
  }));
  return y;
};

export function allAnyNumeric(kind: 'all' | 'any'): NumericForward {
  return (c) => {
    const xt = c.t('input');
    const dims = reduceDims(xt.ndim, dimsOf(c.a.get('dim')));
    const x = castTo(c.v('input'), 'bool');
    if (xt.ndim === 0) return x;
    return kind === 'all' ? tf.all(x, dims, c.a.bool('keepdim')) : tf.any(x, dims, c.a.bool('keepdim'));
  };
}

export function cumNumeric(kind: 'cumsum' | 'cumprod'): NumericForward {
  return (c) => {
    const xt = c.t('input');
    const out = c.out();
    const d0 = c.a.int('dim');
    const x = castTo(c.v('input'), out.dtype);
    if (xt.ndim === 0) {
      c.backward((gy) => ({ input: gy[0] }));
      return x;
    }
    const d = d0 < 0 ? d0 + xt.ndim : d0;
    if (kind === 'cumsum') {
      c.backward((gy) => ({ input: tf.cumsum(gy[0], d, false, true) }));
      return tf.cumsum(x, d);
    }
    const y = tf.cumprod(x, d);
    c.save('input');
    c.saveOutput(0);
    c.backward((gy) => {
      const xf = castTo(x, F32);
      const yf = castTo(y, F32);
      // d/dx_i Σ_j g_j·y_j = Σ_{j≥i} g_j·y_j / x_i (inputs without zeros; zeros get the exact products below)
      const safe = tf.where(tf.equal(xf, 0), tf.onesLike(xf), xf);
      return { input: tf.div(tf.cumsum(tf.mul(gy[0], yf), d, false, true), safe) };
    });
    return y;
  };
}
