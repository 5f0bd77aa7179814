// The seed file (../shared/seed/residual_block.py, which test/vscode/runIntegration.mjs copies into the temp
// workspace) through every editor surface. Expected values are PyTorch's: the shapes of residual_block.expected-output.txt and
// parameter counts from `sum(p.numel() for p in m.parameters())` under torch 1.13.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension, codeLenses, hintsOnLine, hoverAt, lineOf, openFixture, ourDiagnostics, traceFile, type TraceSummary } from './helpers';

const IN = '[32, 64, 56, 56]';
const OUT = '[32, 128, 28, 28]';

describe('residual_block.py (the seed)', function () {
  let doc: vscode.TextDocument;
  let summary: TraceSummary;

  before(async () => {
    await activateExtension();
    doc = await openFixture('residual_block.py');
    summary = await traceFile(doc.uri);
  });

  it('traces the script to the end', () => {
    assert.equal(summary.error, null);
    assert.equal(summary.params, 230_144);
    assert.equal(summary.skips, 1);
  });

  it('shows the shape made by each line of forward() and of the script', async () => {
    const expect: Array<[string, string]> = [
      ['identity = self.skip(x)', OUT],
      ['out = self.conv1(x)', OUT],
      ['out = F.relu(out)', OUT],
      ['out = self.conv2(out)', OUT],
      ['difference = out - identity', OUT],
      ['input_tensor = torch.randn(32, 64, 56, 56', IN],
      ['output_tensor = res_block(input_tensor)', OUT],
    ];
    for (const [text, shape] of expect) {
      const labels = await hintsOnLine(doc, lineOf(doc, text));
      assert.ok(labels.includes(shape), `${text}: hints ${JSON.stringify(labels)}, expected ${shape}`);
    }
  });

  it('shows parameters and output shape on each layer defined in __init__', async () => {
    const expect: Array<[string, string]> = [
      ['self.conv1 = nn.Conv2d', `73,728 params → ${OUT}`],
      ['self.bn1 = nn.BatchNorm2d', `256 params → ${OUT}`],
      ['self.conv2 = nn.Conv2d', `147,456 params → ${OUT}`],
      ['res_block = ResidualBlock(64, 128, stride=2)', `230,144 params → ${OUT}`],
    ];
    for (const [text, label] of expect) {
      const labels = await hintsOnLine(doc, lineOf(doc, text));
      assert.ok(labels.includes(label), `${text}: hints ${JSON.stringify(labels)}, expected ${label}`);
    }
  });

  it('labels the residual addition with its projection shortcut', async () => {
    const labels = await hintsOnLine(doc, lineOf(doc, 'out += identity'));
    assert.ok(labels.includes('proj 1×1/2'), JSON.stringify(labels));
  });

  it('hovers a layer call with shapes, class, parameters, MACs and memory', async () => {
    const { text, hovers } = await hoverAt(doc, lineOf(doc, 'out = self.conv1(x)'), 'conv1');
    assert.ok(text.includes('Conv2d(64, 128'), text);
    assert.ok(text.includes(`${IN} → ${OUT}`), text);
    assert.ok(text.includes('73,728'), text);
    // 73,728 weights × 28 × 28 positions × 32 images = 1,849,688,064 MACs; 32×128×28×28 floats = 12.8 MB.
    assert.ok(text.includes('1.85 GMACs'), text);
    assert.ok(text.includes('12.8 MB'), text);
    for (const h of hovers) {
      for (const c of h.contents) {
        if (c instanceof vscode.MarkdownString) assert.notEqual(c.isTrusted, true, 'hover markdown must not be fully trusted');
      }
    }
  });

  it('hovers the layer definition in __init__', async () => {
    const { text } = await hoverAt(doc, lineOf(doc, 'self.conv2 = nn.Conv2d'), 'conv2');
    assert.ok(text.includes('147,456'), text);
    assert.ok(text.includes(`${OUT} → ${OUT}`), text);
  });

  it('hovers the residual addition with its kind and both branch shapes', async () => {
    const { text } = await hoverAt(doc, lineOf(doc, 'out += identity'), '+=');
    assert.ok(text.includes('projection'), text);
    assert.ok(text.includes('Main path'), text);
    assert.ok(text.split(OUT).length - 1 >= 2, text);
  });

  it('hovers a variable with the shape it holds', async () => {
    const { text } = await hoverAt(doc, lineOf(doc, 'difference = out - identity'), 'identity');
    assert.ok(text.includes(OUT), text);
  });

  it('puts a CodeLens with the traced signature on the class', async () => {
    const lenses = await codeLenses(doc);
    const classLine = lineOf(doc, 'class ResidualBlock');
    const titles = lenses.filter((l) => l.range.start.line === classLine).map((l) => l.command?.title);
    assert.ok(titles.includes(`${IN} → ${OUT} · 230,144 params`), JSON.stringify(titles));
    assert.ok(titles.includes('Trace'), JSON.stringify(titles));
    assert.ok(titles.includes('Show in Panel'), JSON.stringify(titles));
  });

  it('reports no error on the seed', () => {
    const errors = ourDiagnostics(doc.uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error);
    assert.deepEqual(errors.map((d) => d.message), []);
  });

  it('exports the trace as a Markdown table and as JSON', async () => {
    const md = await vscode.commands.executeCommand<{ uri: string; language: string }>('tensorTrace.exportTrace', 'markdown', doc.uri);
    assert.ok(md);
    const mdDoc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === md.uri);
    assert.ok(mdDoc);
    assert.equal(mdDoc.languageId, 'markdown');
    assert.match(mdDoc.getText(), /\| conv1 \| Conv2d \| \[32, 64, 56, 56\] \| \[32, 128, 28, 28\] \| 73,728 \|/);
    assert.ok(mdDoc.getText().includes('Parameters: 230,144'));
    const json = await vscode.commands.executeCommand<{ uri: string; language: string }>('tensorTrace.exportTrace', 'json', doc.uri);
    const jsonDoc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === json?.uri);
    assert.ok(jsonDoc);
    const trace = JSON.parse(jsonDoc.getText());
    assert.equal(trace.totals.params, 230_144);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    await vscode.window.showTextDocument(doc);
  });

  it('runs the numeric trace (values and gradients) in the worker', async () => {
    const s = await vscode.commands.executeCommand<TraceSummary>('tensorTrace.runNumericTrace', doc.uri);
    assert.ok(s);
    assert.equal(s.outcome, 'done');
    assert.equal(s.mode, 'numeric');
    assert.equal(s.params, 230_144);
  });

  it('loads tfjs-node from tensorTrace.tfjsNodePath, and says why not when it cannot', async () => {
    const config = vscode.workspace.getConfiguration('tensorTrace');
    await config.update('tfjsNodePath', '/nonexistent/tfjs-node', vscode.ConfigurationTarget.Global);
    try {
      const s = await vscode.commands.executeCommand<TraceSummary>('tensorTrace.runNumericTrace', doc.uri);
      assert.equal(s?.outcome, 'done');
      assert.equal(s?.backend?.name, 'wasm');
      assert.match(s?.backend?.reason ?? '', /node unavailable \(Cannot find module '\/nonexistent\/tfjs-node'/);
    } finally {
      await config.update('tfjsNodePath', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('traces the class under the cursor with chosen arguments and input shape', async () => {
    const s = await vscode.commands.executeCommand<TraceSummary>('tensorTrace.traceModule', {
      uri: doc.uri.toString(),
      className: 'ResidualBlock',
      args: '64, 64',
      inputs: [[2, 64, 8, 8]],
    });
    assert.ok(s);
    assert.equal(s.outcome, 'done');
    const lenses = await codeLenses(doc);
    const classLine = lineOf(doc, 'class ResidualBlock');
    const titles = lenses.filter((l) => l.range.start.line === classLine).map((l) => l.command?.title ?? '');
    // torch 1.13: ResidualBlock(64, 64) has 73,984 parameters and keeps [2, 64, 8, 8].
    assert.ok(titles.includes('[2, 64, 8, 8] → [2, 64, 8, 8] · 73,984 params'), JSON.stringify(titles));
    // Trace This File goes back to the script alone.
    await traceFile(doc.uri);
    const again = (await codeLenses(doc)).filter((l) => l.range.start.line === classLine).map((l) => l.command?.title);
    assert.ok(again.includes(`${IN} → ${OUT} · 230,144 params`), JSON.stringify(again));
  });

  it('hides and shows the inline hints', async () => {
    const line = lineOf(doc, 'out = self.conv1(x)');
    await vscode.commands.executeCommand('tensorTrace.toggleInlineHints');
    try {
      assert.deepEqual(await hintsOnLine(doc, line), []);
    } finally {
      await vscode.commands.executeCommand('tensorTrace.toggleInlineHints');
    }
    assert.ok((await hintsOnLine(doc, line)).includes(OUT));
  });
});
