// Text the way CPython writes it: repr/str of every value, float repr, the format-spec mini-language,
// %-formatting and str.format. Float digits are computed exactly (BigInt) so rounding matches CPython.

import { lookupType, typeName, typeOf } from './builtinTypes';
import type { Interpreter } from './interpreter';
import {
  Ellipsis,
  NotImplemented,
  PyBoundMethod,
  PyBuiltinFunction,
  PyClass,
  PyClassMethod,
  PyDict,
  PyFloat,
  PyFunction,
  PyInstance,
  PyIterator,
  PyList,
  PyModuleObject,
  PyOpaque,
  PyProperty,
  PyRange,
  PySet,
  PySlice,
  PyStaticMethod,
  PyTuple,
  objectId,
  type PyValue,
} from './values';

// ------------------------------------------------------------------ numbers

/** Python's repr(float): shortest round-trip digits, fixed for 1e-4 <= |x| < 1e16, else exponent. */
export function floatRepr(x: number): string {
  if (x !== x) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const s = x.toExponential();
  const ePos = s.indexOf('e');
  let mant = s.slice(0, ePos);
  const exp = parseInt(s.slice(ePos + 1), 10);
  let sign = '';
  if (mant[0] === '-') {
    sign = '-';
    mant = mant.slice(1);
  }
  const digits = mant.replace('.', '');
  if (exp >= -4 && exp < 16) {
    if (exp >= 0) {
      const intPart = digits.length > exp + 1 ? digits.slice(0, exp + 1) : digits.padEnd(exp + 1, '0');
      const frac = digits.slice(exp + 1);
      return sign + intPart + '.' + (frac || '0');
    }
    return sign + '0.' + '0'.repeat(-exp - 1) + digits;
  }
  const m = digits.length > 1 ? digits[0] + '.' + digits.slice(1) : digits;
  return sign + m + 'e' + (exp < 0 ? '-' : '+') + String(Math.abs(exp)).padStart(2, '0');
}

/** Python's repr(int), exact for every double-representable integer. */
export function intRepr(n: number): string {
  if (Number.isSafeInteger(n) || Math.abs(n) < 1e21) return String(n);
  if (!isFinite(n)) return n > 0 ? 'inf' : '-inf';
  return BigInt(n).toString();
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Exact decimal expansion of a positive finite double: value = digits × 10^exp10. */
function exactDecimal(x: number): { digits: bigint; exp10: number } {
  f64[0] = x;
  const hi = LITTLE ? u32[1] : u32[0];
  const lo = LITTLE ? u32[0] : u32[1];
  const bexp = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e: number;
  if (bexp === 0) e = -1074;
  else {
    mant |= 1n << 52n;
    e = bexp - 1075;
  }
  if (mant === 0n) return { digits: 0n, exp10: 0 };
  if (e >= 0) return { digits: mant << BigInt(e), exp10: 0 };
  return { digits: mant * 5n ** BigInt(-e), exp10: e };
}

/** Rounds n / 10^k (k > 0) to the nearest integer, ties to even. */
function divRoundHalfEven(n: bigint, k: number): bigint {
  if (k <= 0) return n * 10n ** BigInt(-k);
  const d = 10n ** BigInt(k);
  const q = n / d;
  const r = n % d;
  const twice = r * 2n;
  if (twice > d || (twice === d && q % 2n === 1n)) return q + 1n;
  return q;
}

/** |x| with `decimals` digits after the point, correctly rounded (half-even on the exact value). */
export function toFixedExact(x: number, decimals: number): string {
  const ax = Math.abs(x);
  let body: string;
  if (ax === 0) body = decimals > 0 ? '0.' + '0'.repeat(decimals) : '0';
  else {
    const { digits, exp10 } = exactDecimal(ax);
    const n = divRoundHalfEven(digits, -(exp10 + decimals));
    let s = n.toString();
    if (decimals > 0) {
      s = s.padStart(decimals + 1, '0');
      body = s.slice(0, s.length - decimals) + '.' + s.slice(s.length - decimals);
    } else body = s;
  }
  return body;
}

/** |x| rounded to `sig` significant digits: digit string (length sig) and decimal exponent of the first digit. */
function toSignificant(ax: number, sig: number): { digits: string; exp: number } {
  if (ax === 0) return { digits: '0'.repeat(sig), exp: 0 };
  const { digits, exp10 } = exactDecimal(ax);
  const ds = digits.toString();
  let exp = ds.length - 1 + exp10;
  let n = divRoundHalfEven(digits, ds.length - sig);
  let s = n.toString();
  if (s.length > sig) {
    n = n / 10n;
    s = n.toString();
    exp += 1;
  }
  return { digits: s, exp };
}

function expString(exp: number): string {
  return (exp < 0 ? '-' : '+') + String(Math.abs(exp)).padStart(2, '0');
}

/** 'e' formatting of |x| with `prec` digits after the point. */
function formatExp(ax: number, prec: number, upper: boolean, alt: boolean): string {
  const { digits, exp } = toSignificant(ax, prec + 1);
  let m = digits[0];
  if (prec > 0) m += '.' + digits.slice(1);
  else if (alt) m += '.';
  return m + (upper ? 'E' : 'e') + expString(exp);
}

/** 'g' formatting of |x|. */
function formatGeneral(ax: number, prec: number, upper: boolean, alt: boolean, reprLike: boolean): string {
  if (prec === 0) prec = 1;
  const { exp } = ax === 0 ? { exp: 0 } : toSignificant(ax, prec);
  let s: string;
  if (exp >= -4 && exp < prec) {
    s = toFixedExact(ax, prec - 1 - exp);
    if (!alt && s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
    if (reprLike && !s.includes('.')) s += '.0';
  } else {
    s = formatExp(ax, prec - 1, upper, alt);
    if (!alt) {
      const ePos = s.indexOf(upper ? 'E' : 'e');
      let m = s.slice(0, ePos);
      if (m.includes('.')) m = m.replace(/0+$/, '').replace(/\.$/, '');
      s = m + s.slice(ePos);
    }
  }
  return s;
}

function nonFinite(x: number, upper: boolean): string | undefined {
  if (x !== x) return upper ? 'NAN' : 'nan';
  if (!isFinite(x)) return upper ? 'INF' : 'inf';
  return undefined;
}

// ------------------------------------------------------------------ format spec mini-language

export interface FormatSpec {
  fill: string;
  align: string;
  sign: string;
  alt: boolean;
  zero: boolean;
  width: number;
  grouping: string;
  precision: number;
  type: string;
}

export function parseFormatSpec(spec: string): FormatSpec | string {
  const out: FormatSpec = { fill: ' ', align: '', sign: '', alt: false, zero: false, width: -1, grouping: '', precision: -1, type: '' };
  let i = 0;
  const isAlign = (c: string | undefined) => c === '<' || c === '>' || c === '=' || c === '^';
  if (spec.length >= 2 && isAlign(spec[1])) {
    out.fill = spec[0];
    out.align = spec[1];
    i = 2;
  } else if (isAlign(spec[0])) {
    out.align = spec[0];
    i = 1;
  }
  if (spec[i] === '+' || spec[i] === '-' || spec[i] === ' ') out.sign = spec[i++];
  if (spec[i] === 'z') i++;
  if (spec[i] === '#') {
    out.alt = true;
    i++;
  }
  if (spec[i] === '0') {
    out.zero = true;
    i++;
  }
  let w = '';
  while (i < spec.length && spec[i] >= '0' && spec[i] <= '9') w += spec[i++];
  if (w) out.width = parseInt(w, 10);
  if (spec[i] === ',' || spec[i] === '_') out.grouping = spec[i++];
  if (spec[i] === '.') {
    i++;
    let p = '';
    while (i < spec.length && spec[i] >= '0' && spec[i] <= '9') p += spec[i++];
    if (!p) return 'Format specifier missing precision';
    out.precision = parseInt(p, 10);
  }
  if (i < spec.length) out.type = spec[i++];
  if (i < spec.length) return 'Invalid format specifier';
  return out;
}

function group(intDigits: string, sep: string, every = 3): string {
  if (!sep) return intDigits;
  let out = '';
  let n = 0;
  for (let i = intDigits.length - 1; i >= 0; i--) {
    out = intDigits[i] + out;
    if (++n % every === 0 && i > 0) out = sep + out;
  }
  return out;
}

function pad(body: string, sign: string, s: FormatSpec, defaultAlign: string): string {
  let fill = s.fill;
  let align = s.align || defaultAlign;
  if (s.zero && !s.align) {
    fill = '0';
    align = '=';
  }
  const total = sign.length + body.length;
  if (s.width <= total) return sign + body;
  const n = s.width - total;
  switch (align) {
    case '<':
      return sign + body + fill.repeat(n);
    case '^': {
      const left = Math.floor(n / 2);
      return fill.repeat(left) + sign + body + fill.repeat(n - left);
    }
    case '=':
      return sign + fill.repeat(n) + body;
    default:
      return fill.repeat(n) + sign + body;
  }
}

function signOf(neg: boolean, s: FormatSpec): string {
  if (neg) return '-';
  if (s.sign === '+') return '+';
  if (s.sign === ' ') return ' ';
  return '';
}

/** Formats an int with a parsed spec; returns an error message string via `err` when invalid. */
export function formatInt(n: number, s: FormatSpec, err: (m: string) => never): string {
  const t = s.type;
  if (t === 'e' || t === 'E' || t === 'f' || t === 'F' || t === 'g' || t === 'G' || t === '%')
    return formatFloat(n, s, err);
  if (s.precision >= 0) err('Precision not allowed in integer format specifier');
  const neg = n < 0;
  const big = BigInt(Math.trunc(Math.abs(n)));
  let body: string;
  let prefix = '';
  switch (t) {
    case '':
    case 'd':
    case 'n':
      body = group(big.toString(), s.grouping);
      break;
    case 'x':
    case 'X':
      body = group(big.toString(16), s.grouping === '_' ? '_' : '', 4);
      if (t === 'X') body = body.toUpperCase();
      if (s.alt) prefix = t === 'X' ? '0X' : '0x';
      break;
    case 'o':
      body = group(big.toString(8), s.grouping === '_' ? '_' : '', 4);
      if (s.alt) prefix = '0o';
      break;
    case 'b':
      body = group(big.toString(2), s.grouping === '_' ? '_' : '', 4);
      if (s.alt) prefix = '0b';
      break;
    case 'c':
      body = String.fromCodePoint(Number(big));
      return pad(body, '', s, '>');
    default:
      return err(`Unknown format code '${t}' for object of type 'int'`);
  }
  if (s.zero && !s.align && s.grouping && (t === '' || t === 'd')) {
    // Zero padding participates in grouping ('{:010,}' → '00,001,234').
    const sign = signOf(neg, s);
    const want = s.width - sign.length;
    let digits = big.toString();
    let g = group(digits, s.grouping);
    while (g.length < want) {
      digits = '0' + digits;
      g = group(digits, s.grouping);
    }
    return sign + g;
  }
  return pad(body, signOf(neg, s) + prefix, s, '>');
}

/** Formats a float (or int coerced) with a parsed spec. */
export function formatFloat(x: number, s: FormatSpec, err: (m: string) => never): string {
  const t = s.type;
  const neg = x < 0 || Object.is(x, -0);
  const ax = Math.abs(x);
  const upper = t === 'E' || t === 'F' || t === 'G';
  let body: string;
  const nf = nonFinite(x, upper);
  if (nf !== undefined) {
    body = nf;
    if (t === '%') body += '%';
    return pad(body, x !== x ? signOf(false, s) : signOf(neg, s), { ...s, zero: false, fill: s.zero && !s.align ? ' ' : s.fill }, '>');
  }
  const prec = s.precision;
  switch (t) {
    case 'f':
    case 'F':
      body = toFixedExact(ax, prec < 0 ? 6 : prec);
      if (s.alt && !body.includes('.')) body += '.';
      break;
    case 'e':
    case 'E':
      body = formatExp(ax, prec < 0 ? 6 : prec, upper, s.alt);
      break;
    case 'g':
    case 'G':
    case 'n':
      body = formatGeneral(ax, prec < 0 ? 6 : prec, upper, s.alt, false);
      break;
    case '%':
      body = toFixedExact(ax * 100, prec < 0 ? 6 : prec) + '%';
      break;
    case '':
      if (prec < 0) {
        body = floatRepr(ax);
      } else body = formatGeneral(ax, prec, false, s.alt, true);
      break;
    default:
      return err(`Unknown format code '${t}' for object of type 'float'`);
  }
  if (s.grouping) {
    const m = /^(\d+)(.*)$/.exec(body);
    if (m) body = group(m[1], s.grouping) + m[2];
  }
  return pad(body, signOf(neg, s), s, '>');
}

export function formatStr(v: string, s: FormatSpec, err: (m: string) => never): string {
  if (s.type !== '' && s.type !== 's') err(`Unknown format code '${s.type}' for object of type 'str'`);
  if (s.sign) err('Sign not allowed in string format specifier');
  if (s.align === '=') err("'=' alignment not allowed in string format specifier");
  const body = s.precision >= 0 ? v.slice(0, s.precision) : v;
  return pad(body, '', s, '<');
}

// ------------------------------------------------------------------ repr / str

/** Python's repr of a str. */
export function strRepr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = q;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    const code = s.charCodeAt(i);
    if (c === q || c === '\\') out += '\\' + c;
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += '\\x' + code.toString(16).padStart(2, '0');
    else if (code >= 0x80 && code < 0xa0) out += '\\x' + code.toString(16).padStart(2, '0');
    else out += c;
  }
  return out + q;
}

export function hexId(o: object): string {
  return '0x7f' + (0x1000000 + objectId(o) * 16).toString(16).padStart(10, '0');
}

/** repr(v) for values that do not need Python-level dispatch; `ip` handles instances and nested values. */
export function reprValue(ip: Interpreter, v: PyValue, seen: Set<object>): string {
  if (v === null) return 'None';
  switch (typeof v) {
    case 'boolean':
      return v ? 'True' : 'False';
    case 'number':
      return intRepr(v);
    case 'string':
      return strRepr(v);
  }
  if (v instanceof PyFloat) return floatRepr(v.v);
  if (v instanceof PyInstance) return ip.instanceRepr(v);
  if (v instanceof PyList) {
    if (seen.has(v)) return '[...]';
    seen.add(v);
    const s = '[' + v.items.map((x) => ip.reprIn(x, seen)).join(', ') + ']';
    seen.delete(v);
    return s;
  }
  if (v instanceof PyTuple) {
    if (seen.has(v)) return '(...)';
    seen.add(v);
    const inner = v.items.map((x) => ip.reprIn(x, seen)).join(', ');
    seen.delete(v);
    if (v.isSize) return `torch.Size([${inner}])`;
    return v.items.length === 1 ? `(${inner},)` : `(${inner})`;
  }
  if (v instanceof PyDict) {
    if (seen.has(v)) return '{...}';
    seen.add(v);
    const parts: string[] = [];
    for (const e of v.map.values()) parts.push(ip.reprIn(e.key, seen) + ': ' + ip.reprIn(e.value, seen));
    seen.delete(v);
    return '{' + parts.join(', ') + '}';
  }
  if (v instanceof PySet) {
    const items = [...v.map.values()].map((x) => ip.reprIn(x, seen));
    if (v.frozen) return items.length ? `frozenset({${items.join(', ')}})` : 'frozenset()';
    return items.length ? `{${items.join(', ')}}` : 'set()';
  }
  if (v instanceof PyRange)
    return v.step === 1 ? `range(${v.start}, ${v.stop})` : `range(${v.start}, ${v.stop}, ${v.step})`;
  if (v instanceof PySlice) return `slice(${ip.reprIn(v.start, seen)}, ${ip.reprIn(v.stop, seen)}, ${ip.reprIn(v.step, seen)})`;
  if (v === Ellipsis) return 'Ellipsis';
  if (v === NotImplemented) return 'NotImplemented';
  if (v instanceof PyClass) {
    const mod = v.module === 'builtins' ? '' : v.module + '.';
    return `<class '${mod}${ip.qualnameOf(v)}'>`;
  }
  if (v instanceof PyFunction) return `<function ${v.qualname} at ${hexId(v)}>`;
  if (v instanceof PyBuiltinFunction) return `<built-in function ${v.name}>`;
  if (v instanceof PyBoundMethod) {
    const f = v.func;
    const qn = f instanceof PyFunction ? f.qualname : f instanceof PyBuiltinFunction ? f.qualname : '?';
    return `<bound method ${qn} of ${ip.reprIn(v.self, seen)}>`;
  }
  if (v instanceof PyModuleObject) return v.file ? `<module '${v.name}' from '${v.file}'>` : `<module '${v.name}' (built-in)>`;
  if (v instanceof PyOpaque) return `<unknown ${v.label}>`;
  if (v instanceof PyIterator) {
    if (v.label === 'generator') return `<generator object at ${hexId(v)}>`;
    return `<${v.label} object at ${hexId(v)}>`;
  }
  if (v instanceof PyProperty) return `<property object at ${hexId(v)}>`;
  if (v instanceof PyStaticMethod) return `<staticmethod(${ip.reprIn(v.func, seen)})>`;
  if (v instanceof PyClassMethod) return `<classmethod(${ip.reprIn(v.func, seen)})>`;
  const f = lookupType(typeOf(v), '__repr__');
  if (f !== undefined && f !== null && !ip.isObjectDefault(f)) {
    const r = ip.callMethod(f, v, []);
    if (typeof r === 'string') return r;
  }
  return ip.objectRepr(v);
}

// ------------------------------------------------------------------ % formatting

/** `fmt % args` with CPython's conversions and error messages. */
export function percentFormat(ip: Interpreter, fmt: string, args: PyValue): string {
  let items: PyValue[];
  let mapping: PyValue | null = null;
  if (args instanceof PyTuple) items = args.items;
  else {
    items = [args];
    if (args instanceof PyDict || (args instanceof PyInstance && ip.getAttrOrUndefined(args, 'keys') !== undefined && !(args.native instanceof PyTuple)))
      mapping = args;
  }
  let ai = 0;
  let usedMapping = false;
  const next = (): PyValue => {
    if (ai >= items.length) ip.raise('TypeError', 'not enough arguments for format string');
    return items[ai++];
  };
  let out = '';
  let i = 0;
  while (i < fmt.length) {
    const c = fmt[i];
    if (c !== '%') {
      const j = fmt.indexOf('%', i);
      const end = j < 0 ? fmt.length : j;
      out += fmt.slice(i, end);
      i = end;
      continue;
    }
    i++;
    if (i >= fmt.length) ip.raise('ValueError', 'incomplete format');
    let value: PyValue | undefined;
    if (fmt[i] === '(') {
      const close = fmt.indexOf(')', i);
      if (close < 0) ip.raise('ValueError', 'incomplete format key');
      const key = fmt.slice(i + 1, close);
      if (!mapping) ip.raise('TypeError', 'format requires a mapping');
      value = ip.getItem(mapping, key);
      usedMapping = true;
      i = close + 1;
    }
    const spec: FormatSpec = { fill: ' ', align: '', sign: '', alt: false, zero: false, width: -1, grouping: '', precision: -1, type: '' };
    for (; i < fmt.length; i++) {
      const f = fmt[i];
      if (f === '-') spec.align = '<';
      else if (f === '+') spec.sign = '+';
      else if (f === ' ') spec.sign = spec.sign || ' ';
      else if (f === '#') spec.alt = true;
      else if (f === '0') spec.zero = true;
      else break;
    }
    if (fmt[i] === '*') {
      spec.width = ip.toInt(next());
      i++;
    } else {
      let w = '';
      while (fmt[i] >= '0' && fmt[i] <= '9') w += fmt[i++];
      if (w) spec.width = parseInt(w, 10);
    }
    if (fmt[i] === '.') {
      i++;
      if (fmt[i] === '*') {
        spec.precision = ip.toInt(next());
        i++;
      } else {
        let p = '';
        while (fmt[i] >= '0' && fmt[i] <= '9') p += fmt[i++];
        spec.precision = p ? parseInt(p, 10) : 0;
      }
    }
    while (fmt[i] === 'h' || fmt[i] === 'l' || fmt[i] === 'L') i++;
    const t = fmt[i++];
    if (t === undefined) ip.raise('ValueError', 'incomplete format');
    if (t === '%') {
      out += '%';
      continue;
    }
    if (value === undefined) value = next();
    if (spec.align === '<') spec.zero = false;
    if (value instanceof PyOpaque) {
      // An unknown value (e.g. loss.item() in a symbolic trace) prints as itself whatever the conversion.
      out += pad(ip.str(value), '', { ...spec, zero: false }, '>');
      continue;
    }
    const err = (m: string): never => ip.raise('ValueError', m);
    switch (t) {
      case 's':
      case 'r':
      case 'a': {
        let s = t === 's' ? ip.str(value) : ip.repr(value);
        if (spec.precision >= 0) s = s.slice(0, spec.precision);
        out += pad(s, '', { ...spec, zero: false }, '>');
        break;
      }
      case 'd':
      case 'i':
      case 'u': {
        const n = ip.numberForFormat(value, t);
        spec.type = 'd';
        const p = spec.precision;
        spec.precision = -1;
        let body = formatInt(Math.trunc(n), { ...spec, width: -1, sign: '' }, err).replace('-', '');
        if (p > 0) body = body.padStart(p, '0');
        out += pad(body, signOf(n < 0, spec), spec, '>');
        break;
      }
      case 'x':
      case 'X':
      case 'o': {
        const n = ip.numberForFormat(value, t);
        const body = formatInt(Math.trunc(Math.abs(n)), { ...spec, width: -1, sign: '', type: t }, err);
        out += pad(body, signOf(n < 0, spec), spec, '>');
        break;
      }
      case 'e':
      case 'E':
      case 'f':
      case 'F':
      case 'g':
      case 'G': {
        const n = ip.numberForFormat(value, t);
        spec.type = t;
        out += formatFloat(n, spec, err);
        break;
      }
      case 'c': {
        const s = typeof value === 'string' ? value : String.fromCodePoint(ip.toInt(value));
        out += pad(s, '', spec, '>');
        break;
      }
      default:
        ip.raise('ValueError', `unsupported format character '${t}' (0x${t.charCodeAt(0).toString(16)}) at index ${i - 1}`);
    }
  }
  if (ai < items.length && !usedMapping && !(mapping && items.length === 1))
    ip.raise('TypeError', 'not all arguments converted during string formatting');
  return out;
}

// ------------------------------------------------------------------ str.format

/** str.format(*args, **kwargs). */
export function strFormat(ip: Interpreter, fmt: string, args: PyValue[], kwargs: Map<string, PyValue>): string {
  let auto = 0;
  let out = '';
  let i = 0;
  while (i < fmt.length) {
    const c = fmt[i];
    if (c === '{') {
      if (fmt[i + 1] === '{') {
        out += '{';
        i += 2;
        continue;
      }
      // find the matching close brace, allowing one level of nested fields in the spec
      let depth = 1;
      let j = i + 1;
      while (j < fmt.length && depth > 0) {
        if (fmt[j] === '{') depth++;
        else if (fmt[j] === '}') depth--;
        if (depth > 0) j++;
      }
      if (depth > 0) ip.raise('ValueError', "expected '}' before end of string");
      const field = fmt.slice(i + 1, j);
      i = j + 1;
      // split field: name[!conv][:spec]
      let name = field;
      let conv = '';
      let spec = '';
      let k = 0;
      let bracket = false;
      for (; k < field.length; k++) {
        const ch = field[k];
        if (ch === '[') bracket = true;
        else if (ch === ']') bracket = false;
        else if (!bracket && (ch === '!' || ch === ':')) break;
      }
      name = field.slice(0, k);
      let rest = field.slice(k);
      if (rest.startsWith('!')) {
        conv = rest[1] ?? '';
        rest = rest.slice(2);
      }
      if (rest.startsWith(':')) spec = rest.slice(1);
      if (spec.includes('{')) spec = strFormatNested(ip, spec, args, kwargs, () => auto++);
      // resolve name
      const m = /^([^.[]*)(.*)$/.exec(name)!;
      let first = m[1];
      let value: PyValue;
      if (first === '') {
        const idx = auto++;
        if (idx >= args.length) ip.raise('IndexError', `Replacement index ${idx} out of range for positional args tuple`);
        value = args[idx];
      } else if (/^\d+$/.test(first)) {
        const idx = parseInt(first, 10);
        if (idx >= args.length) ip.raise('IndexError', `Replacement index ${idx} out of range for positional args tuple`);
        value = args[idx];
      } else {
        const v = kwargs.get(first);
        if (v === undefined) ip.raise('KeyError', strRepr(first));
        value = v;
      }
      let tail = m[2];
      while (tail) {
        const a = /^\.([^.[]+)/.exec(tail);
        if (a) {
          value = ip.getAttr(value, a[1]);
          tail = tail.slice(a[0].length);
          continue;
        }
        const b = /^\[([^\]]*)\]/.exec(tail);
        if (b) {
          const key = /^\d+$/.test(b[1]) ? parseInt(b[1], 10) : b[1];
          value = ip.getItem(value, key);
          tail = tail.slice(b[0].length);
          continue;
        }
        ip.raise('ValueError', 'Only \'.\' or \'[\' may follow \']\' in format field specifier');
      }
      first = '';
      if (conv === 'r' || conv === 'a') value = ip.repr(value);
      else if (conv === 's') value = ip.str(value);
      else if (conv) ip.raise('ValueError', `Unknown conversion specifier ${conv}`);
      out += ip.format(value, spec);
    } else if (c === '}') {
      if (fmt[i + 1] === '}') {
        out += '}';
        i += 2;
        continue;
      }
      ip.raise('ValueError', "Single '}' encountered in format string");
    } else {
      let j = i;
      while (j < fmt.length && fmt[j] !== '{' && fmt[j] !== '}') j++;
      out += fmt.slice(i, j);
      i = j;
    }
  }
  return out;
}

function strFormatNested(
  ip: Interpreter,
  spec: string,
  args: PyValue[],
  kwargs: Map<string, PyValue>,
  nextAuto: () => number,
): string {
  return spec.replace(/\{([^{}]*)\}/g, (_m, name: string) => {
    if (name === '') return ip.str(args[nextAuto()] ?? '');
    if (/^\d+$/.test(name)) return ip.str(args[parseInt(name, 10)] ?? '');
    return ip.str(kwargs.get(name) ?? '');
  });
}

/** Message for a bad operand of a string method. */
export function expectStr(ip: Interpreter, v: PyValue, what: string): string {
  if (typeof v === 'string') return v;
  if (v instanceof PyInstance && typeof v.native === 'string') return v.native;
  return ip.raise('TypeError', `${what} must be str, not ${typeName(v)}`);
}
