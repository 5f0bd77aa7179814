// PyTorch's _ConvNd / _ConvTransposeNd: constructor checks, weight shapes, extra_repr and forward, shared by
// Conv1d/Conv2d/Conv3d and ConvTranspose1d/2d.

import { PyTuple, type CallContext, type PyInstance, type PyValue } from '../../runtime/values';
import { typeError, valueError } from '../errors';
import type { Args } from '../signature';
import type { Tensor } from '../tensor';
import { addParam, attr, defineLayer, f, input1, ntuple, param, r, setAttrs } from './layer';
import type { PyClass } from '../../runtime/values';

const PADDING_MODES = ['zeros', 'reflect', 'replicate', 'circular'];

function ints(v: PyValue): number[] {
  return v instanceof PyTuple ? v.items.map((x) => Number(x)) : [Number(v)];
}

function initConv(self: PyInstance, a: Args, ctx: CallContext, n: number, transposed: boolean): void {
  const inC = a.int('in_channels');
  const outC = a.int('out_channels');
  const groups = a.int('groups');
  const kernel = ntuple(a.get('kernel_size'), n);
  const stride = ntuple(a.get('stride'), n);
  const dilation = ntuple(a.get('dilation'), n);
  const padV = a.get('padding');
  const paddingMode = a.str('padding_mode');
  for (const v of [...kernel.items, ...stride.items, ...dilation.items]) {
    if (typeof v !== 'number') throw typeError(`empty(): argument 'size' must be tuple of ints, but found element of type ${v === null ? 'NoneType' : typeof v} at pos 2`);
  }
  if (groups <= 0) throw valueError('groups must be a positive integer');
  if (inC % groups !== 0) throw valueError('in_channels must be divisible by groups');
  if (outC % groups !== 0) throw valueError('out_channels must be divisible by groups');
  let padding: PyValue;
  if (typeof padV === 'string') {
    if (padV !== 'same' && padV !== 'valid') throw valueError(`Invalid padding string '${padV}', should be one of {'valid', 'same'}`);
    if (padV === 'same' && stride.items.some((s) => s !== 1)) throw valueError("padding='same' is not supported for strided convolutions");
    padding = padV;
  } else padding = ntuple(padV, n);
  if (!PADDING_MODES.includes(paddingMode)) {
    throw valueError(`padding_mode must be one of ['zeros', 'reflect', 'replicate', 'circular'], but got padding_mode='${paddingMode}'`);
  }
  if (transposed && paddingMode !== 'zeros') throw valueError(`Only "zeros" padding mode is supported for ConvTranspose${n}d`);
  const outputPadding = transposed ? ntuple(a.get('output_padding'), n) : new PyTuple(new Array(n).fill(0));
  setAttrs(self, {
    in_channels: inC,
    out_channels: outC,
    kernel_size: kernel,
    stride,
    padding,
    dilation,
    transposed,
    output_padding: outputPadding,
    groups,
    padding_mode: paddingMode,
  });
  const k = ints(kernel);
  const wShape = transposed ? [inC, outC / groups, ...k] : [outC, inC / groups, ...k];
  // reset_parameters(): kaiming_uniform_(a=√5) and uniform(±1/√fan_in), fan_in = weight.size(1) · kernel elements.
  const fanIn = wShape[1] * k.reduce((p, d) => p * d, 1);
  addParam(self, 'weight', wShape, ctx, { kind: 'fanIn', fanIn });
  addParam(self, 'bias', a.bool('bias') ? [outC] : null, ctx, { kind: 'fanIn', fanIn });
}

function convExtraRepr(self: PyInstance): string {
  const pad = attr(self, 'padding');
  const dil = attr(self, 'dilation');
  const op = attr(self, 'output_padding');
  let s = `${attr(self, 'in_channels')}, ${attr(self, 'out_channels')}, kernel_size=${r(attr(self, 'kernel_size'))}, stride=${r(attr(self, 'stride'))}`;
  if (typeof pad === 'string' || ints(pad).some((x) => x !== 0)) s += `, padding=${typeof pad === 'string' ? pad : r(pad)}`;
  if (ints(dil).some((x) => x !== 1)) s += `, dilation=${r(dil)}`;
  if (op instanceof PyTuple && ints(op).some((x) => x !== 0)) s += `, output_padding=${r(op)}`;
  if (attr(self, 'groups') !== 1) s += `, groups=${attr(self, 'groups')}`;
  if (param(self, 'bias') === null) s += ', bias=False';
  if (attr(self, 'padding_mode') !== 'zeros') s += `, padding_mode=${attr(self, 'padding_mode')}`;
  return s;
}

function dimsText(v: PyValue): string {
  const xs = ints(v);
  return xs.every((x) => x === xs[0]) ? String(xs[0]) : xs.join('×');
}

function convDescribe(self: PyInstance): string {
  const ks = ints(attr(self, 'kernel_size'));
  const k = ks.length === 1 ? `k=${ks[0]}` : ks.join('×');
  const s = dimsText(attr(self, 'stride'));
  return `${self.cls.name} ${k}${s !== '1' ? ` stride ${s}` : ''}, ${attr(self, 'in_channels')}→${attr(self, 'out_channels')}`;
}

/** Declares Conv{n}d. */
export function defineConv(n: number): PyClass {
  const name = `Conv${n}d`;
  return defineLayer({
    name,
    module: 'torch.nn.modules.conv',
    sig: `${name}.__init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=True, padding_mode='zeros', device=None, dtype=None)`,
    init: (self, a, ctx) => initConv(self, a, ctx, n, false),
    extraRepr: convExtraRepr,
    describe: convDescribe,
    forward: (self, call, ctx) => {
      let x = input1(call, ctx, name);
      const w = param(self, 'weight');
      const b = param(self, 'bias');
      let padding = attr(self, 'padding');
      const mode = attr(self, 'padding_mode') as string;
      if (mode !== 'zeros') {
        // _reversed_padding_repeated_twice, then an unpadded convolution.
        const k = ints(attr(self, 'kernel_size'));
        const d = ints(attr(self, 'dilation'));
        const pairs: number[] = [];
        for (let i = n - 1; i >= 0; i--) {
          if (padding === 'same') {
            const total = d[i] * (k[i] - 1);
            const left = Math.floor(total / 2);
            pairs.push(left, total - left);
          } else if (padding === 'valid') pairs.push(0, 0);
          else pairs.push(ints(padding)[i], ints(padding)[i]);
        }
        x = f('F.pad', ctx, [x, new PyTuple(pairs)], { mode });
        padding = new PyTuple(new Array(n).fill(0));
      }
      return f(`F.conv${n}d`, ctx, [x, w as Tensor, b, attr(self, 'stride'), padding, attr(self, 'dilation'), attr(self, 'groups')]);
    },
  });
}

/** Declares ConvTranspose{n}d. */
export function defineConvTranspose(n: number): PyClass {
  const name = `ConvTranspose${n}d`;
  return defineLayer({
    name,
    module: 'torch.nn.modules.conv',
    sig: `${name}.__init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1, bias=True, dilation=1, padding_mode='zeros', device=None, dtype=None)`,
    init: (self, a, ctx) => initConv(self, a, ctx, n, true),
    extraRepr: convExtraRepr,
    describe: convDescribe,
    forward: (self, call, ctx) => {
      const x = call.args[0] ?? call.kwargs.get('input');
      if (x === undefined) return ctx.interp.raise('TypeError', `${name}.forward() missing 1 required positional argument: 'input'`);
      const outputSize = call.args[1] ?? call.kwargs.get('output_size') ?? null;
      let outputPadding: PyValue = attr(self, 'output_padding');
      if (outputSize !== null) {
        // _output_padding: choose the padding that reaches the requested size.
        const sizes = ctx.interp.iterate(outputSize).map(Number).slice(-n);
        const xs = (x as Tensor).shape.slice(-n);
        const k = ints(attr(self, 'kernel_size'));
        const s = ints(attr(self, 'stride'));
        const p = ints(attr(self, 'padding'));
        const d = ints(attr(self, 'dilation'));
        outputPadding = new PyTuple(xs.map((xi, i) => sizes[i] - ((xi - 1) * s[i] - 2 * p[i] + d[i] * (k[i] - 1) + 1)));
      }
      return f(`F.conv_transpose${n}d`, ctx, [
        x,
        param(self, 'weight') as Tensor,
        param(self, 'bias'),
        attr(self, 'stride'),
        attr(self, 'padding'),
        outputPadding,
        attr(self, 'groups'),
        attr(self, 'dilation'),
      ]);
    },
  });
}
