// A real VS Code for the test drivers: code-server@4.100.3 (VS Code 1.100.3 server + web workbench) on
// 127.0.0.1 with throwaway state, and headless Chromium (playwright-core + /usr/bin/chromium) to open its
// workbench. Shared by test/vscode/runIntegration.mjs (the extension-host test suite) and test/ui/uiTest.mjs
// (driving the workbench as a user). See /work/shared/REAL-VSCODE-TESTING.md.
//
//   ensureSystemPackages(); await ensureCodeServer();             // one-time install into .vscode-test/
//   const profile = makeProfile(makeTmpDir());                    // user-data, extensions, XDG dirs, HOME
//   installVsix('x.vsix', profile);                               // optional: as a user installs it
//   const cs = await startCodeServer({ workspace, profile, env }); // stopped by cleanup()
//   const { page } = await launchBrowser({ profile });             // closed by cleanup()
//   await page.goto(workbenchUrl(cs.host, workspace, payload));
//
// Every process is started in a process group of its own and registered with onCleanup(); cleanup() stops
// them newest first, and an exit hook kills whatever is left. Importing this module installs the
// SIGINT/SIGTERM/SIGHUP and uncaught-error handlers that run cleanup() before exiting.
//
// Environment: TT_CHROMIUM (browser, default /usr/bin/chromium), TT_VERBOSE=1 (echo the workbench's console,
// failed requests and the clean-up steps), TT_KEEP_TMP=1 (keep temp folders), TT_NO_APT=1 (never apt-get
// install the missing Debian packages chromium, ripgrep, libkrb5-dev).
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CODE_SERVER_VERSION = '4.100.3';
const CACHE_DIR = path.join(ROOT, '.vscode-test', 'code-server');
const MARKER = path.join(CACHE_DIR, `.installed-${CODE_SERVER_VERSION}`);
export const CODE_SERVER_ENTRY = path.join(CACHE_DIR, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const RIPGREP_TARBALL = path.join(os.tmpdir(), 'vscode-ripgrep-cache-1.15.11', 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz');
export const CHROMIUM = process.env.TT_CHROMIUM || '/usr/bin/chromium';
export const VERBOSE = process.env.TT_VERBOSE === '1';
const INSTALL_TIMEOUT_MS = 15 * 60_000;

// ------------------------------------------------------------------------------------------ logging
let logPrefix = 'vscode';
/** Names the driver in every progress line (`[integration] …`, `[ui] …`). */
export function setLogPrefix(prefix) {
  logPrefix = prefix;
}
export function log(msg) {
  process.stderr.write(`[${logPrefix}] ${msg}\n`);
}
export function fail(msg) {
  process.stderr.write(`[${logPrefix}] ERROR: ${msg}\n`);
  process.exit(1);
}
export const secondsSince = (t) => `${((Date.now() - t) / 1000).toFixed(1)} s`;

export function tail(file, lines) {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n') + '\n';
  } catch {
    return '';
  }
}

// -------------------------------------------------------------------------------- cleanup registry
/** Everything to stop on exit, run newest first. Each entry is idempotent. */
const cleanups = [];
export function onCleanup(label, fn) {
  cleanups.push(Object.assign(fn, { label }));
}
let cleaningUp = null;
export function cleanup() {
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
    cleaningUp = null; // a driver may start a second round (another code-server) after this one
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
export function makeTmpDir(prefix = 'tt-vscode-') {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
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
export function spawnGroup(cmd, args, options) {
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

/** npm's own variables from an outer `npm test` would leak into the nested installs; drop them. */
export function cleanEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  return { ...env, ...extra };
}

// ------------------------------------------------------------------------- system prerequisites
/** Debian packages the code-server install and the browser need; installed with apt-get when root. */
export function ensureSystemPackages() {
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
export async function ensureCodeServer() {
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

// ---------------------------------------------------------------------------------- a profile
/**
 * The throwaway state of one code-server + Chromium pair under `tmp`: user-data (with config.yaml and
 * User/settings.json), extensions, XDG dirs and a HOME for Chromium. `xdg` is the environment that keeps
 * both out of the real $HOME.
 */
export function makeProfile(tmp, { settings } = {}) {
  const dirs = {};
  for (const d of ['user-data', 'extensions', 'xdg-config', 'xdg-data', 'xdg-cache', 'home']) {
    dirs[d] = path.join(tmp, d);
    mkdirSync(dirs[d], { recursive: true });
  }
  if (settings) {
    mkdirSync(path.join(dirs['user-data'], 'User'), { recursive: true });
    writeFileSync(path.join(dirs['user-data'], 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  }
  const xdg = { XDG_CONFIG_HOME: dirs['xdg-config'], XDG_DATA_HOME: dirs['xdg-data'], XDG_CACHE_HOME: dirs['xdg-cache'] };
  return { tmp, dirs, xdg };
}

/** `code-server --install-extension <vsix> --force` into the profile's user-data and extensions dirs. */
export function installVsix(vsix, profile) {
  const { dirs, xdg } = profile;
  const r = spawnSync(
    process.execPath,
    [CODE_SERVER_ENTRY, '--user-data-dir', dirs['user-data'], '--extensions-dir', dirs.extensions, '--install-extension', vsix, '--force'],
    { env: cleanEnv({ ...xdg, EXTENSIONS_GALLERY: '{}' }), encoding: 'utf8', timeout: 120_000 },
  );
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
  if (r.status !== 0) throw new Error(`code-server --install-extension ${vsix} failed (exit ${r.status}):\n${out}`);
  return out;
}

// ---------------------------------------------------------------------------------- code-server
export function freePort() {
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

/**
 * Starts code-server on a free loopback port for `workspace` with the profile's state, and waits until it
 * answers. `env` reaches the extension host; `onLog` receives a function that prints the server's log tail. Returns the host:port, the server process, and helpers.
 */
export async function startCodeServer({ workspace, profile, env = {}, onLog }) {
  const t0 = Date.now();
  const { tmp, dirs, xdg } = profile;
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
      workspace,
    ],
    {
      cwd: workspace,
      // VSCODE_CLI=1 makes the server skip resolving a login shell's environment (`bash -i -l`, detached,
      // reading ~/.bashrc): the extension host gets exactly this environment.
      // EXTENSIONS_GALLERY={} turns off the Marketplace (open-vsx.org) look-ups; there is no network here.
      env: cleanEnv({ ...xdg, ...env, VSCODE_CLI: '1', EXTENSIONS_GALLERY: '{}' }),
      stdio: ['ignore', logFd, logFd],
    },
  );
  closeSync(logFd);
  let alive = true;
  server.exited.then(() => (alive = false));
  const dumpServerLog = () => process.stderr.write(`--- code-server log (last 40 lines) ---\n${tail(serverLog, 40)}`);
  onLog?.(dumpServerLog);
  try {
    await waitForHttp(`http://${host}/healthz`, 60_000, () => alive);
  } catch (err) {
    dumpServerLog();
    throw err;
  }
  log(`code-server ${CODE_SERVER_VERSION} listening on ${host} (${secondsSince(t0)})`);
  return {
    host,
    server,
    serverLog,
    isAlive: () => alive,
    dumpServerLog,
    /** A path on the server as the workbench names it. */
    remote: (p) => `vscode-remote://${host}${p}`,
  };
}

/** The workbench's URL for `folder`, with an optional `payload` (e.g. extensionDevelopmentPath) for the extension host. */
export function workbenchUrl(host, folder, payload) {
  let url = `http://${host}/?folder=${encodeURIComponent(folder)}`;
  if (payload?.length) url += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  return url;
}

// ---------------------------------------------------------------------------------- Chromium
/** Headless Chromium with a fresh profile; one page, optionally of a given viewport size. */
export async function launchBrowser({ profile, viewport } = {}) {
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
    env: { ...cleanEnv(profile.xdg), HOME: profile.dirs.home },
    timeout: 60_000,
    // Our own handlers stop everything (playwright's would exit the process before code-server is stopped).
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  onCleanup('close Chromium', () => browser.close());
  const page = await browser.newPage(viewport ? { viewport } : {});
  page.on('pageerror', (err) => VERBOSE && log(`[page error] ${err.message}`));
  page.on('console', (msg) => VERBOSE && log(`[console.${msg.type()}] ${msg.text()}`));
  page.on('requestfailed', (req) => VERBOSE && log(`[request failed] ${req.url()} ${req.failure()?.errorText ?? ''}`));
  return { browser, page };
}
