// `npm test`: generates the PyTorch references, runs the unit suite, then the integration suite inside a
// real VS Code, then the UI test (test/ui/uiTest.mjs: the workbench driven as a user, against the development
// build and the packaged VSIX), and ends with one "N passed, N failed" line over all of them. Nothing is
// skipped silently.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PYTHON = process.env.TT_PYTHON ?? '/usr/bin/python3';
const summaryFile = join(mkdtempSync(join(tmpdir(), 'tt-test-')), 'summary.jsonl');
const env = { ...process.env, TT_SUMMARY_FILE: summaryFile };
const stages = [];

function run(name, cmd, args) {
  console.log(`\n=== ${name}: ${cmd} ${args.join(' ')}`);
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { stdio: 'inherit', env });
  const ok = r.status === 0;
  stages.push({ name, ok, seconds: (Date.now() - t0) / 1000 });
  return ok;
}

const probe = spawnSync(PYTHON, ['-c', 'import torch, torchvision'], { encoding: 'utf8' });
if (probe.status !== 0) {
  console.error(
    `PyTorch is needed to generate the reference results the tests compare against.\n` +
      `Install it with: apt-get install python3-torch python3-torchvision  (or set TT_PYTHON)\n${probe.stderr ?? ''}`,
  );
  process.exit(1);
}

run('PyTorch references', PYTHON, ['test/reference/generate.py', '--out', 'test/.cache/reference']);
run('unit tests', 'npx', ['mocha', '--config', 'test/unit/.mocharc.json']);
if (existsSync('test/vscode/runIntegration.mjs')) {
  run('integration tests (real VS Code)', process.execPath, ['test/vscode/runIntegration.mjs', '--skip-build']);
}
if (existsSync('test/ui/uiTest.mjs')) {
  run('UI test (the workbench driven as a user: development build, then the packaged VSIX)', process.execPath, ['test/ui/uiTest.mjs']);
}

let passed = 0;
let failed = 0;
let skipped = 0;
if (existsSync(summaryFile)) {
  for (const line of readFileSync(summaryFile, 'utf8').split('\n').filter(Boolean)) {
    const s = JSON.parse(line);
    passed += s.passes;
    failed += s.failures;
    skipped += s.pending ?? 0;
  }
}
for (const s of stages) if (!s.ok && failed === 0) failed = 1;
console.log('\n' + stages.map((s) => `${s.ok ? 'ok  ' : 'FAIL'} ${s.name} (${s.seconds.toFixed(1)} s)`).join('\n'));
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(stages.every((s) => s.ok) ? 0 : 1);
