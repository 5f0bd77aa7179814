// Constructor arguments and input shapes for tracing one class: parsing and validating what the user types,
// and defaults inferred from the code and the last trace (e.g. in_channels from the block's first conv).

import type { ModuleCall, TraceResult } from '../core/trace/types';
import type { ClassFacts, SyntaxFacts } from '../worker/protocol';

/** Parses `1, 3, 32, 32`, `[1, 3, 32, 32]` or `[1, 16], [1, 8]` into shapes; returns an error message on bad input. */
export function parseShapes(text: string): number[][] | string {
  const t = text.trim();
  if (!t) return 'Enter a shape such as 1, 3, 224, 224';
  let value: unknown;
  try {
    value = JSON.parse(t.startsWith('[') ? `[${t}]` : `[[${t}]]`);
  } catch {
    return 'Write the dimensions as integers separated by commas, e.g. 1, 3, 224, 224 (several inputs: [1, 16], [1, 8])';
  }
  let shapes = value as unknown[];
  // `[1, 3, 32, 32]` alone is one shape, not four.
  if (shapes.length === 1 && Array.isArray(shapes[0]) && (shapes[0] as unknown[]).every((d) => typeof d === 'number')) shapes = [shapes[0]];
  if (shapes.length === 1 && Array.isArray(shapes[0]) && (shapes[0] as unknown[]).every(Array.isArray)) shapes = shapes[0] as unknown[];
  if (!shapes.every(Array.isArray)) return 'Each input shape is a list of integers, e.g. [1, 3, 224, 224]';
  if (shapes.length > 8) return 'At most 8 inputs';
  for (const s of shapes as unknown[][]) {
    if (s.length === 0 || s.length > 8) return 'A shape has 1 to 8 dimensions';
    if (!s.every((d) => Number.isInteger(d) && (d as number) > 0)) return 'Dimensions are positive integers';
    if (s.reduce((p: number, d) => p * (d as number), 1) > 2 ** 31) return 'That tensor would be too large (more than 2³¹ elements)';
  }
  return shapes as number[][];
}

export function formatShapesInput(shapes: number[][]): string {
  return shapes.length === 1 ? shapes[0].join(', ') : shapes.map((s) => `[${s.join(', ')}]`).join(', ');
}

/**
 * Checks that constructor arguments read as a Python argument list: brackets balanced and strings closed.
 * Returns an error message, or undefined when it looks right (the engine reports anything subtler).
 */
export function validateArgs(text: string): string | undefined {
  const closing: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
  const stack: string[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"' || ch === "'") {
      const end = text.indexOf(ch, i + 1);
      if (end < 0) return 'A string is not closed';
      i = end;
    } else if (ch in closing) {
      stack.push(closing[ch]);
    } else if (ch === ')' || ch === ']' || ch === '}') {
      if (stack.pop() !== ch) return `Unbalanced '${ch}'`;
    } else if (ch === '\n' || ch === ';') {
      return 'Only an argument list, e.g. 64, 128, stride=2';
    }
  }
  if (stack.length) return `Missing '${stack[stack.length - 1]}'`;
  return undefined;
}

const channelIn = /^(in_?(channels|chans|planes|ch|c)|inplanes|c_in|ch_in|channels|num_channels|dim_in)$/i;
const channelOut = /^(out_?(channels|chans|planes|ch|c)|planes|c_out|ch_out|dim_out)$/i;
const featuresIn = /^(in_features|in_dim|input_dim|input_size|d_in)$/i;
const featuresOut = /^(out_features|out_dim|output_dim|output_size|d_out)$/i;
const width = /(dim|d_model|hidden|width|features|embed|size)$/i;

/** Calls of a class in a trace, roots first. */
function callsOf(trace: TraceResult | undefined, className: string): ModuleCall[] {
  return trace ? trace.modules.filter((m) => m.className === className) : [];
}

function descendants(trace: TraceResult, call: ModuleCall): ModuleCall[] {
  const out: ModuleCall[] = [];
  const visit = (id: number) => {
    const m = trace.modules[id];
    if (!m) return;
    out.push(m);
    m.children.forEach(visit);
  };
  call.children.forEach(visit);
  return out;
}

/**
 * Constructor arguments for a class: the ones its last traced construction used when the trace saw one,
 * otherwise its __init__ parameters without defaults, guessed from their names and the input shape.
 */
export function inferConstructorArgs(cls: ClassFacts, facts: SyntaxFacts | undefined, trace: TraceResult | undefined, inputShape: number[]): string {
  for (const call of callsOf(trace, cls.name)) {
    const def = call.definedAt;
    const ctor = def && facts?.ctorCalls.find((c) => c.span.start <= def.span.end && def.span.start <= c.span.end);
    if (ctor) return [...ctor.args, ...Object.entries(ctor.keywords).map(([k, v]) => `${k}=${v}`)].join(', ');
  }
  const init = cls.methods.find((m) => m.name === '__init__');
  if (!init) return '';
  const firstCall = callsOf(trace, cls.name)[0];
  const inner = firstCall && trace ? descendants(trace, firstCall) : [];
  const firstLayer = inner.find((m) => m.inputShapes[0]);
  const channels = firstLayer?.inputShapes[0]?.[1] ?? inputShape[1] ?? 64;
  const features = firstLayer?.inputShapes[0]?.at(-1) ?? inputShape.at(-1) ?? 64;
  const args: string[] = [];
  for (const p of init.params.slice(1)) {
    if (p.defaultText !== undefined) continue;
    const n = p.name;
    if (channelIn.test(n)) args.push(String(channels));
    else if (channelOut.test(n)) args.push(String(firstLayer?.outputShapes[0]?.[1] ?? 64));
    else if (featuresIn.test(n)) args.push(String(features));
    else if (featuresOut.test(n)) args.push(String(features));
    else if (/stride/i.test(n)) args.push('1');
    else if (/kernel/i.test(n)) args.push('3');
    else if (/classes/i.test(n)) args.push('10');
    else if (/heads/i.test(n)) args.push('8');
    else if (width.test(n)) args.push(String(features));
    else args.push('64');
  }
  return args.join(', ');
}

/** Input shapes for a class: what the trace fed it, else the default shape with the channel count of its first layer. */
export function inferInputShapes(className: string, trace: TraceResult | undefined, fallback: number[]): number[][] {
  const call = callsOf(trace, className).find((m) => m.inputShapes.length > 0);
  if (call) return call.inputShapes;
  return [fallback];
}
