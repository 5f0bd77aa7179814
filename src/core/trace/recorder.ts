// Records one run into a TraceResult: module calls (names, shapes, params, MACs), ops outside leaf layers,
// per-statement shapes, skip connections and unused modules. Implements the interpreter's TraceHooks; torch
// code finds it through getRecorder(interp).

import * as tf from '@tensorflow/tfjs-core';
import type { Edge, GradNode } from '../autograd/graph';
import { LineMap, type Diagnostic, type Location } from '../diagnostics';
import type { Span } from '../syntax/ast';
import {
  PyDict,
  PyFunction,
  PyInstance,
  PyList,
  PyTuple,
  objectId,
  type Interp,
  type PyValue,
  type TraceHooks,
} from '../runtime/values';
import { DTYPE_BYTES } from '../torch/dtype';
import { countParams, moduleState, modulesOf, namedModules } from '../torch/nn/moduleState';
import type { TorchOptions } from '../torch/state';
import { isTensor, Tensor, type Producer } from '../torch/tensor';
import { gradStats, l2norm, tensorStats } from './numericStats';
import type { LineShape, ModuleCall, OpCall, Shape, SkipConnection, UnusedModule } from './types';

/** One tensor op as the registry reports it. */
export interface OpEvent {
  op: string;
  /** Op-specific detail for skip paths ('::2' for a strided slice). */
  detail?: string;
  file: string;
  span: Span;
  inputs: Tensor[];
  outputs: Tensor[];
  macs: number;
  isAdd: boolean;
}

/** What module.ts tells the recorder when a module is called. */
export interface CallInfo {
  className: string;
  args: string;
  callSite: Location;
  definedAt?: Location;
  classDefinedAt?: Location;
  /** The module's class is a built-in torch layer (its internals are not the user's code). */
  nativeLayer: boolean;
  /** Short label on skip paths ('Conv2d 1×1 stride 2, 64→128'). */
  describe: string;
}

interface CallRec {
  call: ModuleCall;
  module: PyInstance;
  info: CallInfo;
  inputs: Tensor[];
  start: Array<{ t: Tensor; version: number; producer: Producer | null; shape: Shape }>;
  selfMacs: number;
  /** Adds seen per site in this call, so a loop's n-th add is told apart from the first. */
  addsAtSite: Map<string, number> | null;
  /** Root call id this call belongs to. */
  root: number;
  open: boolean;
}

/** Numeric mode: how a skip connection's gradient shares are measured during backward. */
interface SkipGradRec {
  skip: SkipConnection;
  /** Where gradients reaching the block input arrive (the common ancestor of the add's operands). */
  target: Edge;
  /** First step from the input along each branch (null: the add consumes the input directly). */
  shortcutFirst: Producer | null;
  mainFirst: Producer | null;
  /** The addition's own autograd node. */
  addNode: GradNode | null;
  /** Gradient contributions of this backward pass, per branch. */
  sums: { shortcut: tf.Tensor | null; main: tf.Tensor | null };
}

/** Numeric mode: a module call's input that is a leaf, whose gradient is summed over its consumers. */
interface LeafInputRec {
  callIds: number[];
  sum: tf.Tensor | null;
}

interface LineRec {
  file: string;
  span: Span;
  target: string | null;
  shapes: Shape[][];
  keys: Set<string>;
  hits: number;
}

/** Bound on the provenance walk (tensors visited per operand). */
const MAX_WALK = 4000;
/** A module call's call site until finish() fills it in. */
const NO_SITE: Location = { file: '', span: { start: 0, end: 0 }, line: 1, column: 1, endLine: 1, endColumn: 1 };
/** Distinct shapes kept per source line. */
const MAX_LINE_SHAPES = 16;

export interface RecorderOptions {
  torch?: TorchOptions;
}

export class Recorder implements TraceHooks {
  readonly torchOptions: TorchOptions;
  interp: Interp | null = null;
  /**
   * While paused nothing is recorded (prints, shapes, calls, ops): an entry trace runs the file's top level
   * paused and records only the entry call, as the PyTorch reference does.
   */
  paused = false;
  private readonly out: string[] = [];
  private readonly calls: CallRec[] = [];
  private readonly stack: number[] = [];
  private readonly rootNames = new Map<number, Map<PyInstance, string>>();
  private readonly rawOps: Array<OpCall> = [];
  /** Detail text per recorded op (same index as rawOps), for describing ops on a shortcut. */
  private readonly opDetails: Array<string | undefined> = [];
  /** Where each recorded op ran (same index as rawOps): turned into locations by finish(), once. */
  private readonly opFiles: string[] = [];
  private readonly opSpans: Span[] = [];
  private readonly skipList: SkipConnection[] = [];
  private readonly skipKeys = new Set<string>();
  private readonly lines = new Map<string, LineRec>();
  /** The same records by file and statement node (no key string to build for a statement seen before). */
  private readonly linesByNode = new Map<string, Map<Span, LineRec>>();
  /** User functions running, innermost last. */
  private readonly frames: PyFunction[] = [];
  private readonly lineMaps = new Map<string, LineMap>();
  private topLevelMacs = 0;
  private readonly skipGrads: SkipGradRec[] = [];
  /** Statistics per tfjs value: a container's output is often its last layer's (Sequential), computed once. */
  private readonly statsCache = new WeakMap<tf.Tensor, ReturnType<typeof tensorStats>>();
  private readonly gradCache = new WeakMap<tf.Tensor, ReturnType<typeof gradStats>>();
  private readonly leafInputs = new Map<Tensor, LeafInputRec>();

  constructor(opts: RecorderOptions = {}) {
    this.torchOptions = opts.torch ?? {};
  }

  /** Registers the text of a file so locations can be computed without the interpreter. */
  addSource(file: string, text: string): void {
    this.lineMaps.set(file, LineMap.for(text, file));
  }

  // ------------------------------------------------------------------ TraceHooks

  onStatementValue(file: string, span: Span, targetText: string | null, value: PyValue): void {
    // Numbers, strings, None and bools hold no tensors (the common case in loops).
    if (this.paused || value === null || typeof value !== 'object') return;
    const tensors = collectTensors(value, 2);
    if (tensors.length === 0) return;
    let byNode = this.linesByNode.get(file);
    if (!byNode) {
      byNode = new Map();
      this.linesByNode.set(file, byNode);
    }
    let rec = byNode.get(span);
    if (!rec) {
      const key = `${file}\u0000${span.start}:${span.end}`;
      rec = this.lines.get(key);
      if (!rec) {
        rec = { file, span, target: targetText, shapes: [], keys: new Set(), hits: 0 };
        this.lines.set(key, rec);
      }
      byNode.set(span, rec);
    }
    rec.hits++;
    if (rec.shapes.length >= MAX_LINE_SHAPES) return;
    // A line in a loop usually repeats the shapes it had last time: check that before building a key.
    if (rec.shapes.length > 0 && sameShapes(rec.shapes[rec.shapes.length - 1], tensors)) return;
    const k = shapesKey(tensors);
    if (!rec.keys.has(k)) {
      rec.keys.add(k);
      rec.shapes.push(tensors.map((t) => [...t.shape]));
    }
  }

  onPrint(text: string): void {
    if (this.paused) return;
    this.out.push(text);
  }

  onEnterFunction(fn: PyFunction, self: PyValue | undefined): void {
    void self;
    this.frames.push(fn);
  }

  onExitFunction(fn: PyFunction): void {
    for (let i = this.frames.length - 1; i >= 0; i--) {
      if (this.frames[i] === fn) {
        this.frames.length = i;
        return;
      }
    }
  }

  // ------------------------------------------------------------------ queries used by torch code

  get stdout(): string {
    return this.out.join('');
  }

  /** Name of the innermost user function running ('__init__', 'conv3x3'), or null at module level. */
  currentFunctionName(): string | null {
    return this.frames.length ? this.frames[this.frames.length - 1].name : null;
  }

  /** The innermost module call whose forward is running, or null. */
  currentCallId(): number | null {
    return this.stack.length ? this.stack[this.stack.length - 1] : null;
  }

  // ------------------------------------------------------------------ module calls

  beginCall(module: PyInstance, args: PyValue[], kwargs: Map<string, PyValue> | undefined, info: CallInfo): number {
    const parent = this.currentCallId();
    const id = this.calls.length;
    let name: string;
    let root: number;
    if (parent === null) {
      root = id;
      const names = new Map<PyInstance, string>();
      for (const [n, m] of namedModules(module)) names.set(m, n);
      this.rootNames.set(id, names);
      name = '';
    } else {
      root = this.calls[parent].root;
      const known = this.rootNames.get(root)?.get(module);
      const pname = this.calls[parent].call.name;
      name = known ?? (pname ? `${pname}.${info.className}` : info.className);
    }
    // Positional tensors only (tuples/lists/dicts flattened), as PyTorch's forward hooks see them.
    void kwargs;
    const inputs = args.length === 1 && isTensor(args[0]) ? [args[0]] : args.flatMap((a) => collectTensors(a, 3));
    const own = countParams(module, false);
    const call: ModuleCall = {
      id,
      parent,
      name,
      className: info.className,
      // Filled in by finish(): the extra_repr text is built once per call only when the result is produced.
      args: '',
      // Filled in by finish() too (a location per call is only needed in the result).
      callSite: NO_SITE,
      definedAt: undefined, // filled in by finish()
      classDefinedAt: info.classDefinedAt,
      inputShapes: inputs.map((t) => [...t.shape]),
      outputShapes: [],
      ownParams: own.total,
      // Subtree counts are filled in by finish(), in one pass over the module tree.
      totalParams: 0,
      trainableParams: 0,
      macs: 0,
      outputBytes: 0,
      callCount: 1,
      children: [],
    };
    this.calls.push({
      call,
      module,
      info,
      inputs,
      start: inputs.map((t) => ({ t, version: t.version, producer: t.producer, shape: [...t.shape] })),
      selfMacs: 0,
      addsAtSite: null,
      root,
      open: true,
    });
    if (parent !== null) this.calls[parent].call.children.push(id);
    this.stack.push(id);
    if (this.torchOptions.numeric) this.watchInputGrad(id, inputs[0]);
    return id;
  }

  /** Ends a call: records output shapes and stamps outputs with module-level provenance. */
  endCall(id: number, output: PyValue | undefined): void {
    const rec = this.calls[id];
    this.pop(id);
    if (output === undefined) return;
    const outs = collectTensors(output, 3);
    rec.call.outputShapes = outs.map((t) => [...t.shape]);
    rec.call.outputBytes = outs.reduce((s, t) => s + t.numel * DTYPE_BYTES[t.dtype], 0);
    const parentScope = rec.call.parent;
    // Inputs as they were when the call began (in-place layers such as ReLU(inplace=True) mutate them).
    const provInputs = rec.start.map((s) => {
      if (s.t.version === s.version) return s.t;
      const ghost = s.t.snapshot();
      ghost.producer = s.producer;
      ghost.shape = s.shape;
      return ghost;
    });
    for (const t of outs) {
      if (returnedUnchanged(rec.start, t)) continue; // returned its input unchanged (Identity, empty Sequential)
      t.producer = { kind: 'module', callId: id, inputs: provInputs, scope: parentScope };
    }
    const run = this.torchOptions.numeric;
    if (run) {
      const first = outs.find((t) => t.data !== undefined);
      if (first?.data) {
        const d = first.data;
        let st = this.statsCache.get(d);
        if (!st) {
          st = tensorStats(d);
          this.statsCache.set(d, st);
        }
        rec.call.stats = { ...st };
        this.watchOutputGrad(id, first);
      }
      run.callsDone++;
      run.onProgress?.({ module: rec.call.name || rec.call.className, done: run.callsDone, total: run.totalCalls });
    }
  }

  // ------------------------------------------------------------------ numeric: gradients

  /** Records the gradient w.r.t. a module call's output when backward reaches it. */
  private watchOutputGrad(id: number, out: Tensor): void {
    const node = out.gradNode;
    if (!node) return;
    node.addHook(out.outputNr, (g) => {
      const s = this.cachedGradStats(g);
      const call = this.calls[id].call;
      call.grad = {
        ...(call.grad ?? { paramNorms: {} }),
        outputNorm: s.norm,
        outputMean: s.mean,
        outputStd: s.std,
        outputMaxAbs: s.maxAbs,
        outputFirst: s.first,
        paramNorms: call.grad?.paramNorms ?? {},
      };
    });
  }

  /** Records the gradient w.r.t. a module call's (first) input: at its node, or summed over a leaf's consumers. */
  private watchInputGrad(id: number, inp: Tensor | undefined): void {
    if (!inp || !inp.requiresGrad) return;
    if (inp.gradNode) {
      inp.gradNode.addHook(inp.outputNr, (g) => this.setInputGrad([id], g));
      return;
    }
    if (!inp.isLeaf) return;
    const rec = this.leafInputs.get(inp) ?? { callIds: [], sum: null };
    rec.callIds.push(id);
    this.leafInputs.set(inp, rec);
  }

  private cachedGradStats(g: tf.Tensor): ReturnType<typeof gradStats> {
    let s = this.gradCache.get(g);
    if (!s) {
      s = gradStats(g);
      this.gradCache.set(g, s);
    }
    return s;
  }

  private setInputGrad(ids: number[], g: tf.Tensor): void {
    const s = this.cachedGradStats(g);
    for (const id of ids) {
      const call = this.calls[id].call;
      const base = call.grad ?? { outputNorm: 0, outputMean: 0, outputStd: 0, outputMaxAbs: 0, outputFirst: [], paramNorms: {} };
      call.grad = { ...base, inputNorm: s.norm, inputFirst: s.first };
    }
  }

  /** Called by autograd for every gradient sent along an edge: leaf inputs and skip-connection shares. */
  onGradEdge(consumer: GradNode, edge: Edge, g: tf.Tensor): void {
    const add = (prev: tf.Tensor | null): tf.Tensor => {
      const next = prev ? tf.add(prev, g) : tf.clone(g);
      if (this.torchOptions.numeric) this.torchOptions.numeric.keep(next);
      else tf.keep(next);
      if (prev) prev.dispose();
      return next;
    };
    if (edge.leaf) {
      const rec = this.leafInputs.get(edge.leaf);
      if (rec) rec.sum = add(rec.sum);
    }
    for (const s of this.skipGrads) {
      const hit = edge.leaf ? s.target.leaf === edge.leaf : s.target.node === edge.node && s.target.nr === edge.nr;
      if (!hit) continue;
      if (this.consumerOn(consumer, s.shortcutFirst, s.addNode)) s.sums.shortcut = add(s.sums.shortcut);
      else if (this.consumerOn(consumer, s.mainFirst, s.addNode)) s.sums.main = add(s.sums.main);
    }
  }

  /** Whether `consumer` is the first op (or inside the first module call) of a branch. */
  private consumerOn(consumer: GradNode, first: Producer | null, addNode: GradNode | null): boolean {
    if (first === null) return consumer === addNode;
    if (first.kind === 'op') return first.node === consumer;
    return first.callId !== undefined && consumer.callPath.includes(first.callId);
  }

  /** Called when a backward pass finished: leaf input gradients and shortcut shares. */
  onBackwardDone(): void {
    for (const rec of this.leafInputs.values()) {
      if (!rec.sum) continue;
      this.setInputGrad(rec.callIds, rec.sum);
      rec.sum.dispose();
      rec.sum = null;
    }
    for (const s of this.skipGrads) {
      const { shortcut, main } = s.sums;
      if (!shortcut && !main) continue;
      const ns = shortcut ? l2norm(shortcut) : 0;
      const nm = main ? l2norm(main) : 0;
      s.skip.shortcutGradShare = ns + nm > 0 ? ns / (ns + nm) : undefined;
      shortcut?.dispose();
      main?.dispose();
      s.sums = { shortcut: null, main: null };
    }
  }

  /** Ends a call that raised. */
  failCall(id: number): void {
    this.pop(id);
  }

  private pop(id: number): void {
    const i = this.stack.lastIndexOf(id);
    if (i >= 0) this.stack.length = i;
    this.calls[id].open = false;
  }

  // ------------------------------------------------------------------ ops

  onOp(ev: OpEvent): void {
    const id = this.currentCallId();
    const rec = id === null ? null : this.calls[id];
    if (rec) rec.selfMacs += ev.macs;
    else this.topLevelMacs += ev.macs;
    if (rec?.info.nativeLayer) return; // internals of a built-in layer are the layer
    this.rawOps.push({
      op: ev.op,
      module: id,
      site: NO_SITE,
      inputShapes: ev.inputs.map((t) => [...t.shape]),
      outputShapes: ev.outputs.map((t) => [...t.shape]),
      macs: ev.macs,
    });
    this.opDetails.push(ev.detail);
    this.opFiles.push(ev.file);
    this.opSpans.push(ev.span);
    if (ev.isAdd && id !== null && ev.inputs.length >= 2 && ev.outputs.length >= 1) {
      this.noteAdd(id, ev.inputs[0], ev.inputs[1], ev.file, ev.span, this.siteOf(ev.file, ev.span), ev.outputs[0]);
    }
  }

  private siteOf(file: string, span: Span): Location {
    return this.interp ? this.interp.location(span, file) : this.locate(file, span);
  }

  /** An addition that raised (e.g. a size mismatch): still a skip connection when its operands share an ancestor. */
  onFailedAdd(a: Tensor, b: Tensor, file: string, span: Span): void {
    const id = this.currentCallId();
    if (this.paused || id === null || this.calls[id].info.nativeLayer) return;
    this.noteAdd(id, a, b, file, span, this.siteOf(file, span));
  }

  /** One skip per block instance, add site and occurrence in the forward: calling the block again adds nothing. */
  private noteAdd(id: number, a: Tensor, b: Tensor, file: string, span: Span, site: Location, out?: Tensor): void {
    const rec = this.calls[id];
    const siteKey = `${file}:${span.start}:${span.end}`;
    const sites = (rec.addsAtSite ??= new Map());
    const n = (sites.get(siteKey) ?? 0) + 1;
    sites.set(siteKey, n);
    const key = `${objectId(rec.module)}:${siteKey}:${n}`;
    if (this.skipKeys.has(key)) return;
    const skip = this.detectSkip(id, a, b, site);
    if (skip) {
      this.skipKeys.add(key);
      this.skipList.push(skip);
      if (this.torchOptions.numeric) this.watchSkip(id, skip, a, b, out);
    }
  }

  /** Numeric mode: statistics of f(x) − x and the measurement of the shortcut's share of the gradient. */
  private watchSkip(id: number, skip: SkipConnection, a: Tensor, b: Tensor, out: Tensor | undefined): void {
    const k = this.classifyAdd(id, a, b);
    if (!k) return;
    const main = k.shortcutIsA ? b : a;
    const short = k.shortcutIsA ? a : b;
    // f(x) − x, when the addition itself is valid (a failed add is recorded as a skip too).
    const sameShape = main.shape.length === short.shape.length && main.shape.every((d, i) => d === short.shape[i]);
    if (main.data && short.data && sameShape) {
      const diff = tf.tidy(() => tf.sub(tf.cast(main.data as tf.Tensor, 'float32'), tf.cast(short.data as tf.Tensor, 'float32')));
      skip.residualStats = tensorStats(diff);
      diff.dispose();
    }
    const anc = k.anc;
    const target: Edge | null = anc.gradNode ? { node: anc.gradNode, nr: anc.outputNr } : anc.requiresGrad && anc.isLeaf ? { leaf: anc } : null;
    if (!target) return;
    const stepsShort = k.shortcutIsA ? k.stepsA : k.stepsB;
    const stepsMain = k.shortcutIsA ? k.stepsB : k.stepsA;
    this.skipGrads.push({
      skip,
      target,
      shortcutFirst: stepsShort[0] ?? null,
      mainFirst: stepsMain[0] ?? null,
      addNode: out?.gradNode ?? null,
      sums: { shortcut: null, main: null },
    });
  }

  /** Whether two add operands share an ancestor computed in (or passed to) the current forward. */
  sharesAncestor(a: Tensor, b: Tensor): boolean {
    const id = this.currentCallId();
    if (id === null || a === b) return false;
    return this.commonAncestor(id, a, b) !== null;
  }

  // ------------------------------------------------------------------ skip connections

  private walk(callId: number, from: Tensor): Map<Tensor, { dist: number; prev: Tensor | null; via: Producer | null }> {
    // A forward's positional tensors: usually one, so a list scan beats building a set per walk.
    const inputs = this.calls[callId].inputs;
    const seen = new Map<Tensor, { dist: number; prev: Tensor | null; via: Producer | null }>();
    seen.set(from, { dist: 0, prev: null, via: null });
    const queue: Tensor[] = [from];
    let head = 0;
    while (head < queue.length && seen.size < MAX_WALK) {
      const t = queue[head++];
      const p = t.producer;
      if (!p || p.scope !== callId || inputs.includes(t)) continue;
      const d = (seen.get(t) as { dist: number }).dist;
      for (const u of p.inputs) {
        if (seen.has(u)) continue;
        // Only tensors of this forward or its inputs count (parameters and outer tensors end the walk).
        if (!(u.producer?.scope === callId || inputs.includes(u))) continue;
        seen.set(u, { dist: d + 1, prev: t, via: p });
        queue.push(u);
      }
    }
    return seen;
  }

  private commonAncestor(callId: number, a: Tensor, b: Tensor) {
    const wa = this.walk(callId, a);
    const wb = this.walk(callId, b);
    let best: { t: Tensor; da: number; db: number } | null = null;
    for (const [t, ia] of wa) {
      const ib = wb.get(t);
      if (!ib) continue;
      if (!best || ia.dist + ib.dist < best.da + best.db) best = { t, da: ia.dist, db: ib.dist };
    }
    return best ? { ...best, wa, wb } : null;
  }

  /** Producers on the path from `from` back to `anc`, nearest the ancestor first. */
  private pathSteps(walk: Map<Tensor, { dist: number; prev: Tensor | null; via: Producer | null }>, anc: Tensor): Producer[] {
    const steps: Producer[] = [];
    let cur: Tensor | null = anc;
    while (cur) {
      const info = walk.get(cur);
      if (!info || !info.prev) break;
      if (info.via) steps.push(info.via);
      cur = info.prev;
    }
    return steps;
  }

  /** Which operand of an addition is the shortcut, with the paths back to their common ancestor; null if no skip. */
  private classifyAdd(callId: number, a: Tensor, b: Tensor) {
    if (a === b) return null;
    const ca = this.commonAncestor(callId, a, b);
    if (!ca) return null;
    const { t: anc, da, db } = ca;
    let shortcutIsA: boolean;
    const stepsA = this.pathSteps(ca.wa, anc);
    const stepsB = this.pathSteps(ca.wb, anc);
    if (db === 0) shortcutIsA = false;
    else if (da === 0) shortcutIsA = true;
    else if (da !== db) shortcutIsA = da < db;
    else {
      // Same number of steps: the lighter branch (fewer MACs and parameters) is the shortcut; equal branches
      // merging (q + k, two heads) are not a skip connection.
      const ca2 = this.pathCost(stepsA);
      const cb2 = this.pathCost(stepsB);
      if (ca2 === cb2) return null;
      shortcutIsA = ca2 < cb2;
    }
    return { anc, shortcutIsA, stepsA, stepsB };
  }

  /**
   * Numeric no-skips comparison: for an addition about to run in the current forward, which operand is the main
   * path (0 = first, 1 = second), or null when the addition is not a skip connection.
   */
  skipMainOperand(a: Tensor, b: Tensor): 0 | 1 | null {
    const id = this.currentCallId();
    if (id === null || this.calls[id].info.nativeLayer) return null;
    const k = this.classifyAdd(id, a, b);
    if (!k) return null;
    return k.shortcutIsA ? 1 : 0;
  }

  /** Module call ids running now, outermost first. */
  callPath(): number[] {
    return [...this.stack];
  }

  private detectSkip(callId: number, a: Tensor, b: Tensor, site: Location): SkipConnection | null {
    const k = this.classifyAdd(callId, a, b);
    if (!k) return null;
    const { shortcutIsA, stepsA, stepsB } = k;
    const mainSteps = shortcutIsA ? stepsB : stepsA;
    const shortSteps = shortcutIsA ? stepsA : stepsB;
    const shortcutLabels = this.describeSteps(shortSteps);
    const moduleIds = (steps: Producer[]) => steps.filter((p) => p.kind === 'module').map((p) => p.callId as number);
    const identity = shortcutLabels.length === 0;
    const main = shortcutIsA ? b : a;
    const shortcut = shortcutIsA ? a : b;
    return {
      module: callId,
      site,
      kind: identity ? 'identity' : 'projection',
      shortcut: shortcutLabels,
      label: identity ? 'identity' : this.projectionLabel(shortSteps, shortcutLabels),
      shortcutModules: moduleIds(shortSteps),
      mainModules: moduleIds(mainSteps),
      mainShape: [...main.shape],
      shortcutShape: [...shortcut.shape],
    };
  }

  /** MACs plus parameters of the module calls on a path (ops count their MACs). */
  private pathCost(steps: Producer[]): number {
    let cost = 0;
    const subtree = (id: number): number => {
      const c = this.calls[id];
      return c.selfMacs + c.call.ownParams + c.call.children.reduce((s, k) => s + subtree(k), 0);
    };
    for (const p of steps) if (p.kind === 'module') cost += subtree(p.callId as number);
    return cost;
  }

  /** Leaf layer calls under a call, in call order. */
  private leafCalls(id: number): number[] {
    const c = this.calls[id];
    if (c.call.children.length === 0) return c.info.nativeLayer ? [id] : [];
    return c.call.children.flatMap((k) => this.leafCalls(k));
  }

  /** Ops recorded in a call's subtree, described for a shortcut path ('slice ::2', 'pad'). */
  private opsUnder(id: number): string[] {
    const ids = new Set<number>();
    const add = (k: number) => {
      ids.add(k);
      for (const ch of this.calls[k].call.children) add(ch);
    };
    add(id);
    const out: string[] = [];
    this.rawOps.forEach((o, i) => {
      if (o.module !== null && ids.has(o.module)) out.push(describeOp({ kind: 'op', op: o.op, inputs: [], scope: null, detail: this.opDetails[i] }));
    });
    return out;
  }

  private describeSteps(steps: Producer[]): string[] {
    const out: string[] = [];
    let opRun: string[] = [];
    const flush = () => {
      if (opRun.length) out.push(opRun.join(' + '));
      opRun = [];
    };
    for (const p of steps) {
      if (p.kind === 'op') {
        opRun.push(describeOp(p));
        continue;
      }
      flush();
      const id = p.callId as number;
      const rec = this.calls[id];
      if (rec.info.nativeLayer && rec.call.children.length === 0) {
        if (!isIdentityLayer(rec.info.className)) out.push(rec.info.describe);
        continue;
      }
      const leaves = this.leafCalls(id).filter((k) => !isIdentityLayer(this.calls[k].info.className));
      if (leaves.length) out.push(...leaves.map((k) => this.calls[k].info.describe));
      else {
        const ops = this.opsUnder(id);
        if (ops.length) out.push(ops.join(' + '));
      }
    }
    flush();
    return out;
  }

  private projectionLabel(steps: Producer[], labels: string[]): string {
    for (const p of steps) {
      if (p.kind !== 'module') continue;
      for (const k of this.leafCalls(p.callId as number).concat([p.callId as number])) {
        const rec = this.calls[k];
        const m = /^Conv\w*\s+([^\s,]+)(?:\s+stride\s+([^\s,]+))?/.exec(rec.info.describe);
        if (m) return m[2] && m[2] !== '1' ? `proj ${m[1]}/${m[2]}` : `proj ${m[1]}`;
      }
    }
    return `proj ${labels[0] ?? ''}`.trim();
  }

  // ------------------------------------------------------------------ result

  private locate(file: string, span: Span): Location {
    const lm = this.lineMaps.get(file);
    if (lm) return lm.location(file, span);
    if (this.interp) {
      try {
        return this.interp.location(span, file);
      } catch {
        /* file not loaded by the run */
      }
    }
    return { file, span, line: 1, column: 1, endLine: 1, endColumn: 1 };
  }

  /** Module calls so far (ids are indexes). */
  get moduleCalls(): ModuleCall[] {
    return this.calls.map((c) => c.call);
  }

  /** Finalises MACs, call counts and names into the result parts. */
  finish(): {
    modules: ModuleCall[];
    ops: OpCall[];
    skips: SkipConnection[];
    lines: LineShape[];
    unused: UnusedModule[];
    totals: { params: number; trainableParams: number; macs: number; activationBytes: number };
    rootCalls: number[];
  } {
    // MACs bottom-up (children have larger ids than their parent).
    for (let i = this.calls.length - 1; i >= 0; i--) {
      const c = this.calls[i];
      let macs = c.selfMacs;
      for (const k of c.call.children) macs += this.calls[k].call.macs;
      c.call.macs = macs;
      c.call.args = c.info.args;
      c.call.callSite = c.info.callSite;
      c.call.definedAt = c.info.definedAt;
    }
    for (let i = 0; i < this.rawOps.length; i++) this.rawOps[i].site = this.siteOf(this.opFiles[i], this.opSpans[i]);
    const subtree = subtreeParams(this.calls.map((c) => c.module));
    for (const c of this.calls) {
      const t = subtree.get(c.module)!; // subtreeParams counts every module it is given
      c.call.totalParams = t.total;
      c.call.trainableParams = t.trainable;
    }
    const counts = new Map<PyInstance, number>();
    for (const c of this.calls) counts.set(c.module, (counts.get(c.module) ?? 0) + 1);
    for (const c of this.calls) c.call.callCount = counts.get(c.module) ?? 1;
    const roots = this.calls.filter((c) => c.call.parent === null);
    // Totals: each distinct parameter of the root modules once.
    const seenParams = new Set<Tensor>();
    let params = 0;
    let trainable = 0;
    const seenRoots = new Set<PyInstance>();
    for (const r of roots) {
      if (seenRoots.has(r.module)) continue;
      seenRoots.add(r.module);
      for (const m of modulesOf(r.module)) {
        const st = moduleState(m);
        if (!st) continue;
        for (const t of st.params.values()) {
          if (!t || seenParams.has(t)) continue;
          seenParams.add(t);
          params += t.numel;
          if (t.requiresGrad) trainable += t.numel;
        }
      }
    }
    if (this.torchOptions.numeric) this.collectParamNorms();
    const macs = roots.reduce((s, r) => s + r.call.macs, 0) + this.topLevelMacs;
    const activationBytes = this.calls
      .filter((c) => c.call.children.length === 0 && c.info.nativeLayer)
      .reduce((s, c) => s + c.call.outputBytes, 0);
    return {
      modules: this.calls.map((c) => c.call),
      ops: this.rawOps,
      skips: this.skipList,
      lines: [...this.lines.values()].map((l) => ({
        site: this.locate(l.file, l.span),
        target: l.target,
        shapes: l.shapes,
        hits: l.hits,
      })),
      unused: this.unusedModules(seenRoots),
      totals: { params, trainableParams: trainable, macs, activationBytes },
      rootCalls: roots.map((r) => r.call.id),
    };
  }

  /** Numeric mode: each call's own parameters' gradient norms (the `.grad` they hold at the end of the run). */
  private collectParamNorms(): void {
    const cache = new Map<Tensor, number>();
    for (const c of this.calls) {
      const st = moduleState(c.module);
      if (!st) continue;
      const norms: Record<string, number> = {};
      for (const [name, p] of st.params) {
        const g = p?.grad?.data;
        if (!p || !g) continue;
        let n = cache.get(p);
        if (n === undefined) {
          n = l2norm(g);
          cache.set(p, n);
        }
        norms[name] = n;
      }
      if (Object.keys(norms).length === 0) continue;
      const base = c.call.grad ?? { outputNorm: 0, outputMean: 0, outputStd: 0, outputMaxAbs: 0, outputFirst: [], paramNorms: {} };
      c.call.grad = { ...base, paramNorms: norms };
    }
  }

  private unusedModules(roots: Set<PyInstance>): UnusedModule[] {
    const called = new Set(this.calls.map((c) => c.module));
    const out: UnusedModule[] = [];
    const reported = new Set<PyInstance>();
    for (const root of roots) {
      // Names are built only for a tree that has a module nobody called (usually none has).
      if (modulesOf(root).every((m) => called.has(m))) continue;
      for (const [name, m] of namedModules(root)) {
        if (called.has(m) || reported.has(m)) continue;
        const cls = m.cls.name;
        if (cls === 'ModuleList' || cls === 'ModuleDict') continue;
        const sub = namedModules(m);
        if (sub.some(([, s]) => called.has(s))) continue;
        if (sub.some(([, s]) => reported.has(s))) continue;
        // Report only the topmost unused module of a subtree.
        for (const [, s] of sub) reported.add(s);
        out.push({ name, className: cls, definedAt: moduleState(m)?.definedAt });
      }
    }
    return out;
  }

  /** Diagnostics the recorder wants to add (none yet; reserved for trace-level warnings). */
  diagnostics(): Diagnostic[] {
    return [];
  }
}

const isIdentityLayer = (cls: string): boolean => cls === 'Identity' || cls === 'Dropout' || cls === 'Dropout2d';

function describeOp(p: Producer): string {
  const op = p.op ?? '?';
  const short = op.slice(op.lastIndexOf('.') + 1).replace(/^__(\w+)__$/, '$1');
  if (short === 'getitem') return p.detail ? `slice ${p.detail}` : 'index';
  return p.detail ? `${short} ${p.detail}` : short;
}

type ParamCount = { total: number; trainable: number };

/**
 * Each module's subtree parameter count (each parameter once), in one bottom-up pass when the modules form a tree
 * and no parameter is registered twice — the usual case. A module reached twice (shared, or a cycle) or a shared
 * parameter would be counted twice by the pass: then every module is counted by its own walk (countParams).
 */
function subtreeParams(modules: PyInstance[]): Map<PyInstance, ParamCount> {
  const out = new Map<PyInstance, ParamCount>();
  const seenParams = new Set<Tensor>();
  let shared = false;
  const visit = (m: PyInstance): ParamCount => {
    const hit = out.get(m);
    if (hit) {
      shared = true;
      return hit;
    }
    const acc = { total: 0, trainable: 0 };
    out.set(m, acc);
    const st = moduleState(m);
    if (!st) return acc;
    for (const t of st.params.values()) {
      if (!t) continue;
      if (seenParams.has(t)) {
        shared = true;
        continue;
      }
      seenParams.add(t);
      acc.total += t.numel;
      if (t.requiresGrad) acc.trainable += t.numel;
    }
    for (const c of st.modules.values()) {
      if (!c) continue;
      const sub = visit(c);
      acc.total += sub.total;
      acc.trainable += sub.trainable;
    }
    return acc;
  };
  try {
    for (const m of modules) if (!out.has(m)) visit(m);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e; // nesting deeper than the JS stack: count each module alone
    shared = true;
  }
  if (!shared) return out;
  const exact = new Map<PyInstance, ParamCount>();
  for (const m of modules) if (!exact.has(m)) exact.set(m, countParams(m, true));
  return exact;
}

/** Whether `t` is one of a call's inputs, unchanged since the call began. */
function returnedUnchanged(start: ReadonlyArray<{ t: Tensor; version: number }>, t: Tensor): boolean {
  for (const s of start) if (s.t === t) return s.version === t.version;
  return false;
}

/** Whether `tensors` have exactly the shapes `shapes` lists. */
function sameShapes(shapes: Shape[], tensors: Tensor[]): boolean {
  if (shapes.length !== tensors.length) return false;
  for (let i = 0; i < shapes.length; i++) {
    const a = shapes[i];
    const b = tensors[i].shape;
    if (a.length !== b.length) return false;
    for (let j = 0; j < a.length; j++) if (a[j] !== b[j]) return false;
  }
  return true;
}

/** A key telling apart the shape lists of a line's values (same as JSON of the shapes, cheaper). */
function shapesKey(tensors: Tensor[]): string {
  let k = '';
  for (const t of tensors) k += t.shape.join(',') + ';';
  return k;
}

/** Tensors in a value: the tensor itself, or the tensors inside tuples/lists/dicts up to `depth` levels. */
export function collectTensors(v: PyValue | undefined, depth: number): Tensor[] {
  if (isTensor(v)) return [v];
  const out: Tensor[] = [];
  collectInto(v, depth, out);
  return out;
}

function collectInto(v: PyValue | undefined, depth: number, out: Tensor[]): void {
  if (isTensor(v)) {
    out.push(v);
    return;
  }
  if (depth <= 0) return;
  if (v instanceof PyTuple || v instanceof PyList) {
    const items = v.items;
    for (let i = 0; i < items.length; i++) collectInto(items[i], depth - 1, out);
  } else if (v instanceof PyDict) {
    const values = v.values();
    for (let i = 0; i < values.length; i++) collectInto(values[i], depth - 1, out);
  } else if (v instanceof PyInstance) {
    // Subclasses of tuple/list/dict (torch.return_types, OrderedDict, namedtuple) keep the value in `native`.
    const n = v.native;
    if (n instanceof PyTuple || n instanceof PyList || n instanceof PyDict) collectInto(n, depth, out);
  }
}

/** The recorder of a run, when the interpreter was given one. */
export function getRecorder(interp: Interp): Recorder | null {
  const t = interp.trace;
  if (t instanceof Recorder) {
    if (!t.interp) t.interp = interp;
    return t.paused ? null : t;
  }
  return null;
}

/** The recorder even while paused (for bookkeeping that must stay consistent, e.g. the function-frame stack). */
export function getRecorderAlways(interp: Interp): Recorder | null {
  return interp.trace instanceof Recorder ? interp.trace : null;
}
