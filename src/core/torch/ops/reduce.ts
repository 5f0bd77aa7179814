// Reductions: mean/sum/prod/max/min/amax/amin/argmax/argmin/std/var/norm/logsumexp/all/any, with dim/keepdim and
// torch.return_types named tuples (values, indices) for max/min/sort-style results.

import { tupleClass } from '../../runtime/builtinTypes';
import { PyClass, PyInstance, PyList, PyTuple, type PyValue } from '../../runtime/values';
import { isFloatingDtype, SCALAR_NAME, type DType } from '../dtype';
import { runtimeError, typeError } from '../errors';
import { nativeClass } from '../native';
import { registerOp, type OpEnv } from '../registry';
import { broadcastShapes, normDim } from '../shapes';
import type { Args } from '../signature';
import { isTensor, type Shape, type Tensor } from '../tensor';
import { dtypeArg } from './common';
import {
  allAnyNumeric,
  amaxNumeric,
  argNumeric,
  argsortNumeric,
  cumNumeric,
  kthNumeric,
  logsumexpNumeric,
  maxMinNumeric,
  modeNumeric,
  normNumeric,
  simpleReductionNumeric,
  sortNumeric,
  stdVarNumeric,
  topkNumeric,
} from './reduceNumeric';

/** Shape after reducing `dims` (null = all) with or without keepdim. */
export function reduceShape(shape: Shape, dims: number[] | null, keepdim: boolean): Shape {
  if (dims === null || dims.length === 0) return keepdim ? shape.map(() => 1) : [];
  const norm = dims.map((d) => normDim(d, shape.length));
  const seen = new Set<number>();
  for (const d of norm) {
    if (seen.has(d)) throw runtimeError(`dim ${d} appears multiple times in the list of dims`);
    seen.add(d);
  }
  if (shape.length === 0) return [];
  return keepdim ? shape.map((s, i) => (seen.has(i) ? 1 : s)) : shape.filter((_, i) => !seen.has(i));
}

function dimsArg(v: PyValue): number[] | null {
  if (v === null) return null;
  if (typeof v === 'number') return [v];
  if (v instanceof PyTuple || v instanceof PyList) {
    return v.items.map((x) => {
      if (typeof x !== 'number') throw typeError(`argument 'dim' must be tuple of ints, but found element of type ${typeof x}`);
      return x;
    });
  }
  throw typeError(`argument 'dim' must be tuple of ints, not ${typeof v === 'string' ? 'str' : (v as { typeName?: string }).typeName}`);
}

// ------------------------------------------------------------------ named tuples

const returnTypeClasses = new Map<string, PyClass>();

/**
 * torch.return_types.<name>(values=…, indices=…): a tuple subclass (native = the PyTuple, as the interpreter
 * stores builtin-subclass instances), so unpacking, indexing and isinstance(r, tuple) behave as in PyTorch.
 */
export function namedTuple(name: string, fields: string[], items: PyValue[]): PyInstance {
  let cls = returnTypeClasses.get(name);
  if (!cls) {
    cls = nativeClass(name, 'torch.return_types', [tupleClass], {
      __repr__: (c, ctx) => {
        const self = c.args[0] as PyInstance;
        const t = self.native as PyTuple;
        const names = (self.dict.get('_fields') as PyTuple).items as string[];
        return `torch.return_types.${self.cls.name}(\n${names.map((f, i) => `${f}=${ctx.interp.repr(t.items[i])}`).join(',\n')})`;
      },
    });
    returnTypeClasses.set(name, cls);
  }
  const inst = new PyInstance(cls);
  inst.native = new PyTuple(items);
  inst.dict.set('_fields', new PyTuple(fields));
  fields.forEach((f, i) => inst.dict.set(f, items[i]));
  return inst;
}

// ------------------------------------------------------------------ reductions

function requireFloat(fname: string, t: Tensor, dtype: DType | null): void {
  const d = dtype ?? t.dtype;
  if (!isFloatingDtype(d) && !d.startsWith('complex')) {
    throw runtimeError(
      `${fname}(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: ${SCALAR_NAME[d]}`,
    );
  }
}

function simpleReduction(name: 'mean' | 'sum' | 'nansum' | 'prod', gradAll: string, gradDim: string, opts: { floatOnly?: boolean; outDtype?: (t: Tensor) => DType; extra?: string } = {}): void {
  registerOp({
    name: `torch.${name}`,
    sig: `${name}(input: Tensor, dim=None, keepdim: bool = False, *, ${opts.extra ?? ''}dtype=None, out=None)`,
    aliases: [`Tensor.${name}`],
    gradFn: gradAll,
    impl: (a, env) => {
      const x = a.tensor('input');
      const dt = a.get('dtype') === null ? null : dtypeArg(a.get('dtype'), x.dtype);
      if (opts.floatOnly) requireFloat(name, x, dt);
      const dims = dimsArg(a.get('dim'));
      if (dims !== null) env.gradFn = gradDim;
      const outDtype = dt ?? (opts.outDtype ? opts.outDtype(x) : x.dtype);
      return env.out(reduceShape(x.shape, dims, a.bool('keepdim')), outDtype);
    },
    numeric: simpleReductionNumeric(name),
  });
}

simpleReduction('mean', 'MeanBackward0', 'MeanBackward1', { floatOnly: true });
simpleReduction('sum', 'SumBackward0', 'SumBackward1', { outDtype: (t) => (isFloatingDtype(t.dtype) ? t.dtype : 'int64') });
simpleReduction('nansum', 'NansumBackward0', 'NansumBackward0');
simpleReduction('prod', 'ProdBackward0', 'ProdBackward1', { outDtype: (t) => (isFloatingDtype(t.dtype) ? t.dtype : 'int64') });

for (const name of ['amax', 'amin']) {
  registerOp({
    name: `torch.${name}`,
    sig: `${name}(input: Tensor, dim=(), keepdim: bool = False, *, out=None)`,
    aliases: [`Tensor.${name}`],
    gradFn: name === 'amax' ? 'AmaxBackward0' : 'AminBackward0',
    impl: (a, env) => {
      const x = a.tensor('input');
      return env.out(reduceShape(x.shape, dimsArg(a.get('dim')), a.bool('keepdim')), x.dtype);
    },
    numeric: amaxNumeric(name === 'amax' ? 'max' : 'min'),
  });
}

for (const name of ['argmax', 'argmin']) {
  registerOp({
    name: `torch.${name}`,
    sig: `${name}(input: Tensor, dim=None, keepdim: bool = False)`,
    aliases: [`Tensor.${name}`],
    gradFn: null,
    impl: (a, env) => {
      const x = a.tensor('input');
      const dim = a.optInt('dim');
      return env.out(reduceShape(x.shape, dim === null ? null : [dim], a.bool('keepdim')), 'int64');
    },
    numeric: argNumeric(name === 'argmax' ? 'max' : 'min'),
  });
}

/** max/min: all-reduce, along a dim (named tuple values/indices), or elementwise with another tensor. */
function maxMin(name: 'max' | 'min'): void {
  const cap = name === 'max' ? 'Max' : 'Min';
  registerOp({
    name: `torch.${name}`,
    sig: `${name}(input: Tensor, dim=None, keepdim: bool = False, *, out=None)`,
    aliases: [`Tensor.${name}`],
    gradFn: `${cap}Backward1`,
    impl: (a, env) => {
      const x = a.tensor('input');
      const dim = a.get('dim');
      if (isTensor(dim)) {
        env.gradFn = `${cap}imumBackward0`;
        return env.out(broadcastShapes(x.shape, dim.shape), x.dtype);
      }
      if (dim === null) {
        if (x.numel === 0) {
          throw runtimeError(`${name}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.`);
        }
        return env.out([], x.dtype);
      }
      return reduceWithIndices(env, x, name, a, `${cap}Backward0`);
    },
    numeric: maxMinNumeric(name),
  });
}
maxMin('max');
maxMin('min');

function reduceWithIndices(env: OpEnv, x: Tensor, name: string, a: Args, grad: string): PyInstance {
  const d = a.int('dim');
  const shape = reduceShape(x.shape, [d], a.bool('keepdim'));
  env.gradFn = grad;
  const values = env.out(shape, x.dtype);
  const indices = env.out(shape, 'int64');
  return namedTuple(name, ['values', 'indices'], [values, indices]);
}

for (const [name, grad] of [
  ['median', 'MedianBackward1'],
  ['mode', 'ModeBackward0'],
  ['kthvalue', 'KthvalueBackward0'],
] as const) {
  registerOp({
    name: `torch.${name}`,
    sig: name === 'kthvalue' ? 'kthvalue(input: Tensor, k: int, dim: int = -1, keepdim: bool = False)' : `${name}(input: Tensor, dim: int = -1, keepdim: bool = False)`,
    aliases: [`Tensor.${name}`],
    gradFn: grad,
    impl: (a, env) => reduceWithIndices(env, a.tensor('input'), name, a, grad),
    numeric: name === 'mode' ? modeNumeric : kthNumeric(name),
  });
}

registerOp({
  name: 'torch.topk',
  sig: 'topk(input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True)',
  aliases: ['Tensor.topk'],
  gradFn: 'TopkBackward0',
  impl: (a, env) => {
    const x = a.tensor('input');
    const d = normDim(a.int('dim'), x.ndim);
    const k = a.int('k');
    if (k > (x.shape[d] ?? 1) || k < 0) throw runtimeError('selected index k out of range');
    const shape = [...x.shape];
    if (shape.length) shape[d] = k;
    return namedTuple('topk', ['values', 'indices'], [env.out(shape, x.dtype), env.out(shape, 'int64')]);
  },
  numeric: topkNumeric,
});

registerOp({
  name: 'torch.sort',
  sig: 'sort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False)',
  aliases: ['Tensor.sort'],
  gradFn: 'SortBackward0',
  impl: (a, env) => {
    const x = a.tensor('input');
    normDim(a.int('dim'), x.ndim);
    return namedTuple('sort', ['values', 'indices'], [env.out(x.shape, x.dtype), env.out(x.shape, 'int64')]);
  },
  numeric: sortNumeric,
});

for (const [name, grad] of [
  ['std', 'StdBackward0'],
  ['var', 'VarBackward0'],
] as const) {
  registerOp({
    name: `torch.${name}`,
    sig: `${name}(input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *, correction=None, out=None)`,
    aliases: [`Tensor.${name}`],
    gradFn: grad,
    impl: (a, env) => {
      const x = a.tensor('input');
      if (!x.isFloating) throw runtimeError(`${name}(): input dtype should be either floating point or complex. Got ${SCALAR_NAME[x.dtype]} instead.`);
      // std(x, True) passes unbiased positionally in the old overload.
      const dimV = a.get('dim');
      const dims = typeof dimV === 'boolean' ? null : dimsArg(dimV);
      return env.out(reduceShape(x.shape, dims, a.bool('keepdim')), x.dtype);
    },
    numeric: stdVarNumeric(name),
  });
}

registerOp({
  name: 'torch.norm',
  sig: 'norm(input: Tensor, p="fro", dim=None, keepdim: bool = False, out=None, dtype=None)',
  aliases: ['Tensor.norm'],
  gradFn: 'NormBackward1',
  impl: (a, env) => {
    const x = a.tensor('input');
    if (!x.isFloating) throw runtimeError(`linalg.vector_norm: Expected a floating point or complex tensor as input. Got ${SCALAR_NAME[x.dtype]}`);
    return env.out(reduceShape(x.shape, dimsArg(a.get('dim')), a.bool('keepdim')), x.dtype);
  },
  numeric: normNumeric,
});

registerOp({
  name: 'torch.logsumexp',
  sig: 'logsumexp(input: Tensor, dim, keepdim: bool = False, *, out=None)',
  aliases: ['Tensor.logsumexp'],
  gradFn: 'LogsumexpBackward0',
  impl: (a, env) => {
    const x = a.tensor('input');
    return env.out(reduceShape(x.shape, dimsArg(a.get('dim')), a.bool('keepdim')), x.isFloating ? x.dtype : 'float32');
  },
  numeric: logsumexpNumeric,
});

for (const name of ['all', 'any']) {
  registerOp({
    name: `torch.${name}`,
    sig: `${name}(input: Tensor, dim=None, keepdim: bool = False, *, out=None)`,
    aliases: [`Tensor.${name}`],
    gradFn: null,
    impl: (a, env) => {
      const x = a.tensor('input');
      return env.out(reduceShape(x.shape, dimsArg(a.get('dim')), a.bool('keepdim')), x.dtype === 'uint8' ? 'uint8' : 'bool');
    },
    numeric: allAnyNumeric(name as 'all' | 'any'),
  });
}

registerOp({
  name: 'torch.cumsum',
  sig: 'cumsum(input: Tensor, dim: int, *, dtype=None, out=None)',
  aliases: ['Tensor.cumsum'],
  gradFn: 'CumsumBackward0',
  impl: (a, env) => {
    const x = a.tensor('input');
    normDim(a.int('dim'), x.ndim);
    return env.out(x.shape, dtypeArg(a.get('dtype'), isFloatingDtype(x.dtype) ? x.dtype : 'int64'));
  },
  numeric: cumNumeric('cumsum'),
});

registerOp({
  name: 'torch.argsort',
  sig: 'argsort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False)',
  aliases: ['Tensor.argsort'],
  gradFn: null,
  impl: (a, env) => {
    const x = a.tensor('input');
    normDim(a.int('dim'), x.ndim);
    return env.out(x.shape, 'int64');
  },
  numeric: argsortNumeric,
});

registerOp({
  name: 'torch.cumprod',
  sig: 'cumprod(input: Tensor, dim: int, *, dtype=None, out=None)',
  aliases: ['Tensor.cumprod'],
  gradFn: 'CumprodBackward0',
  impl: (a, env) => {
    const x = a.tensor('input');
    normDim(a.int('dim'), x.ndim);
    return env.out(x.shape, dtypeArg(a.get('dtype'), isFloatingDtype(x.dtype) ? x.dtype : 'int64'));
  },
  numeric: cumNumeric('cumprod'),
});
