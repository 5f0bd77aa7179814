// The native state behind every nn.Module instance (PyInstance.native): ordered parameters, buffers and
// submodules, training flag, hooks and where the module was constructed; plus PyTorch's tree walks over it.

import type { Location } from '../../diagnostics';
import type { Span } from '../../syntax/ast';
import { PyInstance, type Interp, type PyValue } from '../../runtime/values';
import type { Tensor } from '../tensor';

/** What a native layer class contributes: its repr arguments and a short label for skip paths. */
export interface LayerInfo {
  /** extra_repr text exactly as PyTorch prints it. */
  extraRepr(m: PyInstance): string;
  /** Short label on a shortcut path, e.g. 'Conv2d 1×1 stride 2, 64→128'. Defaults to the class name. */
  describe?(m: PyInstance): string;
}

/**
 * The table a module reads until it registers its first entry: most modules have no buffers, and layers no
 * children. Shared by every module, so a write to it is a bug in the engine (writers use writable*()).
 */
class EmptyTable<V> extends Map<string, V> {
  override set(): this {
    throw new Error('Tensor Trace internal error: write to a shared empty module table');
  }
}
const NO_ENTRIES = new EmptyTable<never>();

/** A call site as a line/column location (undefined when there is no file, or it cannot be located). */
export function safeLocation(interp: Interp, file: string, span: Span): Location | undefined {
  try {
    return file ? interp.location(span, file) : undefined;
  } catch {
    return undefined;
  }
}

export class ModuleState {
  private paramTable: Map<string, Tensor | null> | null = null;
  private bufferTable: Map<string, Tensor | null> | null = null;
  private moduleTable: Map<string, PyInstance | null> | null = null;
  /** Parameters by name (None entries included), in registration order. Write through writableParams(). */
  get params(): Map<string, Tensor | null> {
    return this.paramTable ?? NO_ENTRIES;
  }
  get buffers(): Map<string, Tensor | null> {
    return this.bufferTable ?? NO_ENTRIES;
  }
  /** Submodules by name (None entries included), in registration order. Write through writableModules(). */
  get modules(): Map<string, PyInstance | null> {
    return this.moduleTable ?? NO_ENTRIES;
  }
  writableParams(): Map<string, Tensor | null> {
    return (this.paramTable ??= new Map());
  }
  writableBuffers(): Map<string, Tensor | null> {
    return (this.bufferTable ??= new Map());
  }
  writableModules(): Map<string, PyInstance | null> {
    return (this.moduleTable ??= new Map());
  }
  private nonPersistentNames: Set<string> | undefined;
  /** Buffers registered with persistent=False (created on first use: most modules have none). */
  get nonPersistent(): Set<string> {
    return (this.nonPersistentNames ??= new Set());
  }
  training = true;
  /** Module.__init__ ran (PyTorch refuses submodule assignment before it). */
  initCalled = false;
  private fwdHooks: Map<number, { hook: PyValue; withKwargs: boolean }> | undefined;
  private fwdPreHooks: Map<number, { hook: PyValue; withKwargs: boolean }> | undefined;
  /** Forward hooks (created on first use: most modules have none). */
  get forwardHooks(): Map<number, { hook: PyValue; withKwargs: boolean }> {
    return (this.fwdHooks ??= new Map());
  }
  get forwardPreHooks(): Map<number, { hook: PyValue; withKwargs: boolean }> {
    return (this.fwdPreHooks ??= new Map());
  }
  get hasForwardHooks(): boolean {
    return this.fwdHooks !== undefined && this.fwdHooks.size > 0;
  }
  get hasForwardPreHooks(): boolean {
    return this.fwdPreHooks !== undefined && this.fwdPreHooks.size > 0;
  }
  private site: Location | undefined;
  /** A call site not yet made into a location (see deferDefinedAt). */
  private siteInterp: Interp | null = null;
  private siteFile = '';
  private siteSpan: Span | null = null;
  /** Where the module was constructed (or the __init__ line that assigned it, see module.ts). */
  get definedAt(): Location | undefined {
    const interp = this.siteInterp;
    if (interp !== null) {
      this.siteInterp = null;
      this.site = safeLocation(interp, this.siteFile, this.siteSpan!);
    }
    return this.site;
  }
  set definedAt(loc: Location | undefined) {
    this.site = loc;
    this.siteInterp = null;
  }
  /** Sets definedAt to a call site, made into a line/column location only when someone reads it. */
  deferDefinedAt(interp: Interp, file: string, span: Span): void {
    this.site = undefined;
    this.siteInterp = interp;
    this.siteFile = file;
    this.siteSpan = span;
  }
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
  walkModules(root, prefix, memo, removeDuplicate, out);
  return out;
}

function walkModules(m: PyInstance, pre: string, memo: Set<PyInstance>, removeDuplicate: boolean, out: Array<[string, PyInstance]>): void {
  if (removeDuplicate) {
    if (memo.has(m)) return;
    memo.add(m);
  }
  out.push([pre, m]);
  const st = moduleState(m);
  if (!st) return;
  for (const [name, child] of st.modules) {
    if (child) walkModules(child, pre === '' ? name : pre + '.' + name, memo, removeDuplicate, out);
  }
}

/** modules(): namedModules() without the names, for walks that only need the module objects. */
export function modulesOf(root: PyInstance): PyInstance[] {
  const out: PyInstance[] = [];
  collectModules(root, new Set(), out);
  return out;
}

function collectModules(m: PyInstance, seen: Set<PyInstance>, out: PyInstance[]): void {
  if (seen.has(m)) return;
  seen.add(m);
  out.push(m);
  const st = moduleState(m);
  if (st) for (const child of st.modules.values()) if (child) collectModules(child, seen, out);
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
    countVisits = 0;
    countInto(m, acc);
  } catch (e) {
    if (e !== TOO_MANY_VISITS) throw e;
    // Modules shared along many paths: walk each module once instead.
    acc.total = acc.trainable = 0;
    countedTensors.clear();
    for (const [, t] of namedTensors(m, 'params', true)) {
      acc.total += t.numel;
      if (t.requiresGrad) acc.trainable += t.numel;
    }
  } finally {
    countPath.length = 0;
    countedTensors.clear();
  }
  return acc;
}

function hasChildren(st: ModuleState): boolean {
  for (const c of st.modules.values()) if (c) return true;
  return false;
}

// Scratch state for countParams (not re-entrant: it never calls out). A module shared by two parents is walked
// twice, but its tensors count once; the path stops cycles (a module that contains itself).
const countPath: PyInstance[] = [];
const countedTensors = new Set<Tensor>();
let countVisits = 0;
const TOO_MANY_VISITS = new Error('countParams: too many module visits');

function countInto(m: PyInstance, acc: { total: number; trainable: number }): void {
  if (countPath.includes(m)) return;
  if (++countVisits > 50_000) throw TOO_MANY_VISITS;
  const st = moduleState(m);
  if (!st) return;
  for (const t of st.params.values()) {
    if (!t || countedTensors.has(t)) continue;
    countedTensors.add(t);
    const n = t.numel;
    acc.total += n;
    if (t.requiresGrad) acc.trainable += n;
  }
  countPath.push(m);
  for (const c of st.modules.values()) if (c) countInto(c, acc);
  countPath.pop();
}
