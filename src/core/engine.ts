// The engine's front door: runs a Python file (and optionally an entry model on random inputs) with torch
// installed and returns the TraceResult every consumer reads. Synchronous and never throws.

import { DiagnosticCode, DiagnosticSink, Severity, type Diagnostic, type DiagnosticCode as Code, type Location } from './diagnostics';
import { describeError, evalInRun, runModule, setActiveInterpreter, type RunResult, type SourceResolver } from './runtime/interpreter';
import { LimitExceeded, type Limits } from './runtime/limits';
import { parseSource } from './runtime/parseBridge';
import { PyRaise, type ExceptionState, type PyValue } from './runtime/values';
import type { Module } from './syntax/ast';
import type { TorchExceptionState } from './torch/errors';
import './torch/index';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendInfo } from './numeric/backend';
import type { PyInstance } from './runtime/values';
import { moduleState, namedModules, namedTensors } from './torch/nn/moduleState';
import { setActiveRun, type NumericRun } from './torch/numericRun';
import { torchState } from './torch/state';
import { checkAllocation, DEFAULT_MAX_TENSOR_BYTES, Tensor } from './torch/tensor';
import { collectTensors, Recorder } from './trace/recorder';
import type { TraceResult } from './trace/types';

export interface TraceEntry {
  /** Python expression building the model, evaluated in the file's globals (e.g. `ResNet(BasicBlock, [2, 2, 2, 2])`). */
  expr: string;
  /** One shape per positional forward argument; each input is `torch.randn(*shape)`. */
  inputs: number[][];
  /**
   * Run the model in train mode with grad enabled (symbolic default: eval() under no_grad, like the reference runs;
   * numeric default: train mode, as a freshly built PyTorch module is).
   */
  train?: boolean;
  /**
   * Numeric mode: reduce the (first) output to a loss and call backward() on it, so gradients reach every module
   * (default 'mean'; 'none' runs the forward only).
   */
  loss?: 'mean' | 'sum' | 'none';
}

export interface TraceLimits extends Partial<Limits> {
  /** Largest tensor a run may create, in bytes (default 2 GiB). */
  maxTensorBytes?: number;
  /** Numeric mode: most bytes the run's tfjs tensors may hold at once (default 2 GiB). */
  memoryBytes?: number;
}

export interface TraceRequest {
  file: string;
  text: string;
  resolver?: SourceResolver;
  entry?: TraceEntry;
  limits?: TraceLimits;
  mode?: 'symbolic' | 'numeric';
}

/** What a numeric run adds to a trace request (see numericEngine.ts). */
export interface NumericSetup {
  run: NumericRun;
  backend: BackendInfo;
  /** Entry: values for the model's parameters and buffers by state_dict key, applied after construction. */
  weights?: Map<string, Float32Array>;
  /** Entry: values of the inputs (row-major), one per entry input. */
  inputValues?: Float32Array[];
  /** Entry: receives the run's values (output, loss, gradients) before they are freed. */
  capture?: (c: NumericCapture) => void;
}

/** Values of an entry run, read back into JS (tests compare them with PyTorch). */
export interface NumericCapture {
  output: Float32Array | null;
  outputShape: number[];
  loss: number | null;
  /** Gradients of the inputs (null where none). */
  inputGrads: Array<Float32Array | null>;
  /** Gradients of the parameters, by named_parameters() name. */
  paramGrads: Map<string, Float32Array | null>;
  /** Values of the parameters and buffers after the run (running statistics moved in train mode). */
  state: Map<string, Float32Array>;
}

/** Module name an entry's file runs under, so `if __name__ == "__main__":` blocks stay out of the trace. */
export const ENTRY_MODULE_NAME = '__tensor_trace__';

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

function emptyLocation(file: string): Location {
  return { file, span: { start: 0, end: 0 }, line: 1, column: 1, endLine: 1, endColumn: 1 };
}

/** Traces `req.file`. Every failure ends up in `diagnostics` (and `error` for the one that stopped the run). */
export function traceSource(req: TraceRequest): TraceResult {
  return runTrace(req);
}

/**
 * The engine's one run: symbolic, or numeric when `numeric` is given (values and gradients on the backend the
 * caller initialised). Synchronous and never throws.
 */
export function runTrace(req: TraceRequest, numeric?: NumericSetup): TraceResult {
  const t0 = now();
  const sink = new DiagnosticSink();
  const nrun = numeric?.run;
  // With an entry, the file's top level runs symbolically (it only defines things); the entry call is numeric.
  const rec = new Recorder({ torch: { maxTensorBytes: req.limits?.maxTensorBytes ?? DEFAULT_MAX_TENSOR_BYTES, numeric: req.entry ? undefined : nrun } });
  if (nrun) {
    nrun.start();
    setActiveRun(nrun);
  }
  rec.addSource(req.file, req.text);
  let error: Diagnostic | null = null;
  let outputShape: number[] | null = null;
  let run: RunResult | null = null;
  let parseMs = 0;
  let runStart = now();
  try {
    let module: Module;
    try {
      module = parseSource(req.text);
    } finally {
      parseMs = now() - t0;
    }
    runStart = now();
    const { maxTensorBytes: _bytes, memoryBytes: _mem, ...limits } = req.limits ?? {};
    if (nrun && limits.timeMs === undefined) limits.timeMs = nrun.timeMs;
    // With an entry, only the entry call is traced: the file's top level runs unrecorded.
    rec.paused = !!req.entry;
    run = runModule({
      file: req.file,
      text: req.text,
      module,
      moduleName: req.entry ? ENTRY_MODULE_NAME : '__main__',
      resolver: req.resolver,
      trace: rec,
      sink,
      limits,
    });
    rec.interp = run.interp;
    if (numeric) numeric.run.interp = run.interp;
    if (run.error) error = normaliseRunError(run, sink, req.file);
    else if (run.limit) error = sink.items.find((d) => d.code === run?.limit?.code) ?? null;
    if (req.entry && run.error && error && error.code !== DiagnosticCode.SyntaxError) {
      // The file's top level (e.g. an unguarded usage section) raised after the classes were defined: keep that
      // as a warning at its line and still trace the entry, as the reference generator does.
      error.severity = Severity.Warning;
      error = null;
    }
    if (req.entry && !run.limit && !error) {
      const r = runEntry(run, req, rec, sink, numeric);
      error = r.error;
      outputShape = r.outputShape;
    }
  } catch (e) {
    // The interpreter never throws; this guards the engine's own code.
    const d: Diagnostic = {
      severity: Severity.Error,
      code: DiagnosticCode.Internal,
      message: `Tensor Trace internal error: ${e instanceof Error ? e.message : String(e)}`,
      location: emptyLocation(req.file),
    };
    sink.add(d);
    error = d;
  }
  const runMs = now() - runStart;
  let parts: ReturnType<Recorder['finish']>;
  const finishRun = () => {
    if (!nrun) return;
    try {
      nrun.finish();
    } finally {
      setActiveRun(null);
    }
  };
  try {
    parts = rec.finish();
  } catch (e) {
    parts = { modules: [], ops: [], skips: [], lines: [], unused: [], totals: { params: 0, trainableParams: 0, macs: 0, activationBytes: 0 }, rootCalls: [] };
    const d: Diagnostic = {
      severity: Severity.Error,
      code: DiagnosticCode.Internal,
      message: `Tensor Trace internal error while recording: ${e instanceof Error ? e.message : String(e)}`,
      location: emptyLocation(req.file),
    };
    sink.add(d);
    error ??= d;
  }
  finishRun();
  // The run's objects are garbage from here on: the result holds none of them.
  setActiveInterpreter(null);
  if (req.entry) fixEntryLocations(parts.modules, req.file);
  return {
    version: 1,
    file: req.file,
    mode: numeric ? 'numeric' : 'symbolic',
    backend: numeric
      ? { name: backendName(numeric.backend), reason: numeric.backend.reason }
      : { name: 'symbolic', reason: 'Symbolic trace: shapes, parameters and MACs; values need a numeric trace.' },
    stdout: rec.stdout,
    modules: parts.modules,
    ops: parts.ops,
    skips: parts.skips,
    lines: parts.lines,
    unused: parts.unused,
    diagnostics: sink.items,
    error,
    totals: parts.totals,
    outputShape,
    timings: { parseMs, runMs, totalMs: now() - t0 },
  };
}

/** The diagnostic code for an exception torch raised (shape errors, skip mismatches, memory). */
function codeFor(state: ExceptionState | undefined): Code {
  const st = state as TorchExceptionState | undefined;
  if (st?.code) return st.code;
  return st?.shapeError ? DiagnosticCode.ShapeError : DiagnosticCode.RuntimeError;
}

/** The raw str(exc) of an uncaught exception (the interpreter prefixes its diagnostic with the type). */
function pyMessage(run: RunResult, exc: PyRaise['exc']): string {
  const st = exc.native as ExceptionState | undefined;
  if (st && Array.isArray(st.args) && st.args.length === 1 && typeof st.args[0] === 'string') return st.args[0];
  try {
    return run.interp.str(exc);
  } catch {
    return '';
  }
}

/**
 * The interpreter reported the uncaught exception as `Type: message`; the trace keeps PyTorch's message and the
 * type separately (exceptionType), with torch's finer codes (skip-shape-mismatch, memory-limit).
 */
function normaliseRunError(run: RunResult, sink: DiagnosticSink, file: string): Diagnostic | null {
  const err = run.error;
  if (!err) return null;
  const d = [...sink.items].reverse().find((x) => x.severity === Severity.Error && x.exceptionType === err.excType);
  if (!d) return sink.items.find((x) => x.severity === Severity.Error) ?? null;
  if (d.code === DiagnosticCode.SyntaxError) return d;
  const state = err.exception.native as ExceptionState | undefined;
  d.code = codeFor(state);
  d.message = pyMessage(run, err.exception);
  const inFile = [...err.traceback].reverse().find((l) => l.file === file);
  if (inFile) d.location = inFile;
  return d;
}

/** The tfjs backend name as the trace reports it. */
function backendName(b: BackendInfo): 'wasm' | 'node' | 'cpu' {
  return b.name === 'tensorflow' ? 'node' : b.name === 'wasm' ? 'wasm' : 'cpu';
}

/** Builds the model from the entry expression, feeds it random inputs and records the call. */
function runEntry(
  run: RunResult,
  req: TraceRequest,
  rec: Recorder,
  sink: DiagnosticSink,
  numeric?: NumericSetup,
): { error: Diagnostic | null; outputShape: number[] | null } {
  const entry = req.entry as TraceEntry;
  const interp = run.interp;
  const ts = torchState(interp);
  const prevGrad = ts.gradEnabled;
  rec.paused = false;
  if (numeric) {
    // The entry call is the numeric part of the run.
    ts.numeric = numeric.run;
    rec.torchOptions.numeric = numeric.run;
  }
  const lossKind = numeric ? (entry.loss ?? 'mean') : 'none';
  const train = entry.train ?? !!numeric;
  try {
    const model = evalInRun(run, entry.expr);
    if (numeric?.weights && moduleState(model)) applyWeights(model as PyInstance, numeric.weights, sink, req.file);
    const inputs: PyValue[] = entry.inputs.map((shape, i) => {
      try {
        checkAllocation(shape, 'float32', ts.maxTensorBytes);
      } catch (e) {
        interp.raise('RuntimeError', (e as Error).message);
      }
      const t = new Tensor([...shape]);
      if (numeric) {
        const given = numeric.inputValues?.[i];
        t.data = given ? tf.tensor(given, shape) : tf.tensor(numeric.run.rng.fillNormal(t.numel), shape);
        if (lossKind !== 'none') t.requiresGrad = true;
      }
      return t;
    });
    if (!train && moduleState(model)) interp.call(interp.getAttr(model, 'eval'), []);
    ts.gradEnabled = train || lossKind !== 'none';
    const out = interp.call(model, inputs);
    const first = collectTensors(out, 3)[0];
    let loss: Tensor | null = null;
    if (numeric && first?.data && lossKind !== 'none' && first.requiresGrad) {
      loss = interp.call(interp.getAttr(first, lossKind), []) as Tensor;
      interp.call(interp.getAttr(loss, 'backward'), []);
    }
    if (numeric?.capture) numeric.capture(captureOf(model, inputs, first ?? null, loss));
    return { error: null, outputShape: first ? [...first.shape] : null };
  } catch (e) {
    const d = entryDiagnostic(run, e, req.file);
    sink.add(d);
    return { error: d, outputShape: null };
  } finally {
    ts.gradEnabled = prevGrad;
  }
}

function entryDiagnostic(run: RunResult, e: unknown, file: string): Diagnostic {
  if (e instanceof PyRaise) {
    const err = describeError(run.interp, e);
    const state = e.exc.native as ExceptionState | undefined;
    const inFile = [...err.traceback].reverse().find((l) => l.file === file);
    return {
      severity: Severity.Error,
      code: codeFor(state),
      message: pyMessage(run, e.exc),
      exceptionType: err.excType,
      location: inFile ?? (err.location.file === '<entry>' ? emptyLocation(file) : err.location),
      traceback: err.traceback,
      operandShapes: state?.shapeError?.operandShapes,
    };
  }
  if (e instanceof LimitExceeded) {
    const code = e.code === 'step-budget' ? DiagnosticCode.StepBudget : e.code === 'time-limit' ? DiagnosticCode.TimeLimit : DiagnosticCode.RecursionLimit;
    const loc = (e as LimitExceeded & { location?: Location }).location;
    return {
      severity: e.code === 'recursion-limit' ? Severity.Error : Severity.Warning,
      code,
      message: e.message,
      exceptionType: e.code === 'recursion-limit' ? 'RecursionError' : undefined,
      location: loc ?? emptyLocation(file),
    };
  }
  if (e instanceof RangeError && /call stack/i.test(e.message)) {
    return { severity: Severity.Error, code: DiagnosticCode.RecursionLimit, message: 'maximum recursion depth exceeded', exceptionType: 'RecursionError', location: emptyLocation(file) };
  }
  return {
    severity: Severity.Error,
    code: DiagnosticCode.Internal,
    message: `Tensor Trace internal error: ${e instanceof Error ? e.message : String(e)}`,
    location: emptyLocation(file),
  };
}

/** The entry's root call has no call site in the file: point it at the model's class instead. */
function fixEntryLocations(modules: TraceResult['modules'], file: string): void {
  for (const m of modules) {
    if (m.callSite.file === '<entry>' || m.callSite.file === '') m.callSite = m.classDefinedAt ?? emptyLocation(file);
    if (m.definedAt && m.definedAt.file === '<entry>') m.definedAt = undefined;
  }
}

/** Copies `weights` (state_dict keys → values) into a model's parameters and buffers. */
function applyWeights(model: PyInstance, weights: Map<string, Float32Array>, sink: DiagnosticSink, file: string): void {
  const own = new Map<string, Tensor>();
  for (const [name, m] of namedModules(model)) {
    const st = moduleState(m);
    if (!st) continue;
    const pre = name ? `${name}.` : '';
    for (const [n, t] of st.params) if (t) own.set(pre + n, t);
    for (const [n, t] of st.buffers) if (t) own.set(pre + n, t);
  }
  for (const [key, values] of weights) {
    const t = own.get(key);
    if (!t || t.numel !== values.length) {
      sink.add({
        severity: Severity.Warning,
        code: DiagnosticCode.RuntimeError,
        message: t ? `weights for '${key}' have ${values.length} values; the model's tensor has ${t.numel}` : `the model has no parameter or buffer '${key}'`,
        location: emptyLocation(file),
      });
      continue;
    }
    const v = tf.tensor(values, t.shape);
    t.data = t.isFloating ? v : tf.cast(v, t.dtype === 'bool' ? 'bool' : 'int32');
  }
}

const readF32 = (t: Tensor | null | undefined): Float32Array | null => {
  const d = t?.data;
  return d ? Float32Array.from(d.dataSync() as ArrayLike<number>) : null;
};

function captureOf(model: PyValue, inputs: PyValue[], out: Tensor | null, loss: Tensor | null): NumericCapture {
  const paramGrads = new Map<string, Float32Array | null>();
  const state = new Map<string, Float32Array>();
  if (moduleState(model)) {
    for (const [name, p] of namedTensors(model as PyInstance, 'params')) {
      paramGrads.set(name, readF32(p.grad));
      const v = readF32(p);
      if (v) state.set(name, v);
    }
    for (const [name, b] of namedTensors(model as PyInstance, 'buffers')) {
      const v = readF32(b);
      if (v) state.set(name, v);
    }
  }
  const lossV = readF32(loss);
  return {
    output: readF32(out),
    outputShape: out ? [...out.shape] : [],
    loss: lossV ? lossV[0] : null,
    inputGrads: inputs.map((t) => (t instanceof Tensor ? readF32(t.grad) : null)),
    paramGrads,
    state,
  };
}
