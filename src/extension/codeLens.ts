// CodeLens on each nn.Module class: its traced signature and parameter count, with Trace and Show in Panel.

import * as vscode from 'vscode';
import type { ModuleCall } from '../core/trace/types';
import { failedCalls, formatCount, formatSignature } from '../host/format';
import type { ClassFacts } from '../worker/protocol';
import type { AnalysisService } from './analysis';
import { CommandId } from './commandIds';
import type { Ctx } from './context';
import { viewsFor, type DocView } from './views';

/** Arguments of the lens commands. */
export interface ClassRef {
  uri: string;
  className: string;
}

/** Calls of a class in an analysis (matching the file it is defined in when the engine says). */
export function callsOfClass(view: Pick<DocView, 'analysis' | 'file'>, className: string): ModuleCall[] {
  return view.analysis.result.modules.filter((m) => m.className === className && (!m.classDefinedAt || m.classDefinedAt.file === view.file));
}

/** Whether a class is an nn.Module: a base named like one, or the trace saw it called as one. */
export function isModuleClass(cls: ClassFacts, calls: ModuleCall[]): boolean {
  return calls.length > 0 || cls.bases.some((b) => b === 'Module' || b.endsWith('.Module'));
}

export class CodeLensProvider implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(
    ctx: Ctx,
    private readonly analysis: AnalysisService,
  ) {
    ctx.add(this.changed);
    ctx.add(analysis.onDidAnalyze(() => this.changed.fire()));
    ctx.add(analysis.onDidClear(() => this.changed.fire()));
  }

  async provideCodeLenses(doc: vscode.TextDocument, token: vscode.CancellationToken): Promise<vscode.CodeLens[]> {
    await this.analysis.ensure(doc, token);
    const lenses: vscode.CodeLens[] = [];
    // Per class, the view that traced it (the file itself, or a file importing it); else the first that knows it.
    const best = new Map<string, { view: DocView; cls: ClassFacts; calls: ModuleCall[] }>();
    for (const view of viewsFor(this.analysis, doc)) {
      if (!view.analysis.isTorch || !view.facts) continue;
      for (const cls of view.facts.classes) {
        const calls = callsOfClass(view, cls.name);
        const seen = best.get(cls.name);
        if (!seen || (seen.calls.length === 0 && calls.length > 0)) best.set(cls.name, { view, cls, calls });
      }
    }
    for (const { view, cls, calls } of best.values()) {
      const at = view.position(cls.nameSpan.start);
      if (!at || !isModuleClass(cls, calls)) continue;
      const range = new vscode.Range(at, at);
      const ref: ClassRef = { uri: doc.uri.toString(), className: cls.name };
      lenses.push(new vscode.CodeLens(range, { title: signatureTitle(calls, failedCalls(view.analysis.result)), command: '', tooltip: 'Traced signature' }));
      lenses.push(new vscode.CodeLens(range, { title: 'Trace', command: CommandId.TraceModule, arguments: [ref] }));
      lenses.push(new vscode.CodeLens(range, { title: 'Show in Panel', command: CommandId.ShowPanel, arguments: [ref] }));
    }
    return lenses;
  }
}

/** `[32, 64, 56, 56] → [32, 128, 28, 28] · 230,144 params`, or a hint that the class was not traced. */
export function signatureTitle(calls: ModuleCall[], failed?: ReadonlySet<number>): string {
  if (calls.length === 0) return 'not traced yet';
  const signatures = [...new Set(calls.map((m) => formatSignature(m, failed)))];
  const more = signatures.length > 1 ? ` (+${signatures.length - 1} more)` : '';
  return `${signatures[0]}${more} · ${formatCount(calls[0].totalParams)} params`;
}
