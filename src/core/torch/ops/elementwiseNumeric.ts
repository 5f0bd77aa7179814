// Numeric forwards and gradients (tfjs) of the elementwise family: arithmetic, comparisons, unary math,
// activations, clamp/softmax/where/masked_fill, in-place fills and the matmul family. Referenced from the
// registry entries in elementwise.ts.

import * as tf from '@tensorflow/tfjs-core';
import { getRecorder } from '../../trace/recorder';
import { isFloatingDtype, type DType } from '../dtype';
import type { NumericCall } from '../numericCall';
import { castTo, numberArg, operandValue, pyNumber, tfDtype, unbroadcast, val } from '../numericValues';
import type { NumericForward } from '../registry';
import { isTensor, type Tensor } from '../tensor';

const F32 = 'float32';
const shapeOf = (c: NumericCall, name: string): number[] => (c.has(name) ? c.t(name).shape : []);

/** Compute dtype of a binary op: floating when the result is, else the integer/bool result dtype. */
function computeDtype(c: NumericCall, trueDiv: boolean): DType {
  const d = c.out().dtype;
  if (trueDiv) return 'float32';
  return d;
}

// ------------------------------------------------------------------ arithmetic

export function binaryNumeric(op: 'add' | 'sub' | 'mul' | 'div' | 'pow', inplace: boolean): NumericForward {
  return (c) => {
    const xn = inplace ? 'self' : 'input';
    const alpha = numberArg(c.a.get('alpha'), 1);
    const rounding = op === 'div' ? c.a.get('rounding_mode') : null;
    let cd = computeDtype(c, op === 'div' && rounding === null);
    if (inplace) {
      // self op= other computes in the promoted dtype, then casts back to self's dtype.
      const sx = c.t('self').dtype;
      const oy = isTensor(c.a.get('other')) ? (c.a.get('other') as Tensor).dtype : null;
      cd = isFloatingDtype(sx) || (oy && isFloatingDtype(oy)) || op === 'div' ? 'float32' : sx;
    }
    const x = c.operand(xn, cd);
    const y = c.operand('other', cd);
    const xs = shapeOf(c, xn);
    const ys = shapeOf(c, 'other');
    if (op === 'add' || op === 'sub') {
      // No-skips comparison: a skip connection's addition keeps only its main path.
      if (op === 'add' && c.run.noSkips && c.has(xn) && c.has('other')) {
        const rec = getRecorder(c.env.interp);
        const main = rec?.skipMainOperand(c.t(xn), c.t('other'));
        if (main !== undefined && main !== null) {
          const keep = main === 0 ? xn : 'other';
          c.backward((gy) => ({ [keep]: unbroadcast(gy[0], shapeOf(c, keep)) }));
          return tf.broadcastTo(main === 0 ? x : y, c.out().shape);
        }
      }
      const sign = op === 'add' ? alpha : -alpha;
      c.backward((gy) => ({
        [xn]: unbroadcast(gy[0], xs),
        other: unbroadcast(sign === 1 ? gy[0] : tf.mul(gy[0], sign), ys),
      }));
      const yy = alpha === 1 ? y : tf.mul(y, tf.scalar(alpha, tfDtype(cd)));
      return op === 'add' ? tf.add(x, yy) : tf.sub(x, yy);
    }
    if (op === 'mul') {
      if (c.needs(xn) && c.has('other')) c.save('other');
      if (c.needs('other') && c.has(xn)) c.save(xn);
      // A Python scalar operand is saved too (PyTorch wraps it as a 0-d tensor): the node holds values.
      if (c.grad && (!c.has('other') || !c.has(xn))) c.holdsValues = true;
      c.backward((gy) => ({
        [xn]: c.needs(xn) ? unbroadcast(tf.mul(gy[0], castTo(y, F32)), xs) : null,
        other: c.needs('other') ? unbroadcast(tf.mul(gy[0], castTo(x, F32)), ys) : null,
      }));
      return tf.mul(x, y);
    }
    if (op === 'div') {
      if (rounding === 'trunc' || rounding === 'floor') {
        const q = tf.div(castTo(x, F32), castTo(y, F32));
        const r = rounding === 'floor' ? tf.floor(q) : tf.mul(tf.sign(q), tf.floor(tf.abs(q)));
        c.backward(() => ({ [xn]: tf.zerosLike(castTo(x, F32)), other: tf.zerosLike(castTo(y, F32)) }));
        return castTo(r, c.out().dtype);
      }
      if (c.has('other')) c.save('other');
      else if (c.grad) c.holdsValues = true;
      if (c.needs('other') && c.has(xn)) c.save(xn);
      c.backward((gy) => {
        const xf = castTo(x, F32);
        const yf = castTo(y, F32);
        return {
          [xn]: c.needs(xn) ? unbroadcast(tf.div(gy[0], yf), xs) : null,
          other: c.needs('other') ? unbroadcast(tf.neg(tf.div(tf.mul(gy[0], xf), tf.square(yf))), ys) : null,
        };
      });
      return tf.div(castTo(x, F32), castTo(y, F32));
    }
    // pow
    const out = isFloatingDtype(cd) ? tf.pow(castTo(x, F32), castTo(y, F32)) : intPow(x, y);
    if (c.has(xn)) c.save(xn);
    if (c.has('other')) c.save('other');
    if (c.needs('other')) c.saveOutput(0);
    c.backward((gy) => {
      const xf = castTo(x, F32);
      const yf = castTo(y, F32);
      const res = castTo(out, F32);
      const gx = c.needs(xn)
        ? unbroadcast(tf.where(tf.equal(yf, 0), tf.zerosLike(tf.mul(gy[0], xf)), tf.mul(gy[0], tf.mul(yf, tf.pow(xf, tf.sub(yf, 1))))), xs)
        : null;
      const gyv = c.needs('other')
        ? unbroadcast(
            tf.where(tf.logicalAnd(tf.equal(xf, 0), tf.greaterEqual(yf, 0)), tf.zerosLike(tf.mul(gy[0], res)), tf.mul(gy[0], tf.mul(res, tf.log(xf)))),
            ys,
          )
        : null;
      return { [xn]: gx, other: gyv };
    });
    return out;
  };
}

function intPow(x: tf.Tensor, y: tf.Tensor): tf.Tensor {
  return tf.cast(tf.round(tf.pow(tf.cast(x, F32), tf.cast(y, F32))), 'int32');
}

export const floorDivideNumeric: NumericForward = (c) => {
  const d = c.out().dtype;
  const x = c.operand('input', F32);
  const y = c.operand('other', F32);
  return castTo(tf.floor(tf.div(x, y)), d);
};

export const remainderNumeric: NumericForward = (c) => {
  const d = c.out().dtype;
  const trunc = c.env.alias.endsWith('fmod');
  const x = c.operand('input', F32);
  const y = c.operand('other', F32);
  const q = tf.div(x, y);
  const k = trunc ? tf.mul(tf.sign(q), tf.floor(tf.abs(q))) : tf.floor(q);
  c.backward((gy) => ({
    input: unbroadcast(gy[0], shapeOf(c, 'input')),
    other: unbroadcast(tf.neg(tf.mul(gy[0], k)), shapeOf(c, 'other')),
  }));
  return castTo(tf.sub(x, tf.mul(k, y)), d);
};

/** Dtype two operands are compared in: float32 when either is floating, else int32. */
function commonDtype(c: NumericCall, a: string, b: string): DType {
  const dt = (n: string): DType | 'scalar-float' | 'scalar-int' => {
    if (c.has(n)) return c.t(n).dtype;
    const v = c.a.get(n);
    return typeof v === 'number' || typeof v === 'boolean' ? 'scalar-int' : 'scalar-float';
  };
  const ds = [dt(a), dt(b)];
  return ds.some((d) => d === 'scalar-float' || (d !== 'scalar-int' && isFloatingDtype(d as DType))) ? 'float32' : 'int32';
}

export function compareNumeric(op: 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge'): NumericForward {
  return (c) => {
    const d = commonDtype(c, 'input', 'other');
    const x = c.operand('input', d);
    const y = c.operand('other', d);
    switch (op) {
      case 'eq':
        return tf.equal(x, y);
      case 'ne':
        return tf.notEqual(x, y);
      case 'lt':
        return tf.less(x, y);
      case 'le':
        return tf.lessEqual(x, y);
      case 'gt':
        return tf.greater(x, y);
      default:
        return tf.greaterEqual(x, y);
    }
  };
}

/** bitwise/logical and/or/xor on bool (logical) or integer values (bitwise, on the JS side). */
export function logicalNumeric(op: 'and' | 'or' | 'xor', bitwise: boolean): NumericForward {
  return (c) => {
    const out = c.out();
    if (!bitwise || out.dtype === 'bool') {
      const x = c.operand('input', 'bool');
      const y = c.operand('other', 'bool');
      return op === 'and' ? tf.logicalAnd(x, y) : op === 'or' ? tf.logicalOr(x, y) : tf.logicalXor(x, y);
    }
    const x = tf.broadcastTo(c.operand('input', 'int32'), out.shape).dataSync();
    const y = tf.broadcastTo(c.operand('other', 'int32'), out.shape).dataSync();
    const r = new Int32Array(x.length);
    for (let i = 0; i < r.length; i++) r[i] = op === 'and' ? x[i] & y[i] : op === 'or' ? x[i] | y[i] : x[i] ^ y[i];
    return tf.tensor(r, out.shape, 'int32');
  };
}

export function maxMinNumeric(op: 'maximum' | 'minimum'): NumericForward {
  return (c) => {
    const d = c.out().dtype;
    const x = c.operand('input', d);
    const y = c.operand('other', d);
    c.save('input');
    c.save('other');
    c.backward((gy) => {
      const xf = castTo(x, F32);
      const yf = castTo(y, F32);
      const half = tf.div(gy[0], 2);
      const winX = op === 'maximum' ? tf.greater(xf, yf) : tf.less(xf, yf);
      const winY = op === 'maximum' ? tf.less(xf, yf) : tf.greater(xf, yf);
      const tie = tf.equal(xf, yf);
      const z = tf.zerosLike(gy[0]);
      return {
        input: unbroadcast(tf.where(tie, half, tf.where(winX, gy[0], z)), shapeOf(c, 'input')),
        other: unbroadcast(tf.where(tie, half, tf.where(winY, gy[0], z)), shapeOf(c, 'other')),
      };
    });
    return op === 'maximum' ? tf.maximum(x, y) : tf.minimum(x, y);
  };
}

// ------------------------------------------------------------------ unary

interface UnaryMath {
  fwd(x: tf.Tensor): tf.Tensor;
  /** Gradient from the input x, the result y and the output gradient g. */
  grad?(x: tf.Tensor, y: tf.Tensor, g: tf.Tensor): tf.Tensor;
  /** What PyTorch saves: the input, the result or nothing. */
  saves: 'input' | 'result' | 'none';
  /** Computed in float32 (integral inputs become float). */
  floats?: boolean;
}

const LN2 = Math.LN2;
const LN10 = Math.LN10;
const trunc = (x: tf.Tensor) => tf.mul(tf.sign(x), tf.floor(tf.abs(x)));

export const UNARY: Record<string, UnaryMath> = {
  // step(y) = 1 where y > 0, else 0: one fast kernel instead of greater + cast (PyTorch's threshold_backward).
  relu: { fwd: (x) => tf.relu(x), grad: (_x, y, g) => tf.mul(g, tf.step(y)), saves: 'result' },
  sigmoid: { fwd: tf.sigmoid, grad: (_x, y, g) => tf.mul(g, tf.mul(y, tf.sub(1, y))), saves: 'result', floats: true },
  tanh: { fwd: tf.tanh, grad: (_x, y, g) => tf.mul(g, tf.sub(1, tf.square(y))), saves: 'result', floats: true },
  exp: { fwd: tf.exp, grad: (_x, y, g) => tf.mul(g, y), saves: 'result', floats: true },
  log: { fwd: tf.log, grad: (x, _y, g) => tf.div(g, x), saves: 'input', floats: true },
  log2: { fwd: (x) => tf.div(tf.log(x), LN2), grad: (x, _y, g) => tf.div(g, tf.mul(x, LN2)), saves: 'input', floats: true },
  log10: { fwd: (x) => tf.div(tf.log(x), LN10), grad: (x, _y, g) => tf.div(g, tf.mul(x, LN10)), saves: 'input', floats: true },
  log1p: { fwd: tf.log1p, grad: (x, _y, g) => tf.div(g, tf.add(x, 1)), saves: 'input', floats: true },
  expm1: { fwd: tf.expm1, grad: (_x, y, g) => tf.mul(g, tf.add(y, 1)), saves: 'result', floats: true },
  sqrt: { fwd: tf.sqrt, grad: (_x, y, g) => tf.div(g, tf.mul(y, 2)), saves: 'result', floats: true },
  rsqrt: { fwd: tf.rsqrt, grad: (_x, y, g) => tf.mul(tf.mul(g, -0.5), tf.pow(y, 3)), saves: 'result', floats: true },
  abs: { fwd: tf.abs, grad: (x, _y, g) => tf.mul(g, tf.sign(x)), saves: 'input' },
  neg: { fwd: tf.neg, grad: (_x, _y, g) => tf.neg(g), saves: 'none' },
  sin: { fwd: tf.sin, grad: (x, _y, g) => tf.mul(g, tf.cos(x)), saves: 'input', floats: true },
  cos: { fwd: tf.cos, grad: (x, _y, g) => tf.neg(tf.mul(g, tf.sin(x))), saves: 'input', floats: true },
  erf: { fwd: tf.erf, grad: (x, _y, g) => tf.mul(g, tf.mul(2 / Math.sqrt(Math.PI), tf.exp(tf.neg(tf.square(x))))), saves: 'input', floats: true },
  sign: { fwd: tf.sign, grad: (_x, _y, g) => tf.zerosLike(g), saves: 'none' },
  floor: { fwd: tf.floor, grad: (_x, _y, g) => tf.zerosLike(g), saves: 'none' },
  ceil: { fwd: tf.ceil, grad: (_x, _y, g) => tf.zerosLike(g), saves: 'none' },
  round: { fwd: tf.round, grad: (_x, _y, g) => tf.zerosLike(g), saves: 'none' },
  trunc: { fwd: trunc, grad: (_x, _y, g) => tf.zerosLike(g), saves: 'none' },
  square: { fwd: tf.square, grad: (x, _y, g) => tf.mul(g, tf.mul(x, 2)), saves: 'input' },
  reciprocal: { fwd: tf.reciprocal, grad: (_x, y, g) => tf.neg(tf.mul(g, tf.square(y))), saves: 'result', floats: true },
  logical_not: { fwd: (x) => tf.logicalNot(castTo(x, 'bool')), saves: 'none' },
  isnan: { fwd: (x) => (x.dtype === F32 ? tf.isNaN(x) : tf.zeros(x.shape, 'bool')), saves: 'none' },
  isinf: { fwd: (x) => (x.dtype === F32 ? tf.isInf(x) : tf.zeros(x.shape, 'bool')), saves: 'none' },
  isfinite: { fwd: (x) => (x.dtype === F32 ? tf.isFinite(x) : tf.ones(x.shape, 'bool')), saves: 'none' },
  bitwise_not: {
    fwd: (x) => (x.dtype === 'bool' ? tf.logicalNot(x) : tf.sub(tf.neg(x), tf.scalar(1, 'int32'))),
    saves: 'none',
  },
};

/** Numeric forward of a unary op (out of place, or in place on `input`). */
export function unaryNumeric(name: string): NumericForward {
  const m = UNARY[name];
  return (c) => {
    const x0 = c.v('input');
    const outD = c.out().dtype;
    const x = m.floats || isFloatingDtype(outD) ? castTo(x0, F32) : x0;
    const y = m.fwd(x);
    if (m.grad) {
      const grad = m.grad;
      if (m.saves === 'input') c.save('input');
      if (m.saves === 'result') c.saveOutput(0);
      c.backward((gy) => ({ input: grad(castTo(x, F32), castTo(y, F32), gy[0]) }));
    }
    return y;
  };
}

// ------------------------------------------------------------------ clamp, softmax, where, masked_fill

export const clampNumeric: NumericForward = (c) => {
  const x = c.v('input');
  const d = c.out().dtype;
  const lo = c.a.get('min');
  const hi = c.a.get('max');
  const xv = castTo(x, d);
  let y = xv;
  const loV = lo === null ? null : operandValue(lo, d);
  const hiV = hi === null ? null : operandValue(hi, d);
  if (loV) y = tf.maximum(y, loV);
  if (hiV) y = tf.minimum(y, hiV);
  c.save('input');
  if (c.has('min')) c.save('min');
  if (c.has('max')) c.save('max');
  c.backward((gy) => {
    const xf = castTo(xv, F32);
    const g = gy[0];
    let inside = tf.onesLike(g);
    if (loV) inside = tf.mul(inside, tf.cast(tf.greaterEqual(xf, castTo(loV, F32)), F32));
    if (hiV) inside = tf.mul(inside, tf.cast(tf.lessEqual(xf, castTo(hiV, F32)), F32));
    const out: Record<string, tf.Tensor | null> = { input: unbroadcast(tf.mul(g, inside), shapeOf(c, 'input')) };
    if (c.has('min') && loV) out.min = unbroadcast(tf.mul(g, tf.cast(tf.less(xf, castTo(loV, F32)), F32)), shapeOf(c, 'min'));
    if (c.has('max') && hiV) {
      let m = tf.cast(tf.greater(xf, castTo(hiV, F32)), F32);
      if (loV) m = tf.mul(m, tf.cast(tf.greaterEqual(xf, castTo(loV, F32)), F32));
      out.max = unbroadcast(tf.mul(g, m), shapeOf(c, 'max'));
    }
    return out;
  });
  return y;
};

/** Softmax / log-softmax along `dim` (tfjs only reduces the last axis, so other dims are transposed there). */
export function softmaxAlong(x: tf.Tensor, dim: number, log: boolean): tf.Tensor {
  const n = x.rank;
  if (n === 0) return log ? tf.zerosLike(x) : tf.onesLike(x);
  const d = dim < 0 ? dim + n : dim;
  if (d === n - 1) return log ? tf.logSoftmax(x) : tf.softmax(x);
  const perm = [...Array(n).keys()];
  [perm[d], perm[n - 1]] = [perm[n - 1], perm[d]];
  const t = tf.transpose(x, perm);
  return tf.transpose(log ? tf.logSoftmax(t) : tf.softmax(t), perm);
}

export function softmaxNumeric(log: boolean, negate = false): NumericForward {
  return (c) => {
    const xt = c.t('input');
    const dv = c.a.get('dim');
    const dim = dv === null ? (xt.ndim === 0 || xt.ndim === 1 || xt.ndim === 3 ? 0 : 1) : c.a.int('dim');
    const d = dim < 0 ? dim + Math.max(xt.ndim, 1) : dim;
    const x = castTo(c.v('input'), F32);
    const y = softmaxAlong(negate ? tf.neg(x) : x, d, log);
    c.saveOutput(0);
    c.backward((gy) => {
      const g = gy[0];
      const yy = y;
      let gx: tf.Tensor;
      if (xt.ndim === 0) gx = tf.zerosLike(g);
      else if (log) gx = tf.sub(g, tf.mul(tf.exp(yy), tf.sum(g, d, true)));
      else gx = tf.mul(yy, tf.sub(g, tf.sum(tf.mul(g, yy), d, true)));
      return { input: negate ? tf.neg(gx) : gx };
    });
    return y;
  };
}

export const whereNumeric: NumericForward = (c) => {
  const cond = castTo(c.v('condition'), 'bool');
  const d = c.out().dtype;
  const x = c.operand('input', d);
  const y = c.operand('other', d);
  const shape = c.out().shape;
  c.save('condition');
  c.backward((gy) => {
    const z = tf.zerosLike(gy[0]);
    const cb = tf.broadcastTo(cond, shape);
    return {
      input: unbroadcast(tf.where(cb, gy[0], z), shapeOf(c, 'input')),
      other: unbroadcast(tf.where(cb, z, gy[0]), shapeOf(c, 'other')),
    };
  });
  return tf.where(tf.broadcastTo(cond, shape), tf.broadcastTo(x, shape), tf.broadcastTo(y, shape));
};

export const maskedFillNumeric: NumericForward = (c) => {
  const out = c.out();
  const x = castTo(c.v('input'), out.dtype);
  const mask = tf.broadcastTo(castTo(c.v('mask'), 'bool'), out.shape);
  const value = c.operand('value', out.dtype);
  c.save('mask');
  c.backward((gy) => ({
    input: unbroadcast(tf.where(mask, tf.zerosLike(gy[0]), gy[0]), shapeOf(c, 'input')),
    value: c.has('value') ? tf.sum(tf.where(mask, gy[0], tf.zerosLike(gy[0]))) : null,
  }));
  return tf.where(mask, tf.broadcastTo(value, out.shape), tf.broadcastTo(x, out.shape));
};

// ------------------------------------------------------------------ in-place fills

export const zeroNumeric: NumericForward = (c) => {
  c.backward((gy) => ({ self: tf.zerosLike(gy[0]) }));
  const t = c.out();
  return tf.zeros(t.shape, tfDtype(t.dtype));
};

export const fillNumeric: NumericForward = (c) => {
  const t = c.out();
  const v = c.a.get('value');
  const value = isTensor(v) ? castTo(val(v), t.dtype) : tf.scalar(numberArg(v), tfDtype(t.dtype));
  c.backward((gy) => ({ self: tf.zerosLike(gy[0]), value: c.has('value') ? tf.sum(gy[0]) : null }));
  return tf.broadcastTo(value, t.shape);
};

export const copyNumeric: NumericForward = (c) => {
  const t = c.out();
  const src = c.v('src');
  c.backward((gy) => ({ self: tf.zerosLike(gy[0]), src: unbroadcast(gy[0], c.t('src').shape) }));
  return tf.broadcastTo(castTo(src, t.dtype), t.shape);
};

/** normal_/uniform_/random_/bernoulli_/exponential_ on `self`, from the run's generator. */
export function randomFillNumeric(name: string): NumericForward {
  return (c) => {
    const t = c.out();
    const args = c.a.varargs;
    const kw = c.a.varkw;
    const arg = (i: number, key: string, dflt: number): number => {
      const v = args[i] ?? kw.get(key);
      return v === undefined || v === null ? dflt : numberArg(v);
    };
    const n = t.numel;
    const rng = c.run.rng;
    let vals: Float32Array | Int32Array;
    switch (name) {
      case 'normal_':
        vals = rng.fillNormal(n, arg(0, 'mean', 0), arg(1, 'std', 1));
        break;
      case 'uniform_':
        vals = rng.fillUniform(n, arg(0, 'from', 0), arg(1, 'to', 1));
        break;
      case 'random_': {
        const a0 = args[0] ?? kw.get('from');
        const a1 = args[1] ?? kw.get('to');
        const lo = a1 === undefined || a1 === null ? 0 : numberArg(a0);
        const hi = a1 === undefined || a1 === null ? (a0 === undefined || a0 === null ? 2 ** 24 : numberArg(a0)) : numberArg(a1);
        vals = rng.fillInt(n, lo, hi);
        break;
      }
      case 'bernoulli_': {
        const pv = args[0] ?? kw.get('p');
        const p = isTensor(pv) ? val(pv).dataSync() : null;
        const ps = p ? null : pyNumber(pv ?? undefined) ?? 0.5;
        vals = new Float32Array(n);
        for (let i = 0; i < n; i++) vals[i] = rng.random() < (p ? p[i % p.length] : (ps as number)) ? 1 : 0;
        break;
      }
      default: {
        const lambd = arg(0, 'lambd', 1);
        vals = new Float32Array(n);
        for (let i = 0; i < n; i++) vals[i] = -Math.log(1 - rng.random()) / lambd;
      }
    }
    const dt = vals instanceof Int32Array ? 'int32' : F32;
    return castTo(tf.tensor(vals, t.shape, dt), t.dtype);
  };
}

// ------------------------------------------------------------------ matmul family

/** torch.matmul on values, with PyTorch's 1-D promotion rules and batch broadcasting. */
export function matmulValues(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const a2 = a.rank === 1 ? tf.reshape(a, [1, a.shape[0]]) : a;
  const b2 = b.rank === 1 ? tf.reshape(b, [b.shape[0], 1]) : b;
  let y: tf.Tensor;
  if (a2.rank === 2 && b2.rank === 2) y = tf.matMul(a2, b2);
  else if (b2.rank === 2 && a2.rank > 2) {
    // Fold a's batch into rows: one [rows, k]·[k, m] product.
    const k = a2.shape[a2.rank - 1] as number;
    y = tf.reshape(tf.matMul(tf.reshape(a2, [-1, k]), b2), [...a2.shape.slice(0, -1), b2.shape[1] as number]);
  } else {
    const ba = a2.shape.slice(0, -2);
    const bb = b2.shape.slice(0, -2);
    const n = Math.max(ba.length, bb.length);
    const bs: number[] = [];
    for (let i = 0; i < n; i++) {
      const da: number = ba[ba.length - n + i] ?? 1;
      const db: number = bb[bb.length - n + i] ?? 1;
      bs.push(Math.max(da, db));
    }
    const aa = tf.broadcastTo(a2, [...bs, ...a2.shape.slice(-2)]);
    const bbv = tf.broadcastTo(b2, [...bs, ...b2.shape.slice(-2)]);
    const flatB = bs.reduce((p, d) => p * d, 1);
    const [n1, k1] = a2.shape.slice(-2);
    const [k2, m2] = b2.shape.slice(-2);
    const r = tf.matMul(tf.reshape(aa, [flatB, n1, k1]) as tf.Tensor3D, tf.reshape(bbv, [flatB, k2, m2]) as tf.Tensor3D);
    y = tf.reshape(r, [...bs, a2.shape[a2.rank - 2], b2.shape[b2.rank - 1]]);
  }
  if (a.rank === 1 && b.rank === 1) return tf.reshape(y, []);
  if (a.rank === 1) return tf.squeeze(y, [y.rank - 2]);
  if (b.rank === 1) return tf.squeeze(y, [y.rank - 1]);
  return y;
}

/** Gradients of matmul(a, b) for output gradient g. */
export function matmulGrads(a: tf.Tensor, b: tf.Tensor, g: tf.Tensor): [tf.Tensor, tf.Tensor] {
  const a2 = a.rank === 1 ? tf.reshape(a, [1, a.shape[0]]) : a;
  const b2 = b.rank === 1 ? tf.reshape(b, [b.shape[0], 1]) : b;
  let g2 = g;
  if (a.rank === 1 && b.rank === 1) g2 = tf.reshape(g, [1, 1]);
  else if (a.rank === 1) g2 = tf.expandDims(g, g.rank - 1);
  else if (b.rank === 1) g2 = tf.expandDims(g, g.rank);
  const tr = (x: tf.Tensor) => {
    const p = [...Array(x.rank).keys()];
    [p[x.rank - 1], p[x.rank - 2]] = [p[x.rank - 2], p[x.rank - 1]];
    return tf.transpose(x, p);
  };
  const ga = matmulValues(g2, tr(b2));
  const gb = matmulValues(tr(a2), g2);
  return [tf.reshape(unbroadcast(ga, a2.shape), a.shape), tf.reshape(unbroadcast(gb, b2.shape), b.shape)];
}

export function matmulNumeric(xn: string, yn: string): NumericForward {
  return (c) => {
    const a = castTo(c.v(xn), F32);
    const b = castTo(c.v(yn), F32);
    if (c.needs(yn)) c.save(xn);
    if (c.needs(xn)) c.save(yn);
    c.backward((gy) => {
      const [ga, gb] = matmulGrads(a, b, gy[0]);
      return { [xn]: ga, [yn]: gb };
    });
    return castTo(matmulValues(a, b), c.out().dtype);
  };
}

export const outerNumeric: NumericForward = (c) =>
  c.composite(['input', 'vec2'], (x, y) => tf.mul(tf.reshape(x, [-1, 1]), tf.reshape(y, [1, -1])));

export function addmmNumeric(m1: string, m2: string): NumericForward {
  return (c) => {
    const beta = numberArg(c.a.get('beta'), 1);
    const alpha = numberArg(c.a.get('alpha'), 1);
    return c.composite(['input', m1, m2], (inp, a, b) => tf.add(tf.mul(inp, beta), tf.mul(matmulValues(a, b), alpha)), [m1, m2]);
  };
}

export const lerpNumeric: NumericForward = (c) => {
  const w = c.a.get('weight');
  if (isTensor(w)) return c.composite(['input', 'end', 'weight'], (x, e, wt) => tf.add(x, tf.mul(wt, tf.sub(e, x))));
  const wv = numberArg(w);
  return c.composite(['input', 'end'], (x, e) => tf.add(x, tf.mul(wv, tf.sub(e, x))), []);
};

/** einsum as broadcast products and sums (tfjs-backend-wasm has no Einsum kernel), differentiable by tfjs. */
export const einsumNumeric: NumericForward = (c) => {
  const eq = c.a.str('equation').replace(/\s+/g, '');
  const ops = c.list('*');
  const [lhs, rhsGiven] = eq.split('->');
  const terms = lhs.split(',');
  const letters = [...new Set(terms.join(''))];
  const rhs = rhsGiven ?? letters.filter((ch) => terms.join('').split(ch).length === 2).sort().join('');
  const order = [...rhs, ...letters.filter((ch) => !rhs.includes(ch))];
  const compute = (...xs: tf.Tensor[]): tf.Tensor => {
    let prod: tf.Tensor | null = null;
    xs.forEach((x, i) => {
      let t = x;
      let term = [...terms[i]];
      // Repeated letters in one term (diagonals): keep the diagonal via a mask and a sum.
      for (let k = 0; k < term.length; k++) {
        const j = term.indexOf(term[k], k + 1);
        if (j < 0) continue;
        const n = t.shape[k];
        const eye = tf.reshape(tf.eye(n), t.shape.map((_, q) => (q === k || q === j ? n : 1)));
        t = tf.sum(tf.mul(t, eye), j);
        term = term.filter((_, q) => q !== j);
        k--;
      }
      const perm = order.filter((ch) => term.includes(ch)).map((ch) => term.indexOf(ch));
      t = tf.transpose(t, perm);
      const shape = order.map((ch) => (term.includes(ch) ? t.shape[order.filter((o) => term.includes(o)).indexOf(ch)] : 1));
      t = tf.reshape(t, shape);
      prod = prod ? tf.mul(prod, t) : t;
    });
    let r = prod as unknown as tf.Tensor;
    const sumAxes = order.map((ch, i) => (rhs.includes(ch) ? -1 : i)).filter((i) => i >= 0);
    if (sumAxes.length) r = tf.sum(r, sumAxes);
    return tf.reshape(r, c.out().shape);
  };
  const vals = ops.map((t) => castTo(val(t), F32));
  if (c.grad) {
    c.holdsValues = true;
    c.backward((gy) => {
      const need = ops.map((t) => t.requiresGrad);
      const xs = vals.map((v) => tf.clone(v));
      const { grads } = tf.engine().gradients(() => compute(...xs), xs.filter((_, i) => need[i]), gy[0], true);
      let k = 0;
      return { '*': need.map((nd) => (nd ? grads[k++] : null)) };
    });
  }
  return compute(...vals);
};

// ------------------------------------------------------------------ closeness

export const sameShape = (a: number[], b: number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

function closeMask(x: tf.Tensor, y: tf.Tensor, rtol: number, atol: number, equalNan: boolean): tf.Tensor {
  const a = castTo(x, F32);
  const b = castTo(y, F32);
  const close = tf.lessEqual(tf.abs(tf.sub(a, b)), tf.add(atol, tf.mul(rtol, tf.abs(b))));
  const same = tf.equal(a, b); // infinities of the same sign
  let m = tf.logicalOr(close, same);
  if (equalNan) m = tf.logicalOr(m, tf.logicalAnd(tf.isNaN(a), tf.isNaN(b)));
  return m;
}

/** |x − y| ≤ atol + rtol·|y| everywhere (torch.allclose; rtol = atol = 0 is torch.equal). */
export function closeAll(x: Tensor, y: Tensor, rtol: number, atol: number, equalNan: boolean): boolean {
  const r = tf.tidy(() => tf.all(closeMask(val(x), val(y), rtol, atol, equalNan)));
  const v = r.dataSync()[0];
  r.dispose();
  return v !== 0;
}

export const iscloseNumeric: NumericForward = (c) =>
  closeMask(c.v('input'), c.v('other'), numberArg(c.a.get('rtol'), 1e-5), numberArg(c.a.get('atol'), 1e-8), c.a.bool('equal_nan'));
