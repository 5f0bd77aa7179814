// Entry point of the Tensor Trace panel (bundled to dist/webview.js): builds the page and wires the views to the protocol.

import type { Location } from '../../core/diagnostics';
import { type PanelState, isPanelNotification } from '../protocol';
import { type TabId, TABS, type ViewState, loadViewState, post, saveViewState } from './api';
import { renderBlockView } from './diagram';
import { h, textMeasurer } from './dom';
import { renderGradientView } from './gradients';
import { skipForSelection } from './graph';
import { Header, type Progress } from './header';
import { moduleKeys } from './rows';
import { LayerTable } from './table';

const TAB_LABELS: Record<TabId, string> = { layers: 'Layers', block: 'Block', gradients: 'Gradients' };

let view: ViewState = loadViewState();
let panel: PanelState | null = null;
let progress: Progress | null = null;

function save(patch: Partial<ViewState>): void {
  view = { ...view, ...patch };
  saveViewState(view);
}

const reveal = (location: Location): void => post({ type: 'revealSource', location });

const header = new Header({
  setInputShape: (shape) => post({ type: 'setInputShape', shape }),
  exportTrace: (format) => post({ type: 'exportTrace', format }),
  reveal,
});

const table = new LayerTable({
  select(row) {
    // The Block tab follows the selection the next time it is shown.
    save({ selected: row.key });
  },
  reveal,
  expand(keys) {
    save({ expanded: [...keys] });
  },
});

// ---------------------------------------------------------------- tabs

const tabButtons = new Map<TabId, HTMLButtonElement>();
const panels = new Map<TabId, HTMLElement>();
const tablist = h('div', { class: 'tabs', attrs: { role: 'tablist', 'aria-label': 'Views' } });
for (const id of TABS) {
  const b = h('button', {
    class: 'tab',
    attrs: { type: 'button', role: 'tab', id: `tab-${id}`, 'aria-controls': `panel-${id}` },
    text: TAB_LABELS[id],
  });
  b.addEventListener('click', () => selectTab(id, false));
  tabButtons.set(id, b);
  tablist.append(b);
  panels.set(id, h('div', { class: ['tabpanel', `panel-${id}`], attrs: { role: 'tabpanel', id: `panel-${id}`, 'aria-labelledby': `tab-${id}`, tabindex: 0 } }));
}
tablist.addEventListener('keydown', (e) => {
  const i = TABS.indexOf(view.tab);
  const to: Record<string, number> = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: TABS.length - 1 };
  if (!(e.key in to)) return;
  e.preventDefault();
  selectTab(TABS[(to[e.key] + TABS.length) % TABS.length], true);
});

function selectTab(id: TabId, focus: boolean): void {
  save({ tab: id });
  for (const [t, b] of tabButtons) {
    b.setAttribute('aria-selected', String(t === id));
    b.tabIndex = t === id ? 0 : -1;
    panels.get(t)!.hidden = t !== id;
  }
  if (focus) tabButtons.get(id)!.focus();
  renderActive();
}

// ---------------------------------------------------------------- rendering

const measure = textMeasurer(document.body);

function emptyState(host: HTMLElement, title: string, text: string): void {
  host.replaceChildren(h('div', { class: 'empty' }, h('p', { class: 'empty-title', text: title }), h('p', { text })));
}

/** Shows "nothing yet" in a panel when there is no trace, and says whether one is coming. */
function renderNoTrace(host: HTMLElement): boolean {
  if (panel?.trace) return false;
  if (!panel) host.replaceChildren();
  else if (panel.busy) emptyState(host, 'Tracing…', panel.busy.message);
  else if (panel.document) emptyState(host, 'No trace yet', 'Save the file or set an input shape to trace it.');
  else emptyState(host, 'Nothing to show', 'Open a Python file that defines an nn.Module; its layers, skip connections and gradients show here.');
  return true;
}

function selectedModuleId(): number | null {
  const row = table.row(view.selected);
  return row ? row.module.id : null;
}

function renderBlock(): void {
  const host = panels.get('block')!;
  if (renderNoTrace(host) || !panel?.trace) return;
  const trace = panel.trace;
  renderBlockView(host, trace, skipForSelection(trace, selectedModuleId()), {
    reveal,
    pickSkip(index) {
      const skip = trace.skips[index];
      const key = skip ? moduleKeys(trace.modules).get(skip.module) : undefined;
      if (!key) return;
      save({ selected: key });
      table.reveal(key);
      renderBlock();
      host.querySelector<HTMLSelectElement>('select')?.focus();
    },
  });
}

function renderGradients(): void {
  const host = panels.get('gradients')!;
  if (renderNoTrace(host) || !panel) return;
  renderGradientView(host, panel, measure, {
    reveal,
    runNumeric: () => post({ type: 'runNumeric' }),
    compareWithoutSkips: () => post({ type: 'compareWithoutSkips' }),
  });
}

function renderLayers(): void {
  const host = panels.get('layers')!;
  if (renderNoTrace(host) || !panel?.trace) return;
  if (!host.contains(table.el)) host.replaceChildren(table.el);
}

/** Re-renders a panel; focus on an element with a data-focus-key moves to its replacement (or the panel, if it is gone). */
function withFocusKept(host: HTMLElement, render: () => void): void {
  const active = document.activeElement as HTMLElement | null;
  const key = active && host.contains(active) ? active.dataset.focusKey : undefined;
  render();
  if (key === undefined || host.contains(active)) return;
  const next = host.querySelector<HTMLElement>(`[data-focus-key="${CSS.escape(key)}"]`);
  (next && !(next as HTMLButtonElement).disabled ? next : host).focus();
}

function renderActive(): void {
  if (view.tab === 'layers') renderLayers();
  else if (view.tab === 'block') withFocusKept(panels.get('block')!, renderBlock);
  else withFocusKept(panels.get('gradients')!, renderGradients);
}

function onState(state: PanelState): void {
  const uri = state.document?.uri ?? null;
  if (uri !== view.documentUri) save({ documentUri: uri, selected: null, expanded: null });
  panel = state;
  if (!state.busy) progress = null;
  header.update(state, progress);
  if (state.trace) table.update(state.trace, view.expanded ? new Set(view.expanded) : null, view.selected);
  renderActive();
}

// Charts are drawn for the panel's width; redraw when it changes (one frame later, once per burst of resizes).
let lastWidth = 0;
let frame = 0;
new ResizeObserver((entries) => {
  const w = Math.round(entries[0]?.contentRect.width ?? 0);
  if (w === lastWidth || w === 0) return;
  lastWidth = w;
  cancelAnimationFrame(frame);
  frame = requestAnimationFrame(() => {
    if (view.tab === 'gradients') renderGradients();
  });
}).observe(panels.get('gradients')!);

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const m = event.data;
  if (!isPanelNotification(m)) return;
  switch (m.type) {
    case 'state':
      onState(m.state);
      break;
    case 'progress':
      progress = { message: m.message, fraction: m.fraction };
      if (panel) header.update(panel, progress);
      break;
  }
});

document.body.append(h('div', { class: 'app' }, header.el, tablist, ...panels.values()));
header.update({ document: null, trace: null, noSkipTrace: null, inputShape: null, busy: null }, null);
selectTab(view.tab, false);
post({ type: 'ready' });
