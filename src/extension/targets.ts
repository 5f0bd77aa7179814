// What gets traced for an editor document: a Python file as is, or a notebook's code cells joined in order
// into one program (with a map back to the cells). The cache key is the file's or the notebook's URI.

import * as path from 'node:path';
import * as vscode from 'vscode';
import { SourceMap } from '../host/sourceMap';

export interface TraceTarget {
  /** Cache key: the URI string of the document, or of the notebook for a cell. */
  key: string;
  kind: 'file' | 'notebook';
  /** The file's or the notebook's URI. */
  uri: vscode.Uri;
  /** Changes whenever the traced text may have changed. */
  version: string;
  /** Version of each traced document (the file, or each cell) when the text was taken. */
  versions: Record<string, number>;
  /** What the engine reports locations against: the file system path, or the URI string without one. */
  file: string;
  /** The traced text and its mapping back to documents. */
  map: SourceMap;
  /** Import search roots; empty for documents outside the file system (virtual workspaces: single-file only). */
  roots: string[];
  /** A short name for messages and the panel. */
  name: string;
}

const notebookCellScheme = 'vscode-notebook-cell';

export function isPythonDocument(doc: vscode.TextDocument): boolean {
  return doc.languageId === 'python';
}

/** The notebook a cell document belongs to. */
export function notebookOfCell(doc: vscode.TextDocument): vscode.NotebookDocument | undefined {
  if (doc.uri.scheme !== notebookCellScheme) return undefined;
  return vscode.workspace.notebookDocuments.find((nb) => nb.getCells().some((c) => c.document === doc));
}

function engineFile(uri: vscode.Uri): string {
  return uri.scheme === 'file' ? uri.fsPath : uri.toString();
}

function rootsFor(uri: vscode.Uri): string[] {
  if (uri.scheme !== 'file') return [];
  const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
  return [path.dirname(uri.fsPath), ...folders.filter((f) => f !== path.dirname(uri.fsPath))];
}

/** The trace target of a Python document or notebook cell, or undefined for anything else. */
export function targetForDocument(doc: vscode.TextDocument): TraceTarget | undefined {
  const nb = notebookOfCell(doc);
  if (nb) return targetForNotebook(nb);
  if (doc.uri.scheme === notebookCellScheme || !isPythonDocument(doc)) return undefined;
  return {
    key: doc.uri.toString(),
    kind: 'file',
    uri: doc.uri,
    version: String(doc.version),
    versions: { [doc.uri.toString()]: doc.version },
    file: engineFile(doc.uri),
    map: SourceMap.identity(doc.uri.toString(), doc.getText()),
    roots: rootsFor(doc.uri),
    name: path.basename(doc.uri.path),
  };
}

/** The code cells of a notebook, in order. */
export function pythonCells(nb: vscode.NotebookDocument): vscode.NotebookCell[] {
  return nb.getCells().filter((c) => c.kind === vscode.NotebookCellKind.Code && isPythonDocument(c.document));
}

export function targetForNotebook(nb: vscode.NotebookDocument): TraceTarget | undefined {
  const cells = pythonCells(nb);
  if (cells.length === 0) return undefined;
  return {
    key: nb.uri.toString(),
    kind: 'notebook',
    uri: nb.uri,
    version: `${nb.version}:${cells.map((c) => `${c.index}.${c.document.version}`).join(',')}`,
    versions: Object.fromEntries(cells.map((c) => [c.document.uri.toString(), c.document.version])),
    file: engineFile(nb.uri),
    map: SourceMap.concat(cells.map((c) => ({ uri: c.document.uri.toString(), text: c.document.getText() }))),
    roots: rootsFor(nb.uri),
    name: path.basename(nb.uri.path),
  };
}

/** The target for a URI: an open notebook, an open document, or a file opened for the purpose. */
export async function targetForUri(uri: vscode.Uri): Promise<TraceTarget | undefined> {
  const nb = vscode.workspace.notebookDocuments.find((n) => n.uri.toString() === uri.toString());
  if (nb) return targetForNotebook(nb);
  if (uri.path.endsWith('.ipynb')) return targetForNotebook(await vscode.workspace.openNotebookDocument(uri));
  return targetForDocument(await vscode.workspace.openTextDocument(uri));
}

/**
 * The target of the active editor (a Python file or a notebook cell). With no text or notebook editor active
 * (a command link in the walkthrough page was clicked), the one Python document visible beside it, if only one.
 */
export function activeTarget(): TraceTarget | undefined {
  const nbEditor = vscode.window.activeNotebookEditor;
  const editor = vscode.window.activeTextEditor;
  if (editor) {
    const t = targetForDocument(editor.document);
    if (t) return t;
  }
  if (nbEditor) return targetForNotebook(nbEditor.notebook);
  if (editor) return undefined;
  const visible = new Map(vscode.window.visibleTextEditors.flatMap((e) => { const t = targetForDocument(e.document); return t ? [[t.key, t] as const] : []; }));
  return visible.size === 1 ? [...visible.values()][0] : undefined;
}

/** Whether the traced text could be PyTorch code at all: a cheap gate before starting the worker. */
export function mentionsTorch(target: TraceTarget): boolean {
  return target.map.text.includes('torch');
}
