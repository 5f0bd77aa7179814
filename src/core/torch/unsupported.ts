// Real PyTorch names Tensor Trace does not model yet: reading them works, calling them reports one Information
// diagnostic and returns an unknown value (a misspelt name still raises Python's AttributeError).

import { PyBuiltinFunction, PyOpaque, type CallContext, type PyValue } from '../runtime/values';
import { FUNCTIONAL_NAMES, NN_NAMES, TENSOR_NAMES, TORCH_NAMES, TORCH_SUBMODULES } from './knownNames';
import { torchState } from './state';

function notice(ctx: CallContext, qual: string, what = 'its result is treated as an unknown value'): void {
  const st = torchState(ctx.interp);
  if (st.warned.has(`unsupported:${qual}`)) return;
  st.warned.add(`unsupported:${qual}`);
  let location;
  try {
    location = ctx.interp.location(ctx.span, ctx.file);
  } catch {
    location = ctx.interp.currentLocation();
  }
  ctx.interp.report({
    severity: 'information',
    code: 'unsupported',
    message: `${qual} is not supported by Tensor Trace yet; ${what}.`,
    location,
  });
}

/** A stand-in callable for an unmodelled PyTorch function. */
export function unsupportedFunction(qual: string): PyBuiltinFunction {
  const short = qual.slice(qual.lastIndexOf('.') + 1);
  return new PyBuiltinFunction(
    short,
    (_call, ctx) => {
      notice(ctx, qual);
      return new PyOpaque(`${qual}()`);
    },
    qual,
  );
}

/** Module-level __getattr__ for torch and torch.nn.functional. */
export function moduleFallback(modName: 'torch' | 'torch.nn.functional'): PyBuiltinFunction {
  return new PyBuiltinFunction(
    '__getattr__',
    (call, ctx) => {
      const name = String(call.args[0]);
      if (modName === 'torch' && TORCH_SUBMODULES.has(name)) return new PyOpaque(`torch.${name}`);
      const known = modName === 'torch' ? TORCH_NAMES : FUNCTIONAL_NAMES;
      if (known.has(name)) return unsupportedFunction(`${modName}.${name}`);
      return ctx.interp.raise('AttributeError', `module '${modName}' has no attribute '${name}'`);
    },
    `${modName}.__getattr__`,
  );
}

/** Tensor attributes PyTorch has that the engine does not model: a method stand-in, or undefined. */
export function tensorFallback(name: string): PyValue | undefined {
  return TENSOR_NAMES.has(name) ? unsupportedFunction(`Tensor.${name}`) : undefined;
}

/** torch.nn's __getattr__: an unmodelled layer class is an unknown value (subclassing and calling it still run). */
export function nnFallback(modName: string): PyBuiltinFunction {
  return new PyBuiltinFunction(
    '__getattr__',
    (call, ctx) => {
      const name = String(call.args[0]);
      if (name === 'utils' || name === 'parallel' || name === 'quantized' || name === 'intrinsic' || name === 'qat') return new PyOpaque(`torch.nn.${name}`);
      if (!NN_NAMES.has(name)) return ctx.interp.raise('AttributeError', `module '${modName}' has no attribute '${name}'`);
      notice({ ...ctx, span: ctx.span }, `torch.nn.${name}`, 'it is treated as an unknown value');
      return new PyOpaque(`torch.nn.${name}`);
    },
    `${modName}.__getattr__`,
  );
}
