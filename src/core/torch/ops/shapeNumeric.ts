// Numeric forwards and gradients (tfjs) of the shape ops. Views (view/reshape/permute/transpose/unsqueeze/
// squeeze/expand/chunk/split/unbind/narrow) share their input's storage and version counter, so an in-place
// change through a view reaches its base as in PyTorch; copies (cat/stack/repeat/flip/roll/tril) get new values.

import * as tf from '@tensorflow/tfjs-core';
import { PyList, PyTuple, type PyValue } from '../../runtime/values';
import type { NumericCall } from '../numericCall';
import { castTo, sliceAny, unbroadcast, val } from '../numericValues';
import type { NumericForward } from '../registry';
import type { Tensor } from '../tensor';

/** A view of `name` with the output's shape (view/reshape/flatten/unsqueeze/squeeze/unflatten). */
export function reshapeViewNumeric(name: string): NumericForward {
  return (c) => {
    const src = c.t(name);
    const out = c.out();
    const shape = [...out.shape];
    const inShape = [...src.shape];
    c.backward((gy) => ({ [name]: tf.reshape(gy[0], inShape) }));
    // reshape() of a non-viewable tensor copies (UnsafeViewBackward0): a value of its own.
    if (c.env.gradFn === 'UnsafeViewBackward0') return tf.reshape(val(src), shape);
    c.view(name, (v) => tf.reshape(v, shape));
  };
}

/** A permuted view of `name`: the output's dims are the input's dims in `order`. */
export function permuteView(c: NumericCall, name: string, order: number[]): void {
  const inv = new Array<number>(order.length);
  order.forEach((p, i) => (inv[p] = i));
  c.backward((gy) => ({ [name]: order.length ? tf.transpose(gy[0], inv) : gy[0] }));
  c.view(name, (v) => (order.length > 1 ? tf.transpose(v, order) : v));
}

/** The permutation a permute/transpose/movedim/t call applied, recovered from input and output strides. */
function orderOf(src: Tensor, out: Tensor): number[] {
  const used = new Set<number>();
  return out.strides.map((s, i) => {
    for (let k = 0; k < src.ndim; k++) {
      if (!used.has(k) && src.strides[k] === s && src.shape[k] === out.shape[i]) {
        used.add(k);
        return k;
      }
    }
    return i;
  });
}

export function permuteNumeric(name: string): NumericForward {
  return (c) => permuteView(c, name, orderOfCall(c, name));
}

/** The dims order of permute-like calls, computed from their arguments (strides can be ambiguous). */
function orderOfCall(c: NumericCall, name: string): number[] {
  const src = c.t(name);
  const n = src.ndim;
  const norm = (d: number) => (d < 0 ? d + n : d);
  const op = c.env.entry.name;
  if (op === 'Tensor.permute') return c.a.varargs.length === 1 && !(typeof c.a.varargs[0] === 'number') ? ints(c.a.varargs[0]).map(norm) : c.a.varargs.map((v) => norm(Number(v)));
  if (op === 'torch.permute') return ints(c.a.get('dims')).map(norm);
  if (op === 'torch.transpose') {
    const order = [...Array(n).keys()];
    const d0 = norm(c.a.int('dim0'));
    const d1 = norm(c.a.int('dim1'));
    [order[d0], order[d1]] = [order[d1], order[d0]];
    return order;
  }
  if (op === 'torch.t') return n === 2 ? [1, 0] : [...Array(n).keys()];
  if (op === 'torch.movedim') {
    const srcDims = ints(c.a.get('source')).map(norm);
    const dst = ints(c.a.get('destination')).map(norm);
    const order: number[] = new Array(n).fill(-1);
    srcDims.forEach((sd, i) => (order[dst[i]] = sd));
    const rest = [...Array(n).keys()].filter((d) => !srcDims.includes(d));
    for (let i = 0, j = 0; i < n; i++) if (order[i] === -1) order[i] = rest[j++];
    return order;
  }
  return orderOf(src, c.out());
}

function ints(v: PyValue): number[] {
  if (v instanceof PyTuple || v instanceof PyList) return v.items.map((x) => Number(x));
  return [Number(v)];
}

export const expandNumeric: NumericForward = (c) => {
  const name = c.has('self') ? 'self' : 'input';
  const src = c.t(name);
  const shape = [...c.out().shape];
  c.backward((gy) => ({ [name]: unbroadcast(gy[0], src.shape) }));
  c.view(name, (v) => tf.broadcastTo(v, shape));
};

/** chunk/split/narrow: pieces of `name` along a dim, each a view. */
export const piecesNumeric: NumericForward = (c) => {
    const arg = c.slots[0].name;
    const src = c.t(arg);
    const outs = c.outputs;
    const dim = dimArg(c, src.ndim);
    let start = c.env.entry.name === 'torch.narrow' ? normStart(c.a.int('start'), src.shape[dim]) : 0;
    const starts = outs.map((o) => {
      const s0 = start;
      start += o.shape[dim];
      return s0;
    });
    outs.forEach((o, i) => {
      const begin = src.shape.map((_, k) => (k === dim ? starts[i] : 0));
      const size = [...o.shape];
      c.view(arg, (v) => sliceAny(v, begin, size), i);
    });
    c.backward((gy) => {
      if (outs.length === 1 && c.env.entry.name === 'torch.narrow') {
        const pads = src.shape.map((s, k): [number, number] => (k === dim ? [starts[0], s - starts[0] - outs[0].shape[dim]] : [0, 0]));
        return { [arg]: tf.pad(gy[0], pads) };
      }
      return { [arg]: gy.length === 1 ? gy[0] : tf.concat(gy, dim) };
    });
};

function normStart(s: number, n: number): number {
  return s < 0 ? s + n : s;
}

function dimArg(c: NumericCall, ndim: number): number {
  const d = c.a.has('dim') ? c.a.int('dim') : 0;
  return d < 0 ? d + ndim : d;
}

export const unbindNumeric: NumericForward = (c) => {
  const src = c.t('input');
  const d = dimArg(c, src.ndim);
  c.outputs.forEach((o, i) => {
    const begin = src.shape.map((_, k) => (k === d ? i : 0));
    const size = src.shape.map((s, k) => (k === d ? 1 : s));
    const shape = [...o.shape];
    c.view('input', (v) => tf.reshape(sliceAny(v, begin, size), shape), i);
  });
  c.backward((gy) => ({ input: tf.stack(gy, d) }));
};

export const contiguousNumeric: NumericForward = (c) => {
  c.backward((gy) => ({ self: gy[0] }));
  return tf.clone(c.v('self'));
};

export function repeatNumeric(name: string): NumericForward {
  return (c) => {
    const src = c.t(name);
    const out = c.out();
    const k = out.ndim;
    const padded = [...new Array(k - src.ndim).fill(1), ...src.shape];
    const reps = out.shape.map((d, i) => (padded[i] === 0 ? 0 : d / padded[i]));
    c.backward((gy) => {
      // [r0, s0, r1, s1, …] then sum over the r axes.
      const split: number[] = [];
      reps.forEach((r, i) => split.push(r, padded[i]));
      const g = tf.sum(tf.reshape(gy[0], split), reps.map((_, i) => 2 * i));
      return { [name]: tf.reshape(g, src.shape) };
    });
    const v = tf.reshape(c.v(name), padded);
    return v.dtype === 'bool' ? castTo(tf.tile(castTo(v, 'int32'), reps), 'bool') : tf.tile(v, reps);
  };
}

export const flipNumeric: NumericForward = (c) => {
  const src = c.t('input');
  const dv = c.a.has('dims') && c.a.get('dims') !== null ? ints(c.a.get('dims')) : c.a.varargs.length === 1 && typeof c.a.varargs[0] !== 'number' ? ints(c.a.varargs[0]) : c.a.varargs.map(Number);
  const dims = dv.map((d) => (d < 0 ? d + src.ndim : d));
  c.backward((gy) => ({ input: dims.length ? tf.reverse(gy[0], dims) : gy[0] }));
  const v = c.v('input');
  if (!dims.length) return tf.clone(v);
  return v.dtype === 'bool' ? castTo(tf.reverse(castTo(v, 'int32'), dims), 'bool') : tf.reverse(v, dims);
};

export const catNumeric: NumericForward = (c) => {
  const ts = c.list('tensors');
  const out = c.out();
  const used = ts.filter((t) => !(t.ndim === 1 && t.shape[0] === 0));
  if (used.length === 0) return tf.zeros(out.shape, castTo(tf.zeros([]), out.dtype).dtype);
  const dim0 = c.a.int('dim');
  const d = dim0 < 0 ? dim0 + used[0].ndim : dim0;
  const sizes = ts.map((t) => (t.ndim === 1 && t.shape[0] === 0 ? 0 : t.shape[d]));
  c.backward((gy) => {
    let off = 0;
    return {
      tensors: ts.map((t, i) => {
        if (sizes[i] === 0 && t.ndim === 1) return tf.zeros(t.shape);
        const begin = gy[0].shape.map((_, k) => (k === d ? off : 0));
        const size = gy[0].shape.map((s, k) => (k === d ? sizes[i] : s));
        off += sizes[i];
        return sliceAny(gy[0], begin, size);
      }),
    };
  });
  const vals = used.map((t) => castTo(val(t), out.dtype));
  if (vals[0].dtype === 'bool') return castTo(tf.concat(vals.map((v) => castTo(v, 'int32')), d), 'bool');
  return tf.concat(vals, d);
};

export const stackNumeric: NumericForward = (c) => {
  const ts = c.list('tensors');
  const out = c.out();
  const dim0 = c.a.int('dim');
  const d = dim0 < 0 ? dim0 + ts[0].ndim + 1 : dim0;
  c.backward((gy) => ({ tensors: tf.unstack(gy[0], d) }));
  const vals = ts.map((t) => castTo(val(t), out.dtype));
  if (vals[0].dtype === 'bool') return castTo(tf.stack(vals.map((v) => castTo(v, 'int32')), d), 'bool');
  return tf.stack(vals, d);
};

/** Lower/upper triangle mask of the last two dims (offset k), broadcast over leading dims. */
function triMask(shape: number[], k: number, lower: boolean): tf.Tensor {
  const [r, col] = shape.slice(-2);
  const rows = tf.reshape(tf.range(0, r, 1, 'int32'), [r, 1]);
  const cols = tf.reshape(tf.range(0, col, 1, 'int32'), [1, col]);
  const diff = tf.sub(cols, rows);
  return lower ? tf.lessEqual(diff, k) : tf.greaterEqual(diff, k);
}

export function triNumeric(lower: boolean): NumericForward {
  return (c) => {
    const x = c.v('input');
    const k = c.a.int('diagonal');
    const mask = triMask(x.shape, k, lower);
    const shape = x.shape;
    c.backward((gy) => ({ input: tf.where(tf.broadcastTo(mask, shape), gy[0], tf.zerosLike(gy[0])) }));
    return tf.where(tf.broadcastTo(mask, shape), x, tf.zerosLike(x));
  };
}

function rollValues(v: tf.Tensor, shifts: number[], dims: number[]): tf.Tensor {
  let r = v;
  shifts.forEach((s, i) => {
    const d = dims[i] < 0 ? dims[i] + r.rank : dims[i];
    const n = r.shape[d];
    if (n === 0) return;
    const k = ((s % n) + n) % n;
    if (k === 0) return;
    const a = sliceAny(r, r.shape.map((_, j) => (j === d ? n - k : 0)), r.shape.map((sz, j) => (j === d ? k : sz)));
    const b = sliceAny(r, r.shape.map(() => 0), r.shape.map((sz, j) => (j === d ? n - k : sz)));
    r = tf.concat([a, b], d);
  });
  return r;
}

export const rollNumeric: NumericForward = (c) => {
  const x = c.v('input');
  const shifts = ints(c.a.get('shifts'));
  const dimsV = c.a.get('dims');
  const roll = (v: tf.Tensor, sign: number): tf.Tensor => {
    if (dimsV === null) return tf.reshape(rollValues(tf.reshape(v, [-1]), shifts.map((s) => s * sign), [0]), v.shape);
    return rollValues(v, shifts.map((s) => s * sign), ints(dimsV));
  };
  c.backward((gy) => ({ input: roll(gy[0], -1) }));
  return x.dtype === 'bool' ? castTo(roll(castTo(x, 'int32'), 1), 'bool') : roll(x, 1);
};
