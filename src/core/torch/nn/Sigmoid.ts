// nn.Sigmoid: forward = torch.sigmoid.

import { defineLayer, f, input1 } from './layer';

export const SigmoidClass = defineLayer({
  name: 'Sigmoid',
  module: 'torch.nn.modules.activation',
  forward: (_self, call, ctx) => f('torch.sigmoid', ctx, [input1(call, ctx, 'Sigmoid')]),
});
