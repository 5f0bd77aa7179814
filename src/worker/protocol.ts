// The message protocol between the extension host and the trace worker (a worker_thread running dist/traceWorker.js).
// Plain JSON data only, with guards on both sides; the worker owns the engine, the host never loads it.

import type { Span } from '../core/syntax/ast';
import type { TraceResult } from '../core/trace/types';

/** Which runtime a numeric run should use; `auto` lets the numeric engine pick the fastest available. */
export type BackendSetting = 'auto' | 'node' | 'wasm' | 'cpu';

/** Everything the worker needs to trace one program. */
export interface TraceJob {
  /** Path (or URI string for documents without one) the engine reports locations against. */
  file: string;
  text: string;
  /** Import search roots: the file's folder first, then the workspace folders. Empty for virtual documents. */
  roots: string[];
  /** Unsaved editor text by absolute path, read before the disk. */
  overlay: Array<[path: string, text: string]>;
  /** Trace `expr(*inputs)` after running the file, e.g. a class under the cursor with random inputs. */
  entry?: { expr: string; inputs: number[][] };
  limits: { timeMs: number; memoryBytes: number; steps?: number };
}

export type WorkerRequest =
  | { type: 'trace'; id: number; mode: 'symbolic'; job: TraceJob }
  | { type: 'trace'; id: number; mode: 'numeric'; job: TraceJob; backend: BackendSetting; tfjsNodePath?: string }
  /** Cooperative cancel for async (numeric) runs; the host still terminates the worker if it does not stop. */
  | { type: 'cancel'; id: number };

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

/** What the host gets back with a finished trace. */
export interface TraceOutput {
  result: TraceResult;
  /** Syntax facts of the traced file and of every project file the run imported, by path. */
  syntax: Record<string, SyntaxFacts>;
  /** sha1 of the text of every file the run read (the traced file and its followed imports), by path. */
  sources: Record<string, string>;
  /** Wall time inside the worker, ms. */
  workerMs: number;
}

export type WorkerMessage =
  | { type: 'ready'; numericAvailable: boolean; loadMs: number }
  | { type: 'progress'; id: number; message: string; fraction: number | null }
  | { type: 'log'; level: LogLevel; message: string }
  | ({ type: 'done'; id: number } & TraceOutput)
  /** The request cannot be served by this build (e.g. no numeric engine); `reason` is shown to the user as is. */
  | { type: 'unavailable'; id: number; reason: string }
  /** The worker itself failed (a bug, not a Python error: those come back inside `result.diagnostics`). */
  | { type: 'failed'; id: number; message: string };

// ---------------------------------------------------------------- syntax facts

/**
 * What the editor needs to know about a file's syntax, computed in the worker from the engine's AST so that the
 * host never parses Python. Spans are offsets into the text that was traced.
 */
export interface SyntaxFacts {
  importsTorch: boolean;
  /** How the file names torch.nn: 'nn' (`from torch import nn`, `import torch.nn as nn`), 'torch.nn', or null. */
  nnAlias: string | null;
  classes: ClassFacts[];
  /** Every function and method definition, outermost first, for scoping variable hovers. */
  functions: Array<{ name: string; span: Span }>;
  /** Additions at the trace's skip sites and skip-shape-mismatch diagnostics (what fixes and comparisons rewrite). */
  addSites: AddSiteFacts[];
  /** Constructor calls at the definition sites of traced modules (`nn.Conv2d(in_ch, out_ch, 3, stride=stride)`). */
  ctorCalls: CtorCallFacts[];
}

export interface ClassFacts {
  name: string;
  span: Span;
  nameSpan: Span;
  /** Source text of each base class expression, e.g. 'nn.Module'. */
  bases: string[];
  methods: MethodFacts[];
  /** Names assigned as `self.<name> = …` anywhere in the class. */
  selfAttributes: string[];
}

export interface MethodFacts {
  name: string;
  span: Span;
  params: Array<{ name: string; defaultText?: string }>;
  /** Indentation of the first statement of the body (the text to put before a new statement). */
  bodyIndent: string;
  /** Offset where the body's last statement ends. */
  lastStmtEnd: number;
}

export interface OperandFacts {
  span: Span;
  text: string;
  isCall: boolean;
  isName: boolean;
  /** Attribute names read as `self.<name>` inside the operand. */
  selfAttrs: string[];
}

export interface AddSiteFacts {
  /** The addition itself: a BinOp, an AugAssign statement, or a torch.add / Tensor.add call. */
  span: Span;
  kind: 'binop' | 'augassign' | 'call';
  /** The statement holding it. */
  stmtSpan: Span;
  /** [left, right] (for `a += b`: [a, b]). */
  operands: [OperandFacts, OperandFacts];
}

export interface CtorCallFacts {
  span: Span;
  /** Positional argument texts. */
  args: string[];
  /** Keyword argument texts by name. */
  keywords: Record<string, string>;
}

// ---------------------------------------------------------------- guards

const requestTypes: ReadonlySet<string> = new Set<WorkerRequest['type']>(['trace', 'cancel']);
const messageTypes: ReadonlySet<string> = new Set<WorkerMessage['type']>(['ready', 'progress', 'log', 'done', 'unavailable', 'failed']);

/** Guards a message the worker received. */
export function isWorkerRequest(m: unknown): m is WorkerRequest {
  if (typeof m !== 'object' || m === null) return false;
  const r = m as { type?: unknown; id?: unknown; mode?: unknown; job?: unknown };
  if (typeof r.type !== 'string' || !requestTypes.has(r.type) || typeof r.id !== 'number') return false;
  if (r.type === 'cancel') return true;
  if (r.mode !== 'symbolic' && r.mode !== 'numeric') return false;
  const job = r.job as Partial<TraceJob> | undefined;
  return !!job && typeof job.file === 'string' && typeof job.text === 'string' && Array.isArray(job.roots) && Array.isArray(job.overlay);
}

/** Guards a message the host received from the worker. */
export function isWorkerMessage(m: unknown): m is WorkerMessage {
  if (typeof m !== 'object' || m === null) return false;
  const t = (m as { type?: unknown }).type;
  return typeof t === 'string' && messageTypes.has(t);
}
