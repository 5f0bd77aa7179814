// The block diagram view: a picker of residual blocks and the selected block drawn as SVG from its dagre layout.

import type { Location } from '../../core/diagnostics';
import type { TraceResult } from '../../core/trace/types';
import { h, s, svgTitle, textMeasurer } from './dom';
import { formatShape } from './format';
import { icon } from './icons';
import { type BlockLayout, type EdgePath, type NodeBox, NODE, buildBlockGraph, layoutBlock } from './graph';

export interface DiagramEvents {
  reveal(location: Location): void;
  /** The picker chose another skip connection (index into trace.skips). */
  pickSkip(index: number): void;
}

/** d3's curveBasis: a B-spline through dagre's bend points, ending with a straight segment for the arrowhead. */
export function basisPath(points: ReadonlyArray<{ x: number; y: number }>): string {
  const f = (n: number): string => String(Math.round(n * 10) / 10);
  if (points.length === 0) return '';
  if (points.length < 3) return `M${f(points[0].x)},${f(points[0].y)}` + points.slice(1).map((p) => `L${f(p.x)},${f(p.y)}`).join('');
  let d = `M${f(points[0].x)},${f(points[0].y)}`;
  let [x0, y0, x1, y1] = [points[0].x, points[0].y, points[1].x, points[1].y];
  d += `L${f((5 * x0 + x1) / 6)},${f((5 * y0 + y1) / 6)}`;
  const bez = (x: number, y: number): void => {
    d += `C${f((2 * x0 + x1) / 3)},${f((2 * y0 + y1) / 3)},${f((x0 + 2 * x1) / 3)},${f((y0 + 2 * y1) / 3)},${f((x0 + 4 * x1 + x) / 6)},${f((y0 + 4 * y1 + y) / 6)}`;
  };
  for (const p of points.slice(2)) {
    bez(p.x, p.y);
    [x0, y0, x1, y1] = [x1, y1, p.x, p.y];
  }
  bez(x1, y1);
  d += `L${f(x1)},${f(y1)}`;
  return d;
}

function marker(id: string, cls: string): SVGMarkerElement {
  return s(
    'marker',
    { attrs: { id, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse', markerUnits: 'userSpaceOnUse' } },
    s('path', { class: ['arrowhead', cls], attrs: { d: 'M1,1L9,5L1,9z' } }),
  );
}

function drawEdge(e: EdgePath): SVGGElement {
  const g = s('g', { class: ['edge', `edge-${e.kind}`] }, s('path', { attrs: { d: basisPath(e.points), 'marker-end': `url(#tt-arrow-${e.kind})` } }));
  if (e.label && e.labelAt) {
    const w = e.labelWidth;
    g.append(
      s('rect', { class: 'edge-label-bg', attrs: { x: e.labelAt.x - w / 2, y: e.labelAt.y - 8, width: w, height: 16, rx: 3 } }),
      s('text', { class: 'edge-label', attrs: { x: e.labelAt.x, y: e.labelAt.y, 'text-anchor': 'middle', 'dominant-baseline': 'central' }, text: e.label }),
    );
  }
  return g;
}

function nodeDescription(n: NodeBox): string {
  const what = n.kind === 'add' ? `Residual add, ${n.detail}` : [n.title, n.detail].filter(Boolean).join(', ');
  return `${what}; output ${n.shape}${n.location ? `; line ${n.location.line}` : ''}`;
}

function drawNode(n: NodeBox, events: DiagramEvents): SVGGElement {
  const left = n.x - n.width / 2;
  const top = n.y - n.height / 2;
  const interactive = n.location !== null;
  const g = s('g', {
    class: ['node', `node-kind-${n.kind}`, interactive && 'interactive'],
    attrs: interactive
      ? { tabindex: 0, role: 'button', 'aria-label': `${nodeDescription(n)}. Go to source.`, 'data-focus-key': `node-${n.id}` }
      : { role: 'img', 'aria-label': nodeDescription(n) },
  });
  g.append(svgTitle(nodeDescription(n)));
  if (n.kind === 'add') {
    g.append(
      s('circle', { class: 'node-box', attrs: { cx: n.x, cy: n.y, r: NODE.addRadius } }),
      s('path', { class: 'add-plus', attrs: { d: `M${n.x - 6},${n.y}h12M${n.x},${n.y - 6}v12` } }),
    );
  } else if (n.kind === 'input' || n.kind === 'output' || n.kind === 'op') {
    g.append(
      s('rect', { class: 'node-box', attrs: { x: left, y: top, width: n.width, height: n.height, rx: n.height / 2 } }),
      s('text', { class: 'node-title', attrs: { x: left + NODE.padX, y: n.y, 'dominant-baseline': 'central' }, text: n.title }),
      s('text', { class: 'node-mono', attrs: { x: left + n.width - NODE.padX, y: n.y, 'text-anchor': 'end', 'dominant-baseline': 'central' }, text: n.shape }),
    );
  } else {
    g.append(s('rect', { class: 'node-box', attrs: { x: left, y: top, width: n.width, height: n.height, rx: 4 } }));
    const lines: Array<[string, string]> = [[n.title, 'node-title']];
    if (n.detail) lines.push([n.detail, 'node-detail']);
    lines.push([n.shape, 'node-mono']);
    lines.forEach(([text, cls], i) => {
      g.append(s('text', { class: cls, attrs: { x: n.x, y: top + NODE.padY + NODE.line * (i + 0.5), 'text-anchor': 'middle', 'dominant-baseline': 'central' }, text }));
    });
  }
  if (interactive) {
    const go = (): void => events.reveal(n.location!);
    g.addEventListener('click', go);
    g.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        go();
      }
    });
  }
  return g;
}

/** Draws a laid-out block as an SVG that scales down to the panel's width. */
export function drawBlock(layout: BlockLayout, events: DiagramEvents, label: string): SVGSVGElement {
  const svg = s('svg', {
    class: 'block-diagram',
    attrs: { viewBox: `0 0 ${layout.width} ${layout.height}`, width: layout.width, height: layout.height, role: 'group', 'aria-label': label },
  });
  svg.append(s('defs', {}, marker('tt-arrow-main', 'main'), marker('tt-arrow-shortcut', 'shortcut'), marker('tt-arrow-identity', 'identity')));
  const edges = s('g', { class: 'edges' }, ...layout.edges.map(drawEdge));
  const nodes = s('g', { class: 'nodes' }, ...layout.nodes.map((n) => drawNode(n, events)));
  svg.append(edges, nodes);
  return svg;
}

function legendItem(cls: string, text: string): HTMLElement {
  return h(
    'span',
    { class: 'legend-item' },
    s('svg', { class: ['legend-swatch', cls], attrs: { width: 22, height: 10, 'aria-hidden': 'true' } }, s('line', { attrs: { x1: 1, y1: 5, x2: 21, y2: 5 } })),
    h('span', { text }),
  );
}

/** The whole Block tab: picker, legend, diagram and a caption pointing at the add's source line. */
export function renderBlockView(host: HTMLElement, trace: TraceResult, skipIndex: number, events: DiagramEvents): void {
  host.replaceChildren();
  if (trace.skips.length === 0) {
    host.append(
      h(
        'div',
        { class: 'empty' },
        h('p', { class: 'empty-title', text: 'No skip connections in this trace' }),
        h('p', { text: 'A block shows here when its forward adds its input (or a projection of it) to the output of a branch, as in out += identity.' }),
      ),
    );
    return;
  }
  const byId = new Map(trace.modules.map((m) => [m.id, m]));
  const index = Math.max(0, Math.min(trace.skips.length - 1, skipIndex));
  const skip = trace.skips[index];
  const owner = byId.get(skip.module);

  const picker = h('select', { class: 'block-picker', attrs: { 'aria-label': 'Residual block', 'data-focus-key': 'block-picker' } });
  trace.skips.forEach((sk, i) => {
    const o = byId.get(sk.module);
    const name = o ? (o.name === '' ? o.className : `${o.name} · ${o.className}`) : `block ${sk.module}`;
    const opt = h('option', { attrs: { value: i }, text: `${name} — ${sk.kind === 'identity' ? 'identity' : sk.label}` });
    opt.selected = i === index;
    picker.append(opt);
  });
  picker.addEventListener('change', () => events.pickSkip(Number(picker.value)));

  const header = h(
    'div',
    { class: 'block-header' },
    h('label', { class: 'field-label', text: 'Block' }, picker),
    h(
      'div',
      { class: 'legend', attrs: { 'aria-label': 'Legend' } },
      legendItem('main', 'main path'),
      legendItem('shortcut', 'projection'),
      legendItem('identity', 'identity'),
    ),
  );

  const graph = buildBlockGraph(trace, skip);
  const figure = h('figure', { class: 'diagram-figure' });
  host.append(header, figure);
  if (graph) {
    const layout = layoutBlock(graph, textMeasurer(figure));
    const ownerName = owner ? owner.name || owner.className : 'block';
    figure.append(drawBlock(layout, events, `Block diagram of ${ownerName}: ${skip.kind} shortcut`));
  }

  const site = h('button', { class: 'link', attrs: { type: 'button', title: 'Go to the addition' } }, icon('source'), h('span', { text: `Line ${skip.site.line}` }));
  site.addEventListener('click', () => events.reveal(skip.site));
  const caption = h(
    'figcaption',
    { class: 'block-caption' },
    h(
      'span',
      {},
      h('span', { class: ['badge', 'skip', `skip-${skip.kind}`], text: skip.kind === 'identity' ? 'identity shortcut' : 'projection shortcut' }),
      ' ',
      h('span', { class: 'mono', text: `${formatShape(skip.mainShape)} + ${formatShape(skip.shortcutShape)}` }),
    ),
    skip.kind === 'projection' && skip.shortcut.length > 0 ? h('span', { class: 'muted', text: skip.shortcut.join(' → ') }) : null,
    site,
  );
  figure.append(caption);
}
