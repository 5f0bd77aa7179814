// nn.Sequential: modules from varargs, *list or an OrderedDict; indexing (int, slice), len, iteration,
// append/extend/insert/pop; forward passes the input through each module in order.

import { PyTuple, type PyInstance, type PyValue } from '../../runtime/values';
import { absIndex, addModule, asDict, entries, insertAt, listMethods, sameKind, st } from './containerCommon';
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
    ...listMethods(false),
    __setitem__: (call, ctx) => {
      const self = call.args[0] as PyInstance;
      const i = absIndex(self, call.args[1], ctx);
      addModule(self, entries(self)[i][0], call.args[2], ctx);
      return null;
    },
    insert: (call, ctx) => {
      const self = call.args[0] as PyInstance;
      const n = st(self).modules.size;
      let i = Number(call.args[1]);
      if (i < 0) i += n;
      if (i < 0 || i > n) return ctx.interp.raise('IndexError', `Index out of range: ${call.args[1]}`);
      const m = call.args[2] ?? null;
      if (!isModule(m)) return ctx.interp.raise('AssertionError', `module should be of type: Module`);
      insertAt(self, i, m);
      return self;
    },
    __add__: (call, ctx) => {
      const self = call.args[0] as PyInstance;
      const other = call.args[1] as PyInstance;
      return sameKind(self, [...entries(self), ...entries(other)], ctx, true);
    },
    __dir__: (call) => new PyTuple([...st(call.args[0] as PyInstance).modules.keys()]),
  },
});
