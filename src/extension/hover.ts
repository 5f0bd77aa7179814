// Hovers from the analysis cache: a layer (its definition or a call), a residual addition, an operation, or a
// variable/expression with the shapes it held. Trusted only for our own commands.

import * as vscode from 'vscode';
import type { LineShape, ModuleCall, OpCall, SkipConnection, TensorStats } from '../core/trace/types';
import {
  formatBytes,
  formatCount,
  formatFloat,
  formatMacs,
  formatPercent,
  formatShape,
  formatShapes,
  formatSignature,
  failedCalls,
  moduleDisplayName,
  skipShortcutText,
} from '../host/format';
import type { AnalysisService } from './analysis';
import { CommandId } from './commandIds';
import type { DocView } from './views';
import { viewsFor } from './views';

/** The only commands hover links may run. */
export const hoverCommands = [CommandId.RevealLocation, CommandId.ShowPanel, CommandId.RunNumericTrace];

const code = (s: string) => '`' + s.replace(/`/g, "'") + '`';

function commandLink(title: string, command: string, args?: unknown): string {
  const q = args === undefined ? '' : `?${encodeURIComponent(JSON.stringify([args]))}`;
  return `[${title}](command:${command}${q})`;
}

function markdown(): vscode.MarkdownString {
  const md = new vscode.MarkdownString('', true);
  md.isTrusted = { enabledCommands: hoverCommands };
  md.supportHtml = false;
  return md;
}

const contains = (r: vscode.Range | undefined, p: vscode.Position): r is vscode.Range => !!r && r.contains(p);
const size = (r: vscode.Range) => (r.end.line - r.start.line) * 10_000 + (r.end.character - r.start.character);

export class HoverProvider implements vscode.HoverProvider {
  constructor(private readonly analysis: AnalysisService) {}

  async provideHover(doc: vscode.TextDocument, pos: vscode.Position, token: vscode.CancellationToken): Promise<vscode.Hover | undefined> {
    await this.analysis.ensure(doc, token);
    if (token.isCancellationRequested) return undefined;
    for (const view of viewsFor(this.analysis, doc)) {
      if (!view.analysis.isTorch) continue;
      const h = this.hoverIn(view, pos);
      if (h) return h;
    }
    return undefined;
  }

  private hoverIn(view: DocView, pos: vscode.Position): vscode.Hover | undefined {
    const r = view.analysis.result;
    const word = view.doc.getWordRangeAtPosition(pos, /[A-Za-z_][A-Za-z0-9_]*/);
    const wordText = word ? view.doc.getText(word) : undefined;

    // A variable: where it is assigned (`out = …` hovering `out`), or a later use within the same function.
    // Attribute names (`self.conv1`) are layers, not variables.
    const isVariable = !!word && !!wordText && view.doc.getText(new vscode.Range(word.start.translate(0, -Math.min(1, word.start.character)), word.start)) !== '.';
    if (word && wordText && isVariable) {
      const here = r.lines.find((l) => l.target === wordText && view.range(l.site)?.start.line === pos.line);
      if (here && pos.isBefore(view.range(here.site)!.start.translate(0, wordText.length + 1))) return variableHover(view, here, word);
      const assigned = lastAssignment(view, r.lines, wordText, pos);
      if (assigned) return variableHover(view, assigned, word);
    }

    // A residual addition.
    const skips = r.skips.filter((s) => contains(view.range(s.site), pos));
    if (skips.length) return skipHover(view, skips, view.range(skips[0].site)!);

    // A layer call (`self.conv1(x)`), the innermost one under the cursor.
    const calls = r.modules
      .map((m) => ({ m, range: view.range(m.callSite) }))
      .filter((x): x is { m: ModuleCall; range: vscode.Range } => contains(x.range, pos))
      .sort((a, b) => size(a.range) - size(b.range));
    if (calls.length) {
      const inner = calls.filter((c) => c.range.isEqual(calls[0].range)).map((c) => c.m);
      return moduleHover(view, inner, calls[0].range);
    }

    // An operation (`F.relu(out)`, `torch.cat(…)`, `x.view(…)`).
    const ops = r.ops
      .map((o) => ({ o, range: view.range(o.site) }))
      .filter((x): x is { o: OpCall; range: vscode.Range } => contains(x.range, pos))
      .sort((a, b) => size(a.range) - size(b.range));
    if (ops.length) return opHover(ops.filter((x) => x.range.isEqual(ops[0].range)).map((x) => x.o), ops[0].range);

    // A layer's definition in __init__ (`self.conv1 = nn.Conv2d(…)`).
    // The definition site may be just the constructor call: the whole line holding it counts (`self.conv1 = …`).
    const onDefLine = (m: ModuleCall) => {
      const d = m.definedAt && view.range(m.definedAt);
      return !!d && d.start.line <= pos.line && pos.line <= d.end.line;
    };
    const defs = r.modules.filter(onDefLine);
    if (defs.length) return moduleHover(view, defs, view.range(defs[0].definedAt!)!);

    // Any other statement that made tensors.
    const stmt = r.lines.find((l) => contains(view.range(l.site), pos));
    if (stmt) return variableHover(view, stmt, view.range(stmt.site)!);
    return undefined;
  }
}

/** The latest assignment to `name` above `pos` within the innermost function holding `pos` (or at top level). */
function lastAssignment(view: DocView, lines: LineShape[], name: string, pos: vscode.Position): LineShape | undefined {
  const offset = view.offset(pos);
  const fns = view.facts?.functions ?? [];
  const scope = offset === undefined ? undefined : fns.filter((f) => f.span.start <= offset && offset <= f.span.end).sort((a, b) => b.span.start - a.span.start)[0];
  const inScope = (r: vscode.Range) => {
    if (scope) {
      const start = view.position(scope.span.start);
      const end = view.position(scope.span.end);
      return !!start && !!end && r.start.isAfterOrEqual(start) && r.end.isBeforeOrEqual(end);
    }
    // Top level: outside every function.
    const o = view.offset(r.start);
    return o !== undefined && !fns.some((f) => f.span.start <= o && o <= f.span.end);
  };
  let best: { l: LineShape; r: vscode.Range } | undefined;
  for (const l of lines) {
    if (l.target !== name) continue;
    const r = view.range(l.site);
    if (!r || !r.end.isBeforeOrEqual(pos) || !inScope(r)) continue;
    if (!best || r.start.isAfter(best.r.start)) best = { l, r };
  }
  return best?.l;
}

function variableHover(view: DocView, l: LineShape, range: vscode.Range): vscode.Hover {
  const md = markdown();
  const label = l.target ?? 'expression';
  md.appendMarkdown(`**${label}** — ${l.shapes.length > 1 ? 'shapes over the run' : 'shape'}\n\n`);
  for (const s of l.shapes) md.appendMarkdown(`- ${code(formatShapes(s))}\n`);
  if (l.hits > 1) md.appendMarkdown(`\nRan ${l.hits} times.\n`);
  appendFooter(md, view);
  return new vscode.Hover(md, range);
}

function statsLine(s: TensorStats): string {
  return `mean ${formatFloat(s.mean)} · std ${formatFloat(s.std)} · min ${formatFloat(s.min)} · max ${formatFloat(s.max)} · zeros ${formatPercent(s.zeroFraction)}`;
}

function moduleHover(view: DocView, calls: ModuleCall[], range: vscode.Range): vscode.Hover {
  const md = markdown();
  const m = calls[0];
  md.appendMarkdown(`**${moduleDisplayName(m)}** — ${code(`${m.className}(${m.args})`)}\n\n`);
  const failed = failedCalls(view.analysis.result);
  const signatures = [...new Set(calls.map((c) => formatSignature(c, failed)))];
  for (const s of signatures.slice(0, 4)) md.appendMarkdown(`${code(s)}\n\n`);
  if (signatures.length > 4) md.appendMarkdown(`… and ${signatures.length - 4} more\n\n`);
  md.appendMarkdown('| | |\n|:--|--:|\n');
  md.appendMarkdown(`| Parameters | ${formatCount(m.totalParams)}${m.trainableParams !== m.totalParams ? ` (${formatCount(m.trainableParams)} trainable)` : ''} |\n`);
  md.appendMarkdown(`| MACs | ${formatMacs(m.macs)} |\n`);
  md.appendMarkdown(`| Activation memory | ${formatBytes(m.outputBytes)} |\n`);
  const count = calls.reduce((n, c) => n + Math.max(1, c.callCount), 0);
  if (count > 1) md.appendMarkdown(`| Calls | ${count} |\n`);
  md.appendMarkdown('\n');
  if (m.stats) md.appendMarkdown(`Output: ${statsLine(m.stats)}\n\n`);
  if (m.grad) {
    md.appendMarkdown(`Gradient at the output: norm ${formatFloat(m.grad.outputNorm)} · max |g| ${formatFloat(m.grad.outputMaxAbs)}\n\n`);
    const params = Object.entries(m.grad.paramNorms);
    if (params.length) md.appendMarkdown(`Parameter gradient norms: ${params.map(([k, v]) => `${k} ${formatFloat(v)}`).join(' · ')}\n\n`);
  }
  const links: string[] = [];
  const def = m.classDefinedAt ?? m.definedAt;
  if (def) links.push(commandLink('Go to definition', CommandId.RevealLocation, { key: view.analysis.target.key, location: def }));
  appendFooter(md, view, links);
  return new vscode.Hover(md, range);
}

function skipHover(view: DocView, skips: SkipConnection[], range: vscode.Range): vscode.Hover {
  const md = markdown();
  const r = view.analysis.result;
  for (const s of skips.slice(0, 3)) {
    const block = r.modules[s.module];
    md.appendMarkdown(`**Skip connection** — ${s.kind} (${code(s.label)})${block ? ` in ${code(moduleDisplayName(block))}` : ''}\n\n`);
    md.appendMarkdown(`Shortcut: ${s.kind === 'identity' ? 'identity' : skipShortcutText(s)}\n\n`);
    md.appendMarkdown('| | |\n|:--|--:|\n');
    md.appendMarkdown(`| Main path | ${code(formatShape(s.mainShape))} |\n`);
    md.appendMarkdown(`| Shortcut | ${code(formatShape(s.shortcutShape))} |\n`);
    if (s.shortcutGradShare !== undefined) md.appendMarkdown(`| Gradient through the shortcut | ${formatPercent(s.shortcutGradShare)} |\n`);
    md.appendMarkdown('\n');
    if (s.residualStats) md.appendMarkdown(`Residual f(x) − x: ${statsLine(s.residualStats)}\n\n`);
  }
  if (skips.length > 3) md.appendMarkdown(`… and ${skips.length - 3} more calls\n\n`);
  appendFooter(md, view);
  return new vscode.Hover(md, range);
}

function opHover(ops: OpCall[], range: vscode.Range): vscode.Hover {
  const md = markdown();
  const o = ops[0];
  md.appendMarkdown(`**${code(o.op)}**\n\n`);
  const seen = new Set<string>();
  for (const x of ops) {
    const s = `${x.inputShapes.map(formatShape).join(', ')} → ${formatShapes(x.outputShapes)}`;
    if (seen.has(s)) continue;
    seen.add(s);
    md.appendMarkdown(`${code(s)}\n\n`);
  }
  if (o.macs > 0) md.appendMarkdown(`MACs: ${formatMacs(o.macs)}\n\n`);
  return new vscode.Hover(md, range);
}

function appendFooter(md: vscode.MarkdownString, view: DocView, links: string[] = []): void {
  const a = view.analysis;
  const all = [...links, commandLink('Show in panel', CommandId.ShowPanel)];
  if (a.mode !== 'numeric') all.push(commandLink('Run numeric trace', CommandId.RunNumericTrace));
  md.appendMarkdown(`---\n\n${all.join(' · ')}${view.stale ? ' · *(from an earlier version of the file)*' : ''}`);
}
