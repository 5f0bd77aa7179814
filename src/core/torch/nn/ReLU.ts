// nn.ReLU(inplace=False): forward = F.relu.

import { attr, defineLayer, f, input1 } from './layer';

export const ReLUClass = defineLayer({
  name: 'ReLU',
  module: 'torch.nn.modules.activation',
  sig: 'ReLU.__init__(self, inplace=False)',
  init: (self, a) => self.dict.set('inplace', a.bool('inplace')),
  extraRepr: (self) => (attr(self, 'inplace') === true ? 'inplace=True' : ''),
  forward: (self, call, ctx) => f('F.relu', ctx, [input1(call, ctx, 'ReLU')], { inplace: attr(self, 'inplace') === true }),
});
