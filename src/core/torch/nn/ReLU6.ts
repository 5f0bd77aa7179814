// nn.ReLU6(inplace=False): min(max(x, 0), 6), forward = F.relu6 (PyTorch's grad_fn is HardtanhBackward0).

import { attr, defineLayer, f, input1 } from './layer';

export const ReLU6Class = defineLayer({
  name: 'ReLU6',
  module: 'torch.nn.modules.activation',
  sig: 'ReLU6.__init__(self, inplace=False)',
  init: (self, a) => self.dict.set('inplace', a.bool('inplace')),
  extraRepr: (self) => (attr(self, 'inplace') === true ? 'inplace=True' : ''),
  forward: (self, call, ctx) => f('F.relu6', ctx, [input1(call, ctx, 'ReLU6')], { inplace: attr(self, 'inplace') === true }),
});
