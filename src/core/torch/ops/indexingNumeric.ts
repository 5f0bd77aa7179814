// Numeric indexing (tfjs): tensor[index] with ints, slices (steps), None, Ellipsis, bools, index tensors/lists and
// boolean masks, with PyTorch's placement of advanced-index dims; tensor[index] = value; index_select; gather.
// Basic indexing returns a view; every gradient scatters into the positions the index map names.

import * as tf from '@tensorflow/tfjs-core';
import { Ellipsis, PyList, PySlice, PyTuple, type PyValue } from '../../runtime/values';
import { indexError } from '../errors';
import { alongIndex, castTo, gatherAlong, i32, iota, numberArg, pyNumber, scatterAdd, scatterUpdate, sliceAny, stridedSliceAny, val } from '../numericValues';
import type { NumericForward } from '../registry';
import { isTensor } from '../tensor';

type Item =
  | { kind: 'int'; value: number }
  | { kind: 'slice'; start: number | null; stop: number | null; step: number }
  | { kind: 'none' }
  | { kind: 'ellipsis' }
  | { kind: 'adv'; index: tf.Tensor }
  | { kind: 'mask'; mask: tf.Tensor };

function bound(v: PyValue): number | null {
  if (v === null) return null;
  return isTensor(v) ? Number(val(v).dataSync()[0]) : (pyNumber(v) as number);
}

function items(index: PyValue): Item[] {
  const list = index instanceof PyTuple && !index.isSize ? index.items : [index];
  return list.map((v): Item => {
    if (v === null) return { kind: 'none' };
    if (v === Ellipsis) return { kind: 'ellipsis' };
    if (typeof v === 'boolean') return { kind: 'mask', mask: tf.scalar(v ? 1 : 0, 'bool') };
    if (typeof v === 'number') return { kind: 'int', value: v };
    if (v instanceof PySlice) return { kind: 'slice', start: bound(v.start), stop: bound(v.stop), step: bound(v.step) ?? 1 };
    if (isTensor(v)) {
      const d = val(v);
      if (v.dtype === 'bool' || v.dtype === 'uint8') return { kind: 'mask', mask: castTo(d, 'bool') };
      if (v.ndim === 0 && !v.isFloating) return { kind: 'adv', index: castTo(d, 'int32') };
      return { kind: 'adv', index: castTo(d, 'int32') };
    }
    if (v instanceof PyList || (v instanceof PyTuple && v.isSize)) {
      const flat: number[] = [];
      const shape: number[] = [];
      let isBool = true;
      const walk = (x: PyValue, depth: number) => {
        if (x instanceof PyList || x instanceof PyTuple) {
          if (shape.length <= depth) shape.push(x.items.length);
          for (const it of x.items) walk(it, depth + 1);
        } else {
          if (typeof x !== 'boolean') isBool = false;
          flat.push(isTensor(x) ? Number(val(x).dataSync()[0]) : (pyNumber(x) as number));
        }
      };
      walk(v, 0);
      const t = tf.tensor(Int32Array.from(flat), shape, 'int32');
      return isBool ? { kind: 'mask', mask: castTo(t, 'bool') } : { kind: 'adv', index: t };
    }
    throw indexError('only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid indices');
  });
}

/** Python slice semantics for one dim of size n (positive or negative step). */
function sliceRange(n: number, start: number | null, stop: number | null, step: number): { begin: number; len: number } {
  if (step > 0) {
    let s = start ?? 0;
    let e = stop ?? n;
    if (s < 0) s = Math.max(0, s + n);
    if (e < 0) e = Math.max(0, e + n);
    s = Math.min(s, n);
    e = Math.min(e, n);
    return { begin: s, len: e > s ? Math.ceil((e - s) / step) : 0 };
  }
  throw indexError('step must be greater than zero');
}

/** Applies `tensor[index]` to values (works on any dtype, including an int32 iota for index maps). */
export function indexValues(x: tf.Tensor, index: PyValue): tf.Tensor {
  let its = items(index);
  // Masks: a k-dim mask becomes k index arrays (nonzero), consuming k dims.
  const expanded: Item[] = [];
  for (const it of its) {
    if (it.kind !== 'mask') {
      expanded.push(it);
      continue;
    }
    if (it.mask.rank === 0) {
      // x[True] adds a dim of size 1, x[False] of size 0.
      expanded.push({ kind: 'none' });
      if (!it.mask.dataSync()[0]) expanded.push({ kind: 'adv', index: tf.zeros([0], 'int32') });
      continue;
    }
    const m = it.mask.dataSync();
    const shape = it.mask.shape;
    const coords: number[][] = shape.map(() => []);
    for (let i = 0; i < m.length; i++) {
      if (!m[i]) continue;
      let r = i;
      for (let k = shape.length - 1; k >= 0; k--) {
        coords[k].push(r % shape[k]);
        r = Math.floor(r / shape[k]);
      }
    }
    coords.forEach((cs) => expanded.push({ kind: 'adv', index: tf.tensor(Int32Array.from(cs), [cs.length], 'int32') }));
  }
  its = expanded;
  const consumes = (it: Item) => (it.kind === 'int' || it.kind === 'slice' || it.kind === 'adv' ? 1 : 0);
  const used = its.reduce((p, it) => p + consumes(it), 0);
  if (used > x.rank) throw indexError(`too many indices for tensor of dimension ${x.rank}`);
  const full: Item[] = [];
  let sawEllipsis = false;
  for (const it of its) {
    if (it.kind === 'ellipsis') {
      if (!sawEllipsis) for (let k = 0; k < x.rank - used; k++) full.push({ kind: 'slice', start: null, stop: null, step: 1 });
      sawEllipsis = true;
    } else full.push(it);
  }
  while (full.reduce((p, it) => p + consumes(it), 0) < x.rank) full.push({ kind: 'slice', start: null, stop: null, step: 1 });
  // Basic part: slices/ints/None on the values; advanced dims kept whole for now.
  let v = x;
  let d = 0;
  const begin: number[] = [];
  const end: number[] = [];
  const strides: number[] = [];
  const outShape: number[] = [];
  const squeeze: number[] = [];
  const adv: Array<{ index: tf.Tensor; axis: number; item: number }> = [];
  full.forEach((it, k) => {
    if (it.kind === 'none') {
      outShape.push(-1);
      return;
    }
    const n = x.shape[d];
    if (it.kind === 'int') {
      if (it.value < -n || it.value >= n) throw indexError(`index ${it.value} is out of bounds for dimension ${d} with size ${n}`);
      const i = it.value < 0 ? it.value + n : it.value;
      begin.push(i);
      end.push(i + 1);
      strides.push(1);
      squeeze.push(d);
    } else if (it.kind === 'slice') {
      const r = sliceRange(n, it.start, it.stop, it.step);
      begin.push(r.begin);
      end.push(r.begin + r.len * it.step);
      strides.push(it.step);
      outShape.push(d);
    } else if (it.kind === 'adv') {
      begin.push(0);
      end.push(n);
      strides.push(1);
      adv.push({ index: it.index, axis: d, item: k });
      outShape.push(d);
    }
    d++;
  });
  const sliced = begin.some((b, i) => b !== 0 || end[i] !== x.shape[i] || strides[i] !== 1);
  if (sliced) {
    const allUnit = strides.every((s) => s === 1);
    v = allUnit ? sliceAny(v, begin, end.map((e, i) => Math.max(0, e - begin[i]))) : stridedSliceAny(v, begin, end, strides);
  }
  // Shape after basic indexing, in terms of x's dims plus inserted None dims.
  const dimSize = (dd: number) => v.shape[dd];
  if (adv.length === 0) {
    const shape = outShape.map((o) => (o < 0 ? 1 : dimSize(o)));
    return tf.reshape(v, shape);
  }
  // Advanced: bring the indexed dims first, gather with a flat index, put the index dims in place.
  const sizes = adv.map((a) => v.shape[a.axis]);
  const bshape = adv.reduce<number[]>((acc, a) => broadcast(acc, a.index.shape), []);
  let flat: tf.Tensor = tf.zeros(bshape, 'int32');
  let mult = 1;
  for (let i = adv.length - 1; i >= 0; i--) {
    const n = sizes[i];
    let idx = tf.broadcastTo(adv[i].index, bshape);
    const data = idx.dataSync();
    for (const q of data) if (q < -n || q >= n) throw indexError(`index ${q} is out of bounds for dimension ${adv[i].axis} with size ${n}`);
    idx = tf.add(idx, tf.mul(tf.cast(tf.less(idx, 0), 'int32'), i32(n)));
    flat = tf.add(flat, tf.mul(idx, i32(mult)));
    mult *= n;
  }
  const advAxes = adv.map((a) => a.axis);
  const rest = [...Array(v.rank).keys()].filter((a) => !advAxes.includes(a));
  const perm = [...advAxes, ...rest];
  const moved = tf.transpose(v, perm);
  const restShape = rest.map((a) => v.shape[a]);
  const gathered = tf.reshape(tf.gather(tf.reshape(moved, [mult, ...restShape]), tf.reshape(flat, [-1])), [...bshape, ...restShape]);
  // Result dims: advanced block at the first advanced position when the advanced items are adjacent, else first.
  const adjacent = adv.every((a, i) => i === 0 || a.item === adv[i - 1].item + 1);
  const order: Array<number | 'adv'> = [];
  for (const o of outShape) {
    if (o >= 0 && advAxes.includes(o)) {
      if (!order.includes('adv')) order.push('adv');
    } else order.push(o < 0 ? -1 : o);
  }
  // Build the result: gathered dims are [B..., rest (in v order)], None dims inserted.
  const restOrder = order.filter((o) => o !== 'adv');
  let r = gathered;
  // Insert None dims (size 1) into the rest part at their positions.
  const restWithNone: number[] = [];
  let ri = 0;
  for (const o of restOrder) {
    if (o === -1) restWithNone.push(1);
    else restWithNone.push(restShape[ri++]);
  }
  r = tf.reshape(r, [...bshape, ...restWithNone]);
  if (adjacent) {
    const pos = order.indexOf('adv');
    const nb = bshape.length;
    const nr = restWithNone.length;
    const p = [...Array(nb + nr).keys()];
    const permOut = [...p.slice(nb, nb + pos), ...p.slice(0, nb), ...p.slice(nb + pos)];
    r = tf.transpose(r, permOut);
  }
  return r;
}

function broadcast(a: number[], b: number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw indexError(`shape mismatch: indexing tensors could not be broadcast together with shapes [${a.join(', ')}], [${b.join(', ')}]`);
    }
    out.push(da === 1 ? db : da);
  }
  return out;
}

export const getitemNumeric: NumericForward = (c) => {
  const self = c.t('self');
  const index = c.a.get('index');
  const inShape = [...self.shape];
  if (c.grad) {
    const map = c.keep(indexValues(iota(inShape), index));
    c.backward((gy) => ({ self: scatterAdd(map, gy[0], inShape) }));
  }
  // Basic indexing (no tensors, lists or bools) is a view of self.
  const its = index instanceof PyTuple && !index.isSize ? index.items : [index];
  const basic = its.every((v) => v === null || v === Ellipsis || typeof v === 'number' || v instanceof PySlice);
  if (basic) {
    c.view('self', (v) => indexValues(v, index));
    return;
  }
  const v = c.v('self');
  return v.dtype === 'bool' ? castTo(indexValues(castTo(v, 'int32'), index), 'bool') : indexValues(v, index);
};

export const setitemNumeric: NumericForward = (c) => {
  const self = c.out();
  const index = c.a.get('index');
  const x = c.v('self');
  const map = indexValues(iota(self.shape), index);
  const value = c.a.get('value');
  const vv = isTensor(value) ? castTo(c.v('value'), self.dtype) : tf.scalar(numberArg(value), castTo(tf.zeros([]), self.dtype).dtype);
  const upd = tf.reshape(tf.broadcastTo(vv, map.shape), [-1]);
  const idx = tf.reshape(map, [-1, 1]);
  if (c.grad) {
    const keptMap = c.keep(tf.clone(map));
    const vShape = isTensor(value) ? [...value.shape] : [];
    c.backward((gy) => {
      const flatG = tf.reshape(gy[0], [-1]);
      const gSelf = tf.reshape(scatterUpdate(flatG, tf.reshape(keptMap, [-1, 1]), tf.zeros([keptMap.size])), gy[0].shape);
      let gv: tf.Tensor | null = null;
      if (isTensor(value)) {
        const picked = tf.reshape(tf.gather(flatG, tf.reshape(keptMap, [-1])), keptMap.shape);
        gv = unbroadcastTo(picked, vShape);
      }
      return { self: gSelf, value: gv };
    });
  }
  if (map.size === 0) return tf.clone(x);
  return tf.reshape(scatterUpdate(tf.reshape(x, [-1]), idx, upd), x.shape);
};

function unbroadcastTo(g: tf.Tensor, shape: number[]): tf.Tensor {
  let r = g;
  const lead = r.rank - shape.length;
  if (lead > 0) r = tf.sum(r, [...Array(lead).keys()]);
  const axes = shape.map((d, i) => (d === 1 && r.shape[i] !== 1 ? i : -1)).filter((i) => i >= 0);
  if (axes.length) r = tf.sum(r, axes, true);
  return tf.reshape(r, shape);
}

export const indexSelectNumeric: NumericForward = (c) => {
  const x = c.v('input');
  const xt = c.t('input');
  const d0 = c.a.int('dim');
  const d = d0 < 0 ? d0 + Math.max(xt.ndim, 1) : d0;
  const idx = tf.reshape(castTo(c.v('index'), 'int32'), [-1]);
  if (c.grad) {
    const map = c.keep(xt.ndim === 0 ? tf.zeros([idx.size], 'int32') : tf.gather(iota(xt.shape), idx, d));
    c.backward((gy) => ({ input: scatterAdd(map, gy[0], xt.shape) }));
  }
  if (xt.ndim === 0) return tf.reshape(tf.broadcastTo(x, [idx.size]), c.out().shape);
  return tf.gather(x, idx, d);
};

export const gatherNumeric: NumericForward = (c) => {
  const x = c.v('input');
  const xt = c.t('input');
  const d0 = c.a.int('dim');
  const d = d0 < 0 ? d0 + xt.ndim : d0;
  const idx = castTo(c.v('index'), 'int32');
  if (c.grad) {
    const map = c.keep(alongIndex(xt.shape, d, idx));
    c.save('index');
    c.backward((gy) => ({ input: scatterAdd(map, gy[0], xt.shape) }));
  }
  return gatherAlong(x, d, idx);
};
