// Shared helpers of the integration tests: opening fixtures, running our commands, and reading what the editor
// shows through VS Code's own provider commands.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import pkg from '../../package.json';

export const extensionId = `${pkg.publisher}.${pkg.name}`;

/** What tensorTrace.traceFile and tensorTrace.traceModule return. */
import type { TraceSummary } from '../../src/extension/commands';

export type { TraceSummary };

export function workspaceUri(...segments: string[]): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'no workspace folder open');
  return vscode.Uri.joinPath(folder.uri, ...segments);
}

export async function activateExtension(): Promise<vscode.Extension<{ activationMs: number; workerStarts(): number }>> {
  const ext = vscode.extensions.getExtension<{ activationMs: number; workerStarts(): number }>(extensionId);
  assert.ok(ext, `extension ${extensionId} not found`);
  await ext.activate();
  return ext;
}

export async function openFixture(...segments: string[]): Promise<vscode.TextDocument> {
  const doc = await vscode.workspace.openTextDocument(workspaceUri(...segments));
  await vscode.window.showTextDocument(doc, { preview: false });
  return doc;
}

/** Runs Trace This File on a document or notebook and checks that the engine ran. */
export async function traceFile(uri: vscode.Uri): Promise<TraceSummary> {
  const s = await vscode.commands.executeCommand<TraceSummary>('tensorTrace.traceFile', uri);
  assert.ok(s, 'tensorTrace.traceFile returned nothing');
  assert.equal(s.outcome, 'done', `trace of ${uri.path} ended with ${s.outcome}: ${s.error ?? ''}`);
  return s;
}

/** 0-based line of the first line containing `text` (after line `after`). */
export function lineOf(doc: vscode.TextDocument, text: string, after = -1): number {
  for (let i = after + 1; i < doc.lineCount; i++) if (doc.lineAt(i).text.includes(text)) return i;
  assert.fail(`no line containing ${JSON.stringify(text)} in ${doc.uri.path}`);
}

export function hintLabel(h: vscode.InlayHint): string {
  return typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join('');
}

export async function inlayHints(doc: vscode.TextDocument): Promise<vscode.InlayHint[]> {
  const range = new vscode.Range(0, 0, doc.lineCount, 0);
  return (await vscode.commands.executeCommand<vscode.InlayHint[]>('vscode.executeInlayHintProvider', doc.uri, range)) ?? [];
}

/** The labels of the hints on a 0-based line. */
export async function hintsOnLine(doc: vscode.TextDocument, line: number): Promise<string[]> {
  return (await inlayHints(doc)).filter((h) => h.position.line === line).map(hintLabel);
}

export function hoverText(hovers: vscode.Hover[]): string {
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))
    .join('\n');
}

export async function hoverAt(doc: vscode.TextDocument, line: number, text: string, offsetInText = 0): Promise<{ text: string; hovers: vscode.Hover[] }> {
  const col = doc.lineAt(line).text.indexOf(text);
  assert.ok(col >= 0, `${JSON.stringify(text)} not on line ${line + 1}`);
  const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(line, col + offsetInText))) ?? [];
  return { text: hoverText(hovers), hovers };
}

export async function codeLenses(doc: vscode.TextDocument): Promise<vscode.CodeLens[]> {
  return (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri, 100)) ?? [];
}

export function ourDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'Tensor Trace');
}

/** Polls until `check` returns a truthy value; fails with `what` after `ms`. */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, ms = 20_000): Promise<NonNullable<T>> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) assert.fail(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

let untitledCount = 0;

/** A new unsaved Python document with `content`, under a name no earlier test used, shown in an editor. */
export async function untitledPython(name: string, content: string): Promise<{ doc: vscode.TextDocument; editor: vscode.TextEditor }> {
  const uri = vscode.Uri.from({ scheme: 'untitled', path: `/${name}_${process.pid}_${++untitledCount}.py` });
  const doc = await vscode.workspace.openTextDocument(uri);
  const editor = await vscode.window.showTextDocument(doc, { preview: false });
  await editor.edit((b) => b.insert(new vscode.Position(0, 0), content));
  assert.equal(doc.getText(), content);
  assert.equal(doc.languageId, 'python');
  return { doc, editor };
}

export async function closeAllEditors(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}
