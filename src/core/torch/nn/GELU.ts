// nn.GELU(approximate='none'): forward = F.gelu.

import { valueError } from '../errors';
import { attr, defineLayer, f, input1 } from './layer';

export const GELUClass = defineLayer({
  name: 'GELU',
  module: 'torch.nn.modules.activation',
  sig: "GELU.__init__(self, approximate='none')",
  init: (self, a) => {
    const ap = a.str('approximate');
    if (ap !== 'none' && ap !== 'tanh') throw valueError(`approximate argument must be either none or tanh.`);
    self.dict.set('approximate', ap);
  },
  extraRepr: (self) => `approximate='${attr(self, 'approximate')}'`,
  forward: (self, call, ctx) => f('F.gelu', ctx, [input1(call, ctx, 'GELU')], { approximate: attr(self, 'approximate') }),
});
