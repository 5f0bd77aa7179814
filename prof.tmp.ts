import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { numericBackend, traceNumericSync } from './src/core/numericEngine';
(async () => {
  const b = await numericBackend('wasm');
  const file = process.argv[2];
  const text = readFileSync(file, 'utf8');
  const m0 = tf.memory().numTensors;
  for (let i = 0; i < 2; i++) {
    const t0 = Date.now();
    const r = traceNumericSync({ file, text }, b);
    console.log('run', i, Date.now() - t0, 'ms', r.timings, 'tensors', tf.memory().numTensors - m0, r.error?.message);
  }
})();
