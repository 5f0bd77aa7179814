// The trace: what one run of the engine learned about a file, as plain JSON-safe data.
// The CLI prints it, the editor's providers and the webview read it; nothing here holds tensors or classes.

import type { Diagnostic, Location } from '../diagnostics';

export type Shape = number[];

/** One call of an nn.Module, in call order, nested as the calls nest. */
export interface ModuleCall {
  /** Index in TraceResult.modules (call order). */
  id: number;
  /** Parent call id, or null for a root call. */
  parent: number | null;
  /** Qualified name as PyTorch's named_modules() gives it from the root call ('' for the root, 'layer1.0.conv1'). */
  name: string;
  /** Class name, e.g. 'Conv2d', 'ResidualBlock'. */
  className: string;
  /** Short constructor summary as PyTorch's repr shows it, e.g. '64, 128, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), bias=False'. */
  args: string;
  /** Where the call happened (e.g. `self.conv1(x)` in forward, or `res_block(input_tensor)`). */
  callSite: Location;
  /** Where the module was constructed (the line in __init__ that defined it), when known. */
  definedAt?: Location;
  /** Where the module's class is defined, for user classes. */
  classDefinedAt?: Location;
  inputShapes: Shape[];
  /** Output shape(s): one per tensor in the output (a tuple output gives several). */
  outputShapes: Shape[];
  /** Parameters directly owned (recurse=False). */
  ownParams: number;
  /** Parameters of the whole subtree. */
  totalParams: number;
  trainableParams: number;
  /** Multiply-accumulates of this call including its children. */
  macs: number;
  /** Bytes of the output activation(s) (float32 = 4 bytes per element). */
  outputBytes: number;
  /** How many times this same module object was called in the run (1 normally). */
  callCount: number;
  /** Ids of child calls. */
  children: number[];
  /** Numeric statistics, present after a numeric run. */
  stats?: TensorStats;
  /** Gradient information, present after backward(). */
  grad?: ModuleGrad;
}

/** A tensor operation outside any leaf layer (torch.cat, x.view, +, F.relu …). */
export interface OpCall {
  /** Registry name, e.g. 'torch.cat', 'Tensor.view', 'F.relu', 'add'. */
  op: string;
  /** The module call whose forward made it, or null at top level. */
  module: number | null;
  site: Location;
  inputShapes: Shape[];
  outputShapes: Shape[];
  macs: number;
}

/** A residual addition joining a block's main path with its shortcut. */
export interface SkipConnection {
  /** The module call whose forward contains the addition. */
  module: number;
  /** Source of the addition (`out += identity`, `x + self.mlp(x)`, `torch.add(a, b)`). */
  site: Location;
  kind: 'identity' | 'projection';
  /** For a projection: the steps on the shortcut, e.g. ['Conv2d 1×1 stride 2, 64→128', 'BatchNorm2d(128)']. */
  shortcut: string[];
  /** Short label for hints: 'identity' or 'proj 1×1/2'. */
  label: string;
  /** Module call ids on the shortcut path. */
  shortcutModules: number[];
  /** Module call ids on the main path (residual branch). */
  mainModules: number[];
  mainShape: Shape;
  shortcutShape: Shape;
  /** Statistics of f(x) − x after a numeric run. */
  residualStats?: TensorStats;
  /** Share of the gradient reaching the block input that came through the shortcut (0..1), after backward. */
  shortcutGradShare?: number;
}

/** A shape shown at a source line: the tensors a statement produced. */
export interface LineShape {
  site: Location;
  /** Left-hand side text (`out`, `identity`), or null for an expression statement. */
  target: string | null;
  /** Distinct shapes seen at this statement over the run (a block reused at several sizes gives several). */
  shapes: Shape[][];
  /** How many times the statement ran. */
  hits: number;
}

export interface TensorStats {
  mean: number;
  std: number;
  min: number;
  max: number;
  /** Fraction of exact zeros (interesting after ReLU). */
  zeroFraction: number;
}

export interface ModuleGrad {
  /** Gradient of the loss w.r.t. the module output. */
  outputNorm: number;
  outputMean: number;
  outputStd: number;
  outputMaxAbs: number;
  outputFirst: number[];
  /** Gradient of the loss w.r.t. the module input (what the seed prints as "Gradient of Input Tensor"). */
  inputNorm?: number;
  inputFirst?: number[];
  /** Parameter name → gradient L2 norm. */
  paramNorms: Record<string, number>;
}

/** Modules constructed but never called, so users see dead layers. */
export interface UnusedModule {
  name: string;
  className: string;
  definedAt?: Location;
}

export interface BackendInfo {
  name: 'symbolic' | 'wasm' | 'node' | 'cpu';
  reason: string;
}

export interface TraceResult {
  /** Schema version of this JSON. */
  version: 1;
  file: string;
  mode: 'symbolic' | 'numeric';
  backend: BackendInfo;
  /** What the script printed, in PyTorch's formatting. */
  stdout: string;
  modules: ModuleCall[];
  ops: OpCall[];
  skips: SkipConnection[];
  lines: LineShape[];
  unused: UnusedModule[];
  diagnostics: Diagnostic[];
  /** The first error that ended the run, or null when it ran to the end. */
  error: Diagnostic | null;
  totals: {
    /** Parameters of the root module calls (each distinct module counted once). */
    params: number;
    trainableParams: number;
    macs: number;
    /** Sum of output activation bytes of the leaf module calls. */
    activationBytes: number;
  };
  /** Shape of the root call's output when tracing an entry expression. */
  outputShape: Shape | null;
  timings: { parseMs: number; runMs: number; totalMs: number };
}
