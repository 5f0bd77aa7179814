// Tensor indexing: __getitem__ with ints, slices (with steps), None, Ellipsis, lists, index tensors and bool
// masks, and __setitem__ (value must broadcast to the indexed shape). Basic indexing yields views.

import { Ellipsis, PyList, PySlice, PyTuple, type PyValue } from '../../runtime/values';
import { indexError, runtimeError, shapeError, typeError, valueError } from '../errors';
import { registerOp, type OpEnv } from '../registry';
import { broadcastShapes, expandShape } from '../shapes';
import { pyTypeName } from '../signature';
import { isTensor, type Shape } from '../tensor';
import { inferData } from './creation';
import { gatherNumeric, getitemNumeric, indexSelectNumeric, setitemNumeric } from './indexingNumeric';
import { torchState } from '../state';

export type IndexItem =
  | { kind: 'int'; value: number }
  | { kind: 'slice'; start: number | null; stop: number | null; step: number | null }
  | { kind: 'none' }
  | { kind: 'ellipsis' }
  | { kind: 'bool'; value: boolean }
  | { kind: 'index'; shape: Shape }
  | { kind: 'mask'; shape: Shape };

export interface IndexResult {
  shape: Shape;
  /** Strides for a view result; null for advanced indexing (a copy). */
  strides: number[] | null;
  gradFn: string;
  /** Short text for skip paths ('::2'). */
  detail?: string;
  /** A bool mask was used: the masked dimension is an upper bound. */
  maskUpperBound: boolean;
}

function sliceBound(v: PyValue, what: string): number | null {
  if (v === null) return null;
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (isTensor(v) && v.data && v.numel === 1 && !v.isFloating) return Number(v.data.dataSync()[0]);
  if (isTensor(v)) throw typeError(`slice ${what} is a symbolic tensor whose value is not known; run a numeric trace`);
  throw typeError('slice indices must be integers or None or have an __index__ method');
}

/** Converts a Python index value into index items. */
export function toIndexItems(index: PyValue): IndexItem[] {
  const items = index instanceof PyTuple && !index.isSize ? index.items : [index];
  return items.map((v): IndexItem => {
    if (v === null) return { kind: 'none' };
    if (v === Ellipsis) return { kind: 'ellipsis' };
    if (typeof v === 'boolean') return { kind: 'bool', value: v };
    if (typeof v === 'number') return { kind: 'int', value: v };
    if (v instanceof PySlice) {
      return { kind: 'slice', start: sliceBound(v.start, 'start'), stop: sliceBound(v.stop, 'stop'), step: sliceBound(v.step, 'step') };
    }
    if (isTensor(v)) {
      if (v.dtype === 'bool' || v.dtype === 'uint8') return { kind: 'mask', shape: v.shape };
      if (v.isFloating) throw indexError('tensors used as indices must be long, byte or bool tensors');
      if (v.ndim === 0) return { kind: 'index', shape: [] };
      return { kind: 'index', shape: v.shape };
    }
    if (v instanceof PyList || (v instanceof PyTuple && v.isSize)) {
      const { shape, dtype } = inferData(v);
      if (dtype === 'bool') return { kind: 'mask', shape };
      if (dtype !== 'int64') throw indexError('tensors used as indices must be long, int, byte or bool tensors');
      return { kind: 'index', shape };
    }
    throw indexError(
      `only integers, slices (\`:\`), ellipsis (\`...\`), None and long or byte Variables are valid indices (got ${pyTypeName(v)})`,
    );
  });
}

/** Python slice length for a dimension of size n with step > 0. */
export function sliceLength(n: number, start: number | null, stop: number | null, step: number): { start: number; len: number } {
  let s = start ?? 0;
  let e = stop ?? n;
  if (s < 0) s = Math.max(0, s + n);
  if (e < 0) e = Math.max(0, e + n);
  s = Math.min(s, n);
  e = Math.min(e, n);
  return { start: s, len: e > s ? Math.ceil((e - s) / step) : 0 };
}

const sliceText = (it: { start: number | null; stop: number | null; step: number | null }): string =>
  `${it.start ?? ''}:${it.stop ?? ''}${it.step !== null && it.step !== 1 ? `:${it.step}` : ''}`;

/** The shape rule of `tensor[index]`. */
export function indexShape(shape: Shape, strides: number[], items: IndexItem[]): IndexResult {
  const consumes = (it: IndexItem) => (it.kind === 'int' || it.kind === 'slice' || it.kind === 'index' ? 1 : it.kind === 'mask' ? Math.max(it.shape.length, 1) : 0);
  const ellipses = items.filter((i) => i.kind === 'ellipsis').length;
  if (ellipses > 1) throw indexError("an index can only have a single ellipsis ('...')");
  const used = items.reduce((s, it) => s + (it.kind === 'mask' && it.shape.length === 0 ? 0 : consumes(it)), 0);
  if (used > shape.length) throw indexError(`too many indices for tensor of dimension ${shape.length}`);
  const expanded: IndexItem[] = [];
  for (const it of items) {
    if (it.kind === 'ellipsis') {
      for (let k = 0; k < shape.length - used; k++) expanded.push({ kind: 'slice', start: null, stop: null, step: null });
    } else expanded.push(it);
  }
  const outShape: number[] = [];
  const outStrides: number[] = [];
  const advanced: Array<{ shape: Shape; pos: number; itemIdx: number }> = [];
  let gradFn = 'AliasBackward0';
  let maskUpperBound = false;
  const details: string[] = [];
  let d = 0;
  expanded.forEach((it, idx) => {
    switch (it.kind) {
      case 'int': {
        const n = shape[d];
        if (it.value < -n || it.value >= n) throw indexError(`index ${it.value} is out of bounds for dimension ${d} with size ${n}`, shape);
        gradFn = 'SelectBackward0';
        d++;
        return;
      }
      case 'slice': {
        const step = it.step ?? 1;
        if (step <= 0) throw valueError('step must be greater than zero');
        const { len } = sliceLength(shape[d], it.start, it.stop, step);
        outShape.push(len);
        outStrides.push(strides[d] * step);
        gradFn = 'SliceBackward0';
        if (it.start !== null || it.stop !== null || (it.step !== null && it.step !== 1)) details.push(sliceText(it));
        d++;
        return;
      }
      case 'none':
        outShape.push(1);
        outStrides.push(d < shape.length ? strides[d] * shape[d] : 1);
        gradFn = 'UnsqueezeBackward0';
        return;
      case 'bool':
        advanced.push({ shape: [it.value ? 1 : 0], pos: outShape.length, itemIdx: idx });
        return;
      case 'index':
        advanced.push({ shape: it.shape, pos: outShape.length, itemIdx: idx });
        d++;
        return;
      case 'mask': {
        const m = it.shape;
        for (let k = 0; k < m.length; k++) {
          if (m[k] !== shape[d + k]) {
            throw indexError(
              `The shape of the mask [${m.join(', ')}] at index ${k} does not match the shape of the indexed tensor [${shape.join(', ')}] at index ${d + k}`,
              shape,
              m,
            );
          }
        }
        maskUpperBound = true;
        advanced.push({ shape: [m.reduce((p, x) => p * x, 1)], pos: outShape.length, itemIdx: idx });
        d += m.length;
        return;
      }
    }
  });
  // Remaining dims are kept whole.
  for (; d < shape.length; d++) {
    outShape.push(shape[d]);
    outStrides.push(strides[d]);
  }
  if (advanced.length === 0) return { shape: outShape, strides: outStrides, gradFn, detail: unique(details), maskUpperBound };
  let b: Shape = [];
  try {
    b = advanced.reduce<Shape>((acc, x) => broadcastShapes(acc, x.shape), []);
  } catch {
    throw indexError(`shape mismatch: indexing tensors could not be broadcast together with shapes ${advanced.map((x) => `[${x.shape.join(', ')}]`).join(', ')}`);
  }
  const adjacent = advanced.every((x, i) => i === 0 || x.itemIdx === advanced[i - 1].itemIdx + 1);
  const pos = adjacent ? advanced[0].pos : 0;
  const result = [...outShape.slice(0, pos), ...b, ...outShape.slice(pos)];
  return { shape: result, strides: null, gradFn: 'IndexBackward0', detail: unique(details), maskUpperBound };
}

function unique(xs: string[]): string | undefined {
  const u = [...new Set(xs)];
  return u.length ? u.join(', ') : undefined;
}

function warnMask(env: OpEnv, n: number): void {
  const st = torchState(env.interp);
  const key = `mask:${env.ctx.file}:${env.ctx.span.start}`;
  if (st.warned.has(key)) return;
  st.warned.add(key);
  env.interp.report({
    severity: 'information',
    code: 'unsupported',
    message: `Boolean-mask indexing: the result's size depends on the tensor's values; the symbolic trace shows its upper bound (${n}).`,
    location: env.interp.location(env.ctx.span, env.ctx.file),
  });
}

registerOp({
  name: 'Tensor.__getitem__',
  sig: '__getitem__(self: Tensor, index)',
  aliases: [],
  gradFn: 'SliceBackward0',
  allocates: false,
  impl: (a, env) => {
    const self = a.tensor('self');
    const r = indexShape(self.shape, self.strides, toIndexItems(a.get('index')));
    if (r.maskUpperBound && !(env.state.numeric && self.data)) warnMask(env, r.shape.reduce((p, x) => p * x, 1));
    env.gradFn = r.gradFn;
    env.detail = r.detail;
    const t = env.out(r.shape, self.dtype);
    if (r.strides) t.strides = r.strides;
    t.device = self.device;
    return t;
  },
  numeric: getitemNumeric,
});

registerOp({
  name: 'Tensor.__setitem__',
  sig: '__setitem__(self: Tensor, index, value)',
  gradFn: 'CopySlices',
  allocates: false,
  impl: (a, env) => {
    const self = a.tensor('self');
    const r = indexShape(self.shape, self.strides, toIndexItems(a.get('index')));
    const v = a.get('value');
    if (isTensor(v) && r.strides !== null) {
      // Basic indexing assigns through a view with copy_(): expand()'s rules and message.
      expandShape(v.shape, r.shape);
    } else if (isTensor(v)) {
      const b = (() => {
        try {
          return broadcastShapes(r.shape, v.shape);
        } catch {
          return null;
        }
      })();
      if (!b || b.length !== r.shape.length || b.some((x, i) => x !== r.shape[i])) {
        throw shapeError(
          `shape mismatch: value tensor of shape [${v.shape.join(', ')}] cannot be broadcast to indexing result of shape [${r.shape.join(', ')}]`,
          v.shape,
          r.shape,
        );
      }
    } else if (!(typeof v === 'number' || typeof v === 'boolean' || (typeof v === 'object' && v !== null && v.typeName === 'float'))) {
      throw typeError(`can't assign a ${pyTypeName(v)} to a ${self.dtype === 'float32' ? 'torch.FloatTensor' : 'Tensor'}`);
    }
    env.mutate(self);
    return null;
  },
  numeric: setitemNumeric,
});

registerOp({
  name: 'torch.index_select',
  sig: 'index_select(input: Tensor, dim: int, index: Tensor)',
  aliases: ['Tensor.index_select'],
  gradFn: 'IndexSelectBackward0',
  impl: (a, env) => {
    const x = a.tensor('input');
    const idx = a.tensor('index');
    if (idx.ndim > 1) throw runtimeError('index_select(): Index is supposed to be a vector');
    const dim = a.int('dim');
    const d = dim < 0 ? dim + x.ndim : dim;
    const shape = [...x.shape];
    shape[d] = idx.numel;
    return env.out(shape, x.dtype);
  },
  numeric: indexSelectNumeric,
});

registerOp({
  name: 'torch.gather',
  sig: 'gather(input: Tensor, dim: int, index: Tensor, *, sparse_grad: bool = False)',
  aliases: ['Tensor.gather'],
  gradFn: 'GatherBackward0',
  impl: (a, env) => {
    const x = a.tensor('input');
    const idx = a.tensor('index');
    if (idx.ndim !== x.ndim) throw runtimeError('Index tensor must have the same number of dimensions as input tensor');
    return env.out(idx.shape, x.dtype);
  },
  numeric: gatherNumeric,
});
