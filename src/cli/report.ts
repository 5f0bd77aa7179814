// Text report of a trace for the terminal: a torchinfo-like table, skip connections and totals.

import type { Diagnostic } from '../core/diagnostics';
import type { ModuleCall, Shape, TraceResult } from '../core/trace/types';

/** Formats an integer with thousands separators: 230144 → "230,144". */
export function commas(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** 1.81e9 → "1.81 G", 230144 → "230.14 K". */
export function humanCount(n: number): string {
  const units: Array<[number, string]> = [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'K'],
  ];
  for (const [size, unit] of units) if (Math.abs(n) >= size) return `${(n / size).toFixed(2)} ${unit}`;
  return String(n);
}

export function humanBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (Math.abs(n) >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i === 0 ? n : n.toFixed(2)} ${units[i]}`;
}

export function shapeText(s: Shape | undefined): string {
  return s ? `[${s.join(', ')}]` : '—';
}

function shapesText(list: Shape[]): string {
  if (list.length === 0) return '—';
  return list.map(shapeText).join(', ');
}

function depthOf(call: ModuleCall, trace: TraceResult): number {
  let d = 0;
  for (let p = call.parent; p !== null; p = trace.modules[p].parent) d++;
  return d;
}

/** The module table, one row per module call, indented by nesting, skip connections marked. */
export function moduleTable(trace: TraceResult): string {
  const skipByModule = new Map<number, string[]>();
  for (const s of trace.skips) {
    const list = skipByModule.get(s.module) ?? [];
    list.push(s.label);
    skipByModule.set(s.module, list);
  }
  const header = ['Layer', 'Class', 'Input shape', 'Output shape', 'Params', 'MACs', 'Skip'];
  const rows = trace.modules.map((m) => {
    const name = m.name === '' ? `(${m.className})` : m.name;
    return [
      '  '.repeat(depthOf(m, trace)) + name,
      m.className,
      shapesText(m.inputShapes),
      shapesText(m.outputShapes),
      m.ownParams > 0 || m.children.length === 0 ? commas(m.children.length ? m.totalParams : m.ownParams) : commas(m.totalParams),
      m.macs > 0 ? humanCount(m.macs) : '—',
      (skipByModule.get(m.id) ?? []).join(', '),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const numeric = new Set([4, 5]);
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (numeric.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const rule = '─'.repeat(widths.reduce((a, b) => a + b + 2, -2));
  return [rule, line(header), rule, ...rows.map(line), rule].join('\n');
}

export function skipsText(trace: TraceResult): string {
  if (trace.skips.length === 0) return 'Skip connections: none';
  const lines = [`Skip connections: ${trace.skips.length}`];
  for (const s of trace.skips) {
    const owner = trace.modules[s.module];
    const where = `${owner.name || owner.className} (line ${s.site.line})`;
    const what = s.kind === 'identity' ? 'identity' : `projection: ${s.shortcut.join(' + ')}`;
    lines.push(`  ${where}: ${what}; main ${shapeText(s.mainShape)}, shortcut ${shapeText(s.shortcutShape)}`);
  }
  return lines.join('\n');
}

export function totalsText(trace: TraceResult): string {
  const t = trace.totals;
  return [
    `Total params: ${commas(t.params)}`,
    `Trainable params: ${commas(t.trainableParams)}`,
    `Non-trainable params: ${commas(t.params - t.trainableParams)}`,
    `Total MACs: ${humanCount(t.macs)} (${commas(t.macs)})`,
    `Activation memory: ${humanBytes(t.activationBytes)}`,
    `Backend: ${trace.backend.name} (${trace.backend.reason}); traced in ${trace.timings.totalMs.toFixed(1)} ms`,
  ].join('\n');
}

/** A Python-style traceback for the error that ended the run. */
export function errorText(d: Diagnostic, sourceLine: (file: string, line: number) => string | undefined): string {
  const frames = d.traceback && d.traceback.length > 0 ? d.traceback : [d.location];
  const out = ['Traceback (most recent call last):'];
  for (const f of frames) {
    out.push(`  File "${f.file}", line ${f.line}`);
    const src = sourceLine(f.file, f.line);
    if (src !== undefined && src.trim()) out.push(`    ${src.trim()}`);
  }
  out.push(d.exceptionType ? `${d.exceptionType}: ${d.message}` : d.message);
  return out.join('\n');
}

/** 3.1140e-07 style for gradient magnitudes ('—' when absent). */
function sci(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '—';
  if (n === 0) return '0';
  return n.toExponential(3);
}

/**
 * After a numeric run with backward: per module call its output-gradient norm, its parameters' gradient norms and,
 * for a block with a skip connection, the share of its input gradient that came through the shortcut. With a
 * no-skips run, its output-gradient norms are shown alongside.
 */
export function gradientTable(trace: TraceResult, noSkips?: TraceResult): string | null {
  if (trace.mode !== 'numeric' || !trace.modules.some((m) => m.grad)) return null;
  const share = new Map<number, number>();
  for (const s of trace.skips) if (s.shortcutGradShare !== undefined) share.set(s.module, s.shortcutGradShare);
  const other = new Map<string, number>();
  // A call whose output got no gradient (only its input's was recorded) has no outputFirst values.
  const outNorm = (m: TraceResult['modules'][number]) => (m.grad && m.grad.outputFirst.length ? m.grad.outputNorm : undefined);
  for (const m of noSkips?.modules ?? []) if (m.grad) other.set(`${m.name}#${m.className}`, outNorm(m) ?? NaN);
  const header = ['Layer', 'Output grad norm', ...(noSkips ? ['Without skips'] : []), 'Param grad norms', 'Shortcut share'];
  const rows = trace.modules.map((m) => {
    const name = m.name === '' ? `(${m.className})` : m.name;
    const params = Object.entries(m.grad?.paramNorms ?? {})
      .map(([k, v]) => `${k} ${sci(v)}`)
      .join(', ');
    const sh = share.get(m.id);
    return [
      '  '.repeat(depthOf(m, trace)) + name,
      sci(outNorm(m)),
      ...(noSkips ? [sci(other.get(`${m.name}#${m.className}`))] : []),
      params || '—',
      sh === undefined ? '' : `${(sh * 100).toFixed(1)}%`,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const right = new Set(noSkips ? [1, 2] : [1]);
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (right.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const rule = '─'.repeat(widths.reduce((a, b) => a + b + 2, -2));
  const input = trace.modules[0]?.grad?.inputNorm;
  const lines = [rule, line(header), rule, ...rows.map(line), rule];
  if (input !== undefined) {
    const without = noSkips?.modules[0]?.grad?.inputNorm;
    lines.push(`Input gradient norm: ${sci(input)}${without !== undefined ? ` (without skips: ${sci(without)})` : ''}`);
  }
  return ['Gradients', ...lines].join('\n');
}
