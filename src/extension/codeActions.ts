// Quick Fix for 'skip-shape-mismatch': insert a projection in __init__ and apply it to the shortcut.
// The edit is computed by src/host/projectionFix.ts from the trace and the worker's syntax facts.

import * as vscode from 'vscode';
import { failingLocation, projectionFix, type TextEdit } from '../host/projectionFix';
import type { Analysis, AnalysisService } from './analysis';
import { diagnosticSource, type DiagnosticsPublisher } from './diagnostics';
import { textHash } from './views';

export class CodeActionProvider implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  constructor(
    private readonly analysis: AnalysisService,
    private readonly diagnostics: DiagnosticsPublisher,
  ) {}

  async provideCodeActions(doc: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): Promise<vscode.CodeAction[]> {
    const actions: vscode.CodeAction[] = [];
    for (const d of context.diagnostics) {
      if (d.source !== diagnosticSource) continue;
      const origin = this.diagnostics.origin(doc.uri, d);
      if (!origin || origin.diagnostic.code !== 'skip-shape-mismatch') continue;
      const a = this.analysis.latest(origin.key);
      if (!a) continue;
      const action = await this.fixFor(a, origin.diagnostic, d);
      if (action) actions.push(action);
    }
    return actions;
  }

  private async fixFor(a: Analysis, engineDiag: import('../core/diagnostics').Diagnostic, d: vscode.Diagnostic): Promise<vscode.CodeAction | undefined> {
    const file = failingLocation(engineDiag).file;
    const facts = a.syntax[file];
    if (!facts) return undefined;
    const resolved = await this.textOf(a, file);
    if (!resolved) return undefined;
    const fix = projectionFix({ text: resolved.text, facts, diagnostic: engineDiag, trace: a.result });
    if (!fix) return undefined;
    const edit = new vscode.WorkspaceEdit();
    for (const e of fix.edits) {
      const at = resolved.locate(e);
      if (!at) return undefined;
      edit.replace(at.uri, at.range, e.newText);
    }
    const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
    action.edit = edit;
    action.diagnostics = [d];
    action.isPreferred = true;
    return action;
  }

  /** The traced text of `file` and a way to place edits in it; undefined when the file changed since. */
  private async textOf(
    a: Analysis,
    file: string,
  ): Promise<{ text: string; locate(e: TextEdit): { uri: vscode.Uri; range: vscode.Range } | undefined } | undefined> {
    if (file === a.target.file) {
      const map = a.target.map;
      return {
        text: map.text,
        locate(e) {
          const s = map.offsetToDocument(e.start);
          const t = map.offsetToDocument(e.end);
          if (!s || !t || s.uri !== t.uri) return undefined;
          return { uri: vscode.Uri.parse(s.uri), range: new vscode.Range(s.line, s.character, t.line, t.character) };
        },
      };
    }
    // An imported file: only while its text is the one the trace read.
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    if (a.sources[file] !== textHash(doc)) return undefined;
    return {
      text: doc.getText(),
      locate: (e) => ({ uri: doc.uri, range: new vscode.Range(doc.positionAt(e.start), doc.positionAt(e.end)) }),
    };
  }
}
