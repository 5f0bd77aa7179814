// Elementwise ops: arithmetic with broadcasting (+ - * / ** // %), comparisons, activations, unary math,
// matmul/mm/bmm, in-place variants (add_, relu_, zero_, fill_, +=) and where/masked_fill.
// MACs: arithmetic binaries count 1 per output element (a residual add included); activations and unary
// math count 0 (no multiply-accumulate); matmul counts output elements × inner dimension.

import { PyOpaque, type PyValue } from '../../runtime/values';
import { isFloatingDtype, type DType } from '../dtype';
import { runtimeError, shapeError } from '../errors';
import { registerOp, type AliasSpec, type OpEnv } from '../registry';
import { broadcastAll, broadcastShapes, normDim } from '../shapes';
import type { Args } from '../signature';
import { isTensor, numelOf, type Shape, type Tensor } from '../tensor';
import { binaryDtype, dtypeArg, floatResult, operand, type Operand } from './common';
import {
  addmmNumeric,
  binaryNumeric,
  clampNumeric,
  compareNumeric,
  copyNumeric,
  einsumNumeric,
  closeAll,
  fillNumeric,
  floorDivideNumeric,
  iscloseNumeric,
  lerpNumeric,
  logicalNumeric,
  maskedFillNumeric,
  matmulNumeric,
  maxMinNumeric,
  outerNumeric,
  randomFillNumeric,
  remainderNumeric,
  softmaxNumeric,
  unaryNumeric,
  whereNumeric,
  sameShape,
  zeroNumeric,
} from './elementwiseNumeric';

const outNumel = (_a: Args, outs: Shape[]): number => outs.reduce((s, o) => s + numelOf(o), 0);

function operands(a: Args, fname: string, x = 'input', y = 'other'): [Operand, Operand] {
  return [operand(a.get(x), fname, x, 1), operand(a.get(y), fname, y, 2)];
}

/** Binary op output: broadcast shape, promoted dtype (or a fixed one, e.g. bool for comparisons). */
function binaryOut(env: OpEnv, x: Operand, y: Operand, dtype?: DType): Tensor {
  const shape = broadcastShapes(x.shape, y.shape);
  const t = env.out(shape, dtype ?? binaryDtype(x, y));
  const dev = x.tensor?.device ?? y.tensor?.device;
  if (dev) t.device = dev;
  return t;
}

/** In-place binary op on `self`: the other operand must broadcast to self's shape. */
function inplaceBinary(env: OpEnv, self: Tensor, y: Operand): Tensor {
  const shape = broadcastShapes(self.shape, y.shape);
  if (shape.length !== self.shape.length || shape.some((d, i) => d !== self.shape[i])) {
    throw shapeError(
      `output with shape [${self.shape.join(', ')}] doesn't match the broadcast shape [${shape.join(', ')}]`,
      self.shape,
      y.shape,
    );
  }
  env.mutate(self);
  return self;
}

const dunder = (name: string, display: string, reflected = false): AliasSpec => ({ name, dunder: true, display, reflected });

interface BinarySpec {
  name: 'add' | 'sub' | 'mul' | 'div' | 'pow';
  gradFn: string;
  aliases: Array<string | AliasSpec>;
  alpha?: boolean;
  isAdd?: boolean;
  macs?: boolean;
  /** Result dtype rule override (true division always floats). */
  dtype?: (x: Operand, y: Operand) => DType;
  /** grad_fn when the left operand is a Python scalar (reflected ops). */
  reflectedGradFn?: string;
}

function binary(spec: BinarySpec): void {
  registerOp({
    name: `torch.${spec.name}`,
    sig: `${spec.name}(input, other, *, ${spec.alpha ? 'alpha=1, ' : ''}${spec.name === 'div' ? 'rounding_mode=None, ' : ''}out=None)`,
    aliases: [`Tensor.${spec.name}`, ...spec.aliases],
    gradFn: spec.gradFn,
    isAdd: spec.isAdd,
    macs: spec.macs === false ? undefined : outNumel,
    impl: (a, env) => {
      const [x, y] = operands(a, spec.name);
      if (!x.tensor && !y.tensor) throw runtimeError(`${spec.name}(): expected at least one Tensor operand`);
      if (!x.tensor && spec.reflectedGradFn) env.gradFn = spec.reflectedGradFn;
      if (spec.name === 'pow' && x.tensor && !y.tensor) env.gradFn = 'PowBackward0';
      let dtype = spec.dtype?.(x, y);
      if (spec.name === 'div' && a.get('rounding_mode') !== null) dtype = binaryDtype(x, y);
      return binaryOut(env, x, y, dtype);
    },
    numeric: binaryNumeric(spec.name, false),
  });
  registerOp({
    name: `Tensor.${spec.name}_`,
    sig: `${spec.name}_(self: Tensor, other, *, ${spec.alpha ? 'alpha=1, ' : ''}${spec.name === 'div' ? 'rounding_mode=None' : ''})`,
    aliases: [dunder(`Tensor.__i${spec.name === 'div' ? 'truediv' : spec.name}__`, `${spec.name}_`)],
    gradFn: spec.gradFn,
    isAdd: spec.isAdd,
    macs: spec.macs === false ? undefined : outNumel,
    impl: (a, env) => {
      const self = a.tensor('self');
      const y = operand(a.get('other'), `${spec.name}_`, 'other', 1);
      const dtype = spec.dtype ? spec.dtype({ tensor: self, shape: self.shape, dtype: self.dtype }, y) : binaryDtype({ tensor: self, shape: self.shape, dtype: self.dtype }, y);
      if (dtype !== self.dtype && isFloatingDtype(dtype) && !isFloatingDtype(self.dtype)) {
        throw runtimeError(`result type Float can't be cast to the desired output type ${self.dtype === 'int64' ? 'Long' : self.dtype}`);
      }
      return inplaceBinary(env, self, y);
    },
    numeric: binaryNumeric(spec.name, true),
  });
}

const trueDivDtype = (x: Operand, y: Operand): DType => floatResult(binaryDtype(x, y));

binary({
  name: 'add',
  gradFn: 'AddBackward0',
  alpha: true,
  isAdd: true,
  aliases: [dunder('Tensor.__add__', 'add'), dunder('Tensor.__radd__', 'add', true)],
});
binary({
  name: 'sub',
  gradFn: 'SubBackward0',
  alpha: true,
  reflectedGradFn: 'RsubBackward1',
  aliases: ['torch.subtract', dunder('Tensor.__sub__', 'sub'), dunder('Tensor.__rsub__', 'rsub', true)],
});
binary({
  name: 'mul',
  gradFn: 'MulBackward0',
  aliases: ['torch.multiply', dunder('Tensor.__mul__', 'mul'), dunder('Tensor.__rmul__', 'mul', true)],
});
binary({
  name: 'div',
  gradFn: 'DivBackward0',
  dtype: trueDivDtype,
  reflectedGradFn: 'MulBackward0',
  aliases: ['torch.true_divide', 'torch.divide', dunder('Tensor.__truediv__', 'div'), dunder('Tensor.__rtruediv__', 'div', true)],
});
binary({
  name: 'pow',
  gradFn: 'PowBackward1',
  macs: false,
  aliases: [dunder('Tensor.__pow__', 'pow'), dunder('Tensor.__rpow__', 'pow', true)],
});

registerOp({
  name: 'torch.floor_divide',
  sig: 'floor_divide(input, other)',
  aliases: ['Tensor.floor_divide', dunder('Tensor.__floordiv__', 'floor_divide'), dunder('Tensor.__rfloordiv__', 'floor_divide', true)],
  gradFn: null,
  impl: (a, env) => {
    const [x, y] = operands(a, 'floor_divide');
    return binaryOut(env, x, y);
  },
  numeric: floorDivideNumeric,
});

registerOp({
  name: 'torch.remainder',
  sig: 'remainder(input, other)',
  aliases: ['Tensor.remainder', 'torch.fmod', 'Tensor.fmod', dunder('Tensor.__mod__', 'remainder'), dunder('Tensor.__rmod__', 'remainder', true)],
  gradFn: 'RemainderBackward0',
  impl: (a, env) => {
    const [x, y] = operands(a, 'remainder');
    return binaryOut(env, x, y);
  },
  numeric: remainderNumeric,
});

for (const [name, dname] of [
  ['eq', '__eq__'],
  ['ne', '__ne__'],
  ['lt', '__lt__'],
  ['le', '__le__'],
  ['gt', '__gt__'],
  ['ge', '__ge__'],
] as const) {
  const long: Record<string, string> = { lt: 'less', le: 'less_equal', gt: 'greater', ge: 'greater_equal', ne: 'not_equal' };
  registerOp({
    name: `torch.${name}`,
    sig: `${name}(input, other)`,
    aliases: [`Tensor.${name}`, ...(long[name] ? [`torch.${long[name]}`] : []), dunder(`Tensor.${dname}`, name)],
    gradFn: null,
    impl: (a, env) => {
      const [x, y] = operands(a, name);
      return binaryOut(env, x, y, 'bool');
    },
    numeric: compareNumeric(name),
  });
}

for (const [name, dname, rname] of [
  ['bitwise_and', '__and__', '__rand__'],
  ['bitwise_or', '__or__', '__ror__'],
  ['bitwise_xor', '__xor__', '__rxor__'],
] as const) {
  registerOp({
    name: `torch.${name}`,
    sig: `${name}(input, other)`,
    aliases: [`Tensor.${name}`, dunder(`Tensor.${dname}`, name), dunder(`Tensor.${rname}`, name, true)],
    gradFn: null,
    impl: (a, env) => {
      const [x, y] = operands(a, name);
      const dt = binaryDtype(x, y);
      if (isFloatingDtype(dt)) throw runtimeError(`"${name}_cpu" not implemented for 'Float'`);
      return binaryOut(env, x, y, dt);
    },
    numeric: logicalNumeric(name.slice(8) as 'and' | 'or' | 'xor', true),
  });
}

for (const name of ['logical_and', 'logical_or', 'logical_xor']) {
  registerOp({
    name: `torch.${name}`,
    sig: `${name}(input: Tensor, other: Tensor)`,
    aliases: [`Tensor.${name}`],
    gradFn: null,
    impl: (a, env) => {
      const [x, y] = operands(a, name);
      return binaryOut(env, x, y, 'bool');
    },
    numeric: logicalNumeric(name.slice(8) as 'and' | 'or' | 'xor', false),
  });
}

for (const [name, grad] of [
  ['maximum', 'MaximumBackward0'],
  ['minimum', 'MinimumBackward0'],
] as const) {
  registerOp({
    name: `torch.${name}`,
    sig: `${name}(input: Tensor, other: Tensor)`,
    aliases: [`Tensor.${name}`],
    gradFn: grad,
    impl: (a, env) => {
      const [x, y] = operands(a, name);
      return binaryOut(env, x, y);
    },
    numeric: maxMinNumeric(name),
  });
}

// ------------------------------------------------------------------ unary

interface UnarySpec {
  name: string;
  gradFn: string | null;
  /** Result is floating (integral inputs become float32). */
  floats?: boolean;
  /** Result dtype forced. */
  dtype?: DType;
  extraSig?: string;
  aliases?: Array<string | AliasSpec>;
  /** Also register Tensor.<name>_ / torch.<name>_ in-place variants. */
  inplace?: boolean;
  check?: (t: Tensor, a: Args) => void;
}

function unary(spec: UnarySpec): void {
  const extra = spec.extraSig ? `, ${spec.extraSig}` : '';
  registerOp({
    name: `torch.${spec.name}`,
    sig: `${spec.name}(input: Tensor${extra})`,
    aliases: [`Tensor.${spec.name}`, ...(spec.aliases ?? [])],
    gradFn: spec.gradFn,
    impl: (a, env) => {
      const x = a.tensor('input');
      spec.check?.(x, a);
      if (a.has('inplace') && a.bool('inplace')) {
        env.mutate(x);
        return x;
      }
      const t = env.out(x.shape, spec.dtype ?? (spec.floats ? floatResult(x.dtype) : x.dtype));
      t.device = x.device;
      return t;
    },
    numeric: unaryNumeric(spec.name),
  });
  if (spec.inplace) {
    registerOp({
      name: `Tensor.${spec.name}_`,
      sig: `${spec.name}_(input: Tensor${extra})`,
      aliases: [`torch.${spec.name}_`],
      gradFn: spec.gradFn,
      impl: (a, env) => {
        const x = a.tensor('input');
        spec.check?.(x, a);
        env.mutate(x);
        return x;
      },
      numeric: unaryNumeric(spec.name),
    });
  }
}

unary({
  name: 'relu',
  gradFn: 'ReluBackward0',
  inplace: true,
  aliases: [{ name: 'F.relu', sig: 'relu(input: Tensor, inplace: bool = False)' }],
});
unary({ name: 'sigmoid', gradFn: 'SigmoidBackward0', floats: true, inplace: true, aliases: ['F.sigmoid', 'torch.special.expit'] });
unary({ name: 'tanh', gradFn: 'TanhBackward0', floats: true, inplace: true, aliases: ['F.tanh'] });
unary({ name: 'exp', gradFn: 'ExpBackward0', floats: true, inplace: true });
unary({ name: 'log', gradFn: 'LogBackward0', floats: true, inplace: true });
unary({ name: 'log2', gradFn: 'Log2Backward0', floats: true });
unary({ name: 'log10', gradFn: 'Log10Backward0', floats: true });
unary({ name: 'log1p', gradFn: 'Log1PBackward0', floats: true });
unary({ name: 'expm1', gradFn: 'Expm1Backward0', floats: true });
unary({ name: 'sqrt', gradFn: 'SqrtBackward0', floats: true, inplace: true });
unary({ name: 'rsqrt', gradFn: 'RsqrtBackward0', floats: true });
unary({ name: 'abs', gradFn: 'AbsBackward0', inplace: true, aliases: [{ name: 'Tensor.__abs__', display: 'abs' }, 'torch.absolute'] });
unary({ name: 'neg', gradFn: 'NegBackward0', inplace: true, aliases: [{ name: 'Tensor.__neg__', display: 'neg' }, 'torch.negative'] });
unary({ name: 'sin', gradFn: 'SinBackward0', floats: true });
unary({ name: 'cos', gradFn: 'CosBackward0', floats: true });
unary({ name: 'erf', gradFn: 'ErfBackward0', floats: true });
unary({ name: 'sign', gradFn: 'SignBackward0' });
unary({ name: 'floor', gradFn: 'FloorBackward0' });
unary({ name: 'ceil', gradFn: 'CeilBackward0' });
unary({ name: 'round', gradFn: 'RoundBackward0' });
unary({ name: 'trunc', gradFn: 'TruncBackward0' });
unary({ name: 'square', gradFn: 'PowBackward0' });
unary({ name: 'reciprocal', gradFn: 'ReciprocalBackward0', floats: true });
unary({ name: 'logical_not', gradFn: null, dtype: 'bool' });
unary({ name: 'isnan', gradFn: null, dtype: 'bool' });
unary({ name: 'isinf', gradFn: null, dtype: 'bool' });
unary({ name: 'isfinite', gradFn: null, dtype: 'bool' });
unary({
  name: 'bitwise_not',
  gradFn: null,
  aliases: [{ name: 'Tensor.__invert__', display: 'bitwise_not' }],
  check: (t) => {
    if (t.isFloating) throw runtimeError(`"bitwise_not_cpu" not implemented for 'Float'`);
  },
});

registerOp({
  name: 'Tensor.__pos__',
  sig: '__pos__(self: Tensor)',
  record: false,
  impl: (a) => a.tensor('self'),
});

function clampCheck(a: Args): void {
  if (a.get('min') === null && a.get('max') === null) throw runtimeError("torch.clamp: At least one of 'min' or 'max' must not be None");
}

registerOp({
  name: 'torch.clamp',
  sig: 'clamp(input: Tensor, min=None, max=None, *, out=None)',
  aliases: ['Tensor.clamp', 'torch.clip', 'Tensor.clip'],
  gradFn: 'ClampBackward1',
  impl: (a, env) => {
    const x = a.tensor('input');
    clampCheck(a);
    const bounds = [a.get('min'), a.get('max')].filter(isTensor);
    if (bounds.length) env.gradFn = 'ClampBackward0';
    return env.out(broadcastAll([x.shape, ...bounds.map((b) => b.shape)]), x.dtype);
  },
  numeric: clampNumeric,
});

registerOp({
  name: 'Tensor.clamp_',
  sig: 'clamp_(input: Tensor, min=None, max=None)',
  aliases: ['torch.clamp_', 'Tensor.clip_'],
  gradFn: 'ClampBackward1',
  impl: (a, env) => {
    const x = a.tensor('input');
    clampCheck(a);
    env.mutate(x);
    return x;
  },
  numeric: clampNumeric,
});

/** Implicit softmax dim (F.softmax with dim=None): 0 for 0-, 1- and 3-dim inputs, else 1. */
export function implicitSoftmaxDim(ndim: number): number {
  return ndim === 0 || ndim === 1 || ndim === 3 ? 0 : 1;
}

for (const [name, grad] of [
  ['softmax', 'SoftmaxBackward0'],
  ['log_softmax', 'LogSoftmaxBackward0'],
] as const) {
  registerOp({
    name: `torch.${name}`,
    sig: `${name}(input: Tensor, dim: int, dtype=None)`,
    aliases: [
      { name: `Tensor.${name}`, sig: `${name}(input: Tensor, dim: int, dtype=None)` },
      { name: `F.${name}`, sig: `${name}(input: Tensor, dim=None, _stacklevel: int = 3, dtype=None)` },
      ...(name === 'softmax' ? ['torch.special.softmax'] : []),
    ],
    gradFn: grad,
    impl: (a, env) => {
      const x = a.tensor('input');
      const d = a.get('dim');
      normDim(d === null ? implicitSoftmaxDim(x.ndim) : a.int('dim'), x.ndim);
      return env.out(x.shape, dtypeArg(a.get('dtype'), floatResult(x.dtype)));
    },
    numeric: softmaxNumeric(name === 'log_softmax'),
  });
}

registerOp({
  name: 'torch.where',
  sig: 'where(condition: Tensor, input=None, other=None)',
  aliases: [{ name: 'Tensor.where', sig: 'where(input: Tensor, condition: Tensor, other)' }],
  gradFn: 'WhereBackward0',
  impl: (a, env) => {
    const cond = a.tensor('condition');
    const x = operand(a.get('input'), 'where', 'input', 2);
    const y = operand(a.get('other'), 'where', 'other', 3);
    return env.out(broadcastAll([cond.shape, x.shape, y.shape]), binaryDtype(x, y));
  },
  numeric: whereNumeric,
});

registerOp({
  name: 'torch.masked_fill',
  sig: 'masked_fill(input: Tensor, mask: Tensor, value)',
  aliases: ['Tensor.masked_fill'],
  gradFn: 'MaskedFillBackward0',
  impl: (a, env) => {
    const x = a.tensor('input');
    const m = a.tensor('mask');
    if (m.dtype !== 'bool') throw runtimeError(`masked_fill_ only supports boolean masks, but got mask with dtype ${m.dtype === 'uint8' ? 'unsigned char' : m.dtype}`);
    const shape = broadcastShapes(x.shape, m.shape);
    return env.out(shape, x.dtype);
  },
  numeric: maskedFillNumeric,
});

registerOp({
  name: 'Tensor.masked_fill_',
  sig: 'masked_fill_(input: Tensor, mask: Tensor, value)',
  gradFn: 'MaskedFillBackward0',
  impl: (a, env) => {
    const x = a.tensor('input');
    const m = a.tensor('mask');
    inplaceBinary(env, x, { tensor: m, shape: m.shape, dtype: m.dtype });
    return x;
  },
  numeric: maskedFillNumeric,
});

// ------------------------------------------------------------------ in-place fills

registerOp({
  name: 'Tensor.zero_',
  sig: 'zero_(self: Tensor)',
  gradFn: 'ZeroBackward0',
  impl: (a, env) => {
    const x = a.tensor('self');
    env.mutate(x);
    return x;
  },
  numeric: zeroNumeric,
});

registerOp({
  name: 'Tensor.fill_',
  sig: 'fill_(self: Tensor, value)',
  gradFn: 'FillBackward2',
  impl: (a, env) => {
    const x = a.tensor('self');
    const v = a.get('value');
    if (isTensor(v) && v.ndim !== 0) {
      throw runtimeError(`fill_ only supports 0-dimension value tensor but got tensor with ${v.ndim} dimensions.`);
    }
    env.mutate(x);
    return x;
  },
  numeric: fillNumeric,
});

registerOp({
  name: 'Tensor.copy_',
  sig: 'copy_(self: Tensor, src: Tensor, non_blocking: bool = False)',
  gradFn: 'CopyBackwards',
  impl: (a, env) => {
    const x = a.tensor('self');
    const src = a.tensor('src');
    inplaceBinary(env, x, { tensor: src, shape: src.shape, dtype: src.dtype });
    return x;
  },
  numeric: copyNumeric,
});

for (const name of ['normal_', 'uniform_', 'random_', 'bernoulli_', 'exponential_']) {
  registerOp({
    name: `Tensor.${name}`,
    sig: `${name}(self: Tensor, *args, generator=None, **kwargs)`,
    gradFn: null,
    impl: (a, env) => {
      const x = a.tensor('self');
      env.mutate(x);
      return x;
    },
    numeric: randomFillNumeric(name),
  });
}

// ------------------------------------------------------------------ matmul family

const fmt2 = (s: Shape) => `${s[0]}x${s[1]}`;

/** torch.matmul's shape rule with PyTorch's errors for each rank combination. */
export function matmulShape(a: Shape, b: Shape): { shape: Shape; inner: number; gradFn: string } {
  if (a.length === 0 || b.length === 0) {
    throw runtimeError(`both arguments to matmul need to be at least 1D, but they are ${a.length}D and ${b.length}D`);
  }
  if (a.length === 1 && b.length === 1) {
    if (a[0] !== b[0]) {
      throw shapeError(
        `inconsistent tensor size, expected tensor [${a[0]}] and src [${b[0]}] to have the same number of elements, but got ${a[0]} and ${b[0]} elements respectively`,
        a,
        b,
      );
    }
    return { shape: [], inner: a[0], gradFn: 'DotBackward0' };
  }
  if (a.length === 2 && b.length === 1) {
    if (a[1] !== b[0]) throw shapeError(`size mismatch, got input (${a[0]}), mat (${fmt2(a)}), vec (${b[0]})`, a, b);
    return { shape: [a[0]], inner: a[1], gradFn: 'MvBackward0' };
  }
  if (a.length === 1 && b.length === 2) {
    if (a[0] !== b[0]) throw shapeError(`mat1 and mat2 shapes cannot be multiplied (1x${a[0]} and ${fmt2(b)})`, a, b);
    return { shape: [b[1]], inner: a[0], gradFn: 'SqueezeBackward3' };
  }
  if (a.length === 2 && b.length === 2) {
    if (a[1] !== b[0]) throw shapeError(`mat1 and mat2 shapes cannot be multiplied (${fmt2(a)} and ${fmt2(b)})`, a, b);
    return { shape: [a[0], b[1]], inner: a[1], gradFn: 'MmBackward0' };
  }
  if (a.length >= 3 && (b.length === 1 || b.length === 2)) {
    // Folds the batch dimensions of `a` into rows.
    const rows = a.slice(0, -1).reduce((p, d) => p * d, 1);
    const k = a[a.length - 1];
    if (b.length === 1) {
      if (k !== b[0]) throw shapeError(`size mismatch, got input (${rows}), mat (${rows}x${k}), vec (${b[0]})`, a, b);
      return { shape: a.slice(0, -1), inner: k, gradFn: 'ViewBackward0' };
    }
    if (k !== b[0]) throw shapeError(`mat1 and mat2 shapes cannot be multiplied (${rows}x${k} and ${fmt2(b)})`, a, b);
    return { shape: [...a.slice(0, -1), b[1]], inner: k, gradFn: 'UnsafeViewBackward0' };
  }
  // Batched: broadcast batch dims, then bmm.
  const a2 = a.length === 1 ? [1, a[0]] : a;
  const b2 = b.length === 1 ? [b[0], 1] : b;
  const n = a2[a2.length - 2];
  const k = a2[a2.length - 1];
  const k2 = b2[b2.length - 2];
  const m = b2[b2.length - 1];
  const batch = broadcastShapes(a2.slice(0, -2), b2.slice(0, -2));
  const bsz = batch.reduce((p, d) => p * d, 1);
  if (k !== k2) {
    throw shapeError(`Expected size for first two dimensions of batch2 tensor to be: [${bsz}, ${k}] but got: [${bsz}, ${k2}].`, a, b);
  }
  const shape = [...batch, ...(a.length === 1 ? [] : [n]), ...(b.length === 1 ? [] : [m])];
  return { shape, inner: k, gradFn: 'UnsafeViewBackward0' };
}

const matmulMacs = (a: Args, outs: Shape[]): number => {
  const x = a.get('input') ?? a.get('self');
  const k = isTensor(x) ? x.shape[x.shape.length - 1] : 0;
  return numelOf(outs[0] ?? []) * k;
};

registerOp({
  name: 'torch.matmul',
  sig: 'matmul(input: Tensor, other: Tensor, *, out=None)',
  aliases: ['Tensor.matmul', dunder('Tensor.__matmul__', 'matmul'), dunder('Tensor.__rmatmul__', 'matmul', true)],
  gradFn: 'MmBackward0',
  macs: matmulMacs,
  impl: (a, env) => {
    const x = a.tensor('input');
    const y = a.tensor('other');
    const r = matmulShape(x.shape, y.shape);
    env.gradFn = r.gradFn;
    return env.out(r.shape, binaryDtype({ tensor: x, shape: x.shape, dtype: x.dtype }, { tensor: y, shape: y.shape, dtype: y.dtype }));
  },
  numeric: matmulNumeric('input', 'other'),
});

registerOp({
  name: 'torch.mm',
  sig: 'mm(input: Tensor, mat2: Tensor, *, out=None)',
  aliases: ['Tensor.mm'],
  gradFn: 'MmBackward0',
  macs: matmulMacs,
  impl: (a, env) => {
    const x = a.tensor('input');
    const y = a.tensor('mat2');
    if (x.ndim !== 2) throw runtimeError('self must be a matrix');
    if (y.ndim !== 2) throw runtimeError('mat2 must be a matrix');
    if (x.shape[1] !== y.shape[0]) throw shapeError(`mat1 and mat2 shapes cannot be multiplied (${fmt2(x.shape)} and ${fmt2(y.shape)})`, x.shape, y.shape);
    return env.out([x.shape[0], y.shape[1]], x.dtype);
  },
  numeric: matmulNumeric('input', 'mat2'),
});

registerOp({
  name: 'torch.bmm',
  sig: 'bmm(input: Tensor, mat2: Tensor, *, out=None)',
  aliases: ['Tensor.bmm'],
  gradFn: 'BmmBackward0',
  macs: matmulMacs,
  impl: (a, env) => {
    const x = a.tensor('input');
    const y = a.tensor('mat2');
    if (x.ndim !== 3) throw runtimeError('batch1 must be a 3D tensor');
    if (y.ndim !== 3) throw runtimeError('batch2 must be a 3D tensor');
    if (y.shape[0] !== x.shape[0] || y.shape[1] !== x.shape[2]) {
      throw shapeError(
        `Expected size for first two dimensions of batch2 tensor to be: [${x.shape[0]}, ${x.shape[2]}] but got: [${y.shape[0]}, ${y.shape[1]}].`,
        x.shape,
        y.shape,
      );
    }
    return env.out([x.shape[0], x.shape[1], y.shape[2]], x.dtype);
  },
  numeric: matmulNumeric('input', 'mat2'),
});

registerOp({
  name: 'torch.einsum',
  sig: 'einsum(equation: str, *operands)',
  gradFn: 'ViewBackward0',
  impl: (a, env) => {
    const eq = a.str('equation').replace(/\s+/g, '');
    let ops = a.varargs;
    if (ops.length === 1 && !isTensor(ops[0])) ops = (ops[0] as unknown as { items: PyValue[] }).items ?? ops;
    const ts = ops.filter(isTensor);
    const [lhs, rhsGiven] = eq.split('->');
    const terms = lhs.split(',');
    if (terms.length !== ts.length) throw runtimeError(`einsum(): more operands were provided than specified in the equation`);
    const sizes = new Map<string, number>();
    terms.forEach((term, i) => {
      const letters = [...term];
      if (letters.length !== ts[i].ndim) {
        throw runtimeError(`einsum(): the number of subscripts in the equation (${letters.length}) does not match the number of dimensions (${ts[i].ndim}) for operand ${i} and no ellipsis was given`);
      }
      letters.forEach((c, k) => {
        const d = ts[i].shape[k];
        const prev = sizes.get(c);
        if (prev !== undefined && prev !== d && prev !== 1 && d !== 1) {
          throw shapeError(`einsum(): operands do not broadcast with remapped shapes (original->remapped): [${ts.map((t) => t.shape.join(', ')).join('] and [')}]`, ...ts.map((t) => t.shape));
        }
        sizes.set(c, Math.max(prev ?? 1, d));
      });
    });
    const rhs = rhsGiven ?? [...new Set(terms.join(''))].filter((c) => terms.join('').split(c).length === 2).sort().join('');
    return env.out([...rhs].map((c) => sizes.get(c) ?? 1), ts[0]?.dtype ?? 'float32');
  },
  numeric: einsumNumeric,
});


registerOp({
  name: 'torch.outer',
  sig: 'outer(input: Tensor, vec2: Tensor)',
  aliases: ['Tensor.outer', 'torch.ger'],
  gradFn: 'MulBackward0',
  macs: outNumel,
  impl: (a, env) => {
    const x = a.tensor('input');
    const y = a.tensor('vec2');
    if (x.ndim !== 1 || y.ndim !== 1) throw runtimeError(`outer: Expected 1-D argument self, but got ${x.ndim}-D`);
    return env.out([x.shape[0], y.shape[0]], x.dtype);
  },
  numeric: outerNumeric,
});

registerOp({
  name: 'torch.addmm',
  sig: 'addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta=1, alpha=1, out=None)',
  aliases: ['Tensor.addmm'],
  gradFn: 'AddmmBackward0',
  macs: (a, outs) => numelOf(outs[0] ?? []) * a.tensor('mat1').shape[1],
  impl: (a, env) => {
    const m1 = a.tensor('mat1');
    const m2 = a.tensor('mat2');
    if (m1.ndim !== 2) throw runtimeError('mat1 must be a matrix, got ' + m1.ndim + '-D tensor');
    if (m2.ndim !== 2) throw runtimeError('mat2 must be a matrix, got ' + m2.ndim + '-D tensor');
    if (m1.shape[1] !== m2.shape[0]) throw shapeError(`mat1 and mat2 shapes cannot be multiplied (${fmt2(m1.shape)} and ${fmt2(m2.shape)})`, m1.shape, m2.shape);
    const shape = [m1.shape[0], m2.shape[1]];
    broadcastShapes(a.tensor('input').shape, shape);
    return env.out(shape, m1.dtype);
  },
  numeric: addmmNumeric('mat1', 'mat2'),
});

registerOp({
  name: 'torch.baddbmm',
  sig: 'baddbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta=1, alpha=1, out=None)',
  aliases: ['Tensor.baddbmm'],
  gradFn: 'BaddbmmBackward0',
  macs: (a, outs) => numelOf(outs[0] ?? []) * a.tensor('batch1').shape[2],
  impl: (a, env) => {
    const b1 = a.tensor('batch1');
    const b2 = a.tensor('batch2');
    if (b1.ndim !== 3 || b2.ndim !== 3) throw runtimeError('batch1 must be a 3D tensor');
    if (b2.shape[0] !== b1.shape[0] || b2.shape[1] !== b1.shape[2]) {
      throw shapeError(`Expected size for first two dimensions of batch2 tensor to be: [${b1.shape[0]}, ${b1.shape[2]}] but got: [${b2.shape[0]}, ${b2.shape[1]}].`, b1.shape, b2.shape);
    }
    const shape = [b1.shape[0], b1.shape[1], b2.shape[2]];
    broadcastShapes(a.tensor('input').shape, shape);
    return env.out(shape, b1.dtype);
  },
  numeric: addmmNumeric('batch1', 'batch2'),
});

registerOp({
  name: 'torch.lerp',
  sig: 'lerp(input: Tensor, end: Tensor, weight)',
  aliases: ['Tensor.lerp'],
  gradFn: 'LerpBackward0',
  impl: (a, env) => {
    const x = a.tensor('input');
    const w = a.get('weight');
    return env.out(broadcastAll([x.shape, a.tensor('end').shape, isTensor(w) ? w.shape : []]), x.dtype);
  },
  numeric: lerpNumeric,
});

// ------------------------------------------------------------------ value comparisons (numeric mode)

/** torch.equal / torch.allclose: Python bools, known only when the tensors carry values. */
for (const name of ['equal', 'allclose'] as const) {
  registerOp({
    name: `torch.${name}`,
    sig: name === 'equal' ? 'equal(input: Tensor, other: Tensor)' : 'allclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False)',
    aliases: [`Tensor.${name}`],
    record: false,
    allocates: false,
    impl: (a) => {
      const x = a.tensor('input');
      const y = a.tensor('other');
      if (!x.data || !y.data) return new PyOpaque(`torch.${name}() (known after a numeric trace)`);
      if (name === 'equal') return sameShape(x.shape, y.shape) && closeAll(x, y, 0, 0, false);
      broadcastShapes(x.shape, y.shape);
      return closeAll(x, y, a.float('rtol'), a.float('atol'), a.bool('equal_nan'));
    },
  });
}

registerOp({
  name: 'torch.isclose',
  sig: 'isclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False)',
  aliases: ['Tensor.isclose'],
  gradFn: null,
  impl: (a, env) => env.out(broadcastShapes(a.tensor('input').shape, a.tensor('other').shape), 'bool'),
  numeric: iscloseNumeric,
});
