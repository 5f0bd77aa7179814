// Runs one benchmark from bench/ the way the code ships: bundled by esbuild (minified), then executed by node.
// Usage: node bench/run.mjs <name> [args…]   e.g. node bench/run.mjs symbolic-trace --runs 30
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';

const [name, ...args] = process.argv.slice(2);
if (!name) {
  console.error('usage: node bench/run.mjs <name> [args…]  (bench/<name>.bench.ts)');
  process.exit(2);
}
mkdirSync('bench/.cache', { recursive: true });
const outfile = `bench/.cache/${name}.js`;
await esbuild.build({
  entryPoints: [`bench/${name}.bench.ts`],
  outfile,
  bundle: true,
  minify: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  external: ['@tensorflow/tfjs-node'],
  logLevel: 'warning',
});
const r = spawnSync(process.execPath, [outfile, ...args], { stdio: 'inherit' });
process.exit(r.status ?? 1);
