// nn.GroupNorm: normalizes channels in `num_groups` groups; weight/bias of [num_channels].

import { valueError } from '../errors';
import { addParam, attr, defineLayer, f, input1, param, r } from './layer';

export const GroupNormClass = defineLayer({
  name: 'GroupNorm',
  module: 'torch.nn.modules.normalization',
  sig: 'GroupNorm.__init__(self, num_groups, num_channels, eps=1e-05, affine=True, device=None, dtype=None)',
  init: (self, a, ctx) => {
    const g = a.int('num_groups');
    const c = a.int('num_channels');
    if (c % g !== 0) throw valueError('num_channels must be divisible by num_groups');
    const affine = a.bool('affine');
    for (const [k, v] of Object.entries({ num_groups: g, num_channels: c, eps: a.get('eps'), affine })) self.dict.set(k, v);
    addParam(self, 'weight', affine ? [c] : null, ctx, { kind: 'const', value: 1 });
    addParam(self, 'bias', affine ? [c] : null, ctx);
  },
  extraRepr: (self) => `${attr(self, 'num_groups')}, ${attr(self, 'num_channels')}, eps=${r(attr(self, 'eps'))}, affine=${r(attr(self, 'affine'))}`,
  describe: (self) => `GroupNorm(${attr(self, 'num_groups')}, ${attr(self, 'num_channels')})`,
  forward: (self, call, ctx) =>
    f('F.group_norm', ctx, [input1(call, ctx, 'GroupNorm'), attr(self, 'num_groups'), param(self, 'weight'), param(self, 'bias'), attr(self, 'eps')]),
});
