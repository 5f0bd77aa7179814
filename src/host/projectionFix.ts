// Computes the Quick Fix for a residual addition whose operands differ in shape: a projection (1×1 conv +
// BatchNorm, or a Linear layer) defined in __init__ and applied to the shortcut. Pure: works from the trace's
// shapes and definition sites and from the worker's syntax facts, never from regular expressions over source.

import type { Diagnostic, Location } from '../core/diagnostics';
import type { Span } from '../core/syntax/ast';
import type { ModuleCall, Shape, TraceResult } from '../core/trace/types';
import type { AddSiteFacts, ClassFacts, CtorCallFacts, MethodFacts, SyntaxFacts } from '../worker/protocol';
import { formatShape } from './format';

/** A replacement of [start, end) in the file's traced text. */
export interface TextEdit {
  start: number;
  end: number;
  newText: string;
}

export interface ProjectionFix {
  title: string;
  edits: TextEdit[];
  /** Name of the new attribute, e.g. 'shortcut'. */
  attribute: string;
}

export interface ProjectionFixInput {
  /** The text of the file the diagnostic is in, exactly as traced. */
  text: string;
  facts: SyntaxFacts;
  diagnostic: Diagnostic;
  trace: TraceResult;
}

/** Where a diagnostic's error happened: its innermost traceback frame (Python prints it last), else its location. */
export function failingLocation(d: Diagnostic): Location {
  return d.traceback?.length ? d.traceback[d.traceback.length - 1] : d.location;
}

const within = (inner: Span, outer: Span) => inner.start >= outer.start && inner.end <= outer.end;
const overlaps = (a: Span, b: Span) => a.start <= b.end && b.start <= a.end;
const sameShape = (a: Shape, b: Shape) => a.length === b.length && a.every((d, i) => d === b[i]);

/** The projection fix for a 'skip-shape-mismatch' diagnostic, or undefined when no clear fix exists. */
export function projectionFix(input: ProjectionFixInput): ProjectionFix | undefined {
  const { text, facts, diagnostic, trace } = input;
  const shapes = diagnostic.operandShapes;
  if (!shapes || shapes.length !== 2) return undefined;
  const failing = failingLocation(diagnostic);
  const site = nearestAddSite(facts.addSites, failing.span);
  if (!site) return undefined;
  const cls = innermostClass(facts.classes, site.span);
  const init = cls?.methods.find((m) => m.name === '__init__');
  if (!cls || !init) return undefined;

  const file = failing.file;
  const calls = trace.modules.filter((m) => m.className === cls.name && (!m.classDefinedAt || m.classDefinedAt.file === file));
  const blockInput = calls.find((m) => m.inputShapes.length > 0)?.inputShapes[0];
  const shortcutIndex = pickShortcut(shapes as [Shape, Shape], site, blockInput);
  if (shortcutIndex === undefined) return undefined;
  const shortcut = shapes[shortcutIndex];
  const main = shapes[1 - shortcutIndex];
  const operand = site.operands[shortcutIndex];
  // Wrapping an augmented assignment's target would not be valid Python.
  if (site.kind === 'augassign' && shortcutIndex === 0) return undefined;

  const nn = facts.nnAlias ?? (facts.importsTorch ? 'torch.nn' : 'nn');
  const attribute = ['shortcut', 'projection', 'shortcut_proj', 'proj_shortcut'].find((n) => !cls.selfAttributes.includes(n));
  if (!attribute) return undefined;
  const children = childCalls(trace, calls);
  const layer = projectionLayer(shortcut, main, children, facts.ctorCalls, init, nn);
  if (!layer) return undefined;

  const indent = init.bodyIndent;
  const lineEnd = text.indexOf('\n', init.lastStmtEnd);
  const insertAt = lineEnd < 0 ? text.length : lineEnd;
  const body = layer.lines.map((l) => `\n${indent}${l}`).join('');
  const definition =
    `\n${indent}# Projection so the shortcut matches the main path (${formatShape(shortcut)} → ${formatShape(main)}).` +
    body.replace(`\n${indent}SELF`, `\n${indent}self.${attribute}`);
  return {
    title: layer.title,
    attribute,
    edits: [
      { start: insertAt, end: insertAt, newText: definition },
      { start: operand.span.start, end: operand.span.end, newText: `self.${attribute}(${operand.text})` },
    ],
  };
}

function nearestAddSite(sites: AddSiteFacts[], span: Span): AddSiteFacts | undefined {
  let best: AddSiteFacts | undefined;
  let score = Infinity;
  for (const s of sites) {
    if (!overlaps(s.span, span) && !overlaps(s.stmtSpan, span)) continue;
    const d = Math.abs(s.span.start - span.start) + Math.abs(s.span.end - span.end);
    if (d < score) {
      score = d;
      best = s;
    }
  }
  return best;
}

function innermostClass(classes: ClassFacts[], span: Span): ClassFacts | undefined {
  return classes.filter((c) => within(span, c.span)).sort((a, b) => a.span.end - a.span.start - (b.span.end - b.span.start))[0];
}

/** Which operand is the shortcut: the one with the block's input shape, else the one with the larger spatial extent. */
function pickShortcut(shapes: [Shape, Shape], site: AddSiteFacts, blockInput: Shape | undefined): 0 | 1 | undefined {
  if (blockInput) {
    const a = sameShape(shapes[0], blockInput);
    const b = sameShape(shapes[1], blockInput);
    if (a !== b) return a ? 0 : 1;
  }
  const [s0, s1] = shapes;
  if (s0.length !== s1.length || s0.length < 2) return undefined;
  const spatial = (s: Shape) => s.slice(2).reduce((p, d) => p * d, 1);
  if (s0.length >= 3 && spatial(s0) !== spatial(s1)) return spatial(s0) > spatial(s1) ? 0 : 1;
  // Same extent: a bare name (`identity`, `x`) against a computed value is the shortcut; otherwise the right operand.
  const [o0, o1] = site.operands;
  if (o0.isName && !o1.isName && site.kind !== 'augassign') return 0;
  return 1;
}

/** Direct and nested child calls of the block's calls, in call order. */
function childCalls(trace: TraceResult, calls: ModuleCall[]): ModuleCall[] {
  const ids = new Set(calls.map((c) => c.id));
  return trace.modules.filter((m) => {
    for (let p = m.parent; p !== null; p = trace.modules[p]?.parent ?? null) if (ids.has(p)) return true;
    return false;
  });
}

interface Layer {
  title: string;
  /** Lines of the definition; the first starts with SELF, replaced by `self.<attribute>`. */
  lines: string[];
}

/** The smallest stride s with ⌊(in − 1)/s⌋ + 1 = out on every spatial dimension (a 1×1 conv without padding). */
function strideFor(input: number[], output: number[]): number | undefined {
  for (let s = 1; s <= Math.max(1, ...input); s++) {
    if (input.every((n, i) => Math.floor((n - 1) / s) + 1 === output[i])) return s;
  }
  return undefined;
}

function projectionLayer(
  shortcut: Shape,
  main: Shape,
  children: ModuleCall[],
  ctorCalls: CtorCallFacts[],
  init: MethodFacts,
  nn: string,
): Layer | undefined {
  if (shortcut.length !== main.length || shortcut[0] !== main[0]) return undefined;
  const rank = shortcut.length;
  const convs = children.filter((c) => /^Conv[123]d$/.test(c.className));
  const convDim = rank === 4 ? 2 : rank === 5 ? 3 : rank === 3 && convs.some((c) => c.className === 'Conv1d') ? 1 : 0;
  const ctorAt = (m: ModuleCall) => {
    const d = m.definedAt;
    if (!d) return undefined;
    const c = ctorCalls.find((k) => overlaps(k.span, d.span));
    // Only reuse argument expressions written inside __init__, where they are in scope.
    return c && within(c.span, init.span) ? c : undefined;
  };

  if (convDim > 0) {
    const inC = shortcut[1];
    const outC = main[1];
    const stride = strideFor(shortcut.slice(2), main.slice(2));
    if (stride === undefined) return undefined;
    if (inC === outC && stride === 1) return undefined;
    // Reuse the block's own expressions (`in_channels`, `out_channels`, `stride`) when the trace shows they hold these values.
    const first = convs.find((c) => c.inputShapes[0]?.[1] === inC);
    const last = [...convs].reverse().find((c) => c.outputShapes[0]?.[1] === outC);
    const strided = convs.find((c) => {
      const i = c.inputShapes[0];
      const o = c.outputShapes[0];
      return stride > 1 && i && o && Math.ceil(i[2] / o[2]) === stride;
    });
    const inText = argText(first && ctorAt(first), 0, 'in_channels') ?? String(inC);
    const outText = argText(last && ctorAt(last), 1, 'out_channels') ?? String(outC);
    // At stride 1 a `stride=<expr>` of the block's convs still belongs on the projection: other instances may stride.
    const strideExpr = convs.map((c) => ctorAt(c)?.keywords.stride).find((t) => t !== undefined && t.trim() !== '1');
    const strideText = stride === 1 ? strideExpr : ((strided && ctorAt(strided)?.keywords.stride) ?? String(stride));
    const conv = `${nn}.Conv${convDim}d(${inText}, ${outText}, kernel_size=1${strideText ? `, stride=${strideText}` : ''}, bias=False)`;
    const bn = `${nn}.BatchNorm${convDim}d(${outText})`;
    return {
      title: `Add a 1×1 conv + BatchNorm projection on the shortcut (${inC}→${outC}${stride > 1 ? `, stride ${stride}` : ''})`,
      lines: [`SELF = ${nn}.Sequential(`, `    ${conv},`, `    ${bn},`, ')'],
    };
  }

  // Features on the last dimension (MLP / transformer blocks): a Linear projection.
  const lastDim = rank - 1;
  if (!shortcut.slice(0, lastDim).every((d, i) => d === main[i])) return undefined;
  const inF = shortcut[lastDim];
  const outF = main[lastDim];
  if (inF === outF) return undefined;
  return {
    title: `Add a Linear projection on the shortcut (${inF}→${outF})`,
    lines: [`SELF = ${nn}.Linear(${inF}, ${outF}, bias=False)`],
  };
}

function argText(c: CtorCallFacts | undefined, index: number, keyword: string): string | undefined {
  if (!c) return undefined;
  return c.args[index] ?? c.keywords[keyword];
}
