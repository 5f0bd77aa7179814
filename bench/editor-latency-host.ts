// The part of bench/editor-latency.mjs that runs inside VS Code's extension host (loaded as extensionTestsPath;
// bundled by the driver to bench/.cache/editor-latency-host.js). Measures, with the editor's own commands:
//   1. activation: ext.activate() of the not yet active extension (wall, bundle load included) and the time
//      activate() itself reports (exports.activationMs);
//   2. typing: keystrokes into a 300-line model (editor.edit, one character at a time, 60 ms apart) until the
//      inline hints (vscode.executeInlayHintProvider, polled) show the new shape; reported from the last
//      keystroke and from the end of the tensorTrace.debounceMs quiet time that follows it;
//   3. during three numeric traces: the longest extension-host event-loop stall (perf_hooks.monitorEventLoopDelay
//      plus a 1 ms setInterval drift monitor) and, from a CPU profile of the host's thread, the longest stretch
//      of the extension's own code, told apart from other extensions' work on the same thread.
// Results go to the JSON file named by TT_BENCH_OUTPUT. With TT_BENCH_PROFILE=FILE, the typing is profiled too
// and the profiles are written beside FILE (FILE-<step>.cpuprofile, for DevTools).
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as vscode from 'vscode';

interface Api {
  activationMs: number;
  workerStarts(): number;
}
interface TraceSummary {
  outcome: string;
  mode: string;
  modules: number;
  params: number;
  error: string | null;
  ms: number;
  workerMs: number;
  engineMs: number;
}

const out: Record<string, unknown> = {};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];

function folder(): vscode.Uri {
  const f = vscode.workspace.workspaceFolders?.[0];
  if (!f) throw new Error('no workspace folder');
  return f.uri;
}

function label(h: vscode.InlayHint): string {
  return typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join('');
}

async function hintsOn(doc: vscode.TextDocument, line: number): Promise<string[]> {
  const hints = (await vscode.commands.executeCommand<vscode.InlayHint[]>('vscode.executeInlayHintProvider', doc.uri, new vscode.Range(line, 0, line + 1, 0))) ?? [];
  return hints.filter((h) => h.position.line === line).map(label);
}

function lineOf(doc: vscode.TextDocument, text: string): number {
  for (let i = 0; i < doc.lineCount; i++) if (doc.lineAt(i).text.includes(text)) return i;
  throw new Error(`no line with ${JSON.stringify(text)} in ${doc.uri.path}`);
}

/** Longest stall of this thread while `work` runs: event-loop delay histogram and a 1 ms interval's drift. */
async function stalls<T>(work: () => Promise<T>): Promise<{ result: T; maxDelayMs: number; p99DelayMs: number; maxDriftMs: number }> {
  const h = monitorEventLoopDelay({ resolution: 1 });
  let last = performance.now();
  let maxDrift = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    maxDrift = Math.max(maxDrift, now - last - 1);
    last = now;
  }, 1);
  h.enable();
  try {
    const result = await work();
    await sleep(20); // let a stall at the very end show up in both monitors
    return { result, maxDelayMs: h.max / 1e6, p99DelayMs: h.percentile(99) / 1e6, maxDriftMs: maxDrift };
  } finally {
    h.disable();
    clearInterval(timer);
  }
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
/** A frame's label: function name and script:line. */
function frameKey(f: ProfileNode['callFrame']): string {
  const script = f.url.replace(/^.*\/(extensions|out|dist)\//, '$1/').replace(/^file:\/\//, '');
  return `${f.functionName || '(anonymous)'} ${f.url ? `${script}:${f.lineNumber + 1}` : ''}`.trim();
}

/**
 * Splits the samples into busy stretches (consecutive non-idle samples: what an event-loop stall is made of) and
 * finds the longest one and the one with the most Tensor Trace code in it. A sample is Tensor Trace's when any
 * frame on its stack is from the extension's own folder; a garbage-collector sample counts for whoever ran the
 * sample before it. Both stretches list the functions that spent the most time in them, counted inclusively.
 */
function busyStretches(profile: { samples: number[]; timeDeltas: number[]; nodes: ProfileNode[] }, ownDir: string) {
  const nodes = new Map<number, ProfileNode>(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of nodes.values()) for (const c of n.children ?? []) parent.set(c, n.id);
  const stackOf = (id: number) => {
    const frames: ProfileNode['callFrame'][] = [];
    for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) frames.push(nodes.get(n)!.callFrame);
    return frames;
  };
  interface Stretch { ms: number; ownMs: number; from: number; to: number }
  const stretches: Stretch[] = [];
  let cur: Stretch | undefined;
  let lastOwn = false;
  profile.samples.forEach((id, i) => {
    const f = nodes.get(id)!.callFrame;
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    if (f.functionName === '(idle)') {
      cur = undefined;
      lastOwn = false;
      return;
    }
    if (!cur) stretches.push((cur = { ms: 0, ownMs: 0, from: i, to: i }));
    const own = f.functionName === '(garbage collector)' ? lastOwn : stackOf(id).some((fr) => fr.url.includes(ownDir));
    cur.ms += ms;
    cur.to = i;
    if (own) cur.ownMs += ms;
    lastOwn = own;
  });
  const describe = (s: Stretch | undefined) => {
    if (!s) return { ms: 0, ownMs: 0, inclusive: [] };
    const incl = new Map<string, number>();
    for (let i = s.from; i <= s.to; i++) {
      const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
      for (const key of new Set(stackOf(profile.samples[i]).map(frameKey))) if (key !== '(root)') incl.set(key, (incl.get(key) ?? 0) + ms);
    }
    const inclusive = [...incl.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 15)
      .map(([fn, ms]) => ({ fn, ms: Math.round(ms * 10) / 10 }));
    return { ms: Math.round(s.ms * 10) / 10, ownMs: Math.round(s.ownMs * 10) / 10, inclusive };
  };
  const longest = stretches.reduce<Stretch | undefined>((a, b) => (!a || b.ms > a.ms ? b : a), undefined);
  const mostOwn = stretches.reduce<Stretch | undefined>((a, b) => (!a || b.ownMs > a.ownMs ? b : a), undefined);
  return { longest: describe(longest), mostOwn: describe(mostOwn) };
}

/**
 * CPU-profiles the extension host's main thread while `work` runs: always when `attribute` is set (to tell the
 * extension's own blocking apart from other extensions'), otherwise only when TT_BENCH_PROFILE names a file (the
 * profile is then written beside it, for DevTools).
 */
async function profiled<T>(label: string, work: () => Promise<T>, attribute = false): Promise<T> {
  const file = process.env.TT_BENCH_PROFILE;
  if (!file && !attribute) return work();
  const session = new Session();
  session.connect();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the inspector protocol's results are untyped here
  const post = (method: string, params?: object) =>
    new Promise<any>((resolve, reject) => session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 200 });
  await post('Profiler.start');
  try {
    return await work();
  } finally {
    const { profile } = await post('Profiler.stop');
    session.disconnect();
    if (file) writeFileSync(file.replace(/(\.cpuprofile)?$/, `-${label}.cpuprofile`), JSON.stringify(profile));
    // Self time per function from the samples and their time deltas; the inspector session's own dispatch
    // (Profiler.stop building the profile) is not the editor's work.
    const nodes = new Map<number, ProfileNode>(profile.nodes.map((n: ProfileNode) => [n.id, n]));
    const self = new Map<string, number>();
    (profile.samples as number[]).forEach((id, i) => {
      const f = nodes.get(id)!.callFrame;
      const key = f.functionName === 'dispatch' && !f.url ? '(the profiler itself)' : frameKey(f);
      self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
    });
    const top = [...self.entries()]
      .filter(([name]) => name !== '(idle)' && name !== '(program)')
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12)
      .map(([fn, ms]) => ({ fn, ms: Math.round(ms * 10) / 10 }));
    ((out.profiles ??= {}) as Record<string, unknown>)[label] = { top, ...busyStretches(profile, ownDir) };
  }
}

/** The folder of the extension under test: its frames are Tensor Trace's own work on the host thread. */
let ownDir = '/dist/';

async function activation(id: string): Promise<void> {
  const ext = vscode.extensions.getExtension<Api>(id);
  if (!ext) throw new Error(`extension ${id} not found`);
  ownDir = `${ext.extensionPath}/dist/`;
  const wasActive = ext.isActive;
  const t0 = performance.now();
  await ext.activate();
  out.activation = {
    wasActive,
    activateWallMs: performance.now() - t0,
    activateMs: ext.exports.activationMs,
    workerStartsAfterActivation: ext.exports.workerStarts(),
  };
}

/** Rounds of typing: enough that the median is stable from run to run (the first rounds find the JIT cold). */
const TYPING_ROUNDS = 30;

async function typing(): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder(), 'model_300.py'));
  const editor = await vscode.window.showTextDocument(doc, { preview: false });
  const config = vscode.workspace.getConfiguration('tensorTrace', doc.uri);
  const debounceMs = config.get<number>('debounceMs', 300);
  const inputLine = lineOf(doc, 'x = torch.randn(');
  const target = lineOf(doc, 'logits = model(x)');
  // The first trace starts the worker and loads the engine.
  const tFirst = performance.now();
  const first = await vscode.commands.executeCommand<TraceSummary>('tensorTrace.traceFile', doc.uri);
  out.firstTrace = { wallMs: performance.now() - tFirst, engineMs: first?.ms, outcome: first?.outcome, modules: first?.modules, lines: doc.lineCount };
  // Warm traces of the same file: the engine's share of the typing latency.
  const warm: number[] = [];
  const warmWall: number[] = [];
  const warmWorker: number[] = [];
  const warmEngine: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    const r = await vscode.commands.executeCommand<TraceSummary>('tensorTrace.traceFile', doc.uri);
    warmWall.push(performance.now() - t);
    warm.push(r?.ms ?? NaN);
    warmWorker.push(r?.workerMs ?? NaN);
    warmEngine.push(r?.engineMs ?? NaN);
  }
  out.warmTrace = { engineMsMedian: median(warmEngine), workerMsMedian: median(warmWorker), hostMsMedian: median(warm), wallMsMedian: median(warmWall) };
  const start = await hintsOn(doc, target);
  if (!start.some((h) => h.includes(', 1000]'))) throw new Error(`no logits hint before typing: ${JSON.stringify(start)}`);

  const samples: number[] = [];
  const polls: number[] = [];
  const typingStall: number[] = [];
  await profiled('typing', async () => {
    for (let i = 0; i < TYPING_ROUNDS; i++) {
      const batch = String(10 + ((i * 7) % 89)); // two keystrokes: a new two-digit batch size each round
      const text = doc.lineAt(inputLine).text;
      const open = text.indexOf('(') + 1;
      const comma = text.indexOf(',', open);
      const s = await stalls(async () => {
        // Select the old batch size, then type the new one a key at a time, 60 ms apart.
        await editor.edit((b) => b.delete(new vscode.Range(inputLine, open, inputLine, comma)));
        let col = open;
        let tLast = 0;
        for (const ch of batch) {
          await sleep(60);
          await editor.edit((b) => b.insert(new vscode.Position(inputLine, col), ch));
          tLast = performance.now();
          col++;
        }
        // Poll the hints until the logits line shows the new batch size.
        let n = 0;
        for (;;) {
          n++;
          const hints = await hintsOn(doc, target);
          if (hints.some((h) => h.includes(`[${batch}, 1000]`))) break;
          if (performance.now() - tLast > 15_000) throw new Error(`hints did not update to batch ${batch}: ${JSON.stringify(hints)}`);
        }
        polls.push(n);
        return performance.now() - tLast;
      });
      samples.push(s.result);
      typingStall.push(s.maxDriftMs);
      await sleep(200);
    }
  });
  const afterPause = samples.map((x) => x - debounceMs);
  out.typing = {
    lines: doc.lineCount,
    rounds: samples.length,
    debounceMs,
    fromLastKeystrokeMs: { median: median(samples), p90: pct(samples, 90), max: Math.max(...samples), min: Math.min(...samples) },
    afterPauseMs: { median: median(afterPause), p90: pct(afterPause, 90), max: Math.max(...afterPause), min: Math.min(...afterPause) },
    pollsMedian: median(polls),
    afterPauseSamplesMs: afterPause.map((x) => Math.round(x)),
    afterPauseFirstTenMedianMs: median(afterPause.slice(0, 10)),
    afterPauseRestMedianMs: median(afterPause.slice(10)),
    hostStallWhileTypingMaxMs: Math.max(...typingStall),
    hostStallWhileTypingMedianMs: median(typingStall),
  };
  await vscode.commands.executeCommand('workbench.action.files.revert');
}

/**
 * Three numeric traces of a small model (the worker computes; the host receives progress and the result), under
 * the stall monitors and the CPU profiler, which tells the extension's own work apart from other extensions'.
 */
async function stallDuringNumericTrace(): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder(), 'model_numeric.py'));
  await vscode.window.showTextDocument(doc, { preview: false });
  await sleep(500); // let the editor's own reactions to opening the file (other extensions included) settle
  const runs: Array<{ maxDelayMs: number; p99DelayMs: number; maxDriftMs: number; ms: number }> = [];
  await profiled(
    'numeric',
    async () => {
      for (let i = 0; i < 3; i++) {
        const s = await stalls(() => Promise.resolve(vscode.commands.executeCommand<TraceSummary>('tensorTrace.runNumericTrace', doc.uri)));
        if (s.result?.outcome !== 'done') throw new Error(`numeric trace did not finish: ${JSON.stringify(s.result)}`);
        runs.push({ maxDelayMs: s.maxDelayMs, p99DelayMs: s.p99DelayMs, maxDriftMs: s.maxDriftMs, ms: s.result.ms });
      }
    },
    true,
  );
  out.stall = {
    during: 'numeric traces of model_numeric.py',
    traces: runs.length,
    traceMsMedian: median(runs.map((r) => r.ms)),
    maxDelayMs: Math.max(...runs.map((r) => r.maxDelayMs)),
    p99DelayMs: Math.max(...runs.map((r) => r.p99DelayMs)),
    maxDriftMs: Math.max(...runs.map((r) => r.maxDriftMs)),
    medianOfMaxDriftMs: median(runs.map((r) => r.maxDriftMs)),
  };
}

export async function run(): Promise<void> {
  const file = process.env.TT_BENCH_OUTPUT;
  const id = process.env.TT_EXTENSION_ID ?? 'tensor-trace.tensor-trace';
  try {
    await activation(id);
    await typing();
    await stallDuringNumericTrace();
    out.ok = true;
  } catch (err) {
    out.ok = false;
    out.error = String((err as Error)?.stack ?? err);
  }
  if (file) writeFileSync(file, JSON.stringify(out, null, 2));
  else console.log(JSON.stringify(out, null, 2));
  if (!out.ok) throw new Error(String(out.error));
}
