// Unit tests of the panel's pure helpers (format, ×N tree, block graph and layout, gradient data) on seed-style traces.

import * as assert from 'node:assert/strict';
import type { Location } from '../../src/core/diagnostics';
import type { ModuleCall, OpCall, SkipConnection, TraceResult } from '../../src/core/trace/types';
import {
  formatBytes,
  formatCount,
  formatNumber,
  formatPercent,
  formatShape,
  formatShapes,
  formatTorchTensor,
  parseShape,
  splitArgs,
  summarizeArgs,
} from '../../src/webview/app/format';
import { compareSkips, gradientFlow, gradientShares, hasNumericData, residualRows, seedGradients } from '../../src/webview/app/gradientData';
import { type BlockLayout, buildBlockGraph, layoutBlock, leafCalls, skipForSelection } from '../../src/webview/app/graph';
import { buildTree, defaultExpanded, groupRepeats, isRepeat, moduleKeys, rowLabel, visibleRows } from '../../src/webview/app/rows';
import { decadeLabel, linearScale, logScale } from '../../src/webview/app/scale';

// ---------------------------------------------------------------- fixture: the seed's ResidualBlock

const FILE = '/ws/residual_block.py';
const SRC = `class ResidualBlock(nn.Module):
    def forward(self, x):
        identity = self.skip(x)
        out = self.conv1(x)
        out = self.bn1(out)
        out = F.relu(out)
        out = self.conv2(out)
        out = self.bn2(out)
        difference = out - identity
        out += identity
        out = F.relu(out)
        return out

res_block = ResidualBlock(64, 128, stride=2)
output_tensor = res_block(input_tensor)
`;

/** The location of the `nth` occurrence of `text` in SRC. */
function at(text: string, nth = 0): Location {
  let i = SRC.indexOf(text);
  for (let k = 0; k < nth; k++) i = SRC.indexOf(text, i + 1);
  assert.ok(i >= 0, `fixture text not found: ${text}`);
  const before = SRC.slice(0, i).split('\n');
  const line = before.length;
  const column = before[before.length - 1].length + 1;
  return { file: FILE, span: { start: i, end: i + text.length }, line, column, endLine: line, endColumn: column + text.length };
}

type CallSpec = Partial<ModuleCall> & Pick<ModuleCall, 'name' | 'className' | 'callSite'>;

/** A ResidualBlock trace: with `projection` the seed's ResidualBlock(64, 128, stride=2), else ResidualBlock(64, 64). */
function seedTrace(projection: boolean, numeric = false): TraceResult {
  const B = 32;
  const inS = [B, 64, 56, 56];
  const outS = projection ? [B, 128, 28, 28] : inS;
  const C = outS[1];
  const modules: ModuleCall[] = [];
  const add = (parent: ModuleCall | null, spec: CallSpec): ModuleCall => {
    const m: ModuleCall = {
      id: modules.length,
      parent: parent ? parent.id : null,
      args: '',
      inputShapes: [outS],
      outputShapes: [outS],
      ownParams: 0,
      totalParams: 0,
      trainableParams: 0,
      macs: 0,
      outputBytes: outS.reduce((a, b) => a * b, 4),
      callCount: 1,
      children: [],
      ...spec,
    };
    modules.push(m);
    if (parent) parent.children.push(m.id);
    return m;
  };
  const root = add(null, { name: '', className: 'ResidualBlock', callSite: at('res_block(input_tensor)'), inputShapes: [inS] });
  const skipSeq = add(root, { name: 'skip', className: 'Sequential', callSite: at('self.skip(x)'), inputShapes: [inS] });
  if (projection) {
    add(skipSeq, { name: 'skip.0', className: 'Conv2d', args: '64, 128, kernel_size=(1, 1), stride=(2, 2), bias=False', callSite: at('self.skip(x)'), inputShapes: [inS], ownParams: 8192, totalParams: 8192 });
    add(skipSeq, { name: 'skip.1', className: 'BatchNorm2d', args: '128, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True', callSite: at('self.skip(x)'), ownParams: 256, totalParams: 256 });
  }
  const stride = projection ? ', stride=(2, 2)' : ', stride=(1, 1)';
  const conv1 = add(root, { name: 'conv1', className: 'Conv2d', args: `64, ${C}, kernel_size=(3, 3)${stride}, padding=(1, 1), bias=False`, callSite: at('self.conv1(x)'), inputShapes: [inS] });
  const bn1 = add(root, { name: 'bn1', className: 'BatchNorm2d', args: `${C}, eps=1e-05`, callSite: at('self.bn1(out)') });
  const conv2 = add(root, { name: 'conv2', className: 'Conv2d', args: `${C}, ${C}, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=False`, callSite: at('self.conv2(out)') });
  const bn2 = add(root, { name: 'bn2', className: 'BatchNorm2d', args: `${C}, eps=1e-05`, callSite: at('self.bn2(out)') });
  const op = (name: string, site: Location): OpCall => ({ op: name, module: root.id, site, inputShapes: [outS], outputShapes: [outS], macs: 0 });
  const ops = [op('F.relu', at('F.relu(out)')), op('sub', at('out - identity')), op('Tensor.__iadd__', at('out += identity')), op('F.relu', at('F.relu(out)', 1))];
  const skip: SkipConnection = {
    module: root.id,
    site: at('out += identity'),
    kind: projection ? 'projection' : 'identity',
    shortcut: projection ? ['Conv2d 1×1 stride 2, 64→128', 'BatchNorm2d(128)'] : [],
    label: projection ? 'proj 1×1/2' : 'identity',
    shortcutModules: [skipSeq.id],
    mainModules: [conv1.id, bn1.id, conv2.id, bn2.id],
    mainShape: outS,
    shortcutShape: outS,
  };
  if (numeric) {
    modules.forEach((m, i) => {
      m.grad = { outputNorm: 10 ** -(7 - i * 0.5), outputMean: 0, outputStd: 0, outputMaxAbs: 0, outputFirst: [3.114e-7, 3.114e-7, 3.114e-7, 3.114e-7, 3.114e-7], paramNorms: { weight: 1e-3 } };
    });
    skip.shortcutGradShare = 0.58;
    skip.residualStats = { mean: -0.02, std: 1.1, min: -5.2, max: 4.9, zeroFraction: 0 };
  }
  return {
    version: 1,
    file: FILE,
    mode: numeric ? 'numeric' : 'symbolic',
    backend: { name: numeric ? 'cpu' : 'symbolic', reason: 'test' },
    stdout: '',
    modules,
    ops,
    skips: [skip],
    lines: [],
    unused: [],
    diagnostics: [],
    error: null,
    totals: { params: 0, trainableParams: 0, macs: 0, activationBytes: 0 },
    outputShape: outS,
    timings: { parseMs: 0, runMs: 0, totalMs: 0 },
  };
}

/** A fixed-width text measurer: 7 px a character. */
const measure = (text: string): number => text.length * 7;

// ---------------------------------------------------------------- format

describe('webview format', () => {
  it('formats counts, bytes and shapes compactly', () => {
    assert.equal(formatCount(0), '0');
    assert.equal(formatCount(864), '864');
    assert.equal(formatCount(36864), '36.9K');
    assert.equal(formatCount(147456), '147K');
    assert.equal(formatCount(999_950), '1M');
    assert.equal(formatCount(11_173_962), '11.2M');
    assert.equal(formatCount(1_818_558_464), '1.82G');
    assert.equal(formatBytes(320), '320 B');
    assert.equal(formatBytes(2_097_152), '2.1 MB');
    assert.equal(formatBytes(12_845_056), '12.8 MB');
    assert.equal(formatShape([32, 128, 28, 28]), '32×128×28×28');
    assert.equal(formatShape([]), 'scalar');
    assert.equal(formatShapes([[1, 3], [1, 4]]), '1×3, 1×4');
    assert.equal(formatShapes([]), '—');
  });

  it('formats statistics with four significant digits and a true minus sign', () => {
    assert.equal(formatNumber(0.5638895034790039), '0.5639');
    assert.equal(formatNumber(-1.127), '−1.127');
    assert.equal(formatNumber(3.698e-9), '3.698e-9');
    assert.equal(formatNumber(123456), '1.235e5');
    assert.equal(formatNumber(0), '0');
    assert.equal(formatNumber(null), '—');
    assert.equal(formatPercent(0.634), '63%');
    assert.equal(formatPercent(0.001), '<1%');
    assert.equal(formatPercent(0.999), '>99%');
  });

  it('prints tensors exactly as the seed script does', () => {
    // The lines of /work/shared/seed/residual_block.expected-output.txt.
    assert.equal(formatTorchTensor([-1.127, -1.0176, 0.5778, -0.3388, -1.6565]), 'tensor([-1.1270, -1.0176,  0.5778, -0.3388, -1.6565])');
    assert.equal(
      formatTorchTensor([3.698e-9, -7.7582e-9, 8.1402e-8, -1.0858e-7, 2.1012e-7]),
      'tensor([ 3.6980e-09, -7.7582e-09,  8.1402e-08, -1.0858e-07,  2.1012e-07])',
    );
    assert.equal(formatTorchTensor(Array(5).fill(3.114e-7)), 'tensor([3.1140e-07, 3.1140e-07, 3.1140e-07, 3.1140e-07, 3.1140e-07])');
    assert.equal(formatTorchTensor([1, 2, 3]), 'tensor([1., 2., 3.])');
    assert.equal(formatTorchTensor([0, 0]), 'tensor([0., 0.])');
    assert.equal(formatTorchTensor([1e-3, 5]), 'tensor([1.0000e-03, 5.0000e+00])');
  });

  it('parses input shapes in the forms people type and rejects the rest', () => {
    for (const text of ['1, 3, 224, 224', '(1, 3, 224, 224)', '[1 3 224 224]', '1×3×224×224', ' 1,3,224,224 ', 'torch.Size([1, 3, 224, 224])']) {
      assert.deepEqual(parseShape(text), { ok: true, shape: [1, 3, 224, 224] }, text);
    }
    assert.equal(parseShape('').ok, false);
    assert.equal(parseShape('1, 0, 3').ok, false);
    assert.equal(parseShape('1, -3').ok, false);
    assert.equal(parseShape('1, 3.5').ok, false);
    assert.equal(parseShape('a, b').ok, false);
    assert.equal(parseShape('1,2,3,4,5,6,7,8,9').ok, false);
    assert.equal(parseShape('1,,3').ok, false);
    assert.deepEqual(parseShape('(5,)'), { ok: true, shape: [5] });
    const bad = parseShape('1, x3');
    assert.ok(!bad.ok && /not a whole number/.test(bad.error));
  });

  it('summarizes layer constructor reprs for diagram nodes', () => {
    assert.deepEqual(splitArgs('64, 128, kernel_size=(3, 3), stride=(2, 2)'), ['64', '128', 'kernel_size=(3, 3)', 'stride=(2, 2)']);
    assert.equal(summarizeArgs('Conv2d', '64, 128, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), bias=False'), '3×3, 64→128, stride 2');
    assert.equal(summarizeArgs('Conv2d', '64, 128, kernel_size=(1, 1), stride=(1, 1), bias=False'), '1×1, 64→128');
    assert.equal(summarizeArgs('Conv2d', '32, 32, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), groups=32'), '3×3, 32→32, groups 32');
    assert.equal(summarizeArgs('Linear', 'in_features=512, out_features=10, bias=True'), '512→10');
    assert.equal(summarizeArgs('BatchNorm2d', '128, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True'), '128');
    assert.equal(summarizeArgs('ReLU', 'inplace=True'), '');
  });
});

// ---------------------------------------------------------------- tree and ×N

describe('webview layer tree', () => {
  function call(id: number, over: Partial<ModuleCall>): ModuleCall {
    return {
      id,
      parent: null,
      name: `m${id}`,
      className: 'BasicBlock',
      args: '',
      callSite: at('self.conv1(x)'),
      inputShapes: [[1, 64, 8, 8]],
      outputShapes: [[1, 64, 8, 8]],
      ownParams: 0,
      totalParams: 100,
      trainableParams: 100,
      macs: 10,
      outputBytes: 16384,
      callCount: 1,
      children: [],
      ...over,
    };
  }

  it('collapses consecutive identical siblings only', () => {
    const a = call(0, {});
    const b = call(1, {});
    const c = call(2, { totalParams: 200 });
    const d = call(3, {});
    const e = call(4, { outputShapes: [[1, 64, 4, 4]] });
    assert.ok(isRepeat(a, b));
    assert.ok(!isRepeat(a, c));
    assert.ok(!isRepeat(a, e));
    assert.deepEqual(
      groupRepeats([a, b, c, d, e]).map((run) => run.map((m) => m.id)),
      [[0, 1], [2], [3], [4]],
    );
  });

  it('builds a nested tree with ×N groups and stable keys', () => {
    const modules: ModuleCall[] = [
      call(0, { name: '', className: 'Net', children: [1, 4], totalParams: 300 }),
      call(1, { name: 'layer1', className: 'Sequential', parent: 0, children: [2, 3], totalParams: 200 }),
      call(2, { name: 'layer1.0', parent: 1 }),
      call(3, { name: 'layer1.1', parent: 1 }),
      call(4, { name: 'fc', className: 'Linear', parent: 0 }),
    ];
    const trace = { ...seedTrace(false), modules, skips: [{ ...seedTrace(false).skips[0], module: 3 }] };
    const roots = buildTree(trace);
    assert.equal(roots.length, 1);
    const [layer1, fc] = roots[0].children;
    assert.equal(layer1.children.length, 1);
    const group = layer1.children[0];
    assert.equal(group.members.length, 2);
    assert.equal(group.key, 'layer1.0#0×2');
    assert.equal(rowLabel(group), '0–1');
    assert.equal(group.level, 3);
    assert.ok(group.ownsSkip);
    assert.deepEqual(group.children.map((r) => [r.key, r.level, r.parentKey]), [['layer1.0#0', 4, group.key], ['layer1.1#0', 4, group.key]]);
    assert.equal(rowLabel(roots[0]), 'Net');
    assert.equal(rowLabel(fc), 'fc');

    const open = defaultExpanded(roots);
    assert.deepEqual([...open].sort(), ['#0', 'layer1#0']);
    const vis = visibleRows(roots, open);
    assert.deepEqual(vis.map((v) => [v.row.key, v.posInSet, v.setSize]), [['#0', 1, 1], ['layer1#0', 1, 2], [group.key, 1, 1], ['fc#0', 2, 2]]);
    assert.equal(visibleRows(roots, new Set([...open, group.key])).length, 6);
  });

  it('keys repeated calls of one module by occurrence', () => {
    const keys = moduleKeys([call(0, { name: 'act' }), call(1, { name: 'act' }), call(2, { name: 'fc' })]);
    assert.deepEqual([...keys.values()], ['act#0', 'act#1', 'fc#0']);
  });
});

// ---------------------------------------------------------------- block diagram

describe('webview block diagram', () => {
  it('draws the seed projection block: main path with its ReLU, 1×1 conv + BN shortcut, the add, the final ReLU', () => {
    const trace = seedTrace(true);
    const g = buildBlockGraph(trace, trace.skips[0]);
    assert.ok(g);
    const byId = new Map(g.nodes.map((n) => [n.id, n]));
    const path = (from: string): string[] => {
      const out: string[] = [];
      for (let cur: string | undefined = from; cur; cur = g.edges.find((e) => e.from === cur && e.kind === 'main')?.to) out.push(byId.get(cur)!.title);
      return out;
    };
    assert.deepEqual(path('in'), ['x', 'conv1 · Conv2d', 'bn1 · BatchNorm2d', 'ReLU', 'conv2 · Conv2d', 'bn2 · BatchNorm2d', '+', 'ReLU', 'out']);
    const shortcut = g.nodes.filter((n) => n.kind === 'shortcut');
    assert.deepEqual(shortcut.map((n) => [n.title, n.detail]), [['skip.0 · Conv2d', '1×1, 64→128, stride 2'], ['skip.1 · BatchNorm2d', '128']]);
    assert.deepEqual(
      g.edges.filter((e) => e.kind === 'shortcut').map((e) => [e.from, e.to, e.label]),
      [['in', 's0', 'projection'], ['s0', 's1', null], ['s1', 'add', null]],
    );
    assert.equal(byId.get('in')!.shape, '32×64×56×56');
    assert.equal(byId.get('out')!.shape, '32×128×28×28');
    assert.equal(byId.get('add')!.location!.line, trace.skips[0].site.line);
    assert.equal(byId.get('m0')!.location!.line, 4);
  });

  it('marks an identity shortcut: a pill for nn.Sequential(), a labelled edge when there is no module', () => {
    const trace = seedTrace(false);
    const g = buildBlockGraph(trace, trace.skips[0])!;
    const pill = g.nodes.find((n) => n.kind === 'identity');
    assert.ok(pill);
    assert.equal(pill.detail, 'identity');
    assert.ok(g.edges.every((e) => e.kind !== 'shortcut'));

    const bare = { ...trace, skips: [{ ...trace.skips[0], shortcutModules: [] }] };
    const g2 = buildBlockGraph(bare, bare.skips[0])!;
    assert.deepEqual(
      g2.edges.filter((e) => e.kind === 'identity').map((e) => [e.from, e.to, e.label]),
      [['in', 'add', 'identity']],
    );
  });

  it('expands containers to leaves unless their parts are listed', () => {
    const trace = seedTrace(true);
    const byId = new Map(trace.modules.map((m) => [m.id, m]));
    assert.deepEqual(leafCalls([1], byId).map((m) => m.name), ['skip.0', 'skip.1']);
    assert.deepEqual(leafCalls([1, 2, 3], byId).map((m) => m.name), ['skip.0', 'skip.1']);
    assert.deepEqual(leafCalls([0], byId, 3).map((m) => m.name), ['']);
  });

  function overlaps(l: BlockLayout): boolean {
    return l.nodes.some((a, i) =>
      l.nodes.slice(i + 1).some((b) => Math.abs(a.x - b.x) * 2 < a.width + b.width && Math.abs(a.y - b.y) * 2 < a.height + b.height),
    );
  }

  for (const projection of [true, false]) {
    it(`lays out the ${projection ? 'projection' : 'identity'} block top-down: straight spine, shortcut on the right, no overlaps`, () => {
      const trace = seedTrace(projection);
      const l = layoutBlock(buildBlockGraph(trace, trace.skips[0])!, measure);
      const node = (id: string) => l.nodes.find((n) => n.id === id)!;
      const spine = ['in', 'm0', 'm1', 'm2', 'm3', 'm4', 'add', 'a0', 'out'].map(node);
      for (const n of spine) assert.ok(Math.abs(n.x - node('m0').x) < 1, `${n.id} off the main column`);
      for (let i = 1; i < spine.length; i++) assert.ok(spine[i].y > spine[i - 1].y, `${spine[i].id} not below ${spine[i - 1].id}`);
      for (const n of l.nodes.filter((n) => n.kind === 'shortcut' || n.kind === 'identity')) assert.ok(n.x > node('m0').x, `${n.id} not right of the main path`);
      assert.ok(!overlaps(l));
      for (const n of l.nodes) {
        assert.ok(n.x - n.width / 2 >= 0 && n.x + n.width / 2 <= l.width, `${n.id} outside the width`);
        assert.ok(n.y - n.height / 2 >= 0 && n.y + n.height / 2 <= l.height, `${n.id} outside the height`);
      }
      for (const e of l.edges) assert.ok(e.points.length >= 2, `edge ${e.from}→${e.to} has no route`);
      // Edges into the add end on its circle.
      const add = node('add');
      for (const e of l.edges.filter((e) => e.to === 'add')) {
        const p = e.points[e.points.length - 1];
        assert.ok(Math.abs(Math.hypot(p.x - add.x, p.y - add.y) - 15) < 0.5);
      }
    });
  }

  it('maps a selection to its block: itself, its ancestor, a descendant, else the first', () => {
    const trace = seedTrace(true);
    assert.equal(skipForSelection(trace, null), 0);
    assert.equal(skipForSelection(trace, 0), 0);
    assert.equal(skipForSelection(trace, 4), 0);
    assert.equal(skipForSelection({ ...trace, skips: [] }, 0), -1);
  });
});

// ---------------------------------------------------------------- gradient data and scales

describe('webview gradient data', () => {
  it('knows when a trace has numbers', () => {
    assert.equal(hasNumericData(seedTrace(true)), false);
    assert.equal(hasNumericData(seedTrace(true, true)), true);
    assert.equal(hasNumericData(null), false);
  });

  it('lists leaf gradient norms in call order and overlays the no-skip run by layer name', () => {
    const trace = seedTrace(true, true);
    const noSkip = seedTrace(true, true);
    for (const m of noSkip.modules) if (m.grad) m.grad = { ...m.grad, outputNorm: m.grad.outputNorm / 100 };
    const flow = gradientFlow(trace, noSkip);
    assert.deepEqual(flow.map((r) => r.label), ['skip.0', 'skip.1', 'conv1', 'bn1', 'conv2', 'bn2']);
    assert.ok(flow.every((r) => r.norm !== null && r.noSkipNorm !== null && Math.abs(r.norm / r.noSkipNorm - 100) < 1e-9));
    const cmp = compareSkips(flow);
    assert.ok(cmp);
    assert.equal(cmp.layer, 'skip.0');
    assert.ok(Math.abs(cmp.ratio - 100) < 1e-9);
    assert.equal(compareSkips(gradientFlow(trace, null)), null);
  });

  it('extracts shares, f(x) − x statistics and the printed gradients', () => {
    const trace = seedTrace(true, true);
    assert.deepEqual(gradientShares(trace).map((r) => [r.label, r.kind, r.shortcut]), [['ResidualBlock', 'projection', 0.58]]);
    assert.deepEqual(residualRows(trace).map((r) => [r.label, r.stats.min]), [['ResidualBlock', -5.2]]);
    const seed = seedGradients(trace);
    assert.ok(seed);
    assert.equal(seed.input, null);
    assert.equal(formatTorchTensor(seed.output!), 'tensor([3.1140e-07, 3.1140e-07, 3.1140e-07, 3.1140e-07, 3.1140e-07])');
    (trace.modules[0].grad as { inputFirst?: number[] }).inputFirst = [1e-8, 2e-8];
    assert.deepEqual(seedGradients(trace)!.input, [1e-8, 2e-8]);
  });

  it('builds log and linear scales with readable ticks', () => {
    const x = logScale([3e-9, 0.012], [0, 100]);
    assert.deepEqual(x.domain, [1e-9, 0.1]);
    assert.equal(x(1e-9), 0);
    assert.equal(x(0.1), 100);
    assert.equal(x(0), 0);
    assert.ok(x.ticks.length <= 7);
    assert.deepEqual(x.ticks.map(decadeLabel).slice(-3), ['1e-5', '1e-3', '0.1']);
    const y = linearScale(-4.87, 5.12, [0, 200], 4);
    assert.ok(y.domain[0] < -4.87 && y.domain[1] > 5.12);
    assert.deepEqual(y.ticks, [-5, 0, 5]);
  });
});
