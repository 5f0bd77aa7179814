// Keeps the analysis cache fresh: traces as you type (debounced) or on save per tensorTrace.autoTrace, traces
// files when they become visible, re-traces files whose imports changed, and drops closed documents.

import * as vscode from 'vscode';
import type { AnalysisService } from './analysis';
import type { Commands } from './commands';
import { AutoTrace, readConfig } from './config';
import type { Ctx } from './context';
import type { PanelHost } from './panel';
import type { StatusBar } from './statusBar';
import { activeTarget, isPythonDocument, mentionsTorch, notebookOfCell, targetForDocument, targetForNotebook, type TraceTarget } from './targets';

export function registerAutoTrace(ctx: Ctx, analysis: AnalysisService, commands: Commands, panel: PanelHost, status: StatusBar): void {
  const consider = (target: TraceTarget | undefined, delayMs: number, reason: string) => {
    if (!target) return;
    if (!mentionsTorch(target)) {
      analysis.clear(target.key);
      return;
    }
    if (!analysis.isFresh(target)) analysis.schedule(target, delayMs, reason);
  };

  /** Visible files that imported `fsPath` in their last trace. */
  const dependents = (fsPath: string, except: string) => {
    const visible = new Set<string>();
    for (const e of vscode.window.visibleTextEditors) visible.add(analysis.keyOf(e.document));
    for (const e of vscode.window.visibleNotebookEditors) visible.add(e.notebook.uri.toString());
    return analysis.all().filter((a) => a.target.key !== except && a.sources[fsPath] !== undefined && visible.has(a.target.key));
  };

  const follow = () => {
    const t = activeTarget();
    if (t) {
      panel.follow(t);
      status.follow(t);
    } else if (vscode.window.activeTextEditor || vscode.window.activeNotebookEditor) {
      // Another kind of editor; focusing the panel or a terminal keeps the last file's status.
      status.follow(undefined);
    }
    return t;
  };

  ctx.add(
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.contentChanges.length === 0 || !isPythonDocument(e.document)) return;
      const config = readConfig(e.document.uri);
      if (config.autoTrace !== AutoTrace.OnType) return;
      consider(targetForDocument(e.document), config.debounceMs, 'type');
      if (e.document.uri.scheme === 'file') {
        for (const a of dependents(e.document.uri.fsPath, analysis.keyOf(e.document))) consider(a.target, config.debounceMs, 'import changed');
      }
    }),
  );

  ctx.add(
    vscode.workspace.onDidSaveTextDocument((doc) => {
      if (!isPythonDocument(doc)) return;
      const config = readConfig(doc.uri);
      const target = targetForDocument(doc);
      if (config.autoTrace === AutoTrace.OnSave) {
        consider(target, 0, 'save');
        if (doc.uri.scheme === 'file') for (const a of dependents(doc.uri.fsPath, analysis.keyOf(doc))) consider(a.target, 0, 'import saved');
      }
      if (config.numericOnSave && target && mentionsTorch(target)) void commands.runNumericTrace(target.key, true);
    }),
  );

  ctx.add(
    vscode.workspace.onDidSaveNotebookDocument((nb) => {
      const config = readConfig(nb.uri);
      const target = targetForNotebook(nb);
      if (config.autoTrace === AutoTrace.OnSave) consider(target, 0, 'save');
      if (config.numericOnSave && target && mentionsTorch(target)) void commands.runNumericTrace(target.key, true);
    }),
  );

  ctx.add(
    vscode.workspace.onDidChangeNotebookDocument((e) => {
      // Cell edits arrive as text document changes; here: cells added, removed or moved.
      if (e.contentChanges.length === 0) return;
      const config = readConfig(e.notebook.uri);
      if (config.autoTrace === AutoTrace.OnType) consider(targetForNotebook(e.notebook), config.debounceMs, 'cells changed');
    }),
  );

  const traceVisible = () => {
    for (const editor of vscode.window.visibleTextEditors) {
      const config = readConfig(editor.document.uri);
      if (config.autoTrace !== AutoTrace.Off) consider(targetForDocument(editor.document), 0, 'open');
    }
    for (const editor of vscode.window.visibleNotebookEditors) {
      const config = readConfig(editor.notebook.uri);
      if (config.autoTrace !== AutoTrace.Off) consider(targetForNotebook(editor.notebook), 0, 'open');
    }
  };

  ctx.add(
    vscode.window.onDidChangeActiveTextEditor(() => {
      follow();
      traceVisible();
    }),
  );
  ctx.add(vscode.window.onDidChangeActiveNotebookEditor(() => follow()));
  ctx.add(vscode.window.onDidChangeVisibleTextEditors(() => traceVisible()));
  ctx.add(vscode.window.onDidChangeVisibleNotebookEditors(() => traceVisible()));

  ctx.add(
    vscode.workspace.onDidCloseTextDocument((doc) => {
      if (notebookOfCell(doc) || doc.uri.scheme === 'vscode-notebook-cell') return;
      if (isPythonDocument(doc)) analysis.clear(doc.uri.toString());
    }),
  );
  ctx.add(vscode.workspace.onDidCloseNotebookDocument((nb) => analysis.clear(nb.uri.toString())));

  // Files already open when the extension activates.
  const initial = setTimeout(() => {
    follow();
    traceVisible();
  }, 0);
  ctx.add({ dispose: () => clearTimeout(initial) });
}
