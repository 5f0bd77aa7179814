// Command-line argument parsing for `tensor-trace`, with usage errors reported as exit status 2.

export interface CliOptions {
  file: string;
  entry?: string;
  inputs: number[][];
  paths: string[];
  json: boolean;
  /** undefined: automatic (numeric when the script calls backward()). */
  numeric?: boolean;
  noSkips: boolean;
  backend: 'auto' | 'node' | 'wasm' | 'cpu';
  /** An existing @tensorflow/tfjs-node installation to use for the node backend. */
  tfjsNodePath?: string;
  timeLimitMs?: number;
}

export const USAGE = `Usage: tensor-trace FILE.py [options]

Runs the PyTorch code in FILE.py on Tensor Trace's engine (no Python needed) and prints what the
script prints, then every module call with its shapes, parameters and MACs, and the skip connections.

Options:
  --entry EXPR        trace a module built by EXPR instead of running the script,
                      e.g. --entry "ResNet(BasicBlock, [2, 2, 2, 2])"
  --input SHAPE       input shape for --entry, e.g. 1,3,224,224 (repeat for several inputs)
  --path DIR          another folder to resolve imports from (repeatable)
  --json              print the trace as JSON (schema: docs in README, "JSON output")
  --numeric           compute values and gradients on TensorFlow.js (default when the script calls backward())
  --symbolic          shapes only, never compute values
  --no-skips          with --numeric: also run the model with every skip connection removed
  --backend NAME      auto | node | wasm | cpu (default auto)
  --tfjs-node DIR     use the @tensorflow/tfjs-node installed in DIR for the node backend
  --time-limit MS     stop the script after MS milliseconds
  -h, --help          show this help
`;

export class UsageError extends Error {}

export function parseArgs(argv: string[]): CliOptions | 'help' {
  const opts: CliOptions = { file: '', inputs: [], paths: [], json: false, noSkips: false, backend: 'auto' };
  const need = (i: number, flag: string): string => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    switch (a) {
      case '-h':
      case '--help':
        return 'help';
      case '--entry':
        opts.entry = need(i++, a);
        break;
      case '--input':
        opts.inputs.push(parseShape(need(i++, a)));
        break;
      case '--path':
        opts.paths.push(need(i++, a));
        break;
      case '--json':
        opts.json = true;
        break;
      case '--numeric':
        opts.numeric = true;
        break;
      case '--symbolic':
        opts.numeric = false;
        break;
      case '--no-skips':
        opts.noSkips = true;
        break;
      case '--backend': {
        const b = need(i++, a);
        if (b !== 'auto' && b !== 'node' && b !== 'wasm' && b !== 'cpu') throw new UsageError(`unknown backend '${b}'`);
        opts.backend = b;
        break;
      }
      case '--tfjs-node':
        opts.tfjsNodePath = need(i++, a);
        break;
      case '--time-limit': {
        const ms = Number(need(i++, a));
        if (!Number.isFinite(ms) || ms <= 0) throw new UsageError('--time-limit takes a positive number of milliseconds');
        opts.timeLimitMs = ms;
        break;
      }
      default:
        if (a.startsWith('-')) throw new UsageError(`unknown option '${a}'`);
        if (opts.file) throw new UsageError(`only one file can be traced (got '${opts.file}' and '${a}')`);
        opts.file = a;
    }
  }
  if (!opts.file) throw new UsageError('no file given');
  if (opts.inputs.length > 0 && !opts.entry) throw new UsageError('--input goes with --entry');
  if (opts.entry && opts.inputs.length === 0) throw new UsageError('--entry needs --input SHAPE');
  return opts;
}

/** "1,3,224,224" or "1x3x224x224" or "[1, 3, 224, 224]" → [1, 3, 224, 224] */
export function parseShape(text: string): number[] {
  const body = text.trim().replace(/^[[(]|[\])]$/g, '');
  const dims = body.split(/[,x×\s]+/).filter((s) => s.length > 0).map(Number);
  if (dims.length === 0 || dims.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new UsageError(`'${text}' is not a shape; write it like 1,3,224,224`);
  }
  return dims;
}
