// Helpers shared by Sequential / ModuleList / ModuleDict: index normalisation, slices, OrderedDict input.

import { unwrap } from '../../runtime/helpers';
import { PyDict, PyIterator, PySlice, STOP, type CallContext, type PyInstance, type PyValue } from '../../runtime/values';
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
  if (m === null) st(self).modules.set(name, null);
  else moduleSetAttr(self, name, m, ctx);
}

/** A new container of the same class holding the given entries (slicing). */
export function sameKind(self: PyInstance, items: Array<[string, PyInstance | null]>, ctx: CallContext, renumber: boolean): PyInstance {
  const inst = newModuleInstance(self.cls, ctx);
  const s = st(inst);
  s.initCalled = true;
  s.layer = st(self).layer;
  items.forEach(([k, m], i) => s.modules.set(renumber ? String(i) : k, m));
  return inst;
}

export function iterValues(items: PyValue[]): PyIterator {
  let i = 0;
  return new PyIterator(() => (i < items.length ? items[i++] : STOP), 'iterator');
}
