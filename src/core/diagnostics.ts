// Diagnostics the engine reports: plain data with exact source locations, collected in a sink, never thrown.

import type { Span } from './syntax/ast';

export const Severity = {
  Error: 'error',
  Warning: 'warning',
  Information: 'information',
  Hint: 'hint',
} as const;
export type Severity = (typeof Severity)[keyof typeof Severity];

/** Stable codes so editors can offer fixes and tests can assert on kind, not wording. */
export const DiagnosticCode = {
  SyntaxError: 'syntax-error',
  ShapeError: 'shape-error',
  /** Any other Python exception raised by the traced code (TypeError, ValueError, …). */
  RuntimeError: 'runtime-error',
  Unsupported: 'unsupported',
  StepBudget: 'step-budget',
  TimeLimit: 'time-limit',
  RecursionLimit: 'recursion-limit',
  MemoryLimit: 'memory-limit',
  ImportUnresolved: 'import-unresolved',
  /** A residual add whose operands differ in shape: a projection on the shortcut would fix it. */
  SkipShapeMismatch: 'skip-shape-mismatch',
  Internal: 'internal',
} as const;
export type DiagnosticCode = (typeof DiagnosticCode)[keyof typeof DiagnosticCode];

/** A position in a file, 1-based line and column as editors and Python tracebacks show them. */
export interface Location {
  /** File path (or URI string) as the host gave it. */
  file: string;
  span: Span;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export interface Diagnostic {
  severity: Severity;
  code: DiagnosticCode;
  message: string;
  /** Python exception class when the traced code raised, e.g. 'RuntimeError'. */
  exceptionType?: string;
  location: Location;
  /** Python-style traceback, innermost last. */
  traceback?: Location[];
  /** Shapes of the operands involved in a shape error, for hovers and quick fixes. */
  operandShapes?: number[][];
}

/** Collects diagnostics in order; the one place problems go. */
export class DiagnosticSink {
  readonly items: Diagnostic[] = [];
  add(d: Diagnostic): void {
    this.items.push(d);
  }
  get hasErrors(): boolean {
    return this.items.some((d) => d.severity === Severity.Error);
  }
}

/**
 * `a === b` for source texts, rejecting early two texts of the same length that differ near the end (the same
 * file re-traced with a changed last line; V8 compares long strings from the start).
 */
export function sameText(a: string, b: string): boolean {
  const n = a.length;
  if (n !== b.length) return false;
  for (let i = n - 1, stop = Math.max(0, n - 64); i >= stop; i--) if (a.charCodeAt(i) !== b.charCodeAt(i)) return false;
  return a === b;
}

/**
 * The line map of each file's latest text, shared by every run (line maps are immutable). One entry per file: an
 * edited file's older texts are not kept (they would be copied by every scavenge, then promoted, for nothing).
 */
const lineMapsByFile = new Map<string, LineMap>();
const LINE_MAP_FILES = 64;

/** Maps offsets to 1-based lines/columns for one source text. */
export class LineMap {
  /** Line start offsets, computed on first use. */
  private lineStarts: number[] | null = null;
  constructor(readonly text: string) {}

  /** The line map of `text`, the current text of `file`, reused while the file is traced again unchanged. */
  static for(text: string, file: string): LineMap {
    const hit = lineMapsByFile.get(file);
    if (hit && sameText(hit.text, text)) return hit;
    const lm = new LineMap(text);
    lineMapsByFile.delete(file);
    lineMapsByFile.set(file, lm);
    if (lineMapsByFile.size > LINE_MAP_FILES) lineMapsByFile.delete(lineMapsByFile.keys().next().value!);
    return lm;
  }

  private get starts(): number[] {
    let s = this.lineStarts;
    if (s === null) {
      s = [0];
      const t = this.text;
      for (let i = t.indexOf('\n'); i >= 0; i = t.indexOf('\n', i + 1)) s.push(i + 1);
      this.lineStarts = s;
    }
    return s;
  }
  /** 1-based line and column (column counts UTF-16 units from 1). */
  position(offset: number): { line: number; column: number } {
    const starts = this.starts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo] + 1 };
  }
  location(file: string, span: Span): Location {
    const a = this.position(span.start);
    const b = this.position(span.end);
    // Copy the two offsets: callers often pass a whole AST node, which must not leak into the trace.
    return { file, span: { start: span.start, end: span.end }, line: a.line, column: a.column, endLine: b.line, endColumn: b.column };
  }
  /** Offset where a 1-based line starts, or undefined past the last line. */
  lineStart(line: number): number | undefined {
    return line >= 1 ? this.starts[line - 1] : undefined;
  }
  lineText(line: number): string {
    const starts = this.starts;
    const s = starts[line - 1] ?? this.text.length;
    const e = starts[line] ?? this.text.length + 1;
    return this.text.slice(s, e - 1);
  }
}
