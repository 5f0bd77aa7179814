// Publishes the engine's diagnostics (shape errors, unsupported constructs…) from the analysis cache, for PyTorch
// files only, on the file, the notebook cell or the imported file they point at; and remembers which engine
// diagnostic each editor diagnostic came from, for the Quick Fix.

import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Diagnostic as EngineDiagnostic, Location } from '../core/diagnostics';
import { formatShape } from '../host/format';
import { failingLocation } from '../host/projectionFix';
import type { Analysis, AnalysisService } from './analysis';
import type { Ctx } from './context';
import { toEditorLocation } from './views';

export const diagnosticSource = 'Tensor Trace';

const severities: Record<EngineDiagnostic['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  information: vscode.DiagnosticSeverity.Information,
  hint: vscode.DiagnosticSeverity.Hint,
};

/** Where an editor diagnostic came from. */
export interface DiagnosticOrigin {
  key: string;
  diagnostic: EngineDiagnostic;
}

const originKey = (uri: vscode.Uri, range: vscode.Range, code: string) =>
  `${uri.toString()}|${range.start.line}:${range.start.character}-${range.end.line}:${range.end.character}|${code}`;

export class DiagnosticsPublisher {
  private readonly collection: vscode.DiagnosticCollection;
  /** Per analysis key: the diagnostics it contributes, by document URI. */
  private readonly byOwner = new Map<string, Map<string, vscode.Diagnostic[]>>();
  private readonly origins = new Map<string, DiagnosticOrigin>();

  constructor(ctx: Ctx, analysis: AnalysisService) {
    this.collection = ctx.add(vscode.languages.createDiagnosticCollection('tensorTrace'));
    ctx.add(analysis.onDidAnalyze((a) => this.publish(a)));
    ctx.add(analysis.onDidClear((key) => this.clear(key)));
  }

  /** The engine diagnostic behind an editor diagnostic of ours. */
  origin(uri: vscode.Uri, d: vscode.Diagnostic): DiagnosticOrigin | undefined {
    const code = typeof d.code === 'object' ? String(d.code.value) : String(d.code ?? '');
    return this.origins.get(originKey(uri, d.range, code));
  }

  publish(a: Analysis): void {
    const byUri = new Map<string, vscode.Diagnostic[]>();
    if (a.isTorch) {
      for (const d of engineDiagnostics(a)) this.convert(a, d, byUri);
    }
    const touched = new Set<string>([...(this.byOwner.get(a.target.key)?.keys() ?? []), ...byUri.keys()]);
    // Forget origins of this owner before re-adding them.
    for (const [k, o] of this.origins) if (o.key === a.target.key) this.origins.delete(k);
    this.byOwner.set(a.target.key, byUri);
    for (const [uri, list] of byUri) {
      for (const d of list) {
        const o = (d as DiagnosticWithOrigin).origin;
        if (o) this.origins.set(originKey(vscode.Uri.parse(uri), d.range, String(d.code)), { key: a.target.key, diagnostic: o });
      }
    }
    this.flush(touched);
  }

  clear(key: string): void {
    const owned = this.byOwner.get(key);
    if (!owned) return;
    this.byOwner.delete(key);
    for (const [k, o] of this.origins) if (o.key === key) this.origins.delete(k);
    this.flush(new Set(owned.keys()));
  }

  private flush(uris: Set<string>): void {
    for (const uri of uris) {
      const all: vscode.Diagnostic[] = [];
      for (const owner of this.byOwner.values()) all.push(...(owner.get(uri) ?? []));
      this.collection.set(vscode.Uri.parse(uri), all);
    }
  }

  private convert(a: Analysis, d: EngineDiagnostic, out: Map<string, vscode.Diagnostic[]>): void {
    const at = toEditorLocation(a, d.location);
    const push = (loc: vscode.Location, message: string) => {
      const diag: DiagnosticWithOrigin = new vscode.Diagnostic(loc.range, message, severities[d.severity] ?? vscode.DiagnosticSeverity.Error);
      diag.source = diagnosticSource;
      diag.code = d.code;
      diag.origin = d;
      const related = relatedFrames(a, d, loc);
      if (related.length) diag.relatedInformation = related;
      const list = out.get(loc.uri.toString()) ?? [];
      list.push(diag);
      out.set(loc.uri.toString(), list);
    };
    const message = messageOf(d);
    // The failing line is the innermost frame (Python prints it last), wherever the engine anchored the diagnostic.
    const innermost = failingLocation(d);
    const primary = toEditorLocation(a, innermost) ?? at;
    if (!primary) return;
    push(primary, message);
    // An error raised inside an imported file also shows where this file called into it.
    if (innermost.file !== a.target.file && d.traceback) {
      const frame = [...d.traceback].reverse().find((f) => f.file === a.target.file);
      const here = frame && toEditorLocation(a, frame);
      if (here) push(here, `${message}\n(raised in ${path.basename(innermost.file)}, line ${innermost.line})`);
    }
  }
}

type DiagnosticWithOrigin = vscode.Diagnostic & { origin?: EngineDiagnostic };

/** The run's diagnostics with its ending error, each once. */
export function engineDiagnostics(a: Analysis): EngineDiagnostic[] {
  const r = a.result;
  const list = [...r.diagnostics];
  const same = (x: EngineDiagnostic, y: EngineDiagnostic) =>
    x.code === y.code && x.message === y.message && x.location.span.start === y.location.span.start && x.location.file === y.location.file;
  if (r.error && !list.some((d) => same(d, r.error!))) list.unshift(r.error);
  return list;
}

/** PyTorch's message, plus the operand shapes when the message does not already name them. */
function messageOf(d: EngineDiagnostic): string {
  const prefix = d.exceptionType && !d.message.startsWith(d.exceptionType) ? `${d.exceptionType}: ` : '';
  let m = prefix + d.message;
  if (d.operandShapes?.length) {
    const shapes = d.operandShapes.map(formatShape);
    if (!shapes.every((s) => m.includes(s))) m += `\nOperand shapes: ${shapes.join(' and ')}`;
  }
  return m;
}

function relatedFrames(a: Analysis, d: EngineDiagnostic, at: vscode.Location): vscode.DiagnosticRelatedInformation[] {
  const frames: Location[] = d.traceback ?? [];
  const out: vscode.DiagnosticRelatedInformation[] = [];
  for (const f of frames) {
    const loc = toEditorLocation(a, f);
    if (!loc || (loc.uri.toString() === at.uri.toString() && loc.range.isEqual(at.range))) continue;
    out.push(new vscode.DiagnosticRelatedInformation(loc, `called from ${path.basename(f.file)}:${f.line}`));
  }
  return out;
}
