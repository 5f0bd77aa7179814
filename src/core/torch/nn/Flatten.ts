// nn.Flatten: flattens dims start_dim..end_dim (default 1..-1), forward = Tensor.flatten.

import { attr, defineLayer, f, input1 } from './layer';

export const FlattenClass = defineLayer({
  name: 'Flatten',
  module: 'torch.nn.modules.flatten',
  sig: 'Flatten.__init__(self, start_dim=1, end_dim=-1)',
  init: (self, a) => {
    self.dict.set('start_dim', a.int('start_dim'));
    self.dict.set('end_dim', a.int('end_dim'));
  },
  extraRepr: (self) => `start_dim=${attr(self, 'start_dim')}, end_dim=${attr(self, 'end_dim')}`,
  forward: (self, call, ctx) => f('torch.flatten', ctx, [input1(call, ctx, 'Flatten'), attr(self, 'start_dim'), attr(self, 'end_dim')]),
});
