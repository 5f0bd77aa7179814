// Torch shape rules, the signature binder and the op registry, called directly (no interpreter), with the exact
// error texts PyTorch raises.

import assert from 'node:assert/strict';
import { PyFloat, PyList, PySlice, PyTuple } from '../../src/core/runtime/values';
import '../../src/core/torch/index';
import { TorchError } from '../../src/core/torch/errors';
import { floatRepr } from '../../src/core/torch/native';
import {
  adaptiveOutputShape,
  checkLayerNorm,
  classLossShape,
  convOutputShape,
  convTransposeOutputShape,
  interpolateShape,
  linearShape,
  padShape,
  poolOutputShape,
} from '../../src/core/torch/nn/functional';
import { matmulShape } from '../../src/core/torch/ops/elementwise';
import { indexShape, toIndexItems } from '../../src/core/torch/ops/indexing';
import { reduceShape } from '../../src/core/torch/ops/reduce';
import { catShape, chunkSizes, flattenShape, permuteDims, repeatShape, stackShape } from '../../src/core/torch/ops/shapeOps';
import { getOp, registerOp } from '../../src/core/torch/registry';
import { broadcastShapes, expandShape, inferViewShape, normDim, viewStrides } from '../../src/core/torch/shapes';
import { bindArgs, parseSignature } from '../../src/core/torch/signature';
import { checkAllocation, rowMajorStrides, sizeRepr, Tensor, tensorRepr } from '../../src/core/torch/tensor';

/** Asserts that `fn` throws a TorchError of `type` with exactly `message`. */
function throwsTorch(fn: () => unknown, type: string, message: string): TorchError {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof TorchError, `expected a TorchError, got ${String(err)}`);
  assert.equal(err.pyType, type);
  assert.equal(err.message, message);
  return err;
}

describe('torch shape rules', () => {
  it('wraps dims with PyTorch’s IndexError', () => {
    assert.equal(normDim(-1, 3), 2);
    assert.equal(normDim(0, 0), 0);
    throwsTorch(() => normDim(2, 2), 'IndexError', 'Dimension out of range (expected to be in range of [-2, 1], but got 2)');
  });

  it('broadcasts and names the last mismatching dimension', () => {
    assert.deepEqual(broadcastShapes([32, 1, 5], [4, 1]), [32, 4, 5]);
    assert.deepEqual(broadcastShapes([], [3]), [3]);
    const e = throwsTorch(
      () => broadcastShapes([32, 128, 56, 56], [32, 128, 28, 28]),
      'RuntimeError',
      'The size of tensor a (56) must match the size of tensor b (28) at non-singleton dimension 3',
    );
    assert.deepEqual(e.operandShapes, [
      [32, 128, 56, 56],
      [32, 128, 28, 28],
    ]);
  });

  it('infers view shapes', () => {
    assert.deepEqual(inferViewShape([-1, 4], 24), [6, 4]);
    throwsTorch(() => inferViewShape([4, -1], 6), 'RuntimeError', "shape '[4, -1]' is invalid for input of size 6");
    throwsTorch(() => inferViewShape([-1, -1], 6), 'RuntimeError', 'only one dimension can be inferred');
  });

  it('knows when a view needs a copy (strides)', () => {
    const s = rowMajorStrides([2, 3, 4]);
    assert.deepEqual(viewStrides([2, 3, 4], s, [6, 4]), [4, 1]);
    // transpose(1, 2): shape [2, 4, 3], strides [12, 1, 4]
    assert.equal(viewStrides([2, 4, 3], [12, 1, 4], [2, 12]), null);
    assert.deepEqual(viewStrides([3, 2, 4], [4, 12, 1], [3, 2, 4]), [4, 12, 1]);
  });

  it('expands with PyTorch’s message', () => {
    assert.deepEqual(expandShape([3, 1], [2, -1, 4]), [2, 3, 4]);
    throwsTorch(
      () => expandShape([2, 3], [3, 3]),
      'RuntimeError',
      'The expanded size of the tensor (3) must match the existing size (2) at non-singleton dimension 0.  Target sizes: [3, 3].  Tensor sizes: [2, 3]',
    );
  });

  it('flatten / permute / repeat / chunk', () => {
    assert.deepEqual(flattenShape([2, 3, 4, 5], 1, -1), [2, 60]);
    assert.deepEqual(flattenShape([], 0, -1), [1]);
    assert.deepEqual(permuteDims([2, 3, 4], [2, 0, 1]), [2, 0, 1]);
    throwsTorch(() => permuteDims([2, 3], [0, 0]), 'RuntimeError', 'permute(): duplicate dims are not allowed.');
    assert.deepEqual(repeatShape([2, 3], [2, 1, 2]), [2, 2, 6]);
    assert.deepEqual(chunkSizes(5, 2), [3, 2]);
    assert.deepEqual(chunkSizes(6, 4), [2, 2, 2]);
  });

  it('cat and stack', () => {
    assert.deepEqual(catShape([[2, 3], [4, 3]], 0), [6, 3]);
    assert.deepEqual(catShape([[0], [2, 3]], 0), [2, 3]);
    throwsTorch(
      () => catShape([[2, 3], [4, 5]], 0),
      'RuntimeError',
      'Sizes of tensors must match except in dimension 0. Expected size 3 but got size 5 for tensor number 1 in the list.',
    );
    throwsTorch(() => catShape([], 0), 'RuntimeError', 'torch.cat(): expected a non-empty list of Tensors');
    assert.deepEqual(stackShape([[2, 3], [2, 3]], -1), [2, 3, 2]);
    throwsTorch(() => stackShape([[2, 3], [4, 5]], 0), 'RuntimeError', 'stack expects each tensor to be equal size, but got [2, 3] at entry 0 and [4, 5] at entry 1');
  });

  it('matmul in every rank combination', () => {
    assert.deepEqual(matmulShape([3], [3]).shape, []);
    assert.deepEqual(matmulShape([3, 4], [4]).shape, [3]);
    assert.deepEqual(matmulShape([4], [4, 5]).shape, [5]);
    assert.deepEqual(matmulShape([2, 3, 4], [4, 5]).shape, [2, 3, 5]);
    assert.deepEqual(matmulShape([7, 1, 3, 4], [5, 4, 2]).shape, [7, 5, 3, 2]);
    throwsTorch(() => matmulShape([32, 512], [256, 10]), 'RuntimeError', 'mat1 and mat2 shapes cannot be multiplied (32x512 and 256x10)');
    throwsTorch(() => matmulShape([2, 3, 4], [5, 5]), 'RuntimeError', 'mat1 and mat2 shapes cannot be multiplied (6x4 and 5x5)');
  });

  it('reductions', () => {
    assert.deepEqual(reduceShape([2, 3, 4], [1, 2], true), [2, 1, 1]);
    assert.deepEqual(reduceShape([2, 3, 4], [-1], false), [2, 3]);
    assert.deepEqual(reduceShape([2, 3], null, false), []);
  });

  it('indexing: ints, slices with steps, None, Ellipsis, lists and masks', () => {
    const shape = [2, 3, 8, 8];
    const st = rowMajorStrides(shape);
    const idx = (v: ConstructorParameters<typeof PyTuple>[0]) => indexShape(shape, st, toIndexItems(new PyTuple(v)));
    const all = new PySlice(null, null, null);
    const r = idx([all, all, new PySlice(null, null, 2), new PySlice(null, null, 2)]);
    assert.deepEqual(r.shape, [2, 3, 4, 4]);
    assert.equal(r.gradFn, 'SliceBackward0');
    assert.equal(r.detail, '::2');
    assert.deepEqual(idx([0]).shape, [3, 8, 8]);
    assert.deepEqual(idx([null, 1]).shape, [1, 3, 8, 8]);
    assert.deepEqual(indexShape([2, 3, 4], rowMajorStrides([2, 3, 4]), toIndexItems(new PyTuple([new PyList([0, 1]), new PySlice(null, null, null), new PyList([1, 2])]))).shape, [2, 3]);
    throwsTorch(() => indexShape([2, 3], [3, 1], toIndexItems(5)), 'IndexError', 'index 5 is out of bounds for dimension 0 with size 2');
    throwsTorch(() => indexShape([2, 3], [3, 1], toIndexItems(new PyTuple([0, 0, 0]))), 'IndexError', 'too many indices for tensor of dimension 2');
  });

  it('conv, transposed conv and pooling', () => {
    const p = { stride: [2, 2], padding: [1, 1], dilation: [1, 1], groups: 1 };
    assert.deepEqual(convOutputShape(2, [32, 64, 56, 56], [128, 64, 3, 3], null, p), [32, 128, 28, 28]);
    throwsTorch(
      () => convOutputShape(2, [32, 32, 56, 56], [128, 64, 3, 3], null, p),
      'RuntimeError',
      'Given groups=1, weight of size [128, 64, 3, 3], expected input[32, 32, 56, 56] to have 64 channels, but got 32 channels instead',
    );
    throwsTorch(
      () => convOutputShape(2, [56, 56], [128, 64, 3, 3], null, p),
      'RuntimeError',
      'Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [56, 56]',
    );
    assert.deepEqual(convOutputShape(2, [1, 3, 9, 9], [8, 3, 4, 4], null, { ...p, stride: [1, 1], padding: 'same' }), [1, 8, 9, 9]);
    assert.deepEqual(
      convTransposeOutputShape(2, [1, 16, 8, 8], [16, 8, 3, 3], null, { stride: [2, 2], padding: [1, 1], outputPadding: [1, 1], dilation: [1, 1], groups: 1 }),
      [1, 8, 16, 16],
    );
    assert.deepEqual(poolOutputShape(2, 'max', [1, 64, 112, 112], [3, 3], [2, 2], [1, 1], [1, 1], false), [1, 64, 56, 56]);
    assert.deepEqual(poolOutputShape(2, 'max', [1, 3, 8, 8], [3, 3], [2, 2], [0, 0], [1, 1], true), [1, 3, 4, 4]);
    throwsTorch(
      () => poolOutputShape(2, 'max', [1, 3, 1, 1], [2, 2], [2, 2], [0, 0], [1, 1], false),
      'RuntimeError',
      'Given input size: (3x1x1). Calculated output size: (3x0x0). Output size is too small',
    );
    assert.deepEqual(adaptiveOutputShape(2, [1, 3, 8, 8], [null, 2], 'adaptive_avg_pool2d'), [1, 3, 8, 2]);
  });

  it('linear, norms, pad, interpolate, losses', () => {
    assert.deepEqual(linearShape([2, 7, 512], [10, 512], [10]).shape, [2, 7, 10]);
    throwsTorch(() => linearShape([32, 256], [10, 512], [10]), 'RuntimeError', 'mat1 and mat2 shapes cannot be multiplied (32x256 and 512x10)');
    throwsTorch(
      () => checkLayerNorm([2, 33], [32]),
      'RuntimeError',
      'Given normalized_shape=[32], expected input with shape [*, 32], but got input of size[2, 33]',
    );
    assert.deepEqual(padShape([1, 3, 4, 4], [1, 2, 3, 4], 'constant'), [1, 3, 11, 7]);
    throwsTorch(() => padShape([2, 3], [1, 2, 3], 'constant'), 'RuntimeError', 'Padding length must be divisible by 2');
    assert.deepEqual(interpolateShape([1, 3, 4, 4], null, [1.5], 'nearest', null), [1, 3, 6, 6]);
    throwsTorch(() => interpolateShape([1, 3, 4, 4], null, null, 'nearest', null), 'ValueError', 'either size or scale_factor should be defined');
    throwsTorch(() => classLossShape([4, 10], [5], false, 'cross_entropy'), 'ValueError', 'Expected input batch_size (4) to match target batch_size (5).');
  });
});

describe('torch tensor', () => {
  it('prints torch.Size and an honest symbolic placeholder', () => {
    assert.equal(sizeRepr([32, 128, 28, 28]), 'torch.Size([32, 128, 28, 28])');
    const t = new Tensor([5]);
    t.gradFn = 'SliceBackward0';
    assert.equal(tensorRepr(t), 'tensor(<shape [5]>, grad_fn=<SliceBackward0>)');
    const leaf = new Tensor([2, 3], 'float64');
    leaf.requiresGrad = true;
    assert.equal(tensorRepr(leaf), 'tensor(<shape [2, 3]>, dtype=torch.float64, requires_grad=True)');
  });

  it('refuses allocations over the cap with the CPU allocator’s message', () => {
    const e = throwsTorch(
      () => checkAllocation([1e9, 1e9], 'float32', 2 * 1024 ** 3),
      'RuntimeError',
      "[enforce fail at alloc_cpu.cpp:75] err == 0. DefaultCPUAllocator: can't allocate memory: you tried to allocate 4000000000000000000 bytes. Error code 12 (Cannot allocate memory)",
    );
    assert.equal(e.code, 'memory-limit');
    throwsTorch(() => checkAllocation([-1, 3], 'float32', 1e9), 'RuntimeError', 'Trying to create tensor with negative dimension -1: [-1, 3]');
    checkAllocation([1024, 1024], 'float32', 2 * 1024 ** 3);
  });

  it('formats floats like Python', () => {
    assert.equal(floatRepr(1e-5), '1e-05');
    assert.equal(floatRepr(0.1), '0.1');
    assert.equal(floatRepr(2), '2.0');
    assert.equal(floatRepr(1e16), '1e+16');
  });
});

describe('torch signatures', () => {
  it('binds positional and keyword arguments with defaults', () => {
    const sig = parseSignature('cat(tensors: Tensors, dim: int = 0, *, out=None)');
    const a = bindArgs(sig, { args: [new PyList([])], kwargs: new Map([['dim', 1]]) });
    assert.equal(a.int('dim'), 1);
    assert.equal(a.get('out'), null);
  });

  it('raises PyTorch’s TypeErrors', () => {
    const sig = parseSignature('cat(tensors: Tensors, dim: int = 0, *, out=None)');
    throwsTorch(() => bindArgs(sig, { args: [], kwargs: new Map() }), 'TypeError', 'cat() missing 1 required positional arguments: "tensors"');
    throwsTorch(() => bindArgs(sig, { args: [new PyList([])], kwargs: new Map([['dims', 1]]) }), 'TypeError', "cat() got an unexpected keyword argument 'dims'");
    throwsTorch(() => bindArgs(sig, { args: [new PyList([]), 0, 1], kwargs: new Map() }), 'TypeError', 'cat() takes from 1 to 2 positional arguments but 3 were given');
    throwsTorch(() => bindArgs(sig, { args: [new PyList([]), new PyFloat(1)], kwargs: new Map() }), 'TypeError', "cat(): argument 'dim' (position 2) must be int, not float");
  });

  it('raises CPython’s TypeErrors for layer constructors', () => {
    const sig = parseSignature('Linear.__init__(self, in_features, out_features, bias=True, device=None, dtype=None)', 'python');
    throwsTorch(
      () => bindArgs(sig, { args: [null], kwargs: new Map() }),
      'TypeError',
      "Linear.__init__() missing 2 required positional arguments: 'in_features' and 'out_features'",
    );
    throwsTorch(() => bindArgs(sig, { args: [null, 1, 2, 3, 4, 5, 6], kwargs: new Map() }), 'TypeError', 'Linear.__init__() takes from 3 to 6 positional arguments but 7 were given');
  });
});

describe('torch op registry', () => {
  it('maps every alias of an op to one entry', () => {
    const add = getOp('torch.add');
    assert.ok(add);
    for (const alias of ['Tensor.add', 'Tensor.__add__', 'Tensor.__radd__']) assert.equal(getOp(alias), add, alias);
    assert.equal(getOp('Tensor.__iadd__'), getOp('Tensor.add_'));
    assert.equal(getOp('F.relu'), getOp('torch.relu'));
    assert.equal(add.gradFn, 'AddBackward0');
    assert.equal(typeof add.numeric, 'function', 'the numeric forward slot is filled (it only runs in numeric mode)');
  });

  it('refuses to register a name twice', () => {
    assert.throws(() => registerOp({ name: 'torch.cat', sig: 'cat(tensors)', impl: () => null }), /registered twice/);
    assert.throws(() => registerOp({ name: 'torch.__unique_test_op', sig: 'x()', aliases: ['Tensor.view'], impl: () => null }), /registered twice/);
  });
});
