// PyTorch's _MaxPoolNd / AvgPool{n}d / _AdaptiveAvgPoolNd constructors, extra_repr and forwards.

import type { PyClass } from '../../runtime/values';
import { attr, defineLayer, f, input1, ntuple, r } from './layer';

export function defineMaxPool(n: number): PyClass {
  const name = `MaxPool${n}d`;
  return defineLayer({
    name,
    module: 'torch.nn.modules.pooling',
    sig: '_MaxPoolNd.__init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False)',
    init: (self, a) => {
      const k = a.get('kernel_size');
      const s = a.get('stride');
      for (const [key, v] of Object.entries({
        kernel_size: k,
        stride: s !== null ? s : k,
        padding: a.get('padding'),
        dilation: a.get('dilation'),
        return_indices: a.bool('return_indices'),
        ceil_mode: a.bool('ceil_mode'),
      })) {
        self.dict.set(key, v);
      }
    },
    extraRepr: (self) =>
      `kernel_size=${r(attr(self, 'kernel_size'))}, stride=${r(attr(self, 'stride'))}, padding=${r(attr(self, 'padding'))}, dilation=${r(attr(self, 'dilation'))}, ceil_mode=${r(attr(self, 'ceil_mode'))}`,
    describe: (self) => `MaxPool${n}d ${r(attr(self, 'kernel_size'))}/${r(attr(self, 'stride'))}`,
    forward: (self, call, ctx) =>
      f(`F.max_pool${n}d`, ctx, [input1(call, ctx, name), attr(self, 'kernel_size'), attr(self, 'stride'), attr(self, 'padding'), attr(self, 'dilation')], {
        ceil_mode: attr(self, 'ceil_mode'),
        return_indices: attr(self, 'return_indices'),
      }),
  });
}

export function defineAvgPool(n: number): PyClass {
  const name = `AvgPool${n}d`;
  // AvgPool1d stores tuples (_single); AvgPool2d/3d keep the values as given.
  const norm = (v: ReturnType<typeof attr>) => (n === 1 ? ntuple(v, 1) : v);
  return defineLayer({
    name,
    module: 'torch.nn.modules.pooling',
    sig:
      n === 1
        ? 'AvgPool1d.__init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True)'
        : `${name}.__init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True, divisor_override=None)`,
    init: (self, a) => {
      const k = a.get('kernel_size');
      const s = a.get('stride');
      self.dict.set('kernel_size', norm(k));
      self.dict.set('stride', norm(s !== null ? s : k));
      self.dict.set('padding', norm(a.get('padding')));
      self.dict.set('ceil_mode', a.bool('ceil_mode'));
      self.dict.set('count_include_pad', a.bool('count_include_pad'));
      if (n > 1) self.dict.set('divisor_override', a.get('divisor_override'));
    },
    extraRepr: (self) => `kernel_size=${r(attr(self, 'kernel_size'))}, stride=${r(attr(self, 'stride'))}, padding=${r(attr(self, 'padding'))}`,
    describe: (self) => `AvgPool${n}d ${r(attr(self, 'kernel_size'))}/${r(attr(self, 'stride'))}`,
    forward: (self, call, ctx) =>
      f(`F.avg_pool${n}d`, ctx, [input1(call, ctx, name), attr(self, 'kernel_size'), attr(self, 'stride'), attr(self, 'padding'), attr(self, 'ceil_mode'), attr(self, 'count_include_pad')]),
  });
}

export function defineAdaptivePool(n: number, kind: 'avg' | 'max'): PyClass {
  const cap = kind === 'avg' ? 'Avg' : 'Max';
  const name = `Adaptive${cap}Pool${n}d`;
  return defineLayer({
    name,
    module: 'torch.nn.modules.pooling',
    sig: kind === 'avg' ? `_AdaptiveAvgPoolNd.__init__(self, output_size)` : `_AdaptiveMaxPoolNd.__init__(self, output_size, return_indices=False)`,
    init: (self, a) => {
      self.dict.set('output_size', a.get('output_size'));
      if (kind === 'max') self.dict.set('return_indices', a.bool('return_indices'));
    },
    extraRepr: (self) => `output_size=${r(attr(self, 'output_size'))}`,
    describe: (self) => `${name}(${r(attr(self, 'output_size'))})`,
    forward: (self, call, ctx) =>
      f(`F.adaptive_${kind}_pool${n}d`, ctx, [input1(call, ctx, name), attr(self, 'output_size'), ...(kind === 'max' ? [attr(self, 'return_indices')] : [])]),
  });
}

