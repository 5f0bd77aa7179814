#!/usr/bin/env node
// Runs the integration suite (test/integration/**) inside a real VS Code.
//
//   node test/vscode/runIntegration.mjs [WORKSPACE_DIR] [--timeout SECONDS] [--skip-build]
//
// 1. Builds the extension (src/build/build.mjs; skipped with --skip-build, e.g. when `npm run build`
//    just ran, but dist/extension.js must exist) and always bundles test/integration/index.ts and every
//    test/integration/*.test.ts into out/test/ (esbuild; `vscode` and `mocha` stay external).
// 2. With TT_VSCODE=electron: tries @vscode/test-electron (downloads VS Code; not reachable on the
//    offline machines) and falls back to code-server when the download fails.
// 3. Default: code-server@4.100.3 (VS Code 1.100.3 server + web workbench; test/vscode/codeServer.mjs, shared
//    with the UI test test/ui/uiTest.mjs), installed once into
//    .vscode-test/code-server/, started on 127.0.0.1 with throwaway state, and driven by headless
//    Chromium (playwright-core + /usr/bin/chromium). The workbench's `payload` URL parameter carries
//    extensionDevelopmentPath/extensionTestsPath to the extension host; the tests' report is written
//    to the file named by TT_TEST_OUTPUT and streamed to stdout here; the workbench reports the exit
//    code through window.codeAutomationExit.
// Progress goes to stderr, the test report to stdout (its last line is `N passed, N failed`).
// See /work/shared/REAL-VSCODE-TESTING.md.
//
// The default workspace is a temp copy of test/integration/workspace with the seed added (test/seedDir.mjs).
// Environment: TT_VSCODE=electron (try test-electron first), TT_TEST_TIMEOUT (seconds, default 300),
// TT_CHROMIUM (browser, default /usr/bin/chromium), TT_VERBOSE=1 (echo the workbench's console, failed
// requests and the clean-up steps), TT_KEEP_TMP=1 (keep the temp folder: code-server.log, user-data/logs),
// TT_NO_APT=1 (never apt-get install the missing Debian packages chromium, ripgrep, libkrb5-dev).
// The code-server log's tail is printed whenever a run fails without a test report or times out.
import { spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, cpSync, existsSync, openSync, readdirSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  ROOT,
  cleanup,
  ensureCodeServer,
  ensureSystemPackages,
  fail,
  launchBrowser,
  log,
  makeProfile,
  makeTmpDir,
  onCleanup,
  secondsSince,
  setLogPrefix,
  startCodeServer,
  workbenchUrl,
} from './codeServer.mjs';
import { findSeedDir } from '../seedDir.mjs';

setLogPrefix('integration');
const OUT_DIR = path.join(ROOT, 'out', 'test');
const TESTS_ENTRY = path.join(OUT_DIR, 'index.js');
const VERBOSE = process.env.TT_VERBOSE === '1';

// ---------------------------------------------------------------------------------------------- CLI
const argv = process.argv.slice(2);
let workspaceArg = null;
let timeoutSec = Number(process.env.TT_TEST_TIMEOUT || 300);
let skipBuild = false;
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--timeout') timeoutSec = Number(argv[++i]);
  else if (a === '--skip-build') skipBuild = true;
  else if (a === '--screenshots') ++i; // reserved, not implemented yet
  else if (a.startsWith('--')) fail(`unknown option ${a}`);
  else workspaceArg = a;
}
if (!(timeoutSec > 0)) fail('--timeout needs a positive number of seconds');
const WORKSPACE = workspaceArg ? path.resolve(workspaceArg) : defaultWorkspace();
if (!existsSync(WORKSPACE)) fail(`workspace folder ${WORKSPACE} does not exist`);

/**
 * The default workspace: a temp copy of test/integration/workspace plus the product's seed, residual_block.py,
 * from the seed folder (test/seedDir.mjs), so the repo keeps no copy of it and the tests' edits never touch
 * tracked files.
 */
function defaultWorkspace() {
  const seedDir = findSeedDir(ROOT);
  if (!seedDir) fail('the seed residual_block.py was not found in ../shared/seed beside the repository; set TT_SEED_DIR');
  const dir = path.join(makeTmpDir('tt-workspace-'), 'workspace');
  cpSync(path.join(ROOT, 'test', 'integration', 'workspace'), dir, { recursive: true });
  copyFileSync(path.join(seedDir, 'residual_block.py'), path.join(dir, 'residual_block.py'));
  return dir;
}

// ------------------------------------------------------------------------------------ build step
async function build() {
  const t = Date.now();
  if (!skipBuild) {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'src', 'build', 'build.mjs')], { cwd: ROOT, stdio: 'inherit' });
    if (r.status !== 0) fail('extension build (src/build/build.mjs) failed');
  }
  if (!existsSync(path.join(ROOT, 'dist', 'extension.js'))) fail('dist/extension.js was not built');
  const esbuild = await import('esbuild');
  const dir = path.join(ROOT, 'test', 'integration');
  const entryPoints = readdirSync(dir)
    .filter((f) => f === 'index.ts' || f.endsWith('.test.ts'))
    .map((f) => path.join(dir, f));
  if (!entryPoints.some((f) => f.endsWith('index.ts'))) fail('test/integration/index.ts is missing');
  // Drop bundles of deleted tests, but not the folder: another run may be using these files right now.
  const wanted = new Set(entryPoints.map((f) => path.basename(f).replace(/\.ts$/, '.js')));
  for (const f of existsSync(OUT_DIR) ? readdirSync(OUT_DIR) : []) {
    if (f.endsWith('.js') && !wanted.has(f)) rmSync(path.join(OUT_DIR, f), { force: true });
  }
  await esbuild.build({
    entryPoints,
    outdir: OUT_DIR,
    outbase: dir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'inline',
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
  });
  log(`${skipBuild ? 'using the existing' : 'built'} dist/extension.js; bundled ${entryPoints.length} test file(s) into out/test/ (${secondsSince(t)})`);
}

// -------------------------------------------------------------------------------- test-electron
/** Returns an exit code, or null when VS Code could not be downloaded. */
async function runWithTestElectron() {
  let te;
  try {
    te = await import('@vscode/test-electron');
  } catch (err) {
    log(`@vscode/test-electron not available (${err.message}); using code-server`);
    return null;
  }
  let vscodeExecutablePath;
  try {
    log('downloading VS Code with @vscode/test-electron');
    vscodeExecutablePath = await te.downloadAndUnzipVSCode({ timeout: 30_000 });
  } catch (err) {
    log(`VS Code download failed (${err?.message ?? err}); using code-server`);
    return null;
  }
  const tmp = makeTmpDir();
  try {
    return await te.runTests({
      vscodeExecutablePath,
      extensionDevelopmentPath: ROOT,
      extensionTestsPath: TESTS_ENTRY,
      launchArgs: [WORKSPACE, '--disable-extensions', '--disable-workspace-trust', `--user-data-dir=${tmp}/user-data`],
    });
  } catch (err) {
    log(`test-electron run failed: ${err?.message ?? err}`);
    return 1;
  }
}

// ---------------------------------------------------------------------------------- code-server
/** Streams the report file that the extension host appends to; flush() prints whatever is new. */
function followFile(file) {
  let pos = 0;
  let text = '';
  const flush = () => {
    let size;
    try {
      size = statSync(file).size;
    } catch {
      return;
    }
    if (size <= pos) return;
    const buf = Buffer.alloc(size - pos);
    const fd = openSync(file, 'r');
    try {
      readSync(fd, buf, 0, buf.length, pos);
    } finally {
      closeSync(fd);
    }
    pos = size;
    const chunk = buf.toString('utf8');
    text += chunk;
    process.stdout.write(chunk);
  };
  const timer = setInterval(flush, 250);
  return {
    stop() {
      clearInterval(timer);
      flush();
    },
    text: () => text,
  };
}

/** Runs the suite in code-server; `onLog` receives a function that prints the server's log tail. */
async function runWithCodeServer(onLog) {
  const t0 = Date.now();
  const profile = makeProfile(makeTmpDir());
  const reportFile = path.join(profile.tmp, 'report.txt');
  writeFileSync(reportFile, '');
  // Reaches the extension host: TT_TEST_OUTPUT is where test/integration/index.ts writes its report.
  const { host, server, dumpServerLog, remote } = await startCodeServer({ workspace: WORKSPACE, profile, env: { TT_TEST_OUTPUT: reportFile }, onLog });
  const { page } = await launchBrowser({ profile });

  // The workbench calls window.codeAutomationExit(code) when the extension host's run() settles.
  let resolveExit;
  const automationExit = new Promise((r) => (resolveExit = r));
  await page.exposeFunction('codeAutomationExit', (code) => {
    resolveExit(Number(code));
  });

  const payload = [
    ['extensionDevelopmentPath', remote(ROOT)],
    ['extensionTestsPath', remote(TESTS_ENTRY)],
  ];
  const url = workbenchUrl(host, WORKSPACE, payload);
  const follow = followFile(reportFile);
  onCleanup('stop following the report', () => follow.stop());
  log('opening the workbench in headless Chromium; waiting for the extension host to run the tests');
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 120_000 });
  if (VERBOSE) log(`workbench page loaded (${secondsSince(t0)})`);

  const code = await new Promise((resolve, reject) => {
    automationExit.then(resolve);
    server.exited.then((c) => reject(new Error(`code-server exited (${c}) before the tests finished`)));
  }).catch((err) => {
    follow.stop();
    dumpServerLog();
    throw err;
  });
  follow.stop();

  // The exit code is the workbench's; double-check it against the report.
  const summary = follow.text().match(/^(\d+) passed, (\d+) failed/m);
  if (!summary) {
    dumpServerLog();
    log(`no "N passed, N failed" line in the test report (workbench exit code ${code})`);
    return code || 1;
  }
  log(`workbench exit code ${code} (${secondsSince(t0)} in code-server)`);
  return code === 0 && Number(summary[2]) > 0 ? 1 : code;
}

// ------------------------------------------------------------------------------------------ main
async function main() {
  const t = Date.now();
  await build();
  let code = null;
  if (process.env.TT_VSCODE === 'electron') code = await runWithTestElectron();
  if (code === null) {
    ensureSystemPackages();
    await ensureCodeServer();
    // The timeout covers the run, not the one-time install.
    let dumpServerLog = () => {};
    let timer;
    code = await Promise.race([
      runWithCodeServer((f) => (dumpServerLog = f)),
      new Promise((_, reject) => {
        timer = setTimeout(() => {
          dumpServerLog();
          reject(new Error(`TIMED OUT: the integration run took longer than ${timeoutSec} s (--timeout / TT_TEST_TIMEOUT)`));
        }, timeoutSec * 1000);
      }),
    ]).finally(() => clearTimeout(timer));
  }
  log(`${code === 0 ? 'passed' : `FAILED (exit ${code})`} in ${secondsSince(t)}`);
  return code;
}

let exitCode = 1;
try {
  exitCode = await main();
} catch (err) {
  log(`ERROR: ${err?.stack ?? err}`);
  exitCode = 1;
} finally {
  await cleanup();
}
process.exit(exitCode);
