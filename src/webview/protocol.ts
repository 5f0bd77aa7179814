// The one message protocol between the extension host and the Tensor Trace panel (a webview).
// Both sides import this file; it holds only plain data types and guards, no host or DOM code.

import type { Location } from '../core/diagnostics';
import type { TraceResult } from '../core/trace/types';

/** What the panel shows; the host sends it whole whenever it changes. */
export interface PanelState {
  /** The document the trace belongs to (display name and URI string). */
  document: { name: string; uri: string } | null;
  /** The latest trace (symbolic or numeric) of that document. */
  trace: TraceResult | null;
  /** The same model traced with every skip connection removed, after "Compare Without Skip Connections". */
  noSkipTrace: TraceResult | null;
  /** Input shape used for entry traces of the selected class, when one was set. */
  inputShape: number[] | null;
  busy: null | { kind: 'symbolic' | 'numeric' | 'compare'; message: string };
}

// ---------------------------------------------------------------- webview → host

export type PanelRequest =
  | { type: 'ready' }
  | { type: 'revealSource'; location: Location }
  | { type: 'setInputShape'; shape: number[] }
  | { type: 'runNumeric' }
  | { type: 'compareWithoutSkips' }
  | { type: 'exportTrace'; format: 'markdown' | 'json' };

// ---------------------------------------------------------------- host → webview

export type PanelNotification =
  | { type: 'state'; state: PanelState }
  | { type: 'progress'; message: string; fraction: number | null };

const requestTypes: ReadonlySet<PanelRequest['type']> = new Set([
  'ready',
  'revealSource',
  'setInputShape',
  'runNumeric',
  'compareWithoutSkips',
  'exportTrace',
]);
const notificationTypes: ReadonlySet<PanelNotification['type']> = new Set(['state', 'progress']);

/** Guards a message the host received from the webview. */
export function isPanelRequest(m: unknown): m is PanelRequest {
  if (typeof m !== 'object' || m === null) return false;
  const t = (m as { type?: unknown }).type;
  if (typeof t !== 'string' || !requestTypes.has(t as PanelRequest['type'])) return false;
  const r = m as PanelRequest;
  switch (r.type) {
    case 'revealSource':
      return typeof r.location === 'object' && r.location !== null && typeof r.location.file === 'string' && Number.isInteger(r.location.line);
    case 'setInputShape':
      return Array.isArray(r.shape) && r.shape.length > 0 && r.shape.every((d) => Number.isInteger(d) && d > 0);
    case 'exportTrace':
      return r.format === 'markdown' || r.format === 'json';
    default:
      return true;
  }
}

/** Guards a message the webview received from the host. */
export function isPanelNotification(m: unknown): m is PanelNotification {
  if (typeof m !== 'object' || m === null) return false;
  const t = (m as { type?: unknown }).type;
  return typeof t === 'string' && notificationTypes.has(t as PanelNotification['type']);
}
