// Import statements: native modules first (registry), then project files from the host's resolver
// (executed once per run), else an opaque stand-in plus one Information diagnostic per module.

import { DiagnosticCode, LineMap, Severity } from '../diagnostics';
import type { Import, ImportFrom, Module, Span } from '../syntax/ast';
import { hooks } from './helpers';
import type { Frame, Interpreter, ModuleInfo } from './interpreter';
import { LimitExceeded } from './limits';
import { hasNativeRoot, nativeModuleFactory, nativeSubmodules, type NativeModuleFactory } from './nativeModules';
import { parseSource } from './parseBridge';
import { PyModuleObject, PyOpaque, PyRaise, type PyValue } from './values';

/** Supplies the text of project files. The only way the interpreter sees other files. */
export interface SourceResolver {
  /**
   * Resolves `moduleName` imported with `level` leading dots from `fromFile`. `moduleName` is '' for
   * `from . import x` (the package itself). Returns the file, its text and its absolute dotted name.
   */
  resolve(moduleName: string, level: number, fromFile: string): { file: string; text: string; moduleName: string } | undefined;
}

function makeTolerant(m: PyModuleObject): void {
  (m as { tolerant: boolean }).tolerant = true;
}

/** Absolute name of a relative import, when the importing module's package is known. */
function absoluteName(name: string, level: number, from: ModuleInfo | undefined): string {
  if (level === 0) return name;
  let pkg = from?.packageName ?? '';
  const parts = pkg ? pkg.split('.') : [];
  for (let i = 1; i < level; i++) parts.pop();
  pkg = parts.join('.');
  if (!pkg) return '.'.repeat(level) + name;
  return name ? `${pkg}.${name}` : pkg;
}

function reportUnresolved(ip: Interpreter, label: string, span: Span, f: Frame, why?: string): void {
  if (ip.reportedImports.has(label)) return;
  // A submodule of a package already reported as unresolved adds nothing new.
  const parts = label.split('.');
  for (let i = 1; i < parts.length; i++) if (parts[i - 1] && ip.reportedImports.has(parts.slice(0, i).join('.'))) return;
  ip.reportedImports.add(label);
  ip.report({
    severity: Severity.Information,
    code: DiagnosticCode.ImportUnresolved,
    message:
      why ??
      `Tensor Trace cannot see module '${label}'; names imported from it are treated as unknown values.`,
    location: f.info.lineMap.location(f.info.file, span),
  });
}

/** Binds `sub` as attribute `child` of its parent package when the parent is loaded. */
function linkParent(ip: Interpreter, fullName: string, mod: PyValue): void {
  const dot = fullName.lastIndexOf('.');
  if (dot < 0) return;
  const parent = ip.modules.get(fullName.slice(0, dot));
  const child = fullName.slice(dot + 1);
  if (parent && !parent.dict.has(child)) parent.dict.set(child, mod);
}

/**
 * What a factory that does not look at the run built, by module name. Every run gets its own module object (a copy
 * of this dict), so assigning a module attribute stays in that run; the values themselves (builtin functions,
 * classes, constants) are shared, as the native classes always are.
 */
const builtNative = new Map<string, { dict: Map<string, PyValue>; file: string | undefined; tolerant: boolean }>();

function instantiateNative(name: string, factory: NativeModuleFactory, ip: Interpreter): PyModuleObject {
  // A factory that takes the run (sys: the recursion limit) is called every run.
  if (factory.length > 0) return factory(ip);
  let built = builtNative.get(name);
  if (!built) {
    const m = factory(ip);
    built = { dict: new Map(m.dict), file: m.file, tolerant: m.tolerant };
    builtNative.set(name, built);
  }
  return new PyModuleObject(name, built.file, built.tolerant, new Map(built.dict));
}

/** Loads a registered native module (or a tolerant stand-in under a native root). */
function loadNative(ip: Interpreter, name: string): PyModuleObject | undefined {
  const cached = ip.modules.get(name);
  if (cached) return cached;
  const factory = nativeModuleFactory(name);
  if (factory) {
    const m = instantiateNative(name, factory, ip);
    ip.modules.set(name, m);
    linkParent(ip, name, m);
    return m;
  }
  if (hasNativeRoot(name)) {
    const m = new PyModuleObject(name, undefined, true);
    m.dict.set('__name__', name);
    ip.modules.set(name, m);
    linkParent(ip, name, m);
    return m;
  }
  return undefined;
}

hooks.importSubmodule = (ip: Interpreter, m: PyModuleObject, name: string): PyValue | undefined => {
  const full = `${m.name}.${name}`;
  if (m.file === undefined && nativeModuleFactory(full)) return loadNative(ip, full);
  return ip.modules.get(full);
};

/**
 * Parsed imported files, reused across runs while their text is unchanged (an editor re-runs the same
 * file on every edit; its imports rarely change). The AST is never mutated by execution.
 */
const parseCache = new Map<string, { text: string; module: Module }>();
const PARSE_CACHE_SIZE = 64;

function parsedModule(file: string, text: string): Module {
  const hit = parseCache.get(file);
  if (hit && hit.text === text) {
    parseCache.delete(file);
    parseCache.set(file, hit);
    return hit.module;
  }
  const module = parseSource(text);
  parseCache.set(file, { text, module });
  if (parseCache.size > PARSE_CACHE_SIZE) parseCache.delete(parseCache.keys().next().value!);
  return module;
}

type Resolved = { file: string; text: string; moduleName: string } | undefined;
/** Resolver answers of each run: a file imported from several places is read once per run. */
const resolved = new WeakMap<Interpreter, Map<string, Resolved>>();

/** The resolver's answer (undefined when it fails or throws), asked once per run for the same question. */
function resolveSource(ip: Interpreter, resolver: SourceResolver, name: string, level: number, fromFile: string): Resolved {
  let memo = resolved.get(ip);
  if (!memo) {
    memo = new Map();
    resolved.set(ip, memo);
  }
  const key = `${level}\u0000${name}\u0000${fromFile}`;
  if (memo.has(key)) return memo.get(key);
  let res: Resolved;
  try {
    res = resolver.resolve(name, level, fromFile);
  } catch (e) {
    if (e instanceof LimitExceeded) throw e;
    res = undefined;
  }
  memo.set(key, res);
  return res;
}

/** Executes a project file as a module (once per run; circular imports see the partial module). */
function loadSource(ip: Interpreter, res: { file: string; text: string; moduleName: string }, span: Span, f: Frame): PyModuleObject {
  const cached = ip.modules.get(res.moduleName);
  if (cached) return cached;
  const m = new PyModuleObject(res.moduleName, res.file);
  const isPackage = /(^|[\\/])__init__\.py$/.test(res.file);
  m.dict.set('__name__', res.moduleName);
  m.dict.set('__doc__', null);
  const pkg = isPackage ? res.moduleName : res.moduleName.includes('.') ? res.moduleName.slice(0, res.moduleName.lastIndexOf('.')) : '';
  m.dict.set('__package__', pkg);
  const info: ModuleInfo = { name: res.moduleName, file: res.file, text: res.text, lineMap: LineMap.for(res.text, res.file), module: m, packageName: pkg };
  ip.registerModuleInfo(info);
  ip.modules.set(res.moduleName, m);
  linkParent(ip, res.moduleName, m);
  try {
    const ast = parsedModule(res.file, res.text);
    ip.execModuleBody(ast, info);
  } catch (e) {
    if (!(e instanceof PyRaise)) throw e;
    makeTolerant(m);
    let msg = '';
    try {
      msg = ip.str(e.exc);
    } catch {
      /* keep the type only */
    }
    const where = e.traceback[0];
    reportUnresolved(
      ip,
      `error:${res.moduleName}`,
      span,
      f,
      `Importing '${res.moduleName}' raised ${e.exc.cls.name}${msg ? `: ${msg}` : ''}${where ? ` (${where.file}:${where.line})` : ''}; names it did not define are treated as unknown values.`,
    );
  }
  return m;
}

/** Imports one module by name; returns the module object or an opaque stand-in. */
export function importModule(ip: Interpreter, name: string, level: number, span: Span, f: Frame): PyModuleObject | PyOpaque {
  if (level === 0) {
    const native = loadNative(ip, name);
    if (native) return native;
    const cached = ip.modules.get(name);
    if (cached) return cached;
  }
  const abs = absoluteName(name, level, f.info);
  if (level > 0 && !abs.startsWith('.')) {
    const cached = ip.modules.get(abs);
    if (cached) return cached;
  }
  if (ip.resolver) {
    const res = resolveSource(ip, ip.resolver, name, level, f.info.file);
    if (res) return loadSource(ip, res, span, f);
  }
  reportUnresolved(ip, abs, span, f);
  return new PyOpaque(abs, f.info.lineMap.location(f.info.file, span));
}

/** `import a.b.c` binds `a`; `import a.b as c` binds the leaf. */
export function execImport(ip: Interpreter, s: Import, f: Frame): void {
  for (const alias of s.names) {
    const parts = alias.name.split('.');
    let top: PyModuleObject | PyOpaque | undefined;
    let leaf: PyModuleObject | PyOpaque | undefined;
    for (let i = 1; i <= parts.length; i++) {
      const name = parts.slice(0, i).join('.');
      const m = importModule(ip, name, 0, alias, f);
      if (i === 1) top = m;
      leaf = m;
      if (m instanceof PyOpaque) {
        // The rest of the dotted path hangs off the opaque root.
        leaf = new PyOpaque(alias.name, m.origin);
        break;
      }
    }
    if (alias.asname) ip.assignName(alias.asname, leaf!, f);
    else ip.assignName(parts[0], top!, f);
  }
}

/** `from a.b import c as d`, `from . import x`, `from x import *`. */
export function execImportFrom(ip: Interpreter, s: ImportFrom, f: Frame): void {
  if (s.module === '' && s.level > 0) {
    importFromPackageDots(ip, s, f);
    return;
  }
  const mod = importModule(ip, s.module, s.level, s, f);
  if (s.names.length === 1 && s.names[0].name === '*') {
    if (mod instanceof PyOpaque) return;
    const all = mod.dict.get('__all__');
    let names: string[];
    if (all !== undefined && all !== null) names = ip.iterate(all).map((n) => ip.str(n));
    else {
      names = [...mod.dict.keys()].filter((k) => !k.startsWith('_'));
      for (const sub of nativeSubmodules(mod.name)) names.push(sub.slice(mod.name.length + 1));
    }
    for (const n of names) {
      const v = mod.dict.get(n) ?? ip.getAttrOrUndefined(mod, n);
      if (v !== undefined) ip.assignName(n, v, f);
    }
    return;
  }
  for (const alias of s.names) {
    let v: PyValue | undefined;
    if (mod instanceof PyOpaque) v = new PyOpaque(`${mod.label}.${alias.name}`, mod.origin);
    else {
      v = mod.dict.get(alias.name);
      if (v === undefined) {
        // A submodule: `from pkg import sub`.
        const subName = s.module ? `${s.module}.${alias.name}` : alias.name;
        const native = s.level === 0 ? loadNative(ip, `${mod.name}.${alias.name}`) : undefined;
        if (native) v = native;
        else if (ip.modules.has(`${mod.name}.${alias.name}`)) v = ip.modules.get(`${mod.name}.${alias.name}`);
        else if (ip.resolver && (mod.file !== undefined || s.level > 0)) {
          const res = resolveSource(ip, ip.resolver, subName, s.level, f.info.file);
          if (res) v = loadSource(ip, res, alias, f);
        }
      }
      if (v === undefined) {
        try {
          v = ip.getAttrOrUndefined(mod, alias.name);
        } catch (e) {
          if (!(e instanceof PyRaise)) throw e;
        }
      }
      if (v === undefined) {
        if (mod.tolerant) v = new PyOpaque(`${mod.name}.${alias.name}`);
        else {
          const where = mod.file ? ` (${mod.file})` : ' (unknown location)';
          const exc = ip.newException('ImportError', [`cannot import name '${alias.name}' from '${mod.name}'${where}`]);
          throw new PyRaise(exc);
        }
      }
    }
    ip.assignName(alias.asname ?? alias.name, v, f);
  }
}

/** `from . import a, b`: the package when the resolver knows it, else each name as a sibling module. */
function importFromPackageDots(ip: Interpreter, s: ImportFrom, f: Frame): void {
  let pkg: PyModuleObject | undefined;
  const abs = absoluteName('', s.level, f.info);
  if (!abs.startsWith('.')) pkg = ip.modules.get(abs);
  if (!pkg && ip.resolver) {
    const res = resolveSource(ip, ip.resolver, '', s.level, f.info.file);
    if (res) pkg = loadSource(ip, res, s, f);
  }
  for (const alias of s.names) {
    let v: PyValue | undefined = pkg?.dict.get(alias.name);
    if (v === undefined) {
      const sub = importModule(ip, alias.name, s.level, alias, f);
      v = sub;
      if (sub instanceof PyOpaque && pkg?.tolerant) v = new PyOpaque(`${pkg.name}.${alias.name}`);
    }
    ip.assignName(alias.asname ?? alias.name, v, f);
  }
}
