// Methods of the builtin value types (str, list, tuple, dict, set, int, float, range, slice, iterators),
// stored as PyBuiltinFunctions in the class dicts so getattr, bound methods and subclasses all work alike.

import {
  BIN_DUNDERS,
  binop,
  compareOp,
  contains,
  delItem,
  eqBool,
  getItem,
  inplaceOp,
  sliceIndices,
  setItem,
  type CompareOp,
} from './operators';
import {
  boolClass,
  classmethodClass,
  dictClass,
  floatClass,
  frozensetClass,
  generatorClass,
  intClass,
  iteratorClass,
  listClass,
  lookupType,
  metaclassOf,
  rangeClass,
  setClass,
  sizeClass,
  sliceClass,
  strClass,
  tupleClass,
  typeName,
} from './builtinTypes';
import { argOr, ipOf, unwrap } from './helpers';
import type { Interpreter } from './interpreter';
import { DictView } from './objects';
import { expectStr, strFormat } from './strings';
import {
  NotImplemented as notImplemented,
  PyBuiltinFunction,
  PyClass,
  PyClassMethod,
  PyDict,
  PyFloat,
  PyInstance,
  PyIterator,
  PyList,
  PyOpaque,
  PyProperty,
  PyRaise,
  PyRange,
  PySet,
  PySlice,
  PyTuple,
  STOP,
  hashKey,
  type CallArgs,
  type CallContext,
  type PyValue,
} from './values';

type Method = (self: PyValue, args: PyValue[], kw: Map<string, PyValue>, ip: Interpreter) => PyValue;

function def(cls: PyClass, name: string, f: Method): void {
  cls.dict.set(
    name,
    new PyBuiltinFunction(
      name,
      (c: CallArgs, ctx: CallContext) => {
        if (c.args.length === 0) return ipOf(ctx).raise('TypeError', `unbound method ${cls.name}.${name}() needs an argument`);
        return f(c.args[0], c.args.slice(1), c.kwargs, ipOf(ctx));
      },
      `${cls.name}.${name}`,
    ),
  );
}

function prop(cls: PyClass, name: string, f: (self: PyValue) => PyValue): void {
  cls.dict.set(name, new PyProperty(new PyBuiltinFunction(name, (c) => f(c.args[0]), `${cls.name}.${name}`)));
}

function arg(args: PyValue[], kw: Map<string, PyValue>, i: number, name: string, dflt: PyValue): PyValue {
  if (i < args.length) return args[i];
  const v = kw.get(name);
  return v === undefined ? dflt : v;
}

// ================================================================ helpers used across the runtime

export function lenOf(ip: Interpreter, v: PyValue): PyValue {
  if (typeof v === 'string') return v.length;
  if (v instanceof PyList || v instanceof PyTuple) return v.items.length;
  if (v instanceof PyDict) return v.size;
  if (v instanceof PySet) return v.map.size;
  if (v instanceof PyRange) return v.length;
  if (v instanceof DictView) return v.dict.size;
  if (v instanceof PyInstance || v instanceof PyClass) {
    const cls = v instanceof PyClass ? metaclassOf(v) : v.cls;
    const f = lookupType(cls, '__len__');
    if (f !== undefined && f !== null) {
      const r = ip.callMethod(f, v, []);
      const n = ip.toIndexOrUndefined(r);
      if (n === undefined) return r instanceof PyOpaque ? r : ip.raise('TypeError', `'${typeName(r)}' object cannot be interpreted as an integer`);
      if (n < 0) ip.raise('ValueError', '__len__() should return >= 0');
      return n;
    }
  }
  if (v instanceof PyOpaque) return new PyOpaque(`len(${v.label})`);
  return ip.raise('TypeError', `object of type '${typeName(v)}' has no len()`);
}

function lessThan(ip: Interpreter, a: PyValue, b: PyValue): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a < b;
  if (typeof a === 'string' && typeof b === 'string') return a < b;
  if (a instanceof PyFloat && b instanceof PyFloat) return a.v < b.v;
  const r = compareOp(ip, '<', a, b);
  return r === true || (r !== false && ip.truthy(r));
}

/** Stable sort with Python's `<`, optional key function and reverse (equal items keep their order). */
export function sortValues(ip: Interpreter, items: PyValue[], key: PyValue, reverse: boolean): PyValue[] {
  const keys = key === null ? items : items.map((x) => ip.call(key, [x]));
  const idx = items.map((_, i) => i);
  idx.sort((i, j) => {
    let a = keys[i];
    let b = keys[j];
    if (reverse) [a, b] = [b, a];
    if (lessThan(ip, a, b)) return -1;
    if (lessThan(ip, b, a)) return 1;
    return 0;
  });
  return idx.map((i) => items[i]);
}

function asList(ip: Interpreter, self: PyValue): PyList {
  const v = unwrap(self);
  if (v instanceof PyList) return v;
  return ip.raise('TypeError', `descriptor requires a 'list' object but received a '${typeName(self)}'`);
}
function asDict(ip: Interpreter, self: PyValue): PyDict {
  const v = unwrap(self);
  if (v instanceof PyDict) return v;
  return ip.raise('TypeError', `descriptor requires a 'dict' object but received a '${typeName(self)}'`);
}
function asSet(ip: Interpreter, self: PyValue): PySet {
  const v = unwrap(self);
  if (v instanceof PySet) return v;
  return ip.raise('TypeError', `descriptor requires a 'set' object but received a '${typeName(self)}'`);
}
function asTuple(ip: Interpreter, self: PyValue): PyTuple {
  const v = unwrap(self);
  if (v instanceof PyTuple) return v;
  return ip.raise('TypeError', `descriptor requires a 'tuple' object but received a '${typeName(self)}'`);
}
function asStr(ip: Interpreter, self: PyValue): string {
  const v = unwrap(self);
  if (typeof v === 'string') return v;
  return ip.raise('TypeError', `descriptor requires a 'str' object but received a '${typeName(self)}'`);
}

function optIndex(ip: Interpreter, v: PyValue, len: number, dflt: number): number {
  if (v === null || v === undefined) return dflt;
  let i = ip.toIndex(v, 'slice indices must be integers or None or have an __index__ method');
  if (i < 0) i = Math.max(0, i + len);
  return Math.min(i, len);
}

// ================================================================ str

const WS = /[\s\u001c-\u001f\u0085]/;
function isSpace(ch: string): boolean {
  return WS.test(ch);
}

function splitWhitespace(s: string, maxsplit: number): string[] {
  const out: string[] = [];
  let i = 0;
  const n = s.length;
  while (i < n) {
    while (i < n && isSpace(s[i])) i++;
    if (i >= n) break;
    if (maxsplit >= 0 && out.length === maxsplit) {
      let rest = s.slice(i);
      rest = rest.replace(/[\s\u001c-\u001f\u0085]+$/, '');
      out.push(rest);
      return out;
    }
    let j = i;
    while (j < n && !isSpace(s[j])) j++;
    out.push(s.slice(i, j));
    i = j;
  }
  return out;
}

function rsplitWhitespace(s: string, maxsplit: number): string[] {
  const out: string[] = [];
  let i = s.length - 1;
  while (i >= 0) {
    while (i >= 0 && isSpace(s[i])) i--;
    if (i < 0) break;
    if (maxsplit >= 0 && out.length === maxsplit) {
      out.push(s.slice(0, i + 1).replace(/^[\s\u001c-\u001f\u0085]+/, ''));
      break;
    }
    let j = i;
    while (j >= 0 && !isSpace(s[j])) j--;
    out.push(s.slice(j + 1, i + 1));
    i = j;
  }
  return out.reverse();
}

function stripChars(s: string, chars: PyValue, left: boolean, right: boolean, ip: Interpreter): string {
  let a = 0;
  let b = s.length;
  const test =
    chars === null || chars === undefined
      ? (ch: string) => isSpace(ch)
      : (() => {
          const set = expectStr(ip, chars, 'strip arg');
          return (ch: string) => set.includes(ch);
        })();
  if (left) while (a < b && test(s[a])) a++;
  if (right) while (b > a && test(s[b - 1])) b--;
  return s.slice(a, b);
}

function isCased(ch: string): boolean {
  return ch.toLowerCase() !== ch.toUpperCase();
}

function installStr(): void {
  const S = strClass;
  def(S, 'join', (self, args, _kw, ip) => {
    const sep = asStr(ip, self);
    const items = ip.iterate(args[0]);
    const parts: string[] = new Array(items.length);
    for (let i = 0; i < items.length; i++) {
      const it = unwrap(items[i]);
      parts[i] = typeof it === 'string' ? it : ip.raise('TypeError', `sequence item ${i}: expected str instance, ${typeName(items[i])} found`);
    }
    return parts.join(sep);
  });
  def(S, 'split', (self, args, kw, ip) => {
    const s = asStr(ip, self);
    const sep = arg(args, kw, 0, 'sep', null);
    const maxsplit = ip.toInt(arg(args, kw, 1, 'maxsplit', -1));
    if (sep === null) return new PyList(splitWhitespace(s, maxsplit));
    const sp = expectStr(ip, sep, 'must be str or None');
    if (sp === '') ip.raise('ValueError', 'empty separator');
    const parts = s.split(sp);
    if (maxsplit >= 0 && parts.length > maxsplit + 1) {
      const head = parts.slice(0, maxsplit);
      head.push(parts.slice(maxsplit).join(sp));
      return new PyList(head);
    }
    return new PyList(parts);
  });
  def(S, 'rsplit', (self, args, kw, ip) => {
    const s = asStr(ip, self);
    const sep = arg(args, kw, 0, 'sep', null);
    const maxsplit = ip.toInt(arg(args, kw, 1, 'maxsplit', -1));
    if (sep === null) return new PyList(rsplitWhitespace(s, maxsplit));
    const sp = expectStr(ip, sep, 'must be str or None');
    if (sp === '') ip.raise('ValueError', 'empty separator');
    const parts = s.split(sp);
    if (maxsplit >= 0 && parts.length > maxsplit + 1) {
      const cut = parts.length - maxsplit;
      return new PyList([parts.slice(0, cut).join(sp), ...parts.slice(cut)]);
    }
    return new PyList(parts);
  });
  def(S, 'strip', (self, args, _kw, ip) => stripChars(asStr(ip, self), args[0] ?? null, true, true, ip));
  def(S, 'lstrip', (self, args, _kw, ip) => stripChars(asStr(ip, self), args[0] ?? null, true, false, ip));
  def(S, 'rstrip', (self, args, _kw, ip) => stripChars(asStr(ip, self), args[0] ?? null, false, true, ip));
  def(S, 'replace', (self, args, kw, ip) => {
    const s = asStr(ip, self);
    const old = expectStr(ip, args[0], 'replace() argument 1');
    const nw = expectStr(ip, args[1], 'replace() argument 2');
    let count = ip.toInt(arg(args, kw, 2, 'count', -1));
    if (count < 0) return old === '' ? [...s].join(nw).replace(/^/, nw) + (s.length ? nw : '') : s.split(old).join(nw);
    let out = '';
    let i = 0;
    while (count-- > 0) {
      const j = s.indexOf(old, i);
      if (j < 0) break;
      out += s.slice(i, j) + nw;
      i = j + old.length;
      if (old === '') {
        if (i < s.length) out += s[i];
        i++;
      }
    }
    return out + s.slice(i);
  });
  const startsEnds = (ends: boolean): Method => (self, args, _kw, ip) => {
    const s = asStr(ip, self);
    const start = optIndex(ip, args[1] ?? null, s.length, 0);
    const end = optIndex(ip, args[2] ?? null, s.length, s.length);
    const sub = s.slice(start, end);
    const pats = args[0] instanceof PyTuple ? args[0].items : [args[0]];
    for (const p of pats) {
      const pv = unwrap(p);
      const ps = typeof pv === 'string' ? pv : ip.raise('TypeError', `${ends ? 'endswith' : 'startswith'} first arg must be str or a tuple of str, not ${typeName(p)}`);
      if (start > s.length) continue;
      if (ends ? sub.endsWith(ps) : sub.startsWith(ps)) return true;
    }
    return false;
  };
  def(S, 'startswith', startsEnds(false));
  def(S, 'endswith', startsEnds(true));
  def(S, 'upper', (self, _a, _k, ip) => asStr(ip, self).toUpperCase());
  def(S, 'lower', (self, _a, _k, ip) => asStr(ip, self).toLowerCase());
  def(S, 'casefold', (self, _a, _k, ip) => asStr(ip, self).toLowerCase());
  def(S, 'swapcase', (self, _a, _k, ip) =>
    [...asStr(ip, self)].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join(''),
  );
  def(S, 'title', (self, _a, _k, ip) => {
    let out = '';
    let prevCased = false;
    for (const ch of asStr(ip, self)) {
      out += prevCased ? ch.toLowerCase() : ch.toUpperCase();
      prevCased = isCased(ch);
    }
    return out;
  });
  def(S, 'capitalize', (self, _a, _k, ip) => {
    const s = asStr(ip, self);
    return s.length ? s[0].toUpperCase() + s.slice(1).toLowerCase() : s;
  });
  def(S, 'format', (self, args, kw, ip) => strFormat(ip, asStr(ip, self), args, kw));
  def(S, 'format_map', (self, args, _kw, ip) => {
    const m = new Map<string, PyValue>();
    for (const [k, v] of ip.mappingItems(args[0])) m.set(ip.str(k), v);
    return strFormat(ip, asStr(ip, self), [], m);
  });
  const finder = (name: string, rev: boolean, raise: boolean): Method => (self, args, _kw, ip) => {
    const s = asStr(ip, self);
    const sub = expectStr(ip, args[0], 'must be str');
    const start = optIndex(ip, args[1] ?? null, s.length, 0);
    const end = optIndex(ip, args[2] ?? null, s.length, s.length);
    let r = -1;
    if (end - start >= sub.length) {
      const hay = s.slice(start, end);
      const j = rev ? hay.lastIndexOf(sub) : hay.indexOf(sub);
      r = j < 0 ? -1 : j + start;
    }
    if (r < 0 && raise) ip.raise('ValueError', 'substring not found');
    void name;
    return r;
  };
  def(S, 'find', finder('find', false, false));
  def(S, 'rfind', finder('rfind', true, false));
  def(S, 'index', finder('index', false, true));
  def(S, 'rindex', finder('rindex', true, true));
  def(S, 'count', (self, args, _kw, ip) => {
    const s = asStr(ip, self);
    const sub = expectStr(ip, args[0], 'must be str');
    const start = optIndex(ip, args[1] ?? null, s.length, 0);
    const end = optIndex(ip, args[2] ?? null, s.length, s.length);
    const hay = s.slice(start, end);
    if (sub === '') return hay.length + 1;
    return hay.split(sub).length - 1;
  });
  const pred = (name: string, test: (s: string) => boolean) =>
    def(S, name, (self, _a, _k, ip) => {
      const s = asStr(ip, self);
      return s.length > 0 && test(s);
    });
  pred('isdigit', (s) => /^[0-9\u00b2\u00b3\u00b9\u0660-\u0669]+$/.test(s));
  pred('isdecimal', (s) => /^[0-9]+$/.test(s));
  pred('isnumeric', (s) => /^[0-9\u00b2\u00b3\u00b9\u00bc-\u00be]+$/.test(s));
  pred('isalpha', (s) => /^\p{L}+$/u.test(s));
  pred('isalnum', (s) => /^[\p{L}\p{N}]+$/u.test(s));
  pred('isspace', (s) => [...s].every(isSpace));
  pred('isupper', (s) => s !== s.toLowerCase() && s === s.toUpperCase());
  pred('islower', (s) => s !== s.toUpperCase() && s === s.toLowerCase());
  pred('istitle', (s) => /\p{Lu}/u.test(s) && s === s.replace(/\p{L}+/gu, (w) => w[0].toUpperCase() + w.slice(1).toLowerCase()));
  def(S, 'isidentifier', (self, _a, _k, ip) => /^[\p{L}_][\p{L}\p{N}_]*$/u.test(asStr(ip, self)));
  def(S, 'isascii', (self, _a, _k, ip) => /^[\x00-\x7f]*$/.test(asStr(ip, self)));
  def(S, 'isprintable', (self, _a, _k, ip) => !/[\x00-\x1f\x7f]/.test(asStr(ip, self)));
  def(S, 'zfill', (self, args, _kw, ip) => {
    const s = asStr(ip, self);
    const w = ip.toInt(args[0]);
    if (s.length >= w) return s;
    const sign = s[0] === '-' || s[0] === '+' ? s[0] : '';
    return sign + '0'.repeat(w - s.length) + s.slice(sign.length);
  });
  const justify = (kind: 'l' | 'r' | 'c'): Method => (self, args, _kw, ip) => {
    const s = asStr(ip, self);
    const w = ip.toInt(args[0]);
    const fill = args.length > 1 ? expectStr(ip, args[1], 'fill character') : ' ';
    if (fill.length !== 1) ip.raise('TypeError', 'The fill character must be exactly one character long');
    const n = w - s.length;
    if (n <= 0) return s;
    if (kind === 'l') return s + fill.repeat(n);
    if (kind === 'r') return fill.repeat(n) + s;
    const left = Math.floor(n / 2) + (n & w & 1);
    return fill.repeat(left) + s + fill.repeat(n - left);
  };
  def(S, 'ljust', justify('l'));
  def(S, 'rjust', justify('r'));
  def(S, 'center', justify('c'));
  def(S, 'partition', (self, args, _kw, ip) => {
    const s = asStr(ip, self);
    const sep = expectStr(ip, args[0], 'must be str');
    if (sep === '') ip.raise('ValueError', 'empty separator');
    const i = s.indexOf(sep);
    return i < 0 ? new PyTuple([s, '', '']) : new PyTuple([s.slice(0, i), sep, s.slice(i + sep.length)]);
  });
  def(S, 'rpartition', (self, args, _kw, ip) => {
    const s = asStr(ip, self);
    const sep = expectStr(ip, args[0], 'must be str');
    if (sep === '') ip.raise('ValueError', 'empty separator');
    const i = s.lastIndexOf(sep);
    return i < 0 ? new PyTuple(['', '', s]) : new PyTuple([s.slice(0, i), sep, s.slice(i + sep.length)]);
  });
  def(S, 'splitlines', (self, args, kw, ip) => {
    const s = asStr(ip, self);
    const keep = ip.truthy(arg(args, kw, 0, 'keepends', false));
    const out: string[] = [];
    const re = /\r\n|[\n\r\v\f\u001c\u001d\u001e\u0085\u2028\u2029]/g;
    let last = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(s))) {
      out.push(s.slice(last, keep ? m.index + m[0].length : m.index));
      last = m.index + m[0].length;
    }
    if (last < s.length) out.push(s.slice(last));
    return new PyList(out);
  });
  def(S, 'removeprefix', (self, args, _kw, ip) => {
    const s = asStr(ip, self);
    const p = expectStr(ip, args[0], 'removeprefix() argument');
    return p && s.startsWith(p) ? s.slice(p.length) : s;
  });
  def(S, 'removesuffix', (self, args, _kw, ip) => {
    const s = asStr(ip, self);
    const p = expectStr(ip, args[0], 'removesuffix() argument');
    return p && s.endsWith(p) ? s.slice(0, s.length - p.length) : s;
  });
  def(S, 'expandtabs', (self, args, _kw, ip) => {
    const s = asStr(ip, self);
    const size = args.length ? ip.toInt(args[0]) : 8;
    let out = '';
    let col = 0;
    for (const ch of s) {
      if (ch === '\t') {
        const n = size > 0 ? size - (col % size) : 0;
        out += ' '.repeat(n);
        col += n;
      } else {
        out += ch;
        col = ch === '\n' || ch === '\r' ? 0 : col + 1;
      }
    }
    return out;
  });
  def(S, 'encode', () => new PyOpaque('bytes'));
  S.dict.set(
    'maketrans',
    new PyClassMethod(new PyBuiltinFunction('maketrans', () => new PyOpaque('str.maketrans()'), 'str.maketrans')),
  );
  def(S, '__mod__', (self, args, _kw, ip) => binop(ip, '%', asStr(ip, self), args[0]));
}

// ================================================================ list / tuple

function indexIn(ip: Interpreter, items: PyValue[], x: PyValue, start: PyValue, end: PyValue): number {
  const a = optIndex(ip, start, items.length, 0);
  const b = optIndex(ip, end, items.length, items.length);
  for (let i = a; i < b; i++) if (eqBool(ip, items[i], x)) return i;
  return -1;
}

function installList(): void {
  const L = listClass;
  def(L, 'append', (self, args, _kw, ip) => {
    if (args.length !== 1) ip.raise('TypeError', `list.append() takes exactly one argument (${args.length} given)`);
    asList(ip, self).items.push(args[0]);
    return null;
  });
  def(L, 'extend', (self, args, _kw, ip) => {
    const l = asList(ip, self);
    const items = ip.iterate(args[0]);
    for (const x of items) l.items.push(x);
    return null;
  });
  def(L, 'insert', (self, args, _kw, ip) => {
    const l = asList(ip, self);
    let i = ip.toInt(args[0]);
    const n = l.items.length;
    if (i < 0) i = Math.max(0, i + n);
    if (i > n) i = n;
    l.items.splice(i, 0, args[1]);
    return null;
  });
  def(L, 'pop', (self, args, _kw, ip) => {
    const l = asList(ip, self);
    if (l.items.length === 0) ip.raise('IndexError', 'pop from empty list');
    let i = args.length ? ip.toInt(args[0]) : -1;
    if (i < 0) i += l.items.length;
    if (i < 0 || i >= l.items.length) ip.raise('IndexError', 'pop index out of range');
    return l.items.splice(i, 1)[0];
  });
  def(L, 'remove', (self, args, _kw, ip) => {
    const l = asList(ip, self);
    const i = indexIn(ip, l.items, args[0], null, null);
    if (i < 0) ip.raise('ValueError', 'list.remove(x): x not in list');
    l.items.splice(i, 1);
    return null;
  });
  def(L, 'index', (self, args, _kw, ip) => {
    const l = asList(ip, self);
    const i = indexIn(ip, l.items, args[0], args[1] ?? null, args[2] ?? null);
    if (i < 0) ip.raise('ValueError', `${ip.repr(args[0])} is not in list`);
    return i;
  });
  def(L, 'count', (self, args, _kw, ip) => asList(ip, self).items.filter((x) => eqBool(ip, x, args[0])).length);
  def(L, 'sort', (self, args, kw, ip) => {
    if (args.length) ip.raise('TypeError', 'sort() takes no positional arguments');
    const l = asList(ip, self);
    l.items = sortValues(ip, l.items, kw.get('key') ?? null, ip.truthy(kw.get('reverse') ?? false));
    return null;
  });
  def(L, 'reverse', (self, _a, _k, ip) => {
    asList(ip, self).items.reverse();
    return null;
  });
  def(L, 'copy', (self, _a, _k, ip) => new PyList(asList(ip, self).items.slice()));
  def(L, 'clear', (self, _a, _k, ip) => {
    asList(ip, self).items = [];
    return null;
  });
  def(L, '__iadd__', (self, args, _kw, ip) => {
    inplaceOp(ip, '+', asList(ip, self), args[0]);
    return self;
  });
  def(L, '__reversed__', (self, _a, _k, ip) => {
    const items = asList(ip, self).items.slice();
    let i = items.length;
    return new PyIterator(() => (i > 0 ? items[--i] : STOP), 'list_reverseiterator');
  });

  const T = tupleClass;
  def(T, 'index', (self, args, _kw, ip) => {
    const i = indexIn(ip, asTuple(ip, self).items, args[0], args[1] ?? null, args[2] ?? null);
    if (i < 0) ip.raise('ValueError', 'tuple.index(x): x not in tuple');
    return i;
  });
  def(T, 'count', (self, args, _kw, ip) => asTuple(ip, self).items.filter((x) => eqBool(ip, x, args[0])).length);
  // torch.Size: a tuple subclass with numel(); constructing it gives a Size tuple.
  def(sizeClass, 'numel', (self, _a, _k, ip) => asTuple(ip, self).items.reduce<number>((a, b) => a * ip.toInt(b), 1));
  sizeClass.dict.set(
    '__new__',
    new PyBuiltinFunction('__new__', (c, ctx) => new PyTuple(c.args.length > 1 ? ipOf(ctx).iterate(c.args[1]) : [], true), 'Size.__new__'),
  );
}

// ================================================================ dict

function installDict(): void {
  const D = dictClass;
  def(D, 'keys', (self, _a, _k, ip) => new DictView(asDict(ip, self), 'keys'));
  def(D, 'values', (self, _a, _k, ip) => new DictView(asDict(ip, self), 'values'));
  def(D, 'items', (self, _a, _k, ip) => new DictView(asDict(ip, self), 'items'));
  def(D, 'get', (self, args, _kw, ip) => {
    const d = asDict(ip, self);
    ip.checkHashable(args[0]);
    const e = d.map.get(hashKey(args[0]));
    return e === undefined ? (args.length > 1 ? args[1] : null) : e.value;
  });
  def(D, 'pop', (self, args, _kw, ip) => {
    const d = asDict(ip, self);
    ip.checkHashable(args[0]);
    const h = hashKey(args[0]);
    const e = d.map.get(h);
    if (e === undefined) {
      if (args.length > 1) return args[1];
      return ip.raiseKeyError(args[0]);
    }
    d.map.delete(h);
    return e.value;
  });
  def(D, 'popitem', (self, _a, _k, ip) => {
    const d = asDict(ip, self);
    const keys = [...d.map.keys()];
    if (!keys.length) return ip.raiseKeyError('popitem(): dictionary is empty');
    const h = keys[keys.length - 1];
    const e = d.map.get(h)!;
    d.map.delete(h);
    return new PyTuple([e.key, e.value]);
  });
  def(D, 'setdefault', (self, args, _kw, ip) => {
    const d = asDict(ip, self);
    ip.checkHashable(args[0]);
    const e = d.map.get(hashKey(args[0]));
    if (e !== undefined) return e.value;
    const v = args.length > 1 ? args[1] : null;
    d.set(args[0], v);
    return v;
  });
  def(D, 'update', (self, args, kw, ip) => {
    const d = asDict(ip, self);
    if (args.length) ip.dictUpdate(d, args[0]);
    for (const [k, v] of kw) d.set(k, v);
    return null;
  });
  def(D, 'copy', (self, _a, _k, ip) => {
    const out = new PyDict();
    for (const e of asDict(ip, self).map.values()) out.set(e.key, e.value);
    return out;
  });
  def(D, 'clear', (self, _a, _k, ip) => {
    asDict(ip, self).map.clear();
    return null;
  });
  D.dict.set(
    'fromkeys',
    new PyClassMethod(
      new PyBuiltinFunction(
        'fromkeys',
        (c, ctx) => {
          const ip = ipOf(ctx);
          const cls = c.args[0];
          const v = c.args.length > 2 ? c.args[2] : null;
          const made = cls === dictClass ? new PyDict() : ip.call(cls, []);
          const d = unwrap(made);
          if (!(d instanceof PyDict)) return made;
          for (const k of ip.iterate(c.args[1])) {
            ip.checkHashable(k);
            d.set(k, v);
          }
          return made;
        },
        'dict.fromkeys',
      ),
    ),
  );
  def(D, '__getitem__', (self, args, _kw, ip) => {
    const d = asDict(ip, self);
    const k = args[0];
    ip.checkHashable(k);
    const e = d.map.get(hashKey(k));
    if (e !== undefined) return e.value;
    if (self instanceof PyInstance) {
      const miss = lookupType(self.cls, '__missing__');
      if (miss !== undefined && miss !== null) return ip.callMethod(miss, self, [k]);
    }
    return ip.raiseKeyError(k);
  });
  def(D, '__reversed__', (self, _a, _k, ip) => {
    const keys = asDict(ip, self).keys();
    let i = keys.length;
    return new PyIterator(() => (i > 0 ? keys[--i] : STOP), 'dict_reversekeyiterator');
  });

  // dict views
  for (const kind of ['keys', 'values', 'items'] as const) {
    const V = DictView.classFor(kind);
    def(V, '__len__', (self) => (self as DictView).dict.size);
    def(V, '__iter__', (self, _a, _k, ip) => new PyIterator(ip.iterFn(self), `dict_${kind.slice(0, -1)}iterator`));
    def(V, '__contains__', (self, args, _k, ip) => {
      const v = self as DictView;
      if (v.kind === 'keys') {
        ip.checkHashable(args[0]);
        return v.dict.map.has(hashKey(args[0]));
      }
      return ip.iterate(v).some((x) => eqBool(ip, x, args[0]));
    });
    def(V, '__repr__', (self, _a, _k, ip) => `dict_${kind}(${ip.repr(new PyList(ip.iterate(self)))})`);
    def(V, 'isdisjoint', (self, args, _k, ip) => {
      const mine = ip.iterate(self);
      return !ip.iterate(args[0]).some((x) => mine.some((y) => eqBool(ip, x, y)));
    });
    def(V, 'mapping', (self, _a, _k, ip) => ip.dictSnapshot(new Map()) && (self as DictView).dict);
  }
}

// ================================================================ set

function installSet(): void {
  for (const S of [setClass, frozensetClass]) {
    const frozen = S === frozensetClass;
    const mk = (m: Map<string, PyValue>) => {
      const s = new PySet(frozen);
      for (const [k, v] of m) s.map.set(k, v);
      return s;
    };
    const others = (ip: Interpreter, args: PyValue[]) =>
      args.map((a) => {
        const u = unwrap(a);
        if (u instanceof PySet) return u;
        const s = new PySet();
        for (const x of ip.iterate(a)) {
          ip.checkHashable(x);
          s.add(x);
        }
        return s;
      });
    def(S, 'union', (self, args, _k, ip) => {
      const out = new Map(asSet(ip, self).map);
      for (const o of others(ip, args)) for (const [k, v] of o.map) if (!out.has(k)) out.set(k, v);
      return mk(out);
    });
    def(S, 'intersection', (self, args, _k, ip) => {
      let out = new Map(asSet(ip, self).map);
      for (const o of others(ip, args)) out = new Map([...out].filter(([k]) => o.map.has(k)));
      return mk(out);
    });
    def(S, 'difference', (self, args, _k, ip) => {
      let out = new Map(asSet(ip, self).map);
      for (const o of others(ip, args)) out = new Map([...out].filter(([k]) => !o.map.has(k)));
      return mk(out);
    });
    def(S, 'symmetric_difference', (self, args, _k, ip) => {
      const a = asSet(ip, self);
      const [b] = others(ip, args);
      const out = new Map<string, PyValue>();
      for (const [k, v] of a.map) if (!b.map.has(k)) out.set(k, v);
      for (const [k, v] of b.map) if (!a.map.has(k)) out.set(k, v);
      return mk(out);
    });
    def(S, 'issubset', (self, args, _k, ip) => {
      const [o] = others(ip, args);
      return [...asSet(ip, self).map.keys()].every((k) => o.map.has(k));
    });
    def(S, 'issuperset', (self, args, _k, ip) => {
      const [o] = others(ip, args);
      const s = asSet(ip, self);
      return [...o.map.keys()].every((k) => s.map.has(k));
    });
    def(S, 'isdisjoint', (self, args, _k, ip) => {
      const [o] = others(ip, args);
      return ![...asSet(ip, self).map.keys()].some((k) => o.map.has(k));
    });
    def(S, 'copy', (self, _a, _k, ip) => mk(new Map(asSet(ip, self).map)));
    if (frozen) continue;
    def(S, 'add', (self, args, _k, ip) => {
      ip.checkHashable(args[0]);
      asSet(ip, self).add(args[0]);
      return null;
    });
    def(S, 'update', (self, args, _k, ip) => {
      const s = asSet(ip, self);
      for (const a of args)
        for (const x of ip.iterate(a)) {
          ip.checkHashable(x);
          s.add(x);
        }
      return null;
    });
    def(S, 'discard', (self, args, _k, ip) => {
      asSet(ip, self).map.delete(hashKey(args[0]));
      return null;
    });
    def(S, 'remove', (self, args, _k, ip) => {
      ip.checkHashable(args[0]);
      if (!asSet(ip, self).map.delete(hashKey(args[0]))) ip.raiseKeyError(args[0]);
      return null;
    });
    def(S, 'pop', (self, _a, _k, ip) => {
      const s = asSet(ip, self);
      const first = s.map.entries().next();
      if (first.done) return ip.raiseKeyError('pop from an empty set');
      s.map.delete(first.value[0]);
      return first.value[1];
    });
    def(S, 'clear', (self, _a, _k, ip) => {
      asSet(ip, self).map.clear();
      return null;
    });
    const inplace = (op: 'intersection' | 'difference'): Method => (self, args, _k, ip) => {
      const s = asSet(ip, self);
      for (const o of others(ip, args))
        for (const k of [...s.map.keys()]) if (o.map.has(k) !== (op === 'intersection')) s.map.delete(k);
      return null;
    };
    def(S, 'intersection_update', inplace('intersection'));
    def(S, 'difference_update', inplace('difference'));
  }
}

// ================================================================ numbers

function installNumbers(): void {
  for (const N of [intClass, floatClass]) {
    prop(N, 'real', (self) => unwrap(self));
    prop(N, 'imag', (self) => (N === intClass ? 0 : new PyFloat(0)));
    def(N, 'conjugate', (self) => unwrap(self));
  }
  prop(intClass, 'numerator', (self) => unwrap(self));
  prop(intClass, 'denominator', () => 1);
  def(intClass, 'bit_length', (self, _a, _k, ip) => {
    const n = Math.abs(ip.toInt(unwrap(self)));
    return n === 0 ? 0 : BigInt(n).toString(2).length;
  });
  def(intClass, 'bit_count', (self, _a, _k, ip) => [...BigInt(Math.abs(ip.toInt(unwrap(self)))).toString(2)].filter((c) => c === '1').length);
  def(intClass, 'to_bytes', () => new PyOpaque('bytes'));
  def(intClass, 'is_integer', () => true);
  def(intClass, 'as_integer_ratio', (self) => new PyTuple([unwrap(self), 1]));
  def(intClass, '__index__', (self, _a, _k, ip) => ip.toInt(unwrap(self)));
  def(intClass, '__int__', (self, _a, _k, ip) => ip.toInt(unwrap(self)));
  def(intClass, '__float__', (self, _a, _k, ip) => new PyFloat(ip.toNumber(unwrap(self))));
  def(floatClass, 'is_integer', (self, _a, _k, ip) => Number.isInteger(ip.toNumber(unwrap(self))));
  def(floatClass, '__float__', (self) => unwrap(self));
  def(floatClass, '__int__', (self, _a, _k, ip) => {
    const x = ip.toNumber(unwrap(self));
    if (x !== x) ip.raise('ValueError', 'cannot convert float NaN to integer');
    if (!isFinite(x)) ip.raise('OverflowError', 'cannot convert float infinity to integer');
    return Math.trunc(x) || 0;
  });
  def(floatClass, 'as_integer_ratio', (self, _a, _k, ip) => {
    let x = ip.toNumber(unwrap(self));
    if (!isFinite(x)) ip.raise('OverflowError', 'cannot convert Infinity to integer ratio');
    let den = 1;
    while (!Number.isInteger(x) && den < 2 ** 1074) {
      x *= 2;
      den *= 2;
    }
    return new PyTuple([x, den]);
  });
  def(floatClass, 'hex', (self, _a, _k, ip) => ip.toNumber(unwrap(self)).toString(16));
  floatClass.dict.set(
    'fromhex',
    new PyClassMethod(new PyBuiltinFunction('fromhex', (c) => new PyFloat(parseInt(String(c.args[1]), 16)), 'float.fromhex')),
  );
  void boolClass;
}

// ================================================================ range / slice / iterators

function installMisc(): void {
  def(rangeClass, 'index', (self, args, _k, ip) => {
    const r = self as PyRange;
    if (!contains(ip, r, args[0])) ip.raise('ValueError', `${ip.repr(args[0])} is not in range`);
    return (ip.toInt(args[0]) - r.start) / r.step;
  });
  def(rangeClass, 'count', (self, args, _k, ip) => (contains(ip, self, args[0]) ? 1 : 0));
  def(sliceClass, 'indices', (self, args, _k, ip) => {
    const [start, stop, step] = sliceIndices(ip, self as PySlice, ip.toInt(args[0]));
    return new PyTuple([start, stop, step]);
  });
  for (const I of [iteratorClass, generatorClass]) {
    def(I, '__next__', (self, _a, _k, ip) => {
      const v = (self as PyIterator).next();
      if (v === STOP) throw new PyRaise(ip.newException('StopIteration', []));
      return v;
    });
    def(I, '__iter__', (self) => self);
    def(I, 'close', () => null);
    def(I, 'send', (self, args, _k, ip) => {
      const v = (self as PyIterator).next();
      if (v === STOP) throw new PyRaise(ip.newException('StopIteration', []));
      void args;
      return v;
    });
  }
  void classmethodClass;
}

// ================================================================ dunders for subclasses of builtin types

const CMP: Array<[string, CompareOp]> = [
  ['__eq__', '=='],
  ['__ne__', '!='],
  ['__lt__', '<'],
  ['__le__', '<='],
  ['__gt__', '>'],
  ['__ge__', '>='],
];

function installDunders(): void {
  const arith = [intClass, floatClass, strClass, listClass, tupleClass, setClass, frozensetClass, dictClass];
  for (const cls of arith) {
    for (const [op, [name, rname]] of Object.entries(BIN_DUNDERS) as Array<[keyof typeof BIN_DUNDERS, readonly [string, string, string]]>) {
      const numeric = cls === intClass || cls === floatClass;
      const seqOps = cls === strClass ? ['+', '*', '%'] : cls === listClass || cls === tupleClass ? ['+', '*'] : cls === dictClass ? ['|'] : ['|', '&', '-', '^'];
      if (!numeric && !seqOps.includes(op)) continue;
      if (numeric && op === '@') continue;
      if (!cls.dict.has(name))
        def(cls, name, (self, args, _k, ip) => {
          const o = unwrap(args[0]);
          if (o instanceof PyInstance) return binopOrNotImplemented(ip, op, unwrap(self), o);
          return binop(ip, op, unwrap(self), o);
        });
      if (numeric || op === '*')
        def(cls, rname, (self, args, _k, ip) => binop(ip, op, unwrap(args[0]), unwrap(self)));
    }
    for (const [name, op] of CMP)
      def(cls, name, (self, args, _k, ip) => {
        const o = unwrap(args[0]);
        if (o instanceof PyInstance) return op === '==' ? unwrap(self) === o : op === '!=' ? unwrap(self) !== o : notImplemented;
        return compareOp(ip, op, unwrap(self), o);
      });
    def(cls, '__hash__', (self, _a, _k, ip) => ip.hashOf(unwrap(self)));
    def(cls, '__repr__', (self, _a, _k, ip) => ip.repr(unwrap(self)));
    if (cls === strClass) def(cls, '__str__', (self, _a, _k, ip) => ip.str(unwrap(self)));
    def(cls, '__format__', (self, args, _k, ip) => ip.format(unwrap(self), typeof args[0] === 'string' ? args[0] : ''));
    def(cls, '__bool__', (self, _a, _k, ip) => ip.truthy(unwrap(self)));
  }
  for (const cls of [strClass, listClass, tupleClass, dictClass, setClass, frozensetClass]) {
    def(cls, '__len__', (self, _a, _k, ip) => lenOf(ip, unwrap(self)));
    def(cls, '__iter__', (self, _a, _k, ip) => new PyIterator(ip.iterFn(unwrap(self)), `${cls.name}_iterator`));
    def(cls, '__contains__', (self, args, _k, ip) => contains(ip, unwrap(self), args[0]));
    if (cls !== setClass && cls !== frozensetClass && !cls.dict.has('__getitem__'))
      def(cls, '__getitem__', (self, args, _k, ip) => getItem(ip, unwrap(self), args[0]));
  }
  for (const cls of [listClass, dictClass]) {
    def(cls, '__setitem__', (self, args, _k, ip) => {
      setItem(ip, unwrap(self), args[0], args[1]);
      return null;
    });
    def(cls, '__delitem__', (self, args, _k, ip) => {
      delItem(ip, unwrap(self), args[0]);
      return null;
    });
  }
  for (const cls of [intClass, floatClass]) {
    def(cls, '__neg__', (self, _a, _k, ip) => binop(ip, '-', 0, unwrap(self)));
    def(cls, '__pos__', (self) => unwrap(self));
    def(cls, '__abs__', (self, _a, _k, ip) => {
      const v = unwrap(self);
      return ip.truthy(compareOp(ip, '<', v, 0)) ? binop(ip, '-', 0, v) : v;
    });
  }
}

function binopOrNotImplemented(ip: Interpreter, op: keyof typeof BIN_DUNDERS, a: PyValue, b: PyValue): PyValue {
  try {
    return binop(ip, op, a, b);
  } catch (e) {
    if (e instanceof PyRaise && e.exc.cls.name === 'TypeError') return notImplemented;
    throw e;
  }
}

let installed = false;
/** Fills the builtin classes' dicts (idempotent). */
export function installTypeMethods(): void {
  if (installed) return;
  installed = true;
  installStr();
  installList();
  installDict();
  installSet();
  installNumbers();
  installMisc();
  installDunders();
}

export { argOr };
