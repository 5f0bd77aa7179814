// nn.Softmax(dim=None): forward = F.softmax (implicit dim when None, as PyTorch's legacy rule).

import { attr, defineLayer, f, input1 } from './layer';

export const SoftmaxClass = defineLayer({
  name: 'Softmax',
  module: 'torch.nn.modules.activation',
  sig: 'Softmax.__init__(self, dim=None)',
  init: (self, a) => self.dict.set('dim', a.get('dim')),
  extraRepr: (self) => `dim=${attr(self, 'dim') === null ? 'None' : attr(self, 'dim')}`,
  forward: (self, call, ctx) => f('F.softmax', ctx, [input1(call, ctx, 'Softmax'), attr(self, 'dim')]),
});
