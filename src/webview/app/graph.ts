// Pure (DOM-free) block-diagram model: a residual block as a graph (main path, shortcut, add) and its dagre layout.

import dagre from '@dagrejs/dagre';
import type { Location } from '../../core/diagnostics';
import type { ModuleCall, OpCall, SkipConnection, TraceResult } from '../../core/trace/types';
import { formatShape, summarizeArgs } from './format';

export type BlockNodeKind = 'input' | 'main' | 'op' | 'shortcut' | 'identity' | 'add' | 'output';

export interface BlockNode {
  id: string;
  kind: BlockNodeKind;
  /** First line: the layer's attribute name and class ("conv1 · Conv2d"), or "x", "+", "out". */
  title: string;
  /** Second line: what it does ("3×3, 64→128, stride 2"), may be empty. */
  detail: string;
  /** Third line: the output shape. */
  shape: string;
  /** Where a click takes the editor, or null for nodes without a source line. */
  location: Location | null;
  /** The module call shown, if any. */
  moduleId: number | null;
}

export type BlockEdgeKind = 'main' | 'shortcut' | 'identity';

export interface BlockEdge {
  from: string;
  to: string;
  kind: BlockEdgeKind;
  /** Text on the edge ("identity"), or null. */
  label: string | null;
}

export interface BlockGraph {
  owner: ModuleCall;
  skip: SkipConnection;
  nodes: BlockNode[];
  edges: BlockEdge[];
}

/** Pointwise functions worth drawing on the main path when the block calls them functionally (F.relu(out)). */
const ACTIVATION_OP = /(^|\.)(relu6?|gelu|silu|sigmoid|tanh|elu|leaky_relu|hardswish|mish|softplus|dropout)_?$/i;

/**
 * The calls to draw for a path: containers expand to their leaf calls so `nn.Sequential(conv, bn)` shows its layers,
 * unless the trace already lists their parts; an empty container (`nn.Sequential()`) stays itself. In call order.
 */
export function leafCalls(ids: readonly number[], byId: ReadonlyMap<number, ModuleCall>, limit = 10): ModuleCall[] {
  const listed = new Set(ids);
  const kids = (m: ModuleCall): ModuleCall[] => m.children.map((c) => byId.get(c)).filter((c): c is ModuleCall => c !== undefined);
  const listsPart = (m: ModuleCall): boolean => kids(m).some((k) => listed.has(k.id) || listsPart(k));
  const tops = ids.map((id) => byId.get(id)).filter((m): m is ModuleCall => m !== undefined && !listsPart(m));
  const out = new Map<number, ModuleCall>();
  const leaves = (m: ModuleCall): void => {
    const ks = kids(m);
    if (ks.length === 0) out.set(m.id, m);
    else ks.forEach(leaves);
  };
  tops.forEach(leaves);
  // Too many leaves to draw legibly: draw the calls as the trace lists them.
  const chosen = out.size > limit ? tops : [...out.values()];
  return [...new Map(chosen.map((m) => [m.id, m])).values()].sort((a, b) => a.id - b.id);
}

function lastSegment(name: string): string {
  return name.slice(name.lastIndexOf('.') + 1);
}

function moduleNode(id: string, kind: BlockNodeKind, m: ModuleCall, owner: ModuleCall): BlockNode {
  // Names relative to the block: 'layer2.0.shortcut.0' inside 'layer2.0' shows as 'shortcut.0'.
  const rel = owner.name === '' ? m.name : m.name.startsWith(owner.name + '.') ? m.name.slice(owner.name.length + 1) : lastSegment(m.name);
  return {
    id,
    kind,
    title: rel ? `${rel} · ${m.className}` : m.className,
    detail: summarizeArgs(m.className, m.args),
    shape: formatShape(m.outputShapes[0]),
    location: m.callSite ?? m.definedAt ?? null,
    moduleId: m.id,
  };
}

function opName(op: string): string {
  const short = op.slice(op.lastIndexOf('.') + 1).replace(/_$/, '');
  const known: Record<string, string> = { relu: 'ReLU', relu6: 'ReLU6', gelu: 'GELU', silu: 'SiLU', elu: 'ELU', leaky_relu: 'LeakyReLU' };
  return known[short.toLowerCase()] ?? short;
}

function opNode(id: string, op: OpCall): BlockNode {
  return { id, kind: 'op', title: opName(op.op), detail: op.op, shape: formatShape(op.outputShapes[0]), location: op.site, moduleId: null };
}

/** Activation ops of the owner's forward, ordered with the main-path calls by where their call expressions end. */
function placeOps(
  main: ModuleCall[],
  ops: readonly OpCall[],
  skip: SkipConnection,
): { before: Array<ModuleCall | OpCall>; after: OpCall[] } {
  const end = (x: ModuleCall | OpCall): number => ('site' in x ? x.site.span.end : x.callSite.span.end);
  const sameFile = (o: OpCall): boolean => o.site.file === skip.site.file;
  const firstMainEnd = main.length > 0 ? Math.min(...main.map(end)) : -Infinity;
  const acts = ops.filter((o) => ACTIVATION_OP.test(o.op) && sameFile(o) && main.every((m) => m.callSite.file === o.site.file));
  // An op inside the add's own expression (`F.relu(out + x)`) or after it belongs after the join.
  const before = acts.filter((o) => end(o) > firstMainEnd && end(o) <= skip.site.span.start);
  const after = acts.filter((o) => end(o) > skip.site.span.start && !(o.site.span.start >= skip.site.span.start && end(o) <= skip.site.span.end));
  const merged: Array<ModuleCall | OpCall> = [...main, ...before].sort((a, b) => end(a) - end(b));
  return { before: merged, after: after.sort((a, b) => end(a) - end(b)) };
}

/** Builds the graph of one skip connection: x → main path → (+) ← shortcut ← x, then (+) → out. */
export function buildBlockGraph(trace: TraceResult, skip: SkipConnection): BlockGraph | null {
  const byId = new Map(trace.modules.map((m) => [m.id, m]));
  const owner = byId.get(skip.module);
  if (!owner) return null;
  const main = leafCalls(skip.mainModules, byId);
  const shortcut = leafCalls(skip.shortcutModules, byId);
  const ownerOps = trace.ops.filter((o) => o.module === owner.id);
  // Ops are placed only when the skip is the block's only one: with several adds in one forward the order is ambiguous.
  const single = trace.skips.filter((s) => s.module === owner.id).length === 1;
  const placed = single ? placeOps(main, ownerOps, skip) : { before: main, after: [] };

  const nodes: BlockNode[] = [];
  const edges: BlockEdge[] = [];
  const inputShape = main[0]?.inputShapes[0] ?? shortcut[0]?.inputShapes[0] ?? owner.inputShapes[0];
  nodes.push({ id: 'in', kind: 'input', title: 'x', detail: 'block input', shape: formatShape(inputShape), location: null, moduleId: null });

  let prev = 'in';
  placed.before.forEach((x, i) => {
    const id = `m${i}`;
    nodes.push('site' in x ? opNode(id, x) : moduleNode(id, 'main', x, owner));
    edges.push({ from: prev, to: id, kind: 'main', label: null });
    prev = id;
  });

  const add: BlockNode = {
    id: 'add',
    kind: 'add',
    title: '+',
    detail: 'f(x) + ' + (skip.kind === 'projection' ? 'proj(x)' : 'x'),
    shape: formatShape(skip.mainShape),
    location: skip.site,
    moduleId: null,
  };
  nodes.push(add);
  edges.push({ from: prev, to: 'add', kind: 'main', label: null });

  if (shortcut.length === 0) {
    edges.push({ from: 'in', to: 'add', kind: 'identity', label: 'identity' });
  } else if (skip.kind === 'identity') {
    // An identity shortcut that is still a module call (`self.skip = nn.Sequential()`): one pill, clickable.
    const m = shortcut[0];
    const node = moduleNode('s0', 'identity', m, owner);
    node.detail = 'identity';
    node.shape = formatShape(skip.shortcutShape);
    nodes.push(node);
    edges.push({ from: 'in', to: 's0', kind: 'identity', label: null });
    edges.push({ from: 's0', to: 'add', kind: 'identity', label: null });
  } else {
    let sprev = 'in';
    shortcut.forEach((m, i) => {
      const id = `s${i}`;
      nodes.push(moduleNode(id, 'shortcut', m, owner));
      edges.push({ from: sprev, to: id, kind: 'shortcut', label: i === 0 ? 'projection' : null });
      sprev = id;
    });
    edges.push({ from: sprev, to: 'add', kind: 'shortcut', label: null });
  }

  let last = 'add';
  placed.after.forEach((o, i) => {
    const id = `a${i}`;
    nodes.push(opNode(id, o));
    edges.push({ from: last, to: id, kind: 'main', label: null });
    last = id;
  });

  const lastSkipOfOwner = trace.skips.filter((s) => s.module === owner.id).pop() === skip;
  const outShape = lastSkipOfOwner ? owner.outputShapes[0] : skip.mainShape;
  nodes.push({ id: 'out', kind: 'output', title: 'out', detail: 'block output', shape: formatShape(outShape), location: null, moduleId: null });
  edges.push({ from: last, to: 'out', kind: 'main', label: null });
  return { owner, skip, nodes, edges };
}

// ---------------------------------------------------------------- layout

export interface NodeBox extends BlockNode {
  /** Centre and size, in SVG user units. */
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface EdgePath extends BlockEdge {
  points: Array<{ x: number; y: number }>;
  labelAt: { x: number; y: number } | null;
  /** Width reserved for the label, as measured for the layout. */
  labelWidth: number;
}

export interface BlockLayout {
  nodes: NodeBox[];
  edges: EdgePath[];
  width: number;
  height: number;
}

/** Measures one line of text in pixels; the DOM passes a canvas measurer, tests a fixed-width one. */
export type Measure = (text: string, font: 'title' | 'detail' | 'mono') => number;

/** Node sizes in pixels; kept here so layout and renderer agree. */
export const NODE = { padX: 12, line: 16, padY: 8, minWidth: 120, addRadius: 15, pillHeight: 30 } as const;

function nodeSize(n: BlockNode, measure: Measure): { width: number; height: number } {
  if (n.kind === 'add') return { width: NODE.addRadius * 2, height: NODE.addRadius * 2 };
  if (n.kind === 'input' || n.kind === 'output' || n.kind === 'op') {
    const w = measure(n.title, 'title') + 10 + measure(n.shape, 'mono');
    return { width: Math.max(80, w + NODE.padX * 2), height: NODE.pillHeight };
  }
  const lines = [measure(n.title, 'title'), n.detail ? measure(n.detail, 'detail') : 0, measure(n.shape, 'mono')];
  const rows = n.detail ? 3 : 2;
  return { width: Math.max(NODE.minWidth, Math.max(...lines) + NODE.padX * 2), height: NODE.padY * 2 + NODE.line * rows };
}

type Axis = 'x' | 'y';

/** One dagre run; `align` picks which side dagre's coordinate assignment packs nodes toward. */
function dagreLayout(graph: BlockGraph, measure: Measure, direction: 'TB' | 'LR', align: 'UL' | 'UR'): BlockLayout {
  // A multigraph: `x + f(x)` with an empty branch has two edges from x to the add.
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: direction, align, nodesep: 36, ranksep: 26, edgesep: 12, marginx: 12, marginy: 12 });
  g.setDefaultEdgeLabel(() => ({}));
  // Boxes on one path share a width, so each path reads as one clean column.
  const sizes = new Map(graph.nodes.map((n) => [n.id, nodeSize(n, measure)]));
  for (const kinds of [['main'], ['shortcut', 'identity']]) {
    const ids = graph.nodes.filter((n) => kinds.includes(n.kind)).map((n) => n.id);
    const w = Math.max(0, ...ids.map((id) => sizes.get(id)!.width));
    for (const id of ids) sizes.get(id)!.width = w;
  }
  for (const n of graph.nodes) g.setNode(n.id, { ...sizes.get(n.id)! });
  graph.edges.forEach((e, i) => {
    const label = e.label ? { width: measure(e.label, 'detail') + 10, height: 16, labelpos: 'c' as const } : {};
    g.setEdge(e.from, e.to, { weight: e.kind === 'main' ? 8 : 1, minlen: 1, ...label }, `e${i}`);
  });
  dagre.layout(g);

  const nodes: NodeBox[] = graph.nodes.map((n) => {
    const l = g.node(n.id) as { x: number; y: number; width: number; height: number };
    return { ...n, x: l.x, y: l.y, width: l.width, height: l.height };
  });
  const edges: EdgePath[] = graph.edges.map((e, i) => {
    const l = g.edge(e.from, e.to, `e${i}`) as { points?: Array<{ x: number; y: number }>; x?: number; y?: number };
    return {
      ...e,
      points: (l.points ?? []).map((p) => ({ x: p.x, y: p.y })),
      labelAt: e.label && l.x !== undefined && l.y !== undefined ? { x: l.x, y: l.y } : null,
      labelWidth: e.label ? measure(e.label, 'detail') + 10 : 0,
    };
  });
  const gl = g.graph() as { width?: number; height?: number };
  const width = Math.ceil(gl.width ?? Math.max(...nodes.map((n) => n.x + n.width / 2)));
  const height = Math.ceil(gl.height ?? Math.max(...nodes.map((n) => n.y + n.height / 2)));
  return { nodes, edges, width, height };
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

/** How far the spine (x, +, out) strays from the main path's line: 0 when they form one straight column. */
function spineOffset(l: BlockLayout, axis: Axis): number {
  const main = mean(l.nodes.filter((n) => n.kind === 'main' || n.kind === 'op').map((n) => n[axis]));
  return l.nodes.filter((n) => n.kind === 'input' || n.kind === 'add' || n.kind === 'output').reduce((a, n) => a + Math.abs(n[axis] - main), 0);
}

/**
 * Lays the block out top-down with dagre: the main path weighted to run straight down with x, + and out on its line,
 * the shortcut beside it. Mirrored when needed so the shortcut is always on the right (TB) or below (LR).
 */
export function layoutBlock(graph: BlockGraph, measure: Measure, direction: 'TB' | 'LR' = 'TB'): BlockLayout {
  const axis: Axis = direction === 'TB' ? 'x' : 'y';
  // Which alignment keeps the spine straight depends on the side dagre's ordering put the shortcut: try both.
  const tries = (['UR', 'UL'] as const).map((a) => dagreLayout(graph, measure, direction, a));
  const layout = tries.reduce((best, l) => (spineOffset(l, axis) < spineOffset(best, axis) ? l : best));
  const { nodes, edges } = layout;

  // dagre clips edges at the bounding box; the add node is a circle, so end its edges on the circle instead.
  for (const e of edges) {
    const target = nodes.find((n) => n.id === e.to);
    if (target?.kind !== 'add' || e.points.length < 2) continue;
    const prev = e.points[e.points.length - 2];
    const dx = prev.x - target.x;
    const dy = prev.y - target.y;
    const len = Math.hypot(dx, dy) || 1;
    e.points[e.points.length - 1] = { x: target.x + (dx / len) * NODE.addRadius, y: target.y + (dy / len) * NODE.addRadius };
  }

  const mainAt = nodes.filter((n) => n.kind === 'main' || n.kind === 'op').map((n) => n[axis]);
  const sideAt = [
    ...nodes.filter((n) => n.kind === 'shortcut' || n.kind === 'identity').map((n) => n[axis]),
    ...edges.filter((e) => e.kind === 'identity' && e.labelAt).map((e) => e.labelAt![axis]),
  ];
  if (mainAt.length > 0 && sideAt.length > 0 && mean(sideAt) < mean(mainAt)) {
    const span = axis === 'x' ? layout.width : layout.height;
    for (const n of nodes) n[axis] = span - n[axis];
    for (const e of edges) {
      for (const p of e.points) p[axis] = span - p[axis];
      if (e.labelAt) e.labelAt[axis] = span - e.labelAt[axis];
    }
  }
  return layout;
}

/** The skip connection a selection maps to: the selected call's own, else its nearest ancestor's, else the first. */
export function skipForSelection(trace: TraceResult, selectedId: number | null): number {
  if (trace.skips.length === 0) return -1;
  const byId = new Map(trace.modules.map((m) => [m.id, m]));
  for (let id = selectedId; id !== null && id !== undefined; id = byId.get(id)?.parent ?? null) {
    const i = trace.skips.findIndex((s) => s.module === id);
    if (i >= 0) return i;
    if (!byId.has(id)) break;
  }
  // A container (layer1) selected: its first descendant block.
  if (selectedId !== null) {
    const i = trace.skips.findIndex((s) => {
      for (let id: number | null = s.module; id !== null; id = byId.get(id)?.parent ?? null) if (id === selectedId) return true;
      return false;
    });
    if (i >= 0) return i;
  }
  return 0;
}
