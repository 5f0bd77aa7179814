// Text formatting of trace data shared by hints, hovers, CodeLens, the status bar and the exports.
// Pure functions over TraceResult; no editor imports.

import type { ModuleCall, Shape, SkipConnection, TraceResult } from '../core/trace/types';

/** `[32, 128, 28, 28]`; a scalar is `[]`. */
export function formatShape(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

/** One shape as is, several (a tuple output) in parentheses. */
export function formatShapes(shapes: Shape[]): string {
  if (shapes.length === 1) return formatShape(shapes[0]);
  return `(${shapes.map(formatShape).join(', ')})`;
}

/** `230,144` */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function scaled(n: number, units: Array<[number, string]>, unitless: string): string {
  for (const [size, unit] of units) {
    if (Math.abs(n) >= size) {
      const v = n / size;
      return `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)} ${unit}`;
    }
  }
  return `${formatCount(n)}${unitless}`;
}

/** `1.85 GMACs` */
export function formatMacs(n: number): string {
  return scaled(n, [[1e12, 'TMACs'], [1e9, 'GMACs'], [1e6, 'MMACs'], [1e3, 'KMACs']], ' MACs');
}

/** `12.8 MB` (decimal units, as torchinfo reports them). */
export function formatBytes(n: number): string {
  return scaled(n, [[1e9, 'GB'], [1e6, 'MB'], [1e3, 'kB']], ' B');
}

/** Short, readable float: 4 significant digits, exponent form for very small or large values. */
export function formatFloat(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a < 1e-3 || a >= 1e5) return v.toExponential(3);
  return Number(v.toPrecision(4)).toString();
}

export function formatPercent(fraction: number): string {
  return `${(fraction * 100).toFixed(fraction >= 0.1 ? 0 : 1)}%`;
}

/**
 * Ids of the module calls the run's error escaped from (their call site is on its traceback): they have no
 * output to show.
 */
export function failedCalls(trace: TraceResult): Set<number> {
  const frames = trace.error?.traceback ?? [];
  const out = new Set<number>();
  if (frames.length === 0) return out;
  for (const m of trace.modules) {
    if (m.outputShapes.length > 0) continue;
    // A frame is the statement holding the call: the same file, on the call's lines.
    if (frames.some((f) => f.file === m.callSite.file && f.line >= m.callSite.line && f.line <= m.callSite.endLine)) out.add(m.id);
  }
  return out;
}

/** The output of a call: its shapes, `✗ raised` when the error escaped from it, `no tensor` otherwise. */
export function formatOutputs(m: ModuleCall, failed?: ReadonlySet<number>): string {
  if (m.outputShapes.length > 0) return formatShapes(m.outputShapes);
  return failed?.has(m.id) ? '✗ raised' : 'no tensor';
}

/** `[32, 64, 56, 56] → [32, 128, 28, 28]` for a module call. */
export function formatSignature(m: ModuleCall, failed?: ReadonlySet<number>): string {
  const input = m.inputShapes.length === 0 ? '()' : m.inputShapes.length === 1 ? formatShape(m.inputShapes[0]) : formatShapes(m.inputShapes);
  return `${input} → ${formatOutputs(m, failed)}`;
}

/** Display name of a module call: its qualified name, or the class for a root call. */
export function moduleDisplayName(m: ModuleCall): string {
  return m.name === '' ? m.className : m.name;
}

// ---------------------------------------------------------------- exports

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The trace as a Markdown document: modules, skip connections, totals and problems. */
export function traceToMarkdown(trace: TraceResult, title: string): string {
  const out: string[] = [];
  out.push(`# Tensor Trace — ${title}`, '');
  out.push(`Mode: ${trace.mode} · backend: ${trace.backend.name} · ${trace.timings.totalMs.toFixed(0)} ms`, '');
  if (trace.modules.length > 0) {
    out.push('## Modules', '');
    out.push('| Module | Class | Input | Output | Params | MACs | Output memory |');
    out.push('|---|---|---|---|---:|---:|---:|');
    const failed = failedCalls(trace);
    for (const m of trace.modules) {
      const name = moduleDisplayName(m);
      const input = m.inputShapes.map(formatShape).join(', ');
      out.push(
        `| ${cell(name)} | ${cell(m.className)} | ${cell(input)} | ${cell(formatOutputs(m, failed))} | ${formatCount(m.totalParams)} | ${formatCount(m.macs)} | ${formatBytes(m.outputBytes)} |`,
      );
    }
    out.push('');
  }
  if (trace.skips.length > 0) {
    out.push('## Skip connections', '');
    out.push('| Block | Kind | Shortcut | Main path | Shortcut shape | Line |');
    out.push('|---|---|---|---|---|---:|');
    for (const s of trace.skips) {
      const block = trace.modules[s.module];
      out.push(
        `| ${cell(block ? moduleDisplayName(block) : '?')} | ${s.kind} | ${cell(skipShortcutText(s))} | ${formatShape(s.mainShape)} | ${formatShape(s.shortcutShape)} | ${s.site.line} |`,
      );
    }
    out.push('');
  }
  out.push('## Totals', '');
  out.push(`- Parameters: ${formatCount(trace.totals.params)} (trainable ${formatCount(trace.totals.trainableParams)})`);
  out.push(`- MACs: ${formatCount(trace.totals.macs)} (${formatMacs(trace.totals.macs)})`);
  out.push(`- Activation memory: ${formatBytes(trace.totals.activationBytes)}`);
  if (trace.outputShape) out.push(`- Output: ${formatShape(trace.outputShape)}`);
  out.push('');
  const problems = trace.error ? [trace.error, ...trace.diagnostics.filter((d) => d !== trace.error)] : trace.diagnostics;
  if (problems.length > 0) {
    out.push('## Problems', '');
    for (const d of problems) out.push(`- line ${d.location.line}: ${d.severity} (${d.code}): ${d.message.replace(/\n/g, ' ')}`);
    out.push('');
  }
  return out.join('\n');
}

export function skipShortcutText(s: SkipConnection): string {
  return s.kind === 'identity' ? 'identity' : s.shortcut.join(' → ') || s.label;
}

/** The trace as pretty JSON (the same schema the CLI's --json prints). */
export function traceToJson(trace: TraceResult): string {
  return JSON.stringify(trace, null, 2) + '\n';
}
