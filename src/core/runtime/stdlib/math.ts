// The math module: float functions with CPython's domain errors, int-returning floor/ceil, gcd/prod/comb.

import { lookupType, typeName } from '../builtinTypes';
import type { Interpreter } from '../interpreter';
import { registerNativeModule } from '../nativeModules';
import { numOf } from '../operators';
import { PyBuiltinFunction, PyFloat, PyInstance, PyOpaque, STOP, type PyValue } from '../values';
import { func, makeModule } from './common';

function num(ip: Interpreter, v: PyValue): number {
  const n = numOf(v);
  if (n !== undefined) return n;
  return ip.toNumber(v, 'must be real number');
}

function dunderOr(ip: Interpreter, v: PyValue, name: string): PyValue | undefined {
  if (v instanceof PyInstance) {
    const f = lookupType(v.cls, name);
    if (f !== undefined && f !== null) return ip.callMethod(f, v, []);
  }
  return undefined;
}

function floatFn(name: string, f: (x: number) => number, domain?: (x: number) => boolean) {
  return func(`math.${name}`, (a, _k, ip) => {
    if (a[0] instanceof PyOpaque) return a[0];
    const x = num(ip, a[0]);
    if (domain && !domain(x)) ip.raise('ValueError', 'math domain error');
    const r = f(x);
    if (isNaN(r) && !isNaN(x)) ip.raise('ValueError', 'math domain error');
    if (!isFinite(r) && isFinite(x)) ip.raise('OverflowError', 'math range error');
    return new PyFloat(r);
  });
}

function toIntResult(ip: Interpreter, x: number, what: string): number {
  if (x !== x) return ip.raise('ValueError', `cannot convert float NaN to integer`);
  if (!isFinite(x)) return ip.raise('OverflowError', `cannot convert float infinity to integer`);
  void what;
  return x || 0;
}

function gcd(a: number, b: number): number {
  a = Math.abs(a);
  b = Math.abs(b);
  while (b) [a, b] = [b, a % b];
  return a;
}

function erf(x: number): number {
  // Abramowitz-Stegun 7.1.26 refined by a series for small |x|; accurate to ~1e-15 via erfc continued fraction.
  const t = Math.abs(x);
  if (t < 2.5) {
    let sum = t;
    let term = t;
    const t2 = t * t;
    for (let n = 1; n < 200; n++) {
      term *= -t2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    const r = (2 / Math.sqrt(Math.PI)) * sum;
    return x < 0 ? -r : r;
  }
  // continued fraction for erfc
  let f = 0;
  for (let n = 60; n >= 1; n--) f = n / 2 / (t + f);
  const erfc = Math.exp(-t * t) / Math.sqrt(Math.PI) / (t + f);
  const r = 1 - erfc;
  return x < 0 ? -r : r;
}

function lgamma(x: number): number {
  // Lanczos approximation
  const g = 7;
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61503916999185, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x);
  x -= 1;
  let a = c[0];
  const t = x + g + 0.5;
  for (let i = 1; i < g + 2; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

function gamma(x: number): number {
  if (Number.isInteger(x) && x > 0 && x < 171) {
    let r = 1;
    for (let i = 2; i < x; i++) r *= i;
    return r;
  }
  if (x < 0.5) return Math.PI / (Math.sin(Math.PI * x) * gamma(1 - x));
  return Math.exp(lgamma(x));
}

/** Any math function given an unknown value returns an unknown value. */
function tolerant(entries: Record<string, PyValue>): Record<string, PyValue> {
  for (const [k, v] of Object.entries(entries)) {
    if (!(v instanceof PyBuiltinFunction)) continue;
    const inner = v.fn;
    entries[k] = func(`math.${k}`, (a, kw, _ip, ctx) => {
      for (const x of a) if (x instanceof PyOpaque) return new PyOpaque(`math.${k}(${x.label})`);
      return inner({ args: a, kwargs: kw }, ctx);
    });
  }
  return entries;
}

registerNativeModule('math', () =>
  makeModule('math', tolerant({
    pi: new PyFloat(Math.PI),
    e: new PyFloat(Math.E),
    tau: new PyFloat(2 * Math.PI),
    inf: new PyFloat(Infinity),
    nan: new PyFloat(NaN),
    sqrt: floatFn('sqrt', Math.sqrt, (x) => x >= 0),
    exp: floatFn('exp', Math.exp),
    expm1: floatFn('expm1', Math.expm1),
    log1p: floatFn('log1p', Math.log1p, (x) => x > -1),
    log2: floatFn('log2', Math.log2, (x) => x > 0),
    log10: floatFn('log10', Math.log10, (x) => x > 0),
    sin: floatFn('sin', Math.sin),
    cos: floatFn('cos', Math.cos),
    tan: floatFn('tan', Math.tan),
    asin: floatFn('asin', Math.asin, (x) => x >= -1 && x <= 1),
    acos: floatFn('acos', Math.acos, (x) => x >= -1 && x <= 1),
    atan: floatFn('atan', Math.atan),
    sinh: floatFn('sinh', Math.sinh),
    cosh: floatFn('cosh', Math.cosh),
    tanh: floatFn('tanh', Math.tanh),
    asinh: floatFn('asinh', Math.asinh),
    acosh: floatFn('acosh', Math.acosh, (x) => x >= 1),
    atanh: floatFn('atanh', Math.atanh, (x) => x > -1 && x < 1),
    fabs: floatFn('fabs', Math.abs),
    erf: floatFn('erf', erf),
    erfc: floatFn('erfc', (x) => 1 - erf(x)),
    gamma: floatFn('gamma', gamma, (x) => !(x <= 0 && Number.isInteger(x))),
    lgamma: floatFn('lgamma', (x) => lgamma(x), (x) => !(x <= 0 && Number.isInteger(x))),
    degrees: floatFn('degrees', (x) => (x * 180) / Math.PI),
    radians: floatFn('radians', (x) => (x * Math.PI) / 180),
    log: func('math.log', (a, _k, ip) => {
      const x = num(ip, a[0]);
      if (x <= 0) ip.raise('ValueError', 'math domain error');
      if (a.length > 1) {
        const b = num(ip, a[1]);
        if (b <= 0 || b === 1) ip.raise(b === 1 ? 'ZeroDivisionError' : 'ValueError', b === 1 ? 'float division by zero' : 'math domain error');
        return new PyFloat(Math.log(x) / Math.log(b));
      }
      return new PyFloat(Math.log(x));
    }),
    pow: func('math.pow', (a, _k, ip) => new PyFloat(Math.pow(num(ip, a[0]), num(ip, a[1])))),
    atan2: func('math.atan2', (a, _k, ip) => new PyFloat(Math.atan2(num(ip, a[0]), num(ip, a[1])))),
    hypot: func('math.hypot', (a, _k, ip) => new PyFloat(Math.hypot(...a.map((x) => num(ip, x))))),
    copysign: func('math.copysign', (a, _k, ip) => {
      const x = Math.abs(num(ip, a[0]));
      const y = num(ip, a[1]);
      return new PyFloat(y < 0 || Object.is(y, -0) ? -x : x);
    }),
    fmod: func('math.fmod', (a, _k, ip) => {
      const y = num(ip, a[1]);
      if (y === 0) ip.raise('ValueError', 'math domain error');
      return new PyFloat(num(ip, a[0]) % y);
    }),
    floor: func('math.floor', (a, _k, ip) => {
      const d = dunderOr(ip, a[0], '__floor__');
      if (d !== undefined) return d;
      if (typeof a[0] === 'number') return a[0];
      if (a[0] instanceof PyOpaque) return a[0];
      return toIntResult(ip, Math.floor(num(ip, a[0])), 'floor');
    }),
    ceil: func('math.ceil', (a, _k, ip) => {
      const d = dunderOr(ip, a[0], '__ceil__');
      if (d !== undefined) return d;
      if (typeof a[0] === 'number') return a[0];
      if (a[0] instanceof PyOpaque) return a[0];
      return toIntResult(ip, Math.ceil(num(ip, a[0])), 'ceil');
    }),
    trunc: func('math.trunc', (a, _k, ip) => {
      const d = dunderOr(ip, a[0], '__trunc__');
      if (d !== undefined) return d;
      return toIntResult(ip, Math.trunc(num(ip, a[0])), 'trunc');
    }),
    isnan: func('math.isnan', (a, _k, ip) => Number.isNaN(num(ip, a[0]))),
    isinf: func('math.isinf', (a, _k, ip) => {
      const x = num(ip, a[0]);
      return x === Infinity || x === -Infinity;
    }),
    isfinite: func('math.isfinite', (a, _k, ip) => Number.isFinite(num(ip, a[0]))),
    isclose: func('math.isclose', (a, k, ip) => {
      const x = num(ip, a[0]);
      const y = num(ip, a[1]);
      const rel = k.has('rel_tol') ? num(ip, k.get('rel_tol')!) : 1e-9;
      const abs = k.has('abs_tol') ? num(ip, k.get('abs_tol')!) : 0;
      if (x === y) return true;
      if (!isFinite(x) || !isFinite(y)) return false;
      const d = Math.abs(x - y);
      return d <= Math.abs(rel * y) || d <= Math.abs(rel * x) || d <= abs;
    }),
    gcd: func('math.gcd', (a, _k, ip) => a.map((x) => ip.toInt(x)).reduce((p, q) => gcd(p, q), 0)),
    lcm: func('math.lcm', (a, _k, ip) =>
      a.map((x) => ip.toInt(x)).reduce((p, q) => (p === 0 || q === 0 ? 0 : Math.abs((p / gcd(p, q)) * q)), 1),
    ),
    factorial: func('math.factorial', (a, _k, ip) => {
      if (!(typeof a[0] === 'number' || typeof a[0] === 'boolean'))
        ip.raise('TypeError', `'${typeName(a[0])}' object cannot be interpreted as an integer`);
      const n = ip.toInt(a[0]);
      if (n < 0) ip.raise('ValueError', 'factorial() not defined for negative values');
      if (n > 170) return Infinity; // beyond a double, as all ints here are
      let r = 1;
      for (let i = 2; i <= n; i++) r *= i;
      return r;
    }),
    comb: func('math.comb', (a, _k, ip) => {
      const n = ip.toInt(a[0]);
      const k = ip.toInt(a[1]);
      if (n < 0 || k < 0) ip.raise('ValueError', `${n < 0 ? 'n' : 'k'} must be a non-negative integer`);
      if (k > n) return 0;
      let r = 1n;
      for (let i = 0; i < Math.min(k, n - k); i++) {
        ip.tick();
        r = (r * BigInt(n - i)) / BigInt(i + 1);
      }
      return Number(r);
    }),
    perm: func('math.perm', (a, _k, ip) => {
      const n = ip.toInt(a[0]);
      const k = a.length > 1 && a[1] !== null ? ip.toInt(a[1]) : n;
      if (k > n) return 0;
      let r = 1n;
      for (let i = 0; i < k; i++) {
        ip.tick();
        r *= BigInt(n - i);
      }
      return Number(r);
    }),
    prod: func('math.prod', (a, k, ip) => {
      let acc: PyValue = k.get('start') ?? 1;
      const next = ip.iterFn(a[0]);
      for (;;) {
        const v = next();
        if (v === STOP) return acc;
        acc = ip.binop('*', acc, v);
      }
    }),
    fsum: func('math.fsum', (a, _k, ip) => {
      // Neumaier summation: exact enough to match CPython's fsum for ordinary inputs.
      let s = 0;
      let c = 0;
      for (const v of ip.iterate(a[0])) {
        const x = num(ip, v);
        const t = s + x;
        c += Math.abs(s) >= Math.abs(x) ? s - t + x : x - t + s;
        s = t;
      }
      return new PyFloat(s + c);
    }),
    isqrt: func('math.isqrt', (a, _k, ip) => {
      const n = ip.toInt(a[0]);
      if (n < 0) ip.raise('ValueError', 'isqrt() argument must be nonnegative');
      let r = Math.floor(Math.sqrt(n));
      while (r * r > n) r--;
      while ((r + 1) * (r + 1) <= n) r++;
      return r;
    }),
    frexp: func('math.frexp', (a, _k, ip) => {
      let x = num(ip, a[0]);
      if (x === 0 || !isFinite(x)) return ip.tuple([new PyFloat(x), 0]);
      let e = Math.max(-1073, Math.floor(Math.log2(Math.abs(x))) + 1);
      x = x * Math.pow(2, -e);
      while (Math.abs(x) < 0.5) {
        x *= 2;
        e--;
      }
      while (Math.abs(x) >= 1) {
        x /= 2;
        e++;
      }
      return ip.tuple([new PyFloat(x), e]);
    }),
    ldexp: func('math.ldexp', (a, _k, ip) => new PyFloat(num(ip, a[0]) * Math.pow(2, ip.toInt(a[1])))),
    modf: func('math.modf', (a, _k, ip) => {
      const x = num(ip, a[0]);
      const i = Math.trunc(x);
      return ip.tuple([new PyFloat(x - i), new PyFloat(i)]);
    }),
    dist: func('math.dist', (a, _k, ip) => {
      const p = ip.iterate(a[0]).map((v) => num(ip, v));
      const q = ip.iterate(a[1]).map((v) => num(ip, v));
      return new PyFloat(Math.hypot(...p.map((x, i) => x - q[i])));
    }),
  })),
);
