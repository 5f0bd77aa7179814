// nn.Parameter: a Tensor subclass that modules register as a parameter (requires_grad=True by default).

import { PyClass, type PyValue } from '../../runtime/values';
import { builtin } from '../native';
import { pyTypeName } from '../signature';
import { isTensor, Tensor, TensorClass, type Shape } from '../tensor';
import type { DType } from '../dtype';

export const ParameterClass = new PyClass('Parameter', [TensorClass], new Map(), 'torch.nn.parameter');

/** A new parameter tensor (a leaf requiring grad unless told otherwise). */
export function newParameter(shape: Shape, dtype: DType = 'float32', requiresGrad = true): Tensor {
  const t = new Tensor([...shape], dtype, ParameterClass);
  t.requiresGrad = requiresGrad;
  return t;
}

export const isParameter = (v: PyValue | undefined): v is Tensor => isTensor(v) && v.cls.isSubclassOf(ParameterClass);

ParameterClass.dict.set(
  '__new__',
  builtin('__new__', (call, ctx) => {
    const data = call.args[1] ?? call.kwargs.get('data') ?? null;
    const rg = call.args[2] ?? call.kwargs.get('requires_grad') ?? true;
    if (data !== null && !isTensor(data)) {
      return ctx.interp.raise('TypeError', `Parameter.__new__() argument 'data' must be Tensor, not ${pyTypeName(data)}`);
    }
    const src = data ?? new Tensor([0]);
    const p = newParameter(src.shape, src.dtype, ctx.interp.truthy(rg));
    if (p.requiresGrad && !p.isFloating) ctx.interp.raise('RuntimeError', 'Only Tensors of floating point and complex dtype can require gradients');
    p.device = src.device;
    p.aliasOf(src); // shares the values (numeric mode), as Parameter(t) shares t's storage
    p.init = src.init;
    return p;
  }),
);
ParameterClass.dict.set('__init__', builtin('__init__', () => null));

/** UninitializedParameter / lazy modules are not modelled; kept as a name so imports resolve. */
export const UninitializedParameterClass = new PyClass('UninitializedParameter', [ParameterClass], new Map(), 'torch.nn.parameter');
