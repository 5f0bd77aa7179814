// The side panel: the webview posts `ready`, the host posts the state of the active file's trace; the
// comparison without skip connections lands in the same state. Checked through the hidden
// tensorTrace.getPanelStateForTests command (the last PanelState posted to a webview).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { PanelState } from '../../src/webview/protocol';
import { activateExtension, openFixture, traceFile, waitFor } from './helpers';

const panelState = () => vscode.commands.executeCommand<PanelState | undefined>('tensorTrace.getPanelStateForTests');

describe('the Tensor Trace panel', function () {
  let doc: vscode.TextDocument;

  before(async () => {
    await activateExtension();
    doc = await openFixture('residual_block.py');
    await traceFile(doc.uri);
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('posts the trace of the active file once the view is shown', async () => {
    await vscode.commands.executeCommand('tensorTrace.showPanel');
    const state = await waitFor('a posted panel state with a trace', async () => {
      const s = await panelState();
      return s?.trace && s.document?.name === 'residual_block.py' ? s : undefined;
    }, 30_000);
    assert.equal(state.trace!.totals.params, 230_144);
    assert.equal(state.trace!.skips.length, 1);
    assert.equal(state.trace!.skips[0].kind, 'projection');
    assert.deepEqual(state.trace!.outputShape ?? state.trace!.modules[0].outputShapes[0], [32, 128, 28, 28]);
    assert.deepEqual(state.inputShape, [32, 64, 56, 56]);
  });

  it('adds the trace without skip connections after Compare Without Skip Connections', async () => {
    await vscode.window.showTextDocument(doc);
    const r = await vscode.commands.executeCommand<{ removed: number; params: number; noSkipParams: number }>('tensorTrace.compareWithoutSkips', doc.uri);
    assert.ok(r);
    assert.equal(r.removed, 1);
    const state = await waitFor('the no-skip trace in the panel state', async () => {
      const s = await panelState();
      return s?.noSkipTrace ? s : undefined;
    });
    assert.equal(state.noSkipTrace!.skips.length, 0);
    assert.equal(state.noSkipTrace!.error, null);
    // Removing the addition leaves every layer in place (the projection is built, just unused).
    assert.equal(state.noSkipTrace!.totals.params, 230_144);
  });

  it('opens beside the editor as a WebviewPanel with the same state', async () => {
    await vscode.commands.executeCommand('tensorTrace.openPanelBeside');
    const tab = await waitFor('the Tensor Trace editor tab', () =>
      vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && t.label === 'Tensor Trace'),
    );
    assert.ok(tab);
    const state = await panelState();
    assert.equal(state?.document?.name, 'residual_block.py');
  });
});
