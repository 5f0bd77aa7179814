// Host side of the Tensor Trace panel: a WebviewView in its own activity-bar container, and the same app in a
// WebviewPanel beside the editor (restored after reload by a serializer). Strict CSP, nonce scripts, only
// dist/ and media/ readable; messages are typed by src/webview/protocol.ts and checked with isPanelRequest.

import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { isPanelRequest, type PanelNotification, type PanelRequest, type PanelState } from '../webview/protocol';
import type { AnalysisService } from './analysis';
import { ViewId } from './commandIds';
import type { Ctx } from './context';
import type { TraceTarget } from './targets';

/** What the panel's requests do; implemented by the commands module. */
export interface PanelActions {
  revealSource(req: Extract<PanelRequest, { type: 'revealSource' }>, key: string | undefined): Promise<void>;
  setInputShape(shape: number[], key: string | undefined): Promise<void>;
  runNumeric(key: string | undefined): Promise<void>;
  compareWithoutSkips(key: string | undefined): Promise<void>;
  exportTrace(format: 'markdown' | 'json', key: string | undefined): Promise<void>;
}

interface Client {
  webview: vscode.Webview;
  ready: boolean;
  /** Listeners of this webview, disposed with it or with the extension. */
  subs: vscode.Disposable[];
}

export class PanelHost implements vscode.WebviewViewProvider, vscode.WebviewPanelSerializer, vscode.Disposable {
  private readonly clients = new Set<Client>();
  private current: { key: string; name: string; uri: string } | undefined;
  private lastPosted: PanelState | undefined;
  private actions: PanelActions | undefined;
  private view: vscode.WebviewView | undefined;

  constructor(
    private readonly ctx: Ctx,
    private readonly analysis: AnalysisService,
  ) {
    ctx.add(this);
    ctx.add(vscode.window.registerWebviewViewProvider(ViewId.PanelView, this, { webviewOptions: { retainContextWhenHidden: false } }));
    ctx.add(vscode.window.registerWebviewPanelSerializer(ViewId.PanelEditor, this));
    ctx.add(analysis.onDidAnalyze((a) => a.target.key === this.current?.key && this.postState()));
    ctx.add(analysis.onDidChangeBusy((key) => key === this.current?.key && this.postState()));
    ctx.add(analysis.onDidClear((key) => key === this.current?.key && this.postState()));
  }

  setActions(actions: PanelActions): void {
    this.actions = actions;
  }

  /** The document the panel shows: follows the last active Python editor or notebook. */
  follow(target: TraceTarget | undefined): void {
    if (!target || target.key === this.current?.key) return;
    this.current = { key: target.key, name: target.name, uri: target.uri.toString() };
    this.postState();
  }

  get currentKey(): string | undefined {
    return this.current?.key;
  }

  /** The state last posted to a webview (for the integration tests). */
  get lastPostedState(): PanelState | undefined {
    return this.lastPosted;
  }

  /** Reveals the side-bar view. */
  async show(): Promise<void> {
    await vscode.commands.executeCommand(`${ViewId.PanelView}.focus`);
  }

  /** Opens the panel as an editor beside the active one. */
  openBeside(): void {
    const panel = vscode.window.createWebviewPanel(ViewId.PanelEditor, 'Tensor Trace', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, this.options());
    this.attach(panel.webview, panel);
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    view.webview.options = this.options();
    this.attach(view.webview, view);
  }

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, _state: unknown): Promise<void> {
    panel.webview.options = this.options();
    this.attach(panel.webview, panel);
  }

  computeState(): PanelState {
    const key = this.current?.key;
    const a = key ? this.analysis.latest(key) : undefined;
    const entry = key ? this.analysis.entry(key) : undefined;
    const busy = key ? this.analysis.busy(key) : undefined;
    return {
      document: this.current ? { name: this.current.name, uri: this.current.uri } : null,
      trace: a && a.isTorch ? a.result : null,
      noSkipTrace: a?.noSkip ?? null,
      inputShape: entry?.inputs[0] ?? a?.result.modules.find((m) => m.parent === null)?.inputShapes[0] ?? null,
      busy: busy ?? null,
    };
  }

  /** Sends progress of a long run (numeric) to every ready webview. */
  progress(message: string, fraction: number | null): void {
    this.broadcast({ type: 'progress', message, fraction });
  }

  postState(): void {
    if (![...this.clients].some((c) => c.ready)) return;
    const state = this.computeState();
    this.lastPosted = state;
    this.broadcast({ type: 'state', state });
  }

  private broadcast(n: PanelNotification): void {
    for (const c of this.clients) if (c.ready) void c.webview.postMessage(n);
  }

  private options(): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    const ext = this.ctx.extension.extensionUri;
    return {
      enableScripts: true,
      enableCommandUris: false,
      localResourceRoots: [vscode.Uri.joinPath(ext, 'dist'), vscode.Uri.joinPath(ext, 'media')],
    };
  }

  private attach(webview: vscode.Webview, owner: vscode.WebviewView | vscode.WebviewPanel): void {
    const client: Client = { webview, ready: false, subs: [] };
    this.clients.add(client);
    webview.html = this.html(webview);
    client.subs.push(
      webview.onDidReceiveMessage((m: unknown) => void this.onMessage(client, m)),
      owner.onDidDispose(() => {
        this.clients.delete(client);
        if (owner === this.view) this.view = undefined;
        for (const s of client.subs.splice(0)) s.dispose();
      }),
    );
  }

  dispose(): void {
    for (const c of this.clients) for (const s of c.subs.splice(0)) s.dispose();
    this.clients.clear();
  }

  private async onMessage(client: Client, m: unknown): Promise<void> {
    if (!isPanelRequest(m)) return;
    const key = this.current?.key;
    const a = this.actions;
    switch (m.type) {
      case 'ready': {
        client.ready = true;
        const state = this.computeState();
        this.lastPosted = state;
        void client.webview.postMessage({ type: 'state', state } satisfies PanelNotification);
        return;
      }
      case 'revealSource':
        return a?.revealSource(m, key);
      case 'setInputShape':
        return a?.setInputShape(m.shape, key);
      case 'runNumeric':
        return a?.runNumeric(key);
      case 'compareWithoutSkips':
        return a?.compareWithoutSkips(key);
      case 'exportTrace':
        return a?.exportTrace(m.format, key);
    }
  }

  private html(webview: vscode.Webview): string {
    const ext = this.ctx.extension.extensionUri;
    const nonce = randomBytes(16).toString('base64');
    const script = webview.asWebviewUri(vscode.Uri.joinPath(ext, 'dist', 'webview.js'));
    const style = webview.asWebviewUri(vscode.Uri.joinPath(ext, 'media', 'panel.css'));
    const csp = [
      "default-src 'none'",
      `script-src 'nonce-${nonce}'`,
      `style-src ${webview.cspSource}`,
      `img-src ${webview.cspSource} data:`,
      `font-src ${webview.cspSource}`,
    ].join('; ');
    // Only our own URIs and the nonce go into the page; the data arrives by postMessage.
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}">
<title>Tensor Trace</title>
</head>
<body>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
  }
}
