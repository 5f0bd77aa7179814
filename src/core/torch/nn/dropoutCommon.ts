// PyTorch's _DropoutNd: p in [0, 1], inplace; forward calls the matching F.dropout* with the training flag.

import type { PyClass } from '../../runtime/values';
import { valueError } from '../errors';
import { attr, defineLayer, f, input1, isTraining, r } from './layer';

export function defineDropout(name: string, fname: string): PyClass {
  return defineLayer({
    name,
    module: 'torch.nn.modules.dropout',
    sig: '_DropoutNd.__init__(self, p=0.5, inplace=False)',
    init: (self, a) => {
      const p = a.float('p');
      if (p < 0 || p > 1) throw valueError(`dropout probability has to be between 0 and 1, but got ${r(a.get('p'))}`);
      self.dict.set('p', a.get('p'));
      self.dict.set('inplace', a.bool('inplace'));
    },
    extraRepr: (self) => `p=${r(attr(self, 'p'))}, inplace=${r(attr(self, 'inplace'))}`,
    forward: (self, call, ctx) => f(fname, ctx, [input1(call, ctx, name), attr(self, 'p'), isTraining(self), attr(self, 'inplace')]),
  });
}
