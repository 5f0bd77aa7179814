// Small SVG charts for the gradient view (gradient-flow bars, share bars, range plots), coloured only through CSS classes.

import type { Location } from '../../core/diagnostics';
import { s, svgTitle } from './dom';
import { formatNumber, formatPercent } from './format';
import type { FlowRow, ResidualRow, ShareRow } from './gradientData';
import { type Scale, decadeLabel, linearScale, logScale } from './scale';

export type Measure = (text: string, font: 'title' | 'detail' | 'mono') => number;

export interface ChartEvents {
  reveal(location: Location): void;
}

/** Shortens a label from the left so it fits `max` pixels ("…layer4.1.conv2"): the end of a dotted name says the most. */
function fit(text: string, max: number, measure: Measure): string {
  if (measure(text, 'detail') <= max) return text;
  let t = text;
  while (t.length > 2 && measure(`…${t}`, 'detail') > max) t = t.slice(1);
  return `…${t}`;
}

function labelColumn(labels: readonly string[], width: number, measure: Measure): number {
  const widest = Math.max(40, ...labels.map((l) => measure(l, 'detail')));
  return Math.min(widest + 8, Math.max(90, Math.round(width * 0.34)));
}

function clickable(el: SVGElement, location: Location, events: ChartEvents): void {
  el.classList.add('interactive');
  el.addEventListener('click', () => events.reveal(location));
}

/** Gradient flow: one row per layer in call order, ‖∂L/∂output‖ on a log axis; the no-skip model as a second bar. */
export function gradientFlowChart(rows: readonly FlowRow[], width: number, measure: Measure, events: ChartEvents): SVGSVGElement {
  const overlay = rows.some((r) => r.noSkipNorm !== null);
  const rowH = overlay ? 20 : 16;
  const barH = overlay ? 7 : 9;
  const axisH = 22;
  const labelW = labelColumn(rows.map((r) => r.label), width, measure);
  const valueW = 58;
  const x0 = labelW + 6;
  const x1 = Math.max(x0 + 60, width - valueW);
  const values = rows.flatMap((r) => [r.norm ?? 0, r.noSkipNorm ?? 0]);
  const x = logScale(values, [x0, x1]);
  const height = axisH + rows.length * rowH + 4;

  const svg = s('svg', {
    class: 'chart flow-chart',
    attrs: { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': `Gradient norm per layer, log scale, ${rows.length} layers` },
  });
  svg.append(logAxis(x, axisH, height));

  rows.forEach((r, i) => {
    const y = axisH + i * rowH;
    const g = s('g', { class: 'flow-row' });
    const tip = [
      `${r.label} (${r.className})`,
      `‖∂L/∂out‖ = ${formatNumber(r.norm)}`,
      r.noSkipNorm !== null ? `without skips: ${formatNumber(r.noSkipNorm)}` : '',
      ...Object.entries(r.paramNorms).map(([k, v]) => `‖∂L/∂${k}‖ = ${formatNumber(v)}`),
    ].filter(Boolean);
    g.append(
      svgTitle(tip.join('\n')),
      s('rect', { class: 'row-hit', attrs: { x: 0, y, width, height: rowH } }),
      s('text', { class: 'chart-label', attrs: { x: labelW, y: y + rowH / 2, 'text-anchor': 'end', 'dominant-baseline': 'central' }, text: fit(r.label, labelW - 4, measure) }),
    );
    const barY = overlay ? y + rowH / 2 - barH - 0.5 : y + (rowH - barH) / 2;
    if (r.norm !== null && r.norm > 0) {
      g.append(s('rect', { class: 'bar bar-skip', attrs: { x: x0, y: barY, width: Math.max(1, x(r.norm) - x0), height: barH, rx: 1.5 } }));
    }
    if (overlay && r.noSkipNorm !== null && r.noSkipNorm > 0) {
      g.append(s('rect', { class: 'bar bar-noskip', attrs: { x: x0, y: y + rowH / 2 + 0.5, width: Math.max(1, x(r.noSkipNorm) - x0), height: barH, rx: 1.5 } }));
    }
    g.append(s('text', { class: 'chart-value', attrs: { x: width - 2, y: y + rowH / 2, 'text-anchor': 'end', 'dominant-baseline': 'central' }, text: formatNumber(r.norm) }));
    clickable(g, r.location, events);
    svg.append(g);
  });
  return svg;
}

function logAxis(x: Scale, axisH: number, height: number): SVGGElement {
  const g = s('g', { class: 'axis', attrs: { 'aria-hidden': 'true' } });
  for (const t of x.ticks) {
    const px = x(t);
    g.append(
      s('line', { class: 'grid', attrs: { x1: px, x2: px, y1: axisH - 4, y2: height - 2 } }),
      s('text', { class: 'tick', attrs: { x: px, y: axisH - 9, 'text-anchor': 'middle' }, text: decadeLabel(t) }),
    );
  }
  return g;
}

/** Shortcut vs branch: one stacked bar per block, the share of the block-input gradient that each path carried. */
export function shareChart(rows: readonly ShareRow[], width: number, measure: Measure, events: ChartEvents): SVGSVGElement {
  const rowH = 24;
  const barH = 16;
  const labelW = labelColumn(rows.map((r) => r.label), width, measure);
  const x0 = labelW + 6;
  const w = Math.max(80, width - x0 - 2);
  const height = rows.length * rowH + 2;
  const svg = s('svg', {
    class: 'chart share-chart',
    attrs: { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': 'Share of the gradient through the shortcut and through the branch, per block' },
  });
  rows.forEach((r, i) => {
    const y = i * rowH + (rowH - barH) / 2;
    const ws = r.shortcut * w;
    const g = s('g', { class: 'share-row' });
    g.append(
      svgTitle(`${r.label}: ${formatPercent(r.shortcut)} through the ${r.kind} shortcut, ${formatPercent(1 - r.shortcut)} through the branch`),
      s('rect', { class: 'row-hit', attrs: { x: 0, y: i * rowH, width, height: rowH } }),
      s('text', { class: 'chart-label', attrs: { x: labelW, y: y + barH / 2, 'text-anchor': 'end', 'dominant-baseline': 'central' }, text: fit(r.label, labelW - 4, measure) }),
      s('rect', { class: 'bar bar-shortcut', attrs: { x: x0, y, width: ws, height: barH } }),
      s('rect', { class: 'bar bar-branch', attrs: { x: x0 + ws, y, width: w - ws, height: barH } }),
    );
    const pct = (text: string, cx: number, space: number, cls: string): void => {
      if (space >= measure(text, 'mono') + 8) g.append(s('text', { class: ['bar-text', cls], attrs: { x: cx, y: y + barH / 2, 'text-anchor': 'middle', 'dominant-baseline': 'central' }, text }));
    };
    pct(formatPercent(r.shortcut), x0 + ws / 2, ws, 'on-shortcut');
    pct(formatPercent(1 - r.shortcut), x0 + ws + (w - ws) / 2, w - ws, 'on-branch');
    clickable(g, r.location, events);
    svg.append(g);
  });
  return svg;
}

/** The shared x scale of the f(x) − x range plots: every block's min..max, with 0 inside. */
export function residualScale(rows: readonly ResidualRow[], width: number): Scale {
  const lo = Math.min(0, ...rows.map((r) => r.stats.min));
  const hi = Math.max(0, ...rows.map((r) => r.stats.max));
  return linearScale(lo, hi, [6, width - 6], 4);
}

/** One block's f(x) − x distribution: whisker min..max, box mean ± std, tick at the mean, dashed zero line. */
export function rangePlot(row: ResidualRow, x: Scale, width: number): SVGSVGElement {
  const h = 18;
  const { mean, std, min, max } = row.stats;
  const clampX = (v: number): number => Math.max(x.domain[0], Math.min(x.domain[1], v));
  return s(
    'svg',
    { class: 'chart range-plot', attrs: { width, height: h, viewBox: `0 0 ${width} ${h}`, role: 'img', 'aria-label': `min ${formatNumber(min)}, mean ${formatNumber(mean)} ± ${formatNumber(std)}, max ${formatNumber(max)}` } },
    s('line', { class: 'zero', attrs: { x1: x(0), x2: x(0), y1: 1, y2: h - 1 } }),
    s('line', { class: 'whisker', attrs: { x1: x(min), x2: x(max), y1: h / 2, y2: h / 2 } }),
    s('line', { class: 'whisker-end', attrs: { x1: x(min), x2: x(min), y1: h / 2 - 3, y2: h / 2 + 3 } }),
    s('line', { class: 'whisker-end', attrs: { x1: x(max), x2: x(max), y1: h / 2 - 3, y2: h / 2 + 3 } }),
    s('rect', { class: 'box', attrs: { x: x(clampX(mean - std)), y: h / 2 - 4, width: Math.max(1, x(clampX(mean + std)) - x(clampX(mean - std))), height: 8, rx: 1 } }),
    s('line', { class: 'mean', attrs: { x1: x(mean), x2: x(mean), y1: h / 2 - 6, y2: h / 2 + 6 } }),
  );
}

/** The axis under the range plots: a few linear ticks. */
export function rangeAxis(x: Scale, width: number): SVGSVGElement {
  const h = 16;
  return s(
    'svg',
    { class: 'chart axis range-axis', attrs: { width, height: h, viewBox: `0 0 ${width} ${h}`, 'aria-hidden': 'true' } },
    ...x.ticks.map((t) => s('text', { class: 'tick', attrs: { x: x(t), y: 11, 'text-anchor': 'middle' }, text: formatNumber(t) })),
  );
}
