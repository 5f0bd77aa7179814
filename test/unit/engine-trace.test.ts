// What the trace records beyond the PyTorch references: skip kinds and labels, unused modules, per-line shapes,
// ops outside leaf layers, construction sites, diagnostic codes for shape/skip/memory errors, entry runs.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { traceSource } from '../../src/core/engine';
import type { TraceResult } from '../../src/core/trace/types';
import { createFileResolver } from '../../src/host/fileResolver';
import { assertSlimSpans } from './slimSpans';

const FILE = '/virtual/model.py';

function trace(body: string, entry?: { expr: string; inputs: number[][] }): TraceResult {
  const text = `import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n${body}`;
  return traceSource({ file: FILE, text, entry, limits: { timeMs: 30_000 } });
}

/** 1-based line of the first line containing `needle` in the traced text (after the 3 import lines). */
function lineOf(body: string, needle: string): number {
  return body.split('\n').findIndex((l) => l.includes(needle)) + 4;
}

const BLOCK = `
def conv3x3(cin, cout, stride=1):
    return nn.Conv2d(cin, cout, kernel_size=3, stride=stride, padding=1, bias=False)

class Block(nn.Module):
    def __init__(self, cin, cout, stride=1):
        super().__init__()
        self.conv1 = conv3x3(cin, cout, stride)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = conv3x3(cout, cout)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Sequential()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride=stride, bias=False), nn.BatchNorm2d(cout))
        self.spare = nn.Linear(3, 3)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out = out + self.shortcut(x)
        return F.relu(out)
`;

describe('engine trace: module calls and skips', () => {
  const body = `${BLOCK}
net = nn.Sequential(Block(16, 16), Block(16, 32, stride=2))
y = net(torch.randn(2, 16, 8, 8))
print(y.shape)
`;
  let t: TraceResult;
  before(() => {
    t = trace(body);
  });

  it('runs without error and prints shapes', () => {
    assert.equal(t.error, null);
    assert.equal(t.stdout, 'torch.Size([2, 32, 4, 4])\n');
  });

  it('names calls like named_modules() and summarises constructor args like repr()', () => {
    const names = t.modules.map((m) => m.name);
    assert.deepEqual(names.slice(0, 4), ['', '0', '0.conv1', '0.bn1']);
    const conv = t.modules.find((m) => m.name === '1.conv1');
    assert.ok(conv);
    assert.equal(conv.args, '16, 32, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), bias=False');
    assert.deepEqual(conv.inputShapes, [[2, 16, 8, 8]]);
    assert.deepEqual(conv.outputShapes, [[2, 32, 4, 4]]);
    assert.equal(conv.macs, 2 * 32 * 4 * 4 * 16 * 9);
    assert.equal(conv.outputBytes, 2 * 32 * 4 * 4 * 4);
  });

  it('shows a helper-built layer at the __init__ line that assigned it', () => {
    const conv = t.modules.find((m) => m.name === '0.conv1');
    assert.equal(conv?.definedAt?.line, lineOf(body, 'self.conv1 = conv3x3'));
    assert.equal(conv?.classDefinedAt, undefined);
    const block = t.modules.find((m) => m.name === '0');
    assert.equal(block?.classDefinedAt?.line, lineOf(body, 'class Block'));
    assert.equal(block?.callSite.line, lineOf(body, 'y = net('));
  });

  it('labels identity and projection shortcuts', () => {
    assert.equal(t.skips.length, 2);
    const [a, b] = t.skips;
    assert.equal(t.modules[a.module].name, '0');
    assert.equal(a.kind, 'identity');
    assert.equal(a.label, 'identity');
    assert.equal(b.kind, 'projection');
    assert.equal(b.label, 'proj 1×1/2');
    assert.deepEqual(b.shortcut, ['Conv2d 1×1 stride 2, 16→32', 'BatchNorm2d(32)']);
    assert.equal(b.site.line, lineOf(body, 'out = out + self.shortcut(x)'));
    assert.deepEqual(b.shortcutModules.map((id) => t.modules[id].name), ['1.shortcut']);
    assert.ok(b.mainModules.map((id) => t.modules[id].name).includes('1.bn2'));
  });

  it('reports modules that were built but never called', () => {
    assert.deepEqual(
      t.unused.map((u) => [u.name, u.className]),
      [
        ['0.spare', 'Linear'],
        ['1.spare', 'Linear'],
      ],
    );
    assert.equal(t.unused[0].definedAt?.line, lineOf(body, 'self.spare = nn.Linear'));
  });

  it('records ops outside leaf layers, with MACs for the residual add', () => {
    const adds = t.ops.filter((o) => o.op === 'add');
    assert.equal(adds.length, 2);
    assert.equal(adds[1].macs, 2 * 32 * 4 * 4);
    assert.ok(t.ops.every((o) => !o.op.startsWith('F.conv')), 'convolutions inside Conv2d are the layer, not ops');
    assert.ok(t.ops.some((o) => o.op === 'F.relu' && o.module !== null && t.modules[o.module].name === '0'));
  });

  it('totals parameters once per distinct module', () => {
    const expected = (16 * 16 * 9 * 2 + 16 * 4 + 12) + (16 * 32 * 9 + 32 * 32 * 9 + 32 * 4 + 16 * 32 + 64 + 12);
    assert.equal(t.totals.params, expected);
    assert.equal(t.modules[0].totalParams, expected);
  });

  it('keeps the shapes each statement produced', () => {
    const l = t.lines.find((x) => x.target === 'out' && x.site.line === lineOf(body, 'out = out + self.shortcut(x)'));
    assert.ok(l);
    assert.equal(l.hits, 2);
    assert.deepEqual(l.shapes, [[[2, 16, 8, 8]], [[2, 32, 4, 4]]]);
  });
});

describe('engine trace: skips through user code', () => {
  it('an option-A shortcut (slice + pad) is a projection described by its ops', () => {
    const body = `
class Lambda(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn
    def forward(self, x):
        return self.fn(x)

class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(16, 32, 3, stride=2, padding=1)
        self.short = Lambda(lambda x: F.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, 8, 8)))
    def forward(self, x):
        return self.conv(x) + self.short(x)

Block()(torch.randn(1, 16, 8, 8))
`;
    const t = trace(body);
    assert.equal(t.error, null);
    assert.equal(t.skips.length, 1);
    assert.equal(t.skips[0].kind, 'projection');
    assert.deepEqual(t.skips[0].shortcut, ['slice ::2 + pad']);
  });

  it('x + self.mlp(x) is an identity skip; two equal branches are not a skip', () => {
    const body = `
class M(nn.Module):
    def __init__(self):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(8, 8), nn.GELU(), nn.Linear(8, 8))
        self.a = nn.Linear(8, 8)
        self.b = nn.Linear(8, 8)
    def forward(self, x):
        x = x + self.mlp(x)
        return self.a(x) + self.b(x)

M()(torch.randn(2, 8))
`;
    const t = trace(body);
    assert.equal(t.skips.length, 1);
    assert.equal(t.skips[0].kind, 'identity');
    assert.equal(t.skips[0].site.line, lineOf(body, 'x = x + self.mlp(x)'));
  });
});

describe('engine trace: errors', () => {
  it('a stride-2 block without projection fails at the add with skip-shape-mismatch', () => {
    const body = `
class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(8, 8, 3, stride=2, padding=1)
    def forward(self, x):
        out = self.conv(x)
        out += x
        return out

Block()(torch.randn(1, 8, 56, 56))
`;
    const t = trace(body);
    assert.ok(t.error);
    assert.equal(t.error.code, 'skip-shape-mismatch');
    assert.equal(t.error.exceptionType, 'RuntimeError');
    assert.equal(t.error.message, 'The size of tensor a (28) must match the size of tensor b (56) at non-singleton dimension 3');
    assert.equal(t.error.location.line, lineOf(body, 'out += x'));
    assert.deepEqual(t.error.operandShapes, [
      [1, 8, 28, 28],
      [1, 8, 56, 56],
    ]);
    assert.ok(t.diagnostics.includes(t.error));
    assert.equal(t.skips.length, 1, 'the failing residual add is still shown as a skip');
  });

  it('a channel mismatch is a shape-error at the layer call in the file', () => {
    const body = `
conv = nn.Conv2d(64, 128, 3)
conv(torch.randn(32, 32, 56, 56))
`;
    const t = trace(body);
    assert.equal(t.error?.code, 'shape-error');
    assert.equal(
      t.error?.message,
      'Given groups=1, weight of size [128, 64, 3, 3], expected input[32, 32, 56, 56] to have 64 channels, but got 32 channels instead',
    );
    assert.equal(t.error?.location.line, lineOf(body, 'conv(torch.randn'));
    assert.equal(t.modules.length, 1);
    assert.deepEqual(t.modules[0].outputShapes, []);
  });

  it('a huge tensor ends the run at once with the allocator message', () => {
    const body = `\nx = torch.randn(10**9, 10**9)\n`;
    const t0 = Date.now();
    const t = trace(body);
    assert.ok(Date.now() - t0 < 5000);
    assert.equal(t.error?.code, 'memory-limit');
    assert.equal(t.error?.exceptionType, 'RuntimeError');
    assert.match(t.error?.message ?? '', /DefaultCPUAllocator: can't allocate memory: you tried to allocate 4000000000000000000 bytes/);
    assert.equal(t.error?.location.line, lineOf(body, 'torch.randn(10**9'));
  });

  it('the memory cap is configurable', () => {
    const text = 'import torch\nx = torch.zeros(1024, 1024)\n';
    assert.equal(traceSource({ file: FILE, text, limits: { maxTensorBytes: 1024 } }).error?.code, 'memory-limit');
    assert.equal(traceSource({ file: FILE, text }).error, null);
  });
});

describe('engine trace: entries', () => {
  const body = `
class Net(nn.Module):
    def __init__(self, width=4):
        super().__init__()
        self.fc = nn.Linear(16, width)
        self.drop = nn.Dropout(0.5)
    def forward(self, x):
        return self.drop(self.fc(x.flatten(1)))

print("top level runs unrecorded")
if __name__ == "__main__":
    print("main guard")
    Net()(torch.randn(1, 16))
`;

  it('runs the entry on random inputs without the __main__ block', () => {
    const t = trace(body, { expr: 'Net(width=8)', inputs: [[3, 4, 4]] });
    assert.equal(t.error, null);
    assert.equal(t.stdout, '');
    assert.deepEqual(t.outputShape, [3, 8]);
    assert.equal(t.modules[0].name, '');
    assert.equal(t.modules[0].className, 'Net');
    assert.equal(t.modules[0].callSite.line, lineOf(body, 'class Net'));
    assert.equal(t.totals.params, 16 * 8 + 8);
    assert.deepEqual(
      t.modules.map((m) => m.name),
      ['', 'fc', 'drop'],
    );
  });

  it('an entry that raises gives the error at its line in the file', () => {
    const t = trace(body, { expr: 'Net()', inputs: [[3, 5]] });
    assert.equal(t.error?.code, 'shape-error');
    assert.equal(t.error?.message, 'mat1 and mat2 shapes cannot be multiplied (3x5 and 16x4)');
    assert.equal(t.error?.location.line, lineOf(body, 'return self.drop(self.fc('));
  });

  it('without an entry the script runs as __main__', () => {
    const t = trace(body);
    assert.equal(t.stdout, 'top level runs unrecorded\nmain guard\n');
    assert.equal(t.modules.length, 3);
  });
});

describe('engine trace: values and autograd in symbolic mode', () => {
  it('prints placeholders, keeps item() unknown and gives leaves a grad after backward()', () => {
    const body = `
x = torch.randn(4, 3, requires_grad=True)
y = (x * 2).relu()
y.retain_grad()
loss = y.mean()
print(loss.item())
loss.backward()
print(x.grad.shape, y.grad.shape, y.grad_fn.name())
print(y[:2])
with torch.no_grad():
    z = x * 2
print(z.requires_grad, torch.is_grad_enabled())
`;
    const t = trace(body);
    assert.equal(t.error, null);
    assert.equal(
      t.stdout,
      '<unknown tensor.item() (value known after a numeric trace)>\n' +
        'torch.Size([4, 3]) torch.Size([4, 3]) ReluBackward0\n' +
        'tensor(<shape [2, 3]>, grad_fn=<SliceBackward0>)\n' +
        'False True\n',
    );
  });

  it('backward() twice without retain_graph fails like PyTorch', () => {
    const t = trace(`
x = torch.randn(3, requires_grad=True)
loss = (x * 2).sum()
loss.backward()
loss.backward()
`);
    assert.equal(t.error?.exceptionType, 'RuntimeError');
    assert.match(t.error?.message ?? '', /^Trying to backward through the graph a second time/);
  });

  it('forward hooks see and may replace the output', () => {
    const t = trace(`
lin = nn.Linear(4, 2)
seen = []
h = lin.register_forward_hook(lambda m, inp, out: seen.append(tuple(out.shape)))
pre = lin.register_forward_pre_hook(lambda m, inp: (inp[0] * 2,))
lin(torch.randn(5, 4))
h.remove()
lin(torch.randn(6, 4))
print(seen)
`);
    assert.equal(t.error, null);
    assert.equal(t.stdout, '[(5, 2)]\n');
    assert.equal(t.modules.length, 2);
    assert.equal(t.modules[0].callCount, 2);
  });
});

describe('engine trace: PyTorch names the engine does not model', () => {
  it('calling one reports Information and yields an unknown value; a misspelt name is an AttributeError', () => {
    const body = `
x = torch.randn(3, 4)
y = torch.histc(x)
z = x.cummax(0)
print(type(y).__name__ == type(z).__name__, hasattr(torch, "histc"), hasattr(torch, "histcc"))
w = F.conv2d(y, torch.randn(1, 1, 1, 1))
`;
    const t = trace(body);
    assert.equal(t.stdout, 'True True False\n');
    const infos = t.diagnostics.filter((d) => d.code === 'unsupported').map((d) => d.message);
    assert.deepEqual(infos, [
      'torch.histc is not supported by Tensor Trace yet; its result is treated as an unknown value.',
      'Tensor.cummax is not supported by Tensor Trace yet; its result is treated as an unknown value.',
    ]);
    assert.equal(t.error?.exceptionType, 'TypeError');
    assert.equal(
      t.error?.message,
      "conv2d(): argument 'input' (position 1) must be Tensor, not an unknown value (torch.histc(), which Tensor Trace does not model)",
    );
  });
});

describe('engine trace: entry after a failing top level', () => {
  it('keeps the load error as a warning and still traces the entry', () => {
    const body = `
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)
    def forward(self, x):
        return self.fc(x)

Net()(torch.randn(3, 5))
`;
    const t = trace(body, { expr: 'Net()', inputs: [[3, 4]] });
    assert.equal(t.error, null);
    assert.deepEqual(t.outputShape, [3, 2]);
    const w = t.diagnostics.find((d) => d.severity === 'warning');
    assert.equal(w?.message, 'mat1 and mat2 shapes cannot be multiplied (3x5 and 4x2)');
    assert.equal(w?.location.line, lineOf(body, 'return self.fc(x)'));
  });
});

describe('engine trace: locations', () => {
  it('carries spans as plain { start, end } in every fixture, error included (no AST nodes reach the host)', () => {
    const dir = join(__dirname, '..', 'fixtures');
    let spans = 0;
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.py'))) {
      const file = join(dir, f);
      spans += assertSlimSpans(traceSource({ file, text: readFileSync(file, 'utf8'), resolver: createFileResolver([dir]) }), f);
    }
    assert.ok(spans > 500, `${spans} spans checked`);
  });
});
