// nn.ModuleList: an indexable list of submodules (registered as '0', '1', …); not callable itself.

import { PySlice, type PyInstance, type PyValue } from '../../runtime/values';
import { absIndex, addModule, entries, iterValues, sameKind, sliceRange, st } from './containerCommon';
import { defineLayer } from './layer';

function renumber(self: PyInstance, items: Array<[string, PyInstance | null]>): void {
  st(self).modules.clear();
  items.forEach(([, m], i) => st(self).modules.set(String(i), m));
}

export const ModuleListClass = defineLayer({
  name: 'ModuleList',
  module: 'torch.nn.modules.container',
  sig: 'ModuleList.__init__(self, modules=None)',
  init: (self, a, ctx) => {
    const mods = a.get('modules');
    if (mods === null) return;
    for (const m of ctx.interp.iterate(mods)) addModule(self, String(st(self).modules.size), m, ctx);
  },
  methods: {
    __getitem__: (call, ctx) => {
      const self = call.args[0] as PyInstance;
      const idx = call.args[1];
      if (idx instanceof PySlice) {
        const all = entries(self);
        return sameKind(self, sliceRange(idx, all.length, ctx).map((i) => all[i]), ctx, true);
      }
      return entries(self)[absIndex(self, idx, ctx)][1];
    },
    __setitem__: (call, ctx) => {
      const self = call.args[0] as PyInstance;
      const i = absIndex(self, call.args[1], ctx);
      addModule(self, String(i), call.args[2] ?? null, ctx);
      return null;
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
    __iadd__: (call, ctx) => {
      const self = call.args[0] as PyInstance;
      for (const m of ctx.interp.iterate(call.args[1] ?? null)) addModule(self, String(st(self).modules.size), m, ctx);
      return self;
    },
    __add__: (call, ctx) => {
      const self = call.args[0] as PyInstance;
      const more = ctx.interp.iterate(call.args[1] ?? null) as PyValue[];
      return sameKind(self, [...entries(self), ...more.map((m) => ['', m as PyInstance] as [string, PyInstance])], ctx, true);
    },
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
      i = Math.max(0, Math.min(i, all.length));
      all.splice(i, 0, ['', call.args[2] as PyInstance]);
      renumber(self, all);
      return null;
    },
    pop: (call, ctx) => {
      const self = call.args[0] as PyInstance;
      const all = entries(self);
      const i = absIndex(self, call.args[1] ?? -1, ctx);
      const [, m] = all.splice(i, 1)[0];
      renumber(self, all);
      return m;
    },
    __bool__: (call) => st(call.args[0] as PyInstance).modules.size > 0,
  },
});
