// nn.LeakyReLU(negative_slope=0.01, inplace=False): forward = F.leaky_relu.

import { attr, defineLayer, f, input1, r } from './layer';

export const LeakyReLUClass = defineLayer({
  name: 'LeakyReLU',
  module: 'torch.nn.modules.activation',
  sig: 'LeakyReLU.__init__(self, negative_slope=0.01, inplace=False)',
  init: (self, a) => {
    self.dict.set('negative_slope', a.get('negative_slope'));
    self.dict.set('inplace', a.bool('inplace'));
  },
  extraRepr: (self) => `negative_slope=${r(attr(self, 'negative_slope'))}${attr(self, 'inplace') === true ? ', inplace=True' : ''}`,
  forward: (self, call, ctx) =>
    f('F.leaky_relu', ctx, [input1(call, ctx, 'LeakyReLU'), attr(self, 'negative_slope')], { inplace: attr(self, 'inplace') === true }),
});
