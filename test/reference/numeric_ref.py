"""PyTorch reference data for Tensor Trace's numeric mode (values and gradients of whole models and of single ops).

    /usr/bin/python3 test/reference/numeric_ref.py [--out test/.cache/numeric-ref] [--only ID]

Model cases (index.json "models"): each builds a model from a fixture file (or the seed,
../shared/seed/residual_block.py beside the repository) with torch.manual_seed(0), draws its inputs, runs forward, loss = first_output.mean(), backward, and exports as raw little-endian float32 .bin files:
the state_dict before the run ("state.<key>"), the inputs ("input.<i>"), the output, the loss, the input
gradients ("grad.input.<i>"), every parameter gradient ("grad.param.<name>") and the state_dict after the run
("after.<key>", the running statistics BatchNorm moved in train mode). The weights and inputs are float32; the
references are computed in float64 from those values, so a comparison measures the TypeScript side's float32
error only. test/unit/numeric-parity.test.ts loads the weights into its own modules and compares.

Op cases (index.json "ops"): small Python programs built here, run by real PyTorch with their stdout recorded;
test/unit/numeric-ops.test.ts runs the same program text in Tensor Trace and compares the printed numbers.

The tests run this script themselves when the cache is missing or was produced by another version of it.
"""
import argparse
import contextlib
import hashlib
import importlib.util
import io
import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FIX = os.path.join(ROOT, "test", "fixtures")
# The product's seed: ../shared/seed beside the repository (as CI lays it out), or $TT_SEED_DIR.
SEED_DIR = os.environ.get("TT_SEED_DIR") or os.path.join(os.path.dirname(ROOT), "shared", "seed")
SEED = os.path.join(SEED_DIR, "residual_block.py")


def script_hash():
    """A hash of this script and of the seed it reads (test/unit/numericRefCache.ts computes the same)."""
    h = hashlib.sha256()
    for path in (os.path.abspath(__file__), SEED):
        with open(path, "rb") as f:
            h.update(f.read())
    return h.hexdigest()[:16]


# ---------------------------------------------------------------- model cases

# id, file (relative to the repo), entry expression, input shapes, train mode
MODEL_CASES = [
    ("seed-b4", os.path.relpath(SEED, ROOT), "ResidualBlock(64, 128, stride=2)", [[4, 64, 56, 56]], True),
    ("bottleneck-identity", "test/fixtures/bottleneck.py", "Bottleneck(64, 16)", [[2, 64, 16, 16]], True),
    (
        "bottleneck-projection-eval",
        "test/fixtures/bottleneck.py",
        "Bottleneck(64, 32, stride=2, downsample=nn.Sequential(nn.Conv2d(64, 128, kernel_size=1, stride=2, bias=False), nn.BatchNorm2d(128)))",
        [[2, 64, 16, 16]],
        False,
    ),
    ("grouped-train", "test/fixtures/grouped.py", "Block(64)", [[2, 64, 8, 8]], True),
    ("grouped-down-eval", "test/fixtures/grouped.py", "Block(256, cardinality=32, bottleneck_width=8, stride=2)", [[2, 256, 8, 8]], False),
    ("cifar-resnet-linear-head", "test/fixtures/cifar_resnet.py", "ResNet(BasicBlock, [1, 1, 1, 1])", [[2, 3, 32, 32]], True),
    ("preact-projection", "test/fixtures/preact.py", "PreActBlock(64, 128, stride=2)", [[2, 64, 16, 16]], True),
    ("preact-bottleneck", "test/fixtures/preact.py", "PreActBottleneck(64, 32)", [[2, 64, 8, 8]], True),
    ("se-block", "test/fixtures/se_block.py", "SEBasicBlock(64, 64)", [[2, 64, 16, 16]], True),
    ("conv1d-eval", "test/fixtures/conv1d.py", "ECGResNet()", [[2, 12, 256]], False),
    ("prenorm-mlp-eval", "test/fixtures/prenorm_mlp.py", "TokenMLP(dim=32, depth=2)", [[2, 8, 32]], False),
    ("option-a", "test/fixtures/option_a.py", "BasicBlock(16, 32, stride=2, option='A')", [[2, 16, 16, 16]], True),
    ("attention-block", "test/fixtures/misc_ops.py", "AttentionBlock(32)", [[2, 16, 32]], True),
    ("unet-up-block", "test/fixtures/misc_ops.py", "UpBlock(16, 8, 8)", [[2, 16, 4, 4], [2, 8, 8, 8]], True),
    ("multi-scale-pool", "test/fixtures/misc_ops.py", "MultiScalePool()", [[2, 4, 8, 8]], True),
    ("multi-file-tiny-resnet", "test/fixtures/multi_file/model.py", "TinyResNet(widths=(16, 32, 64), num_classes=10)", [[2, 3, 32, 32]], True),
]


def load_module(path):
    """Runs a file as a module named after its stem (its folder on sys.path), its prints discarded."""
    stem = os.path.splitext(os.path.basename(path))[0]
    folder = os.path.dirname(path)
    sys.path.insert(0, folder)
    try:
        spec = importlib.util.spec_from_file_location("numeric_ref_" + stem, path)
        mod = importlib.util.module_from_spec(spec)
        with contextlib.redirect_stdout(io.StringIO()):
            spec.loader.exec_module(mod)
        return mod
    finally:
        sys.path.remove(folder)


class Writer:
    def __init__(self, out):
        self.out = out
        os.makedirs(out, exist_ok=True)

    def arr(self, case, name, t):
        t = t.detach().to(torch.float32).contiguous()
        fname = f"{case}.{name}.bin"
        with open(os.path.join(self.out, fname), "wb") as f:
            f.write(t.numpy().astype("<f4").tobytes())
        return {"file": fname, "shape": list(t.shape)}


def first_tensor(out):
    if isinstance(out, torch.Tensor):
        return out
    if isinstance(out, (tuple, list)):
        return first_tensor(out[0])
    if isinstance(out, dict):
        return first_tensor(next(iter(out.values())))
    raise TypeError("model returned no tensor")


def model_case(w, cid, rel, expr, shapes, train):
    mod = load_module(os.path.join(ROOT, rel))
    torch.manual_seed(0)
    model = eval(expr, vars(mod))
    inputs = [torch.randn(*s) for s in shapes]
    arrays = {}
    before = {k: v.detach().clone() for k, v in model.state_dict().items()}
    for k, v in before.items():
        arrays["state." + k] = w.arr(cid, "state." + k, v)
    for i, x in enumerate(inputs):
        arrays[f"input.{i}"] = w.arr(cid, f"input.{i}", x)
    # float64 from the float32 values
    model = model.double()
    model.train(train)
    xs = [x.double().requires_grad_(True) for x in inputs]
    with contextlib.redirect_stdout(io.StringIO()):
        out = first_tensor(model(*xs))
    loss = out.mean()
    loss.backward()
    arrays["output"] = w.arr(cid, "output", out)
    arrays["loss"] = w.arr(cid, "loss", loss.reshape(1))
    for i, x in enumerate(xs):
        arrays[f"grad.input.{i}"] = w.arr(cid, f"grad.input.{i}", x.grad)
    params = []
    for name, p in model.named_parameters():
        params.append(name)
        if p.grad is not None:
            arrays["grad.param." + name] = w.arr(cid, "grad.param." + name, p.grad)
    for k, v in model.state_dict().items():
        arrays["after." + k] = w.arr(cid, "after." + k, v)
    return {
        "id": cid,
        "file": rel,
        "expr": expr,
        "inputs": shapes,
        "train": train,
        "loss": "mean",
        "params": params,
        "state": list(before.keys()),
        "arrays": arrays,
    }


# ---------------------------------------------------------------- op cases

HARNESS_PRE = """import torch
import torch.nn as nn
import torch.nn.functional as F

def data(*shape, scale=2.0, phase=0.0):
    n = 1
    for d in shape:
        n *= d
    return ((torch.arange(n, dtype=torch.float32) * 0.7853 + phase).sin() * scale).reshape(tuple(shape))

def leaf(*shape, scale=2.0, phase=0.0):
    return data(*shape, scale=scale, phase=phase).requires_grad_()

def show(name, t):
    t = t.detach().float().reshape(-1)
    print(name, t.tolist())
"""

HARNESS_POST = """
outs = out if isinstance(out, (tuple, list)) else [out]
total = None
for i, o in enumerate(outs):
    show("out%d" % i, o)
    if o.is_floating_point() and o.requires_grad:
        term = (o * data(*o.shape, scale=1.0, phase=0.3)).sum()
        total = term if total is None else total + term
if total is not None:
    total.backward()
for name, t in list(globals().items()):
    if isinstance(t, torch.Tensor) and t.is_leaf and t.requires_grad and t.grad is not None:
        show("grad_" + name, t.grad)
"""

# id -> body that defines leaves and assigns `out`
OP_CASES = {
    "add-broadcast": "a = leaf(2, 3, 4)\nb = leaf(3, 1, phase=1.0)\nout = a + b * 2 - 1",
    "sub-mul-div": "a = leaf(3, 4)\nb = leaf(4, phase=0.5)\nout = (a - b) * a / (b.abs() + 1)",
    "rsub-rdiv-pow": "a = leaf(5)\nout = (1 - a) + 2 / (a.abs() + 1) + (a.abs() + 0.5) ** 1.5 + 2 ** a",
    "pow-tensor": "a = leaf(6, scale=1.0)\nb = leaf(6, phase=2.0)\nout = (a.abs() + 0.5).pow(b)",
    "unary-math": "a = leaf(8)\nout = torch.stack([a.exp(), (a.abs() + 1).log(), (a.abs() + 1).sqrt(), a.sin(), a.cos(), a.tanh(), a.sigmoid(), a.erf(), a.abs(), -a, (a.abs() + 1).rsqrt(), a.square(), (a.abs() + 1).reciprocal(), (a.abs()).log1p(), a.expm1()])",
    "relu-family": "a = leaf(10)\nout = torch.stack([F.relu(a), F.relu6(a * 4), F.leaky_relu(a, 0.1), F.elu(a), F.selu(a), F.celu(a, 0.5), F.gelu(a), F.gelu(a, approximate='tanh'), F.silu(a), F.softplus(a, beta=2), F.hardswish(a * 2), F.hardsigmoid(a * 2), F.mish(a), F.logsigmoid(a), F.softsign(a), F.tanhshrink(a), F.hardtanh(a, -0.5, 0.5)])",
    "clamp-where-mask": "a = leaf(3, 4)\nb = leaf(3, 4, phase=1.3)\nout = torch.cat([a.clamp(-0.5, 0.7), a.clamp(min=0.1), torch.where(a > b, a, b * 2), a.masked_fill(a > 1, 0.5)])",
    "maximum-minimum": "a = leaf(7)\nb = leaf(7, phase=0.9)\nout = torch.stack([torch.maximum(a, b), torch.minimum(a, b), torch.max(a, b)])",
    "softmax": "a = leaf(2, 3, 5)\nout = torch.cat([a.softmax(-1), F.log_softmax(a, dim=1), F.softmin(a, dim=0)], 1)",
    "matmul": "a = leaf(2, 3, 4)\nb = leaf(4, 5, phase=0.2)\nc = leaf(5, phase=0.4)\nv = leaf(4, phase=0.1)\nout = [a @ b, torch.matmul(a @ b, c), torch.mm(a[0], b), torch.bmm(a, b.expand(2, 4, 5)), v @ b, torch.outer(c, v)]",
    "addmm-baddbmm-einsum": "i = leaf(3, 5)\nm1 = leaf(3, 4, phase=0.5)\nm2 = leaf(4, 5, phase=0.8)\nout = [torch.addmm(i, m1, m2, beta=0.5, alpha=2), torch.einsum('ij,jk->ik', m1, m2), torch.einsum('bi,bi->b', m1, m1), torch.lerp(m1, m1 * 2, 0.3)]",
    "reductions": "a = leaf(3, 4, 5)\nout = [a.sum(), a.mean(1), a.sum((0, 2), keepdim=True), a.prod(2), a.amax(1), a.amin((0, 1)), a.std(2), a.var(0, unbiased=False), a.norm(), a.norm(dim=1), torch.logsumexp(a, 2), a.cumsum(1), a.max(), a.min()]",
    "max-dim-sort-topk": "a = leaf(4, 6)\nv, i = a.max(dim=1)\ns, si = a.sort(dim=1, descending=True)\nt, ti = a.topk(3, dim=0)\nm, mi = a.median(dim=1)\nk, ki = a.kthvalue(2, dim=1)\nout = [v, i.float(), s, si.float(), t, ti.float(), m, mi.float(), k, ki.float(), a.argmax(1).float(), a.argsort(0).float()]",
    "views": "a = leaf(2, 3, 4)\nb = a.view(6, 4).t().reshape(-1, 2).permute(1, 0)\nout = [b, a.transpose(0, 2).contiguous().flatten(1), a.unsqueeze(1).squeeze(), a.expand(3, 2, 3, 4).sum(0), a.movedim(0, 2), a[None, :, 1]]",
    "split-chunk-cat-stack": "a = leaf(4, 6)\nx, y = a.chunk(2, dim=1)\np, q, r = a.split([1, 2, 3], dim=1)\nu = a.unbind(0)\nout = [torch.cat([y, x], 1), torch.stack([p.squeeze(1), r.sum(1)], 1), u[2] * 3, a.narrow(1, 2, 3), q]",
    "repeat-flip-roll-tri": "a = leaf(3, 4)\nout = [a.repeat(2, 1, 2), a.tile((2,)), a.flip(0, 1), a.roll(2, 1), a.roll(1), a.tril(), a.triu(1)]",
    "indexing": "a = leaf(4, 5, 6)\nidx = torch.tensor([3, 0, 3])\nmask = a[:, 0, 0] > 0\nout = [a[1], a[:, 1:4:2], a[..., -1], a[idx], a[:, idx, 2], a[mask], a[[0, 2], [1, 3]], a[:, None, 2, ::3]]",
    "setitem": "a = leaf(3, 4)\nb = a * 1\nb[0] = 5\nb[:, 1] = a[:, 2] * 3\nb[b > 4] = 0\nout = b",
    "gather-index-select": "a = leaf(3, 5)\ni = torch.tensor([[0, 4], [2, 2], [1, 0]])\nout = [a.gather(1, i), a.index_select(1, torch.tensor([4, 0, 0])), torch.index_select(a, 0, torch.tensor([2]))]",
    "inplace-ops": "a = leaf(3, 4)\nb = a * 2\nb += 1\nb.mul_(a)\nb.sub_(a, alpha=0.5)\nb.relu_()\nc = a.clone()\nc.clamp_(-1, 1)\nout = [b, c]",
    "inplace-error": "a = leaf(3, 4)\nb = (a * 2).relu()\nb += 1\ntry:\n    b.sum().backward()\nexcept RuntimeError as e:\n    print('error', str(e))\nc = torch.sigmoid(a)\nc.mul_(2)\ntry:\n    c.sum().backward()\nexcept RuntimeError as e:\n    print('error', str(e))\nw = leaf(2, 2)\ny = (w @ w).sum()\nwith torch.no_grad():\n    w.add_(1)\ntry:\n    y.backward()\nexcept RuntimeError as e:\n    print('error', str(e))\nz = (a * 3).sum()\nz.backward()\ntry:\n    z.backward()\nexcept RuntimeError as e:\n    print('error second', str(e)[:60])\nq = (a.exp() * 2).sum()\nq.backward(retain_graph=True)\nq.backward()\nprint('retain ok')\nout = a * 1",
    "conv2d-variants": "x = leaf(2, 4, 7, 7)\nw = leaf(6, 2, 3, 3, scale=0.3)\nb = leaf(6, phase=0.3)\nw2 = leaf(4, 4, 1, 1, scale=0.5, phase=0.1)\nout = [F.conv2d(x, w, b, stride=2, padding=1, groups=2), F.conv2d(x, w2), F.conv2d(x, w[:, :, :2, :], None, padding=(1, 0), dilation=(2, 1), groups=2), F.conv2d(x, w2, padding='same')]",
    "conv1d-transpose": "x = leaf(2, 3, 9)\nw = leaf(4, 3, 3, scale=0.4)\nwt = leaf(4, 2, 3, 3, scale=0.4, phase=0.2)\ny = leaf(1, 4, 3, 3, phase=0.6)\nbt = leaf(2, phase=1.0)\nout = [F.conv1d(x, w, stride=2, padding=1), F.conv_transpose2d(y, wt, bt, stride=2, padding=1, output_padding=1), F.conv_transpose1d(x[:, :, :4], w.transpose(0, 1).contiguous(), stride=2)]",
    "linear-bilinear": "x = leaf(3, 5)\nw = leaf(4, 5, scale=0.5)\nb = leaf(4, phase=0.2)\nx2 = leaf(3, 2, phase=0.7)\nwb = leaf(4, 5, 2, scale=0.3)\nout = [F.linear(x, w, b), F.linear(x.reshape(3, 1, 5), w), F.bilinear(x, x2, wb, b)]",
    "batch-norm-modes": "x = leaf(4, 3, 5)\nw = leaf(3, phase=0.4)\nb = leaf(3, phase=0.9)\nrm = torch.zeros(3)\nrv = torch.ones(3)\ny1 = F.batch_norm(x, rm, rv, w, b, training=True, momentum=0.2)\ny2 = F.batch_norm(x * 2, rm, rv, w, b, training=False)\nout = [y1, y2, rm, rv, F.batch_norm(x, None, None, training=True)]",
    "layer-group-instance-norm": "x = leaf(2, 4, 3, 3)\nw = leaf(4, phase=0.4)\nb = leaf(4, phase=0.9)\nlw = leaf(3, 3, phase=0.2)\nout = [F.layer_norm(x, (3, 3), lw, lw * 0.5), F.group_norm(x, 2, w, b), F.instance_norm(x, weight=w, bias=b), F.normalize(x, dim=1)]",
    "pooling": "x = leaf(2, 3, 7, 7)\nout = [F.max_pool2d(x, 2), F.max_pool2d(x, 3, stride=2, padding=1), F.max_pool2d(x, 2, ceil_mode=True), F.avg_pool2d(x, 3, stride=2, padding=1), F.avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False), F.avg_pool2d(x, 2, ceil_mode=True), F.adaptive_avg_pool2d(x, (3, 2)), F.adaptive_max_pool2d(x, 3), F.adaptive_avg_pool2d(x, 1), F.max_pool1d(x[:, :, 0], 2), F.avg_pool1d(x[:, :, 0], 3, stride=2)]",
    "max-pool-indices": "x = leaf(1, 2, 5, 5)\ny, i = F.max_pool2d(x, 2, stride=2, padding=1, return_indices=True)\nout = [y, i.float()]",
    "pad-interpolate": "x = leaf(1, 2, 4, 5)\nout = [F.pad(x, (1, 2, 0, 1)), F.pad(x, (2, 1, 1, 2), mode='reflect'), F.pad(x, (1, 1, 2, 0), mode='replicate'), F.pad(x, (1, 2, 1, 1), mode='circular'), F.pad(x, (-1, 1), value=3.0), F.interpolate(x, scale_factor=2, mode='nearest'), F.interpolate(x, size=(7, 3), mode='bilinear', align_corners=False), F.interpolate(x, size=(6, 8), mode='bilinear', align_corners=True), F.interpolate(x[:, :, 0], scale_factor=1.5, mode='linear'), F.pixel_shuffle(x.repeat(1, 2, 1, 1), 2)]",
    "losses": "x = leaf(4, 5)\nt = torch.tensor([1, 0, 4, 2])\np = data(4, 5, phase=0.5).softmax(1)\nu = leaf(4, 5, phase=0.1)\nz = (u * 0.5).sigmoid()\nout = [F.cross_entropy(x, t), F.cross_entropy(x, t, weight=torch.tensor([1., 2., 0.5, 1., 3.]), reduction='sum'), F.cross_entropy(x, t, label_smoothing=0.1), F.cross_entropy(x, p), F.nll_loss(F.log_softmax(x, 1), t, ignore_index=0), F.mse_loss(x, u), F.l1_loss(x, u, reduction='none'), F.smooth_l1_loss(x, u, beta=0.5), F.huber_loss(x, u, delta=0.7), F.binary_cross_entropy(z, p), F.binary_cross_entropy_with_logits(x, p, pos_weight=torch.full((5,), 2.0)), F.kl_div(F.log_softmax(x, 1), p, reduction='batchmean')]",
    "cross-entropy-spatial": "x = leaf(2, 3, 2, 2)\nt = torch.tensor([[[0, 2], [1, 1]], [[2, 0], [0, 1]]])\nout = [F.cross_entropy(x, t), F.cross_entropy(x, t, reduction='none')]",
    "embedding-misc": "w = leaf(6, 3)\nidx = torch.tensor([[1, 5, 1], [0, 2, 5]])\nx = leaf(3, 4)\ny = leaf(3, 4, phase=0.4)\nout = [F.embedding(idx, w, padding_idx=5), F.cosine_similarity(x, y), F.glu(x, -1), F.one_hot(idx, 6).float(), F.prelu(x, torch.tensor([0.25]))]",
    "creation-and-item": "a = torch.arange(6).reshape(2, 3)\nb = torch.linspace(-1, 1, 5)\nc = torch.zeros(2, 2) + torch.ones(2, 2) * 3 + torch.full((2, 2), 0.5) + torch.eye(2)\nd = torch.tensor([[1.5, -2.0], [0.25, 4.0]])\nprint(a.sum().item(), b.mean().item(), d.max().item(), (a > 2).sum().item(), d.tolist())\nout = [a.float(), b, c, d, a.float().mean(0)]",
    "autograd-grad-accumulate": "a = leaf(3)\nfor k in range(3):\n    (a * (k + 1)).sum().backward()\nprint('accumulated', a.grad.tolist())\na.grad = None\nout = a * a",
    "retain-grad-detach": "a = leaf(4)\nb = a * 3\nb.retain_grad()\nc = (b * b).sum() + a.detach().sum()\nc.backward()\nprint('retained', b.grad.tolist())\nwith torch.no_grad():\n    d = a * 2\nprint('no_grad', d.requires_grad, d.grad_fn)\nout = a.detach() + 1",
    "autograd-grad-fn": "x = leaf(3, 2)\ny = torch.autograd.grad((x * x).sum(), x)[0]\nprint('autograd.grad', y.tolist())\nout = x.sum(0)",
    "semantics-views-training": "torch.manual_seed(0)\nx = torch.zeros(2, 3)\ny = x.view(-1)\ny.add_(1)\nprint(x, x._version, y._version)\nx[0, 1] = 5\nprint(y)\nz = x.t()\nz[0] = 7\nprint(x)\nd = x.data\nd.fill_(2)\nprint(x, x._version)\nlin = nn.Linear(3, 2)\nnn.init.zeros_(lin.bias)\nlin.weight.data.fill_(0.5)\nprint(lin.weight, lin.bias)\ninp = torch.ones(4, 3)\nfor step in range(3):\n    loss = lin(inp).pow(2).mean()\n    loss.backward()\n    with torch.no_grad():\n        for p in lin.parameters():\n            p -= 0.1 * p.grad\n    lin.zero_grad()\n    print(step, round(loss.item(), 6), lin.bias.grad)\nw = torch.ones(3, requires_grad=True)\ntry:\n    w.add_(1)\nexcept RuntimeError as e:\n    print(\"leaf:\", e)\na = torch.randn(3, requires_grad=True)\nb = a.detach()\nb.zero_()\nprint(a.sum().item() == 0.0, a.requires_grad, b.requires_grad)\nc = torch.ones(2, 2, requires_grad=True)\ne = c * 2\nprint(e.is_leaf, c.is_leaf, e.grad_fn is not None)\nbn = nn.BatchNorm1d(3)\nbn(torch.arange(12.).reshape(4, 3))\nprint(bn.running_mean, bn.running_var, bn.num_batches_tracked)\nbn.eval()\nprint(bn(torch.ones(2, 3)))\nsd = lin.state_dict()\nlin2 = nn.Linear(3, 2)\nlin2.load_state_dict(sd)\nprint(torch.equal(lin2.weight, lin.weight), lin2.bias)\nprint(torch.tensor([1, 2, 3]) / 2, torch.tensor([7, -7]) // 2, torch.tensor([7, -7]) % 3)\nt = torch.arange(6.)\nprint(t[t > 2], (t > 2).sum(), t.mean(), t.std())\nprint(float(t.max()), int(t.argmax()), t.tolist())\nif t.sum() > 10:\n    print(\"branch taken on values\")\nout = x\n",
}


# Printing: exact values, so PyTorch's text must be reproduced character for character.
PRINT_CASES = {
    "print-basic": "print(torch.tensor([-1.1270, -1.0176, 0.5778, -0.3388, -1.6565]))\nprint(torch.tensor([3.6980e-09, -7.7582e-09, 8.1402e-08, -1.0858e-07, 2.1012e-07]))\nprint(torch.full((5,), 1 / 3211264))\nprint(torch.tensor([1., 2., 3.]))\nprint(torch.tensor([1., 2.5, 1000.]))\nprint(torch.tensor([1., 20000.]))\nprint(torch.tensor([0.5, 0.0001]))\nprint(torch.tensor([0.5, 0.00001]))\nprint(torch.tensor([1e9, 1.]))\nprint(torch.tensor([0.03125, 0.96875, -0.03125]))\nprint(torch.tensor(2.5))\nprint(torch.tensor(-0.0))\nprint(torch.tensor([0., 0.]))\nprint(torch.tensor([float('nan'), 1.5, float('inf'), -float('inf')]))\nprint(torch.tensor([float('nan'), 2.0]))",
    "print-dtypes": "print(torch.arange(12).reshape(3, 4))\nprint(torch.tensor([True, False, True]))\nprint(torch.tensor([1, -20, 300], dtype=torch.int32))\nprint(torch.tensor([1.5, 2.0], dtype=torch.float64))\nprint(torch.tensor([], dtype=torch.int64))\nprint(torch.zeros(0, 3))\nprint(torch.tensor([]))\nprint(torch.tensor(7))\nprint(torch.tensor([[True], [False]]))",
    "print-nested": "x = (torch.arange(24, dtype=torch.float32).reshape(2, 3, 4) - 11.5) / 16\nprint(x)\nprint(x.reshape(4, 6) * 100)\nprint(torch.arange(30, dtype=torch.float32).reshape(2, 1, 3, 5))\nprint(torch.arange(40, dtype=torch.float32) / 7)",
    "print-summarize": "print(torch.arange(2000, dtype=torch.float32) / 3)\nprint(torch.arange(3000).reshape(30, 100))\nprint((torch.arange(8 * 9 * 30, dtype=torch.float32).reshape(8, 9, 30) * 0.001).cos())",
    "print-autograd": "a = torch.tensor([1.5, -2.25], requires_grad=True)\nprint(a)\nb = a * 2\nprint(b)\nprint(b[0])\nprint(b.sum())\nprint(a.detach())\nw = torch.nn.Parameter(torch.tensor([[0.25, 0.5], [1.0, -3.0]]))\nprint(w)\nprint(repr(a * 1000000))\nprint(torch.tensor([123456.789, 0.5], requires_grad=True) * 1)\nprint(f'{b.sum():.3f} {b.sum().item():.2e}')\nprint(str(torch.tensor([1.25, 2.5]).mean()), float(torch.tensor(3.5)), int(torch.tensor(4.9)))",
    "print-wide": "print(torch.arange(1, 31, dtype=torch.float32) * 1.5)\nprint(torch.arange(0, 100, 7))\nprint(torch.arange(8, dtype=torch.float32).reshape(1, 8) * 123.4567, torch.tensor([1.0]))",
}


def op_programs():
    progs = {cid: HARNESS_PRE + "\n" + body + "\n" + HARNESS_POST for cid, body in OP_CASES.items()}
    progs.update({cid: "import torch\n" + body + "\n" for cid, body in PRINT_CASES.items()})
    return progs


def run_program(text):
    buf = io.StringIO()
    g = {"__name__": "__main__"}
    with contextlib.redirect_stdout(buf):
        exec(compile(text, "<op>", "exec"), g)
    return buf.getvalue()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "test", ".cache", "numeric-ref"))
    ap.add_argument("--only", action="append")
    args = ap.parse_args()
    if not os.path.isfile(SEED):
        sys.exit(f"numeric_ref.py: the seed {SEED} is missing; it lives in ../shared/seed beside the repository (or set TT_SEED_DIR)")
    torch.set_num_threads(1)
    w = Writer(args.out)
    models = []
    for cid, rel, expr, shapes, train in MODEL_CASES:
        if args.only and not any(o in cid for o in args.only):
            continue
        models.append(model_case(w, cid, rel, expr, shapes, train))
    ops = []
    for cid, text in op_programs().items():
        if args.only and not any(o in cid for o in args.only):
            continue
        ops.append({"id": cid, "program": text, "stdout": run_program(text)})
    index = {"version": script_hash(), "torch": torch.__version__, "models": models, "ops": ops}
    with open(os.path.join(args.out, "index.json"), "w") as f:
        json.dump(index, f, indent=1)
    print(f"wrote {len(models)} model cases and {len(ops)} op cases to {args.out}")


if __name__ == "__main__":
    main()
