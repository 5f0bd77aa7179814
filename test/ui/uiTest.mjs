#!/usr/bin/env node
// The UI test: drives the real VS Code workbench (code-server + headless Chromium, test/vscode/codeServer.mjs)
// the way a user does, and reads what the user sees from the DOM.
//
//   node test/ui/uiTest.mjs [--only dev|vsix] [--vsix FILE]
//
// Two runs, each with fresh state (user data, extensions, workspace):
//   dev   the development build (dist/ of this folder, built by `npm run build`), loaded through the
//         workbench's extensionDevelopmentPath, as test/vscode/runIntegration.mjs does;
//   vsix  the packaged extension: test/ui/packageVsix.mjs makes a VSIX the way `npm run package` does (in a
//         staging folder, so dist/ is left alone; or --vsix FILE), `code-server --install-extension` installs
//         it into the run's extensions dir, and the workbench opens with no extensionDevelopmentPath.
// In each run, on a temp workspace holding the seed residual_block.py (tensorTrace.autoTrace "off", so only
// the command makes hints): clicks the file in the Explorer; runs "Tensor Trace: Trace This File" from the
// palette (F1); reads the inline hints from the editor's DOM and compares them with the shapes PyTorch printed
// (the seed's residual_block.expected-output.txt); hovers `conv1` in forward() and reads the hover; runs
// "Tensor Trace: Show Panel" and reads the layer table inside the webview. The vsix run also checks that the
// installed extension carries the wasm backend's binaries and, once the numeric engine is wired in, that a
// numeric trace with tensorTrace.backend "wasm" runs on them (until then that check is reported as skipped).
// Screenshots go to test/artifacts/ (git-ignored): <run>-editor-hints.png, <run>-hover.png, <run>-panel.png, and
// <run>-failure-N.png for a failed check. The README's media/screenshots/editor-hints.png and panel.png are
// copies of vsix-editor-hints.png and vsix-panel.png (1400×900), refreshed by hand.
//
// Ends with `N passed, N failed` (`, N skipped` when some were) and, when TT_SUMMARY_FILE is set, appends
// {"passes","failures","pending"} to it as one JSON line (as test/summaryReporter.cjs does).
// Environment: TT_UI_TIMEOUT (seconds for everything, default 900), TT_SEED_DIR (folder with the seed and its
// expected output; default ../shared/seed, then /work/shared/seed), and those of
// test/vscode/codeServer.mjs (TT_VERBOSE=1, TT_KEEP_TMP=1, TT_CHROMIUM, TT_NO_APT).
import { spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  ROOT,
  cleanup,
  ensureCodeServer,
  ensureSystemPackages,
  installVsix,
  launchBrowser,
  log,
  makeProfile,
  makeTmpDir,
  secondsSince,
  setLogPrefix,
  startCodeServer,
  workbenchUrl,
} from '../vscode/codeServer.mjs';
import { packageVsix } from './packageVsix.mjs';
import { findSeedDir } from '../seedDir.mjs';

setLogPrefix('ui');
const ARTIFACTS = path.join(ROOT, 'test', 'artifacts');
const VIEWPORT = { width: 1400, height: 900 };
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const EXTENSION_ID = `${pkg.publisher}.${pkg.name}`;

// ---------------------------------------------------------------------------------------------- CLI
const argv = process.argv.slice(2);
let only = null;
let vsixArg = null;
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--only') only = argv[++i];
  else if (argv[i] === '--vsix') vsixArg = path.resolve(argv[++i]);
  else {
    log(`ERROR: unknown argument ${argv[i]} (usage: node test/ui/uiTest.mjs [--only dev|vsix] [--vsix FILE])`);
    process.exit(2);
  }
}
if (only && only !== 'dev' && only !== 'vsix') {
  log(`ERROR: --only takes dev or vsix, not ${only}`);
  process.exit(2);
}
const timeoutSec = Number(process.env.TT_UI_TIMEOUT || 900);

// ------------------------------------------------------------------------------------- the truth
const SEED_DIR = findSeedDir(ROOT);
if (!SEED_DIR) {
  console.error('UI test: the seed (residual_block.py and its expected output) was not found in ../shared/seed; set TT_SEED_DIR.');
  process.exit(1);
}
const SEED_PY = readFileSync(path.join(SEED_DIR, 'residual_block.py'), 'utf8');
const SEED_OUT = readFileSync(path.join(SEED_DIR, 'residual_block.expected-output.txt'), 'utf8');

/** `Label Shape:  torch.Size([32, 128, 28, 28])` lines of PyTorch's output → label → "[32, 128, 28, 28]". */
function printedShapes(output) {
  const m = new Map();
  for (const line of output.split('\n')) {
    const r = /^(.*?):\s+torch\.Size\((\[[\d, ]*\])\)\s*$/.exec(line);
    if (r) m.set(r[1].trim(), r[2]);
  }
  return m;
}

/**
 * The hints the editor must show, derived from the seed and PyTorch's output: for each
 * `print("<label>: ", v.shape)`, the last statement before it that assigns `v` (`v = …` or `v += …`) must carry
 * the printed shape. The block's input `x` is never assigned in forward(); its shape is the one of the script's
 * `input_tensor = torch.randn(…)`.
 */
function expectedHints(source, shapes) {
  const lines = source.split('\n');
  const out = [];
  lines.forEach((line, i) => {
    const p = /print\("([^"]*?):?\s*",\s*(\w+)\.shape\)/.exec(line);
    if (!p) return;
    const [, label, v] = p;
    const shape = shapes.get(label.replace(/:$/, '').trim());
    if (!shape) throw new Error(`no "${label}" shape in the expected output`);
    for (let j = i - 1; j >= 0; j--) {
      if (new RegExp(`^\\s*${v}\\s*(\\+)?=`).test(lines[j])) {
        out.push({ line: j + 1, code: lines[j].trim(), shape, label });
        return;
      }
      if (/^\s*def /.test(lines[j])) break; // a parameter of forward(): handled below
    }
  });
  const input = lines.findIndex((l) => /^\s*input_tensor\s*=\s*torch\.randn\(/.test(l));
  if (input >= 0 && shapes.get('Input Tensor Shape')) out.push({ line: input + 1, code: lines[input].trim(), shape: shapes.get('Input Tensor Shape'), label: 'Input Tensor Shape' });
  return out.sort((a, b) => a.line - b.line);
}

const SHAPES = printedShapes(SEED_OUT);
const IN = SHAPES.get('Input Tensor Shape');
const OUT = SHAPES.get('Output Tensor Shape');
const HINTS = expectedHints(SEED_PY, SHAPES);
/**
 * Layer rows of the panel: shapes from PyTorch's output (conv1's output keeps its shape through BN and ReLU,
 * "After Conv1 + BN + ReLU"; the shortcut's is "Skip Connection (Identity)"), parameters from
 * sum(p.numel() for p in m.parameters()) in PyTorch: 64·128·3·3, 2·128, 128·128·3·3, 2·128, 64·128 + 2·128.
 */
const LAYERS = [
  { name: 'conv1', cls: 'Conv2d', in: IN, out: SHAPES.get('After Conv1 + BN + ReLU Shape'), params: 73_728 },
  { name: 'bn1', cls: 'BatchNorm2d', in: SHAPES.get('After Conv1 + BN + ReLU Shape'), out: SHAPES.get('After Conv1 + BN + ReLU Shape'), params: 256 },
  { name: 'conv2', cls: 'Conv2d', in: SHAPES.get('After Conv1 + BN + ReLU Shape'), out: SHAPES.get('After Conv2 + BN Shape'), params: 147_456 },
  { name: 'bn2', cls: 'BatchNorm2d', in: SHAPES.get('After Conv2 + BN Shape'), out: SHAPES.get('After Conv2 + BN Shape'), params: 256 },
  { name: 'skip', cls: 'Sequential', in: IN, out: SHAPES.get('Skip Connection (Identity) Shape'), params: 8_448 },
];
const TOTAL_PARAMS = 230_144;

// ------------------------------------------------------------------------------------- reporting
const results = [];
/** The page of the run in progress, for a screenshot of each failure. */
const current = { page: null };
class Skip extends Error {}
const skip = (why) => {
  throw new Skip(why);
};

async function check(run, title, fn) {
  const t = Date.now();
  try {
    const note = await fn();
    results.push({ state: 'passed' });
    console.log(`  ✓ ${title}${note ? ` — ${note}` : ''} (${Date.now() - t} ms)`);
    return true;
  } catch (err) {
    if (err instanceof Skip) {
      results.push({ state: 'pending' });
      console.log(`  - ${title} (skipped: ${err.message})`);
      return false;
    }
    results.push({ state: 'failed' });
    console.log(`  ✗ ${title}`);
    console.log(String(err?.stack ?? err).replace(/^/gm, '      '));
    if (current.page) {
      const file = await shot(current.page, run, `failure-${results.length}`).catch(() => null);
      if (file) console.log(`      screenshot: ${path.relative(ROOT, file)}`);
    }
    return false;
  }
}

function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

// ---------------------------------------------------------------------------------- UI helpers
const nbsp = (s) => s.replace(/\u00a0/g, ' ');

/** Runs a palette command: F1, type its label, wait until it is the first match, Enter. */
async function runCommand(page, label) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  await input.fill(`>${label}`);
  await page.locator('.quick-input-widget .monaco-list-row.focused', { hasText: label }).first().waitFor({ timeout: 15_000 });
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 15_000 });
}

/** Ctrl+G, line number, Enter: the editor scrolls so that the line is in view (centred). */
async function goToLine(page, line) {
  await page.keyboard.press('Control+g');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  await input.fill(`:${line}`);
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 15_000 });
}

/**
 * The rendered lines of the editor: for each, its source text and the inline hints in it. Hints are the
 * injected-text spans Monaco renders for inlay hints (class dyn-rule-*) inside `.view-line span span`.
 */
async function renderedLines(page) {
  const lines = await page.evaluate(() => {
    const editor = document.querySelector('.part.editor .editor-instance .monaco-editor');
    if (!editor) return [];
    // Line numbers sit in the margin at the same `top` as their line.
    const numbers = new Map();
    for (const el of editor.querySelectorAll('.margin-view-overlays .line-numbers')) {
      const top = parseFloat(el.parentElement.style.top);
      if (!Number.isNaN(top)) numbers.set(top, Number(el.textContent));
    }
    return Array.from(editor.querySelectorAll('.view-line')).map((el) => {
      const spans = Array.from(el.querySelectorAll('span span'));
      const injected = spans.filter((s) => /\bdyn-rule-/.test(s.className));
      const top = parseFloat(el.style.top);
      return {
        line: numbers.get(top) ?? null,
        source: spans
          .filter((s) => !injected.includes(s))
          .map((s) => s.textContent)
          .join(''),
        hints: injected.map((s) => s.textContent).filter((t) => t.trim() !== ''),
      };
    });
  });
  return lines.sort((a, b) => a.line - b.line).map((l) => ({ line: l.line, source: nbsp(l.source), hints: l.hints.map((h) => nbsp(h).trim()) }));
}

/** Which of `expected` hints the rendered lines lack (each matched by line number and source text). */
function missingHints(lines, expected) {
  const report = [];
  for (const h of expected) {
    const line = lines.find((l) => l.line === h.line);
    if (line && line.source.trim() !== h.code) report.push(`line ${h.line} reads ${JSON.stringify(line.source.trim())}, expected ${JSON.stringify(h.code)}`);
    else if (!line?.hints.some((x) => x.includes(h.shape))) {
      report.push(`line ${h.line} ${h.code}: hints ${line ? JSON.stringify(line.hints) : '(line not rendered)'}, expected ${h.shape} (${h.label})`);
    }
  }
  return report;
}

/** Polls `fn` until it returns a truthy value or `ms` pass; returns the last value. */
async function poll(fn, ms, every = 250) {
  const end = Date.now() + ms;
  let v;
  for (;;) {
    v = await fn();
    if (v || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, every));
  }
}

/** The viewport rectangle of `word` inside the rendered line whose source contains `lineText`. */
async function wordBox(page, lineText, word) {
  return page.evaluate(
    ([lineText, word]) => {
      const norm = (s) => s.replace(/\u00a0/g, ' ');
      for (const el of document.querySelectorAll('.part.editor .editor-instance .monaco-editor .view-line')) {
        if (!norm(el.textContent).includes(lineText)) continue;
        const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
          const i = norm(n.textContent).indexOf(word);
          if (i < 0) continue;
          const range = document.createRange();
          range.setStart(n, i);
          range.setEnd(n, i + word.length);
          const r = range.getBoundingClientRect();
          return { x: r.x, y: r.y, width: r.width, height: r.height };
        }
      }
      return null;
    },
    [lineText, word],
  );
}

function shot(page, run, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${run}-${name}.png`);
  return page.screenshot({ path: file }).then(() => file);
}

/** A shape's dimensions, however it is written: "[32, 64, 56, 56]" (PyTorch, hints) or "32×64×56×56" (panel). */
const dims = (shape) => (shape.match(/\d+/g) ?? []).join(',');

/** The layer table of the panel's webview, row by row. */
function panelFrame(page) {
  return page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
}
async function panelRows(page) {
  const rows = panelFrame(page).locator('table.layers tbody tr');
  return rows.evaluateAll((trs) =>
    trs.map((tr) => {
      const text = (sel) => tr.querySelector(sel)?.textContent?.replace(/\u00a0/g, ' ').trim() ?? '';
      return {
        name: text('.col-name .name'),
        cls: text('.col-name .class-name'),
        in: text('.col-shape .shape-in'),
        out: text('.col-shape .shape-out'),
        params: text('.col-params'),
        paramsTitle: tr.querySelector('.col-params')?.getAttribute('title') ?? '',
        level: Number(tr.getAttribute('aria-level')),
      };
    }),
  );
}

// ------------------------------------------------------------------------------------------ a run
/** The installed extension's folder in the run's extensions dir. */
function installedFolder(extensionsDir) {
  const name = readdirSync(extensionsDir).find((f) => f.toLowerCase().startsWith(`${EXTENSION_ID.toLowerCase()}-`));
  return name ? path.join(extensionsDir, name) : null;
}

async function uiRun(run, vsix) {
  const t0 = Date.now();
  console.log(`${run === 'dev' ? 'development build (extensionDevelopmentPath)' : `installed VSIX (${path.basename(vsix)})`}`);
  mkdirSync(ARTIFACTS, { recursive: true });
  for (const f of readdirSync(ARTIFACTS)) if (f.startsWith(`${run}-`) && f.endsWith('.png')) rmSync(path.join(ARTIFACTS, f));
  const tmp = makeTmpDir('tt-ui-');
  const workspace = path.join(tmp, 'workspace');
  mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
  copyFileSync(path.join(SEED_DIR, 'residual_block.py'), path.join(workspace, 'residual_block.py'));
  // Only the command traces: hints that appear prove that "Trace This File" ran.
  const wsSettings = { 'tensorTrace.autoTrace': 'off' };
  if (run === 'vsix') wsSettings['tensorTrace.backend'] = 'wasm';
  writeFileSync(path.join(workspace, '.vscode', 'settings.json'), JSON.stringify(wsSettings, null, 2));
  const profile = makeProfile(tmp, {
    settings: {
      'workbench.startupEditor': 'none',
      'workbench.tips.enabled': false,
      'workbench.enableExperiments': false,
      'extensions.ignoreRecommendations': true,
      'extensions.autoCheckUpdates': false,
      'extensions.autoUpdate': false,
      'telemetry.telemetryLevel': 'off',
      'update.mode': 'none',
      'editor.minimap.enabled': false,
      'chat.commandCenter.enabled': false,
    },
  });

  let folder = null;
  if (run === 'vsix') {
    const ok = await check(run, `installs ${path.basename(vsix)} with code-server --install-extension`, () => {
      const out = installVsix(vsix, profile);
      folder = installedFolder(profile.dirs.extensions);
      assert(folder, `no ${EXTENSION_ID}-* folder in the extensions dir after installing:\n${out}`);
      return path.basename(folder);
    });
    if (!ok) return;
  }

  const cs = await startCodeServer({ workspace, profile });
  const { page } = await launchBrowser({ profile, viewport: VIEWPORT });
  current.page = page;
  const payload = run === 'dev' ? [['extensionDevelopmentPath', cs.remote(ROOT)]] : [];
  await page.goto(workbenchUrl(cs.host, workspace, payload), { waitUntil: 'domcontentloaded', timeout: 120_000 });

  const opened = await check(run, 'opens residual_block.py from the Explorer', async () => {
    const item = page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'residual_block.py' });
    await item.waitFor({ timeout: 90_000 });
    await item.click();
    await page.locator('.part.editor .editor-instance .monaco-editor .view-line', { hasText: 'class ResidualBlock' }).waitFor({ timeout: 30_000 });
    // The Python language mode is what activates the extension (onLanguage:python).
    await page.locator('.statusbar-item', { hasText: /^Python$/ }).first().waitFor({ timeout: 30_000 });
    const before = await renderedLines(page);
    assert(before.every((l) => l.hints.length === 0), `hints before any trace: ${JSON.stringify(before.filter((l) => l.hints.length))}`);
  });
  if (!opened) return;

  const traced = await check(run, 'Trace This File (palette) shows PyTorch’s shapes as inline hints', async () => {
    // The palette lists the command once the extension has registered it.
    await runCommand(page, 'Tensor Trace: Trace This File');
    // Bring forward() into view; the hint of each line must match what PyTorch printed for it.
    const inForward = HINTS.filter((h) => /^\s/.test(SEED_PY.split('\n')[h.line - 1]));
    const inScript = HINTS.filter((h) => !inForward.includes(h));
    const target = SEED_PY.split('\n').findIndex((l) => l.includes('difference = out - identity')) + 1;
    await goToLine(page, target);
    let lines = [];
    await poll(async () => missingHints((lines = await renderedLines(page)), inForward).length === 0, 30_000);
    let report = missingHints(lines, inForward);
    assert(report.length === 0, report.join('\n'));
    // Also the residual addition's label (a projection shortcut here: 1×1 conv, stride 2).
    const add = lines.find((l) => l.source.trim() === 'out += identity');
    assert(add?.hints.some((x) => /proj/.test(x)), `out += identity: hints ${JSON.stringify(add?.hints)}`);
    await page.mouse.move(5, VIEWPORT.height / 2); // no hover in the picture
    const file = await shot(page, run, 'editor-hints');
    // The script's lines at the end of the file.
    await goToLine(page, Math.round((inScript[0].line + inScript[inScript.length - 1].line) / 2));
    await poll(async () => missingHints((lines = await renderedLines(page)), inScript).length === 0, 10_000);
    report = missingHints(lines, inScript);
    assert(report.length === 0, report.join('\n'));
    await goToLine(page, target);
    return `${HINTS.length} lines checked against PyTorch's output; ${path.relative(ROOT, file)}`;
  });

  if (traced) {
    await check(run, 'hovering conv1 in forward() shows its input → output shape, class and parameters', async () => {
      const box = await wordBox(page, 'out = self.conv1(x)', 'conv1');
      assert(box, 'the line `out = self.conv1(x)` is not rendered');
      const hover = page.locator('.monaco-hover-content:visible').first();
      // The workbench shows a hover only after the pointer rests on the word, and closes it when the editor
      // re-renders underneath; a user who sees none (or sees it go) moves away and back. Do the same, a few
      // times, before concluding that no hover came.
      let attempts = 0;
      let last = '';
      const text = nbsp(await poll(async () => {
        if (!(await hover.isVisible())) {
          attempts++;
          await page.mouse.move(box.x + box.width / 2 - 20, box.y + box.height / 2 + 40);
          await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 4 });
          if (!(await hover.waitFor({ state: 'visible', timeout: 8_000 }).then(() => true, () => false))) return '';
        }
        last = await hover.innerText({ timeout: 2_000 }).catch(() => last);
        return last.includes('→') ? last : '';
      }, 40_000) || last);
      assert(text, `no hover appeared over conv1 after ${attempts} attempts`);
      for (const want of [`${IN} → ${LAYERS[0].out}`, 'Conv2d(64, 128', '73,728']) assert(text.includes(want), `hover lacks ${JSON.stringify(want)}:\n${text}`);
      const file = await shot(page, run, 'hover');
      await page.keyboard.press('Escape');
      await page.mouse.move(5, VIEWPORT.height / 2);
      return `${path.relative(ROOT, file)} (pointer moved onto conv1 ${attempts} time${attempts === 1 ? '' : 's'})`;
    });

    await check(run, 'Show Panel (palette) lists the layers with their shapes and parameters', async () => {
      await runCommand(page, 'Tensor Trace: Show Panel');
      const frame = panelFrame(page);
      await frame.locator('table.layers tbody tr').first().waitFor({ timeout: 30_000 });
      let rows = [];
      await poll(async () => {
        rows = await panelRows(page);
        return LAYERS.every((l) => rows.some((r) => r.name === l.name));
      }, 15_000);
      const problems = [];
      for (const l of LAYERS) {
        const r = rows.find((x) => x.name === l.name);
        if (!r) {
          problems.push(`no row ${l.name}`);
          continue;
        }
        if (r.cls !== l.cls) problems.push(`${l.name}: class ${r.cls}, expected ${l.cls}`);
        if (dims(r.in) !== dims(l.in)) problems.push(`${l.name}: in ${r.in}, expected ${l.in}`);
        if (dims(r.out) !== dims(l.out)) problems.push(`${l.name}: out ${r.out}, expected ${l.out}`);
        const full = Number((r.paramsTitle || r.params).replace(/[^\d]/g, ''));
        if (full !== l.params) problems.push(`${l.name}: params ${r.params} (${r.paramsTitle}), expected ${l.params}`);
      }
      const root = rows.find((r) => r.level === 1);
      if (!root) problems.push('no root row');
      else {
        if (root.name !== 'ResidualBlock') problems.push(`root row ${root.name}, expected ResidualBlock`);
        if (!(root.paramsTitle.includes('230,144') || /^230(\.1)?K$/.test(root.params))) problems.push(`root params ${root.params} (${root.paramsTitle}), expected 230,144`);
        if (dims(root.in) !== dims(IN) || dims(root.out) !== dims(OUT)) problems.push(`root shapes ${root.in} → ${root.out}, expected ${IN} → ${OUT}`);
      }
      assert(problems.length === 0, `${problems.join('\n')}\nrows: ${JSON.stringify(rows, null, 1)}`);
      // A side bar wide enough for the table, as a user would drag it, for the picture.
      await widenSideBar(page, 760);
      await frame.locator('table.layers').waitFor();
      await page.waitForTimeout(500);
      const file = await shot(page, run, 'panel');
      return `${rows.length} rows, root ${root.params} params; ${path.relative(ROOT, file)}`;
    });
  }

  if (run === 'vsix') {
    await check(run, 'the installed extension carries the wasm backend and no node_modules', () => {
      const wasm = path.join(folder, 'dist', 'wasm');
      const files = existsSync(wasm) ? readdirSync(wasm).filter((f) => f.endsWith('.wasm')).sort() : [];
      assert(
        ['tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm', 'tfjs-backend-wasm.wasm'].every((f) => files.includes(f)),
        `dist/wasm/ of ${folder} holds ${JSON.stringify(files)}`,
      );
      assert(!existsSync(path.join(folder, 'node_modules')), `${folder} has a node_modules folder`);
      assert(!readdirSync(path.join(folder, 'dist')).some((f) => f.endsWith('.map')), 'source maps in the package');
      // Minified: long lines (esbuild keeps the newlines of template literals only), no source map.
      const ext = readFileSync(path.join(folder, 'dist', 'extension.js'), 'utf8');
      const perLine = ext.length / ext.split('\n').length;
      assert(perLine > 300 && !ext.includes('sourceMappingURL'), `dist/extension.js is not a production build (${perLine.toFixed(0)} characters a line)`);
      return files.join(', ');
    });

    if (traced) {
      await check(run, 'a numeric trace (backend "wasm") loads tfjs’s .wasm files from the installed extension', async () => {
        // The python editor must be the active one for the command to be offered.
        await page.locator('.part.editor .tab', { hasText: 'residual_block.py' }).first().click();
        await runCommand(page, 'Tensor Trace: Run Numeric Trace (Values and Gradients)');
        const outcome = await poll(async () => {
          const toasts = nbsp((await page.locator('.notifications-toasts').innerText().catch(() => '')) || '');
          if (/numeric engine .* could not be loaded/.test(toasts)) return { unavailable: toasts.trim() };
          if (/Tensor Trace:/.test(toasts) && /error|fail/i.test(toasts)) return { error: toasts.trim() };
          const mode = await panelFrame(page).locator('.mode').first().innerText({ timeout: 1000 }).catch(() => '');
          if (/numeric/.test(mode)) {
            const title = (await panelFrame(page).locator('.mode').first().getAttribute('title').catch(() => '')) ?? '';
            return { mode: nbsp(mode), title };
          }
          return null;
        }, 180_000, 500);
        assert(!outcome?.unavailable, outcome?.unavailable);
        assert(outcome, 'no numeric result, error or "unavailable" message within 180 s');
        assert(!outcome.error, outcome.error);
        // No node_modules is reachable from the installed folder: a wasm backend can only have read dist/wasm/.
        assert(/numeric · wasm/.test(outcome.mode), `panel shows "${outcome.mode}" (${outcome.title}), expected numeric · wasm`);
        await shot(page, run, 'numeric');
        return `${outcome.mode}: ${outcome.title}`;
      });

      await check(run, 'the Gradients tab shows the gradient flow and the output gradient as PyTorch prints it', async () => {
        const frame = panelFrame(page);
        await frame.locator('#tab-gradients').click();
        await frame.locator('#panel-gradients svg').first().waitFor({ timeout: 20_000 });
        // 1 / numel of the seed's [32, 128, 28, 28] output after the final ReLU mean: PyTorch prints exactly this.
        const expected = 'tensor([3.1140e-07, 3.1140e-07, 3.1140e-07, 3.1140e-07, 3.1140e-07])';
        const text = nbsp(await frame.locator('#panel-gradients').innerText());
        assert(text.includes(expected), `the Gradients tab does not show ${expected}:\n${text.slice(0, 800)}`);
        await shot(page, run, 'gradients');
        return 'gradient chart and output gradient shown';
      });
    }
  }
  current.page = null;
  log(`${run} run took ${secondsSince(t0)}`);
}

/** Drags the sash between the side bar and the editor to make the side bar `width` px wide. */
async function widenSideBar(page, width) {
  const side = await page.locator('.part.sidebar').boundingBox();
  if (!side || side.width >= width) return;
  const x = side.x + side.width;
  const y = side.y + side.height / 2;
  await page.mouse.move(x - 1, y);
  await page.mouse.down();
  await page.mouse.move(side.x + width, y, { steps: 10 });
  await page.mouse.up();
}

// ------------------------------------------------------------------------------------------ main
async function main() {
  const runs = only ? [only] : ['dev', 'vsix'];
  console.log(`UI test: ${runs.join(' + ')}; seed from ${SEED_DIR}; expected hints: ${HINTS.map((h) => `${h.code} ${h.shape}`).join('; ')}`);
  ensureSystemPackages();
  await ensureCodeServer();
  if (runs.includes('dev')) {
    if (!existsSync(path.join(ROOT, 'dist', 'extension.js'))) {
      log('dist/extension.js is missing; building (node src/build/build.mjs)');
      const r = spawnSync(process.execPath, ['src/build/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
      if (r.status !== 0) throw new Error('build failed');
    }
    try {
      await uiRun('dev');
    } finally {
      await cleanup();
    }
  }
  if (runs.includes('vsix')) {
    let vsix = vsixArg;
    if (!vsix) {
      const dir = makeTmpDir('tt-ui-vsix-');
      vsix = path.join(dir, `${pkg.name}-${pkg.version}.vsix`);
      const ok = await check('vsix', 'packages the extension (vsce package --no-dependencies, production build)', () => {
        const { bytes } = packageVsix(vsix);
        assert(bytes < 15 * 1024 * 1024, `${(bytes / 1048576).toFixed(2)} MB, over 15 MB`);
        return `${(bytes / 1048576).toFixed(2)} MB`;
      });
      if (!ok) vsix = null;
    }
    try {
      if (vsix) await uiRun('vsix', vsix);
    } finally {
      await cleanup();
    }
  }
}

const t = Date.now();
let timer;
try {
  await Promise.race([
    main(),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`TIMED OUT after ${timeoutSec} s (TT_UI_TIMEOUT)`)), timeoutSec * 1000);
    }),
  ]);
} catch (err) {
  results.push({ state: 'failed' });
  console.log(`  ✗ ${String(err?.stack ?? err).replace(/\n/g, '\n      ')}`);
} finally {
  clearTimeout(timer);
  await cleanup();
}
const passes = results.filter((r) => r.state === 'passed').length;
const failures = results.filter((r) => r.state === 'failed').length;
const pending = results.filter((r) => r.state === 'pending').length;
if (process.env.TT_SUMMARY_FILE) appendFileSync(process.env.TT_SUMMARY_FILE, `${JSON.stringify({ passes, failures, pending })}\n`);
log(`done in ${secondsSince(t)}`);
console.log(`\n${passes} passed, ${failures} failed${pending ? `, ${pending} skipped` : ''}`);
process.exit(failures > 0 || passes === 0 ? 1 : 0);
