// The `tensor-trace` command: runs the engine on a Python file outside the editor and prints the trace.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { traceSource } from '../core/engine';
import { callsBackward, traceNumeric } from '../core/numericEngine';
import type { TraceResult } from '../core/trace/types';
import { LineMap } from '../core/diagnostics';
import { createFileResolver } from '../host/fileResolver';
import { parseArgs, USAGE, UsageError, type CliOptions } from './args';
import { errorText, gradientTable, moduleTable, skipsText, totalsText } from './report';

const EXIT_OK = 0;
const EXIT_RAISED = 1;
const EXIT_USAGE = 2;

async function main(argv: string[]): Promise<number> {
  let opts: CliOptions | 'help';
  try {
    opts = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`tensor-trace: ${e.message}\n\n${USAGE}`);
      return EXIT_USAGE;
    }
    throw e;
  }
  if (opts === 'help') {
    process.stdout.write(USAGE);
    return EXIT_OK;
  }

  const file = path.resolve(opts.file);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    process.stderr.write(`tensor-trace: cannot read ${opts.file}: ${(e as Error).message}\n`);
    return EXIT_USAGE;
  }

  const resolver = createFileResolver([path.dirname(file), ...opts.paths]);
  const req = {
    file,
    text,
    resolver,
    entry: opts.entry ? { expr: opts.entry, inputs: opts.inputs } : undefined,
    limits: opts.timeLimitMs ? { timeMs: opts.timeLimitMs } : undefined,
  };
  // Numeric when asked, or by default when the script computes gradients (found in its syntax tree).
  const numeric = opts.numeric ?? (opts.noSkips || callsBackward(text));
  const backend = { backend: opts.backend, tfjsNodePath: opts.tfjsNodePath && path.resolve(opts.tfjsNodePath) };
  const trace = numeric ? await traceNumeric({ ...req, ...backend }) : traceSource(req);
  let noSkipsTrace: TraceResult | undefined;
  if (numeric && opts.noSkips) noSkipsTrace = await traceNumeric({ ...req, ...backend, noSkips: true });

  if (opts.json) {
    const out = noSkipsTrace ? { ...trace, noSkips: noSkipsTrace } : trace;
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
    return trace.error ? EXIT_RAISED : EXIT_OK;
  }

  process.stdout.write(trace.stdout);
  const maps = new Map<string, LineMap>([[file, new LineMap(text)]]);
  const sourceLine = (f: string, line: number): string | undefined => {
    let map = maps.get(f);
    if (!map) {
      try {
        map = new LineMap(fs.readFileSync(f, 'utf8'));
      } catch {
        return undefined;
      }
      maps.set(f, map);
    }
    return map.lineText(line);
  };
  for (const d of trace.diagnostics) {
    if (d === trace.error) continue;
    process.stderr.write(`${path.relative(process.cwd(), d.location.file)}:${d.location.line}:${d.location.column}: ${d.severity}: ${d.message}\n`);
  }
  if (trace.modules.length > 0) {
    process.stdout.write('\n' + moduleTable(trace) + '\n' + skipsText(trace) + '\n');
    const grads = gradientTable(trace, noSkipsTrace);
    if (grads) process.stdout.write('\n' + grads + '\n\n');
    process.stdout.write(totalsText(trace) + '\n');
  }
  if (trace.error) {
    process.stderr.write('\n' + errorText(trace.error, sourceLine) + '\n');
    return EXIT_RAISED;
  }
  return EXIT_OK;
}

// A reader that stops early (`tensor-trace … | head`) closes the pipe: stop quietly, as other CLIs do.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? EXIT_OK);
  throw e;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`tensor-trace: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = EXIT_RAISED;
  },
);
