// The one place the runtime reaches the parser, so a missing or failing parser degrades to a diagnostic.

import { sameText } from '../diagnostics';
import type { Module } from '../syntax/ast';
import { parsePython } from '../syntax/parse';

/**
 * Recently parsed texts (an editor re-traces unchanged text, and the entry expression is the same every run).
 * The AST is never mutated by execution, so sharing it between runs is safe (imports.ts relies on the same).
 * Two entries hold what a run parses (the file and its entry expression); every older text would stay in the
 * young generation, to be copied by each scavenge (~350 KB for torchvision's resnet.py with what runs cache on it).
 */
const recent: Array<{ text: string; module: Module }> = [];
const RECENT_PARSES = 2;

/** Parses Python source into the engine AST (syntax errors are recorded in the module, not thrown). */
export function parseSource(text: string): Module {
  for (let i = 0; i < recent.length; i++) {
    const hit = recent[i];
    if (sameText(hit.text, text)) {
      if (i > 0) {
        recent.splice(i, 1);
        recent.unshift(hit);
      }
      return hit.module;
    }
  }
  const module = parsePython(text);
  recent.unshift({ text, module });
  if (recent.length > RECENT_PARSES) recent.pop();
  return module;
}
