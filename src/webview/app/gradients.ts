// The Gradients tab: flow, shortcut shares, f(x) − x, printed gradients and the no-skip overlay, or a "run numeric" prompt.

import type { PanelState } from '../protocol';
import { type ChartEvents, type Measure, gradientFlowChart, rangeAxis, rangePlot, residualScale, shareChart } from './charts';
import { button, h } from './dom';
import { formatNumber, formatPercent, formatTorchTensor } from './format';
import { compareSkips, gradientFlow, gradientShares, hasNumericData, residualRows, seedGradients } from './gradientData';
import { icon } from './icons';

export interface GradientEvents extends ChartEvents {
  runNumeric(): void;
  compareWithoutSkips(): void;
}

function section(title: string, blurb: string | null, ...body: Array<Node | null>): HTMLElement {
  return h('section', { class: 'card' }, h('h3', { text: title }), blurb ? h('p', { class: 'blurb', text: blurb }) : null, ...body);
}

function legend(...items: Array<[string, string]>): HTMLElement {
  return h('div', { class: 'legend' }, ...items.map(([cls, text]) => h('span', { class: 'legend-item' }, h('span', { class: ['legend-box', cls], attrs: { 'aria-hidden': 'true' } }), h('span', { text }))));
}

/** Renders the tab into `host` at its current width. */
export function renderGradientView(host: HTMLElement, state: PanelState, measure: Measure, events: GradientEvents): void {
  host.replaceChildren();
  const trace = state.trace;
  const busy = state.busy !== null;
  if (!trace || !hasNumericData(trace)) {
    const run = button(state.busy?.kind === 'numeric' ? 'Running…' : 'Run numeric trace', () => events.runNumeric(), { class: 'primary', icon: icon('play') });
    run.disabled = busy || !trace;
    run.dataset.focusKey = 'run';
    host.append(
      h(
        'div',
        { class: 'empty' },
        h('p', { class: 'empty-title', text: 'No gradients yet' }),
        h('p', {
          text:
            'The symbolic trace checks shapes without computing any values. A numeric run executes the forward pass with random inputs, ' +
            'calls backward() and records every layer’s gradient, how much of it each shortcut carries, and the statistics of f(x) − x.',
        }),
        h('div', { class: 'actions' }, run),
      ),
    );
    return;
  }

  const width = Math.max(280, Math.min(900, host.clientWidth || 560) - 26);
  const flow = gradientFlow(trace, state.noSkipTrace);
  const shares = gradientShares(trace);
  const residuals = residualRows(trace);
  const seed = seedGradients(trace);

  const rerun = button('Re-run', () => events.runNumeric(), { icon: icon('play'), title: 'Run the numeric trace again' });
  const compare = button(state.noSkipTrace ? 'Compare again' : 'Compare without skip connections', () => events.compareWithoutSkips(), {
    icon: icon('compare'),
    title: 'Trace the same model with every skip connection removed and overlay its gradients',
  });
  rerun.disabled = compare.disabled = busy;
  rerun.dataset.focusKey = 'rerun';
  compare.dataset.focusKey = 'compare';
  host.append(h('div', { class: 'actions top-actions' }, compare, rerun));

  const cmp = compareSkips(flow);
  if (state.noSkipTrace && cmp) {
    const more = cmp.ratio >= 1;
    const factor = more ? cmp.ratio : 1 / cmp.ratio;
    host.append(
      h(
        'div',
        { class: ['callout', more ? 'good' : 'neutral'] },
        h('span', { text: 'Without skip connections, ' }),
        h('strong', { text: `${factor >= 10 ? Math.round(factor).toLocaleString('en-US') : factor.toFixed(1)}× ${more ? 'less' : 'more'}` }),
        h('span', { text: ` gradient reaches ${cmp.layer} ` }),
        h('span', { class: 'mono muted', text: `(${formatNumber(cmp.withSkips)} → ${formatNumber(cmp.withoutSkips)})` }),
      ),
    );
  } else if (state.noSkipTrace && !hasNumericData(state.noSkipTrace)) {
    host.append(h('div', { class: ['callout', 'neutral'], text: 'The model without skip connections has no gradients to compare (its trace is symbolic).' }));
  }

  if (flow.length > 0) {
    host.append(
      section(
        'Gradient flow',
        'Norm of the gradient of the loss with respect to each layer’s output, in call order (log scale). Shrinking bars toward the top mean vanishing gradients.',
        state.noSkipTrace ? legend(['bar-skip', 'with skip connections'], ['bar-noskip', 'without']) : null,
        h('div', { class: 'chart-wrap' }, gradientFlowChart(flow, width, measure, events)),
      ),
    );
  }

  if (shares.length > 0) {
    const mean = shares.reduce((a, r) => a + r.shortcut, 0) / shares.length;
    host.append(
      section(
        'Shortcut vs branch',
        `Share of the gradient reaching each block’s input through the shortcut and through the residual branch (mean ${formatPercent(mean)} via shortcuts).`,
        legend(['bar-shortcut', 'shortcut'], ['bar-branch', 'branch']),
        h('div', { class: 'chart-wrap' }, shareChart(shares, width, measure, events)),
      ),
    );
  }

  if (residuals.length > 0) {
    // f(x) − x is rarely exactly zero; the column shows only when some block has zeros worth reporting.
    const zeros = residuals.some((r) => r.stats.zeroFraction > 0);
    const cols = ['mean', 'std', 'min', 'max', ...(zeros ? ['zeros'] : [])];
    // Under 460 px the stylesheet hides min and max (the plot shows them); give their room to the plot.
    const shown = width < 460 ? cols.length - 2 : cols.length;
    const plotW = Math.max(100, Math.min(280, width - 110 - shown * 56));
    const x = residualScale(residuals, plotW);
    const cls = (c: string): string => `num col-${c}`;
    const table = h(
      'table',
      { class: 'stats' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { attrs: { scope: 'col' }, text: 'Block' }),
          ...cols.map((c) => h('th', { class: cls(c), attrs: { scope: 'col' }, text: c })),
          h('th', { class: 'plot', attrs: { scope: 'col', 'aria-label': 'Distribution' } }, rangeAxis(x, plotW)),
        ),
      ),
      h(
        'tbody',
        {},
        ...residuals.map((r) => {
          const values: Record<string, string> = {
            mean: formatNumber(r.stats.mean),
            std: formatNumber(r.stats.std),
            min: formatNumber(r.stats.min),
            max: formatNumber(r.stats.max),
            zeros: formatPercent(r.stats.zeroFraction),
          };
          const tr = h(
            'tr',
            { class: 'interactive', attrs: { title: `Go to the addition (line ${r.location.line})` } },
            h('td', { class: 'label' }, h('span', { text: r.label }), h('span', { class: ['badge', 'skip', `skip-${r.kind}`], text: r.kind === 'identity' ? 'id' : 'proj' })),
            ...cols.map((c) => h('td', { class: [cls(c), 'mono'], text: values[c] })),
            h('td', { class: 'plot' }, rangePlot(r, x, plotW)),
          );
          tr.addEventListener('click', () => events.reveal(r.location));
          return tr;
        }),
      ),
    );
    host.append(
      section(
        'Residual f(x) − x',
        'How far each block moves its input: statistics of the branch output minus the shortcut. Box: mean ± std; whiskers: min to max.',
        h('div', { class: 'table-wrap' }, table),
      ),
    );
  }

  if (seed && (seed.input || seed.output)) {
    const line = (what: string, values: number[] | null): HTMLElement =>
      h(
        'div',
        { class: 'print-line' },
        h('span', { class: 'print-label', text: `Gradient of ${what} Tensor (first ${values?.length ?? 5} elements):` }),
        h('code', { class: 'mono', text: values ? formatTorchTensor(values) : 'not recorded by this trace' }),
      );
    host.append(
      section(
        'Gradients as printed',
        `The first values of the gradients of ${seed.label}’s input and output, formatted as PyTorch prints them.`,
        line('Input', seed.input),
        line('Output', seed.output),
      ),
    );
  }

  if (trace.stdout.trim()) {
    host.append(h('details', { class: 'card stdout' }, h('summary', { text: 'Script output' }), h('pre', { class: 'mono', text: trace.stdout })));
  }
}
