// Extension entry point (bundled to dist/extension.js): a thin shell that wires the analysis cache, the
// providers, the panel and the commands. The engine is never loaded here: it runs in dist/traceWorker.js,
// started on the first trace, so activation stays cheap.

import * as path from 'node:path';
import * as vscode from 'vscode';
import { TraceClient } from '../host/traceClient';
import { AnalysisService } from './analysis';
import { registerAutoTrace } from './autoTrace';
import { ClassDefaultsStore } from './classDefaults';
import { CodeActionProvider } from './codeActions';
import { CodeLensProvider } from './codeLens';
import { Commands } from './commands';
import { readConfig } from './config';
import { Ctx } from './context';
import { DiagnosticsPublisher } from './diagnostics';
import { HoverProvider } from './hover';
import { HintsSwitch, InlayHintsProvider } from './inlayHints';
import { PanelHost } from './panel';
import { StatusBar } from './statusBar';
import { registerWalkthrough } from './walkthrough';

/** What activate() returns; tests read it through `extension.exports`. */
export interface TensorTraceApi {
  /** Time spent inside activate(), ms (the bundle's load time is not included). */
  readonly activationMs: number;
  /** How many trace workers were started so far (a cancel or timeout starts a new one). */
  workerStarts(): number;
}

/** Python files (on disk, unsaved, in virtual workspaces) and the Python cells of notebooks. */
const selector: vscode.DocumentSelector = ['file', 'untitled', 'vscode-notebook-cell', 'vscode-vfs'].map((scheme) => ({ language: 'python', scheme }));

export function activate(context: vscode.ExtensionContext): TensorTraceApi {
  const t0 = performance.now();
  const ctx = new Ctx(context);
  const log = ctx.add(vscode.window.createOutputChannel('Tensor Trace', { log: true }));

  const client = new TraceClient({
    workerFile: path.join(context.extensionPath, 'dist', 'traceWorker.js'),
    // The engine enforces memoryLimitMB on tensors; the heap limit also leaves room for the engine itself.
    maxOldGenerationSizeMb: () => readConfig().memoryLimitMB + 512,
    log: (level, message) => log[level](message),
  });
  ctx.add({ dispose: () => client.dispose() });

  const analysis = ctx.add(new AnalysisService(ctx, client, log));
  const hints = new HintsSwitch(ctx, context.workspaceState);
  const diagnostics = new DiagnosticsPublisher(ctx, analysis);
  const panel = new PanelHost(ctx, analysis);
  const status = new StatusBar(ctx, analysis);

  ctx.add(vscode.languages.registerInlayHintsProvider(selector, new InlayHintsProvider(ctx, analysis, hints)));
  ctx.add(vscode.languages.registerHoverProvider(selector, new HoverProvider(analysis)));
  ctx.add(vscode.languages.registerCodeLensProvider(selector, new CodeLensProvider(ctx, analysis)));
  ctx.add(
    vscode.languages.registerCodeActionsProvider(selector, new CodeActionProvider(analysis, diagnostics), {
      providedCodeActionKinds: CodeActionProvider.kinds,
    }),
  );

  const commands = new Commands(ctx, analysis, panel, hints, new ClassDefaultsStore(context.workspaceState), log);
  commands.register();
  registerWalkthrough(ctx);
  panel.setActions(commands);
  registerAutoTrace(ctx, analysis, commands, panel, status);

  const activationMs = performance.now() - t0;
  log.info(`Tensor Trace activated in ${activationMs.toFixed(1)} ms (the engine loads in a worker on the first trace).`);
  return { activationMs, workerStarts: () => client.starts };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions (the Ctx root).
}
