// Registry of modules implemented in TypeScript (stdlib subset, torch, torch.nn …), keyed by dotted name.
// Each run gets its own module object on first import (imports.ts), so module state never leaks between runs.

import type { Interp, PyModuleObject } from './values';

export type NativeModuleFactory = (interp: Interp) => PyModuleObject;

const registry = new Map<string, NativeModuleFactory>();

/** Registers a native module; registering the same name twice is a programming error and throws. */
export function registerNativeModule(name: string, factory: NativeModuleFactory): void {
  if (registry.has(name)) throw new Error(`native module '${name}' is already registered`);
  registry.set(name, factory);
}

/** The factory for exactly this dotted name, if registered. */
export function nativeModuleFactory(name: string): NativeModuleFactory | undefined {
  return registry.get(name);
}

/** True when the first component of `name` (e.g. 'torch' for 'torch.utils.checkpoint') is registered. */
export function hasNativeRoot(name: string): boolean {
  const dot = name.indexOf('.');
  return registry.has(dot < 0 ? name : name.slice(0, dot));
}

/** Names registered directly under `parent` (one level), for `from parent import *` and attribute fallback. */
export function nativeSubmodules(parent: string): string[] {
  const out: string[] = [];
  const prefix = parent + '.';
  for (const k of registry.keys()) {
    if (k.startsWith(prefix) && !k.slice(prefix.length).includes('.')) out.push(k);
  }
  return out;
}
