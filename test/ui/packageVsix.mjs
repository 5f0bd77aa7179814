// Packages the extension as `npm run package` does (vsce package --no-dependencies, whose vscode:prepublish
// runs the production build), but in a staging folder, so that the development build in dist/ that other
// runs may be using is left alone.
//
//   node test/ui/packageVsix.mjs OUT.vsix      (or: import { packageVsix } from './packageVsix.mjs')
//
// The staging folder holds symlinks to src/ and node_modules/ and copies of the other top-level files and
// folders that .vscodeignore may let in (package.json, media/, examples/, README.md, …; not the build's or
// the tests' folders); the build writes its dist/ there.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Top-level entries never copied: linked (src, node_modules), built in the stage (dist), or never shipped. */
const NOT_COPIED = new Set(['src', 'node_modules', 'dist', 'out', '.git', '.vscode-test', 'test', 'bench']);

/** Builds `out` (a .vsix path); returns its size in bytes and vsce's output. Throws when vsce fails. */
export function packageVsix(out) {
  const stage = mkdtempSync(path.join(os.tmpdir(), 'tt-vsix-'));
  try {
    for (const d of ['src', 'node_modules']) symlinkSync(path.join(ROOT, d), path.join(stage, d), 'dir');
    for (const f of readdirSync(ROOT)) {
      if (!NOT_COPIED.has(f) && !f.endsWith('.vsix')) cpSync(path.join(ROOT, f), path.join(stage, f), { recursive: true });
    }
    const vsce = path.join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
    const env = {};
    for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
    const r = spawnSync(process.execPath, [vsce, 'package', '--no-dependencies', '--out', path.resolve(out)], {
      cwd: stage,
      env,
      encoding: 'utf8',
      timeout: 300_000,
    });
    const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
    if (r.status !== 0 || !existsSync(out)) throw new Error(`vsce package failed (exit ${r.status}):\n${output}`);
    return { bytes: statSync(out).size, output };
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const out = process.argv[2];
  if (!out) {
    console.error('usage: node test/ui/packageVsix.mjs OUT.vsix');
    process.exit(2);
  }
  const { bytes, output } = packageVsix(out);
  process.stdout.write(output);
  console.log(`${out}: ${(bytes / 1024 / 1024).toFixed(2)} MB`);
}
