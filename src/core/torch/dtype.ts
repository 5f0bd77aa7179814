// torch dtypes and devices as Python values (torch.float32, torch.device('cuda')), with the promotion rules ops use.

import { PyInstance, type PyValue } from '../runtime/values';
import { builtin, nativeClass } from './native';

/** dtype names as torch spells them after `torch.`. */
export type DType =
  | 'float32'
  | 'float64'
  | 'float16'
  | 'bfloat16'
  | 'int64'
  | 'int32'
  | 'int16'
  | 'int8'
  | 'uint8'
  | 'bool'
  | 'complex64'
  | 'complex128';

export const DTYPE_BYTES: Record<DType, number> = {
  float32: 4,
  float64: 8,
  float16: 2,
  bfloat16: 2,
  int64: 8,
  int32: 4,
  int16: 2,
  int8: 1,
  uint8: 1,
  bool: 1,
  complex64: 8,
  complex128: 16,
};

/** Legacy tensor type names used in some PyTorch messages ('torch.FloatTensor'). */
export const LEGACY_TYPE: Record<DType, string> = {
  float32: 'torch.FloatTensor',
  float64: 'torch.DoubleTensor',
  float16: 'torch.HalfTensor',
  bfloat16: 'torch.BFloat16Tensor',
  int64: 'torch.LongTensor',
  int32: 'torch.IntTensor',
  int16: 'torch.ShortTensor',
  int8: 'torch.CharTensor',
  uint8: 'torch.ByteTensor',
  bool: 'torch.BoolTensor',
  complex64: 'torch.ComplexFloatTensor',
  complex128: 'torch.ComplexDoubleTensor',
};

/** Scalar type names PyTorch uses in messages ('Float', 'Long'). */
export const SCALAR_NAME: Record<DType, string> = {
  float32: 'Float',
  float64: 'Double',
  float16: 'Half',
  bfloat16: 'BFloat16',
  int64: 'Long',
  int32: 'Int',
  int16: 'Short',
  int8: 'Char',
  uint8: 'Byte',
  bool: 'Bool',
  complex64: 'ComplexFloat',
  complex128: 'ComplexDouble',
};

export const isFloatingDtype = (d: DType): boolean =>
  d === 'float32' || d === 'float64' || d === 'float16' || d === 'bfloat16';
export const isComplexDtype = (d: DType): boolean => d === 'complex64' || d === 'complex128';
export const isIntegralDtype = (d: DType, includeBool = false): boolean =>
  includeBool ? !isFloatingDtype(d) && !isComplexDtype(d) : !isFloatingDtype(d) && !isComplexDtype(d) && d !== 'bool';

const RANK: DType[] = ['bool', 'uint8', 'int8', 'int16', 'int32', 'int64', 'float16', 'bfloat16', 'float32', 'float64', 'complex64', 'complex128'];

/** Result dtype of two tensor operands (torch.result_type for same-category tensors, simplified). */
export function promoteTypes(a: DType, b: DType): DType {
  if (a === b) return a;
  if ((a === 'float16' && b === 'bfloat16') || (a === 'bfloat16' && b === 'float16')) return 'float32';
  return RANK.indexOf(a) >= RANK.indexOf(b) ? a : b;
}

/** Category of a Python scalar operand for type promotion. */
export type ScalarKind = 'bool' | 'int' | 'float';

/** Result dtype of a tensor with a Python scalar: a float scalar lifts integral tensors to the default dtype. */
export function promoteWithScalar(t: DType, s: ScalarKind, defaultFloat: DType = 'float32'): DType {
  if (s === 'float' && !isFloatingDtype(t) && !isComplexDtype(t)) return defaultFloat;
  if (s === 'int' && t === 'bool') return 'int64';
  return t;
}

/** The `torch.dtype` class; one instance per dtype. */
export const DtypeClass = nativeClass('dtype', 'torch', [], {
  __repr__: (c) => `torch.${dtypeOf(c.args[0])}`,
  __str__: (c) => `torch.${dtypeOf(c.args[0])}`,
  __reduce__: (c) => `torch.${dtypeOf(c.args[0])}`,
});

export class PyDtype extends PyInstance {
  constructor(readonly dtype: DType) {
    super(DtypeClass);
    this.dict.set('is_floating_point', isFloatingDtype(dtype));
    this.dict.set('is_complex', isComplexDtype(dtype));
    this.dict.set('is_signed', dtype !== 'uint8' && dtype !== 'bool');
    this.dict.set('itemsize', DTYPE_BYTES[dtype]);
  }
}

function dtypeOf(v: PyValue): string {
  return v instanceof PyDtype ? v.dtype : '?';
}

export const DTYPES: Record<DType, PyDtype> = Object.fromEntries(
  (Object.keys(DTYPE_BYTES) as DType[]).map((d) => [d, new PyDtype(d)]),
) as Record<DType, PyDtype>;

/** Names under `torch.` that are dtypes (aliases included). */
export const DTYPE_NAMES: Record<string, DType> = {
  float32: 'float32',
  float: 'float32',
  float64: 'float64',
  double: 'float64',
  float16: 'float16',
  half: 'float16',
  bfloat16: 'bfloat16',
  int64: 'int64',
  long: 'int64',
  int32: 'int32',
  int: 'int32',
  int16: 'int16',
  short: 'int16',
  int8: 'int8',
  uint8: 'uint8',
  bool: 'bool',
  complex64: 'complex64',
  cfloat: 'complex64',
  complex128: 'complex128',
  cdouble: 'complex128',
};

/** `torch.device`; tensors record the device they were moved to, all computation stays symbolic/CPU. */
export const DeviceClass = nativeClass('device', 'torch', [], {
  __repr__: (c) => {
    const d = c.args[0] as PyDevice;
    return d.index === null ? `device(type='${d.type}')` : `device(type='${d.type}', index=${d.index})`;
  },
  __str__: (c) => String(c.args[0] instanceof PyDevice ? c.args[0].spec : '?'),
  __eq__: (c) => {
    const [a, b] = c.args;
    if (a instanceof PyDevice && b instanceof PyDevice) return a.spec === b.spec;
    if (a instanceof PyDevice && typeof b === 'string') return a.spec === b;
    return false;
  },
});

export class PyDevice extends PyInstance {
  constructor(
    readonly type: string,
    readonly index: number | null = null,
  ) {
    super(DeviceClass);
    this.dict.set('type', type);
    this.dict.set('index', index);
  }
  get spec(): string {
    return this.index === null ? this.type : `${this.type}:${this.index}`;
  }
}

/** Parses 'cuda:0' / 'cpu' / 'mps' into a device; null when the text is not a device string. */
export function parseDevice(spec: string): PyDevice | null {
  const m = /^(cpu|cuda|mps|meta|xpu|xla|hip|vulkan|ipu)(?::(\d+))?$/.exec(spec);
  if (!m) return null;
  return new PyDevice(m[1], m[2] === undefined ? null : Number(m[2]));
}

// `torch.device(...)` is callable: the class gets a native __new__.
DeviceClass.dict.set(
  '__new__',
  builtin('__new__', (call, ctx) => {
    const [, spec, index] = call.args;
    const typeArg = spec ?? call.kwargs.get('type') ?? null;
    if (typeArg instanceof PyDevice) return typeArg;
    if (typeof typeArg !== 'string') return ctx.interp.raise('TypeError', 'device() received an invalid combination of arguments');
    const d = parseDevice(typeArg);
    if (!d) return ctx.interp.raise('RuntimeError', `Expected one of cpu, cuda, ipu, xpu, mkldnn, opengl, opencl, ideep, hip, ve, fpga, ort, xla, lazy, vulkan, mps, meta, hpu, mtia, privateuseone device type at start of device string: ${typeArg}`);
    const idx = index ?? call.kwargs.get('index');
    return typeof idx === 'number' && d.index === null ? new PyDevice(d.type, idx) : d;
  }),
);
DeviceClass.dict.set('__init__', builtin('__init__', () => null));
