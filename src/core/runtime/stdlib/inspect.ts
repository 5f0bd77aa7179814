// inspect: the introspection model code uses on itself (signature(), Parameter kinds, is* predicates).
// Pure reflection over interpreter values; getsource and friends are absent (no file access).

import { objectClass, typeOf } from '../builtinTypes';
import type { Interpreter } from '../interpreter';
import { registerNativeModule } from '../nativeModules';
import { docstring } from '../docstring';
import {
  PyBoundMethod,
  PyBuiltinFunction,
  PyClass,
  PyDict,
  PyFunction,
  PyInstance,
  PyIterator,
  PyList,
  PyModuleObject,
  PyTuple,
  type PyValue,
} from '../values';
import { func, makeModule, nativeClass, property } from './common';
import { OrderedDict } from './collections';

const EMPTY_CLS = nativeClass('_empty', 'inspect', [objectClass], {});
const KINDS = ['POSITIONAL_ONLY', 'POSITIONAL_OR_KEYWORD', 'VAR_POSITIONAL', 'KEYWORD_ONLY', 'VAR_KEYWORD'];

const ParameterKind = nativeClass('_ParameterKind', 'inspect', [objectClass], {
  __repr__: (a) => `<_ParameterKind.${KINDS[(a[0] as PyInstance).native as number]}: ${(a[0] as PyInstance).native as number}>`,
  __str__: (a) => KINDS[(a[0] as PyInstance).native as number],
  __eq__: (a) => a[1] instanceof PyInstance && a[1].native === (a[0] as PyInstance).native,
  __hash__: (a) => (a[0] as PyInstance).native as number,
  __lt__: (a) => ((a[0] as PyInstance).native as number) < ((a[1] as PyInstance).native as number),
  name: property('_ParameterKind.name', (self) => KINDS[(self as PyInstance).native as number]),
  value: property('_ParameterKind.value', (self) => (self as PyInstance).native as number),
});
const kinds = KINDS.map((_, i) => {
  const k = new PyInstance(ParameterKind);
  k.native = i;
  return k;
});

const Parameter = nativeClass('Parameter', 'inspect', [objectClass], {
  __repr__: (a, _k, ip) => {
    const p = a[0] as PyInstance;
    const name = String(p.dict.get('name'));
    const kind = (p.dict.get('kind') as PyInstance).native as number;
    const d = p.dict.get('default');
    const prefix = kind === 2 ? '*' : kind === 4 ? '**' : '';
    return `<Parameter "${prefix}${name}${d !== undefined && d !== EMPTY ? '=' + ip.repr(d) : ''}">`;
  },
});
export const EMPTY = EMPTY_CLS;
EMPTY_CLS.dict.set('__repr__', func('_empty.__repr__', () => "<class 'inspect._empty'>"));
KINDS.forEach((k, i) => Parameter.dict.set(k, kinds[i]));
Parameter.dict.set('empty', EMPTY_CLS);

const Signature = nativeClass('Signature', 'inspect', [objectClass], {
  __repr__: (a, _k, ip) => {
    const params = (a[0] as PyInstance).dict.get('parameters');
    const parts: string[] = [];
    let sawKwOnlyMarker = false;
    for (const v of ip.iterate(ip.call(ip.getAttr(params!, 'values'), []))) {
      const p = v as PyInstance;
      const kind = (p.dict.get('kind') as PyInstance).native as number;
      const name = String(p.dict.get('name'));
      const d = p.dict.get('default');
      if (kind === 3 && !sawKwOnlyMarker) {
        parts.push('*');
        sawKwOnlyMarker = true;
      }
      if (kind === 2) sawKwOnlyMarker = true;
      parts.push((kind === 2 ? '*' : kind === 4 ? '**' : '') + name + (d !== undefined && d !== EMPTY ? '=' + ip.repr(d) : ''));
    }
    return `<Signature (${parts.join(', ')})>`;
  },
});
Signature.dict.set('empty', EMPTY_CLS);

function param(name: string, kind: number, dflt: PyValue | undefined): PyInstance {
  const p = new PyInstance(Parameter);
  p.dict.set('name', name);
  p.dict.set('kind', kinds[kind]);
  p.dict.set('default', dflt === undefined ? EMPTY : dflt);
  p.dict.set('annotation', EMPTY);
  return p;
}

function signatureOf(ip: Interpreter, v: PyValue, skipFirst = false): PyInstance {
  let fn = v;
  let skip = skipFirst;
  while (fn instanceof PyBoundMethod) {
    skip = true;
    fn = fn.func;
  }
  if (fn instanceof PyFunction) {
    const wrapped = fn.attrs.get('__wrapped__');
    if (wrapped !== undefined) return signatureOf(ip, wrapped, skip);
  }
  if (fn instanceof PyClass) {
    const init = fn.lookup('__init__');
    if (init instanceof PyFunction) return signatureOf(ip, init, true);
  }
  const params = ip.call(OrderedDict, []) as PyInstance;
  const d = params.native as PyDict;
  if (fn instanceof PyFunction) {
    const p = fn.def.params;
    const list: PyInstance[] = [];
    for (const a of p.posOnly) list.push(param(a.name, 0, fn.defaults.get(a.name)));
    for (const a of p.args) list.push(param(a.name, 1, fn.defaults.get(a.name)));
    if (p.vararg) list.push(param(p.vararg.name, 2, undefined));
    for (const a of p.kwOnly) list.push(param(a.name, 3, fn.defaults.get(a.name)));
    if (p.kwarg) list.push(param(p.kwarg.name, 4, undefined));
    for (const x of skip ? list.slice(1) : list) d.set(x.dict.get('name')!, x);
  } else if (!(fn instanceof PyBuiltinFunction)) {
    ip.raise('TypeError', `${ip.repr(v)} is not a callable object`);
  }
  const sig = new PyInstance(Signature);
  sig.dict.set('parameters', params);
  sig.dict.set('return_annotation', EMPTY);
  return sig;
}

registerNativeModule('inspect', () =>
  makeModule('inspect', {
    signature: func('inspect.signature', (a, _k, ip) => signatureOf(ip, a[0])),
    Parameter,
    Signature,
    isclass: func('inspect.isclass', (a) => a[0] instanceof PyClass),
    isfunction: func('inspect.isfunction', (a) => a[0] instanceof PyFunction),
    ismethod: func('inspect.ismethod', (a) => a[0] instanceof PyBoundMethod),
    ismodule: func('inspect.ismodule', (a) => a[0] instanceof PyModuleObject),
    isbuiltin: func('inspect.isbuiltin', (a) => a[0] instanceof PyBuiltinFunction),
    isroutine: func('inspect.isroutine', (a) => a[0] instanceof PyFunction || a[0] instanceof PyBuiltinFunction || a[0] instanceof PyBoundMethod),
    isgenerator: func('inspect.isgenerator', (a) => a[0] instanceof PyIterator && a[0].label === 'generator'),
    isgeneratorfunction: func('inspect.isgeneratorfunction', (a) => a[0] instanceof PyFunction && a[0].def.kind === 'FunctionDef' && !!a[0].def.isGenerator),
    iscoroutinefunction: func('inspect.iscoroutinefunction', (a) => a[0] instanceof PyFunction && a[0].def.kind === 'FunctionDef' && !!a[0].def.isAsync),
    isabstract: func('inspect.isabstract', () => false),
    getdoc: func('inspect.getdoc', (a) => (a[0] instanceof PyFunction && a[0].def.kind === 'FunctionDef' ? docstring(a[0].def.body) : null)),
    getmembers: func('inspect.getmembers', (a, _k, ip) => {
      const obj = a[0];
      const pred = a.length > 1 ? a[1] : null;
      const names = new Set<string>();
      if (obj instanceof PyModuleObject || obj instanceof PyInstance) for (const k of obj.dict.keys()) names.add(k);
      const cls = obj instanceof PyClass ? obj : typeOf(obj);
      for (const c of cls.mro) for (const k of c.dict.keys()) names.add(k);
      const out: PyValue[] = [];
      for (const n of [...names].sort()) {
        const v = ip.getAttrOrUndefined(obj, n);
        if (v === undefined) continue;
        if (pred !== null && !ip.truthy(ip.call(pred, [v]))) continue;
        out.push(new PyTuple([n, v]));
      }
      return new PyList(out);
    }),
    getmro: func('inspect.getmro', (a) => new PyTuple(a[0] instanceof PyClass ? a[0].mro : [])),
    isdatadescriptor: func('inspect.isdatadescriptor', () => false),
    currentframe: func('inspect.currentframe', () => null),
  }),
);

