// The trace worker (bundled to dist/traceWorker.js): runs the engine off the extension host's thread, so a
// runaway script never blocks the editor; the host terminates and restarts it on cancel and on timeout.

import { createHash } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import { traceSource } from '../core/engine';
import { parseSource } from '../core/runtime/parseBridge';
import type { TraceResult } from '../core/trace/types';
import { createFileResolver, type SourceResolver } from '../host/fileResolver';
import { failingLocation } from '../host/projectionFix';
import { loadNumericEngine, numericUnavailableReason } from './numeric';
import { isWorkerRequest, type SyntaxFacts, type TraceJob, type WorkerMessage, type WorkerRequest } from './protocol';
import { computeSyntaxFacts, type FactTargets } from './syntaxFacts';

const port = parentPort;
if (!port) throw new Error('traceWorker.js must run as a worker_thread');

const post = (m: WorkerMessage) => port.postMessage(m);
const log = (level: 'trace' | 'debug' | 'info' | 'warn' | 'error', message: string) => post({ type: 'log', level, message });
const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');

const numeric = loadNumericEngine();
/** Abort controllers of running numeric requests, by id. */
const running = new Map<number, AbortController>();

/** A resolver that remembers every file it handed to the engine, so the host knows what a trace depends on. */
function recordingResolver(job: TraceJob): { resolver: SourceResolver; read: Map<string, string> } {
  const inner = createFileResolver(job.roots, new Map(job.overlay));
  const read = new Map<string, string>();
  return {
    read,
    resolver: {
      resolve(moduleName, level, fromFile) {
        const hit = inner.resolve(moduleName, level, fromFile);
        if (hit) read.set(hit.file, hit.text);
        return hit;
      },
    },
  };
}

/** Syntax facts of every file the trace read, with the spans the editor will ask about in each. */
function factsFor(result: TraceResult, files: Map<string, string>): Record<string, SyntaxFacts> {
  const targets = new Map<string, FactTargets>();
  const at = (file: string) => {
    let t = targets.get(file);
    if (!t) targets.set(file, (t = { addSites: [], ctorCalls: [] }));
    return t;
  };
  for (const s of result.skips) at(s.site.file).addSites.push(s.site.span);
  const diags = result.error ? [result.error, ...result.diagnostics] : result.diagnostics;
  for (const d of diags) {
    if (d.code !== 'skip-shape-mismatch') continue;
    const loc = failingLocation(d);
    at(loc.file).addSites.push(loc.span);
  }
  for (const m of result.modules) if (m.definedAt) at(m.definedAt.file).ctorCalls.push(m.definedAt.span);
  for (const u of result.unused) if (u.definedAt) at(u.definedAt.file).ctorCalls.push(u.definedAt.span);

  const out: Record<string, SyntaxFacts> = {};
  for (const [file, text] of files) {
    try {
      out[file] = computeSyntaxFacts(text, parseSource(text), targets.get(file) ?? { addSites: [], ctorCalls: [] });
    } catch (err) {
      log('warn', `syntax facts for ${file} failed: ${(err as Error)?.stack ?? String(err)}`);
    }
  }
  return out;
}

/** The engine's limits for a job: tensorTrace.memoryLimitMB bounds the largest tensor the run may create. */
function engineLimits(job: TraceJob): { timeMs: number; steps?: number; maxTensorBytes: number } {
  return { timeMs: job.limits.timeMs, maxTensorBytes: job.limits.memoryBytes, ...(job.limits.steps ? { steps: job.limits.steps } : {}) };
}

function finish(id: number, job: TraceJob, result: TraceResult, read: Map<string, string>, t0: number): void {
  const files = new Map<string, string>([[job.file, job.text], ...read]);
  const sources: Record<string, string> = {};
  for (const [file, text] of files) sources[file] = sha1(text);
  const syntax = factsFor(result, files);
  post({ type: 'done', id, result, syntax, sources, workerMs: performance.now() - t0 });
}

async function handle(req: WorkerRequest): Promise<void> {
  if (req.type === 'cancel') {
    running.get(req.id)?.abort();
    return;
  }
  const t0 = performance.now();
  const { job } = req;
  const { resolver, read } = recordingResolver(job);
  try {
    if (req.mode === 'symbolic') {
      const result = traceSource({ file: job.file, text: job.text, resolver, entry: job.entry, limits: engineLimits(job), mode: 'symbolic' });
      finish(req.id, job, result, read, t0);
      return;
    }
    if (!numeric) {
      post({ type: 'unavailable', id: req.id, reason: numericUnavailableReason });
      return;
    }
    const abort = new AbortController();
    running.set(req.id, abort);
    try {
      const result = await numeric(
        { file: job.file, text: job.text, resolver, entry: job.entry, limits: job.limits, backend: req.backend, tfjsNodePath: req.tfjsNodePath },
        { onProgress: (message, fraction) => post({ type: 'progress', id: req.id, message, fraction }), signal: abort.signal },
      );
      finish(req.id, job, result, read, t0);
    } finally {
      running.delete(req.id);
    }
  } catch (err) {
    post({ type: 'failed', id: req.id, message: (err as Error)?.stack ?? String(err) });
  }
}

port.on('message', (m: unknown) => {
  if (!isWorkerRequest(m)) {
    log('error', `trace worker ignored a malformed request: ${JSON.stringify(m)?.slice(0, 200)}`);
    return;
  }
  void handle(m);
});

post({ type: 'ready', numericAvailable: numeric !== undefined, loadMs: performance.now() });
