// Status bar item: the backend and the last trace time of the active file; a click opens the panel.

import * as vscode from 'vscode';
import { formatCount } from '../host/format';
import type { AnalysisService } from './analysis';
import { CommandId } from './commandIds';
import { readConfig } from './config';
import type { Ctx } from './context';
import type { TraceTarget } from './targets';

export class StatusBar {
  private readonly item: vscode.StatusBarItem;
  private key: string | undefined;

  constructor(
    ctx: Ctx,
    private readonly analysis: AnalysisService,
  ) {
    this.item = ctx.add(vscode.window.createStatusBarItem('tensorTrace.status', vscode.StatusBarAlignment.Right, 100));
    this.item.name = 'Tensor Trace';
    this.item.command = CommandId.ShowPanel;
    ctx.add(analysis.onDidAnalyze((a) => a.target.key === this.key && this.render()));
    ctx.add(analysis.onDidChangeBusy((k) => k === this.key && this.render()));
    ctx.add(analysis.onDidClear((k) => k === this.key && this.render()));
    ctx.add(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('tensorTrace.backend')) this.render();
      }),
    );
  }

  /** Shows the item for a Python target, hides it otherwise. */
  follow(target: TraceTarget | undefined): void {
    this.key = target?.key;
    this.render();
  }

  private render(): void {
    const key = this.key;
    if (!key) {
      this.item.hide();
      return;
    }
    const a = this.analysis.latest(key);
    const busy = this.analysis.busy(key);
    const backend = readConfig().backend;
    if (busy) {
      this.item.text = `$(sync~spin) ${busy.kind === 'numeric' ? 'numeric' : 'tracing'}…`;
    } else if (a && a.isTorch) {
      const icon = a.result.error ? '$(warning)' : '$(pulse)';
      // The engine's own time, as the panel shows it (the first run also pays for starting the worker).
      this.item.text = `${icon} ${a.result.backend.name} · ${a.result.timings.totalMs.toFixed(0)} ms`;
    } else {
      this.item.text = '$(pulse) Tensor Trace';
    }
    const tip = new vscode.MarkdownString('', true);
    tip.appendMarkdown('**Tensor Trace**\n\n');
    if (a && a.isTorch) {
      const r = a.result;
      tip.appendMarkdown(`Last trace: ${a.mode}, ${r.timings.totalMs.toFixed(0)} ms in the engine (${a.ms.toFixed(0)} ms with the worker round trip)\n\n`);
      tip.appendMarkdown(`Backend: ${r.backend.name} — ${r.backend.reason}\n\n`);
      tip.appendMarkdown(`${formatCount(r.totals.params)} parameters · ${r.modules.length} module calls · ${r.skips.length} skip connections\n\n`);
      if (r.error) tip.appendMarkdown(`Stopped at line ${r.error.location.line}: ${r.error.message.split('\n')[0]}\n\n`);
    }
    tip.appendMarkdown(`Numeric backend setting: \`${backend}\`\n\nClick to open the panel.`);
    this.item.tooltip = tip;
    this.item.show();
  }
}
