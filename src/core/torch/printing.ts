// str()/repr() of tensors with values, exactly as PyTorch 1.13's torch/_tensor_str.py prints them: the formatter
// (int mode, scientific mode when max/min > 1000, max > 1e8 or min < 1e-4, precision 4, common width),
// summarisation with '...' above 1000 elements (3 edge items), nesting and line wrapping at 80 columns, and the
// device/dtype/grad_fn/requires_grad suffixes. Floats are formatted with Python's exact rounding (half-even).

import { isFloatingDtype } from './dtype';
import type { Tensor } from './tensor';

const PRECISION = 4;
const THRESHOLD = 1000;
const EDGEITEMS = 3;
const LINEWIDTH = 80;

// ------------------------------------------------------------------ exact float formatting

/** |x| as mant·2^exp with an integer mantissa (x finite, nonzero). */
function decompose(x: number): { mant: bigint; exp: number } {
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, Math.abs(x));
  const hi = buf.getUint32(0);
  const lo = buf.getUint32(4);
  const bexp = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp: number;
  if (bexp === 0) exp = -1074;
  else {
    mant |= 1n << 52n;
    exp = bexp - 1075;
  }
  return { mant, exp };
}

/** round(|x|·10^k) with round-half-even, exactly. */
function scaledRound(x: number, k: number): bigint {
  const { mant, exp } = decompose(x);
  let num = mant;
  let den = 1n;
  if (exp >= 0) num <<= BigInt(exp);
  else den <<= BigInt(-exp);
  if (k >= 0) num *= 10n ** BigInt(k);
  else den *= 10n ** BigInt(-k);
  const q = num / den;
  const r = num - q * den;
  const twice = 2n * r;
  if (twice > den || (twice === den && q % 2n === 1n)) return q + 1n;
  return q;
}

function nonFinite(x: number): string | null {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  return null;
}

/** Python's format(x, '.{p}f'). */
export function formatFixed(x: number, p: number): string {
  const nf = nonFinite(x);
  if (nf) return nf;
  const neg = x < 0 || Object.is(x, -0);
  if (x === 0) return (neg ? '-' : '') + (p > 0 ? '0.' + '0'.repeat(p) : '0');
  const q = scaledRound(x, p).toString().padStart(p + 1, '0');
  const body = p > 0 ? `${q.slice(0, q.length - p)}.${q.slice(q.length - p)}` : q;
  return (neg ? '-' : '') + body;
}

/** Python's format(x, '.{p}e'). */
export function formatExp(x: number, p: number): string {
  const nf = nonFinite(x);
  if (nf) return nf;
  const neg = x < 0 || Object.is(x, -0);
  if (x === 0) return `${neg ? '-' : ''}0${p > 0 ? '.' + '0'.repeat(p) : ''}e+00`;
  let e = Math.floor(Math.log10(Math.abs(x)));
  let q = scaledRound(x, p - e);
  const lo = 10n ** BigInt(p);
  const hi = 10n ** BigInt(p + 1);
  if (q < lo) {
    e--;
    q = scaledRound(x, p - e);
  }
  if (q >= hi) {
    e++;
    q = scaledRound(x, p - e);
  }
  const digits = q.toString();
  const mant = p > 0 ? `${digits[0]}.${digits.slice(1)}` : digits;
  const ae = Math.abs(e);
  return `${neg ? '-' : ''}${mant}e${e < 0 ? '-' : '+'}${ae < 10 ? '0' + ae : ae}`;
}

// ------------------------------------------------------------------ PyTorch's _Formatter

interface Formatter {
  width: number;
  format(v: number): string;
}

function makeFormatter(values: ArrayLike<number>, floating: boolean, isBool: boolean): Formatter {
  let maxWidth = 1;
  const str = (v: number) => (isBool ? (v ? 'True' : 'False') : String(v));
  if (!floating) {
    for (let i = 0; i < values.length; i++) maxWidth = Math.max(maxWidth, str(values[i]).length);
    return { width: maxWidth, format: (v) => str(v).padStart(maxWidth) };
  }
  const nz: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v) && v !== 0) nz.push(v);
  }
  let intMode = true;
  let sciMode = false;
  if (nz.length > 0) {
    let mn = Infinity;
    let mx = 0;
    for (const v of nz) {
      const a = Math.abs(v);
      if (a < mn) mn = a;
      if (a > mx) mx = a;
      if (v !== Math.ceil(v)) intMode = false;
    }
    if (intMode) {
      if (mx / mn > 1000 || mx > 1e8) {
        sciMode = true;
        for (const v of nz) maxWidth = Math.max(maxWidth, formatExp(v, PRECISION).length);
      } else {
        for (const v of nz) maxWidth = Math.max(maxWidth, formatFixed(v, 0).length + 1);
      }
    } else if (mx / mn > 1000 || mx > 1e8 || mn < 1e-4) {
      sciMode = true;
      for (const v of nz) maxWidth = Math.max(maxWidth, formatExp(v, PRECISION).length);
    } else {
      for (const v of nz) maxWidth = Math.max(maxWidth, formatFixed(v, PRECISION).length);
    }
  }
  const w = maxWidth;
  return {
    width: w,
    format: (v) => {
      let ret: string;
      if (sciMode) ret = formatExp(v, PRECISION);
      else if (intMode) {
        ret = formatFixed(v, 0);
        if (Number.isFinite(v)) ret += '.';
      } else ret = formatFixed(v, PRECISION);
      return ret.padStart(w);
    },
  };
}

// ------------------------------------------------------------------ layout

/** Row-major nd view over flat values. */
interface View {
  shape: number[];
  offset: number;
  strides: number[];
}

function sub(v: View, i: number): View {
  return { shape: v.shape.slice(1), offset: v.offset + i * v.strides[0], strides: v.strides.slice(1) };
}

/** Values of the summarized tensor (edge items of every dim), for the formatter. */
function summarizedValues(data: ArrayLike<number>, v: View, out: number[]): void {
  if (v.shape.length === 0) {
    out.push(data[v.offset]);
    return;
  }
  const n = v.shape[0];
  const idx = n > 2 * EDGEITEMS ? [...Array(EDGEITEMS).keys(), ...Array.from({ length: EDGEITEMS }, (_, k) => n - EDGEITEMS + k)] : [...Array(n).keys()];
  if (v.shape.length === 1) {
    for (const i of idx) out.push(data[v.offset + i * v.strides[0]]);
    return;
  }
  for (const i of idx) summarizedValues(data, sub(v, i), out);
}

function vectorStr(data: ArrayLike<number>, v: View, indent: number, summarize: boolean, f: Formatter): string {
  const elementLength = f.width + 2;
  const perLine = Math.max(1, Math.floor((LINEWIDTH - indent) / elementLength));
  const n = v.shape[0];
  const at = (i: number) => f.format(data[v.offset + i * v.strides[0]]);
  let items: string[];
  if (summarize && n > 2 * EDGEITEMS) {
    items = [...Array.from({ length: EDGEITEMS }, (_, i) => at(i)), ' ...', ...Array.from({ length: EDGEITEMS }, (_, k) => at(n - EDGEITEMS + k))];
  } else items = Array.from({ length: n }, (_, i) => at(i));
  const lines: string[] = [];
  for (let i = 0; i < items.length; i += perLine) lines.push(items.slice(i, i + perLine).join(', '));
  return '[' + lines.join(',\n' + ' '.repeat(indent + 1)) + ']';
}

function tensorStrWith(data: ArrayLike<number>, v: View, indent: number, summarize: boolean, f: Formatter): string {
  const dim = v.shape.length;
  if (dim === 0) return f.format(data[v.offset]);
  if (dim === 1) return vectorStr(data, v, indent, summarize, f);
  const n = v.shape[0];
  let slices: string[];
  if (summarize && n > 2 * EDGEITEMS) {
    slices = [
      ...Array.from({ length: EDGEITEMS }, (_, i) => tensorStrWith(data, sub(v, i), indent + 1, summarize, f)),
      '...',
      ...Array.from({ length: EDGEITEMS }, (_, k) => tensorStrWith(data, sub(v, n - EDGEITEMS + k), indent + 1, summarize, f)),
    ];
  } else slices = Array.from({ length: n }, (_, i) => tensorStrWith(data, sub(v, i), indent + 1, summarize, f));
  return '[' + slices.join(',' + '\n'.repeat(dim - 1) + ' '.repeat(indent + 1)) + ']';
}

/** PyTorch's _tensor_str: the values part of a tensor's repr, given its row-major values. */
export function valuesStr(data: ArrayLike<number>, shape: number[], dtype: Tensor['dtype'], indent: number): string {
  const numel = shape.reduce((p, d) => p * d, 1);
  if (numel === 0) return '[]';
  const strides = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = acc;
    acc *= shape[i];
  }
  const view: View = { shape, offset: 0, strides };
  const summarize = numel > THRESHOLD;
  const floating = isFloatingDtype(dtype) || dtype.startsWith('complex');
  let fvals: ArrayLike<number> = data;
  if (summarize) {
    const out: number[] = [];
    summarizedValues(data, view, out);
    fvals = out;
  }
  const f = makeFormatter(fvals, floating, dtype === 'bool');
  return tensorStrWith(data, view, indent, summarize, f);
}

/** PyTorch's _add_suffixes: `, suffix` on the last line, or on a new line past 80 columns. */
export function addSuffixes(tensorStr: string, suffixes: string[], indent: number): string {
  const parts = [tensorStr];
  let last = tensorStr.length - tensorStr.lastIndexOf('\n') + 1;
  for (const s of suffixes) {
    if (last + s.length + 2 > LINEWIDTH) {
      parts.push(',\n' + ' '.repeat(indent) + s);
      last = indent + s.length;
    } else {
      parts.push(', ' + s);
      last += s.length + 2;
    }
  }
  parts.push(')');
  return parts.join('');
}

/** repr() of a tensor with values (torch.Tensor and nn.Parameter). */
export function numericRepr(t: Tensor, data: ArrayLike<number>): string {
  const prefix = 'tensor(';
  const indent = prefix.length;
  const suffixes: string[] = [];
  if (t.device !== 'cpu') suffixes.push(`device='${t.device === 'cuda' ? 'cuda:0' : t.device}'`);
  const hasDefaultDtype = t.dtype === 'float32' || t.dtype === 'complex64' || t.dtype === 'int64' || t.dtype === 'bool';
  let body: string;
  if (t.numel === 0) {
    if (t.ndim !== 1) suffixes.push(`size=(${t.shape.join(', ')}${t.ndim === 1 ? ',' : ''})`);
    if (t.dtype !== 'float32') suffixes.push(`dtype=torch.${t.dtype}`);
    body = '[]';
  } else {
    if (!hasDefaultDtype) suffixes.push(`dtype=torch.${t.dtype}`);
    body = valuesStr(data, t.shape, t.dtype, indent);
  }
  if (t.gradFn) suffixes.push(`grad_fn=<${t.gradFn}>`);
  else if (t.requiresGrad) suffixes.push('requires_grad=True');
  const s = addSuffixes(prefix + body, suffixes, indent);
  return t.cls.name === 'Parameter' ? `Parameter containing:\n${s}` : s;
}
