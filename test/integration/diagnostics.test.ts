// Shape errors as diagnostics with PyTorch's own message, silence on files that are not PyTorch code, and the
// projection Quick Fix. The message is what torch 1.13 raises for workspace/shape_bug.py:
//   RuntimeError: The size of tensor a (28) must match the size of tensor b (56) at non-singleton dimension 3
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension, codeLenses, inlayHints, lineOf, openFixture, ourDiagnostics, traceFile, untitledPython, waitFor } from './helpers';

const torchMessage = 'The size of tensor a (28) must match the size of tensor b (56) at non-singleton dimension 3';

describe('diagnostics and the projection Quick Fix', function () {
  before(async () => {
    await activateExtension();
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('reports the failing residual addition with PyTorch’s message and the operand shapes', async () => {
    const doc = await openFixture('shape_bug.py');
    const s = await traceFile(doc.uri);
    assert.ok(s.error?.includes(torchMessage), s.error ?? 'no error');
    const line = lineOf(doc, 'out += identity');
    const d = await waitFor('the shape error', () => ourDiagnostics(doc.uri).find((x) => x.severity === vscode.DiagnosticSeverity.Error));
    assert.equal(d.range.start.line, line);
    assert.ok(d.message.includes(torchMessage), d.message);
    assert.ok(d.message.includes('[32, 128, 28, 28]') && d.message.includes('[32, 64, 56, 56]'), d.message);
    // Shapes up to the failure are still shown; the block that raised shows no output.
    const labels = (await inlayHints(doc)).filter((h) => h.position.line === lineOf(doc, 'out = self.bn2(self.conv2(out))'));
    assert.ok(labels.length > 0, 'no hint before the failing line');
    const lens = (await codeLenses(doc)).map((l) => l.command?.title);
    // torch 1.13: ResidualBlock(64, 128, stride=2) without a projection has 221,696 parameters.
    assert.ok(lens.includes('[32, 64, 56, 56] → ✗ raised · 221,696 params'), JSON.stringify(lens));
  });

  it('stays silent on Python files that do not import torch', async () => {
    const doc = await openFixture('plain.py');
    await vscode.commands.executeCommand('tensorTrace.traceFile', doc.uri);
    assert.deepEqual(ourDiagnostics(doc.uri), []);
    assert.deepEqual(await inlayHints(doc), []);
    assert.deepEqual(await codeLenses(doc), []);
  });

  it('fixes the stride-2 block with a 1×1 conv + BatchNorm projection', async () => {
    // An unsaved copy, so the fixture on disk stays broken for the other tests.
    const original = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, 'shape_bug.py'));
    const { doc } = await untitledPython('shape_bug_fix', original.getText());
    try {
      await traceFile(doc.uri);
      const diag = await waitFor('the mismatch diagnostic', () => ourDiagnostics(doc.uri).find((d) => d.code === 'skip-shape-mismatch'));
      const actions =
        (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, diag.range, vscode.CodeActionKind.QuickFix.value)) ?? [];
      const fix = actions.find((a) => a.title.includes('projection'));
      assert.ok(fix?.edit, `no projection fix among ${JSON.stringify(actions.map((a) => a.title))}`);
      assert.ok(fix.title.includes('64→128') && fix.title.includes('stride 2'), fix.title);
      assert.ok(await vscode.workspace.applyEdit(fix.edit));
      const text = doc.getText();
      assert.ok(text.includes('self.shortcut = nn.Sequential('), text);
      assert.ok(text.includes('nn.Conv2d(in_channels, out_channels, kernel_size=1, stride=stride, bias=False)'), text);
      assert.ok(text.includes('nn.BatchNorm2d(out_channels)'), text);
      assert.ok(text.includes('out += self.shortcut(identity)'), text);

      const s = await traceFile(doc.uri);
      assert.equal(s.error, null);
      // With the projection the block is the seed's: 230,144 parameters (torch 1.13).
      assert.equal(s.params, 230_144);
      assert.deepEqual(ourDiagnostics(doc.uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error), []);
    } finally {
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
  });
});
