// Imports of other workspace files are followed: multi_file/model.py imports ResidualBlock from blocks.py.
// Expected values from torch 1.13: TinyNet has 19,962 parameters, block1 4,672, block2 14,528; logits [4, 10].
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension, codeLenses, hintsOnLine, lineOf, openFixture, ourDiagnostics, traceFile, waitFor } from './helpers';

describe('multi_file (a model importing its block from another file)', function () {
  let model: vscode.TextDocument;

  before(async () => {
    await activateExtension();
    model = await openFixture('multi_file', 'model.py');
    const s = await traceFile(model.uri);
    assert.equal(s.error, null);
    assert.equal(s.params, 19_962);
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('shows shapes through the imported block', async () => {
    const expect: Array<[string, string]> = [
      ['x = self.block1(x)', '[4, 16, 32, 32]'],
      ['x = self.block2(x)', '[4, 32, 16, 16]'],
      ['logits = model(images)', '[4, 10]'],
      ['model = TinyNet()', '19,962 params → [4, 10]'],
      ['self.block2 = ResidualBlock(16, 32, stride=2)', '14,528 params → [4, 32, 16, 16]'],
    ];
    for (const [text, label] of expect) {
      const labels = await hintsOnLine(model, lineOf(model, text));
      assert.ok(labels.includes(label), `${text}: ${JSON.stringify(labels)}, expected ${label}`);
    }
  });

  it('shows the importing trace in the imported file', async () => {
    const blocks = await openFixture('multi_file', 'blocks.py');
    const conv1 = await hintsOnLine(blocks, lineOf(blocks, 'self.conv1 = nn.Conv2d'));
    assert.ok(
      conv1.some((l) => l.includes('2,304 params → [4, 16, 32, 32]') && l.includes('4,608 params → [4, 32, 16, 16]')),
      JSON.stringify(conv1),
    );
    const lenses = await codeLenses(blocks);
    const titles = lenses.filter((l) => l.range.start.line === lineOf(blocks, 'class ResidualBlock')).map((l) => l.command?.title ?? '');
    assert.ok(titles.includes('[4, 16, 32, 32] → [4, 16, 32, 32] (+1 more) · 4,672 params'), JSON.stringify(titles));
  });

  it('re-traces the model when the imported file is edited, without saving it', async () => {
    const blocks = await openFixture('multi_file', 'blocks.py');
    const line = lineOf(blocks, 'identity = self.skip(x)');
    const range = blocks.lineAt(line).range;
    const original = blocks.lineAt(line).text;
    const edit = new vscode.WorkspaceEdit();
    edit.replace(blocks.uri, range, original.replace('self.skip(x)', 'x'));
    assert.ok(await vscode.workspace.applyEdit(edit));
    try {
      // block2's shortcut no longer projects: [4, 32, 16, 16] + [4, 16, 32, 32] fails inside blocks.py.
      const s = await traceFile(model.uri);
      assert.ok(s.error, 'expected the edited block to fail');
      assert.ok(s.error.includes('must match the size of tensor b'), s.error);
      const onBlocks = await waitFor('a diagnostic in blocks.py', () => ourDiagnostics(blocks.uri).find((d) => d.range.start.line === lineOf(blocks, 'out += identity')));
      assert.equal(onBlocks.severity, vscode.DiagnosticSeverity.Error);
      const onModel = ourDiagnostics(model.uri).find((d) => d.severity === vscode.DiagnosticSeverity.Error);
      assert.ok(onModel, 'the error should also show where model.py called into blocks.py');
    } finally {
      const undo = new vscode.WorkspaceEdit();
      undo.replace(blocks.uri, blocks.lineAt(line).range, original);
      await vscode.workspace.applyEdit(undo);
    }
    const s = await traceFile(model.uri);
    assert.equal(s.error, null);
    assert.deepEqual(
      ourDiagnostics(blocks.uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error),
      [],
    );
  });
});
