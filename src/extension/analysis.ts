// The one analysis cache: the latest trace of each file or notebook, keyed by URI and checked against the
// document version, plus the debounced scheduling that keeps it fresh as you type. Every feature reads it.

import * as vscode from 'vscode';
import type { TraceResult } from '../core/trace/types';
import type { TraceClient, TraceMode, TraceOutcome } from '../host/traceClient';
import type { SyntaxFacts, TraceJob } from '../worker/protocol';
import { readConfig } from './config';
import type { Ctx } from './context';
import { mentionsTorch, notebookOfCell, targetForDocument, targetForNotebook, type TraceTarget } from './targets';

/** A class to trace with chosen constructor arguments and input shapes (Trace Module Under Cursor…). */
export interface EntrySpec {
  className: string;
  /** Constructor argument source, e.g. `64, 128, stride=2`. */
  args: string;
  inputs: number[][];
}

export const entryExpr = (e: EntrySpec) => `${e.className}(${e.args})`;
const entryId = (e: EntrySpec | undefined) => (e ? `${entryExpr(e)}@${JSON.stringify(e.inputs)}` : '');

export interface Analysis {
  readonly target: TraceTarget;
  readonly mode: TraceMode;
  readonly entry: EntrySpec | undefined;
  readonly result: TraceResult;
  /** Syntax facts by engine file path (the traced file and the files it imported). */
  readonly syntax: Record<string, SyntaxFacts>;
  /** sha1 of every file the run read, by path. */
  readonly sources: Record<string, string>;
  /** Wall time of the run as the host saw it (queue excluded), ms. */
  readonly ms: number;
  /** Of that, the time in the worker (engine plus the syntax facts), ms. */
  readonly workerMs: number;
  readonly at: number;
  /** PyTorch code: the traced text imports torch (for a notebook, some cell does). Nothing is shown otherwise. */
  readonly isTorch: boolean;
  /** The same program traced with every skip connection removed, after a comparison. */
  noSkip?: TraceResult;
}

export type Busy = { kind: 'symbolic' | 'numeric' | 'compare'; message: string };

export interface RunOptions {
  mode: TraceMode;
  /** Why it runs: 'type', 'save', 'open', 'command'… (for the log; commands always log the script's output). */
  reason: string;
  busy?: Busy;
  token?: vscode.CancellationToken;
  onProgress?: (message: string, fraction: number | null) => void;
  /** Replace the traced text of files (the target's own file included) for this run only; the result is not cached. */
  rewrite?: { text?: string; overlay?: Array<[string, string]> };
}

export interface RunResult {
  outcome: TraceOutcome;
  analysis?: Analysis;
}

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
}

interface Slot {
  latest?: Analysis;
  entry?: EntrySpec;
  timer?: NodeJS.Timeout;
  /** Resolved when the scheduled run is done. */
  waiting?: Deferred;
  /** The cached (non-rewrite) run in progress, whoever started it: what it traces and when it is done. */
  current?: { version: string; entry: string; done: Promise<unknown> };
  busy?: Busy;
  running: number;
  lastStdout?: string;
}

function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

export class AnalysisService implements vscode.Disposable {
  private readonly slots = new Map<string, Slot>();
  private readonly didAnalyze = new vscode.EventEmitter<Analysis>();
  private readonly didChangeBusy = new vscode.EventEmitter<string>();
  private readonly didClear = new vscode.EventEmitter<string>();
  /** A new analysis is in the cache (or a comparison was added to one). */
  readonly onDidAnalyze = this.didAnalyze.event;
  /** A run started or ended for a key. */
  readonly onDidChangeBusy = this.didChangeBusy.event;
  /** A key's analysis was dropped (document closed, no longer PyTorch code). */
  readonly onDidClear = this.didClear.event;

  constructor(
    private readonly ctx: Ctx,
    private readonly client: TraceClient,
    private readonly log: vscode.LogOutputChannel,
  ) {
    ctx.add(this.didAnalyze);
    ctx.add(this.didChangeBusy);
    ctx.add(this.didClear);
  }

  /** The latest analysis of a key, whatever its version. */
  latest(key: string): Analysis | undefined {
    return this.slots.get(key)?.latest;
  }

  /** Every cached analysis, newest first. */
  all(): Analysis[] {
    return [...this.slots.values()]
      .map((s) => s.latest)
      .filter((a): a is Analysis => a !== undefined)
      .sort((a, b) => b.at - a.at);
  }

  busy(key: string): Busy | undefined {
    return this.slots.get(key)?.busy;
  }

  entry(key: string): EntrySpec | undefined {
    return this.slots.get(key)?.entry;
  }

  setEntry(key: string, entry: EntrySpec | undefined): void {
    this.slot(key).entry = entry;
  }

  /** The cache key of a document (a cell's is its notebook's). */
  keyOf(doc: vscode.TextDocument): string {
    return (notebookOfCell(doc)?.uri ?? doc.uri).toString();
  }

  /** Whether the latest analysis of the target is for its current text and entry. */
  isFresh(target: TraceTarget): boolean {
    const s = this.slots.get(target.key);
    return !!s?.latest && s.latest.target.version === target.version && entryId(s.latest.entry) === entryId(s.entry);
  }

  /** Waits (bounded by the token) until a scheduled or running trace of the document's current text is done. */
  async settled(doc: vscode.TextDocument, token?: vscode.CancellationToken): Promise<void> {
    const slot = this.slots.get(this.keyOf(doc));
    const waiting = slot?.waiting?.promise ?? slot?.current?.done;
    if (!waiting) return;
    if (!token) {
      await waiting;
      return;
    }
    let sub: vscode.Disposable | undefined;
    await Promise.race([waiting, new Promise<void>((r) => (sub = token.onCancellationRequested(() => r())))]);
    sub?.dispose();
  }

  /**
   * What providers call before reading the cache: starts a trace of a document nobody traced yet (per
   * tensorTrace.autoTrace) and waits for a scheduled or running one.
   */
  async ensure(doc: vscode.TextDocument, token?: vscode.CancellationToken): Promise<void> {
    const key = this.keyOf(doc);
    const slot = this.slots.get(key);
    if (!slot?.waiting) {
      const mode = readConfig(doc.uri).autoTrace;
      const wanted = mode === 'onType' || (mode === 'onSave' && !slot?.latest);
      const target = wanted ? targetForDocument(doc) : undefined;
      const running = target && this.runningFor(target);
      if (target && !running && mentionsTorch(target) && !this.isFresh(target)) this.schedule(target, 0, 'open');
    }
    await this.settled(doc, token);
  }

  /** Schedules a symbolic trace of the target after `delayMs`, replacing one already scheduled. */
  schedule(target: TraceTarget, delayMs: number, reason: string): void {
    const slot = this.slot(target.key);
    slot.waiting ??= deferred();
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = setTimeout(() => void this.fire(target, reason), delayMs);
  }

  private async fire(scheduled: TraceTarget, reason: string): Promise<void> {
    const slot = this.slot(scheduled.key);
    slot.timer = undefined;
    const waiting = slot.waiting ?? deferred();
    slot.waiting = undefined;
    try {
      const target = this.refresh(scheduled);
      if (!target || !mentionsTorch(target)) {
        this.clear(scheduled.key);
        return;
      }
      if (this.isFresh(target)) return;
      // A command may be tracing this very text already: wait for it instead of queueing the same work.
      if (this.runningFor(target)) {
        await slot.current?.done;
        return;
      }
      await this.run(target, { mode: 'symbolic', reason });
    } finally {
      waiting.resolve();
    }
  }

  /** Whether a cached run of this exact text and entry is in progress. */
  private runningFor(target: TraceTarget): boolean {
    const s = this.slots.get(target.key);
    return !!s?.current && s.current.version === target.version && s.current.entry === entryId(s.entry);
  }

  /** The target rebuilt from the open document or notebook, so a delayed run sees the latest text. */
  private refresh(t: TraceTarget): TraceTarget | undefined {
    if (t.kind === 'notebook') {
      const nb = vscode.workspace.notebookDocuments.find((n) => n.uri.toString() === t.key);
      return nb ? targetForNotebook(nb) : undefined;
    }
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === t.key);
    return doc ? targetForDocument(doc) : undefined;
  }

  /** Runs a trace now (queued behind a running one). Cached unless it is a rewrite. */
  async run(target: TraceTarget, options: RunOptions): Promise<RunResult> {
    const slot = this.slot(target.key);
    const bucket = this.ctx.run(`${options.mode} trace of ${target.name}`);
    const config = readConfig(target.uri);
    const abort = bucket.abortController();
    if (options.token) bucket.add(options.token.onCancellationRequested(() => abort.abort()));
    const busy = options.busy ?? { kind: options.mode, message: `Tracing ${target.name}…` };
    slot.running++;
    slot.busy = busy;
    this.didChangeBusy.fire(target.key);
    const entry = slot.entry;
    const overlay = this.overlay(target);
    if (options.rewrite?.overlay) {
      const over = new Map(overlay);
      for (const [file, text] of options.rewrite.overlay) over.set(file, text);
      overlay.splice(0, overlay.length, ...over);
    }
    const timeLimitMs = options.mode === 'numeric' ? config.numericTimeLimitMs : config.timeLimitMs;
    const job: TraceJob = {
      file: target.file,
      text: options.rewrite?.text ?? target.map.text,
      roots: target.roots,
      overlay,
      ...(entry ? { entry: { expr: entryExpr(entry), inputs: entry.inputs } } : {}),
      limits: { timeMs: timeLimitMs, memoryBytes: config.memoryLimitMB * 1024 * 1024 },
    };
    let done!: () => void;
    const current = { version: target.version, entry: entryId(entry), done: new Promise<void>((r) => (done = r)) };
    if (!options.rewrite) slot.current = current;
    try {
      const outcome = await this.client.run(job, {
        mode: options.mode,
        backend: config.backend,
        ...(config.tfjsNodePath ? { tfjsNodePath: config.tfjsNodePath } : {}),
        key: options.rewrite ? undefined : target.key,
        // The engine stops itself at timeLimitMs; the host only steps in when it does not.
        timeoutMs: timeLimitMs + (options.mode === 'numeric' ? 10_000 : 3_000),
        signal: abort.signal,
        onProgress: options.onProgress,
      });
      if (outcome.kind !== 'done') {
        this.logOutcome(target, outcome);
        return { outcome };
      }
      const analysis: Analysis = {
        target,
        mode: options.mode,
        entry,
        result: outcome.result,
        syntax: outcome.syntax,
        sources: outcome.sources,
        ms: outcome.ms,
        workerMs: outcome.workerMs,
        at: Date.now(),
        isTorch: outcome.syntax[target.file]?.importsTorch ?? false,
      };
      this.logResult(slot, analysis, options);
      if (options.rewrite) return { outcome, analysis };
      slot.latest = analysis;
      this.didAnalyze.fire(analysis);
      return { outcome, analysis };
    } finally {
      if (slot.current === current) slot.current = undefined;
      done();
      slot.running--;
      if (slot.running === 0) slot.busy = undefined;
      this.didChangeBusy.fire(target.key);
      bucket.dispose();
    }
  }

  /** Attaches a no-skip comparison to the latest analysis of a key. */
  attachComparison(key: string, noSkip: TraceResult): void {
    const a = this.slots.get(key)?.latest;
    if (!a) return;
    a.noSkip = noSkip;
    this.didAnalyze.fire(a);
  }

  /** Drops a key's analysis and any scheduled run. */
  clear(key: string): void {
    const slot = this.slots.get(key);
    if (!slot) return;
    if (slot.timer) clearTimeout(slot.timer);
    slot.waiting?.resolve();
    const had = slot.latest !== undefined;
    if (slot.running === 0) this.slots.delete(key);
    else slot.latest = undefined;
    if (had) this.didClear.fire(key);
  }

  /** Unsaved text of other open Python files, so imports see what the user sees. */
  private overlay(target: TraceTarget): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    for (const d of vscode.workspace.textDocuments) {
      if (d.isDirty && d.uri.scheme === 'file' && d.languageId === 'python' && d.uri.fsPath !== target.file) out.push([d.uri.fsPath, d.getText()]);
    }
    return out;
  }

  private logOutcome(target: TraceTarget, outcome: Exclude<TraceOutcome, { kind: 'done' }>): void {
    switch (outcome.kind) {
      case 'timeout':
        this.log.warn(`${target.name}: the trace did not stop within its time limit (${outcome.ms.toFixed(0)} ms); the worker was restarted.`);
        break;
      case 'failed':
        this.log.error(`${target.name}: ${outcome.message}`);
        break;
      case 'unavailable':
        this.log.warn(`${target.name}: ${outcome.reason}`);
        break;
      case 'cancelled':
        this.log.info(`${target.name}: trace cancelled.`);
        break;
      case 'superseded':
        this.log.trace(`${target.name}: trace superseded by a newer edit.`);
        break;
    }
  }

  private logResult(slot: Slot, a: Analysis, options: RunOptions): void {
    const r = a.result;
    const status = r.error ? `stopped at line ${r.error.location.line}: ${r.error.message.split('\n')[0]}` : 'ran to the end';
    this.log.info(
      `${options.mode} trace of ${a.target.name}${options.rewrite ? ' (without skip connections)' : ''} (${options.reason}): ` +
        `${r.modules.length} module calls, ${r.skips.length} skip connections, ${status}; ${r.timings.totalMs.toFixed(0)} ms in the engine, ${a.ms.toFixed(0)} ms in all`,
    );
    // The script's own prints: always for commands, otherwise only when they changed (typing would repeat them).
    if (r.stdout && (options.reason === 'command' || (r.stdout !== slot.lastStdout && !options.rewrite))) {
      this.log.info(`--- output of ${a.target.name} ---\n${r.stdout.trimEnd()}`);
    }
    if (!options.rewrite) slot.lastStdout = r.stdout;
  }

  private slot(key: string): Slot {
    let s = this.slots.get(key);
    if (!s) this.slots.set(key, (s = { running: 0 }));
    return s;
  }

  dispose(): void {
    for (const s of this.slots.values()) {
      if (s.timer) clearTimeout(s.timer);
      s.waiting?.resolve();
    }
    this.slots.clear();
  }
}
