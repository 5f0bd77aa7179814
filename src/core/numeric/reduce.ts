// Reductions that tfjs-backend-wasm runs slowly through tf.sum, routed to faster kernels.
import * as tf from '@tensorflow/tfjs-core';

/**
 * Per-channel sum of a channels-last tensor viewed as [M, C] → [C]. On wasm this is a [1,M]·[M,C] matMul
 * (XNNPACK fully-connected): tf.sum over leading axes transposes first and is ~20–40× slower there.
 */
export function channelSumLast(x: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => {
    const C = x.shape[x.rank - 1];
    const M = x.size / C;
    if (tf.getBackend() === 'wasm' && M > 1) {
      return tf.reshape(tf.matMul(tf.ones([1, M]), tf.reshape(x, [M, C])), [C]);
    }
    return tf.reshape(tf.sum(tf.reshape(x, [M, C]), 0), [C]);
  });
}
