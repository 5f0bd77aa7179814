// The run API: runModule executes one file and never throws (problems become diagnostics); evalInRun
// evaluates an entry expression in a finished run; describeError turns an uncaught exception into data.

import { DiagnosticCode, LineMap, Severity, type Diagnostic, type DiagnosticSink, type Location } from '../diagnostics';
import type { Module } from '../syntax/ast';
import { docstring } from './docstring';
import type { SourceResolver } from './imports';
import { Interpreter, setActiveInterpreter, type ModuleInfo } from './interpreter';
import { LimitExceeded, type Limits } from './limits';
import { parseSource } from './parseBridge';
import { PyModuleObject, PyRaise, type ExceptionState, type PyInstance, type PyValue, type TraceHooks } from './values';

/** Options for one run of a file. */
export interface RunOptions {
  file: string;
  text: string;
  /** Pre-parsed module (otherwise `text` is parsed). */
  module?: Module;
  /** '__main__' by default. */
  moduleName?: string;
  resolver?: SourceResolver;
  trace: TraceHooks;
  sink: DiagnosticSink;
  limits?: Partial<Limits>;
}

/** The uncaught Python exception that ended a run. */
export interface RunError {
  excType: string;
  message: string;
  /** Innermost location (may be in an imported file). */
  location: Location;
  /** Python order: outermost first, innermost last. */
  traceback: Location[];
  exception: PyInstance;
}

export interface RunResult {
  interp: Interpreter;
  globals: PyModuleObject;
  error: RunError | null;
  limit?: LimitExceeded;
}

// ================================================================ run API

function emptyLocation(file: string): Location {
  return { file, span: { start: 0, end: 0 }, line: 1, column: 1, endLine: 1, endColumn: 1 };
}

/** Describes an uncaught Python exception for RunResult.error. */
export function describeError(ip: Interpreter, e: PyRaise): RunError {
  let message: string;
  try {
    message = ip.str(e.exc);
  } catch {
    message = '';
  }
  const tb = [...e.traceback].reverse();
  const loc = e.traceback[0] ?? ip.currentLocation();
  return { excType: e.exc.cls.name, message, location: loc, traceback: tb, exception: e.exc };
}

function limitDiagnostic(ip: Interpreter, lim: LimitExceeded, file: string): Diagnostic {
  const loc = lim.location ?? emptyLocation(file);
  const code =
    lim.code === 'step-budget' ? DiagnosticCode.StepBudget : lim.code === 'time-limit' ? DiagnosticCode.TimeLimit : DiagnosticCode.RecursionLimit;
  void ip;
  return {
    severity: lim.code === 'recursion-limit' ? Severity.Error : Severity.Warning,
    code,
    message: lim.message,
    exceptionType: lim.code === 'recursion-limit' ? 'RecursionError' : undefined,
    location: loc,
  };
}

/** Runs one file to completion. Never throws: problems become diagnostics in `opts.sink`. */
export function runModule(opts: RunOptions): RunResult {
  const ip = new Interpreter(opts);
  setActiveInterpreter(ip);
  const name = opts.moduleName ?? '__main__';
  const globals = new PyModuleObject(name, opts.file);
  globals.dict.set('__name__', name);
  globals.dict.set('__doc__', null);
  globals.dict.set('__package__', name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : null);
  const info: ModuleInfo = {
    name,
    file: opts.file,
    text: opts.text,
    lineMap: LineMap.for(opts.text, opts.file),
    module: globals,
    packageName: name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : '',
  };
  ip.registerModuleInfo(info);
  ip.modules.set(name, globals);
  const result: RunResult = { interp: ip, globals, error: null };
  let mod: Module | undefined = opts.module;
  try {
    if (!mod) mod = parseSource(opts.text);
    for (const se of mod.syntaxErrors) {
      ip.report({
        severity: Severity.Error,
        code: DiagnosticCode.SyntaxError,
        message: se.message,
        exceptionType: 'SyntaxError',
        location: info.lineMap.location(opts.file, se.span),
      });
    }
    const doc = docstring(mod.body);
    if (doc !== null) globals.dict.set('__doc__', doc);
    ip.execModuleBody(mod, info);
  } catch (e) {
    handleRunError(ip, result, e, opts.file);
  }
  return result;
}

function handleRunError(ip: Interpreter, result: RunResult, e: unknown, mainFile: string): void {
  if (e instanceof PyRaise) {
    const err = describeError(ip, e);
    result.error = err;
    if (ip.isSyntaxPlaceholder(e.exc)) return;
    const st = e.exc.native as ExceptionState | undefined;
    const inMain = [...e.traceback].find((l) => l.file === mainFile) ?? err.location;
    ip.report({
      severity: Severity.Error,
      code: st?.shapeError ? DiagnosticCode.ShapeError : DiagnosticCode.RuntimeError,
      message: err.message ? `${err.excType}: ${err.message}` : err.excType,
      exceptionType: err.excType,
      location: inMain,
      traceback: err.traceback,
      operandShapes: st?.shapeError?.operandShapes,
    });
    return;
  }
  if (e instanceof LimitExceeded) {
    result.limit = e;
    ip.report(limitDiagnostic(ip, e, mainFile));
    return;
  }
  if (e instanceof RangeError && /call stack/i.test(e.message)) {
    const lim = ip.recursionLimit();
    result.limit = lim;
    ip.report(limitDiagnostic(ip, lim, mainFile));
    return;
  }
  const msg = e instanceof Error ? e.message : String(e);
  ip.report({
    severity: Severity.Error,
    code: DiagnosticCode.Internal,
    message: `Tensor Trace internal error: ${msg}`,
    location: ip.frames.length ? ip.currentLocation() : emptyLocation(mainFile),
  });
}

/**
 * Evaluates an expression (e.g. `ResNet(BasicBlock, [2, 2, 2, 2])`) in the globals of a finished run,
 * with a fresh step/time budget. Throws PyRaise or LimitExceeded; locations in the expression refer to
 * the pseudo-file '<entry>'.
 */
export function evalInRun(result: RunResult, exprText: string): PyValue {
  const ip = result.interp;
  const mod = parseSource(exprText);
  const stmt = mod.body.find((s) => s.kind !== 'Pass');
  if (mod.syntaxErrors.length || !stmt || stmt.kind !== 'ExprStmt')
    throw new PyRaise(ip.newException('SyntaxError', [mod.syntaxErrors[0]?.message ?? 'expected an expression']));
  const file = '<entry>';
  const info: ModuleInfo = {
    name: result.globals.name,
    file,
    text: exprText,
    lineMap: LineMap.for(exprText, file),
    module: result.globals,
    packageName: '',
  };
  ip.moduleInfos.set(file, info);
  ip.resetClock();
  setActiveInterpreter(ip);
  try {
    return ip.evalExpression(stmt.value, info, result.globals);
  } catch (e) {
    if (e instanceof RangeError && /call stack/i.test(e.message)) throw ip.recursionLimit();
    throw e;
  }
}

