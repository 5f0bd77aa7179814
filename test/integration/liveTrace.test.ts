// The analysis loop: re-tracing as you type, the engine's own time limit on a runaway script, and the host
// terminating and restarting the worker on timeout and on cancel (the extension host never waits on a script).
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { TraceClient } from '../../src/host/traceClient';
import { activateExtension, hintsOnLine, lineOf, ourDiagnostics, traceFile, untitledPython, waitFor } from './helpers';

const runaway = 'import torch\n\nx = torch.randn(2, 3)\nwhile True:\n    x = x + 1\n';

describe('the analysis loop', function () {
  let extensionPath: string;

  before(async () => {
    extensionPath = (await activateExtension()).extensionPath;
  });

  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('re-traces as you type', async () => {
    const seed = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, 'residual_block.py'));
    const { doc, editor } = await untitledPython('live_typing', seed.getText());
    await traceFile(doc.uri);
    const conv1 = lineOf(doc, 'out = self.conv1(x)');
    assert.ok((await hintsOnLine(doc, conv1)).includes('[32, 128, 28, 28]'));
    // stride 2 → 1: PyTorch gives [32, 128, 56, 56] after conv1.
    const use = lineOf(doc, 'res_block = ResidualBlock(64, 128, stride=2)');
    const col = doc.lineAt(use).text.indexOf('stride=2') + 'stride='.length;
    await editor.edit((b) => b.replace(new vscode.Range(use, col, use, col + 1), '1'));
    const labels = await waitFor('the re-traced hint', async () => {
      const l = await hintsOnLine(doc, conv1);
      return l.includes('[32, 128, 56, 56]') ? l : undefined;
    }, 10_000);
    assert.ok(labels.includes('[32, 128, 56, 56]'));
  });

  it('stops a runaway script at tensorTrace.timeLimitMs and reports it', async () => {
    const config = vscode.workspace.getConfiguration('tensorTrace');
    await config.update('timeLimitMs', 500, vscode.ConfigurationTarget.Global);
    try {
      const { doc } = await untitledPython('runaway', runaway);
      const t0 = Date.now();
      const s = await vscode.commands.executeCommand<{ outcome: string }>('tensorTrace.traceFile', doc.uri);
      assert.ok(Date.now() - t0 < 5_000, `the trace took ${Date.now() - t0} ms`);
      assert.ok(s && (s.outcome === 'done' || s.outcome === 'timeout'), s?.outcome);
      if (s.outcome === 'done') {
        const d = await waitFor('the time-limit diagnostic', () => ourDiagnostics(doc.uri).find((x) => x.code === 'time-limit'));
        assert.ok(d);
      }
    } finally {
      await config.update('timeLimitMs', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('terminates and restarts the worker on timeout and on cancel', async () => {
    const logs: string[] = [];
    const client = new TraceClient({
      workerFile: path.join(extensionPath, 'dist', 'traceWorker.js'),
      maxOldGenerationSizeMb: () => 512,
      log: (level, message) => logs.push(`${level}: ${message}`),
    });
    try {
      // The engine's own limit is far away: only the host's timeout can stop this one.
      const job = (text: string) => ({ file: '/tmp/runaway.py', text, roots: [], overlay: [], limits: { timeMs: 600_000, memoryBytes: 1 << 30 } });
      const t0 = Date.now();
      const timedOut = await client.run(job(runaway), { mode: 'symbolic', timeoutMs: 3_000 });
      assert.equal(timedOut.kind, 'timeout');
      assert.ok(Date.now() - t0 < 6_000);
      const abort = new AbortController();
      const pending = client.run(job(runaway), { mode: 'symbolic', timeoutMs: 60_000, signal: abort.signal });
      setTimeout(() => abort.abort(), 1_500);
      assert.equal((await pending).kind, 'cancelled');
      const ok = await client.run(job('import torch\ny = torch.zeros(2, 3) @ torch.zeros(3, 4)\n'), { mode: 'symbolic', timeoutMs: 30_000 });
      assert.equal(ok.kind, 'done');
      if (ok.kind === 'done') assert.deepEqual(ok.result.lines.find((l) => l.target === 'y')?.shapes, [[[2, 4]]]);
      assert.equal(client.starts, 3, logs.join('\n'));
      const numeric = await client.run(job('import torch\n'), { mode: 'numeric', timeoutMs: 30_000 });
      assert.equal(numeric.kind, 'done');
    } finally {
      client.dispose();
    }
  });
});
