// nn.Module as a native class: construction state (__new__), attribute routing like PyTorch's __setattr__ /
// __getattr__, __call__ with hooks and trace recording, repr, and the tree API (parameters(), named_modules(), …).

import type { Location } from '../../diagnostics';
import type { Span } from '../../syntax/ast';
import * as tf from '@tensorflow/tfjs-core';
import {
  PyBuiltinFunction,
  PyClass,
  PyDict,
  PyList,
  PyInstance,
  PyIterator,
  PyProperty,
  PyTuple,
  STOP,
  type CallArgs,
  type CallContext,
  type Interp,
  type NativeFn,
  type PyValue,
} from '../../runtime/values';
import { lookupType } from '../../runtime/builtinTypes';
import { getRecorder, getRecorderAlways, type CallInfo } from '../../trace/recorder';
import { PyDtype, PyDevice, type DType } from '../dtype';
import { builtin } from '../native';
import { pyTypeName } from '../signature';
import { isTensor, type Tensor } from '../tensor';
import {
  isModule,
  type LayerInfo,
  ModuleState,
  moduleState,
  namedChildren,
  modulesOf,
  namedModules,
  namedTensors,
  nextHookId,
  safeLocation,
} from './moduleState';
import { isParameter } from './Parameter';

export const ModuleClass = new PyClass('Module', [], new Map(), 'torch.nn.modules.module');

function def(name: string, fn: NativeFn): void {
  ModuleClass.dict.set(name, builtin(name, fn, `Module.${name}`));
}

/** The module state of `self`, raising a TypeError for non-modules. */
export function stateOf(v: PyValue, ctx: CallContext): ModuleState {
  const st = moduleState(v);
  if (!st) return ctx.interp.raise('TypeError', `descriptor requires a 'Module' object but received a '${pyTypeName(v)}'`);
  return st;
}

/** Creates a module instance of `cls` with fresh state (used by __new__ and by native constructors). */
export function newModuleInstance(cls: PyClass, ctx: CallContext): PyInstance {
  const inst = new PyInstance(cls);
  const st = new ModuleState();
  inst.native = st;
  inst.dict.set('training', true);
  st.deferDefinedAt(ctx.interp, ctx.file, ctx.span);
  st.constructedIn = getRecorderAlways(ctx.interp)?.currentFunctionName() ?? undefined;
  return inst;
}

def('__new__', (call, ctx) => {
  const cls = call.args[0];
  if (!(cls instanceof PyClass)) return ctx.interp.raise('TypeError', 'Module.__new__(X): X is not a type object');
  return newModuleInstance(cls, ctx);
});

def('__init__', (call, ctx) => {
  const st = stateOf(call.args[0], ctx);
  if (call.args.length > 1) {
    ctx.interp.raise('TypeError', `Module.__init__() takes 1 positional argument but ${call.args.length} were given`);
  }
  for (const k of call.kwargs.keys()) ctx.interp.raise('TypeError', `Module.__init__() got an unexpected keyword argument '${k}'`);
  st.initCalled = true;
  return null;
});

/** PyTorch's Module.__setattr__ routing. */
export function moduleSetAttr(self: PyInstance, name: string, value: PyValue, ctx: CallContext): void {
  const st = moduleState(self) as ModuleState;
  const interp = ctx.interp;
  if (isParameter(value)) {
    if (!st.initCalled) interp.raise('AttributeError', 'cannot assign parameters before Module.__init__() call');
    self.dict.delete(name);
    st.buffers.delete(name);
    st.modules.delete(name);
    st.writableParams().set(name, value);
    return;
  }
  if (st.params.has(name)) {
    if (value !== null) {
      interp.raise('TypeError', `cannot assign '${typeLabel(value)}' as parameter '${name}' (torch.nn.Parameter or None expected)`);
    }
    st.writableParams().set(name, null);
    return;
  }
  if (isModule(value)) {
    if (!st.initCalled) interp.raise('AttributeError', 'cannot assign module before Module.__init__() call');
    self.dict.delete(name);
    st.params.delete(name);
    st.buffers.delete(name);
    st.writableModules().set(name, value);
    noteAssignment(value, ctx);
    return;
  }
  if (st.modules.has(name)) {
    if (value !== null) interp.raise('TypeError', `cannot assign '${typeLabel(value)}' as child module '${name}' (torch.nn.Module or None expected)`);
    st.writableModules().set(name, null);
    return;
  }
  if (st.buffers.has(name)) {
    if (value !== null && !isTensor(value)) interp.raise('TypeError', `cannot assign '${typeLabel(value)}' as buffer '${name}' (torch.Tensor or None expected)`);
    st.writableBuffers().set(name, value as Tensor | null);
    return;
  }
  if (name === 'training') st.training = interp.truthy(value);
  // object.__setattr__: honour property setters of user subclasses.
  for (const c of self.cls.mro) {
    const ca = c.dict.get(name);
    if (ca === undefined) continue;
    if (ca instanceof PyProperty && ca.fset !== null) {
      interp.call(ca.fset, [self, value]);
      return;
    }
    break;
  }
  self.dict.set(name, value);
}

/** A module built in a helper (conv3x3, _make_layer) is shown at the __init__ line that assigned it. */
function noteAssignment(child: PyInstance, ctx: CallContext): void {
  const cst = moduleState(child);
  const rec = getRecorderAlways(ctx.interp);
  if (!cst || !rec) return;
  if (cst.constructedIn !== '__init__' && rec.currentFunctionName() === '__init__') {
    try {
      cst.definedAt = ctx.interp.currentLocation();
      cst.constructedIn = '__init__';
    } catch {
      /* keep the construction site */
    }
  }
}

function typeLabel(v: PyValue): string {
  if (isTensor(v)) return 'torch.FloatTensor';
  return pyTypeName(v);
}

def('__setattr__', (call, ctx) => {
  const self = call.args[0] as PyInstance;
  stateOf(self, ctx);
  const name = call.args[1];
  if (typeof name !== 'string') return ctx.interp.raise('TypeError', 'attribute name must be string');
  moduleSetAttr(self, name, call.args[2] ?? null, ctx);
  return null;
});

def('__getattr__', (call, ctx) => {
  const self = call.args[0] as PyInstance;
  const st = stateOf(self, ctx);
  const name = call.args[1] as string;
  if (st.params.has(name)) return st.params.get(name) ?? null;
  if (st.buffers.has(name)) return st.buffers.get(name) ?? null;
  if (st.modules.has(name)) return st.modules.get(name) ?? null;
  switch (name) {
    case '_parameters':
      return dictOf(st.params);
    case '_buffers':
      return dictOf(st.buffers);
    case '_modules':
      return dictOf(st.modules);
    case '_forward_hooks':
    case '_forward_pre_hooks':
    case '_backward_hooks':
    case '_state_dict_hooks':
      return new PyDict();
    case 'training':
      return st.training;
  }
  return ctx.interp.raise('AttributeError', `'${self.cls.name}' object has no attribute '${name}'`);
});

function dictOf(m: Map<string, PyValue>): PyDict {
  const d = new PyDict();
  for (const [k, v] of m) d.set(k, v);
  return d;
}

def('__delattr__', (call, ctx) => {
  const self = call.args[0] as PyInstance;
  const st = stateOf(self, ctx);
  const name = call.args[1] as string;
  if (st.params.delete(name) || st.buffers.delete(name) || st.modules.delete(name)) return null;
  if (!self.dict.delete(name)) ctx.interp.raise('AttributeError', `'${self.cls.name}' object has no attribute '${name}'`);
  return null;
});

def('__dir__', (call, ctx) => {
  const self = call.args[0] as PyInstance;
  const st = stateOf(self, ctx);
  const names = new Set<string>([...self.dict.keys(), ...st.params.keys(), ...st.buffers.keys(), ...st.modules.keys()]);
  for (const c of self.cls.mro) for (const k of c.dict.keys()) names.add(k);
  return new PyTuple([...names].sort());
});

// ------------------------------------------------------------------ calling

/** The extra_repr text of a module (user overrides included). */
export function extraReprOf(self: PyInstance, interp: Interp): string {
  try {
    const v = interp.call(interp.getAttr(self, 'extra_repr'), []);
    return typeof v === 'string' ? v : '';
  } catch {
    return '';
  }
}

/**
 * A module call's CallInfo. Its call site (a line/column location), extra_repr text and skip-path label are built
 * on first use: the recorder asks for them once, when the trace result is produced, not on every call.
 */
class ModuleCallInfo implements CallInfo {
  readonly className: string;
  readonly classDefinedAt: Location | undefined;
  private describeText: string | undefined;
  private site: Location | undefined;
  constructor(
    private readonly module: PyInstance,
    private readonly layer: LayerInfo | undefined,
    private argsText: string | undefined,
    private readonly interp: Interp,
    private readonly file: string,
    private readonly span: Span,
    private readonly state: ModuleState,
    readonly nativeLayer: boolean,
  ) {
    this.className = module.cls.name;
    this.classDefinedAt = module.cls.definedAt;
  }
  /** Where the module was constructed, read when the result is built (an __init__ may re-assign it first). */
  get definedAt(): Location | undefined {
    return this.state.definedAt;
  }
  get callSite(): Location {
    return (this.site ??= safeLocation(this.interp, this.file, this.span) ?? this.definedAt ?? this.classDefinedAt ?? {
      file: this.file,
      span: this.span,
      line: 1,
      column: 1,
      endLine: 1,
      endColumn: 1,
    });
  }
  get args(): string {
    if (this.argsText === undefined) {
      try {
        this.argsText = this.layer ? this.layer.extraRepr(this.module) : '';
      } catch {
        this.argsText = '';
      }
    }
    return this.argsText;
  }
  get describe(): string {
    return (this.describeText ??= this.layer?.describe?.(this.module) ?? this.className);
  }
}

/** extra_repr is Module's own (the layer's text), not overridden by the class or the instance. */
function hasNativeExtraRepr(self: PyInstance): boolean {
  return lookupType(self.cls, 'extra_repr') === ModuleClass.dict.get('extra_repr') && !self.dict.has('extra_repr');
}

/** named_children() is not empty. */
function hasChildModule(st: ModuleState): boolean {
  for (const c of st.modules.values()) if (c) return true;
  return false;
}

/** Whether a module's class is one of torch's own layers (not user code). */
export function isNativeLayerClass(cls: PyClass): boolean {
  return cls.definedAt === undefined && cls.module.startsWith('torch.');
}

def('__call__', (call, ctx) => {
  const self = call.args[0] as PyInstance;
  const st = stateOf(self, ctx);
  const interp = ctx.interp;
  let args = call.args.slice(1);
  let kwargs = call.kwargs;
  const rec = getRecorder(interp);
  let id = -1;
  if (rec) {
    // The extra_repr text (only needed for the result) and the skip-path label are built on first use. A user
    // override of extra_repr is Python code: it still runs now, during the call.
    const info = new ModuleCallInfo(
      self,
      st.layer,
      hasNativeExtraRepr(self) ? undefined : extraReprOf(self, interp),
      interp,
      ctx.file,
      ctx.span,
      st,
      isNativeLayerClass(self.cls) && !hasChildModule(st),
    );
    id = rec.beginCall(self, args, kwargs, info);
  }
  try {
    if (st.hasForwardPreHooks) for (const { hook, withKwargs } of [...st.forwardPreHooks.values()]) {
      if (withKwargs) {
        const r = interp.call(hook, [self, new PyTuple(args), dictOf(kwargs)]);
        if (r !== null) {
          const items = interp.iterate(r);
          args = interp.iterate(items[0] ?? new PyTuple([]));
          const kw = items[1];
          if (kw instanceof PyDict) kwargs = new Map(kw.keys().map((k) => [String(k), kw.get(k) as PyValue]));
        }
      } else {
        const r = interp.call(hook, [self, new PyTuple(args)]);
        if (r !== null) args = r instanceof PyTuple ? [...r.items] : [r];
      }
    }
    let out = interp.callAttr(self, 'forward', args, kwargs, ctx.span);
    if (st.hasForwardHooks) for (const { hook, withKwargs } of [...st.forwardHooks.values()]) {
      const r = withKwargs
        ? interp.call(hook, [self, new PyTuple(args), dictOf(kwargs), out])
        : interp.call(hook, [self, new PyTuple(args), out]);
      if (r !== null) out = r;
    }
    if (rec) rec.endCall(id, out);
    return out;
  } catch (e) {
    if (rec) rec.failCall(id);
    throw e;
  }
});

def('forward', (call, ctx) => {
  const self = call.args[0] as PyInstance;
  return ctx.interp.raise('NotImplementedError', `Module [${self.cls.name}] is missing the required "forward" function`);
});

def('_call_impl', (call, ctx) => ctx.interp.call(ModuleClass.dict.get('__call__') as PyBuiltinFunction, call.args, call.kwargs, ctx.span));

// ------------------------------------------------------------------ repr

function addIndent(s: string, n: number): string {
  const lines = s.split('\n');
  if (lines.length === 1) return s;
  const first = lines.shift() as string;
  return [first, ...lines.map((l) => ' '.repeat(n) + l)].join('\n');
}

def('__repr__', (call, ctx) => {
  const self = call.args[0] as PyInstance;
  const st = stateOf(self, ctx);
  const extra = extraReprOf(self, ctx.interp);
  const extraLines = extra ? extra.split('\n') : [];
  const childLines: string[] = [];
  for (const [key, m] of st.modules) childLines.push(`(${key}): ${addIndent(m === null ? 'None' : ctx.interp.repr(m), 2)}`);
  const lines = [...extraLines, ...childLines];
  let main = `${self.cls.name}(`;
  if (lines.length) {
    if (extraLines.length === 1 && childLines.length === 0) main += extraLines[0];
    else main += '\n  ' + lines.join('\n  ') + '\n';
  }
  return main + ')';
});

def('extra_repr', (call, ctx) => {
  const self = call.args[0] as PyInstance;
  const st = stateOf(self, ctx);
  return st.layer ? st.layer.extraRepr(self) : '';
});

def('_get_name', (call) => (call.args[0] as PyInstance).cls.name);

// ------------------------------------------------------------------ tree API

function iter(items: PyValue[]): PyIterator {
  let i = 0;
  return new PyIterator(() => (i < items.length ? items[i++] : STOP), 'generator');
}

const pair = (n: string, v: PyValue): PyTuple => new PyTuple([n, v]);

function boolArg(call: CallArgs, pos: number, name: string, dflt: boolean, interp: Interp): boolean {
  const v = call.args[pos] ?? call.kwargs.get(name);
  return v === undefined ? dflt : interp.truthy(v);
}
function strArg(call: CallArgs, pos: number, name: string): string {
  const v = call.args[pos] ?? call.kwargs.get(name);
  return typeof v === 'string' ? v : '';
}

def('parameters', (call, ctx) => {
  const self = call.args[0] as PyInstance;
  stateOf(self, ctx);
  return iter(namedTensors(self, 'params', boolArg(call, 1, 'recurse', true, ctx.interp)).map(([, t]) => t));
});
def('named_parameters', (call, ctx) => {
  const self = call.args[0] as PyInstance;
  stateOf(self, ctx);
  const prefix = strArg(call, 1, 'prefix');
  return iter(namedTensors(self, 'params', boolArg(call, 2, 'recurse', true, ctx.interp), prefix).map(([n, t]) => pair(n, t)));
});
def('buffers', (call, ctx) => {
  const self = call.args[0] as PyInstance;
  stateOf(self, ctx);
  return iter(namedTensors(self, 'buffers', boolArg(call, 1, 'recurse', true, ctx.interp)).map(([, t]) => t));
});
def('named_buffers', (call, ctx) => {
  const self = call.args[0] as PyInstance;
  stateOf(self, ctx);
  const prefix = strArg(call, 1, 'prefix');
  return iter(namedTensors(self, 'buffers', boolArg(call, 2, 'recurse', true, ctx.interp), prefix).map(([n, t]) => pair(n, t)));
});
def('modules', (call, ctx) => {
  const self = call.args[0] as PyInstance;
  stateOf(self, ctx);
  return iter(modulesOf(self));
});
def('named_modules', (call, ctx) => {
  const self = call.args[0] as PyInstance;
  stateOf(self, ctx);
  const prefix = strArg(call, 2, 'prefix');
  const dedupe = boolArg(call, 3, 'remove_duplicate', true, ctx.interp);
  return iter(namedModules(self, prefix, new Set(), dedupe).map(([n, m]) => pair(n, m)));
});
def('children', (call, ctx) => {
  const self = call.args[0] as PyInstance;
  stateOf(self, ctx);
  return iter(namedChildren(self).map(([, m]) => m));
});
def('named_children', (call, ctx) => {
  const self = call.args[0] as PyInstance;
  stateOf(self, ctx);
  return iter(namedChildren(self).map(([n, m]) => pair(n, m)));
});

def('apply', (call, ctx) => {
  const self = call.args[0] as PyInstance;
  const fn = call.args[1] ?? call.kwargs.get('fn') ?? null;
  const visit = (m: PyInstance) => {
    for (const [, c] of namedChildren(m)) visit(c);
    ctx.interp.tick();
    ctx.interp.call(fn, [m]);
  };
  visit(self);
  return self;
});

def('train', (call, ctx) => {
  const self = call.args[0] as PyInstance;
  const mode = boolArg(call, 1, 'mode', true, ctx.interp);
  const v = call.args[1] ?? call.kwargs.get('mode');
  if (v !== undefined && typeof v !== 'boolean') ctx.interp.raise('ValueError', 'training mode is expected to be boolean');
  for (const m of modulesOf(self)) {
    const st = moduleState(m);
    if (!st) continue;
    st.training = mode;
    m.dict.set('training', mode);
  }
  return self;
});
def('eval', (call, ctx) => ctx.interp.call(ModuleClass.dict.get('train') as PyValue, [call.args[0], false]));

function registerModule(call: CallArgs, ctx: CallContext): PyValue {
  const self = call.args[0] as PyInstance;
  const st = stateOf(self, ctx);
  const name = call.args[1] ?? call.kwargs.get('name');
  const module = call.args[2] ?? call.kwargs.get('module') ?? null;
  if (typeof name !== 'string') return ctx.interp.raise('TypeError', `module name should be a string. Got ${pyTypeName(name ?? null)}`);
  if (module !== null && !isModule(module)) return ctx.interp.raise('TypeError', `${pyTypeName(module)} is not a Module subclass`);
  if (name.includes('.')) return ctx.interp.raise('KeyError', `module name can't contain ".", got: ${name}`);
  if (name === '') return ctx.interp.raise('KeyError', 'module name can\'t be empty string ""');
  if (self.dict.has(name) && !st.modules.has(name)) return ctx.interp.raise('KeyError', `attribute '${name}' already exists`);
  st.writableModules().set(name, module as PyInstance | null);
  if (module) noteAssignment(module as PyInstance, ctx);
  return null;
}
def('add_module', registerModule);
def('register_module', registerModule);

def('register_buffer', (call, ctx) => {
  const self = call.args[0] as PyInstance;
  const st = stateOf(self, ctx);
  const name = call.args[1] ?? call.kwargs.get('name');
  const t = call.args[2] ?? call.kwargs.get('tensor') ?? null;
  const persistent = boolArg(call, 3, 'persistent', true, ctx.interp);
  if (!st.initCalled) return ctx.interp.raise('AttributeError', 'cannot assign buffer before Module.__init__() call');
  if (typeof name !== 'string') return ctx.interp.raise('TypeError', `buffer name should be a string. Got ${pyTypeName(name ?? null)}`);
  if (name.includes('.')) return ctx.interp.raise('KeyError', 'buffer name can\'t contain "."');
  if (t !== null && !isTensor(t)) return ctx.interp.raise('TypeError', `cannot assign '${pyTypeName(t)}' object to buffer '${name}' (torch Tensor or None required)`);
  if ((self.dict.has(name) || st.params.has(name) || st.modules.has(name)) && !st.buffers.has(name)) {
    return ctx.interp.raise('KeyError', `attribute '${name}' already exists`);
  }
  st.writableBuffers().set(name, t as Tensor | null);
  if (persistent) st.nonPersistent.delete(name);
  else st.nonPersistent.add(name);
  return null;
});

def('register_parameter', (call, ctx) => {
  const self = call.args[0] as PyInstance;
  const st = stateOf(self, ctx);
  const name = call.args[1] ?? call.kwargs.get('name');
  const p = call.args[2] ?? call.kwargs.get('param') ?? null;
  if (!st.initCalled) return ctx.interp.raise('AttributeError', 'cannot assign parameter before Module.__init__() call');
  if (typeof name !== 'string') return ctx.interp.raise('TypeError', `parameter name should be a string. Got ${pyTypeName(name ?? null)}`);
  if (p !== null && !isParameter(p)) {
    return ctx.interp.raise('TypeError', `cannot assign '${typeLabel(p)}' object to parameter '${name}' (torch.nn.Parameter or None required)`);
  }
  if ((self.dict.has(name) || st.buffers.has(name) || st.modules.has(name)) && !st.params.has(name)) {
    return ctx.interp.raise('KeyError', `attribute '${name}' already exists`);
  }
  st.writableParams().set(name, p as Tensor | null);
  return null;
});

def('get_submodule', (call, ctx) => {
  let m = call.args[0] as PyInstance;
  const target = call.args[1] ?? call.kwargs.get('target');
  if (typeof target !== 'string') return ctx.interp.raise('TypeError', 'target must be a string');
  if (target === '') return m;
  for (const part of target.split('.')) {
    const st = moduleState(m);
    const next = st?.modules.get(part);
    if (!next) return ctx.interp.raise('AttributeError', `${m.cls.name} has no attribute \`${part}\``);
    m = next;
  }
  return m;
});

def('get_parameter', (call, ctx) => {
  const self = call.args[0] as PyInstance;
  const target = call.args[1];
  if (typeof target !== 'string') return ctx.interp.raise('TypeError', 'target must be a string');
  const hit = namedTensors(self, 'params').find(([n]) => n === target);
  if (!hit) return ctx.interp.raise('AttributeError', `${self.cls.name} has no parameter \`${target}\``);
  return hit[1];
});

def('zero_grad', (call, ctx) => {
  const self = call.args[0] as PyInstance;
  stateOf(self, ctx);
  const toNone = boolArg(call, 1, 'set_to_none', false, ctx.interp);
  for (const [, t] of namedTensors(self, 'params')) {
    const g = t.grad;
    if (g?.data && !toNone) {
      // PyTorch 1.13 zeroes gradients in place (set_to_none=False by default).
      g.data = tf.zerosLike(g.data);
      g.version++;
      g.gradFn = null;
      g.gradNode = null;
      g.requiresGrad = false;
    } else t.grad = null;
  }
  return null;
});

def('requires_grad_', (call, ctx) => {
  const self = call.args[0] as PyInstance;
  const v = boolArg(call, 1, 'requires_grad', true, ctx.interp);
  for (const [, t] of namedTensors(self, 'params')) t.requiresGrad = v;
  return self;
});

/** Applies a dtype/device change to every parameter and buffer (floating ones only for dtype). */
function convertModule(self: PyInstance, dtype: DType | null, device: string | null): PyInstance {
  for (const kind of ['params', 'buffers'] as const) {
    for (const [, t] of namedTensors(self, kind)) {
      if (dtype && t.isFloating) t.dtype = dtype;
      if (device) t.device = device;
    }
  }
  return self;
}

def('to', (call, ctx) => {
  const self = call.args[0] as PyInstance;
  stateOf(self, ctx);
  let dtype: DType | null = null;
  let device: string | null = null;
  for (const v of [...call.args.slice(1), call.kwargs.get('dtype'), call.kwargs.get('device')]) {
    if (v === undefined || v === null) continue;
    if (v instanceof PyDtype) dtype = v.dtype;
    else if (v instanceof PyDevice) device = v.spec;
    else if (typeof v === 'string') device = v;
    else if (isTensor(v)) {
      dtype = v.dtype;
      device = v.device;
    }
  }
  return convertModule(self, dtype, device);
});
def('cuda', (call) => convertModule(call.args[0] as PyInstance, null, 'cuda'));
def('cpu', (call) => convertModule(call.args[0] as PyInstance, null, 'cpu'));
def('float', (call) => convertModule(call.args[0] as PyInstance, 'float32', null));
def('double', (call) => convertModule(call.args[0] as PyInstance, 'float64', null));
def('half', (call) => convertModule(call.args[0] as PyInstance, 'float16', null));
def('bfloat16', (call) => convertModule(call.args[0] as PyInstance, 'bfloat16', null));
def('type', (call) => {
  const d = call.args[1];
  return convertModule(call.args[0] as PyInstance, d instanceof PyDtype ? d.dtype : null, null);
});

def('state_dict', (call, ctx) => {
  const self = call.args[0] as PyInstance;
  stateOf(self, ctx);
  const prefix = strArg(call, 2, 'prefix');
  const d = new PyDict();
  for (const [name, m] of namedModules(self, prefix.replace(/\.$/, ''))) {
    const st = moduleState(m);
    if (!st) continue;
    const pre = name ? `${name}.` : '';
    for (const [n, t] of st.params) if (t) d.set(pre + n, t);
    for (const [n, t] of st.buffers) if (t && !st.nonPersistent.has(n)) d.set(pre + n, t);
  }
  return d;
});

def('load_state_dict', (call, ctx) => {
  // A symbolic trace reads no weights; a numeric one copies the values. PyTorch returns (missing_keys, unexpected_keys).
  const self = call.args[0] as PyInstance;
  stateOf(self, ctx);
  const sd = call.args[1] ?? call.kwargs.get('state_dict') ?? null;
  const strict = boolArg(call, 2, 'strict', true, ctx.interp);
  if (!(sd instanceof PyDict)) return new PyTuple([new PyTuple([]), new PyTuple([])]);
  const own = new Map<string, Tensor>();
  for (const [name, m] of namedModules(self)) {
    const st = moduleState(m);
    if (!st) continue;
    const pre = name ? `${name}.` : '';
    for (const [n, t] of st.params) if (t) own.set(pre + n, t);
    for (const [n, t] of st.buffers) if (t && !st.nonPersistent.has(n)) own.set(pre + n, t);
  }
  const keys = sd.keys().filter((k): k is string => typeof k === 'string');
  const missing = [...own.keys()].filter((k) => !keys.includes(k));
  const unexpected = keys.filter((k) => !own.has(k));
  const errors: string[] = [];
  for (const k of keys) {
    const dst = own.get(k);
    const src = sd.get(k);
    if (!dst || !isTensor(src)) continue;
    if (dst.shape.join(',') !== src.shape.join(',')) {
      errors.push(`size mismatch for ${k}: copying a param with shape torch.Size([${src.shape.join(', ')}]) from checkpoint, the shape in current model is torch.Size([${dst.shape.join(', ')}]).`);
      continue;
    }
    if (src.data && dst.data) {
      dst.data = tf.cast(tf.clone(src.data), dst.data.dtype);
      dst.version++;
    }
  }
  if (strict) {
    if (unexpected.length) errors.unshift(`Unexpected key(s) in state_dict: ${unexpected.map((k) => `"${k}"`).join(', ')}. `);
    if (missing.length) errors.unshift(`Missing key(s) in state_dict: ${missing.map((k) => `"${k}"`).join(', ')}. `);
  }
  if (errors.length) {
    ctx.interp.raise('RuntimeError', `Error(s) in loading state_dict for ${self.cls.name}:\n\t${errors.join('\n\t')}`);
  }
  return new PyTuple([new PyList(missing), new PyList(unexpected)]);
});

/** A removable hook handle. */
const HandleClass = new PyClass('RemovableHandle', [], new Map(), 'torch.utils.hooks');
HandleClass.dict.set(
  'remove',
  builtin('remove', (call) => {
    const h = (call.args[0] as PyInstance).native as { remove: () => void };
    h.remove();
    return null;
  }),
);
HandleClass.dict.set('__enter__', builtin('__enter__', (call) => call.args[0]));
HandleClass.dict.set(
  '__exit__',
  builtin('__exit__', (call) => {
    ((call.args[0] as PyInstance).native as { remove: () => void }).remove();
    return false;
  }),
);

function hookRegistrar(kind: 'forwardHooks' | 'forwardPreHooks' | null): NativeFn {
  return (call, ctx) => {
    const self = call.args[0] as PyInstance;
    const st = stateOf(self, ctx);
    const hook = call.args[1] ?? call.kwargs.get('hook') ?? null;
    const withKwargs = ctx.interp.truthy(call.kwargs.get('with_kwargs') ?? false);
    const id = nextHookId();
    if (kind) {
      const map = st[kind];
      if (ctx.interp.truthy(call.kwargs.get('prepend') ?? false)) {
        const entries = [...map.entries()];
        map.clear();
        map.set(id, { hook, withKwargs });
        for (const [k, v] of entries) map.set(k, v);
      } else map.set(id, { hook, withKwargs });
    }
    const h = new PyInstance(HandleClass);
    h.native = { remove: () => (kind ? st[kind].delete(id) : undefined) };
    h.dict.set('id', id);
    return h;
  };
}
def('register_forward_hook', hookRegistrar('forwardHooks'));
def('register_forward_pre_hook', hookRegistrar('forwardPreHooks'));
def('register_full_backward_hook', hookRegistrar(null));
def('register_backward_hook', hookRegistrar(null));
def('register_full_backward_pre_hook', hookRegistrar(null));

def('share_memory', (call) => call.args[0]);

/** The class attribute `dump_patches` and friends some code reads. */
ModuleClass.dict.set('dump_patches', false);
ModuleClass.dict.set('_version', 1);
ModuleClass.dict.set('__annotations__', new PyDict());
