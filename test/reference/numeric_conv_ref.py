"""PyTorch reference data for the numeric layer (src/core/numeric): conv2d / conv1d / conv_transpose2d
forward and gradients, batch_norm (train mode) forward/backward/running stats, and linear.

    /usr/bin/python3 test/reference/numeric_conv_ref.py [--out test/.cache/numeric]

Writes <out>/manifest.json and one raw little-endian float32 .bin per array. Inputs are random float32;
references are computed by PyTorch autograd in float64 from those float32 inputs (so the comparison
measures the TypeScript side's float32 error only) and stored as float32.
test/unit/numeric-conv.test.ts runs this script itself when the cache is missing or stale.
"""
import argparse
import hashlib
import json
import os
import sys

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def script_hash():
    with open(os.path.abspath(__file__), "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:16]


class Writer:
    def __init__(self, out):
        self.out = out
        self.cases = []
        os.makedirs(out, exist_ok=True)

    def arr(self, case, name, t):
        t = t.detach().to(torch.float32).contiguous()
        fname = f"{case}.{name}.bin"
        with open(os.path.join(self.out, fname), "wb") as f:
            f.write(t.numpy().astype("<f4").tobytes())
        return {"file": fname, "shape": list(t.shape)}

    def case(self, cid, kind, params, inputs, outputs):
        entry = {"id": cid, "kind": kind, "params": params, "inputs": {}, "outputs": {}}
        for k, v in inputs.items():
            entry["inputs"][k] = self.arr(cid, "in_" + k, v)
        for k, v in outputs.items():
            entry["outputs"][k] = self.arr(cid, "out_" + k, v)
        self.cases.append(entry)


def rnd(*shape):
    return torch.randn(*shape, dtype=torch.float32)


def grads(out_fn, dy, tensors):
    """Runs out_fn on float64 leaf copies, backprops dy, returns (out, [grads])."""
    leaves = [None if t is None else t.double().requires_grad_(True) for t in tensors]
    out = out_fn(*leaves)
    out.backward(dy.double())
    return out, [None if l is None else l.grad for l in leaves]


def weighted_case(w, cid, kind, params, f, x, wt, b):
    """Draws dy for f's output and records the inputs, the output and every gradient as one case."""
    y = f(x.double(), wt.double(), None if b is None else b.double())
    dy = rnd(*y.shape)
    y, (dx, dw, db) = grads(f, dy, [x, wt, b])
    ins = {"x": x, "w": wt, "dy": dy}
    outs = {"y": y, "dx": dx, "dw": dw}
    if b is not None:
        ins["b"] = b
        outs["db"] = db
    w.case(cid, kind, params, ins, outs)


def conv2d_case(w, cid, N, Cin, H, W, Cout, k, stride=1, padding=0, dilation=1, groups=1, bias=True, asym=None):
    kh, kw = (k, k) if isinstance(k, int) else k
    x = rnd(N, Cin, H, W)
    wt = rnd(Cout, Cin // groups, kh, kw) * (1.0 / (Cin // groups * kh * kw) ** 0.5)
    b = rnd(Cout) if bias else None

    def f(x_, w_, b_):
        if asym is not None:
            (t, bo), (l, r) = asym
            x_ = F.pad(x_, (l, r, t, bo))
            return F.conv2d(x_, w_, b_, stride, 0, dilation, groups)
        return F.conv2d(x_, w_, b_, stride, padding, dilation, groups)

    params = {"stride": stride, "padding": padding if asym is None else asym, "dilation": dilation, "groups": groups}
    weighted_case(w, cid, "conv2d", params, f, x, wt, b)


def conv1d_case(w, cid, N, Cin, L, Cout, k, stride=1, padding=0, dilation=1, groups=1, bias=True):
    x = rnd(N, Cin, L)
    wt = rnd(Cout, Cin // groups, k) * (1.0 / (Cin // groups * k) ** 0.5)
    b = rnd(Cout) if bias else None
    f = lambda x_, w_, b_: F.conv1d(x_, w_, b_, stride, padding, dilation, groups)
    weighted_case(w, cid, "conv1d", {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups}, f, x, wt, b)


def convt_case(w, cid, N, Cin, H, W, Cout, k, stride=1, padding=0, output_padding=0, dilation=1, groups=1, bias=True):
    x = rnd(N, Cin, H, W)
    wt = rnd(Cin, Cout // groups, k, k) * (1.0 / (Cin * k * k / stride) ** 0.5)
    b = rnd(Cout) if bias else None
    f = lambda x_, w_, b_: F.conv_transpose2d(x_, w_, b_, stride, padding, output_padding, groups, dilation)
    params = {"stride": stride, "padding": padding, "outputPadding": output_padding, "dilation": dilation, "groups": groups}
    weighted_case(w, cid, "conv_transpose2d", params, f, x, wt, b)


def bn_case(w, cid, N, C, H, W, momentum=0.1, eps=1e-5, training=True):
    x = rnd(N, C, H, W) * 2 + 0.5
    gamma = rnd(C) * 0.5 + 1
    beta = rnd(C)
    rm = rnd(C) * 0.1
    rv = torch.rand(C) + 0.5
    rm64, rv64 = rm.double().clone(), rv.double().clone()
    f = lambda x_, g_, b_: F.batch_norm(x_, rm64, rv64, g_, b_, training, momentum, eps)
    dy = rnd(N, C, H, W)
    y, (dx, dg, db) = grads(f, dy, [x, gamma, beta])
    w.case(
        cid,
        "batch_norm2d",
        {"momentum": momentum, "eps": eps, "training": training},
        {"x": x, "gamma": gamma, "beta": beta, "running_mean": rm, "running_var": rv, "dy": dy},
        {"y": y, "dx": dx, "dgamma": dg, "dbeta": db, "running_mean": rm64, "running_var": rv64},
    )


def linear_case(w, cid, shape_in, out_features, bias=True):
    x = rnd(*shape_in)
    wt = rnd(out_features, shape_in[-1]) * (1.0 / shape_in[-1] ** 0.5)
    b = rnd(out_features) if bias else None
    f = lambda x_, w_, b_: F.linear(x_, w_, b_)
    weighted_case(w, cid, "linear", {}, f, x, wt, b)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "test", ".cache", "numeric"))
    args = ap.parse_args()
    torch.manual_seed(1234)
    w = Writer(args.out)

    # conv2d
    conv2d_case(w, "c2d_k3_s1_p1_bias", 2, 8, 10, 10, 16, 3, 1, 1)
    conv2d_case(w, "c2d_k3_s2_p1_odd", 2, 8, 11, 9, 16, 3, 2, 1)
    conv2d_case(w, "c2d_k3_s2_p0_leftover", 2, 6, 12, 12, 8, 3, 2, 0, bias=False)
    conv2d_case(w, "c2d_same_k3", 2, 4, 9, 8, 6, 3, 1, "same")
    conv2d_case(w, "c2d_same_k4_dil2", 1, 4, 9, 10, 6, 4, 1, "same", 2)
    conv2d_case(w, "c2d_valid_k5", 2, 3, 9, 9, 4, 5, 1, "valid")
    conv2d_case(w, "c2d_dil2_p2", 2, 6, 12, 12, 8, 3, 1, 2, 2)
    conv2d_case(w, "c2d_s2_dil2", 2, 4, 13, 12, 6, 3, 2, 1, 2)
    conv2d_case(w, "c2d_s3_k5_p1", 2, 4, 14, 13, 5, 5, 3, 1)
    conv2d_case(w, "c2d_rect_k3x5_s2x1", 2, 4, 11, 10, 6, (3, 5), (2, 1), (1, 2))
    conv2d_case(w, "c2d_asym_pad", 2, 4, 8, 9, 6, 3, 1, asym=((1, 2), (0, 1)))
    conv2d_case(w, "c2d_asym_pad_s2", 2, 4, 9, 9, 6, 3, 2, asym=((2, 0), (1, 2)))
    conv2d_case(w, "c2d_1x1_s1", 2, 16, 7, 7, 8, 1, 1, 0)
    conv2d_case(w, "c2d_1x1_s2_proj", 2, 16, 8, 8, 32, 1, 2, 0, bias=False)
    conv2d_case(w, "c2d_1x1_p1", 2, 4, 5, 5, 6, 1, 1, 1)
    conv2d_case(w, "c2d_groups2", 2, 8, 9, 9, 12, 3, 1, 1, 1, 2)
    conv2d_case(w, "c2d_groups4_s2", 2, 16, 10, 10, 8, 3, 2, 1, 1, 4)
    conv2d_case(w, "c2d_groups32", 2, 64, 6, 6, 64, 3, 1, 1, 1, 32)
    conv2d_case(w, "c2d_groups8_mult", 2, 16, 7, 7, 24, 3, 2, 1, 1, 8)
    conv2d_case(w, "c2d_depthwise", 2, 16, 9, 9, 16, 3, 1, 1, 1, 16)
    conv2d_case(w, "c2d_depthwise_s2", 2, 8, 10, 11, 8, 3, 2, 1, 1, 8, bias=False)
    conv2d_case(w, "c2d_depthwise_mult2_dil2", 2, 6, 9, 9, 12, 3, 1, 2, 2, 6)
    conv2d_case(w, "c2d_seed_block_small", 2, 8, 14, 14, 16, 3, 2, 1, bias=False)
    # conv1d
    conv1d_case(w, "c1d_k3_s1_p1", 2, 6, 20, 8, 3, 1, 1)
    conv1d_case(w, "c1d_k5_s2_g2", 2, 6, 21, 4, 5, 2, 2, 1, 2)
    conv1d_case(w, "c1d_same_dil3", 2, 4, 17, 5, 3, 1, "same", 3)
    # conv_transpose2d
    convt_case(w, "ct2d_k3_s2_p1_op1", 2, 8, 5, 6, 6, 3, 2, 1, 1)
    convt_case(w, "ct2d_k4_s2_p1", 2, 6, 4, 4, 4, 4, 2, 1, 0, bias=False)
    convt_case(w, "ct2d_k3_s1_g2_dil2", 2, 4, 6, 5, 6, 3, 1, 1, 0, 2, 2)
    convt_case(w, "ct2d_k3_s3_p0_op2", 1, 4, 4, 5, 4, 3, 3, 0, 2)
    # batch norm (train mode) and linear
    bn_case(w, "bn2d_train", 4, 6, 5, 7)
    bn_case(w, "bn2d_train_single_pixel_batch", 3, 4, 1, 1, momentum=0.3, eps=1e-3)
    bn_case(w, "bn2d_eval", 4, 6, 5, 7, training=False)
    linear_case(w, "linear_2d", (5, 12), 7)
    linear_case(w, "linear_3d_nobias", (2, 3, 12), 9, bias=False)

    manifest = {"version": script_hash(), "torch": torch.__version__, "cases": w.cases}
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    print(f"wrote {len(w.cases)} cases to {args.out}")


if __name__ == "__main__":
    sys.exit(main())
