// The command palette's commands (category "Tensor Trace") and the panel's requests, over the analysis cache.

import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import * as vscode from 'vscode';
import type { Location } from '../core/diagnostics';
import { formatShapesInput, inferConstructorArgs, inferInputShapes, parseShapes, validateArgs } from '../host/entryInputs';
import { traceToJson, traceToMarkdown } from '../host/format';
import { removeSkips } from '../host/skipRemoval';
import type { BackendSetting, ClassFacts } from '../worker/protocol';
import type { PanelRequest, PanelState } from '../webview/protocol';
import type { Analysis, AnalysisService, EntrySpec, RunResult } from './analysis';
import type { ClassDefaultsStore } from './classDefaults';
import { callsOfClass, isModuleClass, type ClassRef } from './codeLens';
import { CommandId } from './commandIds';
import { Backend, ConfigKey, configSection, readConfig } from './config';
import type { Ctx } from './context';
import type { HintsSwitch } from './inlayHints';
import type { PanelActions, PanelHost } from './panel';
import { activeTarget, targetForDocument, targetForUri, type TraceTarget } from './targets';
import { toEditorLocation, viewsFor } from './views';

/** What trace commands return (for tests and other extensions). */
export interface TraceSummary {
  key: string;
  mode: 'symbolic' | 'numeric';
  outcome: RunResult['outcome']['kind'];
  modules: number;
  skips: number;
  params: number;
  error: string | null;
  /** Wall time of the run as the host saw it. */
  ms: number;
  /** Of that, the worker's time and the engine's own. */
  workerMs: number;
  engineMs: number;
  /** The backend that ran, and why it was chosen. */
  backend: { name: string; reason: string } | null;
}

/** Arguments accepted by Trace Module Under Cursor… (from CodeLens, or preset to skip the prompts). */
export interface TraceModuleArgs extends Partial<ClassRef> {
  args?: string;
  inputs?: number[][];
}

type UriArg = vscode.Uri | string | { uri: string } | undefined;

export class Commands implements PanelActions {
  private numericUnavailableLogged = false;

  constructor(
    private readonly ctx: Ctx,
    private readonly analysis: AnalysisService,
    private readonly panel: PanelHost,
    private readonly hints: HintsSwitch,
    private readonly defaults: ClassDefaultsStore,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  register(): void {
    const reg = (id: string, fn: (...args: never[]) => unknown) => this.ctx.add(vscode.commands.registerCommand(id, fn));
    reg(CommandId.TraceFile, (arg?: UriArg) => this.traceFile(arg));
    reg(CommandId.TraceModule, (arg?: TraceModuleArgs) => this.traceModule(arg));
    reg(CommandId.SetInputShape, (arg?: UriArg) => this.setInputShapeCommand(arg));
    reg(CommandId.ShowPanel, (arg?: ClassRef) => this.showPanel(arg));
    reg(CommandId.OpenPanelBeside, () => this.panel.openBeside());
    reg(CommandId.RunNumericTrace, (arg?: UriArg) => this.runNumericTrace(arg));
    reg(CommandId.CompareWithoutSkips, (arg?: UriArg) => this.compare(arg));
    reg(CommandId.SelectBackend, (arg?: BackendSetting) => this.selectBackend(arg));
    reg(CommandId.ExportTrace, (format?: 'markdown' | 'json', arg?: UriArg) => this.exportTraceCommand(format, arg));
    reg(CommandId.ToggleInlineHints, () => this.hints.toggle());
    reg(CommandId.RevealLocation, (arg?: { key?: string; location: Location }) => arg && this.reveal(arg.key, arg.location));
    reg(CommandId.GetPanelStateForTests, (): PanelState | undefined => this.panel.lastPostedState);
  }

  // ------------------------------------------------------------------ targets

  private async target(arg: UriArg): Promise<TraceTarget | undefined> {
    if (arg === undefined) return activeTarget();
    const uri = typeof arg === 'string' ? vscode.Uri.parse(arg) : arg instanceof vscode.Uri ? arg : vscode.Uri.parse(arg.uri);
    // A notebook cell URI stands for its notebook.
    if (uri.scheme === 'vscode-notebook-cell') {
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
      return doc && targetForDocument(doc);
    }
    return targetForUri(uri);
  }

  private targetByKey(key: string | undefined): Promise<TraceTarget | undefined> {
    return key ? this.target(vscode.Uri.parse(key)) : Promise.resolve(activeTarget());
  }

  private async needTarget(arg: UriArg): Promise<TraceTarget | undefined> {
    const t = await this.target(arg);
    if (!t) void vscode.window.showWarningMessage('Tensor Trace: open a Python file or a Jupyter notebook first.');
    return t;
  }

  private summary(target: TraceTarget, run: RunResult, mode: 'symbolic' | 'numeric'): TraceSummary {
    const r = run.analysis?.result;
    return {
      key: target.key,
      mode,
      outcome: run.outcome.kind,
      modules: r?.modules.length ?? 0,
      skips: r?.skips.length ?? 0,
      params: r?.totals.params ?? 0,
      error: r?.error?.message ?? (run.outcome.kind === 'failed' ? run.outcome.message : null),
      ms: run.analysis?.ms ?? 0,
      workerMs: run.analysis?.workerMs ?? 0,
      engineMs: r?.timings.totalMs ?? 0,
      backend: r ? { name: r.backend.name, reason: r.backend.reason } : null,
    };
  }

  /** Runs a symbolic trace with window progress, reporting problems that are not the script's own. */
  private async traceNow(target: TraceTarget, reason: string): Promise<RunResult> {
    this.panel.follow(target);
    const run = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Tensor Trace: ${target.name}` }, () =>
      this.analysis.run(target, { mode: 'symbolic', reason }),
    );
    this.reportOutcome(target, run, true);
    return run;
  }

  private reportOutcome(target: TraceTarget, run: RunResult, interactive: boolean): void {
    const o = run.outcome;
    if (o.kind === 'timeout') {
      void vscode.window.showWarningMessage(
        `Tensor Trace: tracing ${target.name} did not finish within ${readConfig(target.uri).timeLimitMs} ms and was stopped (tensorTrace.timeLimitMs).`,
      );
    } else if (o.kind === 'failed') {
      void vscode.window.showErrorMessage(`Tensor Trace: ${o.message.split('\n')[0]}`, 'Show Log').then((c) => c && this.log.show());
    } else if (o.kind === 'done' && interactive && run.analysis && !run.analysis.isTorch) {
      void vscode.window.showInformationMessage(`Tensor Trace: ${target.name} does not import torch; results are shown for PyTorch code only.`);
    }
  }

  // ------------------------------------------------------------------ commands

  async traceFile(arg?: UriArg): Promise<TraceSummary | undefined> {
    const target = await this.needTarget(arg);
    if (!target) return undefined;
    // The file as a script: drop a class chosen with Trace Module Under Cursor….
    this.analysis.setEntry(target.key, undefined);
    return this.summary(target, await this.traceNow(target, 'command'), 'symbolic');
  }

  /** A fresh analysis of the target, tracing it first when needed. */
  private async fresh(target: TraceTarget): Promise<Analysis | undefined> {
    if (this.analysis.isFresh(target)) return this.analysis.latest(target.key);
    return (await this.traceNow(target, 'command')).analysis;
  }

  async traceModule(arg?: TraceModuleArgs): Promise<TraceSummary | undefined> {
    const target = await this.needTarget(arg?.uri);
    if (!target) return undefined;
    const a = await this.fresh(target);
    if (!a) return undefined;
    const cls = await this.pickClass(a, target, arg?.className);
    if (!cls) return undefined;
    const { facts, trace } = this.classContext(a, cls.name);
    const config = readConfig(target.uri);
    const remembered = this.defaults.get(cls.name);
    const defaultInputs = remembered?.inputs ?? inferInputShapes(cls.name, trace, config.defaultInputShape);
    const defaultArgs = remembered?.args ?? inferConstructorArgs(cls, facts, trace, defaultInputs[0] ?? config.defaultInputShape);

    const args =
      arg?.args ??
      (await vscode.window.showInputBox({
        title: `Trace ${cls.name} (1/2): constructor arguments`,
        prompt: `${cls.name}(…) — arguments as you would write them in Python`,
        value: defaultArgs,
        ignoreFocusOut: true,
        validateInput: validateArgs,
      }));
    if (args === undefined) return undefined;
    let inputs = arg?.inputs;
    if (!inputs) {
      const text = await vscode.window.showInputBox({
        title: `Trace ${cls.name} (2/2): input shape`,
        prompt: 'Shape of the input tensor, e.g. 1, 3, 224, 224 (several inputs: [1, 16], [1, 8])',
        value: formatShapesInput(defaultInputs),
        ignoreFocusOut: true,
        validateInput: (t) => {
          const r = parseShapes(t);
          return typeof r === 'string' ? r : undefined;
        },
      });
      if (text === undefined) return undefined;
      const parsed = parseShapes(text);
      if (typeof parsed === 'string') return undefined;
      inputs = parsed;
    } else if (typeof parseShapes(JSON.stringify(inputs)) === 'string') {
      throw new Error(`invalid input shapes ${JSON.stringify(inputs)}`);
    }
    await this.defaults.set(cls.name, { args, inputs });
    return this.traceEntry(target, { className: cls.name, args, inputs });
  }

  private async traceEntry(target: TraceTarget, entry: EntrySpec): Promise<TraceSummary> {
    this.analysis.setEntry(target.key, entry);
    return this.summary(target, await this.traceNow(target, 'command'), 'symbolic');
  }

  /**
   * The trace that knows most about a class: the file's own when it called the class, else the latest trace of a
   * file that imported it (blocks.py's class traced through model.py); with the syntax facts of the traced file.
   */
  private classContext(a: Analysis, className: string) {
    const file = a.target.file;
    const calls = (x: Analysis) => x.result.modules.some((m) => m.className === className && (!m.classDefinedAt || m.classDefinedAt.file === file));
    const source = calls(a) ? a : this.analysis.all().find((x) => x !== a && x.isTorch && calls(x));
    return { facts: source ? source.syntax[source === a ? file : source.target.file] : a.syntax[file], trace: source?.result };
  }

  /** The class named, the one under the cursor, or one picked from the file's nn.Module classes. */
  private async pickClass(a: Analysis, target: TraceTarget, name: string | undefined): Promise<ClassFacts | undefined> {
    const facts = a.syntax[a.target.file];
    const classes = (facts?.classes ?? []).filter((c) => isModuleClass(c, callsOfClass({ analysis: a, file: a.target.file }, c.name)));
    if (name) {
      const c = classes.find((x) => x.name === name) ?? facts?.classes.find((x) => x.name === name);
      if (!c) void vscode.window.showWarningMessage(`Tensor Trace: no class ${name} in ${target.name}.`);
      return c;
    }
    const editor = vscode.window.activeTextEditor;
    if (editor) {
      const view = viewsFor(this.analysis, editor.document).find((v) => v.analysis === a);
      const offset = view?.offset(editor.selection.active);
      if (offset !== undefined) {
        const under = classes.filter((c) => c.span.start <= offset && offset <= c.span.end).sort((x, y) => y.span.start - x.span.start)[0];
        if (under) return under;
      }
    }
    if (classes.length === 0) {
      void vscode.window.showWarningMessage(`Tensor Trace: no nn.Module class in ${target.name}.`);
      return undefined;
    }
    if (classes.length === 1) return classes[0];
    const pick = await vscode.window.showQuickPick(
      classes.map((c) => ({ label: c.name, description: c.bases.join(', '), cls: c })),
      { title: 'Tensor Trace: which module?', placeHolder: 'The cursor is not inside an nn.Module class' },
    );
    return pick?.cls;
  }

  private async setInputShapeCommand(arg?: UriArg): Promise<TraceSummary | undefined> {
    const target = await this.needTarget(arg);
    if (!target) return undefined;
    const current = this.analysis.entry(target.key);
    const a = this.analysis.latest(target.key);
    const shown = current?.inputs ?? (a && inferInputShapes(rootClass(a) ?? '', a.result, readConfig(target.uri).defaultInputShape));
    const text = await vscode.window.showInputBox({
      title: `Tensor Trace: input shape${current ? ` for ${current.className}` : ''}`,
      prompt: 'e.g. 1, 3, 224, 224 (several inputs: [1, 16], [1, 8])',
      value: formatShapesInput(shown ?? [readConfig(target.uri).defaultInputShape]),
      ignoreFocusOut: true,
      validateInput: (t) => {
        const r = parseShapes(t);
        return typeof r === 'string' ? r : undefined;
      },
    });
    if (text === undefined) return undefined;
    const shapes = parseShapes(text);
    if (typeof shapes === 'string') return undefined;
    return this.applyInputShapes(target, shapes);
  }

  private async applyInputShapes(target: TraceTarget, inputs: number[][]): Promise<TraceSummary | undefined> {
    const current = this.analysis.entry(target.key);
    if (current) {
      await this.defaults.set(current.className, { args: current.args, inputs });
      return this.traceEntry(target, { ...current, inputs });
    }
    // No class chosen yet: the module the script builds (the trace's root), or ask which one.
    const a = await this.fresh(target);
    const className = a && rootClass(a);
    return this.traceModule({ uri: target.key, className, inputs });
  }

  private async showPanel(ref?: ClassRef): Promise<void> {
    const target = ref ? await this.target(ref.uri) : activeTarget();
    if (target) this.panel.follow(target);
    await this.panel.show();
  }

  async runNumericTrace(arg?: UriArg, quiet = false): Promise<TraceSummary | undefined> {
    const target = await this.needTarget(arg);
    if (!target) return undefined;
    this.panel.follow(target);
    const run = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Tensor Trace: numeric trace of ${target.name}`, cancellable: true },
      (progress, token) => {
        let last = 0;
        return this.analysis.run(target, {
          mode: 'numeric',
          reason: quiet ? 'save' : 'command',
          token,
          busy: { kind: 'numeric', message: 'Running values and gradients…' },
          onProgress: (message, fraction) => {
            this.panel.progress(message, fraction);
            const pct = fraction === null ? undefined : Math.round(fraction * 100);
            progress.report({ message, increment: pct === undefined ? undefined : Math.max(0, pct - last) });
            if (pct !== undefined) last = pct;
          },
        });
      },
    );
    if (run.outcome.kind === 'unavailable') {
      if (!quiet) void vscode.window.showWarningMessage(`Tensor Trace: ${run.outcome.reason}`);
      else if (!this.numericUnavailableLogged) this.log.warn(run.outcome.reason);
      this.numericUnavailableLogged = true;
    } else {
      this.reportOutcome(target, run, !quiet);
    }
    return this.summary(target, run, 'numeric');
  }

  async compare(arg?: UriArg): Promise<{ removed: number; params: number; noSkipParams: number } | undefined> {
    const target = await this.needTarget(arg);
    if (!target) return undefined;
    const a = await this.fresh(target);
    if (!a) return undefined;
    if (a.result.skips.length === 0) {
      void vscode.window.showInformationMessage(`Tensor Trace: the trace of ${target.name} has no skip connections to remove.`);
      return { removed: 0, params: a.result.totals.params, noSkipParams: a.result.totals.params };
    }
    let text: string | undefined;
    const overlay: Array<[string, string]> = [];
    let removed = 0;
    const files = [...new Set(a.result.skips.map((s) => s.site.file))];
    for (const file of files) {
      const facts = a.syntax[file];
      const source = file === a.target.file ? a.target.map.text : await this.sourceAsTraced(a, file);
      if (!facts || source === undefined) continue;
      const r = removeSkips(file, source, facts, a.result.skips, a.result.modules);
      removed += r.removed;
      if (file === a.target.file) text = r.text;
      else overlay.push([file, r.text]);
    }
    if (removed === 0) {
      void vscode.window.showWarningMessage('Tensor Trace: could not locate the skip connections in the source to remove them.');
      return undefined;
    }
    this.panel.follow(target);
    // After a numeric run, compare numerically too (gradients with and without the shortcuts).
    const traceWithout = (mode: 'symbolic' | 'numeric') =>
      this.analysis.run(target, {
        mode,
        reason: 'command',
        busy: { kind: 'compare', message: 'Tracing without skip connections…' },
        rewrite: { text, overlay },
      });
    const run = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: 'Tensor Trace: tracing without skip connections' },
      async () => {
        const first = await traceWithout(a.mode);
        return first.outcome.kind === 'unavailable' ? traceWithout('symbolic') : first;
      },
    );
    if (!run.analysis) {
      this.reportOutcome(target, run, true);
      return undefined;
    }
    this.analysis.attachComparison(target.key, run.analysis.result);
    await this.panel.show();
    return { removed, params: a.result.totals.params, noSkipParams: run.analysis.result.totals.params };
  }

  /** The text of an imported file as the trace read it (open editor or disk), or undefined if it changed since. */
  private async sourceAsTraced(a: Analysis, file: string): Promise<string | undefined> {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === file);
    let text: string;
    try {
      text = open ? open.getText() : await readFile(file, 'utf8');
    } catch {
      return undefined;
    }
    return createHash('sha1').update(text).digest('hex') === a.sources[file] ? text : undefined;
  }

  async selectBackend(preset?: BackendSetting): Promise<BackendSetting | undefined> {
    const items: Array<vscode.QuickPickItem & { value: BackendSetting }> = [
      { value: Backend.Auto, label: 'auto', description: 'Fastest available: node, then wasm, then cpu' },
      { value: Backend.Node, label: 'node', description: 'tfjs-node: native TensorFlow (the optional package, or one named by tensorTrace.tfjsNodePath)' },
      { value: Backend.Wasm, label: 'wasm', description: 'WebAssembly with SIMD and threads where available' },
      { value: Backend.Cpu, label: 'cpu', description: 'Plain JavaScript: slowest, always available' },
    ];
    const current = readConfig().backend;
    let value = preset;
    if (!value) {
      const pick = await vscode.window.showQuickPick(
        items.map((i) => ({ ...i, picked: i.value === current, detail: i.value === current ? 'current' : undefined })),
        { title: 'Tensor Trace: backend for numeric traces' },
      );
      value = pick?.value;
    }
    if (!value) return undefined;
    await vscode.workspace.getConfiguration(configSection).update(ConfigKey.Backend, value, vscode.ConfigurationTarget.Global);
    return value;
  }

  private async exportTraceCommand(format?: 'markdown' | 'json', arg?: UriArg): Promise<{ uri: string; language: string } | undefined> {
    const target = await this.target(arg);
    return this.exportFor(format, target?.key ?? this.panel.currentKey);
  }

  private async exportFor(format: 'markdown' | 'json' | undefined, key: string | undefined): Promise<{ uri: string; language: string } | undefined> {
    const a = key ? this.analysis.latest(key) : undefined;
    if (!a || !a.isTorch) {
      void vscode.window.showWarningMessage('Tensor Trace: nothing to export yet; trace a PyTorch file first.');
      return undefined;
    }
    if (!format) {
      const pick = await vscode.window.showQuickPick(
        [
          { label: 'Markdown table', value: 'markdown' as const },
          { label: 'JSON', value: 'json' as const, description: 'the full trace, as `tensor-trace --json` prints it' },
        ],
        { title: 'Tensor Trace: export format' },
      );
      format = pick?.value;
    }
    if (!format) return undefined;
    const content = format === 'markdown' ? traceToMarkdown(a.result, a.target.name) : traceToJson(a.result);
    const doc = await vscode.workspace.openTextDocument({ language: format, content });
    await vscode.window.showTextDocument(doc, { preview: false });
    return { uri: doc.uri.toString(), language: doc.languageId };
  }

  private async reveal(key: string | undefined, loc: Location): Promise<void> {
    const a = key ? this.analysis.latest(key) : undefined;
    const at = a ? toEditorLocation(a, loc) : undefined;
    const uri = at?.uri ?? vscode.Uri.file(loc.file);
    const range = at?.range ?? new vscode.Range(loc.line - 1, loc.column - 1, loc.line - 1, loc.column - 1);
    if (uri.scheme === 'vscode-notebook-cell') {
      await vscode.commands.executeCommand('vscode.open', uri, { selection: range } satisfies vscode.TextDocumentShowOptions);
      return;
    }
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { selection: range, viewColumn: vscode.ViewColumn.One });
  }

  // ------------------------------------------------------------------ panel requests

  revealSource(req: Extract<PanelRequest, { type: 'revealSource' }>, key: string | undefined): Promise<void> {
    return this.reveal(key, req.location);
  }

  async setInputShape(shape: number[], key: string | undefined): Promise<void> {
    const target = await this.targetByKey(key);
    if (target) await this.applyInputShapes(target, [shape]);
  }

  async runNumeric(key: string | undefined): Promise<void> {
    await this.runNumericTrace(key);
  }

  async compareWithoutSkips(key: string | undefined): Promise<void> {
    await this.compare(key);
  }

  async exportTrace(format: 'markdown' | 'json', key: string | undefined): Promise<void> {
    await this.exportFor(format, key);
  }
}

/** The class of the trace's first root module call (the model the script builds). */
function rootClass(a: Analysis): string | undefined {
  return a.result.modules.find((m) => m.parent === null)?.className;
}
