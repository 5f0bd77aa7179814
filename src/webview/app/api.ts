// The webview's side of the VS Code API: typed posting of PanelRequest and the view state kept across hide/show.

import type { PanelRequest } from '../protocol';

export const TABS = ['layers', 'block', 'gradients'] as const;
export type TabId = (typeof TABS)[number];

/** What survives the panel being hidden or reloaded: which tab, which row, which rows are open, for which document. */
export interface ViewState {
  tab: TabId;
  /** Row key (rows.ts) of the selection, or null for "the first block with a skip connection". */
  selected: string | null;
  /** Expanded row keys, or null until the person first expands or collapses (then the defaults apply). */
  expanded: string[] | null;
  /** The document these keys belong to; another document starts fresh. */
  documentUri: string | null;
}

interface VsCodeApi {
  postMessage(message: PanelRequest): void;
  getState(): unknown;
  setState(state: ViewState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** Falls back to a console logger outside VS Code (a plain browser page), so the app can be previewed. */
function api(): VsCodeApi {
  if (typeof acquireVsCodeApi === 'function') return acquireVsCodeApi();
  let saved: unknown;
  return {
    postMessage: (m) => console.info('[tensor-trace] post', m),
    getState: () => saved,
    setState: (st) => {
      saved = st;
    },
  };
}

const vscode = api();

/** Sends a request to the extension host. */
export function post(message: PanelRequest): void {
  vscode.postMessage(message);
}

function isViewState(x: unknown): x is ViewState {
  if (typeof x !== 'object' || x === null) return false;
  const v = x as Partial<ViewState>;
  return (
    typeof v.tab === 'string' &&
    (TABS as readonly string[]).includes(v.tab) &&
    (v.selected === null || typeof v.selected === 'string') &&
    (v.expanded === null || (Array.isArray(v.expanded) && v.expanded.every((k) => typeof k === 'string'))) &&
    (v.documentUri === null || typeof v.documentUri === 'string')
  );
}

/** The saved view state, or the defaults when there is none (or it is from an older version of the panel). */
export function loadViewState(): ViewState {
  const s = vscode.getState();
  return isViewState(s) ? s : { tab: 'layers', selected: null, expanded: null, documentUri: null };
}

export function saveViewState(state: ViewState): void {
  vscode.setState(state);
}
