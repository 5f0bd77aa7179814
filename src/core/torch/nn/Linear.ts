// nn.Linear: y = x Wᵀ + b with weight [out_features, in_features], forward = F.linear.

import { addParam, attr, defineLayer, f, input1, param, r } from './layer';

export const LinearClass = defineLayer({
  name: 'Linear',
  module: 'torch.nn.modules.linear',
  sig: 'Linear.__init__(self, in_features, out_features, bias=True, device=None, dtype=None)',
  init: (self, a, ctx) => {
    const inF = a.int('in_features');
    const outF = a.int('out_features');
    self.dict.set('in_features', inF);
    self.dict.set('out_features', outF);
    addParam(self, 'weight', [outF, inF], ctx, { kind: 'fanIn', fanIn: inF });
    addParam(self, 'bias', a.bool('bias') ? [outF] : null, ctx, { kind: 'fanIn', fanIn: inF });
  },
  extraRepr: (self) => `in_features=${attr(self, 'in_features')}, out_features=${attr(self, 'out_features')}, bias=${r(param(self, 'bias') !== null)}`,
  describe: (self) => `Linear ${attr(self, 'in_features')}→${attr(self, 'out_features')}`,
  forward: (self, call, ctx) => f('F.linear', ctx, [input1(call, ctx, 'Linear'), param(self, 'weight'), param(self, 'bias')]),
});
