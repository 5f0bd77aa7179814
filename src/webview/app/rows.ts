// Pure (DOM-free) layer-tree model: calls nested by parent, identical consecutive siblings collapsed to "×N", flattened.

import type { ModuleCall, TraceResult } from '../../core/trace/types';

/** One row of the layer tree: a module call, or a run of N identical consecutive sibling calls. */
export interface TreeRow {
  /** Stable across traces of the same model (qualified name + occurrence), used for selection and expansion state. */
  key: string;
  /** The call the row shows; for a group, its first member. */
  module: ModuleCall;
  /** Every call the row stands for: one, or N for a "×N" group. */
  members: ModuleCall[];
  children: TreeRow[];
  /** 1-based nesting level (aria-level). */
  level: number;
  parentKey: string | null;
  /** True when one of the row's calls owns a skip connection. */
  ownsSkip: boolean;
}

/** A row placed in the flattened, visible list. */
export interface VisibleRow {
  row: TreeRow;
  /** 1-based position among its siblings and their count (aria-posinset / aria-setsize). */
  posInSet: number;
  setSize: number;
}

/** Stable keys for every call: the qualified name plus how many calls of that name came before ("layer1.0#0"). */
export function moduleKeys(modules: readonly ModuleCall[]): Map<number, string> {
  const seen = new Map<string, number>();
  const keys = new Map<number, string>();
  for (const m of modules) {
    const n = seen.get(m.name) ?? 0;
    seen.set(m.name, n + 1);
    keys.set(m.id, `${m.name}#${n}`);
  }
  return keys;
}

function sameShapes(a: readonly number[][], b: readonly number[][]): boolean {
  return a.length === b.length && a.every((s, i) => s.length === b[i].length && s.every((d, j) => d === b[i][j]));
}

/** Two calls are repeats of one block when class, shapes and parameter count all agree. */
export function isRepeat(a: ModuleCall, b: ModuleCall): boolean {
  return (
    a.className === b.className &&
    a.totalParams === b.totalParams &&
    sameShapes(a.inputShapes, b.inputShapes) &&
    sameShapes(a.outputShapes, b.outputShapes)
  );
}

/** Splits siblings into runs of consecutive repeats: [[a], [b, b', b''], [c]]. */
export function groupRepeats(siblings: readonly ModuleCall[]): ModuleCall[][] {
  const runs: ModuleCall[][] = [];
  for (const m of siblings) {
    const last = runs[runs.length - 1];
    if (last && isRepeat(last[0], m)) last.push(m);
    else runs.push([m]);
  }
  return runs;
}

/** Builds the layer tree from a trace; roots are the calls without a parent. */
export function buildTree(trace: TraceResult): TreeRow[] {
  const byId = new Map(trace.modules.map((m) => [m.id, m]));
  const keys = moduleKeys(trace.modules);
  const skipOwners = new Set(trace.skips.map((s) => s.module));

  const rowFor = (m: ModuleCall, level: number, parentKey: string | null): TreeRow => {
    const key = keys.get(m.id) ?? `#${m.id}`;
    const row: TreeRow = { key, module: m, members: [m], children: [], level, parentKey, ownsSkip: skipOwners.has(m.id) };
    row.children = rowsFor(m.children.map((id) => byId.get(id)).filter((c): c is ModuleCall => c !== undefined), level + 1, key);
    return row;
  };

  const rowsFor = (calls: ModuleCall[], level: number, parentKey: string | null): TreeRow[] =>
    groupRepeats(calls).map((run) => {
      if (run.length === 1) return rowFor(run[0], level, parentKey);
      const key = `${keys.get(run[0].id) ?? `#${run[0].id}`}×${run.length}`;
      return {
        key,
        module: run[0],
        members: run,
        children: run.map((m) => rowFor(m, level + 1, key)),
        level,
        parentKey,
        ownsSkip: run.some((m) => skipOwners.has(m.id)),
      };
    });

  return rowsFor(
    trace.modules.filter((m) => m.parent === null || !byId.has(m.parent)),
    1,
    null,
  );
}

/** The rows a person sees: roots, and the children of every expanded row, in order. */
export function visibleRows(roots: readonly TreeRow[], expanded: ReadonlySet<string>): VisibleRow[] {
  const out: VisibleRow[] = [];
  const walk = (rows: readonly TreeRow[]): void => {
    rows.forEach((row, i) => {
      out.push({ row, posInSet: i + 1, setSize: rows.length });
      if (row.children.length > 0 && expanded.has(row.key)) walk(row.children);
    });
  };
  walk(roots);
  return out;
}

/** Every row of the tree, depth first (for lookups by key). */
export function allRows(roots: readonly TreeRow[]): TreeRow[] {
  const out: TreeRow[] = [];
  const walk = (rows: readonly TreeRow[]): void => {
    for (const r of rows) {
      out.push(r);
      walk(r.children);
    }
  };
  walk(roots);
  return out;
}

/** The keys expanded on first sight of a model: the top two levels, so blocks show without drowning in leaves. */
export function defaultExpanded(roots: readonly TreeRow[]): Set<string> {
  const keys = new Set<string>();
  for (const r of allRows(roots)) if (r.level <= 2 && r.children.length > 0 && r.members.length === 1) keys.add(r.key);
  return keys;
}

/** What the name column shows: the last segment of the qualified name; a group shows its index range ("0–3"). */
export function rowLabel(row: TreeRow): string {
  const last = (name: string): string => (name === '' ? '' : name.slice(name.lastIndexOf('.') + 1));
  const first = last(row.module.name);
  if (row.members.length > 1) {
    const end = last(row.members[row.members.length - 1].name);
    return first === end ? first : `${first}–${end}`;
  }
  return first === '' ? row.module.className : first;
}
