// Runs backward over the graph of a numeric run with PyTorch's semantics: each node runs once all the nodes that
// feed it gradients have run (latest-created first among the ready ones), gradients reaching a node's output
// are summed, leaves accumulate into `.grad`, retain_grad() tensors receive theirs, saved tensors are checked
// against in-place changes and freed afterwards unless retain_graph.

import * as tf from '@tensorflow/tfjs-core';
import { runtimeError } from '../torch/errors';
import { tidy } from '../torch/numericValues';
import type { NumericRun } from '../torch/numericRun';
import { Tensor } from '../torch/tensor';
import { FREED_GRAPH_MESSAGE, type Edge, type GradNode } from './graph';

export interface BackwardOptions {
  retainGraph: boolean;
  /** torch.autograd.grad: return the gradients of these tensors instead of accumulating into leaves' .grad. */
  inputs?: Tensor[];
  /** Called for every gradient a node sends along an edge (the trace attributes gradients to consumers). */
  onEdge?: (consumer: GradNode, edge: Edge, g: tf.Tensor) => void;
  /** Called when the whole backward pass has finished. */
  onDone?: () => void;
}

/** Key of where a gradient arrives: a node's output or a leaf. */
function targetOf(t: Tensor): Edge | null {
  if (t.gradNode) return { node: t.gradNode, nr: t.outputNr };
  if (t.requiresGrad && t.isLeaf) return { leaf: t };
  return null;
}

/** Accumulates `g` into `leaf.grad` as PyTorch's AccumulateGrad does (in place once it exists). */
export function accumulateGrad(run: NumericRun, leaf: Tensor, g: tf.Tensor): void {
  const cur = leaf.grad;
  if (cur && cur.data) {
    cur.data = run.keep(tf.add(cur.data, g));
    cur.version++;
    return;
  }
  const t = new Tensor([...leaf.shape], leaf.dtype);
  t.device = leaf.device;
  t.data = run.keep(g.shape.length === leaf.shape.length ? tf.clone(g) : tf.reshape(g, leaf.shape));
  leaf.grad = t;
}

/**
 * Backpropagates `grads` from `roots`. Returns the gradients of `opts.inputs` (autograd.grad) or null.
 * Throws TorchError for PyTorch's errors (freed graph, in-place modification of a saved tensor).
 */
export function runBackward(run: NumericRun, roots: Tensor[], grads: tf.Tensor[], opts: BackwardOptions): Array<tf.Tensor | null> | null {
  const capture = opts.inputs ? opts.inputs.map(targetOf) : null;
  const captured: Array<tf.Tensor | null> = capture ? capture.map(() => null) : [];
  // retain_grad(): the tensors' current node outputs.
  const retained = new Map<GradNode, Array<{ nr: number; t: Tensor }>>();
  for (const t of run.retained) {
    if (!t.gradNode) continue;
    const list = retained.get(t.gradNode) ?? [];
    list.push({ nr: t.outputNr, t });
    retained.set(t.gradNode, list);
  }
  const result = tidy(() => {
    const buffers = new Map<GradNode, Array<tf.Tensor | null>>();
    const deps = new Map<GradNode, number>();
    const deliverLeaf = (leaf: Tensor, g: tf.Tensor) => {
      if (capture) {
        capture.forEach((e, i) => {
          if (e && e.leaf === leaf) captured[i] = captured[i] ? tf.add(captured[i] as tf.Tensor, g) : tf.clone(g);
        });
        return;
      }
      accumulateGrad(run, leaf, g);
    };
    const addTo = (node: GradNode, nr: number, g: tf.Tensor) => {
      let buf = buffers.get(node);
      if (!buf) {
        buf = node.outputShapes.map(() => null);
        buffers.set(node, buf);
      }
      const prev = buf[nr];
      // Buffers hold their own handles (tf.clone shares the data), so each can be freed once its node ran.
      buf[nr] = prev ? tf.add(prev, g) : tf.clone(g);
      if (prev) prev.dispose();
    };
    // Dependencies: how many edges from reachable nodes point at each node.
    const rootNodes: GradNode[] = [];
    for (const r of roots) if (r.gradNode) rootNodes.push(r.gradNode);
    const stack = [...rootNodes];
    const seen = new Set<GradNode>(rootNodes);
    while (stack.length) {
      const n = stack.pop() as GradNode;
      for (const e of n.edges) {
        if (!e || !e.node) continue;
        deps.set(e.node, (deps.get(e.node) ?? 0) + 1);
        if (!seen.has(e.node)) {
          seen.add(e.node);
          stack.push(e.node);
        }
      }
    }
    roots.forEach((r, i) => {
      const g = grads[i];
      if (r.gradNode) addTo(r.gradNode, r.outputNr, g);
      else if (r.requiresGrad && r.isLeaf) deliverLeaf(r, g);
    });
    const ready = new Heap();
    for (const n of new Set(rootNodes)) if (!deps.get(n)) ready.push(n);
    const executed: GradNode[] = [];
    while (ready.size) {
      const node = ready.pop();
      const buf = buffers.get(node) ?? node.outputShapes.map(() => null);
      buffers.delete(node);
      if (buf.every((g) => g === null)) {
        // No gradient reached this node (a branch the loss does not depend on): like PyTorch's undefined
        // gradients, nothing flows further and no leaf accumulates.
        for (const e of node.edges) {
          if (!e?.node) continue;
          const left = (deps.get(e.node) ?? 1) - 1;
          deps.set(e.node, left);
          if (left === 0) ready.push(e.node);
        }
        continue;
      }
      const gys = buf.map((g, i) => g ?? tf.zeros(node.outputShapes[i]));
      for (const [nr, hooks] of node.hooks) for (const h of hooks) h(gys[nr]);
      for (const { nr, t } of retained.get(node) ?? []) {
        const prev = t.grad?.data;
        const g = prev ? tf.add(prev, gys[nr]) : tf.clone(gys[nr]);
        if (!t.grad) {
          const gt = new Tensor([...t.shape], t.dtype);
          gt.device = t.device;
          t.grad = gt;
        }
        t.grad.data = run.keep(g);
      }
      if (capture) {
        capture.forEach((e, i) => {
          if (e && e.node === node) captured[i] = gys[e.nr];
        });
      }
      if (node.released) throw runtimeError(FREED_GRAPH_MESSAGE);
      for (const s of node.saved) s.check();
      const fn = node.fn;
      if (!fn) throw runtimeError(FREED_GRAPH_MESSAGE);
      const inGrads = tidy(() => fn(gys).map((g) => g ?? null));
      executed.push(node);
      node.edges.forEach((e, i) => {
        if (!e) return;
        const g = inGrads[i];
        if (e.node) {
          if (g) {
            opts.onEdge?.(node, e, g);
            addTo(e.node, e.nr, g);
          }
          const left = (deps.get(e.node) ?? 1) - 1;
          deps.set(e.node, left);
          if (left === 0) ready.push(e.node);
        } else if (g) {
          opts.onEdge?.(node, e, g);
          deliverLeaf(e.leaf, g);
        }
      });
      for (const g of [...gys, ...inGrads]) if (g && !g.isDisposed && !captured.includes(g)) g.dispose();
      run.check();
    }
    if (!opts.retainGraph) for (const n of executed) n.release();
    return capture ? captured.map((g) => (g ? run.keep(tf.clone(g)) : null)) : null;
  });
  opts.onDone?.();
  return result;
}

/** Max-heap of nodes by creation order. */
class Heap {
  private a: GradNode[] = [];
  get size(): number {
    return this.a.length;
  }
  push(n: GradNode): void {
    const a = this.a;
    a.push(n);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p].seq >= a[i].seq) break;
      [a[p], a[i]] = [a[i], a[p]];
      i = p;
    }
  }
  pop(): GradNode {
    const a = this.a;
    const top = a[0];
    const last = a.pop() as GradNode;
    if (a.length) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l].seq > a[m].seq) m = l;
        if (r < a.length && a[r].seq > a[m].seq) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m], a[i]];
        i = m;
      }
    }
    return top;
  }
}
