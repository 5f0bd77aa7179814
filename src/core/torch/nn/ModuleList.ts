// nn.ModuleList: an indexable list of submodules (registered as '0', '1', …); not callable itself.

import { type PyInstance, type PyValue } from '../../runtime/values';
import { absIndex, addModule, appendAll, entries, insertAt, listMethods, sameKind, st } from './containerCommon';
import { defineLayer } from './layer';

const shared = listMethods(true);

export const ModuleListClass = defineLayer({
  name: 'ModuleList',
  module: 'torch.nn.modules.container',
  sig: 'ModuleList.__init__(self, modules=None)',
  init: (self, a, ctx) => {
    const mods = a.get('modules');
    if (mods !== null) appendAll(self, mods, ctx);
  },
  methods: {
    ...shared,
    __setitem__: (call, ctx) => {
      const self = call.args[0] as PyInstance;
      const i = absIndex(self, call.args[1], ctx);
      addModule(self, String(i), call.args[2] ?? null, ctx);
      return null;
    },
    __iadd__: shared.extend,
    __add__: (call, ctx) => {
      const self = call.args[0] as PyInstance;
      const more = ctx.interp.iterate(call.args[1] ?? null) as PyValue[];
      return sameKind(self, [...entries(self), ...more.map((m) => ['', m as PyInstance] as [string, PyInstance])], ctx, true);
    },
    insert: (call) => {
      const self = call.args[0] as PyInstance;
      const n = st(self).modules.size;
      let i = Number(call.args[1]);
      if (i < 0) i += n;
      insertAt(self, Math.max(0, Math.min(i, n)), call.args[2] as PyInstance);
      return null;
    },
  },
});
