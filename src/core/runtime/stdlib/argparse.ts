// argparse without a command line: parse_args() returns the declared defaults (or parses an explicit list),
// so training scripts that build their model from `args` still run. sys.argv is never read.

import { exceptionClasses, objectClass } from '../builtinTypes';
import type { Interpreter } from '../interpreter';
import { registerNativeModule } from '../nativeModules';
import { PyClass, PyInstance, PyList, PyRaise, PyTuple, type PyValue } from '../values';
import { func, makeModule, nativeClass } from './common';

interface ArgSpec {
  dest: string;
  flags: string[];
  positional: boolean;
  default: PyValue;
  type: PyValue | null;
  action: string;
  nargs: PyValue | null;
  constValue: PyValue;
}

interface ParserState {
  args: ArgSpec[];
  defaults: Map<string, PyValue>;
}

export const Namespace = nativeClass('Namespace', 'argparse', [objectClass], {
  __init__: (a, k) => {
    const self = a[0] as PyInstance;
    for (const [kk, v] of k) self.dict.set(kk, v);
    return null;
  },
  __repr__: (a, _k, ip) => {
    const self = a[0] as PyInstance;
    return `Namespace(${[...self.dict].map(([k, v]) => `${k}=${ip.repr(v)}`).join(', ')})`;
  },
  __contains__: (a) => (a[0] as PyInstance).dict.has(String(a[1])),
  __eq__: (a, _k, ip) => {
    const x = a[0] as PyInstance;
    const y = a[1];
    if (!(y instanceof PyInstance) || x.dict.size !== y.dict.size) return false;
    for (const [k, v] of x.dict) if (!ip.truthy(ip.compare('==', v, y.dict.get(k) ?? null))) return false;
    return true;
  },
});

function state(self: PyValue): ParserState {
  const inst = self as PyInstance;
  if (!inst.native) inst.native = { args: [], defaults: new Map() } satisfies ParserState;
  return inst.native as ParserState;
}

function convert(ip: Interpreter, spec: ArgSpec, v: PyValue): PyValue {
  if (spec.type !== null && typeof v === 'string') return ip.call(spec.type, [v]);
  return v;
}

function addArgument(a: PyValue[], k: Map<string, PyValue>, ip: Interpreter): PyValue {
  const st = state(a[0]);
  const names = a.slice(1).map((n) => ip.str(n));
  const positional = names.length > 0 && !names[0].startsWith('-');
  const long = names.find((n) => n.startsWith('--')) ?? names[0] ?? '';
  const destV = k.get('dest');
  const dest = typeof destV === 'string' ? destV : positional ? names[0] : long.replace(/^-+/, '').replace(/-/g, '_');
  const actionV = k.get('action');
  const action = typeof actionV === 'string' ? actionV : 'store';
  let dflt: PyValue = k.has('default') ? k.get('default')! : null;
  if (!k.has('default')) {
    if (action === 'store_true') dflt = false;
    else if (action === 'store_false') dflt = true;
    else if (action === 'count') dflt = null;
  }
  const spec: ArgSpec = {
    dest,
    flags: names,
    positional,
    default: dflt,
    type: k.get('type') ?? null,
    action,
    nargs: k.get('nargs') ?? null,
    constValue: k.get('const') ?? null,
  };
  st.args.push(spec);
  return null;
}

function parse(ip: Interpreter, self: PyValue, argv: PyValue | undefined, known: boolean): PyValue {
  const st = state(self);
  const ns = new PyInstance(Namespace);
  for (const spec of st.args) ns.dict.set(spec.dest, convert(ip, spec, spec.default));
  for (const [k, v] of st.defaults) ns.dict.set(k, v);
  const extras: PyValue[] = [];
  if (argv !== undefined && argv !== null) {
    const list = ip.iterate(argv).map((x) => ip.str(x));
    const positionals = st.args.filter((s) => s.positional);
    let pi = 0;
    for (let i = 0; i < list.length; i++) {
      let tok = list[i];
      let inline: string | undefined;
      if (tok.startsWith('--') && tok.includes('=')) {
        inline = tok.slice(tok.indexOf('=') + 1);
        tok = tok.slice(0, tok.indexOf('='));
      }
      const spec = st.args.find((s) => !s.positional && s.flags.includes(tok));
      if (spec) {
        if (spec.action === 'store_true') ns.dict.set(spec.dest, true);
        else if (spec.action === 'store_false') ns.dict.set(spec.dest, false);
        else if (spec.action === 'store_const') ns.dict.set(spec.dest, spec.constValue);
        else if (spec.action === 'count') ns.dict.set(spec.dest, ((ns.dict.get(spec.dest) as number | null) ?? 0) + 1);
        else if (spec.nargs === '+' || spec.nargs === '*') {
          const vals: PyValue[] = [];
          while (i + 1 < list.length && !list[i + 1].startsWith('-')) vals.push(convert(ip, spec, list[++i]));
          ns.dict.set(spec.dest, new PyList(vals));
        } else {
          const raw = inline ?? list[++i];
          const v = convert(ip, spec, raw ?? null);
          if (spec.action === 'append') {
            const cur = ns.dict.get(spec.dest);
            ns.dict.set(spec.dest, new PyList([...(cur instanceof PyList ? cur.items : []), v]));
          } else ns.dict.set(spec.dest, v);
        }
      } else if (!tok.startsWith('-') && pi < positionals.length) {
        ns.dict.set(positionals[pi].dest, convert(ip, positionals[pi], tok));
        pi++;
      } else if (known) extras.push(list[i]);
      else throw new PyRaise(ip.newException('SystemExit', [2]));
    }
  }
  return known ? new PyTuple([ns, new PyList(extras)]) : ns;
}

const ArgumentParser: PyClass = nativeClass('ArgumentParser', 'argparse', [objectClass], {
  __init__: (a) => {
    state(a[0]);
    return null;
  },
  add_argument: addArgument,
  add_argument_group: (a) => a[0],
  add_mutually_exclusive_group: (a) => a[0],
  add_subparsers: (a) => a[0],
  set_defaults: (a, k) => {
    const st = state(a[0]);
    for (const [kk, v] of k) st.defaults.set(kk, v);
    return null;
  },
  get_default: (a) => {
    const st = state(a[0]);
    const d = String(a[1]);
    return st.defaults.get(d) ?? st.args.find((s) => s.dest === d)?.default ?? null;
  },
  parse_args: (a, k, ip) => parse(ip, a[0], a.length > 1 ? a[1] : k.get('args'), false),
  parse_known_args: (a, k, ip) => parse(ip, a[0], a.length > 1 ? a[1] : k.get('args'), true),
  print_help: () => null,
  print_usage: () => null,
  format_help: () => '',
  error: (a, _k, ip) => {
    throw new PyRaise(ip.newException('SystemExit', [2]));
  },
});

registerNativeModule('argparse', () =>
  makeModule('argparse', {
    ArgumentParser,
    Namespace,
    ArgumentTypeError: new PyClass('ArgumentTypeError', [exceptionClasses.get('Exception')!], new Map([['__module__', 'argparse']]), 'argparse'),
    ArgumentDefaultsHelpFormatter: objectClass,
    RawTextHelpFormatter: objectClass,
    RawDescriptionHelpFormatter: objectClass,
    HelpFormatter: objectClass,
    BooleanOptionalAction: 'store_true',
    SUPPRESS: '==SUPPRESS==',
    FileType: func('argparse.FileType', (_a, _k, ip) => ip.raise('PermissionError', 'Tensor Trace does not let the traced script open files')),
  }),
);
