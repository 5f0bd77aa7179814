// Helpers shared by Sequential / ModuleList / ModuleDict: index normalisation, slices, OrderedDict input, list methods.

import { unwrap } from '../../runtime/helpers';
import {
  PyDict,
  PyIterator,
  PySlice,
  STOP,
  type CallContext,
  type NativeFn,
  type PyInstance,
  type PyValue,
} from '../../runtime/values';
import { pyTypeName } from '../signature';
import { isModule, moduleState, type ModuleState } from './moduleState';
import { newModuleInstance, moduleSetAttr } from './module';

export function st(self: PyInstance): ModuleState {
  return moduleState(self) as ModuleState;
}

/** The dict inside a dict/OrderedDict argument, or null. */
export function asDict(v: PyValue): PyDict | null {
  const u = unwrap(v);
  return u instanceof PyDict ? u : null;
}

/** PyTorch's _get_abs_string_index: wraps negative indices, IndexError('index N is out of range'). */
export function absIndex(self: PyInstance, idx: PyValue, ctx: CallContext): number {
  const n = st(self).modules.size;
  if (typeof idx !== 'number' && typeof idx !== 'boolean') {
    return ctx.interp.raise('TypeError', `${self.cls.name} indices must be integers or slices, not ${pyTypeName(idx)}`);
  }
  const i = Number(idx);
  if (!(-n <= i && i < n)) return ctx.interp.raise('IndexError', `index ${i} is out of range`);
  return i < 0 ? i + n : i;
}

/** Indexes [start, stop) of a slice over n items. */
export function sliceRange(s: PySlice, n: number, ctx: CallContext): number[] {
  const step = s.step === null ? 1 : Number(s.step);
  if (step === 0) return ctx.interp.raise('ValueError', 'slice step cannot be zero');
  const norm = (v: PyValue, dflt: number) => {
    if (v === null) return dflt;
    let x = Number(v);
    if (x < 0) x += n;
    return step > 0 ? Math.min(Math.max(x, 0), n) : Math.min(Math.max(x, -1), n - 1);
  };
  const start = norm(s.start, step > 0 ? 0 : n - 1);
  const stop = norm(s.stop, step > 0 ? n : -1);
  const out: number[] = [];
  for (let i = start; step > 0 ? i < stop : i > stop; i += step) out.push(i);
  return out;
}

export function entries(self: PyInstance): Array<[string, PyInstance | null]> {
  return [...st(self).modules.entries()];
}

/** Adds a submodule under `name` (add_module semantics, with PyTorch's type check). */
export function addModule(self: PyInstance, name: string, m: PyValue, ctx: CallContext): void {
  if (m !== null && !isModule(m)) ctx.interp.raise('TypeError', `${pyTypeName(m)} is not a Module subclass`);
  if (m === null) st(self).writableModules().set(name, null);
  else moduleSetAttr(self, name, m, ctx);
}

/** A new container of the same class holding the given entries (slicing). */
export function sameKind(self: PyInstance, items: Array<[string, PyInstance | null]>, ctx: CallContext, renumber: boolean): PyInstance {
  const inst = newModuleInstance(self.cls, ctx);
  const s = st(inst);
  s.initCalled = true;
  s.layer = st(self).layer;
  items.forEach(([k, m], i) => s.writableModules().set(renumber ? String(i) : k, m));
  return inst;
}

export function iterValues(items: PyValue[]): PyIterator {
  let i = 0;
  return new PyIterator(() => (i < items.length ? items[i++] : STOP), 'iterator');
}

/** Replaces the submodules with `items`, keyed '0', '1', … in order (after del/insert/pop). */
export function renumber(self: PyInstance, items: Array<[string, PyInstance | null]>): void {
  const table = st(self).writableModules();
  table.clear();
  items.forEach(([, m], i) => table.set(String(i), m));
}

/** Adds each item of an iterable under the next integer key (extend, +=). */
export function appendAll(self: PyInstance, iterable: PyValue, ctx: CallContext): void {
  for (const m of ctx.interp.iterate(iterable)) addModule(self, String(st(self).modules.size), m, ctx);
}

/**
 * The list-like methods Sequential and ModuleList share: int/slice indexing, del, len, iter, bool, append,
 * extend, pop. `renumberSlices`: a slice's keys restart at '0' (ModuleList) or keep their names (Sequential).
 */
export function listMethods(renumberSlices: boolean): Record<string, NativeFn> {
  return {
    __getitem__: (call, ctx) => {
      const self = call.args[0] as PyInstance;
      const idx = call.args[1];
      if (idx instanceof PySlice) {
        const all = entries(self);
        return sameKind(self, sliceRange(idx, all.length, ctx).map((i) => all[i]), ctx, renumberSlices);
      }
      return entries(self)[absIndex(self, idx, ctx)][1];
    },
    __delitem__: (call, ctx) => {
      const self = call.args[0] as PyInstance;
      const all = entries(self);
      const idx = call.args[1];
      const drop = idx instanceof PySlice ? sliceRange(idx, all.length, ctx) : [absIndex(self, idx, ctx)];
      renumber(self, all.filter((_, i) => !drop.includes(i)));
      return null;
    },
    __len__: (call) => st(call.args[0] as PyInstance).modules.size,
    __iter__: (call) => iterValues(entries(call.args[0] as PyInstance).map(([, m]) => m)),
    __bool__: (call) => st(call.args[0] as PyInstance).modules.size > 0,
    append: (call, ctx) => {
      const self = call.args[0] as PyInstance;
      addModule(self, String(st(self).modules.size), call.args[1] ?? null, ctx);
      return self;
    },
    extend: (call, ctx) => {
      const self = call.args[0] as PyInstance;
      appendAll(self, call.args[1] ?? null, ctx);
      return self;
    },
    pop: (call, ctx) => {
      const self = call.args[0] as PyInstance;
      const all = entries(self);
      const i = absIndex(self, call.args[1] ?? -1, ctx);
      const [, m] = all.splice(i, 1)[0];
      renumber(self, all);
      return m;
    },
  };
}

/** Puts `m` at position `i` (already in [0, len]) and renumbers the keys. */
export function insertAt(self: PyInstance, i: number, m: PyInstance | null): void {
  const all = entries(self);
  all.splice(i, 0, ['', m]);
  renumber(self, all);
}
