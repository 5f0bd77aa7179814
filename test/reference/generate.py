#!/usr/bin/python3
"""Generate PyTorch reference data for the Tensor Trace test-suite.

Run with the Debian PyTorch (torch 1.13), not the pyenv python:

    /usr/bin/python3 test/reference/generate.py [--out DIR] [--only SUBSTR ...] [--strict]

For every fixture script under test/fixtures (``**/*.py``) and every entry in
test/fixtures/entries.json this writes one JSON file to DIR (default
test/.cache/reference/):  ``<fixture path without .py>.json`` for scripts
(e.g. ``multi_file/model.json``) and ``entry-<id>.json`` for entries.
The JSON schema is documented in test/reference/README.md.

torch is imported once; every case runs in this process.  Between cases the
generator restores sys.path, sys.argv, grad mode, default dtype, print options
and drops every module imported from the fixture folders, so cases cannot see
each other's imports.

Exit status: 0 when every case behaved as test/reference/expectations.json
says (success, or the expected error); 1 when a case failed unexpectedly
(or an expected error did not happen).  Mismatches between the hand-written
skip-connection facts in expectations.json and the recorded module calls are
printed as warnings; with --strict they also make the exit status 1.
"""
import argparse
import contextlib
import importlib
import importlib.util
import io
import json
import math
import os
import runpy
import sys
import time
import traceback
import warnings

T_START = time.perf_counter()

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
from torch.nn.modules import module as _module_mod  # noqa: E402
from torch.overrides import TorchFunctionMode  # noqa: E402

SCHEMA_VERSION = 1
HERE = os.path.dirname(os.path.realpath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
FIXTURES = os.path.join(REPO, "test", "fixtures")
DEFAULT_OUT = os.path.join(REPO, "test", ".cache", "reference")
ENTRIES = os.path.join(FIXTURES, "entries.json")
EXPECTATIONS = os.path.join(HERE, "expectations.json")


# --------------------------------------------------------------------------
# shapes
# --------------------------------------------------------------------------

def shape_of(obj):
    """Tensor -> [dims]; tuple/list -> [shape_of(item)]; dict -> {key: shape_of}; else None."""
    if isinstance(obj, torch.Tensor):
        return [int(d) for d in obj.shape]
    if isinstance(obj, (tuple, list)):
        return [shape_of(o) for o in obj]
    if isinstance(obj, dict):
        return {str(k): shape_of(v) for k, v in obj.items()}
    return None


def tensor_shapes(obj, acc=None):
    """Shapes of all tensors in obj (depth-first, in argument order)."""
    if acc is None:
        acc = []
    if isinstance(obj, torch.Tensor):
        acc.append([int(d) for d in obj.shape])
    elif isinstance(obj, (tuple, list)):
        for o in obj:
            tensor_shapes(o, acc)
    elif isinstance(obj, dict):
        for o in obj.values():
            tensor_shapes(o, acc)
    return acc


def prod(xs):
    p = 1
    for x in xs:
        p *= int(x)
    return p


# --------------------------------------------------------------------------
# recording: global module hooks + a torch-function mode for MACs
# --------------------------------------------------------------------------

class Recorder:
    def __init__(self):
        self.active = False
        self.reset()

    def reset(self):
        self.modules = []          # module-call entries, in call (pre-hook) order
        self.stack = []            # [(module, entry index)] of calls in progress
        self.roots = []            # one per top-level module call
        self.names = {}            # id(module) -> qualified name, for the current root
        self.root_index = None
        self.params = {}           # id(param) -> param, over all roots (holding the param keeps its id unique)
        self.macs = 0
        self.macs_by_op = {"conv": 0, "conv_transpose": 0, "linear": 0, "matmul": 0}
        self.macs_outside = 0
        self.notes = []            # internal consistency warnings

    # -- hooks ------------------------------------------------------------
    def _drop_stale(self):
        """Forget calls that raised (their forward hook never ran) and were caught by the script.

        Each call in progress has one Module._call_impl frame on the Python stack;
        the current call (whose pre-hook is running) has one too.
        """
        frame, active = sys._getframe(2), 0
        while frame is not None:
            if frame.f_code is _CALL_IMPL_CODE:
                active += 1
            frame = frame.f_back
        while active and len(self.stack) > active - 1:
            self.stack.pop()

    def pre_hook(self, module, inputs):
        if not self.active:
            return None
        if self.stack:
            self._drop_stale()
        depth = len(self.stack)
        if depth == 0:
            self.names = {}
            for n, m in module.named_modules():
                self.names.setdefault(id(m), n)
            total = trainable = 0
            for p in module.parameters():
                total += p.numel()
                self.params[id(p)] = p
                if p.requires_grad:
                    trainable += p.numel()
            self.root_index = len(self.roots)
            self.roots.append({
                "class": type(module).__name__,
                "total_params": int(total),
                "trainable_params": int(trainable),
                "module_index": len(self.modules),
                "macs": 0,
            })
        parent = self.stack[-1][1] if self.stack else None
        idx = len(self.modules)
        self.modules.append({
            "index": idx,
            "name": self.names.get(id(module)),
            "class": type(module).__name__,
            "depth": depth,
            "root": self.root_index,
            "parent": parent,
            "inputs": tensor_shapes(inputs),
            "output": None,
            "params": int(sum(p.numel() for p in module.parameters(recurse=False))),
            "total_params": int(sum(p.numel() for p in module.parameters())),
            "macs": 0,
            "self_macs": 0,
            "completed": False,
        })
        self.stack.append((module, idx))
        return None

    def post_hook(self, module, inputs, output):
        if not self.active:
            return None
        if not self.stack or not any(m is module for m, _ in self.stack):
            self.notes.append("forward hook for %s without a matching pre-hook" % type(module).__name__)
            return None
        while self.stack[-1][0] is not module:   # should not happen, but never leave the stack stale
            _, lost = self.stack.pop()
            self.notes.append("module call %d never returned" % lost)
        _, idx = self.stack.pop()
        entry = self.modules[idx]
        entry["output"] = shape_of(output)
        entry["completed"] = True
        expected = formula_macs(module, inputs, output)
        if expected is not None and expected != entry["self_macs"]:
            self.notes.append("MACs of %s %r: formula %d != counted %d"
                              % (entry["class"], entry["name"], expected, entry["self_macs"]))
        return None

    # -- MACs --------------------------------------------------------------
    def add_macs(self, kind, n):
        self.macs += n
        self.macs_by_op[kind] += n
        if not self.stack:
            self.macs_outside += n
            return
        for _, idx in self.stack:
            self.modules[idx]["macs"] += n
        self.modules[self.stack[-1][1]]["self_macs"] += n
        self.roots[self.root_index]["macs"] += n


_CALL_IMPL_CODE = nn.Module._call_impl.__code__
REC = Recorder()
_module_mod.register_module_forward_pre_hook(REC.pre_hook)
_module_mod.register_module_forward_hook(REC.post_hook)


def formula_macs(module, inputs, output):
    """Module-level MAC formulas, used to cross-check the op-level count."""
    if not isinstance(output, torch.Tensor):
        return None
    if isinstance(module, nn.modules.conv._ConvNd):
        k = prod(module.kernel_size)
        if module.transposed:
            x = inputs[0] if inputs and isinstance(inputs[0], torch.Tensor) else None
            if x is None:
                return None
            return x.numel() * (module.out_channels // module.groups) * k
        return output.numel() * (module.in_channels // module.groups) * k
    if isinstance(module, nn.Linear):
        return output.numel() * module.in_features
    return None


def _arg(args, kwargs, i, name):
    if len(args) > i:
        return args[i]
    return kwargs.get(name)


def _conv_macs(args, kwargs, out):
    w = _arg(args, kwargs, 1, "weight")
    return out.numel() * int(w.shape[1]) * prod(w.shape[2:])


def _conv_t_macs(args, kwargs, out):
    x = _arg(args, kwargs, 0, "input")
    w = _arg(args, kwargs, 1, "weight")
    return x.numel() * int(w.shape[1]) * prod(w.shape[2:])


def _linear_macs(args, kwargs, out):
    w = _arg(args, kwargs, 1, "weight")
    return out.numel() * int(w.shape[-1])


def _matmul_macs(pos):
    def count(args, kwargs, out):
        a = args[pos] if len(args) > pos else None
        if not isinstance(a, torch.Tensor) or a.dim() == 0:
            return 0
        return out.numel() * int(a.shape[-1])
    return count


def _addbmm_macs(args, kwargs, out):
    b1 = _arg(args, kwargs, 1, "batch1")
    b2 = _arg(args, kwargs, 2, "batch2")
    return b1.numel() * int(b2.shape[-1])


MAC_OPS = {
    "conv1d": ("conv", _conv_macs),
    "conv2d": ("conv", _conv_macs),
    "conv3d": ("conv", _conv_macs),
    "conv_transpose1d": ("conv_transpose", _conv_t_macs),
    "conv_transpose2d": ("conv_transpose", _conv_t_macs),
    "conv_transpose3d": ("conv_transpose", _conv_t_macs),
    "linear": ("linear", _linear_macs),
    "matmul": ("matmul", _matmul_macs(0)),
    "__matmul__": ("matmul", _matmul_macs(0)),
    "__rmatmul__": ("matmul", _matmul_macs(1)),
    "mm": ("matmul", _matmul_macs(0)),
    "bmm": ("matmul", _matmul_macs(0)),
    "mv": ("matmul", _matmul_macs(0)),
    "dot": ("matmul", _matmul_macs(0)),
    "addmm": ("matmul", _matmul_macs(1)),
    "baddbmm": ("matmul", _matmul_macs(1)),
    "addmv": ("matmul", _matmul_macs(1)),
    "addbmm": ("matmul", _addbmm_macs),
}


class MacCounter(TorchFunctionMode):
    """Counts MACs of conv/linear/matmul calls, whether made by a module or functionally.

    The mode is switched off while a handler runs, so an nn.Linear that calls
    F.linear, or `a @ b` that calls matmul, is counted exactly once.
    """

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        op = MAC_OPS.get(getattr(func, "__name__", None))
        if op is not None and REC.active and isinstance(out, torch.Tensor):
            try:
                n = op[1](args, kwargs, out)
            except Exception as exc:  # never let counting break a fixture
                REC.notes.append("could not count MACs of %s: %s" % (func.__name__, exc))
                n = 0
            if n:
                REC.add_macs(op[0], int(n))
        return out


# --------------------------------------------------------------------------
# isolation helpers
# --------------------------------------------------------------------------

def _under(path, folder):
    path = os.path.realpath(path)
    folder = os.path.realpath(folder)
    return path == folder or path.startswith(folder + os.sep)


def rel_or_abs(path):
    real = os.path.realpath(path)
    if _under(real, FIXTURES):
        return os.path.relpath(real, os.path.realpath(FIXTURES)).replace(os.sep, "/")
    return real


@contextlib.contextmanager
def isolated(folder):
    """Run a case with `folder` (if any) first on sys.path; undo its side effects afterwards."""
    saved_path = list(sys.path)
    saved_argv = list(sys.argv)
    saved_modules = set(sys.modules)
    saved_dtype = torch.get_default_dtype()
    if folder:
        sys.path.insert(0, folder)
    try:
        yield
    finally:
        sys.path[:] = saved_path
        sys.argv[:] = saved_argv
        for name in list(sys.modules):
            if name in saved_modules:
                continue
            f = getattr(sys.modules[name], "__file__", None)
            if f and (_under(f, FIXTURES) or (folder and _under(f, folder))):
                del sys.modules[name]
        torch.set_grad_enabled(True)
        torch.set_default_dtype(saved_dtype)
        torch.set_printoptions(profile="default", sci_mode=None)
        REC.active = False


def describe_error(exc, main_file):
    main_real = os.path.realpath(main_file)
    line = None
    stack = []
    for fr in traceback.extract_tb(exc.__traceback__):
        f = os.path.realpath(fr.filename)
        if f == main_real:
            line = fr.lineno
        if f == main_real or _under(f, FIXTURES):
            stack.append({"file": rel_or_abs(f), "line": fr.lineno, "function": fr.name})
    if isinstance(exc, SyntaxError) and exc.filename and os.path.realpath(exc.filename) == main_real:
        line = exc.lineno
    return {"type": type(exc).__name__, "message": str(exc), "line": line, "stack": stack}


def finish(record, case_notes):
    record.update({
        "roots": REC.roots,
        "modules": REC.modules,
        "total_params": int(sum(p.numel() for p in REC.params.values())),
        "trainable_params": int(sum(p.numel() for p in REC.params.values() if p.requires_grad)),
        "macs": int(REC.macs),
        "macs_by_op": dict(REC.macs_by_op),
        "macs_outside_modules": int(REC.macs_outside),
        "notes": case_notes + REC.notes,
    })
    return record


# --------------------------------------------------------------------------
# cases
# --------------------------------------------------------------------------

def run_script(rel):
    path = os.path.join(FIXTURES, rel)
    folder = os.path.dirname(path)
    REC.reset()
    out, err = io.StringIO(), io.StringIO()
    error = None
    with isolated(folder), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sys.argv[:] = [path]
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                REC.active = True
                with MacCounter():
                    runpy.run_path(path, run_name="__main__")
        except SystemExit as exc:
            if exc.code not in (None, 0):
                error = describe_error(exc, path)
        except Exception as exc:
            error = describe_error(exc, path)
        finally:
            REC.active = False
    record = {
        "schema": SCHEMA_VERSION,
        "kind": "script",
        "id": rel[:-3],
        "file": rel,
        "torch_version": torch.__version__,
        "stdout": out.getvalue(),
        "stderr": err.getvalue(),
        "warnings": ["%s: %s" % (w.category.__name__, w.message) for w in caught],
        "error": error,
    }
    return finish(record, [])


def load_namespace(path, module):
    """Module namespace for an entry: an importable module, or the file executed as a module."""
    notes = []
    if module:
        mod = importlib.import_module(module)
        if os.path.realpath(getattr(mod, "__file__", "")) != os.path.realpath(path):
            notes.append("module %s is %s, not %s" % (module, getattr(mod, "__file__", None), path))
        return vars(mod), notes
    name = os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    previous = sys.modules.get(name)
    sys.modules[name] = mod
    try:
        spec.loader.exec_module(mod)
    except Exception as exc:  # keep the definitions made before the failure
        notes.append("loading %s raised %s: %s" % (os.path.basename(path), type(exc).__name__, exc))
    finally:
        if previous is not None:
            sys.modules[name] = previous
        else:
            sys.modules.pop(name, None)
    return vars(mod), notes


def run_entry(entry):
    file = entry["file"]
    path = file if os.path.isabs(file) else os.path.join(FIXTURES, file)
    REC.reset()
    out, err = io.StringIO(), io.StringIO()
    error = None
    output_shape = None
    notes = []
    train = bool(entry.get("train", False))
    folder = None if entry.get("module") else os.path.dirname(path)
    with isolated(folder), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                ns, notes = load_namespace(path, entry.get("module"))
            torch.manual_seed(int(entry.get("seed", 0)))
            model = eval(entry["entry"], ns)
            model.train(train)
            inputs = [torch.randn(*shape) for shape in entry["inputs"]]
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                with torch.set_grad_enabled(train):
                    REC.active = True
                    with MacCounter():
                        result = model(*inputs)
                    REC.active = False
            output_shape = shape_of(result)
        except Exception as exc:
            error = describe_error(exc, path)
        finally:
            REC.active = False
    record = {
        "schema": SCHEMA_VERSION,
        "kind": "entry",
        "id": entry["id"],
        "file": rel_or_abs(path),
        "module": entry.get("module"),
        "entry": entry["entry"],
        "inputs": entry["inputs"],
        "mode": "train" if train else "eval",
        "seed": int(entry.get("seed", 0)),
        "torch_version": torch.__version__,
        "stdout": out.getvalue(),
        "stderr": err.getvalue(),
        "warnings": ["%s: %s" % (w.category.__name__, w.message) for w in caught],
        "error": error,
        "output_shape": output_shape,
    }
    return finish(record, notes)


# --------------------------------------------------------------------------
# expectations
# --------------------------------------------------------------------------

def check_error(expected, got):
    """Problems that make the case an unexpected failure."""
    if expected is None:
        if got is not None:
            return ["unexpected %s: %s" % (got["type"], got["message"])]
        return []
    if got is None:
        return ["expected %s but the case succeeded" % expected.get("type")]
    problems = []
    if expected.get("type") and expected["type"] != got["type"]:
        problems.append("expected %s, got %s: %s" % (expected["type"], got["type"], got["message"]))
    if expected.get("contains") and expected["contains"] not in got["message"]:
        problems.append("error message %r does not contain %r" % (got["message"], expected["contains"]))
    if expected.get("line") is not None and expected["line"] != got["line"]:
        problems.append("error on line %s, expected line %s" % (got["line"], expected["line"]))
    return problems


_source_cache = {}


def _source_line(file, line):
    path = file if os.path.isabs(file) else os.path.join(FIXTURES, file)
    if path not in _source_cache:
        with open(path, encoding="utf-8") as fh:
            _source_cache[path] = fh.read().splitlines()
    lines = _source_cache[path]
    return lines[line - 1] if 0 < line <= len(lines) else None


def check_facts(exp, rec):
    """Consistency of hand-written facts with the recorded run (warnings)."""
    problems = []
    roots = rec["roots"]
    for pos, want in enumerate(exp.get("roots", [])):
        i = want.get("index", pos)
        if i >= len(roots):
            problems.append("root %d missing" % i)
            continue
        for key, val in want.items():
            if key == "index":
                continue
            if roots[i].get(key) != val:
                problems.append("root %d %s: expected %r, got %r" % (i, key, val, roots[i].get(key)))
    if "output_shape" in exp and exp["output_shape"] != rec.get("output_shape"):
        problems.append("output_shape: expected %r, got %r" % (exp["output_shape"], rec.get("output_shape")))

    sc = exp.get("skip_connections")
    if not sc:
        return problems
    skips = sc.get("skips", [])
    counts = {"identity": 0, "projection": 0, "concat": 0}
    for s in skips:
        counts[s["kind"]] = counts.get(s["kind"], 0) + 1
    for kind in ("identity", "projection", "concat"):
        if sc.get(kind, 0) != counts.get(kind, 0):
            problems.append("skip count %s: summary says %d, list has %d" % (kind, sc.get(kind, 0), counts.get(kind, 0)))

    mods = rec["modules"]

    def find(root, name):
        for m in mods:
            if m["root"] == root and m["name"] == name:
                return m
        return None

    for s in skips:
        tag = "skip %s/%r" % (s.get("root"), s.get("block"))
        if s.get("root") is None or s["root"] >= len(roots):
            problems.append(tag + ": root not recorded")
            continue
        block = find(s["root"], s["block"])
        if block is None:
            problems.append(tag + ": block not called")
            continue
        if s.get("class") and block["class"] != s["class"]:
            problems.append(tag + ": block class %s != %s" % (block["class"], s["class"]))
        src = _source_line(s.get("file", rec["file"]), s["line"]) if s.get("line") else None
        if s.get("line") and (src is None or not any(t in src for t in ("+", "cat("))):
            problems.append(tag + ": line %d is not an add/cat: %r" % (s["line"], src))
        mod = None
        if s.get("module") is not None:
            mod = find(s["root"], s["module"])
            if mod is None:
                problems.append(tag + ": shortcut module %r not called" % s["module"])
            else:
                if s.get("module_class") and mod["class"] != s["module_class"]:
                    problems.append(tag + ": shortcut class %s != %s" % (mod["class"], s["module_class"]))
                children = [m["class"] for m in mods if m["parent"] == mod["index"]]
                if children != s.get("layers", []):
                    problems.append(tag + ": shortcut layers %r != %r" % (children, s.get("layers", [])))
        if s["kind"] == "identity":
            if mod is not None and mod["completed"] and mod["inputs"] and mod["inputs"][0] != mod["output"]:
                problems.append(tag + ": identity module changes shape %r -> %r" % (mod["inputs"][0], mod["output"]))
            if not s.get("inner") and block["completed"] and block["inputs"] and block["inputs"][0] != block["output"]:
                problems.append(tag + ": identity block changes shape %r -> %r" % (block["inputs"][0], block["output"]))
        elif s["kind"] == "projection" and mod is not None and mod["completed"]:
            if block["completed"] and mod["output"] != block["output"]:
                problems.append(tag + ": projection output %r != block output %r" % (mod["output"], block["output"]))
            stride = s.get("stride", 1)
            x, y = mod["inputs"][0], mod["output"]
            if any(math.ceil(a / stride) != b for a, b in zip(x[2:], y[2:])):
                problems.append(tag + ": projection %r -> %r is not stride %d" % (x, y, stride))
    return problems


# --------------------------------------------------------------------------
# output
# --------------------------------------------------------------------------

def dumps(obj, indent=0, width=110, record_width=400):
    """JSON with small values kept on one line (one module call per line)."""
    flat = json.dumps(obj, ensure_ascii=False)
    if len(flat) + indent <= width or not isinstance(obj, (dict, list)) or not obj:
        return flat
    if isinstance(obj, dict) and indent >= 4 and len(flat) <= record_width:   # a module call / root record
        return flat
    pad = " " * (indent + 2)
    if isinstance(obj, dict):
        items = ["%s%s: %s" % (pad, json.dumps(k), dumps(v, indent + 2, width, record_width))
                 for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    items = [pad + dumps(v, indent + 2, width, record_width) for v in obj]
    return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"


def write(out_dir, name, record):
    path = os.path.join(out_dir, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(dumps(record) + "\n")
    return path


# test/fixtures/python/ holds plain-Python interpreter fixtures; interp.test.ts runs them against CPython itself.
NOT_TORCH_FIXTURES = {"python"}


def fixture_scripts():
    found = []
    for dirpath, dirnames, filenames in os.walk(FIXTURES):
        top = dirpath == FIXTURES
        dirnames[:] = sorted(
            d for d in dirnames if not d.startswith((".", "__")) and not (top and d in NOT_TORCH_FIXTURES)
        )
        for f in sorted(filenames):
            if f.endswith(".py"):
                found.append(os.path.relpath(os.path.join(dirpath, f), FIXTURES).replace(os.sep, "/"))
    return sorted(found)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=DEFAULT_OUT, help="output directory (default: test/.cache/reference)")
    ap.add_argument("--only", action="append", default=[], metavar="SUBSTR",
                    help="run only cases whose id contains SUBSTR (repeatable)")
    ap.add_argument("--expectations", default=EXPECTATIONS, help=argparse.SUPPRESS)
    ap.add_argument("--strict", action="store_true",
                    help="also fail when expectations.json facts disagree with the recorded run")
    args = ap.parse_args(argv)
    out_dir = os.path.abspath(args.out)
    os.makedirs(out_dir, exist_ok=True)

    with open(ENTRIES, encoding="utf-8") as fh:
        entries = json.load(fh)
    with open(args.expectations, encoding="utf-8") as fh:
        expectations = json.load(fh).get("cases", {})

    cases = [("script", rel[:-3], rel) for rel in fixture_scripts()]
    cases += [("entry", "entry-" + e["id"], e) for e in entries]
    if args.only:
        cases = [c for c in cases if any(s in c[1] for s in args.only)]

    print("torch %s, %d cases -> %s (import %.2fs)"
          % (torch.__version__, len(cases), os.path.relpath(out_dir, os.getcwd()), time.perf_counter() - T_START))
    failed, fact_problems = [], []
    for kind, case_id, spec in cases:
        t0 = time.perf_counter()
        try:
            rec = run_script(spec) if kind == "script" else run_entry(spec)
        except Exception:  # a bug in the generator itself: report and go on
            traceback.print_exc()
            failed.append(case_id)
            print("FAIL  %-26s generator crashed" % case_id)
            continue
        dt = time.perf_counter() - t0
        name = (spec[:-3] + ".json") if kind == "script" else case_id + ".json"
        write(out_dir, name, rec)

        exp = expectations.get(case_id)
        if exp is None:
            problems = check_error(None, rec["error"])
            facts = ["no expectations for this case"]
        else:
            problems = check_error(exp.get("error"), rec["error"])
            facts = check_facts(exp, rec)
        status = "ok"
        if rec["error"] is not None:
            status = "xfail"
        if problems:
            status = "FAIL"
            failed.append(case_id)
        err = ""
        if rec["error"]:
            err = " %s: %s" % (rec["error"]["type"], rec["error"]["message"].splitlines()[0][:90])
        print("%-5s %-26s %5.2fs modules=%-3d params=%-10d macs=%-13d%s"
              % (status, case_id, dt, len(rec["modules"]), rec["total_params"], rec["macs"], err))
        for p in problems:
            print("      ! " + p)
        for n in rec["notes"]:
            print("      note: " + n)
        for p in facts:
            print("      fact: " + p)
            fact_problems.append((case_id, p))

    missing = sorted(set(expectations) - {c[1] for c in cases}) if not args.only else []
    for m in missing:
        print("warning: expectations.json has no case %r" % m)
    total = time.perf_counter() - T_START
    print("%d cases, %d unexpected failures, %d fact mismatches, %.2fs total"
          % (len(cases), len(failed), len(fact_problems), total))
    if failed or (args.strict and (fact_problems or missing)):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
