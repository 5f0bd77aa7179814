// The layer tree: a keyboard-navigable treegrid of module calls (name, class, in → out shape, params, MACs, memory).

import type { Location } from '../../core/diagnostics';
import type { ModuleCall, TraceResult } from '../../core/trace/types';
import { h, replace } from './dom';
import { formatBytes, formatCount, formatShapes } from './format';
import { icon } from './icons';
import { type TreeRow, type VisibleRow, allRows, buildTree, defaultExpanded, rowLabel, visibleRows } from './rows';

export interface TableEvents {
  /** A row became the selection (click or keyboard). */
  select(row: TreeRow): void;
  /** A row was activated (click or Enter): show its source. */
  reveal(location: Location): void;
  /** The set of expanded rows changed. */
  expand(keys: ReadonlySet<string>): void;
}

const COLUMNS = [
  { id: 'name', label: 'Layer' },
  { id: 'shape', label: 'Out', prefix: 'In → ' },
  { id: 'params', label: 'Params', num: true },
  { id: 'macs', label: 'MACs', num: true },
  { id: 'mem', label: 'Memory', num: true, title: 'Output activation size (float32)' },
] as const;

function sum(ms: readonly ModuleCall[], f: (m: ModuleCall) => number): number {
  return ms.reduce((a, m) => a + f(m), 0);
}

/** The treegrid; `update` re-renders from a trace while keeping focus on the same row. */
export class LayerTable {
  readonly el: HTMLElement;
  private readonly body: HTMLTableSectionElement;
  private roots: TreeRow[] = [];
  private visible: VisibleRow[] = [];
  private expanded = new Set<string>();
  private selected: string | null = null;
  private skipLabels = new Map<number, { kind: string; label: string }>();
  private shortcutIds = new Set<number>();

  constructor(private readonly events: TableEvents) {
    this.body = h('tbody');
    const head = h(
      'tr',
      { attrs: { role: 'row' } },
      ...COLUMNS.map((c) =>
        h(
          'th',
          { class: [`col-${c.id}`, 'num' in c && 'num'], attrs: { role: 'columnheader', scope: 'col', title: 'title' in c ? c.title : null } },
          'prefix' in c ? h('span', { class: 'shape-in', text: c.prefix }) : null,
          c.label,
        ),
      ),
    );
    const table = h(
      'table',
      { class: 'layers', attrs: { role: 'treegrid', 'aria-label': 'Layers', 'aria-colcount': COLUMNS.length } },
      h('thead', {}, head),
      this.body,
    );
    table.addEventListener('keydown', (e) => this.onKey(e));
    this.el = h('div', { class: 'layers-scroll' }, table);
  }

  /** Shows a trace; `expanded` and `selected` are row keys (see rows.ts); null `expanded` opens the top levels. */
  update(trace: TraceResult, expanded: ReadonlySet<string> | null, selected: string | null): void {
    this.roots = buildTree(trace);
    this.expanded = expanded ? new Set(expanded) : defaultExpanded(this.roots);
    this.skipLabels = new Map(trace.skips.map((s) => [s.module, { kind: s.kind, label: s.label }]));
    this.shortcutIds = new Set(trace.skips.flatMap((s) => s.shortcutModules));
    const keys = new Set(allRows(this.roots).map((r) => r.key));
    this.selected = selected && keys.has(selected) ? selected : null;
    // A new trace while a row has focus (e.g. after Enter saved the file): keep the focus on that row.
    this.render(this.el.contains(document.activeElement));
  }

  /** The row for a key, if the current tree has it. */
  row(key: string | null): TreeRow | undefined {
    return key === null ? undefined : allRows(this.roots).find((r) => r.key === key);
  }

  /** Selects a row from outside (the diagram's block picker), expanding its ancestors so it is visible. */
  reveal(key: string): void {
    const rows = allRows(this.roots);
    const byKey = new Map(rows.map((r) => [r.key, r]));
    for (let r = byKey.get(key); r?.parentKey; r = byKey.get(r.parentKey)) this.expanded.add(r.parentKey);
    this.selected = byKey.has(key) ? key : this.selected;
    this.render(false);
    this.events.expand(this.expanded);
  }

  private render(keepFocus: boolean): void {
    this.visible = visibleRows(this.roots, this.expanded);
    const focusKey = keepFocus ? (document.activeElement as HTMLElement | null)?.dataset?.key ?? null : null;
    // The row that takes Tab focus: the selection, else the first row.
    const tabKey = this.visible.some((v) => v.row.key === this.selected) ? this.selected : (this.visible[0]?.row.key ?? null);
    replace(this.body, ...this.visible.map((v) => this.renderRow(v, v.row.key === tabKey)));
    if (focusKey) this.focusKey(focusKey);
  }

  private renderRow(v: VisibleRow, tabbable: boolean): HTMLTableRowElement {
    const { row } = v;
    const m = row.module;
    const n = row.members.length;
    const hasKids = row.children.length > 0;
    const open = hasKids && this.expanded.has(row.key);

    const twisty = h('span', { class: ['twisty', hasKids && 'has-kids', open && 'open'], attrs: { 'aria-hidden': 'true' } }, hasKids ? icon('chevron') : null);
    twisty.addEventListener('click', (e) => {
      if (!hasKids) return;
      e.stopPropagation();
      this.toggle(row.key);
    });

    const skip = row.members.map((x) => this.skipLabels.get(x.id)).find((x) => x !== undefined);
    const badges: Node[] = [];
    if (n > 1) badges.push(h('span', { class: 'badge repeat', attrs: { title: `${n} identical consecutive ${m.className} blocks` }, text: `×${n}` }));
    if (skip) {
      badges.push(
        h('span', {
          class: ['badge', 'skip', `skip-${skip.kind}`],
          attrs: { title: `Owns a skip connection: ${skip.kind === 'identity' ? 'identity shortcut' : `projection shortcut (${skip.label})`}` },
          text: skip.kind === 'identity' ? 'identity' : skip.label,
        }),
      );
    }
    if (n === 1 && this.shortcutIds.has(m.id)) badges.push(h('span', { class: 'badge on-shortcut', attrs: { title: 'On a shortcut path' }, text: 'shortcut' }));
    if (n === 1 && m.callCount > 1) badges.push(h('span', { class: 'badge calls', attrs: { title: `This module object was called ${m.callCount} times` }, text: `${m.callCount} calls` }));

    const fullName = m.name === '' ? `${m.className} (root)` : n > 1 ? `${m.name} … ${row.members[n - 1].name}` : m.name;
    const nameCell = h(
      'td',
      { class: 'col-name', attrs: { role: 'gridcell', title: `${fullName}\n${m.className}(${m.args})` } },
      h(
        'span',
        { class: 'name-wrap' },
        twisty,
        h('span', { class: ['name', m.name === '' && 'root'], text: rowLabel(row) }),
        // The root's label already is its class.
        m.name === '' ? null : h('span', { class: 'class-name', text: m.className }),
        ...badges,
      ),
    );
    // Indentation by level through a CSS custom property (CSSOM is allowed by the CSP; style attributes are not).
    nameCell.style.setProperty('--level', String(row.level - 1));

    const params = sum(row.members, (x) => x.totalParams);
    const macs = sum(row.members, (x) => x.macs);
    const mem = sum(row.members, (x) => x.outputBytes);
    const each = (f: (x: ModuleCall) => string): string | null => (n > 1 ? `${n} × ${f(m)}` : null);

    const tr = h(
      'tr',
      {
        class: ['row', row.ownsSkip && 'owns-skip', n > 1 && 'group'],
        attrs: {
          role: 'row',
          'aria-level': row.level,
          'aria-posinset': v.posInSet,
          'aria-setsize': v.setSize,
          'aria-expanded': hasKids ? String(open) : null,
          'aria-selected': String(row.key === this.selected),
          tabindex: tabbable ? 0 : -1,
          'data-key': row.key,
        },
      },
      nameCell,
      h(
        'td',
        { class: 'col-shape mono', attrs: { role: 'gridcell' } },
        h('span', { class: 'shape-in', text: formatShapes(m.inputShapes) }),
        h('span', { class: 'arrow', text: ' → ' }),
        h('span', { class: 'shape-out', text: formatShapes(m.outputShapes) }),
      ),
      h('td', { class: 'col-params num mono', attrs: { role: 'gridcell', title: each((x) => x.totalParams.toLocaleString('en-US')) ?? params.toLocaleString('en-US') }, text: params ? formatCount(params) : '—' }),
      h('td', { class: 'col-macs num mono', attrs: { role: 'gridcell', title: each((x) => formatCount(x.macs)) }, text: macs ? formatCount(macs) : '—' }),
      h('td', { class: 'col-mem num mono', attrs: { role: 'gridcell', title: each((x) => formatBytes(x.outputBytes)) }, text: mem ? formatBytes(mem) : '—' }),
    );
    tr.addEventListener('click', () => {
      this.select(row.key, true);
      this.events.reveal(m.callSite ?? m.definedAt);
    });
    return tr;
  }

  private rowEl(key: string): HTMLTableRowElement | null {
    for (const tr of Array.from(this.body.rows)) if (tr.dataset.key === key) return tr;
    return null;
  }

  private focusKey(key: string): void {
    const tr = this.rowEl(key);
    if (!tr) return;
    for (const r of Array.from(this.body.rows)) r.tabIndex = r === tr ? 0 : -1;
    tr.focus({ preventScroll: false });
    tr.scrollIntoView({ block: 'nearest' });
  }

  private select(key: string, focus: boolean): void {
    if (this.selected !== key) {
      this.selected = key;
      for (const tr of Array.from(this.body.rows)) tr.setAttribute('aria-selected', String(tr.dataset.key === key));
      const row = this.row(key);
      if (row) this.events.select(row);
    }
    if (focus) this.focusKey(key);
  }

  private toggle(key: string, open?: boolean): void {
    const isOpen = this.expanded.has(key);
    const want = open ?? !isOpen;
    if (want === isOpen) return;
    if (want) this.expanded.add(key);
    else this.expanded.delete(key);
    this.render(true);
    this.events.expand(this.expanded);
  }

  private onKey(e: KeyboardEvent): void {
    const key = (e.target as HTMLElement).dataset?.key;
    if (!key) return;
    const i = this.visible.findIndex((v) => v.row.key === key);
    if (i < 0) return;
    const row = this.visible[i].row;
    const go = (j: number): void => {
      const v = this.visible[Math.max(0, Math.min(this.visible.length - 1, j))];
      if (v) this.select(v.row.key, true);
    };
    switch (e.key) {
      case 'ArrowDown':
        go(i + 1);
        break;
      case 'ArrowUp':
        go(i - 1);
        break;
      case 'Home':
        go(0);
        break;
      case 'End':
        go(this.visible.length - 1);
        break;
      case 'PageDown':
        go(i + 10);
        break;
      case 'PageUp':
        go(i - 10);
        break;
      case 'ArrowRight':
        if (row.children.length === 0) break;
        if (!this.expanded.has(row.key)) this.toggle(row.key, true);
        else go(i + 1);
        break;
      case 'ArrowLeft':
        if (row.children.length > 0 && this.expanded.has(row.key)) this.toggle(row.key, false);
        else if (row.parentKey) this.select(row.parentKey, true);
        break;
      case 'Enter':
      case ' ':
        this.select(row.key, true);
        if (e.key === 'Enter') this.events.reveal(row.module.callSite ?? row.module.definedAt);
        else if (row.children.length > 0) this.toggle(row.key);
        break;
      default:
        return;
    }
    e.preventDefault();
  }
}
