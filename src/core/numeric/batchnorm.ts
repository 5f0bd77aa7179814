// PyTorch batch_norm forward / backward on TensorFlow.js, for any layout: statistics are per channel along
// `channelAxis` (1 for PyTorch's NCHW / NCL / NC, or the last axis for a channels-last engine layout).
//
// Semantics follow torch.nn.functional.batch_norm:
//  * training: normalise with the batch mean and the *biased* batch variance; update the running stats
//    with the *unbiased* variance: running = (1 − momentum)·running + momentum·batch
//    (momentum = null → cumulative average with factor 1 / numBatchesTracked);
//  * eval: normalise with the running statistics.
// y = x·scale + shift with scale = γ / √(var + eps), shift = β − mean·scale (what PyTorch's CPU kernel does).
// All functions are pure: inputs are never disposed; returned tensors are new.

import * as tf from '@tensorflow/tfjs-core';
import { channelSumLast } from './reduce';

export interface BatchNormOptions {
  training: boolean;
  /** default 1e-5 */
  eps?: number;
  /** default 0.1; null = cumulative moving average (needs numBatchesTracked) */
  momentum?: number | null;
  /** num_batches_tracked *after* this step's increment; used when momentum is null */
  numBatchesTracked?: number;
  /** default 1 (NCHW) */
  channelAxis?: number;
}

export interface BatchNormForwardResult {
  y: tf.Tensor;
  /** per-channel statistics used for normalisation, saved for the backward pass */
  mean: tf.Tensor1D;
  invstd: tf.Tensor1D;
  /** updated running statistics (training with running stats only) */
  runningMean?: tf.Tensor1D;
  runningVar?: tf.Tensor1D;
}

export interface BatchNormGrads {
  dx?: tf.Tensor;
  dgamma?: tf.Tensor1D;
  dbeta?: tf.Tensor1D;
}

function layout(x: tf.Tensor, channelAxis = 1) {
  const axis = channelAxis < 0 ? x.rank + channelAxis : channelAxis;
  if (x.rank < 2 || axis < 0 || axis >= x.rank) throw new Error(`batch_norm: bad channel axis ${channelAxis} for input of rank ${x.rank}`);
  const C = x.shape[axis];
  const reduceAxes = x.shape.map((_, i) => i).filter((i) => i !== axis);
  const n = reduceAxes.reduce((p, i) => p * x.shape[i], 1);
  // shape that broadcasts a [C] vector along `axis`
  const bshape = x.shape.map((d, i) => (i === axis ? d : 1));
  const last = axis === x.rank - 1;
  const b = (v: tf.Tensor): tf.Tensor => (last ? v : tf.reshape(v, bshape));
  // channel not last (NCHW): view as [A, C, B], reduce the contiguous inner B first, then A (both cheap)
  const A = x.shape.slice(0, axis).reduce((p, d) => p * d, 1);
  const B = x.shape.slice(axis + 1).reduce((p, d) => p * d, 1);
  const sumMid = (t: tf.Tensor): tf.Tensor1D => {
    const inner = B > 1 ? tf.sum(tf.reshape(t, [A, C, B]), 2) : tf.reshape(t, [A, C]);
    return (A > 1 ? tf.sum(inner, 0) : tf.reshape(inner, [C])) as tf.Tensor1D;
  };
  const sum = (t: tf.Tensor): tf.Tensor1D => (last ? channelSumLast(t) : sumMid(t));
  return { C, reduceAxes, n, b, sum };
}

function checkVec(v: tf.Tensor | null | undefined, C: number, name: string) {
  if (v && (v.rank !== 1 || v.shape[0] !== C)) throw new Error(`batch_norm: ${name} must have shape [${C}], got [${v.shape.join(', ')}]`);
}

export function batchNormForward(
  x: tf.Tensor,
  gamma: tf.Tensor1D | null,
  beta: tf.Tensor1D | null,
  runningMean: tf.Tensor1D | null,
  runningVar: tf.Tensor1D | null,
  opts: BatchNormOptions,
): BatchNormForwardResult {
  const { C, n, b, sum } = layout(x, opts.channelAxis);
  for (const [v, name] of [[gamma, 'weight'], [beta, 'bias'], [runningMean, 'running_mean'], [runningVar, 'running_var']] as const) {
    checkVec(v, C, name);
  }
  const eps = opts.eps ?? 1e-5;
  if (!opts.training && (!runningMean || !runningVar)) throw new Error('batch_norm: running_mean and running_var are required in eval mode');
  if (opts.training && n <= 1) {
    throw new Error(`Expected more than 1 value per channel when training, got input size [${x.shape.join(', ')}]`);
  }
  const r = tf.tidy(() => {
    let mean: tf.Tensor1D;
    let variance: tf.Tensor1D;
    if (opts.training) {
      mean = tf.div(sum(x), n);
      variance = tf.div(sum(tf.squaredDifference(x, b(mean))), n); // two-pass, like PyTorch
    } else {
      mean = runningMean!;
      variance = runningVar!;
    }
    const invstd = tf.rsqrt(tf.add(variance, eps)) as tf.Tensor1D;
    const scale = gamma ? tf.mul(gamma, invstd) : invstd;
    const shift = beta ? tf.sub(beta, tf.mul(mean, scale)) : tf.neg(tf.mul(mean, scale));
    const y = tf.add(tf.mul(x, b(scale)), b(shift));
    const out: tf.NamedTensorMap = { y, mean: tf.clone(mean), invstd };
    if (opts.training && runningMean && runningVar) {
      const mom = opts.momentum === undefined ? 0.1 : opts.momentum;
      const f = mom === null ? 1 / Math.max(1, opts.numBatchesTracked ?? 1) : mom;
      const unbiased = tf.mul(variance, n / (n - 1));
      out.runningMean = tf.add(tf.mul(runningMean, 1 - f), tf.mul(mean, f));
      out.runningVar = tf.add(tf.mul(runningVar, 1 - f), tf.mul(unbiased, f));
    }
    return out;
  });
  return r as unknown as BatchNormForwardResult;
}

/**
 * Backward of batchNormForward. `mean` / `invstd` are the ones the forward returned (batch statistics in
 * training, running statistics in eval).
 */
export function batchNormBackward(
  dy: tf.Tensor,
  x: tf.Tensor,
  gamma: tf.Tensor1D | null,
  mean: tf.Tensor1D,
  invstd: tf.Tensor1D,
  opts: BatchNormOptions,
  need: { input?: boolean; weight?: boolean; bias?: boolean } = { input: true, weight: true, bias: true },
): BatchNormGrads {
  const { n, b, sum } = layout(x, opts.channelAxis);
  const r = tf.tidy(() => {
    const out: tf.NamedTensorMap = {};
    const sumDy = sum(dy);
    const needDot = need.weight || (need.input && opts.training);
    // Σ dy·(x − mean), as PyTorch computes it (no cancellation from Σ dy·x − mean·Σ dy)
    const dot = needDot ? sum(tf.mul(dy, tf.sub(x, b(mean)))) : null;
    if (need.bias) out.dbeta = sumDy;
    if (need.weight) out.dgamma = tf.mul(dot!, invstd);
    if (need.input) {
      const a = gamma ? tf.mul(gamma, invstd) : invstd; // γ·invstd
      if (!opts.training) {
        out.dx = tf.mul(dy, b(a));
      } else {
        // dx = a·(dy − Σdy/n − (x − mean)·invstd²·dot/n) = dy·a + x·k + c
        const k = tf.mul(a, tf.mul(tf.square(invstd), tf.div(dot!, -n)));
        const c = tf.sub(tf.mul(a, tf.div(sumDy, -n)), tf.mul(mean, k));
        out.dx = tf.add(tf.add(tf.mul(dy, b(a)), tf.mul(x, b(k))), b(c));
      }
    }
    return out;
  });
  return r as unknown as BatchNormGrads;
}

/** NCHW convenience wrappers (BatchNorm2d). */
export const batchNorm2dForward = (
  x: tf.Tensor4D,
  gamma: tf.Tensor1D | null,
  beta: tf.Tensor1D | null,
  runningMean: tf.Tensor1D | null,
  runningVar: tf.Tensor1D | null,
  opts: Omit<BatchNormOptions, 'channelAxis'>,
) => batchNormForward(x, gamma, beta, runningMean, runningVar, { ...opts, channelAxis: 1 });

export const batchNorm2dBackward = (
  dy: tf.Tensor4D,
  x: tf.Tensor4D,
  gamma: tf.Tensor1D | null,
  mean: tf.Tensor1D,
  invstd: tf.Tensor1D,
  opts: Omit<BatchNormOptions, 'channelAxis'>,
  need?: { input?: boolean; weight?: boolean; bias?: boolean },
) => batchNormBackward(dy, x, gamma, mean, invstd, { ...opts, channelAxis: 1 }, need);
