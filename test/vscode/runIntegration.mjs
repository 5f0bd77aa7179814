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
// 3. Default: code-server@4.100.3 (VS Code 1.100.3 server + web workbench), installed once into
//    .vscode-test/code-server/, started on 127.0.0.1 with throwaway state, and driven by headless
//    Chromium (playwright-core + /usr/bin/chromium). The workbench's `payload` URL parameter carries
//    extensionDevelopmentPath/extensionTestsPath to the extension host; the tests' report is written
//    to the file named by TT_TEST_OUTPUT and streamed to stdout here; the workbench reports the exit
//    code through window.codeAutomationExit.
// Progress goes to stderr, the test report to stdout (its last line is `N passed, N failed`).
// See /work/shared/REAL-VSCODE-TESTING.md.
//
// Environment: TT_VSCODE=electron (try test-electron first), TT_TEST_TIMEOUT (seconds, default 300),
// TT_CHROMIUM (browser, default /usr/bin/chromium), TT_VERBOSE=1 (echo the workbench's console, failed
// requests and the clean-up steps), TT_KEEP_TMP=1 (keep the temp folder: code-server.log, user-data/logs),
// TT_NO_APT=1 (never apt-get install the missing Debian packages chromium, ripgrep, libkrb5-dev).
// The code-server log's tail is printed whenever a run fails without a test report or times out.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, closeSync, readSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CODE_SERVER_VERSION = '4.100.3';
const CACHE_DIR = path.join(ROOT, '.vscode-test', 'code-server');
const MARKER = path.join(CACHE_DIR, `.installed-${CODE_SERVER_VERSION}`);
const CODE_SERVER_ENTRY = path.join(CACHE_DIR, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const RIPGREP_TARBALL = path.join(os.tmpdir(), 'vscode-ripgrep-cache-1.15.11', 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz');
const OUT_DIR = path.join(ROOT, 'out', 'test');
const TESTS_ENTRY = path.join(OUT_DIR, 'index.js');
const CHROMIUM = process.env.TT_CHROMIUM || '/usr/bin/chromium';
const VERBOSE = process.env.TT_VERBOSE === '1';
const INSTALL_TIMEOUT_MS = 15 * 60_000;

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
const WORKSPACE = path.resolve(workspaceArg ?? path.join(ROOT, 'test', 'integration', 'workspace'));
if (!existsSync(WORKSPACE)) fail(`workspace folder ${WORKSPACE} does not exist`);

function log(msg) {
  process.stderr.write(`[integration] ${msg}\n`);
}
function fail(msg) {
  process.stderr.write(`[integration] ERROR: ${msg}\n`);
  process.exit(1);
}
const secondsSince = (t) => `${((Date.now() - t) / 1000).toFixed(1)} s`;

// -------------------------------------------------------------------------------- cleanup registry
/** Everything to stop on exit, run newest first. Each entry is idempotent. */
const cleanups = [];
function onCleanup(label, fn) {
  cleanups.push(Object.assign(fn, { label }));
}
let cleaningUp = null;
function cleanup() {
  cleaningUp ??= (async () => {
    while (cleanups.length) {
      const step = cleanups.pop();
      try {
        if (VERBOSE) log(`cleanup: ${step.label}`);
        await step();
      } catch (err) {
        log(`cleanup (${step.label}): ${err?.message ?? err}`);
      }
    }
  })();
  return cleaningUp;
}
/** Last resort if node exits without running cleanup(): kill every process group we started, remove temp dirs. */
const groups = new Set();
const tmpDirs = new Set();
process.on('exit', () => {
  for (const pid of groups) killTree(pid, descendants(pid), 'SIGKILL');
  for (const dir of tmpDirs) rmSync(dir, { recursive: true, force: true });
});
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(sig, () => {
    log(`${sig} received, stopping`);
    cleanup().finally(() => process.exit(130));
  });
}
for (const event of ['uncaughtException', 'unhandledRejection']) {
  process.on(event, (err) => {
    log(`ERROR (${event}): ${err?.stack ?? err}`);
    cleanup().finally(() => process.exit(1));
  });
}
process.stdout.on('error', () => {}); // a closed pipe (`| head`) must not skip the clean-up
/** A fresh temp folder, removed at the end unless TT_KEEP_TMP=1. */
function makeTmpDir() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tt-vscode-'));
  if (process.env.TT_KEEP_TMP === '1') {
    log(`temp folder kept: ${dir}`);
    return dir;
  }
  tmpDirs.add(dir);
  onCleanup(`remove ${dir}`, () => {
    rmSync(dir, { recursive: true, force: true });
    tmpDirs.delete(dir);
  });
  return dir;
}
function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    /* already gone */
  }
}
/** Every live descendant of `root` (from /proc), including those that started a process group of their own. */
function descendants(root) {
  const children = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(name));
    } catch {
      /* exited meanwhile */
    }
  }
  const out = [];
  const todo = [root];
  while (todo.length) for (const c of children.get(todo.pop()) ?? []) out.push(c), todo.push(c);
  return out;
}
function killTree(leader, pids, signal) {
  killGroup(leader, signal);
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}
/** Spawns `cmd` as the leader of its own process group; cleanup() kills the whole group. */
function spawnGroup(cmd, args, options) {
  const child = spawn(cmd, args, { ...options, detached: true });
  groups.add(child.pid);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const stop = async () => {
    const tree = descendants(child.pid);
    killTree(child.pid, tree, 'SIGTERM');
    let timer;
    const gone = await Promise.race([
      exited.then(() => true),
      new Promise((r) => (timer = setTimeout(() => r(false), 5000))),
    ]);
    clearTimeout(timer);
    killTree(child.pid, [...tree, ...descendants(child.pid)], 'SIGKILL'); // stragglers, and the leader if it ignored SIGTERM
    groups.delete(child.pid);
    if (!gone) log(`${path.basename(cmd)} (pid ${child.pid}) had to be killed`);
  };
  onCleanup(`stop ${path.basename(args[0] ?? cmd)} (process group ${child.pid})`, stop);
  return { child, exited, stop };
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

// ------------------------------------------------------------------------- system prerequisites
/** Debian packages the code-server install and the browser need; installed with apt-get when root. */
function ensureSystemPackages() {
  const missing = [];
  if (!existsSync(CHROMIUM)) missing.push('chromium');
  if (!existsSync('/usr/bin/rg')) missing.push('ripgrep');
  if (!existsSync(MARKER) && !existsSync('/usr/include/gssapi/gssapi.h')) missing.push('libkrb5-dev');
  if (!missing.length) return;
  const canApt = process.getuid?.() === 0 && process.env.TT_NO_APT !== '1' && existsSync('/usr/bin/apt-get');
  if (!canApt) fail(`missing system packages: ${missing.join(' ')} (apt-get install ${missing.join(' ')})`);
  log(`installing system packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let r = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
  if (r.status !== 0) {
    spawnSync('apt-get', ['update'], { stdio: 'inherit', env });
    r = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
  }
  if (r.status !== 0) fail(`apt-get install ${missing.join(' ')} failed`);
}

// ------------------------------------------------------------------------- code-server install
/** npm's own variables from an outer `npm test` would leak into the nested installs; drop them. */
function cleanEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  return { ...env, ...extra };
}

async function ensureCodeServer() {
  if (existsSync(MARKER) && existsSync(CODE_SERVER_ENTRY)) {
    log(`code-server ${CODE_SERVER_VERSION} already installed in ${path.relative(ROOT, CACHE_DIR)}/`);
    return;
  }
  const t = Date.now();
  log(`installing code-server@${CODE_SERVER_VERSION} into ${path.relative(ROOT, CACHE_DIR)}/ (one time, ~2 min)`);
  rmSync(CACHE_DIR, { recursive: true, force: true });
  mkdirSync(CACHE_DIR, { recursive: true });
  writeFileSync(path.join(CACHE_DIR, 'package.json'), JSON.stringify({ name: 'tt-code-server-cache', private: true }, null, 2));
  // @vscode/ripgrep's postinstall downloads rg from GitHub; give it a cached copy of Debian's rg.
  mkdirSync(path.dirname(RIPGREP_TARBALL), { recursive: true });
  if (!existsSync(RIPGREP_TARBALL)) {
    const r = spawnSync('tar', ['-czf', RIPGREP_TARBALL, '-C', '/usr/bin', 'rg']);
    if (r.status !== 0) fail(`could not write ${RIPGREP_TARBALL}: ${r.stderr}`);
  }
  const env = cleanEnv({
    TMPDIR: os.tmpdir(), // where @vscode/ripgrep looks for its cache
    npm_config_yes: 'true', // node-pty's postinstall runs `npx node-gyp`
    npm_config_unsafe_perm: 'true', // code-server's postinstall insists on it as root
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    JOBS: 'max', // node-gyp compiles kerberos, node-pty and argon2 with make -j<cores>
  });
  const logFile = path.join(CACHE_DIR, 'install.log');
  const fd = openSync(logFile, 'w');
  const npm = spawnGroup('npm', ['install', '--prefix', CACHE_DIR, '--omit=dev', '--no-save', `code-server@${CODE_SERVER_VERSION}`], {
    cwd: CACHE_DIR,
    env,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const tick = setInterval(() => log(`  still installing code-server (${secondsSince(t)})`), 20_000);
  let timer;
  const code = await Promise.race([npm.exited, new Promise((r) => (timer = setTimeout(() => r('timeout'), INSTALL_TIMEOUT_MS)))]);
  clearInterval(tick);
  clearTimeout(timer);
  await npm.stop();
  if (code !== 0 || !existsSync(CODE_SERVER_ENTRY) || !existsSync(path.join(CACHE_DIR, 'node_modules', 'code-server', 'lib', 'vscode', 'node_modules'))) {
    process.stderr.write(tail(logFile, 60));
    fail(`code-server install failed (${code === 'timeout' ? 'timed out' : `exit ${code}`}); full log: ${logFile}`);
  }
  writeFileSync(MARKER, `${new Date().toISOString()}\n`);
  log(`installed code-server in ${secondsSince(t)}`);
}

function tail(file, lines) {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n') + '\n';
  } catch {
    return '';
  }
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
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function waitForHttp(url, ms, isAlive) {
  const end = Date.now() + ms;
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      /* not up yet */
    }
    if (!isAlive()) throw new Error('code-server exited during start-up');
    if (Date.now() > end) throw new Error(`${url} did not answer within ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 200).unref());
  }
}

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
  const tmp = makeTmpDir();
  const dirs = {};
  for (const d of ['user-data', 'extensions', 'xdg-config', 'xdg-data', 'xdg-cache', 'home']) {
    dirs[d] = path.join(tmp, d);
    mkdirSync(dirs[d], { recursive: true });
  }
  const reportFile = path.join(tmp, 'report.txt');
  writeFileSync(reportFile, '');
  const xdg = { XDG_CONFIG_HOME: dirs['xdg-config'], XDG_DATA_HOME: dirs['xdg-data'], XDG_CACHE_HOME: dirs['xdg-cache'] };

  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const serverLog = path.join(tmp, 'code-server.log');
  const logFd = openSync(serverLog, 'w');
  writeFileSync(path.join(dirs['user-data'], 'config.yaml'), `bind-addr: ${host}\nauth: none\ncert: false\n`);
  const server = spawnGroup(
    process.execPath,
    [
      CODE_SERVER_ENTRY,
      '--bind-addr', host,
      '--auth', 'none',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--ignore-last-opened',
      '--user-data-dir', dirs['user-data'],
      '--extensions-dir', dirs.extensions,
      '--config', path.join(dirs['user-data'], 'config.yaml'),
      WORKSPACE,
    ],
    {
      cwd: WORKSPACE,
      // Reaches the extension host: TT_TEST_OUTPUT is where test/integration/index.ts writes its report.
      // VSCODE_CLI=1 makes the server skip resolving a login shell's environment (`bash -i -l`, detached,
      // reading ~/.bashrc): the extension host gets exactly this environment.
      // EXTENSIONS_GALLERY={} turns off the Marketplace (open-vsx.org) look-ups; there is no network here.
      env: cleanEnv({ ...xdg, TT_TEST_OUTPUT: reportFile, VSCODE_CLI: '1', EXTENSIONS_GALLERY: '{}' }),
      stdio: ['ignore', logFd, logFd],
    },
  );
  closeSync(logFd);
  let serverAlive = true;
  server.exited.then(() => (serverAlive = false));
  const dumpServerLog = () => process.stderr.write(`--- code-server log (last 40 lines) ---\n${tail(serverLog, 40)}`);
  onLog(dumpServerLog);

  try {
    await waitForHttp(`http://${host}/healthz`, 60_000, () => serverAlive);
  } catch (err) {
    dumpServerLog();
    throw err;
  }
  log(`code-server ${CODE_SERVER_VERSION} listening on ${host} (${secondsSince(t0)})`);

  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    env: { ...cleanEnv(xdg), HOME: dirs.home },
    timeout: 60_000,
    // Our own handlers stop everything (playwright's would exit the process before code-server is stopped).
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  onCleanup('close Chromium', () => browser.close());
  const page = await browser.newPage();
  page.on('pageerror', (err) => VERBOSE && log(`[page error] ${err.message}`));
  page.on('console', (msg) => VERBOSE && log(`[console.${msg.type()}] ${msg.text()}`));
  page.on('requestfailed', (req) => VERBOSE && log(`[request failed] ${req.url()} ${req.failure()?.errorText ?? ''}`));

  // The workbench calls window.codeAutomationExit(code) when the extension host's run() settles.
  let resolveExit;
  const automationExit = new Promise((r) => (resolveExit = r));
  await page.exposeFunction('codeAutomationExit', (code) => {
    resolveExit(Number(code));
  });

  const remote = (p) => `vscode-remote://${host}${p}`;
  const payload = [
    ['extensionDevelopmentPath', remote(ROOT)],
    ['extensionTestsPath', remote(TESTS_ENTRY)],
  ];
  const url = `http://${host}/?folder=${encodeURIComponent(WORKSPACE)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
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
