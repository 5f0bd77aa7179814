// The interpreter against real CPython: every test/fixtures/python/*.py runs under /usr/bin/python3 and
// under Tensor Trace, and the printed output (plus the final uncaught exception, if any) must match.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DiagnosticSink } from '../../src/core/diagnostics';
import { runModule, type RunResult } from '../../src/core/runtime/interpreter';
import type { TraceHooks } from '../../src/core/runtime/values';

const PYTHON = process.env.TT_PYTHON ?? '/usr/bin/python3';
const FIXTURES = join(__dirname, '..', 'fixtures', 'python');

/** Runs `text` in the interpreter and collects what it printed. */
export function runPy(
  text: string,
  file = '/fixtures/test.py',
  extra: Partial<Parameters<typeof runModule>[0]> = {},
): { out: string; result: RunResult; sink: DiagnosticSink } {
  let out = '';
  const sink = new DiagnosticSink();
  const trace: TraceHooks = {
    onPrint: (s) => {
      out += s;
    },
    onStatementValue() {},
    onEnterFunction() {},
    onExitFunction() {},
  };
  const result = runModule({ file, text, sink, trace, ...extra });
  return { out, result, sink };
}

/** Expected stdout and final exception line from CPython. */
function cpython(file: string): { stdout: string; lastError: string | null } {
  const r = spawnSync(PYTHON, [file], { encoding: 'utf8', cwd: FIXTURES, env: { ...process.env, PYTHONHASHSEED: '0' } });
  let lastError: string | null = null;
  if (r.status !== 0) {
    const lines = (r.stderr ?? '').trim().split('\n');
    lastError = lines[lines.length - 1].replace(/\. Did you mean: .*$/, '');
  }
  return { stdout: r.stdout ?? '', lastError };
}

describe('interpreter vs CPython (test/fixtures/python)', function () {
  this.timeout(30_000);
  const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.py')).sort();
  for (const name of files) {
    it(name, () => {
      const path = join(FIXTURES, name);
      const text = readFileSync(path, 'utf8');
      const expected = cpython(path);
      const { out, result, sink } = runPy(text, path, { limits: { timeMs: 10_000 } });
      const internal = sink.items.filter((d) => d.code === 'internal');
      assert.deepEqual(internal, [], 'no internal errors');
      // Compare line by line for a readable diff.
      assert.deepEqual(out.split('\n'), expected.stdout.split('\n'));
      const gotError = result.error ? (result.error.message ? `${result.error.excType}: ${result.error.message}` : result.error.excType) : null;
      assert.equal(gotError, expected.lastError);
    });
  }
});
