// The CLI's numeric side: picking the numeric trace from the script's syntax tree (backward() calls), the options,
// and the gradient table printed after the module table.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { parseArgs } from '../../src/cli/args';
import { gradientTable } from '../../src/cli/report';
import { callsBackward, numericBackend, traceNumeric } from '../../src/core/numericEngine';
import { seedFile } from './numericRefCache';

describe('numeric CLI', function () {
  this.timeout(300_000);

  it('detects backward() from the syntax tree, not the text', () => {
    assert.equal(callsBackward('loss = out.mean()\nloss.backward()\n'), true);
    assert.equal(callsBackward('for i in range(3):\n    if i:\n        model(x).sum().backward(retain_graph=True)\n'), true);
    assert.equal(callsBackward('import torch\ntorch.autograd.backward([l])\n'), true);
    assert.equal(callsBackward('import torch\ng = torch.autograd.grad(y, x)\n'), true);
    assert.equal(callsBackward('print("loss.backward()")\n# loss.backward()\n'), false);
    assert.equal(callsBackward('class F:\n    def backward(self, g):\n        return g\n'), false);
    assert.equal(callsBackward('x = model.backward\n'), false);
  });

  it('parses the numeric options', () => {
    const o = parseArgs(['m.py', '--numeric', '--no-skips', '--backend', 'wasm']);
    assert.ok(o !== 'help');
    assert.equal(o.numeric, true);
    assert.equal(o.noSkips, true);
    assert.equal(o.backend, 'wasm');
    const s = parseArgs(['m.py', '--symbolic']);
    assert.ok(s !== 'help' && s.numeric === false);
    const d = parseArgs(['m.py']);
    assert.ok(d !== 'help' && d.numeric === undefined, 'automatic by default');
    const t = parseArgs(['m.py', '--backend', 'node', '--tfjs-node', '/opt/tfjs-node']);
    assert.ok(t !== 'help' && t.backend === 'node' && t.tfjsNodePath === '/opt/tfjs-node');
    assert.throws(() => parseArgs(['m.py', '--tfjs-node']), /--tfjs-node/);
  });

  it('says why the node backend was not used when the tfjs-node folder it was given does not load', async () => {
    const missing = '/nonexistent/tfjs-node';
    const info = await numericBackend('auto', missing);
    assert.equal(info.name, 'wasm');
    assert.match(info.reason, /node unavailable \(Cannot find module '\/nonexistent\/tfjs-node'/);
    await assert.rejects(numericBackend('node', missing), /Cannot find module '\/nonexistent\/tfjs-node'/);
  });

  it('prints a gradient table with norms, parameter gradients, shortcut shares and the no-skips column', async () => {
    await numericBackend('wasm');
    const file = seedFile('residual_block.py');
    const text = readFileSync(file, 'utf8').replace('torch.randn(32, 64, 56, 56', 'torch.randn(2, 64, 56, 56');
    const t = await traceNumeric({ file, text, backend: 'wasm' });
    const n = await traceNumeric({ file, text, backend: 'wasm', noSkips: true });
    const table = gradientTable(t, n);
    assert.ok(table);
    const lines = table.split('\n');
    assert.equal(lines[0], 'Gradients');
    assert.match(lines[2], /^Layer\s+Output grad norm\s+Without skips\s+Param grad norms\s+Shortcut share$/);
    assert.match(table, /\(ResidualBlock\)\s+\d\.\d{3}e-\d+\s+\d\.\d{3}e-\d+\s+—\s+\d+\.\d%/);
    assert.match(table, /\n {2}conv1\s+\d\.\d{3}e-\d+\s+\d\.\d{3}e-\d+\s+weight \d\.\d{3}e-\d+\n/);
    assert.match(table, /\n {4}skip\.1\s+\d\.\d{3}e-\d+\s+—\s+weight \d\.\d{3}e-\d+, bias \d\.\d{3}e-\d+\n/);
    assert.match(lines[lines.length - 1], /^Input gradient norm: \d\.\d{3}e-\d+ \(without skips: \d\.\d{3}e-\d+\)$/);
    assert.equal(gradientTable({ ...t, mode: 'symbolic' }), null, 'no table without numbers');
  });
});
