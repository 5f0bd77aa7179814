// One esbuild script for every bundle: the CLI, the extension host, the trace worker and the webview app.
// `node src/build/build.mjs` builds for development (source maps); `--production` minifies without maps;
// `--watch` rebuilds on change.
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** Settings shared by every bundle. */
const base = {
  bundle: true,
  minify: production,
  sourcemap: production ? false : 'linked',
  logLevel: 'warning',
  legalComments: 'none',
};

/** Node bundles: tfjs-node is optional and loaded at run time only when installed. */
const node = {
  ...base,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  external: ['vscode', '@tensorflow/tfjs-node'],
};

/** Every bundle, by entry point; entries whose source does not exist yet are skipped. */
const bundles = [
  { ...node, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  { ...node, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js' },
  { ...node, entryPoints: ['src/worker/traceWorker.ts'], outfile: 'dist/traceWorker.js' },
  { ...base, platform: 'browser', format: 'iife', target: 'es2022', entryPoints: ['src/webview/app/main.ts'], outfile: 'dist/webview.js' },
].filter((b) => existsSync(b.entryPoints[0]));

const contexts = await Promise.all(bundles.map((b) => esbuild.context(b)));
if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
}

// The wasm backend's binaries ship beside the bundles (dist/wasm/): the packaged extension has no node_modules.
const wasmSrc = 'node_modules/@tensorflow/tfjs-backend-wasm/dist';
mkdirSync('dist/wasm', { recursive: true });
for (const f of readdirSync(wasmSrc).filter((f) => f.endsWith('.wasm'))) copyFileSync(`${wasmSrc}/${f}`, `dist/wasm/${f}`);
