// The panel's header: document, input-shape field, export buttons, status line (busy, progress, error, skips), totals.

import type { Location } from '../../core/diagnostics';
import type { TraceResult } from '../../core/trace/types';
import type { PanelState } from '../protocol';
import { button, h, replace } from './dom';
import { formatBytes, formatCount, formatShape, parseShape, shapeToText } from './format';
import { icon } from './icons';

export interface HeaderEvents {
  setInputShape(shape: number[]): void;
  exportTrace(format: 'markdown' | 'json'): void;
  reveal(location: Location): void;
}

export interface Progress {
  message: string;
  fraction: number | null;
}

/** "2 skip connections: 1 identity, 1 projection". */
export function skipSummary(trace: TraceResult): string {
  const n = trace.skips.length;
  if (n === 0) return 'No skip connections';
  const proj = trace.skips.filter((s) => s.kind === 'projection').length;
  const parts = [n - proj > 0 ? `${n - proj} identity` : '', proj > 0 ? `${proj} projection` : ''].filter(Boolean);
  return `${n} skip connection${n === 1 ? '' : 's'}: ${parts.join(', ')}`;
}

export class Header {
  readonly el: HTMLElement;
  private readonly docName = h('span', { class: 'doc-name' });
  private readonly mode = h('span', { class: 'chip mode' });
  private readonly input: HTMLInputElement;
  private readonly inputError = h('span', { class: 'field-error', attrs: { id: 'shape-error', 'aria-live': 'polite' } });
  private readonly status = h('div', { class: 'status', attrs: { role: 'status', 'aria-live': 'polite' } });
  private readonly totals = h('dl', { class: 'totals' });
  private readonly exportButtons: HTMLButtonElement[];
  private readonly apply: HTMLButtonElement;
  /** The shape last shown from the host, so a host change replaces the field but a person's edit is kept. */
  private shownShape = '';

  constructor(private readonly events: HeaderEvents) {
    this.input = h('input', {
      class: 'shape-input mono',
      attrs: { id: 'shape-input', type: 'text', spellcheck: 'false', autocomplete: 'off', placeholder: '1, 3, 224, 224', 'aria-describedby': 'shape-error' },
    });
    this.input.addEventListener('input', () => this.validate(false));
    this.input.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        this.input.value = this.shownShape;
        this.validate(false);
      }
    });
    this.apply = button('Apply', () => this.submit(), { title: 'Trace again with this input shape' });
    const form = h(
      'form',
      { class: 'shape-form', attrs: { novalidate: true } },
      h('label', { class: 'field-label', attrs: { for: 'shape-input' }, text: 'Input shape' }),
      this.input,
      this.apply,
      this.inputError,
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.submit();
    });

    this.exportButtons = [
      button('Markdown', () => this.events.exportTrace('markdown'), { title: 'Export the trace as a Markdown table', icon: icon('export') }),
      button('JSON', () => this.events.exportTrace('json'), { title: 'Export the trace as JSON', icon: icon('export') }),
    ];
    const exports = h('div', { class: 'export-group', attrs: { role: 'group', 'aria-label': 'Export' } }, ...this.exportButtons);

    this.el = h(
      'header',
      { class: 'header' },
      h('div', { class: 'title-row' }, h('div', { class: 'doc' }, this.docName, this.mode), exports),
      form,
      this.status,
      this.totals,
    );
  }

  private validate(forSubmit: boolean): number[] | null {
    const text = this.input.value;
    if (!forSubmit && text.trim() === '') {
      this.setError(null);
      return null;
    }
    const r = parseShape(text);
    this.setError(r.ok ? null : r.error);
    return r.ok ? r.shape : null;
  }

  private setError(message: string | null): void {
    this.inputError.textContent = message ?? '';
    this.input.setAttribute('aria-invalid', String(message !== null));
    this.input.classList.toggle('invalid', message !== null);
  }

  private submit(): void {
    const shape = this.validate(true);
    if (!shape) {
      this.input.focus();
      return;
    }
    this.input.value = shapeToText(shape);
    this.events.setInputShape(shape);
  }

  update(state: PanelState, progress: Progress | null): void {
    this.docName.textContent = state.document?.name ?? 'Tensor Trace';
    this.docName.title = state.document?.uri ?? '';
    const t = state.trace;
    this.mode.hidden = !t;
    if (t) {
      this.mode.textContent = t.mode === 'numeric' ? `numeric · ${t.backend.name}` : 'symbolic';
      this.mode.title = t.backend.reason;
      this.mode.classList.toggle('numeric', t.mode === 'numeric');
    }

    const hostShape = shapeToText(state.inputShape);
    if (hostShape !== this.shownShape && (document.activeElement !== this.input || this.input.value === this.shownShape)) {
      this.input.value = hostShape;
      this.validate(false);
    }
    this.shownShape = hostShape;
    this.input.disabled = this.apply.disabled = !state.document;
    for (const b of this.exportButtons) b.disabled = !t;

    this.renderStatus(state, progress);
    this.renderTotals(t);
  }

  private renderStatus(state: PanelState, progress: Progress | null): void {
    const t = state.trace;
    const parts: Node[] = [];
    let cls = 'idle';
    if (state.busy || progress) {
      cls = 'busy';
      parts.push(h('span', { class: 'spinner', attrs: { 'aria-hidden': 'true' } }), h('span', { class: 'status-text', text: progress?.message ?? state.busy?.message ?? 'Working…' }));
      if (progress && progress.fraction !== null) {
        const bar = h('progress', { class: 'progress', attrs: { max: 1, 'aria-label': 'Progress' } });
        bar.value = Math.max(0, Math.min(1, progress.fraction));
        parts.push(bar);
      }
    } else if (t?.error) {
      cls = 'error';
      const e = t.error;
      const link = h('button', { class: 'link', attrs: { type: 'button', title: 'Go to the error' } }, h('span', { text: `line ${e.location.line}` }));
      link.addEventListener('click', () => this.events.reveal(e.location));
      parts.push(icon('error'), h('span', { class: 'status-text' }, h('span', { class: 'error-text', text: `${e.exceptionType ? `${e.exceptionType}: ` : ''}${e.message}` }), ' ', link));
    } else if (t) {
      const warnings = t.diagnostics.filter((d) => d.severity === 'warning').length;
      // One inline run of text, so a narrow panel wraps it like a sentence.
      const sep = (): HTMLElement => h('span', { class: 'sep', attrs: { 'aria-hidden': 'true' }, text: ' · ' });
      parts.push(
        icon('check'),
        h(
          'span',
          { class: 'status-text' },
          `Traced in ${Math.round(t.timings.totalMs)} ms`,
          warnings > 0 ? sep() : null,
          warnings > 0 ? h('span', { class: 'status-warn', text: `${warnings} warning${warnings === 1 ? '' : 's'}` }) : null,
          sep(),
          h('span', { class: 'status-skips', text: skipSummary(t) }),
        ),
      );
    } else {
      parts.push(h('span', { class: 'status-text muted', text: state.document ? 'No trace yet.' : 'Open a Python file that defines an nn.Module to trace it.' }));
    }
    this.status.className = `status ${cls}`;
    // Without a document the panel body says what to do; the status line would only repeat it.
    this.status.hidden = !state.document && !state.busy && !progress;
    replace(this.status, ...parts);
  }

  private renderTotals(t: TraceResult | null): void {
    this.totals.hidden = !t;
    if (!t) return;
    const item = (label: string, value: string, title?: string): HTMLElement[] => [
      h('dt', { text: label }),
      h('dd', { class: 'mono', text: value, attrs: { title: title ?? null } }),
    ];
    const lastRoot = [...t.modules].reverse().find((m) => m.parent === null);
    const out = t.outputShape ?? lastRoot?.outputShapes[0] ?? null;
    replace(
      this.totals,
      ...[
        h('div', { class: 'total' }, ...item('Params', formatCount(t.totals.params), `${t.totals.params.toLocaleString('en-US')} (${t.totals.trainableParams.toLocaleString('en-US')} trainable)`)),
        h('div', { class: 'total' }, ...item('MACs', formatCount(t.totals.macs), t.totals.macs.toLocaleString('en-US'))),
        h('div', { class: 'total' }, ...item('Activations', formatBytes(t.totals.activationBytes))),
        out ? h('div', { class: 'total' }, ...item('Output', formatShape(out))) : null,
      ].filter((x): x is HTMLDivElement => x !== null),
    );
  }
}
