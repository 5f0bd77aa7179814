// nn.LayerNorm: normalizes over the trailing `normalized_shape` dims; weight/bias of that shape.

import { PyTuple } from '../../runtime/values';
import { addParam, attr, defineLayer, f, input1, param, r } from './layer';

export const LayerNormClass = defineLayer({
  name: 'LayerNorm',
  module: 'torch.nn.modules.normalization',
  sig: 'LayerNorm.__init__(self, normalized_shape, eps=1e-05, elementwise_affine=True, device=None, dtype=None)',
  init: (self, a, ctx) => {
    const shape = a.ints('normalized_shape');
    const affine = a.bool('elementwise_affine');
    self.dict.set('normalized_shape', new PyTuple(shape));
    self.dict.set('eps', a.get('eps'));
    self.dict.set('elementwise_affine', affine);
    addParam(self, 'weight', affine ? shape : null, ctx, { kind: 'const', value: 1 });
    addParam(self, 'bias', affine ? shape : null, ctx);
  },
  extraRepr: (self) => `${r(attr(self, 'normalized_shape'))}, eps=${r(attr(self, 'eps'))}, elementwise_affine=${r(attr(self, 'elementwise_affine'))}`,
  describe: (self) => `LayerNorm${r(attr(self, 'normalized_shape'))}`,
  forward: (self, call, ctx) =>
    f('F.layer_norm', ctx, [input1(call, ctx, 'LayerNorm'), attr(self, 'normalized_shape'), param(self, 'weight'), param(self, 'bias'), attr(self, 'eps')]),
});
