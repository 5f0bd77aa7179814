// torch.nn.init: initialisers are accepted and recorded on the tensor (the numeric mode fills values);
// fan-based ones check the tensor has at least 2 dims, as PyTorch does.

import { PyFloat } from '../../runtime/values';
import { valueError } from '../errors';
import { registerOp } from '../registry';
import type { Args } from '../signature';
import type { Tensor } from '../tensor';

function record(t: Tensor, name: string): Tensor {
  t.init = name;
  t.version++;
  return t;
}

function needsFan(t: Tensor): void {
  if (t.ndim < 2) throw valueError('Fan in and fan out can not be computed for tensor with fewer than 2 dimensions');
}

const INITS: Array<[string, string, boolean]> = [
  ['uniform_', 'uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, generator=None)', false],
  ['normal_', 'normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, generator=None)', false],
  ['trunc_normal_', 'trunc_normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0, b: float = 2.0, generator=None)', false],
  ['constant_', 'constant_(tensor: Tensor, val)', false],
  ['ones_', 'ones_(tensor: Tensor)', false],
  ['zeros_', 'zeros_(tensor: Tensor)', false],
  ['eye_', 'eye_(tensor: Tensor)', false],
  ['dirac_', 'dirac_(tensor: Tensor, groups: int = 1)', false],
  ['xavier_uniform_', 'xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator=None)', true],
  ['xavier_normal_', 'xavier_normal_(tensor: Tensor, gain: float = 1.0, generator=None)', true],
  ['kaiming_uniform_', "kaiming_uniform_(tensor: Tensor, a=0, mode: str = 'fan_in', nonlinearity: str = 'leaky_relu', generator=None)", true],
  ['kaiming_normal_', "kaiming_normal_(tensor: Tensor, a=0, mode: str = 'fan_in', nonlinearity: str = 'leaky_relu', generator=None)", true],
  ['orthogonal_', 'orthogonal_(tensor: Tensor, gain: float = 1, generator=None)', false],
  ['sparse_', 'sparse_(tensor: Tensor, sparsity, std: float = 0.01, generator=None)', false],
];

function checkMode(a: Args): void {
  if (!a.has('mode')) return;
  const mode = a.str('mode');
  if (mode !== 'fan_in' && mode !== 'fan_out') throw valueError(`Mode ${mode} not supported, please use one of fan_in, fan_out`);
}

for (const [name, sig, fan] of INITS) {
  registerOp({
    name: `torch.nn.init.${name}`,
    sig,
    aliases: name.endsWith('_') && !['eye_', 'dirac_', 'orthogonal_', 'sparse_'].includes(name) ? [`torch.nn.init.${name.slice(0, -1)}`] : [],
    record: false,
    allocates: false,
    impl: (a) => {
      const t = a.tensor('tensor');
      if (fan) needsFan(t);
      if (name === 'eye_' && t.ndim !== 2) throw valueError('Only tensors with 2 dimensions are supported');
      if (name === 'dirac_' && (t.ndim < 3 || t.ndim > 5)) throw valueError('Only tensors with 3, 4, or 5 dimensions are supported');
      if (name === 'orthogonal_' && t.ndim < 2) throw valueError('Only tensors with 2 or more dimensions are supported');
      checkMode(a);
      return record(t, name);
    },
  });
}

const GAINS: Record<string, number> = {
  linear: 1,
  conv1d: 1,
  conv2d: 1,
  conv3d: 1,
  conv_transpose1d: 1,
  conv_transpose2d: 1,
  conv_transpose3d: 1,
  sigmoid: 1,
  tanh: 5 / 3,
  relu: Math.SQRT2,
  selu: 3 / 4,
};

registerOp({
  name: 'torch.nn.init.calculate_gain',
  sig: 'calculate_gain(nonlinearity: str, param=None)',
  record: false,
  allocates: false,
  impl: (a) => {
    const nl = a.str('nonlinearity');
    if (nl in GAINS) return new PyFloat(GAINS[nl]);
    if (nl === 'leaky_relu') {
      const p = a.get('param');
      const slope = p === null ? 0.01 : typeof p === 'number' ? p : p instanceof PyFloat ? p.v : NaN;
      if (Number.isNaN(slope)) throw valueError(`negative_slope ${String(p)} not a valid number`);
      return new PyFloat(Math.sqrt(2 / (1 + slope * slope)));
    }
    throw valueError(`Unsupported nonlinearity ${nl}`);
  },
});
