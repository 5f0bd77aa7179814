// The symbolic tensor: shape, dtype, autograd bookkeeping and provenance, with no values (numeric mode fills `data`).
// Tensor is a PyInstance of the native `torch.Tensor` class, so isinstance, subclassing and dunder dispatch just work.

import type * as tf from '@tensorflow/tfjs-core';
import type { GradNode } from '../autograd/graph';
import { PyClass, PyInstance, type PyValue } from '../runtime/values';
import { DTYPE_BYTES, isComplexDtype, isFloatingDtype, type DType } from './dtype';
import { runtimeError, TorchError } from './errors';

export type Shape = number[];

/** Where a tensor came from, for skip-connection detection (walk `inputs` back to a common ancestor). */
export interface Producer {
  kind: 'module' | 'op';
  /** Module call id (kind 'module'). */
  callId?: number;
  /** Op name (kind 'op'), e.g. 'F.conv2d', 'Tensor.view', 'add'. */
  op?: string;
  /** Tensors the value was computed from (for in-place ops, a snapshot of the pre-mutation state). */
  inputs: Tensor[];
  /** Module call whose forward produced it at this level (null at top level). */
  scope: number | null;
  /** Op-specific detail shown on skip paths, e.g. '::2' for a strided slice. */
  detail?: string;
  /** Numeric mode: the autograd node the op created (to attribute gradients to the op that consumed a tensor). */
  node?: GradNode;
}

/**
 * Numeric mode: the values behind a tensor. Aliases (detach(), `.data`, nn.Parameter(t)) share one Storage;
 * views share their base's Storage and read it through a view function. `writes` counts replacements so views
 * know when to recompute.
 */
export class Storage {
  writes = 0;
  constructor(public value: tf.Tensor) {}
}

/** PyTorch's version counter, shared by a tensor, its views and detach(). */
export class VersionCounter {
  v = 0;
}

/** How views read and write their base's values (installed by the numeric layer; tfjs stays out of this file). */
export const storageHooks: {
  read?(fn: (root: tf.Tensor) => tf.Tensor, root: tf.Tensor): tf.Tensor;
  write?(fn: (root: tf.Tensor) => tf.Tensor, root: tf.Tensor, value: tf.Tensor): tf.Tensor;
} = {};

/** The `torch.Tensor` class. Methods are added by the op registry (one entry per op) and tensorMethods.ts. */
export const TensorClass = new PyClass('Tensor', [], new Map(), 'torch');

let serialCounter = 0;
/** A leaf's autograd parents (shared: parents lists are replaced, never changed in place). */
const NO_PARENTS: readonly Tensor[] = Object.freeze([]);

export class Tensor extends PyInstance {
  /** Serial number, stable within a process, for ordering and debugging. */
  readonly serial = ++serialCounter;
  device = 'cpu';
  requiresGrad = false;
  grad: Tensor | null = null;
  /** PyTorch's grad_fn class name ('AddBackward0'); null for leaves. */
  gradFn: string | null = null;
  /** Tensors requiring grad this one was computed from (the autograd graph edges). */
  gradParents: readonly Tensor[] = NO_PARENTS;
  retainsGrad = false;
  /** Version counter (PyTorch's `_version`), shared with views and detach(). */
  vc = new VersionCounter();
  /** Numeric mode: the autograd node that produced this tensor (null for leaves) and which of its outputs it is. */
  gradNode: GradNode | null = null;
  outputNr = 0;
  /** Numeric mode: shared storage, and for a view the function that reads the view from the root values. */
  storage?: Storage;
  viewFn?: (root: tf.Tensor) => tf.Tensor;
  private viewCache?: tf.Tensor;
  private viewStamp = -1;
  producer: Producer | null = null;
  /** Names of init functions applied (nn.init.*), recorded for the numeric issue. */
  init?: string;
  /** Element strides (row-major for the construction shape until an op sets them), computed on first use. */
  private stridesOrNull: number[] | null = null;
  /** The shape the tensor was made with (shape arrays are replaced, never changed in place). */
  private constructionShape: Shape;

  constructor(
    public shape: Shape,
    public dtype: DType = 'float32',
    cls: PyClass = TensorClass,
  ) {
    super(cls);
    this.constructionShape = shape;
  }

  /** Element strides, tracked so view() on a non-contiguous tensor fails as in PyTorch. */
  get strides(): number[] {
    return (this.stridesOrNull ??= rowMajorStrides(this.constructionShape));
  }
  set strides(s: number[]) {
    this.stridesOrNull = s;
  }

  /** In-place modification counter (PyTorch's `_version`). */
  get version(): number {
    return this.vc.v;
  }
  set version(n: number) {
    this.vc.v = n;
  }

  /** Numeric mode: the tfjs tensor holding the values (row-major, PyTorch's logical shape), or undefined. */
  get data(): tf.Tensor | undefined {
    const s = this.storage;
    if (!s) return undefined;
    if (!this.viewFn) return s.value;
    if (this.viewStamp !== s.writes || !this.viewCache) {
      this.viewCache = storageHooks.read ? storageHooks.read(this.viewFn, s.value) : this.viewFn(s.value);
      this.viewStamp = s.writes;
    }
    return this.viewCache;
  }
  /** Replaces the values: a new tensor gets its own storage; an alias or view writes through to the shared one. */
  set data(v: tf.Tensor | undefined) {
    if (v === undefined) {
      this.storage = undefined;
      this.viewFn = undefined;
      return;
    }
    const s = this.storage;
    if (!s) {
      this.storage = new Storage(v);
      return;
    }
    if (!this.viewFn) {
      s.value = v;
      s.writes++;
      return;
    }
    s.value = storageHooks.write ? storageHooks.write(this.viewFn, s.value, v) : v;
    s.writes++;
    this.viewCache = v;
    this.viewStamp = s.writes;
  }
  /** Makes this tensor an alias of `src`'s values (same storage, same view). */
  aliasOf(src: Tensor): void {
    this.storage = src.storage;
    this.viewFn = src.viewFn;
    this.viewCache = undefined;
    this.viewStamp = -1;
  }

  get isLeaf(): boolean {
    return this.gradFn === null;
  }
  get ndim(): number {
    return this.shape.length;
  }
  get numel(): number {
    return numelOf(this.shape);
  }
  get isFloating(): boolean {
    return isFloatingDtype(this.dtype) || isComplexDtype(this.dtype);
  }
  /** Bytes of the values (numel × element size). */
  get nbytes(): number {
    return this.numel * DTYPE_BYTES[this.dtype];
  }

  /** A detached copy of this tensor's metadata (used for in-place snapshots and detach()). */
  snapshot(): Tensor {
    const t = new Tensor([...this.shape], this.dtype);
    t.device = this.device;
    t.requiresGrad = this.requiresGrad;
    t.gradFn = this.gradFn;
    t.gradParents = this.gradParents;
    t.producer = this.producer;
    t.gradNode = this.gradNode;
    t.outputNr = this.outputNr;
    t.data = this.data;
    if (this.stridesOrNull !== null) t.stridesOrNull = [...this.stridesOrNull];
    else t.constructionShape = this.constructionShape;
    return t;
  }
}

export function isTensor(v: PyValue | undefined): v is Tensor {
  return v instanceof Tensor;
}

/** Row-major strides for a shape. */
export function rowMajorStrides(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= Math.max(shape[i], 1);
  }
  return s;
}

export function numelOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** 2 GiB: default cap on one tensor's memory. */
export const DEFAULT_MAX_TENSOR_BYTES = 2 * 1024 ** 3;

/** Checks a new tensor's shape (no negative sizes) and that its memory stays under the cap, as PyTorch's allocator reports it. */
export function checkAllocation(shape: Shape, dtype: DType, maxBytes: number): void {
  let approx = DTYPE_BYTES[dtype];
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (d < 0) throw runtimeError(`Trying to create tensor with negative dimension ${d}: [${shape.join(', ')}]`);
    approx *= Math.trunc(d);
  }
  // Doubles are exact below 2**53: only a larger product needs BigInt (for the exact byte count in the message).
  if (approx <= maxBytes && approx < Number.MAX_SAFE_INTEGER) return;
  let bytes = BigInt(DTYPE_BYTES[dtype]);
  for (const d of shape) bytes *= BigInt(Math.trunc(d));
  if (bytes > BigInt(Math.floor(maxBytes))) {
    const e = new TorchError(
      'RuntimeError',
      `[enforce fail at alloc_cpu.cpp:75] err == 0. DefaultCPUAllocator: can't allocate memory: you tried to allocate ${bytes} bytes. Error code 12 (Cannot allocate memory)`,
      undefined,
      'memory-limit',
    );
    throw e;
  }
}

/** `torch.Size([32, 128, 28, 28])` */
export function sizeRepr(shape: Shape): string {
  return `torch.Size([${shape.join(', ')}])`;
}

/**
 * str()/repr() of a tensor. Symbolic tensors have no values, so the text says so plainly:
 * `tensor(<shape [5]>, grad_fn=<SliceBackward0>)`. The numeric mode replaces the values part.
 */
export function tensorRepr(t: Tensor, valuesText?: string): string {
  const parts = [valuesText ?? `<shape [${t.shape.join(', ')}]>`];
  if (t.device !== 'cpu') parts.push(`device='${t.device === 'cuda' ? 'cuda:0' : t.device}'`);
  if (t.dtype !== 'float32' && t.dtype !== 'int64' && t.dtype !== 'bool') parts.push(`dtype=torch.${t.dtype}`);
  if (t.gradFn) parts.push(`grad_fn=<${t.gradFn}>`);
  else if (t.requiresGrad) parts.push('requires_grad=True');
  const body = `tensor(${parts.join(', ')})`;
  return t.cls.name === 'Parameter' ? `Parameter containing:\n${body}` : body;
}
