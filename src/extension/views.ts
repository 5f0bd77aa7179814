// Reading an analysis from one editor document's point of view: which engine locations fall in the document and
// where, for a file traced itself, a notebook cell, or a file whose classes another traced file imported.

import { createHash } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Location } from '../core/diagnostics';
import type { SyntaxFacts } from '../worker/protocol';
import type { Analysis, AnalysisService } from './analysis';

export interface DocView {
  readonly analysis: Analysis;
  readonly doc: vscode.TextDocument;
  /** The engine's name for this document's text in the analysis. */
  readonly file: string;
  /** Syntax facts of that text. */
  readonly facts: SyntaxFacts | undefined;
  /** The analysis traced an older version of this document's text. */
  readonly stale: boolean;
  /** The range in this document of an engine location, or undefined when it lies elsewhere. */
  range(loc: Location): vscode.Range | undefined;
  /** The 0-based line in this document where an engine location ends (no editor objects made: cheap to filter by). */
  endLine(loc: Location): number | undefined;
  /** The position in this document of an offset into the traced text of `file`. */
  position(offset: number): vscode.Position | undefined;
  /** The offset into the traced text of `file` of a position in this document. */
  offset(pos: vscode.Position): number | undefined;
}

/** Views of the document's own analysis and, for a file that only defines classes, of a file importing it. */
export function viewsFor(service: AnalysisService, doc: vscode.TextDocument): DocView[] {
  const views: DocView[] = [];
  const own = service.latest(service.keyOf(doc));
  const ownView = own && ownDocView(own, doc);
  if (ownView) views.push(ownView);
  const ownCalls = ownView ? ownView.analysis.result.modules.some((m) => ownView.endLine(m.callSite) !== undefined || (m.definedAt && ownView.endLine(m.definedAt) !== undefined)) : false;
  if (!ownCalls && doc.uri.scheme === 'file') {
    const hash = textHash(doc);
    const importer = service
      .all()
      .find((a) => a !== own && a.target.file !== doc.uri.fsPath && a.sources[doc.uri.fsPath] === hash && a.isTorch);
    if (importer) views.push(importedDocView(importer, doc));
  }
  return views;
}

function ownDocView(a: Analysis, doc: vscode.TextDocument): DocView | undefined {
  const map = a.target.map;
  const uri = doc.uri.toString();
  const seg = map.segments.find((s) => s.uri === uri);
  if (!seg) return undefined;
  const stale = a.target.versions[uri] !== doc.version;
  // A stale result is only worth showing while the lines still line up.
  if (stale && seg.lineCount !== doc.lineCount) return undefined;
  const file = a.target.file;
  const toPos = (p: { uri: string; line: number; character: number } | undefined) =>
    p && p.uri === uri ? new vscode.Position(p.line, p.character) : undefined;
  return {
    analysis: a,
    doc,
    file,
    facts: a.syntax[file],
    stale,
    range(loc) {
      if (loc.file !== file) return undefined;
      const start = toPos(map.toDocument(loc.line, loc.column));
      if (!start) return undefined;
      const end = toPos(map.toDocument(loc.endLine, loc.endColumn)) ?? doc.lineAt(Math.min(start.line, doc.lineCount - 1)).range.end;
      return new vscode.Range(start, end.isBefore(start) ? start : end);
    },
    endLine(loc) {
      if (loc.file !== file) return undefined;
      const start = map.toDocument(loc.line, loc.column);
      if (start?.uri !== uri) return undefined;
      const end = map.toDocument(loc.endLine, loc.endColumn);
      return end?.uri === uri ? Math.max(end.line, start.line) : start.line;
    },
    position(offset) {
      return toPos(map.offsetToDocument(offset));
    },
    offset(pos) {
      return map.offsetOf(uri, pos.line, pos.character);
    },
  };
}

function importedDocView(a: Analysis, doc: vscode.TextDocument): DocView {
  const file = doc.uri.fsPath;
  return {
    analysis: a,
    doc,
    file,
    facts: a.syntax[file],
    stale: false,
    range(loc) {
      if (loc.file !== file) return undefined;
      return new vscode.Range(loc.line - 1, loc.column - 1, loc.endLine - 1, loc.endColumn - 1);
    },
    endLine(loc) {
      return loc.file === file ? loc.endLine - 1 : undefined;
    },
    position(offset) {
      return doc.positionAt(offset);
    },
    offset(pos) {
      return doc.offsetAt(pos);
    },
  };
}

const hashes = new WeakMap<vscode.TextDocument, { version: number; hash: string }>();

/** sha1 of a document's text, cached per version (compared with the sources a trace read). */
export function textHash(doc: vscode.TextDocument): string {
  const c = hashes.get(doc);
  if (c && c.version === doc.version) return c.hash;
  const hash = createHash('sha1').update(doc.getText()).digest('hex');
  hashes.set(doc, { version: doc.version, hash });
  return hash;
}

/** Maps an engine location of an analysis to an editor location (a cell for notebooks, the file otherwise). */
export function toEditorLocation(a: Analysis, loc: Location): vscode.Location | undefined {
  if (loc.file === a.target.file) {
    const start = a.target.map.toDocument(loc.line, loc.column);
    if (!start) return undefined;
    const end = a.target.map.toDocument(loc.endLine, loc.endColumn);
    const endPos = end && end.uri === start.uri ? new vscode.Position(end.line, end.character) : new vscode.Position(start.line, start.character);
    return new vscode.Location(vscode.Uri.parse(start.uri), new vscode.Range(new vscode.Position(start.line, start.character), endPos));
  }
  if (!path.isAbsolute(loc.file)) return undefined;
  return new vscode.Location(vscode.Uri.file(loc.file), new vscode.Range(loc.line - 1, loc.column - 1, loc.endLine - 1, loc.endColumn - 1));
}
