// nn.Embedding(num_embeddings, embedding_dim, padding_idx=None, …): weight [num_embeddings, embedding_dim],
// forward = F.embedding.

import * as tf from '@tensorflow/tfjs-core';
import { PyFloat } from '../../runtime/values';
import { TorchError } from '../errors';
import { addParam, attr, defineLayer, f, input1, param, r } from './layer';

export const EmbeddingClass = defineLayer({
  name: 'Embedding',
  module: 'torch.nn.modules.sparse',
  sig: 'Embedding.__init__(self, num_embeddings, embedding_dim, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False, sparse=False, _weight=None, _freeze=False, device=None, dtype=None)',
  init: (self, a, ctx) => {
    const n = a.int('num_embeddings');
    const d = a.int('embedding_dim');
    let pad = a.optInt('padding_idx');
    if (pad !== null) {
      if (pad >= n || pad < -n) throw new TorchError('ValueError', 'Padding_idx must be within num_embeddings');
      if (pad < 0) pad += n;
    }
    for (const [k, v] of Object.entries({
      num_embeddings: n,
      embedding_dim: d,
      padding_idx: pad,
      max_norm: a.get('max_norm'),
      norm_type: a.get('norm_type'),
      scale_grad_by_freq: a.bool('scale_grad_by_freq'),
      sparse: a.bool('sparse'),
    })) {
      self.dict.set(k, v);
    }
    const w = addParam(self, 'weight', [n, d], ctx, { kind: 'normal' });
    // reset_parameters(): N(0, 1), then the padding row zeroed.
    if (w?.data && pad !== null) {
      const row = pad;
      w.data = tf.tidy(() => tf.where(tf.equal(tf.reshape(tf.range(0, n, 1, 'int32'), [n, 1]), row), tf.zeros([n, d]), w.data as tf.Tensor));
    }
  },
  extraRepr: (self) => {
    let s = `${attr(self, 'num_embeddings')}, ${attr(self, 'embedding_dim')}`;
    if (attr(self, 'padding_idx') !== null) s += `, padding_idx=${attr(self, 'padding_idx')}`;
    if (attr(self, 'max_norm') !== null) s += `, max_norm=${r(attr(self, 'max_norm'))}`;
    const nt = attr(self, 'norm_type');
    if (nt instanceof PyFloat ? nt.v !== 2 : nt !== 2) s += `, norm_type=${r(nt)}`;
    if (attr(self, 'scale_grad_by_freq') === true) s += ', scale_grad_by_freq=True';
    if (attr(self, 'sparse') === true) s += ', sparse=True';
    return s;
  },
  describe: (self) => `Embedding ${attr(self, 'num_embeddings')}×${attr(self, 'embedding_dim')}`,
  forward: (self, call, ctx) => f('F.embedding', ctx, [input1(call, ctx, 'Embedding'), param(self, 'weight'), attr(self, 'padding_idx')]),
});
