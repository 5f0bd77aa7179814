import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from './src/core/numeric/backend';
(async () => {
  await initBackend('wasm');
  const x = tf.randomNormal([32, 128, 28, 28]);
  const flat = tf.reshape(x, [-1]);
  const time = (name: string, f: () => tf.Tensor) => {
    tf.tidy(() => f().dataSync());
    const t0 = performance.now();
    for (let i = 0; i < 3; i++) tf.tidy(() => { const y = f(); tf.sum(y).dataSync(); });
    console.log(name.padEnd(12), ((performance.now() - t0) / 3).toFixed(2), 'ms');
  };
  time('relu', () => tf.relu(flat));
  time('relu4d', () => tf.relu(x));
  time('maximum', () => tf.maximum(flat, tf.scalar(0)));
  time('clip', () => tf.clipByValue(flat, 0, Infinity));
  time('step', () => tf.step(flat));
  time('greater', () => tf.greater(flat, 0));
  time('mul', () => tf.mul(flat, flat));
  time('add', () => tf.add(flat, flat));
  time('cast', () => tf.cast(tf.greater(flat, 0), 'float32'));
  time('where', () => tf.where(tf.greater(flat, 0), flat, tf.zerosLike(flat)));
  time('sigmoid', () => tf.sigmoid(flat));
  time('exp', () => tf.exp(flat));
  time('transpose', () => tf.transpose(x, [0, 2, 3, 1]));
  time('gather5', () => tf.gather(flat, tf.range(0, 5, 1, 'int32')));
  time('slice5', () => tf.slice(flat, [0], [5]));
})();
