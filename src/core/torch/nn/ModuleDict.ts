// nn.ModuleDict: submodules by string key (insertion order); dict-like access, not callable itself.

import { PyList, PyTuple, type PyInstance, type PyValue } from '../../runtime/values';
import { pyTypeName } from '../signature';
import { addModule, asDict, entries, iterValues, st } from './containerCommon';
import { defineLayer } from './layer';

function update(self: PyInstance, v: PyValue, ctx: Parameters<typeof addModule>[3]): void {
  const d = asDict(v);
  if (d) {
    for (const k of d.keys()) addModule(self, String(k), d.get(k) as PyValue, ctx);
    return;
  }
  for (const item of ctx.interp.iterate(v)) {
    const pair = ctx.interp.iterate(item);
    if (pair.length !== 2) ctx.interp.raise('ValueError', `ModuleDict update sequence element has length ${pair.length}; 2 is required`);
    addModule(self, String(pair[0]), pair[1], ctx);
  }
}

function key(call: { args: PyValue[] }, ctx: Parameters<typeof addModule>[3]): string {
  const k = call.args[1];
  if (typeof k !== 'string') return ctx.interp.raise('TypeError', `module name should be a string. Got ${pyTypeName(k ?? null)}`);
  return k;
}

export const ModuleDictClass = defineLayer({
  name: 'ModuleDict',
  module: 'torch.nn.modules.container',
  sig: 'ModuleDict.__init__(self, modules=None)',
  init: (self, a, ctx) => {
    const mods = a.get('modules');
    if (mods !== null) update(self, mods, ctx);
  },
  methods: {
    __getitem__: (call, ctx) => {
      const self = call.args[0] as PyInstance;
      const k = call.args[1] ?? null;
      const m = typeof k === 'string' ? st(self).modules.get(k) : undefined;
      if (m === undefined) return ctx.interp.raise('KeyError', typeof k === 'string' ? k : String(k));
      return m;
    },
    __setitem__: (call, ctx) => {
      addModule(call.args[0] as PyInstance, key(call, ctx), call.args[2] ?? null, ctx);
      return null;
    },
    __delitem__: (call, ctx) => {
      const self = call.args[0] as PyInstance;
      if (!st(self).modules.delete(key(call, ctx))) ctx.interp.raise('KeyError', String(call.args[1]));
      return null;
    },
    __len__: (call) => st(call.args[0] as PyInstance).modules.size,
    __iter__: (call) => iterValues([...st(call.args[0] as PyInstance).modules.keys()]),
    __contains__: (call) => typeof call.args[1] === 'string' && st(call.args[0] as PyInstance).modules.has(call.args[1]),
    keys: (call) => new PyList([...st(call.args[0] as PyInstance).modules.keys()]),
    values: (call) => new PyList(entries(call.args[0] as PyInstance).map(([, m]) => m)),
    items: (call) => new PyList(entries(call.args[0] as PyInstance).map(([k, m]) => new PyTuple([k, m]))),
    update: (call, ctx) => {
      update(call.args[0] as PyInstance, call.args[1] ?? null, ctx);
      return null;
    },
    pop: (call, ctx) => {
      const self = call.args[0] as PyInstance;
      const k = key(call, ctx);
      const m = st(self).modules.get(k);
      if (m === undefined) return ctx.interp.raise('KeyError', k);
      st(self).modules.delete(k);
      return m;
    },
    clear: (call) => {
      st(call.args[0] as PyInstance).writableModules().clear();
      return null;
    },
  },
});
