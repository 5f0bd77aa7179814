// Test helper: every `span` in a trace result is a plain { start, end } — never an AST node, which would ship
// whole syntax trees from the worker to the host and the panel.
import assert from 'node:assert/strict';

export function assertSlimSpans(value: unknown, where = 'result'): number {
  if (typeof value !== 'object' || value === null) return 0;
  if (Array.isArray(value)) return value.reduce((n: number, v, i) => n + assertSlimSpans(v, `${where}[${i}]`), 0);
  let n = 0;
  for (const [k, v] of Object.entries(value)) {
    if (k === 'span' && typeof v === 'object' && v !== null) {
      assert.deepEqual(Object.keys(v).sort(), ['end', 'start'], `${where}.span is not a plain { start, end }`);
      n++;
    } else {
      n += assertSlimSpans(v, `${where}.${k}`);
    }
  }
  return n;
}
