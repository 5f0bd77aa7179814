// The docstring of a function/class/module body.

import type { Stmt } from '../syntax/ast';

/** The docstring of a body (first statement a plain string constant), or null. */
export function docstring(body: Stmt[]): string | null {
  const s = body[0];
  if (s && s.kind === 'ExprStmt' && s.value.kind === 'Constant' && typeof s.value.value === 'string' && !s.value.isBytes) return s.value.value;
  return null;
}
