// A Jupyter notebook: the block is defined in one code cell and used in another; the cells are traced in order
// as one program, and hints, hovers and CodeLens land in the cells. Shapes are PyTorch's (torch 1.13).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension, codeLenses, hintsOnLine, hoverAt, lineOf, ourDiagnostics, traceFile, workspaceUri } from './helpers';

describe('residual_notebook.ipynb', function () {
  let nb: vscode.NotebookDocument;
  let defCell: vscode.TextDocument;
  let useCell: vscode.TextDocument;

  before(async () => {
    await activateExtension();
    nb = await vscode.workspace.openNotebookDocument(workspaceUri('residual_notebook.ipynb'));
    await vscode.window.showNotebookDocument(nb);
    const code = nb.getCells().filter((c) => c.kind === vscode.NotebookCellKind.Code);
    assert.equal(code.length, 2);
    [defCell, useCell] = code.map((c) => c.document);
    assert.equal(defCell.languageId, 'python');
    const s = await traceFile(nb.uri);
    assert.equal(s.error, null);
    assert.equal(s.params, 230_144);
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('shows the shapes of the usage cell', async () => {
    assert.ok((await hintsOnLine(useCell, lineOf(useCell, 'input_tensor = torch.randn'))).includes('[32, 64, 56, 56]'));
    assert.ok((await hintsOnLine(useCell, lineOf(useCell, 'output_tensor = res_block'))).includes('[32, 128, 28, 28]'));
    assert.ok((await hintsOnLine(useCell, lineOf(useCell, 'res_block = ResidualBlock'))).includes('230,144 params → [32, 128, 28, 28]'));
  });

  it('shows the shapes inside the cell that defines the block', async () => {
    assert.ok((await hintsOnLine(defCell, lineOf(defCell, 'self.conv1 = nn.Conv2d'))).includes('73,728 params → [32, 128, 28, 28]'));
    assert.ok((await hintsOnLine(defCell, lineOf(defCell, 'out += identity'))).includes('proj 1×1/2'));
    const { text } = await hoverAt(defCell, lineOf(defCell, 'out = F.relu(self.bn1(self.conv1(x)))'), 'conv1');
    assert.ok(text.includes('[32, 64, 56, 56] → [32, 128, 28, 28]'), text);
    const lenses = await codeLenses(defCell);
    assert.ok(
      lenses.some((l) => l.command?.title === '[32, 64, 56, 56] → [32, 128, 28, 28] · 230,144 params'),
      JSON.stringify(lenses.map((l) => l.command?.title)),
    );
  });

  it('reports no error in any cell', () => {
    for (const cell of [defCell, useCell]) {
      assert.deepEqual(ourDiagnostics(cell.uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error).map((d) => d.message), []);
    }
  });
});
