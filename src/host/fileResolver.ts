// Finds the source of imported project modules on disk, for hosts that have a file system (CLI, trace worker).
// The interpreter never reads files itself: it only sees the text this resolver hands it.

import * as fs from 'node:fs';
import * as path from 'node:path';

/** What the interpreter receives for an import it can follow. */
export interface ResolvedSource {
  file: string;
  text: string;
  /** Dotted name the module is known by in this run (used as its __name__ and cache key). */
  moduleName: string;
}

export interface SourceResolver {
  resolve(moduleName: string, level: number, fromFile: string): ResolvedSource | undefined;
}

/**
 * Text of files read before, reused while the file's stat identity (modification and change times, size, inode)
 * is unchanged — the check Python itself uses to reuse compiled modules. Every trace re-imports the same files.
 */
const textCache = new Map<string, StatIdentity & { text: string }>();
/** Characters kept in the cache at most (oldest entries go first). */
const TEXT_CACHE_CHARS = 16 * 1024 * 1024;
let cachedChars = 0;

/** What tells a file or directory apart from its earlier self: modification and change times, size, inode. */
type StatIdentity = { mtimeMs: number; ctimeMs: number; size: number; ino: number; dev: number };

function identityOf(st: fs.Stats): StatIdentity {
  return { mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, size: st.size, ino: st.ino, dev: st.dev };
}

function unchanged(hit: StatIdentity, st: fs.Stats): boolean {
  return hit.mtimeMs === st.mtimeMs && hit.ctimeMs === st.ctimeMs && hit.size === st.size && hit.ino === st.ino && hit.dev === st.dev;
}

function readCached(file: string, st: fs.Stats): string {
  const hit = textCache.get(file);
  if (hit && unchanged(hit, st)) return hit.text;
  const text = fs.readFileSync(file, 'utf8');
  if (hit) {
    textCache.delete(file);
    cachedChars -= hit.text.length;
  }
  textCache.set(file, { ...identityOf(st), text });
  cachedChars += text.length;
  while (cachedChars > TEXT_CACHE_CHARS && textCache.size > 1) {
    const [oldest, entry] = textCache.entries().next().value!;
    textCache.delete(oldest);
    cachedChars -= entry.text.length;
  }
  return text;
}

/** Largest file the resolver will hand to the interpreter; bigger files are treated as unresolvable. */
const MAX_SOURCE_BYTES = 2 * 1024 * 1024;

/**
 * Names in a directory, reused while the directory's stat identity is unchanged:
 * Python's own FileFinder caches directory contents the same way, so a missing candidate costs no system call.
 */
const dirCache = new Map<string, StatIdentity & { names: Set<string> }>();
const DIR_CACHE_SIZE = 256;

function listDirectory(dir: string): Set<string> | undefined {
  const st = fs.statSync(dir, { throwIfNoEntry: false });
  if (!st || !st.isDirectory()) return undefined;
  const hit = dirCache.get(dir);
  if (hit && unchanged(hit, st)) return hit.names;
  const names = new Set(fs.readdirSync(dir));
  dirCache.delete(dir);
  dirCache.set(dir, { ...identityOf(st), names });
  if (dirCache.size > DIR_CACHE_SIZE) dirCache.delete(dirCache.keys().next().value!);
  return names;
}

/**
 * Resolves absolute imports against `roots` (the traced file's folder first, then extra search paths)
 * and relative imports against the importing file's package, but only inside those roots, so that a
 * file inside a large installed package does not pull in the whole package.
 * `overlay` supplies unsaved editor text by absolute path.
 *
 * A resolver serves one run: it looks at each directory and each file it reads once, and answers the same
 * question the same way for the rest of its life. Make a new one for every trace.
 */
export function createFileResolver(
  roots: string[],
  overlay: ReadonlyMap<string, string> = new Map(),
): SourceResolver {
  const absRoots = roots.map((r) => path.resolve(r));
  const inRoots = (p: string) => absRoots.some((r) => p === r || p.startsWith(r + path.sep));

  /** Directory contents as this run sees them (undefined: not a directory), each looked at once per run. */
  const listings = new Map<string, Set<string> | undefined>();
  const listing = (dir: string): Set<string> | undefined => {
    if (listings.has(dir)) return listings.get(dir);
    let names: Set<string> | undefined;
    try {
      // Below a root, a directory exists only if its parent lists it: no system call for a missing package.
      const parent = path.dirname(dir);
      const listed = parent === dir || !inRoots(parent) || listing(parent)?.has(path.basename(dir)) === true;
      names = listed ? listDirectory(dir) : undefined;
    } catch {
      names = undefined;
    }
    listings.set(dir, names);
    return names;
  };

  const texts = new Map<string, string | undefined>();
  const read = (file: string): string | undefined => {
    const over = overlay.get(file);
    if (over !== undefined) return over;
    if (texts.has(file)) return texts.get(file);
    let text: string | undefined;
    try {
      if (listing(path.dirname(file))?.has(path.basename(file))) {
        const st = fs.statSync(file, { throwIfNoEntry: false });
        if (st && st.isFile() && st.size <= MAX_SOURCE_BYTES) text = readCached(file, st);
      }
    } catch {
      text = undefined;
    }
    texts.set(file, text);
    return text;
  };

  const tryModuleAt = (base: string, parts: string[]): { file: string; text: string } | undefined => {
    const stem = path.join(base, ...parts);
    for (const file of [stem + '.py', path.join(stem, '__init__.py')]) {
      if (!inRoots(file)) continue;
      const text = read(file);
      if (text !== undefined) return { file, text };
    }
    return undefined;
  };

  return {
    resolve(moduleName, level, fromFile) {
      const parts = moduleName ? moduleName.split('.') : [];
      if (level > 0) {
        let base = path.dirname(path.resolve(fromFile));
        for (let i = 1; i < level; i++) base = path.dirname(base);
        const hit = tryModuleAt(base, parts);
        if (!hit) return undefined;
        return { ...hit, moduleName: moduleNameFor(hit.file, absRoots) };
      }
      for (const root of absRoots) {
        const hit = tryModuleAt(root, parts);
        if (hit) return { ...hit, moduleName };
      }
      return undefined;
    },
  };
}

/** A dotted name for a file, relative to the first root that contains it. */
function moduleNameFor(file: string, roots: string[]): string {
  const root = roots.find((r) => file.startsWith(r + path.sep)) ?? path.dirname(file);
  const rel = path.relative(root, file).replace(/\.py$/, '').split(path.sep);
  if (rel[rel.length - 1] === '__init__') rel.pop();
  return rel.join('.');
}
