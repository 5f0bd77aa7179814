// nn.Sequential: modules from varargs, *list or an OrderedDict; indexing (int, slice), len, iteration,
// append/extend/insert/pop; forward passes the input through each module in order.

import { PySlice, PyTuple, type PyInstance, type PyValue } from '../../runtime/values';
import { absIndex, addModule, asDict, entries, iterValues, sameKind, sliceRange, st } from './containerCommon';
import { defineLayer } from './layer';
import { isModule } from './moduleState';

export const SequentialClass = defineLayer({
  name: 'Sequential',
  module: 'torch.nn.modules.container',
  sig: 'Sequential.__init__(self, *args)',
  init: (self, a, ctx) => {
    const args = a.varargs;
    const d = args.length === 1 ? asDict(args[0]) : null;
    if (d && !isModule(args[0])) {
      for (const k of d.keys()) addModule(self, String(k), d.get(k) as PyValue, ctx);
      return;
    }
    args.forEach((m, i) => addModule(self, String(i), m, ctx));
  },
  forward: (self, call, ctx) => {
    let x: PyValue = call.args[0] ?? call.kwargs.get('input') ?? null;
    if (call.args.length === 0 && !call.kwargs.has('input')) {
      return ctx.interp.raise('TypeError', "Sequential.forward() missing 1 required positional argument: 'input'");
    }
    for (const [, m] of entries(self)) {
      if (m === null) continue;
      x = ctx.interp.call(m, [x], undefined, ctx.span);
    }
    return x;
  },
  methods: {
    __getitem__: (call, ctx) => {
      const self = call.args[0] as PyInstance;
      const idx = call.args[1];
      if (idx instanceof PySlice) {
        const all = entries(self);
        return sameKind(self, sliceRange(idx, all.length, ctx).map((i) => all[i]), ctx, false);
      }
      return entries(self)[absIndex(self, idx, ctx)][1];
    },
    __setitem__: (call, ctx) => {
      const self = call.args[0] as PyInstance;
      const i = absIndex(self, call.args[1], ctx);
      addModule(self, entries(self)[i][0], call.args[2], ctx);
      return null;
    },
    __delitem__: (call, ctx) => {
      const self = call.args[0] as PyInstance;
      const all = entries(self);
      const idx = call.args[1];
      const drop = idx instanceof PySlice ? sliceRange(idx, all.length, ctx) : [absIndex(self, idx, ctx)];
      const keep = all.filter((_, i) => !drop.includes(i));
      st(self).modules.clear();
      keep.forEach(([, m], i) => st(self).modules.set(String(i), m));
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
      for (const m of ctx.interp.iterate(call.args[1] ?? null)) addModule(self, String(st(self).modules.size), m, ctx);
      return self;
    },
    insert: (call, ctx) => {
      const self = call.args[0] as PyInstance;
      const all = entries(self);
      let i = Number(call.args[1]);
      if (i < 0) i += all.length;
      if (i < 0 || i > all.length) return ctx.interp.raise('IndexError', `Index out of range: ${call.args[1]}`);
      const m = call.args[2] ?? null;
      if (!isModule(m)) return ctx.interp.raise('AssertionError', `module should be of type: Module`);
      all.splice(i, 0, ['', m]);
      st(self).modules.clear();
      all.forEach(([, mm], k) => st(self).modules.set(String(k), mm));
      return self;
    },
    pop: (call, ctx) => {
      const self = call.args[0] as PyInstance;
      const all = entries(self);
      const i = absIndex(self, call.args[1] ?? -1, ctx);
      const [, m] = all.splice(i, 1)[0];
      st(self).modules.clear();
      all.forEach(([, mm], k) => st(self).modules.set(String(k), mm));
      return m;
    },
    __add__: (call, ctx) => {
      const self = call.args[0] as PyInstance;
      const other = call.args[1] as PyInstance;
      return sameKind(self, [...entries(self), ...entries(other)], ctx, true);
    },
    __dir__: (call) => new PyTuple([...st(call.args[0] as PyInstance).modules.keys()]),
  },
});
