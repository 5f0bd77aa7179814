// The one place the runtime reaches the parser, so a missing or failing parser degrades to a diagnostic.

import type { Module } from '../syntax/ast';
import { parsePython } from '../syntax/parse';

/** Parses Python source into the engine AST (syntax errors are recorded in the module, not thrown). */
export function parseSource(text: string): Module {
  return parsePython(text);
}
