// A finished trace must be garbage for the young-generation collector, not only for a full collection: the editor
// traces on every edit, and a scavenge that copies every earlier trace's objects costs tens of milliseconds.
// (A generator closure per generator expression once kept every run alive until the next full GC.) The probe is
// bundled by esbuild as the shipped worker and CLI are: V8's heap behaviour depends on the compiled shape of the code.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import * as esbuild from 'esbuild';

const ROOT = join(__dirname, '..', '..');
const PROBE = join(ROOT, 'test', '.cache', 'youngSurvivors.js');

function probe(runs: number, program: string, edits: boolean): number {
  const r = spawnSync(
    process.execPath,
    ['--expose-gc', '--min-semi-space-size=64', '--max-semi-space-size=64', PROBE, String(runs), ...(edits ? ['edits'] : [])],
    { encoding: 'utf8', input: program },
  );
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop()!).survivedBytes;
}

/**
 * Bytes left after `runs` traces and one collection, the lower of two probes: what a collection leaves varies
 * upwards from run to run (0.3–0.8 MB, once 1.5 MB, for the tensor program), while a retention is there every time.
 */
function survivedBytes(runs: number, program: string, edits = false): number {
  return Math.min(probe(runs, program, edits), probe(runs, program, edits));
}

/** Each program keeps 2–4 MB alive until its run ends (module-level lists of small objects or modules). */
const PROGRAMS: Record<string, string> = {
  'a generator expression': 'a = list([i] for i in range(20000))\n',
  'a list comprehension': 'a = [[i] for i in range(20000)]\n',
  'tensors built in a generator expression': 'import torch\nx = torch.zeros(3)\na = list(x + 1 for i in range(3000))\n',
  'modules in a loop': 'import torch.nn as nn\nms = []\nfor i in range(600):\n    ms.append(nn.Conv2d(8, 8, 3))\n',
};

describe('engine memory: what finished runs leave behind', function () {
  this.timeout(120_000);
  before(async () => {
    await esbuild.build({
      entryPoints: [join(__dirname, 'support', 'youngSurvivors.ts')],
      outfile: PROBE,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      external: ['@tensorflow/tfjs-node'],
      logLevel: 'warning',
    });
  });
  for (const [what, program] of Object.entries(PROGRAMS)) {
    it(`six runs of ${what} leave less than one run's objects after a scavenge`, () => {
      // Each program holds 2–4 MB until its run ends; six runs whose objects stayed reachable left 8–24 MB.
      const six = survivedBytes(6, program);
      assert.ok(six < 1_000_000, `six runs leave ${six} bytes after a young-generation collection`);
    });
  }
  it("an edited file's earlier texts do not pile up in the engine's caches", () => {
    // A 1.2 MB file traced after each of eight edits: the parse cache keeps the last two texts (and what they
    // reference); line maps are kept per file, so older texts go (a cache of recent texts once kept all eight,
    // 10 MB). The bound allows two texts plus what a full collection leaves of V8's own (0.1–0.3 MB).
    const big = `x = 1\n'''${'0123456789'.repeat(120_000)}'''\n`;
    const eight = survivedBytes(8, big, true);
    assert.ok(eight < 3 * big.length, `eight edits leave ${eight} bytes after a full collection (text: ${big.length})`);
  });
});
