// The native state behind every nn.Module instance (PyInstance.native): ordered parameters, buffers and
// submodules, training flag, hooks and where the module was constructed; plus PyTorch's tree walks over it.

import type { Location } from '../../diagnostics';
import { PyInstance, type PyValue } from '../../runtime/values';
import type { Tensor } from '../tensor';

/** What a native layer class contributes: its repr arguments and a short label for skip paths. */
export interface LayerInfo {
  /** extra_repr text exactly as PyTorch prints it. */
  extraRepr(m: PyInstance): string;
  /** Short label on a shortcut path, e.g. 'Conv2d 1×1 stride 2, 64→128'. Defaults to the class name. */
  describe?(m: PyInstance): string;
}

export class ModuleState {
  readonly params = new Map<string, Tensor | null>();
  readonly buffers = new Map<string, Tensor | null>();
  readonly nonPersistent = new Set<string>();
  readonly modules = new Map<string, PyInstance | null>();
  training = true;
  /** Module.__init__ ran (PyTorch refuses submodule assignment before it). */
  initCalled = false;
  readonly forwardHooks = new Map<number, { hook: PyValue; withKwargs: boolean }>();
  readonly forwardPreHooks = new Map<number, { hook: PyValue; withKwargs: boolean }>();
  /** Where the module was constructed (or the __init__ line that assigned it, see module.ts). */
  definedAt?: Location;
  /** The function frame that constructed it, to prefer an __init__ assignment line over a helper's line. */
  constructedIn?: string;
  /** Native layer behaviour; undefined for plain nn.Module / user classes. */
  layer?: LayerInfo;
}

let hookIds = 0;
export const nextHookId = (): number => ++hookIds;

export function moduleState(v: PyValue | undefined): ModuleState | null {
  return v instanceof PyInstance && v.native instanceof ModuleState ? v.native : null;
}

export function isModule(v: PyValue | undefined): v is PyInstance {
  return moduleState(v) !== null;
}

/** PyTorch's named_modules(): pre-order, each module object once, names joined with '.'. */
export function namedModules(root: PyInstance, prefix = '', memo = new Set<PyInstance>(), removeDuplicate = true): Array<[string, PyInstance]> {
  const out: Array<[string, PyInstance]> = [];
  const walk = (m: PyInstance, pre: string) => {
    if (removeDuplicate && memo.has(m)) return;
    memo.add(m);
    out.push([pre, m]);
    const st = moduleState(m);
    if (!st) return;
    for (const [name, child] of st.modules) {
      if (!child) continue;
      walk(child, pre ? `${pre}.${name}` : name);
    }
  };
  walk(root, prefix);
  return out;
}

/** named_children(): direct submodules, each object once. */
export function namedChildren(m: PyInstance): Array<[string, PyInstance]> {
  const st = moduleState(m);
  const out: Array<[string, PyInstance]> = [];
  const seen = new Set<PyInstance>();
  if (!st) return out;
  for (const [name, child] of st.modules) {
    if (child && !seen.has(child)) {
      seen.add(child);
      out.push([name, child]);
    }
  }
  return out;
}

/** named_parameters() / named_buffers(): each tensor object once. */
export function namedTensors(root: PyInstance, kind: 'params' | 'buffers', recurse = true, prefix = ''): Array<[string, Tensor]> {
  const out: Array<[string, Tensor]> = [];
  const seen = new Set<Tensor>();
  const mods = recurse ? namedModules(root, prefix) : [[prefix, root] as [string, PyInstance]];
  for (const [mname, m] of mods) {
    const st = moduleState(m);
    if (!st) continue;
    for (const [n, t] of st[kind]) {
      if (!t || seen.has(t)) continue;
      seen.add(t);
      out.push([mname ? `${mname}.${n}` : n, t]);
    }
  }
  return out;
}

/**
 * Sum over namedTensors(m, 'params', recurse) (each module and each tensor once), without building the names:
 * the recorder counts every module call's subtree.
 */
export function countParams(m: PyInstance, recurse: boolean): { total: number; trainable: number } {
  const acc = { total: 0, trainable: 0 };
  const st = moduleState(m);
  if (!st) return acc;
  if (!recurse || !hasChildren(st)) {
    // One module (most calls are leaf layers): a parameter registered under two names counts once.
    const counted: Tensor[] = [];
    for (const t of st.params.values()) {
      if (!t || counted.includes(t)) continue;
      counted.push(t);
      const n = t.numel;
      acc.total += n;
      if (t.requiresGrad) acc.trainable += n;
    }
    return acc;
  }
  try {
    countInto(m, recurse, acc);
  } finally {
    countedModules.clear();
    countedTensors.clear();
  }
  return acc;
}

function hasChildren(st: ModuleState): boolean {
  for (const c of st.modules.values()) if (c) return true;
  return false;
}

// Scratch sets for countParams (not re-entrant: it never calls out).
const countedModules = new Set<PyInstance>();
const countedTensors = new Set<Tensor>();

function countInto(m: PyInstance, recurse: boolean, acc: { total: number; trainable: number }): void {
  if (countedModules.has(m)) return;
  countedModules.add(m);
  const st = moduleState(m);
  if (!st) return;
  for (const t of st.params.values()) {
    if (!t || countedTensors.has(t)) continue;
    countedTensors.add(t);
    const n = t.numel;
    acc.total += n;
    if (t.requiresGrad) acc.trainable += n;
  }
  if (recurse) for (const c of st.modules.values()) if (c) countInto(c, true, acc);
}
