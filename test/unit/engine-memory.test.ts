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

function survivedBytes(runs: number, program: string): number {
  const r = spawnSync(
    process.execPath,
    ['--expose-gc', '--min-semi-space-size=64', '--max-semi-space-size=64', PROBE, String(runs), program],
    { encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop()!).survivedBytes;
}

/** Each program keeps 2–4 MB alive until its run ends (module-level lists of small objects or modules). */
const PROGRAMS: Record<string, string> = {
  'a generator expression': 'a = list([i] for i in range(20000))\n',
  'a list comprehension': 'a = [[i] for i in range(20000)]\n',
  'tensors built in a generator expression': 'import torch\nx = torch.zeros(3)\na = list(x + 1 for i in range(3000))\n',
  'modules in a loop': 'import torch.nn as nn\nms = []\nfor i in range(600):\n    ms.append(nn.Conv2d(8, 8, 3))\n',
};

describe('engine memory: finished runs are young garbage', function () {
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
});
