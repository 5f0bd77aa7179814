// enum: Enum/IntEnum/StrEnum/Flag with EnumMeta (members created when the class is built), auto(), unique.

import {
  classCreationHooks,
  intClass,
  isSubclass,
  lookupType,
  objectClass,
  strClass,
  typeClass,
  floatClass,
} from '../builtinTypes';
import type { Interpreter } from '../interpreter';
import { registerNativeModule } from '../nativeModules';
import { eqBool } from '../operators';
import {
  PyBuiltinFunction,
  PyClass,
  PyClassMethod,
  PyDict,
  PyFunction,
  PyInstance,
  PyIterator,
  PyList,
  PyProperty,
  PyStaticMethod,
  PyTuple,
  type PyValue,
} from '../values';
import { func, makeModule, method, nativeClass, property } from './common';

function members(cls: PyClass): PyInstance[] {
  const l = cls.lookup('_member_list_');
  return l instanceof PyList ? (l.items as PyInstance[]) : [];
}

export const EnumMeta = nativeClass('EnumMeta', 'enum', [typeClass], {
  __getitem__: (a, _k, ip) => {
    const cls = a[0] as PyClass;
    const map = cls.lookup('_member_map_');
    const m = map instanceof PyDict ? map.get(a[1]) : undefined;
    if (m === undefined) return ip.raiseKeyError(a[1]);
    return m;
  },
  __iter__: (a, _k, ip) => new PyIterator(ip.iterFn(new PyList(members(a[0] as PyClass))), 'iterator'),
  __reversed__: (a, _k, ip) => new PyIterator(ip.iterFn(new PyList(members(a[0] as PyClass).slice().reverse())), 'iterator'),
  __len__: (a) => members(a[0] as PyClass).length,
  __contains__: (a) => members(a[0] as PyClass).includes(a[1] as PyInstance),
  __call__: (a, k, ip) => {
    const cls = a[0] as PyClass;
    if (a.length > 2 || k.size > 0) return ip.raise('TypeError', 'Tensor Trace does not support the functional Enum API');
    const value = a[1];
    for (const m of members(cls)) if (m === value || eqBool(ip, m.dict.get('_value_') ?? null, value)) return m;
    const missing = lookupType(cls, '_missing_');
    if (missing instanceof PyClassMethod) {
      const r = ip.call(missing.func, [cls, value]);
      if (r !== null) return r;
    }
    return ip.raise('ValueError', `${ip.repr(value)} is not a valid ${ip.qualnameOf(cls)}`);
  },
  __members__: property('EnumMeta.__members__', (self) => {
    const map = (self as PyClass).lookup('_member_map_');
    const d = new PyDict();
    if (map instanceof PyDict) for (const e of map.map.values()) d.set(e.key, e.value);
    return d;
  }),
  __repr__: (a) => `<enum '${(a[0] as PyClass).name}'>`,
});

export const Enum = nativeClass(
  'Enum',
  'enum',
  [objectClass],
  {
    name: property('Enum.name', (self) => (self as PyInstance).dict.get('_name_') ?? null),
    value: property('Enum.value', (self) => (self as PyInstance).dict.get('_value_') ?? null),
    __repr__: (a, _k, ip) => {
      const m = a[0] as PyInstance;
      return `<${ip.qualnameOf(m.cls)}.${String(m.dict.get('_name_'))}: ${ip.repr(m.dict.get('_value_') ?? null)}>`;
    },
    __str__: (a, _k, ip) => {
      const m = a[0] as PyInstance;
      return `${ip.qualnameOf(m.cls)}.${String(m.dict.get('_name_'))}`;
    },
    __format__: (a, _k, ip) => {
      const m = a[0] as PyInstance;
      if (m.native !== undefined) return ip.format(m.native as PyValue, String(a[1] ?? ''));
      return ip.format(ip.str(m), String(a[1] ?? ''));
    },
    __reduce_ex__: (a) => a[0],
    __init__: () => null,
  },
  EnumMeta,
);
const enumInit = Enum.dict.get('__init__');
const enumRepr = Enum.dict.get('__repr__')!;

export const IntEnum = nativeClass(
  'IntEnum',
  'enum',
  [intClass, Enum],
  {
    __repr__: enumRepr,
    __str__: (a, _k, ip) => ip.str((a[0] as PyInstance).native as PyValue),
    __format__: (a, _k, ip) => ip.format((a[0] as PyInstance).native as PyValue, String(a[1] ?? '')),
  },
  EnumMeta,
);
export const StrEnum = nativeClass(
  'StrEnum',
  'enum',
  [strClass, Enum],
  {
    __repr__: enumRepr,
    __str__: (a, _k, ip) => ip.str((a[0] as PyInstance).native as PyValue),
    __format__: (a, _k, ip) => ip.format((a[0] as PyInstance).native as PyValue, String(a[1] ?? '')),
  },
  EnumMeta,
);
export const Flag = nativeClass('Flag', 'enum', [Enum], {}, EnumMeta);
export const IntFlag = nativeClass('IntFlag', 'enum', [intClass, Flag], {}, EnumMeta);

const AutoCls = nativeClass('auto', 'enum', [objectClass], {
  __init__: () => null,
});

function isDescriptor(v: PyValue): boolean {
  return (
    v instanceof PyFunction ||
    v instanceof PyBuiltinFunction ||
    v instanceof PyStaticMethod ||
    v instanceof PyClassMethod ||
    v instanceof PyProperty ||
    v instanceof PyClass ||
    (v instanceof PyInstance && lookupType(v.cls, '__get__') !== undefined)
  );
}

/** Turns the class attributes of a new Enum subclass into members. */
function createMembers(ip: Interpreter, cls: PyClass): void {
  const list: PyInstance[] = [];
  const map = new PyDict();
  const mixin = [intClass, strClass, floatClass].find((m) => isSubclass(cls, m));
  const isStrEnum = isSubclass(cls, StrEnum);
  const isFlag = isSubclass(cls, Flag);
  let lastValue: PyValue = 0;
  const init = lookupType(cls, '__init__');
  for (const [name, raw] of [...cls.dict]) {
    if (name.startsWith('__') && name.endsWith('__')) continue;
    if (name.startsWith('_') && name.endsWith('_') && name.length > 2) continue;
    if (isDescriptor(raw)) continue;
    let value = raw;
    if (raw instanceof PyInstance && raw.cls === AutoCls) {
      if (isStrEnum) value = name.toLowerCase();
      else if (isFlag) value = typeof lastValue === 'number' && lastValue > 0 ? 2 ** Math.floor(Math.log2(lastValue) + 1) : 1;
      else value = typeof lastValue === 'number' ? lastValue + 1 : 1;
    }
    const alias = list.find((m) => eqBool(ip, m.dict.get('_value_') ?? null, value));
    if (alias) {
      cls.dict.set(name, alias);
      map.set(name, alias);
      continue;
    }
    const m = new PyInstance(cls);
    m.dict.set('_name_', name);
    m.dict.set('_value_', value);
    if (mixin) m.native = value;
    if (init !== undefined && init !== null && init !== enumInit && init !== objectClass.dict.get('__init__') && !(mixin && init === mixin.dict.get('__init__'))) {
      ip.callMethod(init, m, value instanceof PyTuple ? value.items : [value]);
    }
    cls.dict.set(name, m);
    map.set(name, m);
    list.push(m);
    lastValue = m.dict.get('_value_') ?? value;
  }
  cls.dict.set('_member_list_', new PyList(list));
  cls.dict.set('_member_map_', map);
  cls.dict.set('_member_names_', new PyList(list.map((m) => m.dict.get('_name_')!)));
}

classCreationHooks.push((ip, cls, meta) => {
  if (!isSubclass(meta, EnumMeta)) return;
  if ([Enum, IntEnum, StrEnum, Flag, IntFlag].includes(cls)) return;
  for (const b of cls.bases) {
    if (isSubclass(b, Enum) && members(b).length > 0)
      ip.raise('TypeError', `${cls.name}: cannot extend ${b.name}`);
  }
  createMembers(ip, cls);
});

registerNativeModule('enum', () =>
  makeModule('enum', {
    Enum,
    IntEnum,
    StrEnum,
    Flag,
    IntFlag,
    EnumMeta,
    EnumType: EnumMeta,
    auto: AutoCls,
    unique: func('enum.unique', (a) => a[0]),
    verify: func('enum.verify', () => func('enum.verify.<decorator>', (b) => b[0])),
  }),
);

