// Installs torch as native Python modules: torch, torch.nn, torch.nn.functional, torch.nn.init,
// torch.nn.modules(.*), torch.nn.parameter, torch.autograd, torch.cuda, torch.random, torch.special, torch.Tensor.
// Importing this file registers every op (one registry entry per name) and every nn class.

import { nonBindingBuiltins } from '../runtime/helpers';
import { registerNativeModule } from '../runtime/nativeModules';
import { PyBuiltinFunction, PyClass, PyFloat, PyModuleObject, PyOpaque, type PyValue } from '../runtime/values';
import { DeviceClass, DTYPE_NAMES, DtypeClass, DTYPES } from './dtype';
import { builtin } from './native';
import { ModuleClass } from './nn/module';
import { NN_CLASSES } from './nn/index';
import { ParameterClass, UninitializedParameterClass } from './nn/Parameter';
import {
  autogradGrad,
  EnableGradClass,
  InferenceModeClass,
  isGradEnabled,
  NoGradClass,
  SetGradEnabledClass,
} from './ops/autograd';
import './ops/creation';
import './ops/elementwise';
import './ops/indexing';
import './ops/reduce';
import './ops/shapeOps';
import { getDefaultDtype, isFloatingPointFn, isTensorFn, SizeClass } from './ops/tensorMethods';
import { namesUnder } from './registry';
import { moduleFallback, nnFallback } from './unsupported';
import { TensorClass } from './tensor';

function moduleWith(name: string, entries: Array<[string, PyValue]>): PyModuleObject {
  const m = new PyModuleObject(name);
  m.dict.set('__name__', name);
  m.dict.set('__package__', name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : name);
  for (const [k, v] of entries) {
    if (v instanceof PyBuiltinFunction) nonBindingBuiltins.add(v);
    m.dict.set(k, v);
  }
  return m;
}

const noop = (qual: string, ret: PyValue = null) => builtin(qual.slice(qual.lastIndexOf('.') + 1), () => ret, qual);

function torchModule(): PyModuleObject {
  const entries: Array<[string, PyValue]> = [...namesUnder('torch.')];
  for (const [alias, d] of Object.entries(DTYPE_NAMES)) entries.push([alias, DTYPES[d]]);
  entries.push(
    ['Tensor', TensorClass],
    ['Size', SizeClass],
    ['device', DeviceClass],
    ['dtype', DtypeClass],
    ['no_grad', NoGradClass],
    ['enable_grad', EnableGradClass],
    ['set_grad_enabled', SetGradEnabledClass],
    ['inference_mode', InferenceModeClass],
    ['is_grad_enabled', isGradEnabled],
    ['is_tensor', isTensorFn],
    ['is_floating_point', isFloatingPointFn],
    ['get_default_dtype', getDefaultDtype],
    ['set_default_dtype', noop('torch.set_default_dtype')],
    ['set_printoptions', noop('torch.set_printoptions')],
    ['set_num_threads', noop('torch.set_num_threads')],
    ['get_num_threads', noop('torch.get_num_threads', 1)],
    ['use_deterministic_algorithms', noop('torch.use_deterministic_algorithms')],
    ['compile', builtin('compile', (c) => c.args[0] ?? null, 'torch.compile')],
    ['inf', new PyFloat(Infinity)],
    ['nan', new PyFloat(NaN)],
    ['pi', new PyFloat(Math.PI)],
    ['e', new PyFloat(Math.E)],
    ['strided', new PyOpaque('torch.strided')],
    ['Generator', new PyOpaque('torch.Generator')],
    ['__version__', '1.13.0'],
  );
  // Legacy tensor type names used with isinstance/type checks.
  entries.push(['FloatTensor', TensorClass], ['LongTensor', TensorClass]);
  return moduleWith('torch', entries);
}

registerNativeModule('torch', () => {
  const m = torchModule();
  m.dict.set('__getattr__', moduleFallback('torch'));
  (m as { tolerant: boolean }).tolerant = true;
  return m;
});

const nnEntries = (): Array<[string, PyValue]> => [
  ['Module', ModuleClass],
  ['Parameter', ParameterClass],
  ['UninitializedParameter', UninitializedParameterClass],
  ...NN_CLASSES.map((c): [string, PyValue] => [c.name, c]),
];

registerNativeModule('torch.nn', () => {
  const m = moduleWith('torch.nn', [...nnEntries(), ['__getattr__', nnFallback('torch.nn')]]);
  (m as { tolerant: boolean }).tolerant = true;
  return m;
});

registerNativeModule('torch.nn.functional', () =>
  moduleWith('torch.nn.functional', [
    ['__getattr__', moduleFallback('torch.nn.functional')],
    ...namesUnder('F.'),
    // Names PyTorch re-exports from torch into F.
    ...(['tanh', 'sigmoid', 'relu', 'relu_'] as const)
      .filter((n) => !namesUnder('F.').some(([k]) => k === n))
      .map((n): [string, PyValue] => [n, namesUnder('torch.').find(([k]) => k === n)?.[1] ?? null]),
  ]),
);

registerNativeModule('torch.nn.init', () => moduleWith('torch.nn.init', namesUnder('torch.nn.init.')));

registerNativeModule('torch.nn.modules', () => {
  const m = moduleWith('torch.nn.modules', nnEntries());
  (m as { tolerant: boolean }).tolerant = true;
  return m;
});

// torch.nn.modules.conv, .batchnorm, .module, … each with the classes PyTorch defines there.
const byModule = new Map<string, PyClass[]>();
for (const c of [ModuleClass, ...NN_CLASSES]) {
  const list = byModule.get(c.module) ?? [];
  list.push(c);
  byModule.set(c.module, list);
}
for (const [modName, classes] of byModule) {
  registerNativeModule(modName, () => moduleWith(modName, classes.map((c): [string, PyValue] => [c.name, c])));
}

registerNativeModule('torch.nn.parameter', () =>
  moduleWith('torch.nn.parameter', [
    ['Parameter', ParameterClass],
    ['UninitializedParameter', UninitializedParameterClass],
  ]),
);

registerNativeModule('torch.autograd', () => {
  const m = moduleWith('torch.autograd', [
    ...namesUnder('torch.autograd.'),
    ['grad', autogradGrad],
    ['no_grad', NoGradClass],
    ['enable_grad', EnableGradClass],
    ['set_grad_enabled', SetGradEnabledClass],
    ['Variable', TensorClass],
  ]);
  (m as { tolerant: boolean }).tolerant = true;
  return m;
});

registerNativeModule('torch.cuda', () => {
  const m = moduleWith('torch.cuda', [
    ...namesUnder('torch.cuda.'),
    ['is_available', noop('torch.cuda.is_available', false)],
    ['device_count', noop('torch.cuda.device_count', 0)],
    ['synchronize', noop('torch.cuda.synchronize')],
    ['empty_cache', noop('torch.cuda.empty_cache')],
  ]);
  (m as { tolerant: boolean }).tolerant = true;
  return m;
});

registerNativeModule('torch.random', () => moduleWith('torch.random', namesUnder('torch.random.')));
registerNativeModule('torch.special', () => moduleWith('torch.special', namesUnder('torch.special.')));

registerNativeModule('torch.Tensor', () => {
  const m = moduleWith('torch.Tensor', []);
  for (const [k, v] of TensorClass.dict) m.dict.set(k, v);
  return m;
});

/** True once torch's modules are registered (importing this file does it). */
export const TORCH_INSTALLED = true;
