// Reductions that tfjs-backend-wasm runs slowly through tf.sum, routed to faster kernels.
import * as tf from '@tensorflow/tfjs-core';

/**
 * Per-channel sum of a channels-last tensor (all axes but the last reduced) → [C].
 *
 * On wasm, tf.sum over leading axes transposes first (~12 ms for 3.2M floats); a [1,M]·[M,C] matMul
 * re-packs its right operand as XNNPACK weights (~16 ms). XNNPACK average pooling over the whole spatial
 * extent reads the data once (~2 ms): sum = avgPool(x, [H, W]) · H·W, then a tiny sum over the batch.
 */
export function channelSumLast(x: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => {
    const C = x.shape[x.rank - 1];
    const M = x.size / C;
    if (tf.getBackend() !== 'wasm' || M <= 1) return tf.reshape(tf.sum(tf.reshape(x, [M, C]), 0), [C]);
    const [N, H, W] = x.shape as number[];
    if (x.rank === 4 && H * W > 1) {
      const pooled = tf.reshape(tf.avgPool(x as tf.Tensor4D, [H, W], 1, 'valid'), [N, C]);
      return tf.mul(N === 1 ? tf.reshape(pooled, [C]) : tf.sum(pooled, 0), H * W) as tf.Tensor1D;
    }
    const pooled = tf.avgPool(tf.reshape(x, [1, M, 1, C]) as tf.Tensor4D, [M, 1], 1, 'valid');
    return tf.mul(tf.reshape(pooled, [C]), M) as tf.Tensor1D;
  });
}
