// nn.Upsample(size=None, scale_factor=None, mode='nearest', align_corners=None): forward = F.interpolate.

import { PyFloat, PyList, PyTuple, type PyValue } from '../../runtime/values';
import { attr, defineLayer, f, input1, r } from './layer';

function toFloat(v: PyValue): PyValue {
  if (typeof v === 'number') return new PyFloat(v);
  if (v instanceof PyTuple || v instanceof PyList) return new PyTuple(v.items.map(toFloat));
  return v;
}

export const UpsampleClass = defineLayer({
  name: 'Upsample',
  module: 'torch.nn.modules.upsampling',
  sig: "Upsample.__init__(self, size=None, scale_factor=None, mode='nearest', align_corners=None, recompute_scale_factor=None)",
  init: (self, a) => {
    const sf = a.get('scale_factor');
    self.dict.set('size', a.get('size'));
    self.dict.set('scale_factor', sf === null || sf === 0 ? null : toFloat(sf));
    self.dict.set('mode', a.str('mode'));
    self.dict.set('align_corners', a.get('align_corners'));
    self.dict.set('recompute_scale_factor', a.get('recompute_scale_factor'));
  },
  extraRepr: (self) => {
    const sf = attr(self, 'scale_factor');
    return (sf !== null ? `scale_factor=${r(sf)}` : `size=${r(attr(self, 'size'))}`) + `, mode=${attr(self, 'mode')}`;
  },
  describe: (self) => `Upsample ×${r(attr(self, 'scale_factor') ?? attr(self, 'size'))}`,
  forward: (self, call, ctx) =>
    f('F.interpolate', ctx, [input1(call, ctx, 'Upsample'), attr(self, 'size'), attr(self, 'scale_factor'), attr(self, 'mode'), attr(self, 'align_corners')], {
      recompute_scale_factor: attr(self, 'recompute_scale_factor'),
    }),
});
