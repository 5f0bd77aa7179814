// Inlay hints from the analysis cache: the shape each line of forward() and of the script makes, parameters and
// output shape on each layer defined in __init__, and the kind of each residual addition.

import * as vscode from 'vscode';
import type { Location } from '../core/diagnostics';
import type { ModuleCall } from '../core/trace/types';
import { failedCalls, formatCount, formatMacs, formatOutputs, formatShapes, formatSignature, moduleDisplayName, skipShortcutText } from '../host/format';
import { failingLocation } from '../host/projectionFix';
import type { AnalysisService } from './analysis';
import { HintDensity, readConfig } from './config';
import type { Ctx } from './context';
import { type DocView, viewsFor } from './views';

const hintsVisibleKey = 'tensorTrace.hintsVisible';

/** Toggle Inline Hints: a per-workspace switch on top of the density setting. */
export class HintsSwitch {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(
    ctx: Ctx,
    private readonly state: vscode.Memento,
  ) {
    ctx.add(this.changed);
    void vscode.commands.executeCommand('setContext', hintsVisibleKey, this.visible);
  }

  get visible(): boolean {
    return this.state.get<boolean>(hintsVisibleKey, true);
  }

  async toggle(): Promise<boolean> {
    const next = !this.visible;
    await this.state.update(hintsVisibleKey, next);
    await vscode.commands.executeCommand('setContext', hintsVisibleKey, next);
    this.changed.fire();
    return next;
  }
}

const MAX_SHAPES = 3;

export class InlayHintsProvider implements vscode.InlayHintsProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeInlayHints = this.changed.event;

  constructor(
    ctx: Ctx,
    private readonly analysis: AnalysisService,
    private readonly hints: HintsSwitch,
  ) {
    ctx.add(this.changed);
    ctx.add(analysis.onDidAnalyze(() => this.changed.fire()));
    ctx.add(analysis.onDidClear(() => this.changed.fire()));
    ctx.add(hints.onDidChange(() => this.changed.fire()));
    ctx.add(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('tensorTrace.hints')) this.changed.fire();
      }),
    );
  }

  /**
   * Tooltips are made when the editor resolves a hint (on hover), not with every hint: VS Code renders each
   * Markdown tooltip as it receives the hints, which made large files' hints cost the host tens of milliseconds.
   */
  private readonly tooltips = new WeakMap<vscode.InlayHint, () => string>();

  resolveInlayHint(hint: vscode.InlayHint): vscode.InlayHint {
    const tooltip = this.tooltips.get(hint);
    if (tooltip) hint.tooltip = new vscode.MarkdownString(tooltip());
    return hint;
  }

  async provideInlayHints(doc: vscode.TextDocument, range: vscode.Range, token: vscode.CancellationToken): Promise<vscode.InlayHint[]> {
    const density = this.hints.visible ? readConfig(doc.uri).hints.density : HintDensity.Off;
    if (density === HintDensity.Off) return [];
    await this.analysis.ensure(doc, token);
    if (token.isCancellationRequested) return [];
    const views = viewsFor(this.analysis, doc);
    const out: vscode.InlayHint[] = [];
    const verbose = density === HintDensity.Verbose;
    // The end of the line where a location ends, when that line is in the requested range.
    const atLineEnd = (view: DocView, loc: Location | undefined) => {
      const line = loc && view.endLine(loc);
      if (line === undefined || line >= doc.lineCount || line < range.start.line || line > range.end.line) return undefined;
      return doc.lineAt(line).range.end;
    };
    const hint = (pos: vscode.Position, label: string, tooltip?: () => string) => {
      const h = new vscode.InlayHint(pos, label, vscode.InlayHintKind.Type);
      h.paddingLeft = true;
      if (tooltip) this.tooltips.set(h, tooltip);
      out.push(h);
    };

    for (const view of views) {
      if (!view.analysis.isTorch) continue;
      const r = view.analysis.result;
      const failed = failedCalls(r);

      // Shapes made by each statement of forward() and of the script.
      const lineDone = new Set<number>();
      for (const ls of r.lines) {
        if (density === HintDensity.Minimal && ls.target === null) continue;
        const pos = atLineEnd(view, ls.site);
        if (!pos || lineDone.has(pos.line) || ls.shapes.length === 0) continue;
        lineDone.add(pos.line);
        const shapes = ls.shapes.slice(0, MAX_SHAPES).map(formatShapes).join(' | ') + (ls.shapes.length > MAX_SHAPES ? ' | …' : '');
        const label = (verbose && ls.target ? `${ls.target}: ` : '') + shapes + (verbose && ls.hits > 1 ? ` ×${ls.hits}` : '');
        hint(pos, label);
      }

      // Parameters and output shape on each layer's definition.
      if (density === HintDensity.Normal || verbose) {
        const byDef = new Map<number, { pos: vscode.Position; calls: ModuleCall[]; outputs: string[] }>();
        for (const m of r.modules) {
          const pos = atLineEnd(view, m.definedAt);
          if (!pos) continue;
          const g = byDef.get(pos.line) ?? { pos, calls: [], outputs: [] };
          const outputs = formatOutputs(m, failed);
          if (!g.calls.some((c, i) => c.totalParams === m.totalParams && g.outputs[i] === outputs && c.className === m.className)) {
            g.calls.push(m);
            g.outputs.push(outputs);
          }
          byDef.set(pos.line, g);
        }
        for (const { pos, calls, outputs } of byDef.values()) {
          const parts = calls.slice(0, MAX_SHAPES).map((m, i) => {
            const params = m.totalParams > 0 ? `${formatCount(m.totalParams)} params → ` : '→ ';
            return params + outputs[i] + (verbose ? ` · ${formatMacs(m.macs)}` : '');
          });
          const tip = () => calls.map((m) => `**${moduleDisplayName(m)}** \`${m.className}(${m.args})\`: \`${formatSignature(m, failed)}\``).join('\n\n');
          hint(pos, parts.join(' | ') + (calls.length > MAX_SHAPES ? ' | …' : ''), tip);
        }
        for (const u of r.unused) {
          const pos = atLineEnd(view, u.definedAt);
          if (pos) hint(pos, 'never called');
        }
      }

      // The kind of each residual addition (not on the addition that failed: its diagnostic says what went wrong).
      const skipDone = new Set<string>();
      const failedAt = r.error ? failingLocation(r.error) : undefined;
      for (const s of r.skips) {
        if (failedAt && failedAt.file === s.site.file && failedAt.span.start === s.site.span.start) continue;
        const pos = atLineEnd(view, s.site);
        if (!pos || skipDone.has(`${pos.line}:${s.label}`)) continue;
        skipDone.add(`${pos.line}:${s.label}`);
        hint(pos, s.label, () => `Skip connection: ${s.kind} — ${skipShortcutText(s)}`);
      }
    }
    return out;
  }
}
