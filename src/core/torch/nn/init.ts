// torch.nn.init: initialisers are accepted and recorded on the tensor (the numeric mode fills values);
// fan-based ones check the tensor has at least 2 dims, as PyTorch does.

import * as tf from '@tensorflow/tfjs-core';
import { PyFloat, type PyValue } from '../../runtime/values';
import { valueError } from '../errors';
import { castTo, numberArg } from '../numericValues';
import type { NumericRun } from '../numericRun';
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
    impl: (a, env) => {
      const t = a.tensor('tensor');
      if (fan) needsFan(t);
      if (name === 'eye_' && t.ndim !== 2) throw valueError('Only tensors with 2 dimensions are supported');
      if (name === 'dirac_' && (t.ndim < 3 || t.ndim > 5)) throw valueError('Only tensors with 3, 4, or 5 dimensions are supported');
      if (name === 'orthogonal_' && t.ndim < 2) throw valueError('Only tensors with 2 or more dimensions are supported');
      checkMode(a);
      const run = env.state.numeric;
      if (run && t.data) t.data = run.keep(tf.tidy(() => castTo(initValue(name, t, a, run), t.dtype)));
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

/** fan_in and fan_out as torch.nn.init._calculate_fan_in_and_fan_out computes them. */
function fans(t: Tensor): { fanIn: number; fanOut: number } {
  const receptive = t.shape.slice(2).reduce((p, d) => p * d, 1);
  return { fanIn: (t.shape[1] ?? 1) * receptive, fanOut: t.shape[0] * receptive };
}

function gainOf(nonlinearity: string, param: PyValue): number {
  if (nonlinearity in GAINS) return GAINS[nonlinearity];
  if (nonlinearity === 'leaky_relu') {
    const slope = param === null ? 0.01 : numberArg(param);
    return Math.sqrt(2 / (1 + slope * slope));
  }
  throw valueError(`Unsupported nonlinearity ${nonlinearity}`);
}

/** The values an nn.init function writes (drawn from the run's generator). */
function initValue(name: string, t: Tensor, a: Args, run: NumericRun): tf.Tensor {
  const n = t.numel;
  const rng = run.rng;
  const f = (k: string, d: number) => (a.has(k) ? numberArg(a.get(k), d) : d);
  const uniform = (lo: number, hi: number) => tf.tensor(rng.fillUniform(n, lo, hi), t.shape);
  const normal = (mean: number, std: number) => tf.tensor(rng.fillNormal(n, mean, std), t.shape);
  switch (name) {
    case 'uniform_':
      return uniform(f('a', 0), f('b', 1));
    case 'normal_':
      return normal(f('mean', 0), f('std', 1));
    case 'trunc_normal_': {
      const mean = f('mean', 0);
      const std = f('std', 1);
      const lo = f('a', -2);
      const hi = f('b', 2);
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        let v = mean + std * rng.normal();
        for (let k = 0; k < 100 && (v < lo || v > hi); k++) v = mean + std * rng.normal();
        out[i] = Math.min(hi, Math.max(lo, v));
      }
      return tf.tensor(out, t.shape);
    }
    case 'constant_':
      return tf.fill(t.shape, numberArg(a.get('val')));
    case 'ones_':
      return tf.ones(t.shape);
    case 'zeros_':
      return tf.zeros(t.shape);
    case 'eye_':
      return tf.eye(t.shape[0], t.shape[1]);
    case 'dirac_': {
      const groups = a.int('groups');
      const out = new Float32Array(n);
      const per = Math.floor(t.shape[0] / groups);
      const minDim = Math.min(per, t.shape[1]);
      const spatial = t.shape.slice(2);
      const strides = [...t.shape.slice(1), 1].map((_, i) => t.shape.slice(i + 1).reduce((p, d) => p * d, 1));
      for (let g = 0; g < groups; g++) {
        for (let d = 0; d < minDim; d++) {
          const idx = [g * per + d, d, ...spatial.map((s) => Math.floor(s / 2))];
          out[idx.reduce((p, v, i) => p + v * strides[i], 0)] = 1;
        }
      }
      return tf.tensor(out, t.shape);
    }
    case 'xavier_uniform_':
    case 'xavier_normal_': {
      const { fanIn, fanOut } = fans(t);
      const std = f('gain', 1) * Math.sqrt(2 / (fanIn + fanOut));
      return name === 'xavier_uniform_' ? uniform(-Math.sqrt(3) * std, Math.sqrt(3) * std) : normal(0, std);
    }
    case 'kaiming_uniform_':
    case 'kaiming_normal_': {
      const { fanIn, fanOut } = fans(t);
      const fan = a.has('mode') && a.str('mode') === 'fan_out' ? fanOut : fanIn;
      const std = gainOf(a.has('nonlinearity') ? a.str('nonlinearity') : 'leaky_relu', a.get('a')) / Math.sqrt(fan);
      return name === 'kaiming_uniform_' ? uniform(-Math.sqrt(3) * std, Math.sqrt(3) * std) : normal(0, std);
    }
    case 'orthogonal_': {
      const rows = t.shape[0];
      const cols = n / rows;
      const flat = tf.tensor2d(rng.fillNormal(n), [rows, cols]);
      const m = rows < cols ? tf.transpose(flat) : flat;
      const [q, r] = tf.linalg.qr(m);
      const d = tf.sign(tf.sum(tf.mul(r, tf.eye(r.shape[0], r.shape[1])), 0));
      let qq = tf.mul(q, d);
      if (rows < cols) qq = tf.transpose(qq);
      return tf.reshape(tf.mul(qq, f('gain', 1)), t.shape);
    }
    case 'sparse_': {
      const [rows, cols] = t.shape;
      const sparsity = numberArg(a.get('sparsity'));
      const out = rng.fillNormal(n, 0, f('std', 0.01));
      const zeros = Math.ceil(sparsity * rows);
      for (let col = 0; col < cols; col++) {
        const perm = rng.permutation(rows);
        for (let k = 0; k < zeros; k++) out[perm[k] * cols + col] = 0;
      }
      return tf.tensor(out, t.shape);
    }
    default:
      return tf.clone(t.data as tf.Tensor);
  }
}
