// Activation and the manifest's conventions, checked in the running VS Code (activation time: bench/editor-latency.mjs).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { extensionId } from './helpers';

interface Api {
  activationMs: number;
  workerStarts(): number;
}

describe('activation and contributions', () => {
  // How fast it activates is measured by bench/editor-latency.mjs (speed is shown by benchmarks, not timed tests).
  it('activates without starting the engine', async () => {
    const ext = vscode.extensions.getExtension<Api>(extensionId);
    assert.ok(ext);
    await ext.activate();
    assert.ok(ext.isActive);
    assert.equal(typeof ext.exports.activationMs, 'number');
    // No Python file is open yet: activating must not start a trace worker (the engine loads on the first trace).
    assert.equal(ext.exports.workerStarts(), 0, 'activation started a trace worker');
  });

  it('keeps the engine out of the extension bundle', async () => {
    const ext = vscode.extensions.getExtension(extensionId)!;
    const bundle = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(ext.extensionUri, 'dist', 'extension.js'));
    assert.ok(bundle.byteLength < 400_000, `dist/extension.js is ${bundle.byteLength} bytes`);
    const text = new TextDecoder().decode(bundle);
    for (const engineOnly of ['@lezer/python', 'tfjs-core', 'class Interpreter']) assert.ok(!text.includes(engineOnly), `${engineOnly} in dist/extension.js`);
  });

  it('declares the activation events, capabilities and a palette command for every feature', () => {
    const pkg = vscode.extensions.getExtension(extensionId)!.packageJSON;
    for (const e of ['onLanguage:python', 'onNotebook:jupyter-notebook']) assert.ok(pkg.activationEvents.includes(e), e);
    assert.equal(pkg.capabilities.untrustedWorkspaces.supported, true);
    assert.equal(pkg.capabilities.virtualWorkspaces.supported, 'limited');
    const commands: Array<{ command: string; category?: string }> = pkg.contributes.commands;
    for (const c of commands) {
      assert.equal(c.category, 'Tensor Trace', `${c.command} has no category`);
      assert.match(c.command, /^tensorTrace\.[a-z]+[A-Z][A-Za-z]*$/, `${c.command} is not tensorTrace.<verb><Object>`);
    }
    const hidden = (pkg.contributes.menus.commandPalette as Array<{ command: string; when?: string }>).filter((m) => m.when === 'false').map((m) => m.command);
    assert.deepEqual(hidden.sort(), ['tensorTrace.getPanelStateForTests', 'tensorTrace.revealLocation']);
  });

  it('registers every contributed command', async () => {
    const pkg = vscode.extensions.getExtension(extensionId)!.packageJSON;
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const c of pkg.contributes.commands as Array<{ command: string }>) assert.ok(registered.has(c.command), `${c.command} not registered`);
  });

  it('describes every setting with markdownDescription, scope and enumDescriptions', () => {
    const pkg = vscode.extensions.getExtension(extensionId)!.packageJSON;
    const props: Record<string, { markdownDescription?: string; scope?: string; enum?: string[]; enumDescriptions?: string[] }> =
      pkg.contributes.configuration.properties;
    const keys = Object.keys(props).sort();
    assert.deepEqual(keys, [
      'tensorTrace.autoTrace',
      'tensorTrace.backend',
      'tensorTrace.debounceMs',
      'tensorTrace.defaultInputShape',
      'tensorTrace.hints.density',
      'tensorTrace.memoryLimitMB',
      'tensorTrace.numericOnSave',
      'tensorTrace.numericTimeLimitMs',
      'tensorTrace.tfjsNodePath',
      'tensorTrace.timeLimitMs',
    ]);
    for (const [k, p] of Object.entries(props)) {
      assert.ok(p.markdownDescription, `${k}: markdownDescription`);
      assert.ok(p.scope, `${k}: scope`);
      if (p.enum) assert.equal(p.enumDescriptions?.length, p.enum.length, `${k}: enumDescriptions`);
    }
  });
});
