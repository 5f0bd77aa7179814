// nn.SiLU(inplace=False): x·sigmoid(x), forward = F.silu.

import { attr, defineLayer, f, input1 } from './layer';

export const SiLUClass = defineLayer({
  name: 'SiLU',
  module: 'torch.nn.modules.activation',
  sig: 'SiLU.__init__(self, inplace=False)',
  init: (self, a) => self.dict.set('inplace', a.bool('inplace')),
  extraRepr: (self) => (attr(self, 'inplace') === true ? 'inplace=True' : ''),
  forward: (self, call, ctx) => f('F.silu', ctx, [input1(call, ctx, 'SiLU')], { inplace: attr(self, 'inplace') === true }),
});
