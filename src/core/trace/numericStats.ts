// Summary statistics of tensor values and gradients for the numeric trace (plain numbers, read back from tfjs).

import * as tf from '@tensorflow/tfjs-core';
import type { TensorStats } from './types';

/** mean, std (unbiased, as torch.std), min, max and the fraction of exact zeros of a tensor's values. */
export function tensorStats(v: tf.Tensor): TensorStats {
  const r = tf.tidy(() => {
    const x = v.dtype === 'float32' ? v : tf.cast(v, 'float32');
    const flat = tf.reshape(x, [-1]);
    const n = flat.size;
    const mean = tf.mean(flat);
    const sq = tf.sum(tf.square(tf.sub(flat, mean)));
    const zeros = tf.sum(tf.cast(tf.equal(flat, 0), 'float32'));
    return tf.stack([mean, tf.div(sq, Math.max(n - 1, 1)), tf.min(flat), tf.max(flat), tf.div(zeros, n)]);
  });
  const [mean, variance, min, max, zeroFraction] = Array.from(r.dataSync());
  r.dispose();
  return { mean, std: Math.sqrt(variance), min, max, zeroFraction };
}

/** L2 norm, mean, std (unbiased), max |value| and the first five values of a gradient. */
export function gradStats(g: tf.Tensor): { norm: number; mean: number; std: number; maxAbs: number; first: number[] } {
  const r = tf.tidy(() => {
    const flat = tf.reshape(g, [-1]);
    const n = flat.size;
    const mean = tf.mean(flat);
    const sq = tf.sum(tf.square(tf.sub(flat, mean)));
    return tf.concat([
      tf.stack([tf.sqrt(tf.sum(tf.square(flat))), mean, tf.div(sq, Math.max(n - 1, 1)), tf.max(tf.abs(flat))]),
      tf.slice(flat, [0], [Math.min(5, n)]),
    ]);
  });
  const d = Array.from(r.dataSync());
  r.dispose();
  return { norm: d[0], mean: d[1], std: Math.sqrt(d[2]), maxAbs: d[3], first: d.slice(4) };
}

/** L2 norm of a tensor's values. */
export function l2norm(v: tf.Tensor): number {
  const r = tf.tidy(() => tf.sqrt(tf.sum(tf.square(tf.cast(v, 'float32')))));
  const n = r.dataSync()[0];
  r.dispose();
  return n;
}
