// Summary statistics of tensor values and gradients for the numeric trace (plain numbers). Reductions run on the
// backend and only a handful of numbers are read back: reading a whole tensor out of the threaded wasm heap (a
// SharedArrayBuffer) costs far more than the reductions themselves.

import * as tf from '@tensorflow/tfjs-core';
import { accurateSum } from '../torch/numericValues';
import type { TensorStats } from './types';

/** [Σx, Σ(x − mean)², min, max, #zeros, Σx², first five…] of a tensor, read back in one go. */
function summary(v: tf.Tensor, firstN: number): { n: number; vals: number[] } {
  const n = v.size;
  const r = tf.tidy(() => {
    const flat = tf.reshape(v.dtype === 'float32' ? v : tf.cast(v, 'float32'), [-1]);
    const sum = accurateSum(flat, [0]);
    const mean = tf.div(sum, Math.max(n, 1));
    const parts = [
      sum,
      accurateSum(tf.square(tf.sub(flat, mean)), [0]),
      tf.min(flat),
      tf.max(flat),
      // #zeros = n − #(|x| > 0), with step(): faster than equal + cast on wasm
      tf.sub(n, accurateSum(tf.step(tf.abs(flat)), [0])),
      accurateSum(tf.square(flat), [0]),
    ];
    const k = Math.min(firstN, n);
    const head = k > 0 ? tf.gather(flat, tf.range(0, k, 1, 'int32')) : tf.zeros([0]);
    return tf.concat([tf.stack(parts), head]);
  });
  const vals = Array.from(r.dataSync());
  r.dispose();
  return { n, vals };
}

/** mean, std (unbiased, as torch.std), min, max and the fraction of exact zeros of a tensor's values. */
export function tensorStats(v: tf.Tensor): TensorStats {
  if (v.size === 0) return { mean: NaN, std: NaN, min: NaN, max: NaN, zeroFraction: 0 };
  const { n, vals } = summary(v, 0);
  const [sum, m2, min, max, zeros] = vals;
  return { mean: sum / n, std: Math.sqrt(m2 / Math.max(n - 1, 1)), min, max, zeroFraction: zeros / n };
}

/** L2 norm, mean, std (unbiased), max |value| and the first five values of a gradient. */
export function gradStats(g: tf.Tensor): { norm: number; mean: number; std: number; maxAbs: number; first: number[] } {
  if (g.size === 0) return { norm: 0, mean: NaN, std: NaN, maxAbs: 0, first: [] };
  const { n, vals } = summary(g, 5);
  const [sum, m2, min, max, , sumSq] = vals;
  return { norm: Math.sqrt(sumSq), mean: sum / n, std: Math.sqrt(m2 / Math.max(n - 1, 1)), maxAbs: Math.max(Math.abs(min), Math.abs(max)), first: vals.slice(6) };
}

/** L2 norm of a tensor's values. */
export function l2norm(v: tf.Tensor): number {
  const r = tf.tidy(() => tf.sqrt(accurateSum(tf.reshape(tf.square(v.dtype === 'float32' ? v : tf.cast(v, 'float32')), [-1]), [0])));
  const n = r.dataSync()[0];
  r.dispose();
  return n;
}
