// Interpreter-side Python objects that the shared value model does not need to know: super() proxies and
// dict views. They carry their own PyClass so type(), isinstance() and attribute lookup treat them uniformly.

import { TypedObject, objectClass, superClass } from './builtinTypes';
import { PyClass, PyDict, type PyValue } from './values';

/** super(cls, obj): attribute lookup starts after `cls` in the MRO of obj's type (or obj itself for classes). */
export class PySuper extends TypedObject {
  constructor(
    readonly thisClass: PyClass,
    readonly obj: PyValue,
    /** The class whose MRO is searched: type(obj), or obj itself when obj is a class. */
    readonly startType: PyClass,
  ) {
    super();
  }
  get pyClass(): PyClass {
    return superClass;
  }
}

export type DictViewKind = 'keys' | 'values' | 'items';

const viewClasses: Record<DictViewKind, PyClass> = {
  keys: new PyClass('dict_keys', [objectClass], new Map(), 'builtins'),
  values: new PyClass('dict_values', [objectClass], new Map(), 'builtins'),
  items: new PyClass('dict_items', [objectClass], new Map(), 'builtins'),
};

/** dict.keys()/values()/items(): a live view over the dict. */
export class DictView extends TypedObject {
  constructor(
    readonly dict: PyDict,
    readonly kind: DictViewKind,
  ) {
    super();
  }
  get pyClass(): PyClass {
    return viewClasses[this.kind];
  }
  static classFor(kind: DictViewKind): PyClass {
    return viewClasses[kind];
  }
}
