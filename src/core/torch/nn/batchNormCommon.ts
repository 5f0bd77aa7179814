// PyTorch's _BatchNorm: num_features/eps/momentum/affine/track_running_stats, weight/bias parameters,
// running_mean/running_var/num_batches_tracked buffers, and the forward that calls F.batch_norm.

import * as tf from '@tensorflow/tfjs-core';
import { PyFloat, type PyClass, type PyValue } from '../../runtime/values';
import { torchState } from '../state';
import { valueError } from '../errors';
import { Tensor } from '../tensor';
import { addBuffer, addParam, attr, buffer, defineLayer, f, input1, isTraining, param, r, setAttrs } from './layer';

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
      setAttrs(self, { num_features: c, eps: a.get('eps'), momentum: a.get('momentum'), affine, track_running_stats: track });
      addParam(self, 'weight', affine ? [c] : null, ctx, { kind: 'const', value: 1 });
      addParam(self, 'bias', affine ? [c] : null, ctx, { kind: 'const', value: 0 });
      if (track) {
        addBuffer(self, 'running_mean', new Tensor([c]), ctx, { kind: 'const', value: 0 });
        addBuffer(self, 'running_var', new Tensor([c]), ctx, { kind: 'const', value: 1 });
        addBuffer(self, 'num_batches_tracked', new Tensor([], 'int64'), ctx, { kind: 'const', value: 0 });
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
      let momentum: PyValue = attr(self, 'momentum') ?? new PyFloat(0);
      const nbt = buffer(self, 'num_batches_tracked');
      if (training && attr(self, 'track_running_stats') === true && nbt?.data) {
        // _BatchNorm.forward: num_batches_tracked += 1; momentum None → cumulative average 1 / num_batches_tracked.
        const run = torchState(ctx.interp).numeric;
        const next = Number(nbt.data.dataSync()[0]) + 1;
        nbt.data = run ? run.keep(tf.scalar(next, 'int32')) : tf.scalar(next, 'int32');
        nbt.version++;
        if (attr(self, 'momentum') === null) momentum = new PyFloat(1 / next);
      }
      return f('F.batch_norm', ctx, [
        x,
        track ? rm : null,
        track ? rv : null,
        param(self, 'weight'),
        param(self, 'bias'),
        bnTraining,
        momentum,
        attr(self, 'eps'),
      ]);
    },
  });
}

