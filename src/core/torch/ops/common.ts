// Helpers the op families share: size arguments, dtype/device arguments, scalar-or-tensor operands.

import { PyFloat, PyList, PyTuple, type PyValue } from '../../runtime/values';
import { DTYPES, PyDevice, PyDtype, promoteTypes, promoteWithScalar, type DType, type ScalarKind } from '../dtype';
import { typeError } from '../errors';
import { describeValue, pyTypeName, type Args } from '../signature';
import { isTensor, type Shape, type Tensor } from '../tensor';

/** Sizes given as `f(2, 3)`, `f((2, 3))`, `f([2, 3])` or `f(torch.Size(...))` (varargs parameter `name`). */
export function sizeFromVarargs(a: Args, fname: string, name = 'size'): number[] {
  let items: PyValue[] = a.varargs;
  if (items.length === 0 && a.varkw.has(name)) items = [a.varkw.get(name) as PyValue];
  if (items.length === 1 && (items[0] instanceof PyTuple || items[0] instanceof PyList)) items = items[0].items;
  return items.map((v, i) => {
    if (typeof v === 'number' && Number.isInteger(v)) return v;
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (isTensor(v) && v.shape.length === 0 && !v.isFloating) {
      if (v.data) return Number(v.data.dataSync()[0]);
      throw typeError(`${fname}(): the value of a symbolic tensor used as a size is not known; run a numeric trace`);
    }
    throw typeError(`${fname}(): argument '${name}' must be tuple of ints, but found element of type ${pyTypeName(v)} at pos ${i}`);
  });
}

/** A size given as one tuple/list/int argument. */
export function sizeValue(v: PyValue, fname: string, name = 'size'): number[] {
  if (typeof v === 'number') return [v];
  if (v instanceof PyTuple || v instanceof PyList) {
    return v.items.map((x, i) => {
      if (typeof x === 'number' && Number.isInteger(x)) return x;
      throw typeError(`${fname}(): argument '${name}' must be tuple of ints, but found element of type ${pyTypeName(x)} at pos ${i}`);
    });
  }
  throw typeError(`${fname}(): argument '${name}' must be tuple of ints, not ${pyTypeName(v)}`);
}

export function dtypeArg(v: PyValue, fallback: DType): DType {
  if (v === null || v === undefined) return fallback;
  if (v instanceof PyDtype) return v.dtype;
  throw typeError(`dtype must be torch.dtype, not ${pyTypeName(v)}`);
}

export function deviceArg(v: PyValue): string | null {
  if (v === null || v === undefined) return null;
  if (v instanceof PyDevice) return v.spec;
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return `cuda:${v}`;
  return null;
}

export const pyDtype = (d: DType): PyDtype => DTYPES[d];

/** A binary-op operand: a tensor or a Python scalar. */
export type Operand = { tensor: Tensor; shape: Shape; dtype: DType } | { tensor: null; shape: Shape; scalar: ScalarKind };

export function operand(v: PyValue, fname: string, argName: string, position: number): Operand {
  if (isTensor(v)) return { tensor: v, shape: v.shape, dtype: v.dtype };
  if (typeof v === 'boolean') return { tensor: null, shape: [], scalar: 'bool' };
  if (typeof v === 'number') return { tensor: null, shape: [], scalar: 'int' };
  if (v instanceof PyFloat) return { tensor: null, shape: [], scalar: 'float' };
  throw typeError(`${fname}(): argument '${argName}' (position ${position}) must be Tensor, not ${describeValue(v)}`);
}

/** Result dtype of a binary op (0-dim tensors promote like scalars unless both are 0-dim). */
export function binaryDtype(x: Operand, y: Operand): DType {
  if (x.tensor && y.tensor) {
    const xd = x.tensor.shape.length === 0 && y.tensor.shape.length > 0;
    const yd = y.tensor.shape.length === 0 && x.tensor.shape.length > 0;
    if (xd) return promoteWithScalar(y.tensor.dtype, kindOf(x.tensor.dtype));
    if (yd) return promoteWithScalar(x.tensor.dtype, kindOf(y.tensor.dtype));
    return promoteTypes(x.tensor.dtype, y.tensor.dtype);
  }
  if (x.tensor && !y.tensor) return promoteWithScalar(x.tensor.dtype, (y as { scalar: ScalarKind }).scalar);
  if (!x.tensor && y.tensor) return promoteWithScalar(y.tensor.dtype, (x as { scalar: ScalarKind }).scalar);
  const kx = (x as { scalar: ScalarKind }).scalar;
  const ky = (y as { scalar: ScalarKind }).scalar;
  return kx === 'float' || ky === 'float' ? 'float32' : kx === 'int' || ky === 'int' ? 'int64' : 'bool';
}

function kindOf(d: DType): ScalarKind {
  if (d === 'bool') return 'bool';
  if (d.startsWith('float') || d === 'bfloat16' || d.startsWith('complex')) return 'float';
  return 'int';
}

/** Floating result dtype for ops like sqrt/exp/div: integral inputs become float32. */
export function floatResult(d: DType): DType {
  return d.startsWith('float') || d === 'bfloat16' || d.startsWith('complex') ? d : 'float32';
}

export const numelOfShape = (s: Shape): number => s.reduce((p, d) => p * d, 1);
