import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from './src/core/numeric/backend';
(async () => {
  const res: Record<string, string[]> = {};
  for (const b of ['cpu', 'wasm'] as const) {
    await initBackend(b);
    const x = tf.reshape(tf.range(0, 24, 1, 'int32'), [2, 3, 4]);
    const ops: Record<string, () => tf.Tensor> = {
      transpose: () => tf.transpose(x, [2, 0, 1]),
      gather: () => tf.gather(x, tf.tensor1d([2, 0], 'int32'), 2),
      concat: () => tf.concat([x, x], 1),
      tile: () => tf.tile(x, [1, 2, 1]),
      reverse: () => tf.reverse(x, [1]),
      pad: () => tf.pad(x, [[0, 0], [1, 0], [0, 1]]),
      slice: () => tf.slice(x, [0, 1, 1], [2, 2, 2]),
      stack: () => tf.stack([x, x], 1),
      broadcastTo: () => tf.broadcastTo(tf.reshape(x, [2, 1, 3, 4]), [2, 2, 3, 4]),
      where: () => tf.where(tf.greater(x, 5), x, tf.zerosLike(x)),
      mod: () => tf.mod(x, tf.scalar(5, 'int32')),
      floorDiv: () => tf.floorDiv(x, tf.scalar(5, 'int32')),
      scatterND: () => tf.scatterND(tf.tensor2d([[1], [3], [1]], [3, 1], 'int32'), tf.tensor1d([5, 6, 7], 'int32'), [5]),
      tensorScatterUpdate: () => tf.tensorScatterUpdate(tf.reshape(x, [-1]), tf.tensor2d([[1], [3]], [2, 1], 'int32'), tf.tensor1d([50, 60], 'int32')),
      cumsum: () => tf.cumsum(x, 1),
      max: () => tf.max(x, 1),
      sum: () => tf.sum(x, 1),
      unstack: () => tf.unstack(x, 1)[1],
      split: () => tf.split(x, 2, 2)[1],
      mirrorPad: () => tf.mirrorPad(x, [[0, 0], [1, 1], [0, 0]], 'reflect'),
      topk: () => tf.topk(tf.cast(x, 'float32'), 2).indices,
      oneHot: () => tf.oneHot(tf.tensor1d([0, 2], 'int32'), 3),
      castb: () => tf.cast(tf.greater(x, 3), 'int32'),
      sel_bool: () => tf.cast(tf.where(tf.greater(x, 5), tf.greater(x, 7), tf.greater(x, 1)), 'int32'),
      stridedSliceF: () => tf.stridedSlice(tf.cast(x, 'float32'), [0, 0, 1], [2, 3, 4], [1, 2, 2]),
      gatherBool: () => tf.cast(tf.gather(tf.greater(x, 5), tf.tensor1d([1], 'int32'), 1), 'int32'),
      concatBool: () => tf.cast(tf.concat([tf.greater(x, 5), tf.greater(x, 9)], 1), 'int32'),
    };
    for (const [k, f] of Object.entries(ops)) {
      let s: string;
      try { const y = f(); s = `${y.dtype}:${Array.from(y.dataSync()).join(',')}`; } catch (e) { s = 'ERR ' + (e as Error).message.slice(0, 60); }
      (res[k] ??= []).push(s);
    }
  }
  for (const [k, [c, w]] of Object.entries(res)) if (c !== w) console.log('DIFF', k, '\n cpu', c.slice(0, 120), '\n wasm', w.slice(0, 120));
  console.log('done');
})();
