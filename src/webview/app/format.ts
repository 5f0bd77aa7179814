// Pure (DOM-free) text formatting for the panel: counts, bytes, shapes, statistics, PyTorch-style tensors, input shapes.

import type { Shape } from '../../core/trace/types';

const SI: ReadonlyArray<[number, string]> = [
  [1e12, 'T'],
  [1e9, 'G'],
  [1e6, 'M'],
  [1e3, 'K'],
];

/** Three significant digits, trailing zeros dropped: 36864 → "36.9", 1 → "1". */
function sig3(x: number): string {
  const s = x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/** A parameter or MAC count, compact: 864, 36.9K, 11.2M, 1.82G. */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return '—';
  const a = Math.abs(n);
  for (const [v, unit] of SI) {
    // Round first so 999_950 shows as 1M, not 1000K.
    if (a >= v * 0.9995) return (n < 0 ? '-' : '') + sig3(a / v) + unit;
  }
  return String(Math.round(n));
}

/** Bytes in decimal units as memory summaries show them: 512 B, 3.2 kB, 1.61 MB. */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '—';
  if (n < 1000) return `${Math.round(n)} B`;
  const units: ReadonlyArray<[number, string]> = [
    [1e9, 'GB'],
    [1e6, 'MB'],
    [1e3, 'kB'],
  ];
  for (const [v, unit] of units) if (n >= v * 0.9995) return `${sig3(n / v)} ${unit}`;
  return `${n} B`;
}

/** A shape as the panel shows it: 1×64×56×56; a 0-d tensor is "scalar". */
export function formatShape(shape: Shape | null | undefined): string {
  if (!shape) return '—';
  return shape.length === 0 ? 'scalar' : shape.join('×');
}

/** Several shapes (a call's inputs or a tuple output), comma-separated. */
export function formatShapes(shapes: readonly Shape[]): string {
  return shapes.length === 0 ? '—' : shapes.map(formatShape).join(', ');
}

/** A statistic with four significant digits; tiny or huge values in exponent form (3.698e-9). */
export function formatNumber(x: number | null | undefined): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '—';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  if (x === 0) return '0';
  const a = Math.abs(x);
  let s: string;
  if (a < 1e-3 || a >= 1e5) {
    const [m, e] = x.toExponential(3).split('e');
    s = `${m.replace(/\.?0+$/, '')}e${Number(e)}`;
  } else {
    s = x.toPrecision(4);
    if (s.includes('.')) s = s.replace(/\.?0+$/, '');
  }
  return s.replace(/^-/, '−');
}

/** A fraction 0..1 as a whole percentage; values that would round to 0 or 100 but are not say so. */
export function formatPercent(f: number): string {
  if (!Number.isFinite(f)) return '—';
  const p = f * 100;
  if (p > 0 && p < 0.5) return '<1%';
  if (p < 100 && p > 99.5) return '>99%';
  return `${Math.round(p)}%`;
}

// ---------------------------------------------------------------- PyTorch tensor printing

/** Python's `{:.Ne}`: the exponent has a sign and at least two digits (3.6980e-09). */
function pyExp(x: number, precision: number): string {
  const [m, e] = x.toExponential(precision).split('e');
  const sign = e.startsWith('-') ? '-' : '+';
  const digits = e.replace(/^[-+]/, '');
  return `${m}e${sign}${digits.padStart(2, '0')}`;
}

function pyFormat(x: number, mode: 'sci' | 'int' | 'fixed', precision: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (mode === 'sci') return pyExp(x, precision);
  if (mode === 'int') return `${x.toFixed(0)}.`;
  return x.toFixed(precision);
}

/**
 * Prints a 1-d float tensor the way `print(t)` does in PyTorch (torch/_tensor_str.py `_Formatter`, precision 4):
 * scientific when the non-zero magnitudes span more than 1000× or leave [1e-4, 1e8), every value padded to one width.
 */
export function formatTorchTensor(values: readonly number[], precision = 4): string {
  const finite = values.filter((v) => Number.isFinite(v) && v !== 0);
  let mode: 'sci' | 'int' | 'fixed' = 'fixed';
  if (finite.length > 0) {
    const abs = finite.map(Math.abs);
    const min = Math.min(...abs);
    const max = Math.max(...abs);
    const intMode = finite.every((v) => v === Math.ceil(v));
    if (intMode) mode = max / min > 1000 || max > 1e8 ? 'sci' : 'int';
    else mode = max / min > 1000 || max > 1e8 || min < 1e-4 ? 'sci' : 'fixed';
  } else if (values.every((v) => v === 0 || !Number.isFinite(v))) {
    mode = 'int';
  }
  const texts = values.map((v) => pyFormat(v, mode, precision));
  const width = Math.max(1, ...texts.map((t) => t.length));
  return `tensor([${texts.map((t) => t.padStart(width, ' ')).join(', ')}])`;
}

// ---------------------------------------------------------------- input shape

export type ParsedShape = { ok: true; shape: number[] } | { ok: false; error: string };

/** Largest dimension accepted in the input field; larger values are almost surely typos. */
const MAX_DIM = 1_000_000;

/**
 * Parses what a person types as an input shape: "1, 3, 224, 224", "(1, 3, 224, 224)", "[1 3 224 224]" or "1×3×224×224".
 * Every dimension must be a positive integer; 1 to 8 dimensions.
 */
export function parseShape(text: string): ParsedShape {
  let t = text.trim();
  if (t.startsWith('torch.Size(')) t = t.slice('torch.Size('.length, t.endsWith(')') ? -1 : undefined);
  t = t.replace(/^[[(]\s*/, '').replace(/\s*[\])]$/, '').replace(/\s*,$/, ''); // a Python 1-tuple keeps its comma: (5,)
  if (t === '') return { ok: false, error: 'Enter the dimensions, e.g. 1, 3, 224, 224' };
  // Commas or spaces separate dimensions; × (or x, *) does too, but only between two numbers ("1x3x224x224").
  const parts = t.split(/\s*,\s*|(?<=\d)\s*[×xX*]\s*(?=\d)|\s+/);
  if (parts.some((p) => p === '')) return { ok: false, error: 'Separate the dimensions with single commas' };
  const shape: number[] = [];
  for (const p of parts) {
    if (!/^\d+$/.test(p)) return { ok: false, error: `“${p}” is not a whole number` };
    const d = Number(p);
    if (d < 1) return { ok: false, error: 'Every dimension must be at least 1' };
    if (d > MAX_DIM) return { ok: false, error: `${p} is too large for a dimension` };
    shape.push(d);
  }
  if (shape.length > 8) return { ok: false, error: 'At most 8 dimensions' };
  return { ok: true, shape };
}

/** The text the input field shows for a shape: "1, 3, 224, 224". */
export function shapeToText(shape: readonly number[] | null): string {
  return shape ? shape.join(', ') : '';
}

// ---------------------------------------------------------------- module summaries

/** Splits a repr argument list at top-level commas: '64, 128, kernel_size=(3, 3)' → ['64', '128', 'kernel_size=(3, 3)']. */
export function splitArgs(args: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let cur = '';
  for (const ch of args) {
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') depth--;
    else if (ch === ',' && depth === 0) {
      if (cur.trim()) out.push(cur.trim());
      cur = '';
      continue;
    }
    cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/** '(3, 3)' → '3×3', '(2, 2)' → '2', '1' → '1' (a square tuple collapses to one number). */
function tupleText(v: string, square: boolean): string {
  const inner = v.replace(/^\(\s*/, '').replace(/\s*,?\s*\)$/, '');
  const parts = inner.split(/\s*,\s*/).filter(Boolean);
  if (parts.length > 1 && parts.every((p) => p === parts[0])) return square ? parts.join('×') : parts[0];
  return parts.join('×');
}

/**
 * A short description of a layer from its constructor repr, for diagram nodes:
 * Conv2d '64, 128, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), bias=False' → '3×3, 64→128, stride 2';
 * BatchNorm2d '128, eps=1e-05, …' → '128'; Linear 'in_features=512, out_features=10, bias=True' → '512→10'.
 */
export function summarizeArgs(className: string, args: string): string {
  const parts = splitArgs(args);
  const positional = parts.filter((p) => !/^[A-Za-z_]\w*\s*=/.test(p));
  const kw = new Map<string, string>();
  for (const p of parts) {
    const m = /^([A-Za-z_]\w*)\s*=\s*(.*)$/s.exec(p);
    if (m) kw.set(m[1], m[2]);
  }
  if (/^(Conv|ConvTranspose)[123]d$/.test(className)) {
    const inC = positional[0] ?? kw.get('in_channels');
    const outC = positional[1] ?? kw.get('out_channels');
    const k = positional[2] ?? kw.get('kernel_size');
    const bits: string[] = [];
    if (k) bits.push(tupleText(k, true));
    if (inC && outC) bits.push(`${inC}→${outC}`);
    const stride = kw.get('stride') ?? positional[3];
    if (stride && tupleText(stride, false) !== '1') bits.push(`stride ${tupleText(stride, false)}`);
    const groups = kw.get('groups');
    if (groups && groups !== '1') bits.push(`groups ${groups}`);
    return bits.join(', ');
  }
  if (className === 'Linear') {
    const a = kw.get('in_features') ?? positional[0];
    const b = kw.get('out_features') ?? positional[1];
    return a && b ? `${a}→${b}` : args;
  }
  if (/^(BatchNorm|InstanceNorm)[123]d$/.test(className) || className === 'LayerNorm' || className === 'GroupNorm') {
    return positional.join(', ');
  }
  if (/Pool[123]d$/.test(className)) {
    const k = kw.get('kernel_size') ?? kw.get('output_size') ?? positional[0];
    return k ? tupleText(k, true) : '';
  }
  if (/^(ReLU|GELU|SiLU|Sigmoid|Tanh|Identity|Flatten|Dropout\d?d?)$/.test(className)) return '';
  return args.length > 28 ? `${args.slice(0, 27)}…` : args;
}
