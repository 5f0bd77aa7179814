// The autograd graph of a numeric run: one GradNode per differentiable op call (named as PyTorch names its
// grad_fn), edges to the nodes (or leaves) of the op's inputs, and the tensors the backward formula saved,
// checked against their version counters when they are used (PyTorch's SavedVariable).

import type * as tf from '@tensorflow/tfjs-core';
import { LEGACY_TYPE } from '../torch/dtype';
import { runtimeError } from '../torch/errors';
import type { Tensor } from '../torch/tensor';

/** Where a gradient goes: an output of another node, or a leaf's `.grad` (PyTorch's AccumulateGrad). */
export type Edge = { node: GradNode; nr: number; leaf?: undefined } | { leaf: Tensor; node?: undefined };

/**
 * A backward formula: gradients of the op's outputs in (missing ones are zeros), gradients of the op's inputs
 * out, aligned with the node's edges (null/undefined where an input gets none).
 */
export type BackwardFn = (gradOutputs: tf.Tensor[]) => Array<tf.Tensor | null | undefined>;

/** A tensor a backward formula needs, with the version it had when saved. */
export class SavedTensor {
  readonly version: number;
  readonly gradFnName: string | null;
  readonly outputNr: number;
  constructor(
    readonly tensor: Tensor,
    /** Name of the node that saved it when the tensor is one of that node's outputs (relu's result). */
    ownerName: string | null = null,
  ) {
    this.version = tensor.version;
    this.gradFnName = ownerName ?? tensor.gradFn;
    this.outputNr = tensor.outputNr;
  }

  /** Throws PyTorch's error when the tensor was modified in place after it was saved. */
  check(): void {
    const cur = this.tensor.version;
    if (cur === this.version) return;
    const t = this.tensor;
    const which = this.gradFnName ? `, which is output ${this.outputNr} of ${this.gradFnName},` : '';
    throw runtimeError(
      `one of the variables needed for gradient computation has been modified by an inplace operation: [${LEGACY_TYPE[t.dtype]} [${t.shape.join(', ')}]]${which} is at version ${cur}; expected version ${this.version} instead. Hint: enable anomaly detection to find the operation that failed to compute its gradient, with torch.autograd.set_detect_anomaly(True).`,
    );
  }
}

let nodeSerial = 0;

export class GradNode {
  /** Creation order: PyTorch runs ready nodes latest-first. */
  readonly seq = ++nodeSerial;
  /** Saved tensors were freed by a backward() without retain_graph. */
  released = false;
  /** Called with the total gradient of output `nr` when the node runs (retain_grad, trace statistics). */
  readonly hooks = new Map<number, Array<(g: tf.Tensor) => void>>();
  constructor(
    /** PyTorch's grad_fn class name ('ConvolutionBackward0'). */
    readonly name: string,
    readonly edges: Array<Edge | null>,
    /** Shapes of the op's outputs (zeros stand in for outputs that got no gradient). */
    readonly outputShapes: number[][],
    public fn: BackwardFn | null,
    readonly saved: SavedTensor[],
    /** Module calls (outermost first) running when the op ran, for attributing gradients to model parts. */
    readonly callPath: readonly number[],
  ) {}

  addHook(nr: number, fn: (g: tf.Tensor) => void): void {
    const list = this.hooks.get(nr) ?? [];
    list.push(fn);
    this.hooks.set(nr, list);
  }

  /** The backward formula holds values of the forward (saved tensors or intermediate results). */
  holdsValues = false;

  /**
   * Frees what the backward formula holds (after a backward without retain_graph). A node that saved nothing
   * (AddBackward0, ViewBackward0) stays usable, as in PyTorch.
   */
  release(): void {
    if (!this.holdsValues) return;
    this.released = true;
    this.fn = null;
  }
}

/** The edge a new node should point to for input `t`, or null when `t` does not require grad. */
export function edgeTo(t: Tensor): Edge | null {
  if (!t.requiresGrad) return null;
  if (t.gradNode) return { node: t.gradNode, nr: t.outputNr };
  if (t.isLeaf) return { leaf: t };
  return null;
}

export const FREED_GRAPH_MESSAGE =
  'Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or if you need to access saved tensors after calling backward.';
