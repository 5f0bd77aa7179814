// torch.nn.functional.linear and its gradients on TensorFlow.js: y = x·Wᵀ + b, W [out, in], x [..., in].
//
// tfjs-backend-wasm only sends matMul to XNNPACK when neither operand is flagged as transposed (and the
// batch is 1); a transposeA/transposeB matMul runs a naive loop. So the small operand (W or dy) is
// transposed explicitly and every product is a plain [M, K]·[K, N].

import * as tf from '@tensorflow/tfjs-core';

function flat(x: tf.Tensor, inF: number): tf.Tensor2D {
  if (x.rank < 1) throw new Error('linear: input must have at least 1 dimension');
  if (x.shape[x.rank - 1] !== inF) {
    throw new Error(`mat1 and mat2 shapes cannot be multiplied (${x.shape.slice(0, -1).reduce((a, b) => a * b, 1)}x${x.shape[x.rank - 1]} and ${inF}x?)`);
  }
  return tf.reshape(x, [-1, inF]);
}

export function linear(x: tf.Tensor, w: tf.Tensor2D, bias?: tf.Tensor1D | null): tf.Tensor {
  const [outF, inF] = w.shape;
  if (x.shape[x.rank - 1] !== inF) {
    const rows = x.shape.slice(0, -1).reduce((a, b) => a * b, 1);
    throw new Error(`mat1 and mat2 shapes cannot be multiplied (${rows}x${x.shape[x.rank - 1]} and ${inF}x${outF})`);
  }
  if (bias && (bias.rank !== 1 || bias.shape[0] !== outF)) throw new Error(`linear: bias must have shape [${outF}]`);
  return tf.tidy(() => {
    let y: tf.Tensor = tf.matMul(flat(x, inF), tf.transpose(w));
    if (bias) y = tf.add(y, bias);
    return tf.reshape(y, [...x.shape.slice(0, -1), outF]);
  });
}

export interface LinearGrads {
  dx?: tf.Tensor;
  dw?: tf.Tensor2D;
  db?: tf.Tensor1D;
}

export function linearBackward(
  x: tf.Tensor,
  w: tf.Tensor2D,
  dy: tf.Tensor,
  need: { input?: boolean; weight?: boolean; bias?: boolean } = { input: true, weight: true, bias: true },
): LinearGrads {
  const [outF, inF] = w.shape;
  const r = tf.tidy(() => {
    const dy2 = flat(dy, outF);
    const out: tf.NamedTensorMap = {};
    if (need.input) out.dx = tf.reshape(tf.matMul(dy2, w), x.shape);
    if (need.weight) out.dw = tf.matMul(tf.transpose(dy2), flat(x, inF));
    if (need.bias) out.db = tf.sum(dy2, 0);
    return out;
  });
  return r as unknown as LinearGrads;
}
