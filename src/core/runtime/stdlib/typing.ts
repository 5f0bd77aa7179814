// typing, abc, numbers and collections.abc: enough for annotations, generics, ABCs and isinstance checks.

import {
  boolClass,
  dictClass,
  floatClass,
  frozensetClass,
  intClass,
  isSubclass,
  listClass,
  lookupType,
  objectClass,
  setClass,
  strClass,
  tupleClass,
  typeClass,
  typeOf,
  complexClass,
} from '../builtinTypes';
import type { Interpreter } from '../interpreter';
import { registerNativeModule } from '../nativeModules';
import {
  PyClass,
  PyDict,
  PyFunction,
  PyInstance,
  PyProperty,
  PyStaticMethod,
  PyClassMethod,
  PyTuple,
  type PyValue,
} from '../values';
import { classMethod, func, makeModule, nativeClass } from './common';

// ------------------------------------------------------------------ abc

/** Virtual subclasses registered with ABCMeta.register. */
const registered = new WeakMap<PyClass, PyClass[]>();

function abcCheck(ip: Interpreter, abc: PyClass, cls: PyClass): boolean {
  if (isSubclass(cls, abc)) return true;
  for (const c of abc.mro) {
    const regs = registered.get(c);
    if (regs && regs.some((r) => isSubclass(cls, r))) return true;
  }
  const hook = abc.lookup('__subclasshook__');
  if (hook instanceof PyClassMethod) {
    const r = ip.call(hook.func, [abc, cls]);
    if (r === true) return true;
  }
  return false;
}

export const ABCMeta = nativeClass('ABCMeta', 'abc', [typeClass], {
  register: (a) => {
    const [abc, sub] = a;
    if (abc instanceof PyClass && sub instanceof PyClass) {
      const l = registered.get(abc) ?? [];
      l.push(sub);
      registered.set(abc, l);
    }
    return sub;
  },
  __instancecheck__: (a, _k, ip) => abcCheck(ip, a[0] as PyClass, typeOf(a[1])),
  __subclasscheck__: (a, _k, ip) => (a[1] instanceof PyClass ? abcCheck(ip, a[0] as PyClass, a[1]) : false),
});

export const ABC = nativeClass('ABC', 'abc', [objectClass], { __abstractmethods_marker__: true }, ABCMeta);

function abstractmethod(a: PyValue[]): PyValue {
  const f = a[0];
  const target = f instanceof PyStaticMethod || f instanceof PyClassMethod ? f.func : f instanceof PyProperty ? f.fget : f;
  if (target instanceof PyFunction) target.attrs.set('__isabstractmethod__', true);
  return f;
}

registerNativeModule('abc', () =>
  makeModule('abc', {
    ABC,
    ABCMeta,
    abstractmethod: func('abc.abstractmethod', abstractmethod),
    abstractproperty: func('abc.abstractproperty', (a) => new PyProperty(abstractmethod(a))),
    abstractclassmethod: func('abc.abstractclassmethod', (a) => new PyClassMethod(abstractmethod(a))),
    abstractstaticmethod: func('abc.abstractstaticmethod', (a) => new PyStaticMethod(abstractmethod(a))),
  }),
);

// ------------------------------------------------------------------ collections.abc / numbers

function abcClass(name: string, module: string, bases: PyClass[], builtins: PyClass[], methods: Record<string, PyValue> = {}): PyClass {
  const cls = nativeClass(name, module, bases.length ? bases : [objectClass], { ...methods, __abstractmethods_marker__: true }, ABCMeta);
  if (builtins.length) registered.set(cls, builtins);
  return cls;
}

const hasDunder = (name: string) =>
  classMethod(`__subclasshook__`, (a) => {
    const c = a[1];
    return c instanceof PyClass && lookupType(c, name) !== undefined && lookupType(c, name) !== null;
  });

const Iterable = abcClass('Iterable', 'collections.abc', [], [], { __subclasshook__: hasDunder('__iter__') });
const Iterator = abcClass('Iterator', 'collections.abc', [Iterable], [], { __subclasshook__: hasDunder('__next__') });
const Sized = abcClass('Sized', 'collections.abc', [], [], { __subclasshook__: hasDunder('__len__') });
const Container = abcClass('Container', 'collections.abc', [], [], { __subclasshook__: hasDunder('__contains__') });
const Callable = abcClass('Callable', 'collections.abc', [], [], { __subclasshook__: hasDunder('__call__') });
const Hashable = abcClass('Hashable', 'collections.abc', [], [intClass, strClass, floatClass, tupleClass, frozensetClass, boolClass]);
const Collection = abcClass('Collection', 'collections.abc', [Sized, Iterable, Container], []);
const Sequence = abcClass('Sequence', 'collections.abc', [Collection], [listClass, tupleClass, strClass]);
const MutableSequence = abcClass('MutableSequence', 'collections.abc', [Sequence], [listClass]);
const Mapping = abcClass('Mapping', 'collections.abc', [Collection], [dictClass]);
const MutableMapping = abcClass('MutableMapping', 'collections.abc', [Mapping], [dictClass]);
const AbstractSet = abcClass('Set', 'collections.abc', [Collection], [setClass, frozensetClass]);
const MutableSet = abcClass('MutableSet', 'collections.abc', [AbstractSet], [setClass]);
const Generator = abcClass('Generator', 'collections.abc', [Iterator], []);
const Reversible = abcClass('Reversible', 'collections.abc', [Iterable], [listClass, tupleClass, strClass]);

export const collectionsAbc: Record<string, PyValue> = {
  Iterable,
  Iterator,
  Sized,
  Container,
  Callable,
  Hashable,
  Collection,
  Sequence,
  MutableSequence,
  Mapping,
  MutableMapping,
  Set: AbstractSet,
  MutableSet,
  Generator,
  Reversible,
};
registerNativeModule('collections.abc', () => makeModule('collections.abc', collectionsAbc));

const Number = abcClass('Number', 'numbers', [], []);
const Complex = abcClass('Complex', 'numbers', [Number], [complexClass]);
const Real = abcClass('Real', 'numbers', [Complex], [floatClass]);
const Rational = abcClass('Rational', 'numbers', [Real], []);
const Integral = abcClass('Integral', 'numbers', [Rational], [intClass, boolClass]);
registerNativeModule('numbers', () => makeModule('numbers', { Number, Complex, Real, Rational, Integral }));

// ------------------------------------------------------------------ typing

/** typing.Optional, typing.Union[...], typing.Callable[...]: subscriptable, printable, inert. */
const SpecialForm = nativeClass('_SpecialForm', 'typing', [objectClass], {
  __getitem__: (a, _k, ip) => {
    const self = a[0] as PyInstance;
    const name = self.native as string;
    const params = a[1] instanceof PyTuple ? a[1].items : [a[1]];
    const inner = params.map((p) => formName(ip, p)).join(', ');
    const f = new PyInstance(SpecialForm);
    f.native = `${name}[${inner}]`;
    f.dict.set('__origin__', self);
    f.dict.set('__args__', new PyTuple(params));
    return f;
  },
  __repr__: (a) => String((a[0] as PyInstance).native),
  __call__: (a, _k, ip) => ip.raise('TypeError', `Cannot instantiate ${String((a[0] as PyInstance).native)}`),
  __or__: (a, _k, ip) => specialForm(`${formName(ip, a[0])} | ${formName(ip, a[1])}`),
  __ror__: (a, _k, ip) => specialForm(`${formName(ip, a[1])} | ${formName(ip, a[0])}`),
  __instancecheck__: (a, _k, ip) => {
    const self = a[0] as PyInstance;
    const base = String(self.native).replace(/\[.*$/, '').replace(/^typing\./, '');
    const abc = collectionsAbc[base];
    if (abc instanceof PyClass) return ip.isInstanceOf(a[1], abc);
    if (base === 'Any') return true;
    return false;
  },
  __mro_entries__: (a) => {
    const self = a[0] as PyInstance;
    const base = String(self.native).replace(/\[.*$/, '').replace(/^typing\./, '');
    const abc = collectionsAbc[base];
    return new PyTuple(abc instanceof PyClass ? [abc] : [Generic]);
  },
});

function specialForm(name: string): PyInstance {
  const f = new PyInstance(SpecialForm);
  f.native = name;
  return f;
}

function formName(ip: Interpreter, v: PyValue): string {
  if (v instanceof PyClass) return v.module === 'builtins' ? v.name : `${v.module}.${v.name}`;
  if (v === null) return 'None';
  if (v instanceof PyInstance && v.cls === SpecialForm) return String(v.native);
  if (v instanceof PyInstance && v.cls === TypeVar) return `~${String(v.dict.get('__name__'))}`;
  if (typeof v === 'string') return v;
  return ip.repr(v);
}

const Generic = nativeClass('Generic', 'typing', [objectClass], {
  __class_getitem__: classMethod('Generic.__class_getitem__', (a) => a[0]),
});
const Protocol = nativeClass('Protocol', 'typing', [Generic], {
  __class_getitem__: classMethod('Protocol.__class_getitem__', (a) => a[0]),
});

const TypeVar = nativeClass('TypeVar', 'typing', [objectClass], {
  __init__: (a, k) => {
    const self = a[0] as PyInstance;
    self.dict.set('__name__', a[1] ?? '');
    self.dict.set('__bound__', k.get('bound') ?? null);
    self.dict.set('__constraints__', new PyTuple(a.slice(2)));
    return null;
  },
  __repr__: (a) => `~${String((a[0] as PyInstance).dict.get('__name__'))}`,
  __or__: (a, _k, ip) => specialForm(`${formName(ip, a[0])} | ${formName(ip, a[1])}`),
});

/** class Point(NamedTuple): x: int; y: int = 0 — fields come from the annotations. */
export const NamedTupleBase = nativeClass('NamedTuple', 'typing', [tupleClass], {});
export const TypedDict = nativeClass('TypedDict', 'typing', [dictClass], {});

const identity = (name: string) => func(`typing.${name}`, (a) => a[0] ?? null);

function typingModule(): Record<string, PyValue> {
  const forms = [
    'Any', 'Union', 'Optional', 'Literal', 'Final', 'ClassVar', 'Annotated', 'NoReturn', 'Never', 'Self',
    'Concatenate', 'TypeAlias', 'TypeGuard', 'Unpack', 'Required', 'NotRequired', 'LiteralString',
    'Awaitable', 'Coroutine', 'AsyncIterator', 'AsyncIterable', 'AsyncGenerator', 'ContextManager',
    'AsyncContextManager', 'Pattern', 'Match', 'SupportsInt', 'SupportsFloat', 'SupportsIndex', 'SupportsAbs',
    'IO', 'TextIO', 'BinaryIO', 'ParamSpec', 'ByteString', 'Counter', 'Deque', 'DefaultDict', 'OrderedDict', 'ChainMap',
    'KeysView', 'ValuesView', 'ItemsView', 'AbstractSet', 'MutableSet',
  ];
  const out: Record<string, PyValue> = {};
  for (const f of forms) out[f] = specialForm(`typing.${f}`);
  for (const [k, v] of Object.entries(collectionsAbc)) if (k !== 'Set') out[k] = specialForm(`typing.${k}`);
  Object.assign(out, {
    List: listClass,
    Dict: dictClass,
    Tuple: tupleClass,
    Set: setClass,
    FrozenSet: frozensetClass,
    Type: typeClass,
    Text: strClass,
    Generic,
    Protocol,
    TypeVar,
    NamedTuple: NamedTupleBase,
    TypedDict,
    TYPE_CHECKING: false,
    cast: func('typing.cast', (a) => a[1] ?? null),
    overload: identity('overload'),
    final: identity('final'),
    no_type_check: identity('no_type_check'),
    runtime_checkable: identity('runtime_checkable'),
    dataclass_transform: func('typing.dataclass_transform', () => func('typing.dataclass_transform.<decorator>', (a) => a[0])),
    NewType: func('typing.NewType', (a) => func(`typing.${String(a[0])}`, (b) => b[0] ?? null)),
    get_type_hints: func('typing.get_type_hints', (a, _k, ip) => {
      const ann = ip.getAttrOrUndefined(a[0], '__annotations__');
      return ann instanceof PyDict ? ann : new PyDict();
    }),
    get_origin: func('typing.get_origin', (a) => (a[0] instanceof PyInstance ? (a[0].dict.get('__origin__') ?? null) : null)),
    get_args: func('typing.get_args', (a) => (a[0] instanceof PyInstance ? (a[0].dict.get('__args__') ?? new PyTuple([])) : new PyTuple([]))),
    assert_never: identity('assert_never'),
    reveal_type: identity('reveal_type'),
  });
  return out;
}

registerNativeModule('typing', () => makeModule('typing', typingModule()));
registerNativeModule('typing_extensions', () => {
  const m = makeModule('typing_extensions', typingModule());
  (m as { tolerant: boolean }).tolerant = true;
  return m;
});

export { Generic, Protocol, TypeVar, SpecialForm };
