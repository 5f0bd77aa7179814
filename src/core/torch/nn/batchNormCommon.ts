// PyTorch's _BatchNorm: num_features/eps/momentum/affine/track_running_stats, weight/bias parameters,
// running_mean/running_var/num_batches_tracked buffers, and the forward that calls F.batch_norm.

import { PyFloat, type PyClass } from '../../runtime/values';
import { valueError } from '../errors';
import { Tensor } from '../tensor';
import { addBuffer, addParam, attr, buffer, defineLayer, f, input1, isTraining, param, r } from './layer';

/** Declares BatchNorm{n}d; `dims` lists the accepted input ranks and `expect` PyTorch's wording for them. */
export function defineBatchNorm(n: number, dims: number[], expect: string): PyClass {
  const name = `BatchNorm${n}d`;
  return defineLayer({
    name,
    module: 'torch.nn.modules.batchnorm',
    sig: '_BatchNorm.__init__(self, num_features, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True, device=None, dtype=None)',
    init: (self, a, ctx) => {
      const c = a.int('num_features');
      const affine = a.bool('affine');
      const track = a.bool('track_running_stats');
      for (const [k, v] of Object.entries({ num_features: c, eps: a.get('eps'), momentum: a.get('momentum'), affine, track_running_stats: track })) {
        self.dict.set(k, v);
      }
      addParam(self, 'weight', affine ? [c] : null, ctx);
      addParam(self, 'bias', affine ? [c] : null, ctx);
      if (track) {
        addBuffer(self, 'running_mean', new Tensor([c]));
        addBuffer(self, 'running_var', new Tensor([c]));
        addBuffer(self, 'num_batches_tracked', new Tensor([], 'int64'));
      } else {
        addBuffer(self, 'running_mean', null);
        addBuffer(self, 'running_var', null);
        addBuffer(self, 'num_batches_tracked', null);
      }
    },
    extraRepr: (self) =>
      `${attr(self, 'num_features')}, eps=${r(attr(self, 'eps'))}, momentum=${r(attr(self, 'momentum'))}, affine=${r(attr(self, 'affine'))}, track_running_stats=${r(attr(self, 'track_running_stats'))}`,
    describe: (self) => `${self.cls.name}(${attr(self, 'num_features')})`,
    forward: (self, call, ctx) => {
      const x = input1(call, ctx, name);
      if (x instanceof Tensor && !dims.includes(x.ndim)) throw valueError(`expected ${expect} input (got ${x.ndim}D input)`);
      const training = isTraining(self);
      const rm = buffer(self, 'running_mean');
      const rv = buffer(self, 'running_var');
      const bnTraining = training || (rm === null && rv === null);
      const track = !training || attr(self, 'track_running_stats') === true;
      return f('F.batch_norm', ctx, [
        x,
        track ? rm : null,
        track ? rv : null,
        param(self, 'weight'),
        param(self, 'bias'),
        bnTraining,
        attr(self, 'momentum') ?? new PyFloat(0),
        attr(self, 'eps'),
      ]);
    },
  });
}

