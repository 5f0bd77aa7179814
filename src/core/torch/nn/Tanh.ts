// nn.Tanh: forward = torch.tanh.

import { defineLayer, f, input1 } from './layer';

export const TanhClass = defineLayer({
  name: 'Tanh',
  module: 'torch.nn.modules.activation',
  forward: (_self, call, ctx) => f('torch.tanh', ctx, [input1(call, ctx, 'Tanh')]),
});
