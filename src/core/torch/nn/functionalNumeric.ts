// Numeric forwards and gradients (tfjs) of torch.nn.functional: convolutions and linear (the numeric layer's
// fast kernels, NCHW as PyTorch), batch norm with running statistics, layer/group/instance norm, pooling,
// dropout, padding, interpolation, activations, embedding and the losses. Referenced from functional.ts.

import * as tf from '@tensorflow/tfjs-core';
import { batchNormBackward, batchNormForward } from '../../numeric/batchnorm';
import { conv2d, conv2dBackward, convTranspose2d, convTranspose2dBackwardInput, convTranspose2dBackwardWeight, type Padding2d } from '../../numeric/conv';
import { linear, linearBackward } from '../../numeric/linear';
import { PyList, PyTuple, type PyValue } from '../../runtime/values';
import { TorchError } from '../errors';
import type { NumericCall } from '../numericCall';
import { castTo, i32, numberArg, pyNumber, scatterAdd, sliceAny, val } from '../numericValues';
import type { NumericForward } from '../registry';
import { softmaxAlong } from '../ops/elementwiseNumeric';

const F32 = 'float32';

function tupleN(v: PyValue, n: number): number[] {
  if (typeof v === 'number') return new Array(n).fill(v);
  if (typeof v === 'boolean') return new Array(n).fill(Number(v));
  if (v instanceof PyTuple || v instanceof PyList) {
    const xs = v.items.map((x) => Number(x));
    return xs.length === 1 ? new Array(n).fill(xs[0]) : xs;
  }
  return new Array(n).fill(0);
}

const notSupported = (what: string): TorchError => new TorchError('NotImplementedError', `${what} is not supported by Tensor Trace's numeric mode yet`);

// ------------------------------------------------------------------ convolution

/** F.conv1d / F.conv2d (conv1d as conv2d with height 1), with the kernels' gradients. */
/** A conv operand as the 2-D kernels take it: a batch axis added to an unbatched input, H = 1 for 1-d convs. */
function to4d(v: tf.Tensor, n: number, addBatch: boolean): tf.Tensor4D {
  let r = v;
  if (addBatch) r = tf.expandDims(r, 0);
  if (n === 1) r = tf.expandDims(r, 2);
  return r as tf.Tensor4D;
}

export function convNumeric(n: 1 | 2 | 3): NumericForward {
  return (c) => {
    if (n === 3) return conv3dNumeric(c);
    const xt = c.t('input');
    const wt = c.t('weight');
    const hasBias = c.has('bias');
    const unbatched = xt.ndim === n + 1;
    const padV = c.a.get('padding');
    const stride = tupleN(c.a.get('stride'), n);
    const dilation = tupleN(c.a.get('dilation'), n);
    const groups = c.a.int('groups');
    let padding: Padding2d;
    if (padV === 'same' || padV === 'valid') padding = padV;
    else {
      const p = tupleN(padV, n);
      padding = n === 1 ? [0, p[0]] : [p[0], p[1]];
    }
    const opts = {
      stride: (n === 1 ? [1, stride[0]] : stride) as [number, number],
      dilation: (n === 1 ? [1, dilation[0]] : dilation) as [number, number],
      padding,
      groups,
    };
    const to4 = (v: tf.Tensor, isInput: boolean) => to4d(v, n, isInput && unbatched);
    const x4 = to4(castTo(c.save('input'), F32), true);
    const w4 = to4(castTo(c.save('weight'), F32), false);
    const b = hasBias ? (castTo(c.v('bias'), F32) as tf.Tensor1D) : null;
    const y = conv2d(x4, w4, b, opts);
    c.backward((gy) => {
      const dy = to4(gy[0], true);
      const g = conv2dBackward(x4, w4, dy, opts, { input: c.needs('input'), weight: c.needs('weight'), bias: false });
      return {
        input: g.dx ? tf.reshape(g.dx, xt.shape) : null,
        weight: g.dw ? tf.reshape(g.dw, wt.shape) : null,
        bias: c.needs('bias') ? tf.sum(dy, [0, 2, 3]) : null,
      };
    });
    return tf.reshape(y, c.out().shape);
  };
}

/** conv3d on tfjs's NDHWC conv3d (groups split), differentiated by tfjs. */
function conv3dNumeric(c: NumericCall): tf.Tensor {
  const xt = c.t('input');
  const padV = c.a.get('padding');
  const stride = tupleN(c.a.get('stride'), 3) as [number, number, number];
  const dilation = tupleN(c.a.get('dilation'), 3) as [number, number, number];
  const groups = c.a.int('groups');
  const wt = c.t('weight');
  const k = wt.shape.slice(2);
  let pads: number[][];
  if (padV === 'valid') pads = [[0, 0], [0, 0], [0, 0]];
  else if (padV === 'same') pads = k.map((kk, i) => {
    const t = dilation[i] * (kk - 1);
    return [Math.floor(t / 2), t - Math.floor(t / 2)];
  });
  else pads = tupleN(padV, 3).map((p) => [p, p]);
  const unbatched = xt.ndim === 4;
  const names = c.has('bias') ? ['input', 'weight', 'bias'] : ['input', 'weight'];
  return c.composite(names, (x0, w, b) => {
    let x = unbatched ? tf.expandDims(x0, 0) : x0;
    x = tf.pad(x, [[0, 0], [0, 0], ...pads] as Array<[number, number]>);
    const xl = tf.transpose(x, [0, 2, 3, 4, 1]) as tf.Tensor5D;
    const wl = tf.transpose(w, [2, 3, 4, 1, 0]) as tf.Tensor5D; // [kd,kh,kw,in/g,out]
    const cin = wt.shape[1];
    const cout = wt.shape[0] / groups;
    const outs: tf.Tensor[] = [];
    for (let g = 0; g < groups; g++) {
      const xg = groups === 1 ? xl : (sliceAny(xl, [0, 0, 0, 0, g * cin], [-1, -1, -1, -1, cin]) as tf.Tensor5D);
      const wg = groups === 1 ? wl : (sliceAny(wl, [0, 0, 0, 0, g * cout], [-1, -1, -1, -1, cout]) as tf.Tensor5D);
      outs.push(tf.conv3d(xg, wg, stride, 'valid', 'NDHWC', dilation));
    }
    let y = outs.length === 1 ? outs[0] : tf.concat(outs, 4);
    if (b) y = tf.add(y, b);
    y = tf.transpose(y, [0, 4, 1, 2, 3]);
    return unbatched ? tf.squeeze(y, [0]) : y;
  }, ['input', 'weight']);
}

/** F.conv_transpose1d / 2d (1d as 2d with height 1) with the kernels' gradients; 3d through tfjs. */
export function convTransposeNumeric(n: 1 | 2 | 3): NumericForward {
  return (c) => {
    const xt = c.t('input');
    const wt = c.t('weight');
    if (n === 3) return convTranspose3dNumeric(c);
    const unbatched = xt.ndim === n + 1;
    const t = (v: PyValue) => {
      const r = tupleN(v, n);
      return (n === 1 ? [n === 1 ? 1 : r[0], r[0]] : r) as [number, number];
    };
    const pad = tupleN(c.a.get('padding'), n);
    const outPad = tupleN(c.a.get('output_padding'), n);
    const opts = {
      stride: t(c.a.get('stride')),
      padding: (n === 1 ? [0, pad[0]] : pad) as [number, number],
      outputPadding: (n === 1 ? [0, outPad[0]] : outPad) as [number, number],
      dilation: t(c.a.get('dilation')),
      groups: c.a.int('groups'),
    };
    const to4 = (v: tf.Tensor, isInput: boolean) => to4d(v, n, isInput && unbatched);
    const x4 = to4(castTo(c.save('input'), F32), true);
    const w4 = to4(castTo(c.save('weight'), F32), false);
    const b = c.has('bias') ? (castTo(c.v('bias'), F32) as tf.Tensor1D) : null;
    const y = convTranspose2d(x4, w4, b, opts);
    c.backward((gy) => {
      const dy = to4(gy[0], true);
      return {
        input: c.needs('input') ? tf.reshape(convTranspose2dBackwardInput(dy, w4, x4.shape, opts), xt.shape) : null,
        weight: c.needs('weight') ? tf.reshape(convTranspose2dBackwardWeight(x4, dy, w4.shape, opts), wt.shape) : null,
        bias: c.needs('bias') ? tf.sum(dy, [0, 2, 3]) : null,
      };
    });
    return tf.reshape(y, c.out().shape);
  };
}

function convTranspose3dNumeric(c: NumericCall): tf.Tensor {
  const xt = c.t('input');
  const wt = c.t('weight');
  const stride = tupleN(c.a.get('stride'), 3) as [number, number, number];
  const pad = tupleN(c.a.get('padding'), 3);
  const outPad = tupleN(c.a.get('output_padding'), 3);
  const dil = tupleN(c.a.get('dilation'), 3);
  if (c.a.int('groups') !== 1 || dil.some((d) => d !== 1)) throw notSupported('conv_transpose3d with groups or dilation');
  const unbatched = xt.ndim === 4;
  const out = c.out().shape;
  const names = c.has('bias') ? ['input', 'weight', 'bias'] : ['input', 'weight'];
  return c.composite(names, (x0, w, b) => {
    const x = unbatched ? tf.expandDims(x0, 0) : x0;
    const xl = tf.transpose(x, [0, 2, 3, 4, 1]) as tf.Tensor5D;
    const wl = tf.transpose(w, [2, 3, 4, 1, 0]) as tf.Tensor5D; // [kd,kh,kw,out,in]
    const full = x.shape.slice(2).map((s, i) => (s - 1) * stride[i] + wt.shape[2 + i]);
    let y = tf.conv3dTranspose(xl, wl, [x.shape[0], full[0], full[1], full[2], wt.shape[1]], stride, 'valid');
    // Crop the padding, extend by output_padding (zeros).
    y = tf.pad(y, [[0, 0], ...outPad.map((o): [number, number] => [0, o]), [0, 0]]);
    const sp = out.slice(-3);
    y = sliceAny(y, [0, pad[0], pad[1], pad[2], 0], [-1, sp[0], sp[1], sp[2], -1]) as tf.Tensor5D;
    if (b) y = tf.add(y, b);
    y = tf.transpose(y, [0, 4, 1, 2, 3]);
    return unbatched ? tf.squeeze(y, [0]) : y;
  }, ['input', 'weight']);
}

// ------------------------------------------------------------------ linear

export const linearNumeric: NumericForward = (c) => {
  const wt = c.t('weight');
  const xt = c.t('input');
  if (wt.ndim !== 2 || xt.ndim === 0) {
    return c.composite(c.has('bias') ? ['input', 'weight', 'bias'] : ['input', 'weight'], (x, w, b) => {
      const w2 = w.rank === 1 ? tf.reshape(w, [1, -1]) : w;
      let y = tf.matMul(tf.reshape(x, [-1, w2.shape[1] as number]), w2, false, true);
      if (b) y = tf.add(y, b);
      return tf.reshape(y, c.out().shape);
    }, ['input', 'weight']);
  }
  const x = castTo(c.save('input'), F32);
  const w = castTo(c.save('weight'), F32) as tf.Tensor2D;
  const b = c.has('bias') ? (castTo(c.v('bias'), F32) as tf.Tensor1D) : null;
  const y = linear(x, w, b);
  c.backward((gy) => {
    const g = linearBackward(x, w, gy[0], { input: c.needs('input'), weight: c.needs('weight'), bias: c.needs('bias') });
    return { input: g.dx ?? null, weight: g.dw ?? null, bias: g.db ?? null };
  });
  return tf.reshape(y, c.out().shape);
};

export const bilinearNumeric: NumericForward = (c) => {
  const names = c.has('bias') ? ['input1', 'input2', 'weight', 'bias'] : ['input1', 'input2', 'weight'];
  const wt = c.t('weight');
  const [O, I, J] = wt.shape;
  return c.composite(names, (x1, x2, w, b) => {
    const r1 = tf.reshape(x1, [-1, I]);
    const r2 = tf.reshape(x2, [-1, J]);
    const t = tf.reshape(tf.matMul(r1, tf.reshape(tf.transpose(w, [1, 0, 2]), [I, O * J])), [-1, O, J]);
    let y = tf.sum(tf.mul(t, tf.expandDims(r2, 1)), 2);
    if (b) y = tf.add(y, b);
    return tf.reshape(y, c.out().shape);
  });
};

// ------------------------------------------------------------------ normalization

export const batchNormNumeric: NumericForward = (c) => {
  const training = c.a.bool('training');
  const momentum = numberArg(c.a.get('momentum'), 0.1);
  const eps = numberArg(c.a.get('eps'), 1e-5);
  const rmT = c.has('running_mean') ? c.t('running_mean') : null;
  const rvT = c.has('running_var') ? c.t('running_var') : null;
  const x = castTo(c.save('input'), F32);
  const gamma = c.has('weight') ? (castTo(c.save('weight'), F32) as tf.Tensor1D) : null;
  const beta = c.has('bias') ? (castTo(c.v('bias'), F32) as tf.Tensor1D) : null;
  const rm = rmT ? (castTo(val(rmT), F32) as tf.Tensor1D) : null;
  const rv = rvT ? (castTo(val(rvT), F32) as tf.Tensor1D) : null;
  const useBatch = training || !rm || !rv;
  const opts = { training: useBatch, eps, momentum, channelAxis: 1 };
  const r = batchNormForward(x, gamma, beta, useBatch && training ? rm : useBatch ? null : rm, useBatch && training ? rv : useBatch ? null : rv, opts);
  if (training && rmT && rvT && r.runningMean && r.runningVar) {
    // In-place update of the running statistics (the buffers' versions move, as in PyTorch).
    rmT.data = c.run.keep(r.runningMean);
    rvT.data = c.run.keep(r.runningVar);
    rmT.version++;
    rvT.version++;
  }
  const mean = c.keep(r.mean);
  const invstd = c.keep(r.invstd);
  c.backward((gy) => {
    const g = batchNormBackward(gy[0], x, gamma, mean, invstd, opts, { input: c.needs('input'), weight: c.needs('weight'), bias: c.needs('bias') });
    return { input: g.dx ?? null, weight: g.dgamma ?? null, bias: g.dbeta ?? null };
  });
  return r.y;
};

export const layerNormNumeric: NumericForward = (c) => {
  const ns = c.a.ints('normalized_shape');
  const eps = numberArg(c.a.get('eps'), 1e-5);
  const names = ['input', ...(c.has('weight') ? ['weight'] : []), ...(c.has('bias') ? ['bias'] : [])];
  const xt = c.t('input');
  const axes = ns.map((_, i) => xt.ndim - ns.length + i);
  return c.composite(names, (x, ...rest) => {
    const w = c.has('weight') ? rest[0] : null;
    const b = c.has('bias') ? rest[c.has('weight') ? 1 : 0] : null;
    const m = tf.mean(x, axes, true);
    const v = tf.mean(tf.square(tf.sub(x, m)), axes, true);
    let y = tf.mul(tf.sub(x, m), tf.rsqrt(tf.add(v, eps)));
    if (w) y = tf.mul(y, w);
    if (b) y = tf.add(y, b);
    return y;
  });
};

export const groupNormNumeric: NumericForward = (c) => {
  const g = c.a.int('num_groups');
  const eps = numberArg(c.a.get('eps'), 1e-5);
  const xt = c.t('input');
  const names = ['input', ...(c.has('weight') ? ['weight'] : []), ...(c.has('bias') ? ['bias'] : [])];
  const C = xt.shape[1];
  const bshape = xt.shape.map((_, i) => (i === 1 ? C : 1));
  return c.composite(names, (x, ...rest) => {
    const w = c.has('weight') ? rest[0] : null;
    const b = c.has('bias') ? rest[c.has('weight') ? 1 : 0] : null;
    const xr = tf.reshape(x, [xt.shape[0], g, -1]);
    const m = tf.mean(xr, 2, true);
    const v = tf.mean(tf.square(tf.sub(xr, m)), 2, true);
    let y = tf.reshape(tf.mul(tf.sub(xr, m), tf.rsqrt(tf.add(v, eps))), xt.shape);
    if (w) y = tf.mul(y, tf.reshape(w, bshape));
    if (b) y = tf.add(y, tf.reshape(b, bshape));
    return y;
  });
};

export const instanceNormNumeric: NumericForward = (c) => {
  const xt = c.t('input');
  const eps = numberArg(c.a.get('eps'), 1e-5);
  const momentum = numberArg(c.a.get('momentum'), 0.1);
  const useStats = c.a.bool('use_input_stats');
  const axes = [...Array(xt.ndim).keys()].slice(2);
  const C = xt.shape[1];
  const bshape = xt.shape.map((_, i) => (i === 1 ? C : 1));
  const rmT = c.has('running_mean') ? c.t('running_mean') : null;
  const rvT = c.has('running_var') ? c.t('running_var') : null;
  if (useStats && rmT && rvT) {
    const x = castTo(c.v('input'), F32);
    const n = axes.reduce((p, a) => p * xt.shape[a], 1);
    const m = tf.mean(tf.mean(x, axes), 0);
    const v = tf.mean(tf.div(tf.sum(tf.square(tf.sub(x, tf.mean(x, axes, true))), axes), Math.max(n - 1, 1)), 0);
    rmT.data = c.run.keep(tf.add(tf.mul(val(rmT), 1 - momentum), tf.mul(m, momentum)));
    rvT.data = c.run.keep(tf.add(tf.mul(val(rvT), 1 - momentum), tf.mul(v, momentum)));
    rmT.version++;
    rvT.version++;
  }
  const names = ['input', ...(c.has('weight') ? ['weight'] : []), ...(c.has('bias') ? ['bias'] : [])];
  const rm = !useStats && rmT ? val(rmT) : null;
  const rv = !useStats && rvT ? val(rvT) : null;
  return c.composite(names, (x, ...rest) => {
    const w = c.has('weight') ? rest[0] : null;
    const b = c.has('bias') ? rest[c.has('weight') ? 1 : 0] : null;
    let m: tf.Tensor;
    let v: tf.Tensor;
    if (rm && rv) {
      m = tf.reshape(rm, bshape);
      v = tf.reshape(rv, bshape);
    } else {
      m = tf.mean(x, axes, true);
      v = tf.mean(tf.square(tf.sub(x, m)), axes, true);
    }
    let y = tf.mul(tf.sub(x, m), tf.rsqrt(tf.add(v, eps)));
    if (w) y = tf.mul(y, tf.reshape(w, bshape));
    if (b) y = tf.add(y, tf.reshape(b, bshape));
    return y;
  });
};

export const normalizeNumeric: NumericForward = (c) => {
  const p = numberArg(c.a.get('p'), 2);
  const d0 = c.a.int('dim');
  const xt = c.t('input');
  const d = d0 < 0 ? d0 + xt.ndim : d0;
  const eps = numberArg(c.a.get('eps'), 1e-12);
  return c.composite(['input'], (x) => {
    const nrm = p === 2 ? tf.sqrt(tf.sum(tf.square(x), d, true)) : tf.pow(tf.sum(tf.pow(tf.abs(x), p), d, true), 1 / p);
    return tf.div(x, tf.maximum(nrm, eps));
  });
};

// ------------------------------------------------------------------ pooling

/** Extra padding on the far side so a 'valid' pool yields `out` windows (ceil_mode). */
function farExtra(size: number, k: number, s: number, d: number, padLo: number, padHi: number, out: number): number {
  const need = (out - 1) * s + d * (k - 1) + 1;
  return Math.max(0, need - (size + padLo + padHi));
}

export function maxPoolNumeric(n: 1 | 2 | 3): NumericForward {
  return (c) => {
    const xt = c.t('input');
    const out = c.out();
    const kernel = tupleN(c.a.get('kernel_size'), n);
    const sv = c.a.get('stride');
    const stride = sv === null || (sv instanceof PyList && sv.items.length === 0) ? kernel : tupleN(sv, n);
    const padding = tupleN(c.a.get('padding'), n);
    const dilation = tupleN(c.a.get('dilation'), n);
    const spatialIn = xt.shape.slice(-n);
    const spatialOut = out.shape.slice(-n);
    const pads = spatialIn.map((s, i): [number, number] => [padding[i], padding[i] + farExtra(s, kernel[i], stride[i], dilation[i], padding[i], padding[i], spatialOut[i])]);
    const lead = xt.ndim - n;
    const pool = (x: tf.Tensor): tf.Tensor => {
      // Padding is -inf: it never wins a max.
      const xp = tf.pad(x, [...new Array(lead).fill([0, 0]), ...pads] as Array<[number, number]>, -Infinity);
      const batched = tf.reshape(xp, [-1, ...xp.shape.slice(lead)]); // [B, *spatial]
      let y: tf.Tensor;
      if (dilation.every((d) => d === 1) && n <= 2) {
        const x4 = n === 1 ? tf.reshape(batched, [batched.shape[0], 1, batched.shape[1] as number, 1]) : tf.expandDims(batched, 3);
        const k2: [number, number] = n === 1 ? [1, kernel[0]] : [kernel[0], kernel[1]];
        const s2: [number, number] = n === 1 ? [1, stride[0]] : [stride[0], stride[1]];
        y = tf.maxPool(x4 as tf.Tensor4D, k2, s2, 'valid');
      } else if (dilation.every((d) => d === 1) && n === 3) {
        y = tf.maxPool3d(tf.expandDims(batched, 4) as tf.Tensor5D, kernel as [number, number, number], stride as [number, number, number], 'valid');
      } else {
        y = tapMax(batched, kernel, stride, dilation, spatialOut).values;
      }
      return tf.reshape(y, out.shape);
    };
    const x = castTo(c.v('input'), F32);
    const y = pool(x);
    const needIdx = c.outputs.length > 1 || c.grad;
    let index: tf.Tensor | null = null;
    if (needIdx) {
      // Argmax positions (first maximum in scan order, as PyTorch) in each input plane; the backward scatters the
      // gradient there (tfjs-backend-wasm's MaxPoolGrad drops windows whose maximum is exactly 0).
      const xp = tf.pad(x, [...new Array(lead).fill([0, 0]), ...pads] as Array<[number, number]>, -Infinity);
      const b = tf.reshape(xp, [-1, ...xp.shape.slice(lead)]);
      index = tf.reshape(tapMax(b, kernel, stride, dilation, spatialOut, pads.map((p) => p[0]), spatialIn).index, out.shape);
    }
    if (c.grad && index) {
      const plane = spatialIn.reduce((p, d) => p * d, 1);
      const planes = xt.numel / plane;
      const outPlane = spatialOut.reduce((p, d) => p * d, 1);
      const offsets = tf.reshape(tf.mul(tf.range(0, planes, 1, 'int32'), i32(plane)), [planes, 1]);
      const global = c.keep(tf.add(tf.reshape(index, [planes, outPlane]), offsets));
      c.save('input');
      c.backward((gy) => ({ input: scatterAdd(global, gy[0], xt.shape) }));
    }
    if (c.outputs.length > 1) return [y, index as tf.Tensor];
    return y;
  };
}

/** Max over kernel taps by strided slices of a padded [B, *spatial] tensor (dilation, indices). */
function tapMax(
  xp: tf.Tensor,
  kernel: number[],
  stride: number[],
  dilation: number[],
  outSp: number[],
  padLo: number[] = kernel.map(() => 0),
  inSp: number[] = [],
): { values: tf.Tensor; index: tf.Tensor } {
  const n = kernel.length;
  let best: tf.Tensor | null = null;
  let bestIdx: tf.Tensor | null = null;
  const taps: number[][] = [[]];
  for (let i = 0; i < n; i++) {
    const next: number[][] = [];
    for (const t of taps) for (let a = 0; a < kernel[i]; a++) next.push([...t, a]);
    taps.splice(0, taps.length, ...next);
  }
  for (const tap of taps) {
    const begin = [0, ...tap.map((a, i) => a * dilation[i])];
    const end = [xp.shape[0], ...tap.map((a, i) => a * dilation[i] + stride[i] * (outSp[i] - 1) + 1)];
    const v = tf.stridedSlice(xp, begin, end, [1, ...stride]);
    if (inSp.length) {
      // index of this tap at every output position: Σ (o·s + a·d − pad)·planeStride
      let idx: tf.Tensor = tf.zeros(outSp, 'int32');
      let planeStride = 1;
      for (let i = n - 1; i >= 0; i--) {
        const shape = outSp.map((_, j) => (j === i ? outSp[i] : 1));
        const coord = tf.reshape(tf.add(tf.mul(tf.range(0, outSp[i], 1, 'int32'), i32(stride[i])), i32(tap[i] * dilation[i] - padLo[i])), shape);
        idx = tf.add(idx, tf.mul(coord, i32(planeStride)));
        planeStride *= inSp[i];
      }
      const idxB = tf.broadcastTo(tf.expandDims(idx, 0), v.shape);
      if (!best) {
        best = v;
        bestIdx = idxB;
      } else {
        const win: tf.Tensor = tf.greater(v, best);
        best = tf.where(win, v, best);
        bestIdx = tf.where(win, idxB, bestIdx as tf.Tensor);
      }
    } else best = best ? tf.maximum(best, v) : v;
  }
  return { values: best as tf.Tensor, index: bestIdx ?? tf.zeros([], 'int32') };
}

export function avgPoolNumeric(n: 1 | 2 | 3): NumericForward {
  return (c) => {
    const xt = c.t('input');
    const out = c.out();
    const kernel = tupleN(c.a.get('kernel_size'), n);
    const sv = c.a.get('stride');
    const stride = sv === null || (sv instanceof PyList && sv.items.length === 0) ? kernel : tupleN(sv, n);
    const padding = tupleN(c.a.get('padding'), n);
    const includePad = c.a.bool('count_include_pad');
    const divisor = c.a.has('divisor_override') && c.a.get('divisor_override') !== null ? numberArg(c.a.get('divisor_override')) : null;
    const spatialIn = xt.shape.slice(-n);
    const spatialOut = out.shape.slice(-n);
    const extra = spatialIn.map((s, i) => farExtra(s, kernel[i], stride[i], 1, padding[i], padding[i], spatialOut[i]));
    // How many elements each window averages, per axis (windows are separable): PyTorch counts the zero padding
    // (count_include_pad) but never the part of a ceil_mode window past the padded input.
    const counts = spatialIn.map((size, i) =>
      Array.from({ length: spatialOut[i] }, (_, o) => {
        const start = o * stride[i] - padding[i];
        const end = Math.min(start + kernel[i], size + padding[i]);
        return includePad ? end - start : Math.min(end, size) - Math.max(start, 0);
      }),
    );
    let count = tf.tensor(counts[0]);
    for (let i = 1; i < n; i++) count = tf.mul(tf.expandDims(count, -1), tf.reshape(tf.tensor(counts[i]), [...new Array(i).fill(1), counts[i].length]));
    const lead = xt.ndim - n;
    const ksize = kernel.reduce((p, k) => p * k, 1);
    const pool = (x: tf.Tensor): tf.Tensor => {
      // Window sums of the zero-padded input by a 'valid' average pool (whose tfjs gradient is exact), then the
      // divisor PyTorch uses.
      const b = tf.reshape(x, [-1, ...x.shape.slice(lead)]);
      const xb = tf.pad(b, [[0, 0], ...spatialIn.map((_, i): [number, number] => [padding[i], padding[i] + extra[i]])]);
      let y: tf.Tensor;
      if (n === 3) {
        y = tf.avgPool3d(tf.expandDims(xb, 4) as tf.Tensor5D, kernel as [number, number, number], stride as [number, number, number], 'valid');
      } else {
        const x4 = n === 1 ? tf.reshape(xb, [xb.shape[0], 1, xb.shape[1] as number, 1]) : tf.expandDims(xb, 3);
        const k2: [number, number] = n === 1 ? [1, kernel[0]] : [kernel[0], kernel[1]];
        const s2: [number, number] = n === 1 ? [1, stride[0]] : [stride[0], stride[1]];
        y = tf.avgPool(x4 as tf.Tensor4D, k2, s2, 'valid');
      }
      const sums = tf.mul(tf.reshape(y, [-1, ...spatialOut]), ksize);
      return tf.reshape(divisor !== null ? tf.div(sums, divisor) : tf.div(sums, count), out.shape);
    };
    return c.composite(['input'], pool, []);
  };
}

/** Adaptive windows along one axis: start = ⌊i·In/Out⌋, end = ⌈(i+1)·In/Out⌉. */
function adaptiveWindows(inSize: number, outSize: number): Array<[number, number]> {
  return Array.from({ length: outSize }, (_, i) => [Math.floor((i * inSize) / outSize), Math.ceil(((i + 1) * inSize) / outSize)]);
}

/** Applies a [Out, In] matrix along `axis` of x. */
function alongAxis(x: tf.Tensor, axis: number, m: tf.Tensor2D): tf.Tensor {
  const n = x.rank;
  const perm = [...Array(n).keys()].filter((a) => a !== axis).concat([axis]);
  const inv = new Array<number>(n);
  perm.forEach((p, i) => (inv[p] = i));
  const t = tf.transpose(x, perm);
  const r = tf.matMul(tf.reshape(t, [-1, x.shape[axis]]), m, false, true);
  return tf.transpose(tf.reshape(r, [...t.shape.slice(0, -1), m.shape[0]]), inv);
}

function averagingMatrix(inSize: number, outSize: number): tf.Tensor2D {
  const w = new Float32Array(outSize * inSize);
  adaptiveWindows(inSize, outSize).forEach(([s, e], i) => {
    for (let j = s; j < e; j++) w[i * inSize + j] = 1 / (e - s);
  });
  return tf.tensor2d(w, [outSize, inSize]);
}

export function adaptiveAvgNumeric(n: 1 | 2 | 3): NumericForward {
  return (c) => {
    const xt = c.t('input');
    const out = c.out();
    const spatialIn = xt.shape.slice(-n);
    const spatialOut = out.shape.slice(-n);
    const axes = spatialIn.map((_, i) => xt.ndim - n + i);
    if (spatialOut.every((o) => o === 1)) {
      const x = castTo(c.v('input'), F32);
      const count = spatialIn.reduce((p, d) => p * d, 1);
      c.backward((gy) => ({ input: tf.div(tf.broadcastTo(tf.reshape(gy[0], out.shape), xt.shape), count) }));
      return tf.mean(x, axes, true);
    }
    return c.composite(['input'], (x) => {
      let y = x;
      axes.forEach((a, i) => {
        if (spatialIn[i] !== spatialOut[i]) y = alongAxis(y, a, averagingMatrix(spatialIn[i], spatialOut[i]));
      });
      return y;
    }, []);
  };
}

export function adaptiveMaxNumeric(n: 1 | 2 | 3): NumericForward {
  return (c) => {
    if (c.outputs.length > 1) throw notSupported('adaptive max pooling with return_indices=True');
    const xt = c.t('input');
    const out = c.out();
    const spatialIn = xt.shape.slice(-n);
    const spatialOut = out.shape.slice(-n);
    const axes = spatialIn.map((_, i) => xt.ndim - n + i);
    return c.composite(['input'], (x) => {
      let y = x;
      axes.forEach((a, i) => {
        if (spatialIn[i] === spatialOut[i]) return;
        const parts = adaptiveWindows(spatialIn[i], spatialOut[i]).map(([s, e]) => {
          const begin = y.shape.map((_, k) => (k === a ? s : 0));
          const size = y.shape.map((d, k) => (k === a ? e - s : d));
          return tf.max(sliceAny(y, begin, size), a, true);
        });
        y = tf.concat(parts, a);
      });
      return y;
    });
  };
}

// ------------------------------------------------------------------ dropout

export function dropoutNumeric(kind: 'dropout' | 'feature' | 'alpha' | 'feature_alpha'): NumericForward {
  return (c) => {
    const xt = c.t('input');
    const p = c.a.float('p');
    const x = castTo(c.v('input'), F32);
    const channelwise = kind === 'feature' || kind === 'feature_alpha';
    // dropout2d on an unbatched [C, H, W] input drops whole channels of dim 0.
    const maskShape = channelwise ? xt.shape.map((d, i) => (i < (xt.ndim >= 3 && c.env.entry.name !== 'F.dropout1d' ? 2 : xt.ndim - 1) ? d : 1)) : xt.shape;
    const n = maskShape.reduce((q, d) => q * d, 1);
    const keep = new Float32Array(n);
    if (p < 1) for (let i = 0; i < n; i++) keep[i] = c.run.rng.random() >= p ? 1 : 0;
    const mask = c.keep(tf.tensor(keep, maskShape));
    if (kind === 'alpha' || kind === 'feature_alpha') {
      const alphaP = -1.7580993408473766;
      const a = 1 / Math.sqrt((alphaP * alphaP * p + 1) * (1 - p));
      const b = -a * alphaP * p;
      c.backward((gy) => ({ input: tf.mul(gy[0], tf.mul(mask, a)) }));
      if (p === 1) return tf.zerosLike(x);
      return tf.add(tf.mul(tf.add(tf.mul(x, mask), tf.mul(tf.sub(1, mask), alphaP)), a), b);
    }
    const scale = p < 1 ? 1 / (1 - p) : 0;
    c.backward((gy) => ({ input: tf.mul(gy[0], tf.mul(mask, scale)) }));
    return tf.mul(x, tf.mul(mask, scale));
  };
}

// ------------------------------------------------------------------ pad

/** Pads one dim of x by (lo, hi) with a mode (negative amounts crop). */
function padDim(x: tf.Tensor, d: number, lo: number, hi: number, mode: string, value: number): tf.Tensor {
  let r = x;
  if (lo < 0 || hi < 0) {
    const n = r.shape[d];
    const s = Math.max(0, -lo);
    const e = n - Math.max(0, -hi);
    r = sliceAny(r, r.shape.map((_, k) => (k === d ? s : 0)), r.shape.map((sz, k) => (k === d ? e - s : sz)));
    lo = Math.max(0, lo);
    hi = Math.max(0, hi);
  }
  if (lo === 0 && hi === 0) return r;
  const n = r.shape[d];
  const take = (start: number, len: number) => sliceAny(r, r.shape.map((_, k) => (k === d ? start : 0)), r.shape.map((sz, k) => (k === d ? len : sz)));
  const pick = (indices: number[]) => tf.concat(indices.map((i) => take(i, 1)), d);
  if (mode === 'constant') {
    const pads = r.shape.map((_, k): [number, number] => (k === d ? [lo, hi] : [0, 0]));
    return tf.pad(r, pads, value);
  }
  let left: number[];
  let right: number[];
  if (mode === 'reflect') {
    left = Array.from({ length: lo }, (_, i) => lo - i);
    right = Array.from({ length: hi }, (_, i) => n - 2 - i);
  } else if (mode === 'replicate') {
    left = new Array(lo).fill(0);
    right = new Array(hi).fill(n - 1);
  } else {
    left = Array.from({ length: lo }, (_, i) => (((n - lo + i) % n) + n) % n);
    right = Array.from({ length: hi }, (_, i) => i % n);
  }
  const parts: tf.Tensor[] = [];
  if (left.length) parts.push(pick(left));
  parts.push(r);
  if (right.length) parts.push(pick(right));
  return tf.concat(parts, d);
}

export const padNumeric: NumericForward = (c) => {
  const pad = c.a.ints('pad');
  const mode = c.a.str('mode');
  const vv = c.a.get('value');
  const value = vv === null ? 0 : numberArg(vv);
  const xt = c.t('input');
  const apply = (x: tf.Tensor) => {
    let r = x;
    for (let i = 0; i < pad.length / 2; i++) r = padDim(r, xt.ndim - 1 - i, pad[2 * i], pad[2 * i + 1], mode, value);
    return r;
  };
  if (!xt.isFloating) return apply(c.v('input'));
  return c.composite(['input'], apply, []);
};

// ------------------------------------------------------------------ interpolate

/** [Out, In] resampling matrix for one axis. */
function resampleMatrix(inSize: number, outSize: number, mode: string, alignCorners: boolean, scale: number | null): tf.Tensor2D {
  const w = new Float32Array(outSize * inSize);
  const ratio = scale !== null ? 1 / scale : inSize / outSize;
  for (let o = 0; o < outSize; o++) {
    if (mode === 'nearest') {
      const src = Math.min(Math.floor(o * ratio), inSize - 1);
      w[o * inSize + src] = 1;
    } else if (mode === 'nearest-exact') {
      const src = Math.min(Math.floor((o + 0.5) * ratio), inSize - 1);
      w[o * inSize + src] = 1;
    } else {
      let src: number;
      if (alignCorners) src = outSize > 1 ? (o * (inSize - 1)) / (outSize - 1) : 0;
      else src = Math.max((o + 0.5) * ratio - 0.5, 0);
      const i0 = Math.min(Math.floor(src), inSize - 1);
      const i1 = Math.min(i0 + 1, inSize - 1);
      const l = src - i0;
      w[o * inSize + i0] += 1 - l;
      w[o * inSize + i1] += l;
    }
  }
  return tf.tensor2d(w, [outSize, inSize]);
}

export const interpolateNumeric: NumericForward = (c) => {
  const mode = c.a.str('mode');
  const xt = c.t('input');
  const out = c.out();
  const n = xt.ndim - 2;
  if (mode === 'bicubic') throw notSupported("F.interpolate(mode='bicubic')");
  if (mode === 'area') return adaptiveAvgNumeric(n as 1 | 2 | 3)(c) as tf.Tensor;
  const ac = c.a.get('align_corners') === true;
  const sf = c.a.get('scale_factor');
  const scales = sf === null ? null : sf instanceof PyTuple || sf instanceof PyList ? sf.items.map((v) => pyNumber(v) as number) : new Array(n).fill(pyNumber(sf));
  const recompute = c.a.get('recompute_scale_factor') === true;
  const m = mode === 'linear' || mode === 'bilinear' || mode === 'trilinear' ? 'linear' : mode;
  return c.composite(['input'], (x) => {
    let y = x;
    for (let i = 0; i < n; i++) {
      const axis = 2 + i;
      const inS = xt.shape[axis];
      const outS = out.shape[axis];
      const s = scales && !recompute ? (scales[i] ?? scales[0]) : null;
      if (inS === outS && m !== 'linear' && s === null) continue;
      y = alongAxis(y, axis, resampleMatrix(inS, outS, m, ac, s));
    }
    return y;
  }, []);
};

export const pixelShuffleNumeric: NumericForward = (c) => {
  const r = c.a.int('upscale_factor');
  const xt = c.t('input');
  const lead = xt.shape.slice(0, -3);
  const [C, H, W] = xt.shape.slice(-3);
  const oc = C / (r * r);
  return c.composite(['input'], (x) => {
    const t = tf.reshape(x, [-1, oc, r, r, H, W]);
    const p = tf.transpose(t, [0, 1, 4, 2, 5, 3]);
    return tf.reshape(p, [...lead, oc, H * r, W * r]);
  }, []);
};

// ------------------------------------------------------------------ activations

const softplusOf = (x: tf.Tensor, beta: number, threshold: number) =>
  tf.where(tf.greater(tf.mul(x, beta), threshold), x, tf.div(tf.log1p(tf.exp(tf.mul(x, beta))), beta));

const SELU_ALPHA = 1.6732632423543772848170429916717;
const SELU_SCALE = 1.0507009873554804934193349852946;

/** F.* activations written as tfjs compositions (tfjs differentiates them). */
export function activationNumeric(name: string): NumericForward {
  return (c) => {
    const a = (k: string, d: number) => (c.a.has(k) ? numberArg(c.a.get(k), d) : d);
    if (name === 'relu6' || name === 'hardtanh') {
      // hardtanh's gradient passes only strictly inside (min, max), as PyTorch's hardtanh_backward.
      const lo = name === 'relu6' ? 0 : a('min_val', -1);
      const hi = name === 'relu6' ? 6 : a('max_val', 1);
      const x = castTo(c.v('input'), c.out().dtype);
      c.save('input');
      c.backward((gy) => {
        const xf = castTo(x, F32);
        return { input: tf.mul(gy[0], tf.cast(tf.logicalAnd(tf.greater(xf, lo), tf.less(xf, hi)), F32)) };
      });
      return tf.clipByValue(x, lo, hi);
    }
    if (name === 'leaky_relu') {
      const slope = a('negative_slope', 0.01);
      const x = castTo(c.v('input'), F32);
      c.save('input');
      c.backward((gy) => ({ input: tf.where(tf.greater(x, 0), gy[0], tf.mul(gy[0], slope)) }));
      return tf.where(tf.greater(x, 0), x, tf.mul(x, slope));
    }
    const f = (x: tf.Tensor): tf.Tensor => {
      switch (name) {
        case 'gelu':
          if (c.a.get('approximate') === 'tanh') {
            const k = Math.sqrt(2 / Math.PI);
            return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(tf.mul(k, tf.add(x, tf.mul(0.044715, tf.pow(x, 3)))))));
          }
          return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));
        case 'silu':
          return tf.mul(x, tf.sigmoid(x));
        case 'elu': {
          const al = a('alpha', 1);
          return tf.where(tf.greater(x, 0), x, tf.mul(al, tf.expm1(x)));
        }
        case 'selu':
          return tf.mul(SELU_SCALE, tf.where(tf.greater(x, 0), x, tf.mul(SELU_ALPHA, tf.expm1(x))));
        case 'celu': {
          const al = a('alpha', 1);
          return tf.where(tf.greater(x, 0), x, tf.mul(al, tf.expm1(tf.div(x, al))));
        }
        case 'softplus':
          return softplusOf(x, a('beta', 1), a('threshold', 20));
        case 'hardswish':
          return tf.div(tf.mul(x, tf.clipByValue(tf.add(x, 3), 0, 6)), 6);
        case 'hardsigmoid':
          return tf.div(tf.clipByValue(tf.add(x, 3), 0, 6), 6);
        case 'mish':
          return tf.mul(x, tf.tanh(softplusOf(x, 1, 20)));
        case 'logsigmoid':
          return tf.neg(softplusOf(tf.neg(x), 1, 20));
        case 'softsign':
          return tf.div(x, tf.add(1, tf.abs(x)));
        case 'tanhshrink':
          return tf.sub(x, tf.tanh(x));
        default:
          throw notSupported(`F.${name}`);
      }
    };
    return c.composite(['input'], f);
  };
}

export const preluNumeric: NumericForward = (c) => {
  const xt = c.t('input');
  return c.composite(['input', 'weight'], (x, w) => {
    const ws = xt.ndim >= 2 && w.size > 1 ? tf.reshape(w, xt.shape.map((d, i) => (i === 1 ? d : 1))) : tf.reshape(w, []);
    return tf.where(tf.greater(x, 0), x, tf.mul(ws, x));
  });
};

export const gluNumeric: NumericForward = (c) => {
  const xt = c.t('input');
  const d0 = c.a.int('dim');
  const d = d0 < 0 ? d0 + xt.ndim : d0;
  return c.composite(['input'], (x) => {
    const [p, q] = tf.split(x, 2, d);
    return tf.mul(p, tf.sigmoid(q));
  });
};

// ------------------------------------------------------------------ embedding & misc

export const embeddingNumeric: NumericForward = (c) => {
  const wt = c.t('weight');
  const idx = tf.reshape(castTo(c.v('input'), 'int32'), [-1]);
  const [V, D] = wt.shape;
  const pad = c.a.get('padding_idx');
  const padIdx = pad === null ? null : (numberArg(pad) + V) % V;
  const w = val(wt);
  const data = idx.dataSync();
  for (const i of data) if (i < 0 || i >= V) throw new TorchError('IndexError', 'index out of range in self');
  if (c.grad) {
    const kept = c.keep(tf.clone(idx));
    c.save('input');
    c.backward((gy) => {
      let g = tf.scatterND(tf.reshape(kept, [-1, 1]), tf.reshape(gy[0], [-1, D]), [V, D]);
      if (padIdx !== null) g = tf.mul(g, tf.reshape(tf.cast(tf.notEqual(tf.range(0, V, 1, 'int32'), padIdx), F32), [V, 1]));
      return { weight: g };
    });
  }
  return tf.reshape(tf.gather(w, idx), c.out().shape);
};

export const oneHotNumeric: NumericForward = (c) => {
  const out = c.out();
  const n = out.shape[out.ndim - 1];
  const idx = castTo(c.v('tensor'), 'int32');
  return tf.reshape(tf.oneHot(tf.reshape(idx, [-1]), n), out.shape);
};

export const cosineSimilarityNumeric: NumericForward = (c) => {
  const d0 = c.a.int('dim');
  const eps = numberArg(c.a.get('eps'), 1e-8);
  return c.composite(['x1', 'x2'], (a, b) => {
    const nd = Math.max(a.rank, b.rank);
    const d = d0 < 0 ? d0 + nd : d0;
    const dot = tf.sum(tf.mul(a, b), d);
    const n2 = tf.mul(tf.sum(tf.square(a), d), tf.sum(tf.square(b), d));
    return tf.div(dot, tf.sqrt(tf.maximum(n2, eps * eps)));
  });
};

export const sdpaNumeric: NumericForward = (c) => {
  const qt = c.t('query');
  const scaleV = c.a.get('scale');
  const scale = scaleV === null ? 1 / Math.sqrt(qt.shape[qt.ndim - 1]) : numberArg(scaleV);
  const causal = c.a.bool('is_causal');
  const mask = c.has('attn_mask') ? c.v('attn_mask') : null;
  const p = numberArg(c.a.get('dropout_p'), 0);
  return c.composite(['query', 'key', 'value'], (q, k, v) => {
    const kt = tf.transpose(k, [...Array(k.rank - 2).keys(), k.rank - 1, k.rank - 2]);
    let s = tf.mul(matmulBatched(q, kt), scale);
    const L = q.shape[q.rank - 2];
    const S = k.shape[k.rank - 2];
    if (causal) {
      const m = tf.lessEqual(tf.reshape(tf.range(0, S, 1, 'int32'), [1, S]), tf.reshape(tf.range(0, L, 1, 'int32'), [L, 1]));
      s = tf.where(tf.broadcastTo(m, s.shape), s, tf.fill(s.shape, -Infinity));
    }
    if (mask) s = mask.dtype === 'bool' ? tf.where(tf.broadcastTo(mask, s.shape), s, tf.fill(s.shape, -Infinity)) : tf.add(s, mask);
    let attn = softmaxAlong(s, s.rank - 1, false);
    if (p > 0) {
      const keep = tf.tensor(Float32Array.from({ length: attn.size }, () => (c.run.rng.random() >= p ? 1 / (1 - p) : 0)), attn.shape);
      attn = tf.mul(attn, keep);
    }
    return matmulBatched(attn, v);
  });
};

function matmulBatched(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const batch = a.shape.slice(0, -2);
  const bb = b.shape.slice(0, -2);
  const n = Math.max(batch.length, bb.length);
  const shape: number[] = [];
  for (let i = 0; i < n; i++) shape.push(Math.max(batch[batch.length - n + i] ?? 1, bb[bb.length - n + i] ?? 1));
  const [m, k] = a.shape.slice(-2);
  const [k2, p] = b.shape.slice(-2);
  const A = tf.reshape(tf.broadcastTo(a, [...shape, m, k]), [-1, m, k]) as tf.Tensor3D;
  const B = tf.reshape(tf.broadcastTo(b, [...shape, k2, p]), [-1, k2, p]) as tf.Tensor3D;
  const r = tf.matMul(A, B);
  return tf.reshape(r, [...shape, a.shape[a.rank - 2], b.shape[b.rank - 1]]);
}

// ------------------------------------------------------------------ losses

function reduce(l: tf.Tensor, reduction: string, meanDivisor?: tf.Tensor): tf.Tensor {
  if (reduction === 'none') return l;
  if (reduction === 'sum') return tf.sum(l);
  if (reduction === 'batchmean') return tf.div(tf.sum(l), l.rank ? l.shape[0] : 1);
  return meanDivisor ? tf.div(tf.sum(l), meanDivisor) : tf.mean(l);
}

/** cross_entropy / nll_loss with class indices or probabilities, weights, ignore_index and label smoothing. */
export function classLossNumeric(kind: 'cross_entropy' | 'nll_loss'): NumericForward {
  return (c) => {
    const xt = c.t('input');
    const tt = c.t('target');
    const reduction = c.a.str('reduction');
    const ignore = c.a.int('ignore_index');
    const eps = kind === 'cross_entropy' ? numberArg(c.a.get('label_smoothing'), 0) : 0;
    const weight = c.has('weight') ? castTo(c.v('weight'), F32) : null;
    const C = xt.ndim === 1 ? xt.shape[0] : xt.shape[1];
    const classDim = xt.ndim === 1 ? 0 : 1;
    const toLast = (v: tf.Tensor) => (v.rank <= 2 || classDim === v.rank - 1 ? v : tf.transpose(v, [0, ...[...Array(v.rank).keys()].slice(2), 1]));
    const probTarget = tt.isFloating;
    const names = probTarget && c.needs('target') ? ['input', 'target'] : ['input'];
    const tgt = probTarget ? null : castTo(c.v('target'), 'int32');
    return c.composite(names, (x, tp) => {
      const logp = toLast(kind === 'cross_entropy' ? softmaxAlong(x, classDim, true) : x);
      const wv = weight ?? tf.ones([C]);
      if (probTarget) {
        let t = toLast(tp ?? castTo(c.v('target'), F32));
        if (eps > 0) t = tf.add(tf.mul(t, 1 - eps), eps / C);
        const l = tf.neg(tf.sum(tf.mul(tf.mul(logp, t), wv), -1));
        return reduction === 'mean' ? tf.div(tf.sum(l), l.size) : reduce(l, reduction);
      }
      const t = tgt as tf.Tensor;
      const valid = tf.cast(tf.notEqual(t, ignore), F32);
      const safeT = tf.where(tf.notEqual(t, ignore), t, tf.zerosLike(t));
      const oh = tf.cast(tf.reshape(tf.oneHot(tf.reshape(safeT, [-1]), C), [...t.shape, C]), F32);
      const wt = tf.mul(tf.sum(tf.mul(oh, wv), -1), valid); // weight of each target (0 if ignored)
      const nll = tf.neg(tf.mul(tf.sum(tf.mul(logp, oh), -1), wt));
      let loss = reduce(nll, reduction, tf.sum(wt));
      if (eps > 0) {
        let smooth = tf.mul(tf.neg(tf.sum(tf.mul(logp, wv), -1)), valid);
        if (reduction === 'mean') smooth = weight ? tf.div(tf.sum(smooth), tf.sum(wt)) : tf.div(tf.sum(smooth), tf.sum(valid));
        else smooth = reduce(smooth, reduction);
        loss = tf.add(tf.mul(loss, 1 - eps), tf.mul(smooth, eps / C));
      }
      return loss;
    });
  };
}

export function pointLossNumeric(name: string): NumericForward {
  return (c) => {
    const reduction = c.a.str('reduction');
    const names = c.needs('target') ? ['input', 'target'] : ['input'];
    const beta = name === 'smooth_l1_loss' ? numberArg(c.a.get('beta'), 1) : name === 'huber_loss' ? numberArg(c.a.get('delta'), 1) : 1;
    const weight = c.has('weight') ? castTo(c.v('weight'), F32) : null;
    const posWeight = c.has('pos_weight') ? castTo(c.v('pos_weight'), F32) : null;
    const logTarget = c.a.has('log_target') && c.a.bool('log_target');
    const targetVal = castTo(c.v('target'), F32);
    return c.composite(names, (x, tIn) => {
      const t = tIn ?? targetVal;
      let l: tf.Tensor;
      switch (name) {
        case 'mse_loss':
          l = tf.square(tf.sub(x, t));
          break;
        case 'l1_loss':
          l = tf.abs(tf.sub(x, t));
          break;
        case 'smooth_l1_loss': {
          const d = tf.abs(tf.sub(x, t));
          l = beta === 0 ? d : tf.where(tf.less(d, beta), tf.div(tf.mul(0.5, tf.square(d)), beta), tf.sub(d, 0.5 * beta));
          break;
        }
        case 'huber_loss': {
          const d = tf.abs(tf.sub(x, t));
          l = tf.where(tf.lessEqual(d, beta), tf.mul(0.5, tf.square(d)), tf.mul(beta, tf.sub(d, 0.5 * beta)));
          break;
        }
        case 'binary_cross_entropy': {
          const lx = tf.maximum(tf.log(x), -100);
          const l1x = tf.maximum(tf.log(tf.sub(1, x)), -100);
          l = tf.neg(tf.add(tf.mul(t, lx), tf.mul(tf.sub(1, t), l1x)));
          if (weight) l = tf.mul(l, weight);
          break;
        }
        case 'binary_cross_entropy_with_logits': {
          const maxv = tf.relu(tf.neg(x));
          const logTerm = tf.add(tf.log(tf.add(tf.exp(tf.neg(maxv)), tf.exp(tf.sub(tf.neg(x), maxv)))), maxv);
          if (posWeight) {
            const lw = tf.add(1, tf.mul(tf.sub(posWeight, 1), t));
            l = tf.add(tf.mul(tf.sub(1, t), x), tf.mul(lw, logTerm));
          } else l = tf.add(tf.mul(tf.sub(1, t), x), logTerm);
          if (weight) l = tf.mul(l, weight);
          break;
        }
        case 'kl_div':
          l = logTarget ? tf.mul(tf.exp(t), tf.sub(t, x)) : tf.where(tf.greater(t, 0), tf.mul(t, tf.sub(tf.log(t), x)), tf.zerosLike(tf.mul(t, x)));
          break;
        default:
          throw notSupported(`F.${name}`);
      }
      return reduce(l, reduction);
    });
  };
}
