// Computes the syntax facts the editor needs (classes, methods, additions at skip sites, constructor calls)
// from the engine's own AST, in the worker, so the extension host never parses Python.

import type * as ast from '../core/syntax/ast';
import type { Span } from '../core/syntax/ast';
import type { AddSiteFacts, ClassFacts, CtorCallFacts, MethodFacts, OperandFacts, SyntaxFacts } from './protocol';

type AnyNode = ast.Node | ast.Param | ast.Keyword | ast.Comprehension | ast.WithItem | ast.ExceptHandler | ast.ImportAlias | ast.Parameters;

/** Interesting spans in this file: skip sites and mismatch diagnostics (for add sites), module definitions (for ctor calls). */
export interface FactTargets {
  addSites: Span[];
  ctorCalls: Span[];
}

/** Walks every child node generically, so new AST fields are covered without changes here (for-in: no arrays). */
function forEachChild(node: object, visit: (child: AnyNode) => void): void {
  const o = node as Record<string, unknown>;
  for (const key in o) {
    const value = o[key];
    if (typeof value !== 'object' || value === null) continue;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) if (isNode(value[i])) visit(value[i]);
    } else if (isNode(value)) {
      visit(value);
    }
  }
}

function isNode(v: unknown): v is AnyNode {
  return typeof v === 'object' && v !== null && typeof (v as Span).start === 'number' && typeof (v as Span).end === 'number';
}

function walk(node: object, visit: (n: AnyNode, parents: AnyNode[]) => void, parents: AnyNode[] = []): void {
  forEachChild(node, (child) => {
    visit(child, parents);
    parents.push(child);
    walk(child, visit, parents);
    parents.pop();
  });
}

const kindOf = (n: AnyNode): string | undefined => (n as { kind?: string }).kind;
const isStmtKind = new Set<string>([
  'ExprStmt', 'Assign', 'AugAssign', 'AnnAssign', 'FunctionDef', 'ClassDef', 'Return', 'Delete', 'Pass', 'Break', 'Continue',
  'If', 'While', 'For', 'With', 'Try', 'Raise', 'Assert', 'Import', 'ImportFrom', 'Global', 'Nonlocal', 'ErrorStmt', 'UnsupportedStmt',
]);

/** What a file's text says regardless of the trace: imports, classes, functions, additions and calls. */
interface FileFacts {
  importsTorch: boolean;
  nnAlias: string | null;
  classes: ClassFacts[];
  functions: Array<{ name: string; span: Span }>;
  additions: Array<{ node: AnyNode; stmt: AnyNode | undefined }>;
  calls: ast.Call[];
}

/** Per parsed module (the engine's parse cache hands back the same AST for the same text, e.g. imported files). */
const fileFactsCache = new WeakMap<ast.Module, FileFacts>();

function fileFacts(text: string, module: ast.Module): FileFacts {
  const cached = fileFactsCache.get(module);
  if (cached) return cached;
  let importsTorch = false;
  /** `import torch.nn as X` / `from torch import nn as X` win over `torch.nn` through `import torch as t`. */
  let explicitNn: string | undefined;
  let torchName: string | undefined;
  const classes: ClassFacts[] = [];
  const functions: Array<{ name: string; span: Span }> = [];
  const additions: Array<{ node: AnyNode; stmt: AnyNode | undefined }> = [];
  const calls: ast.Call[] = [];
  walk(module, (n, parents) => {
    switch (kindOf(n)) {
      case 'Import':
        for (const a of (n as ast.Import).names) {
          if (a.name === 'torch' || a.name.startsWith('torch.')) importsTorch = true;
          if (a.name === 'torch.nn' && a.asname) explicitNn ??= a.asname;
          if (a.name === 'torch' || (a.name.startsWith('torch.') && !a.asname)) torchName ??= a.name === 'torch' ? (a.asname ?? 'torch') : 'torch';
        }
        break;
      case 'ImportFrom': {
        const f = n as ast.ImportFrom;
        if (f.level === 0 && (f.module === 'torch' || f.module.startsWith('torch.'))) importsTorch = true;
        if (f.level === 0 && f.module === 'torch') {
          const nn = f.names.find((a) => a.name === 'nn');
          if (nn) explicitNn ??= nn.asname ?? 'nn';
        }
        break;
      }
      case 'FunctionDef':
        functions.push({ name: (n as ast.FunctionDef).name, span: { start: n.start, end: n.end } });
        break;
      case 'ClassDef':
        classes.push(classFacts(n as ast.ClassDef, text));
        break;
      case 'BinOp':
        if ((n as ast.BinOp).op === '+') additions.push({ node: n, stmt: innermostStmt(parents) });
        break;
      case 'AugAssign':
        if ((n as ast.AugAssign).op === '+') additions.push({ node: n, stmt: n });
        break;
      case 'Call': {
        const c = n as ast.Call;
        calls.push(c);
        // torch.add(a, b) and a.add(b); which one it is is decided from the arguments in addSiteFacts.
        if (c.func.kind === 'Attribute' && c.func.attr === 'add') additions.push({ node: n, stmt: innermostStmt(parents) });
        break;
      }
    }
  });

  const nnAlias = explicitNn ?? (torchName ? `${torchName}.nn` : null);
  const facts: FileFacts = { importsTorch, nnAlias: importsTorch ? nnAlias : null, classes, functions, additions, calls };
  fileFactsCache.set(module, facts);
  return facts;
}

/** Builds the facts for one parsed file. */
export function computeSyntaxFacts(text: string, module: ast.Module, targets: FactTargets): SyntaxFacts {
  const src = (s: Span) => text.slice(s.start, s.end);
  const { importsTorch, nnAlias, classes, functions, additions, calls } = fileFacts(text, module);

  const addSites: AddSiteFacts[] = [];
  for (const target of targets.addSites) {
    const best = closest(additions, target, (a) => a.node);
    if (!best) continue;
    const facts = addSiteFacts(best.node, best.stmt, src);
    if (facts && !addSites.some((a) => a.span.start === facts.span.start && a.span.end === facts.span.end)) addSites.push(facts);
  }

  const ctorCalls: CtorCallFacts[] = [];
  for (const target of targets.ctorCalls) {
    // The definition site may be the whole `self.x = nn.Conv2d(…)` statement or just the call: take the outermost
    // call inside it, or the innermost call around it.
    const inside = calls.filter((c) => c.start >= target.start && c.end <= target.end).sort((a, b) => a.start - b.start || b.end - a.end);
    const around = calls.filter((c) => c.start <= target.start && c.end >= target.end).sort((a, b) => a.end - a.start - (b.end - b.start));
    const call = inside[0] ?? around[0];
    if (!call || ctorCalls.some((c) => c.span.start === call.start)) continue;
    const keywords: Record<string, string> = {};
    for (const k of call.keywords) if (k.name) keywords[k.name] = src(k.value);
    ctorCalls.push({ span: { start: call.start, end: call.end }, args: call.args.map((a) => src(a)), keywords });
  }

  return { importsTorch, nnAlias, classes, functions, addSites, ctorCalls };
}

function innermostStmt(parents: AnyNode[]): AnyNode | undefined {
  for (let i = parents.length - 1; i >= 0; i--) {
    const k = kindOf(parents[i]);
    if (k && isStmtKind.has(k)) return parents[i];
  }
  return undefined;
}

/** The candidate whose span best matches `target` (overlapping, nearest ends). */
function closest<T>(items: T[], target: Span, spanOf: (t: T) => Span): T | undefined {
  let best: T | undefined;
  let bestScore = Infinity;
  for (const it of items) {
    const s = spanOf(it);
    if (s.end < target.start || s.start > target.end) continue;
    const score = Math.abs(s.start - target.start) + Math.abs(s.end - target.end);
    if (score < bestScore) {
      bestScore = score;
      best = it;
    }
  }
  return best;
}

function addSiteFacts(node: AnyNode, stmt: AnyNode | undefined, src: (s: Span) => string): AddSiteFacts | undefined {
  const span = { start: node.start, end: node.end };
  const stmtSpan = stmt ? { start: stmt.start, end: stmt.end } : span;
  switch (kindOf(node)) {
    case 'BinOp': {
      const b = node as ast.BinOp;
      return { span, kind: 'binop', stmtSpan, operands: [operand(b.left, src), operand(b.right, src)] };
    }
    case 'AugAssign': {
      const a = node as ast.AugAssign;
      return { span, kind: 'augassign', stmtSpan, operands: [operand(a.target, src), operand(a.value, src)] };
    }
    case 'Call': {
      const c = node as ast.Call;
      if (c.func.kind !== 'Attribute') return undefined;
      // torch.add(a, b) or a.add(b)
      const pair: ast.Expr[] = c.args.length >= 2 ? [c.args[0], c.args[1]] : c.args.length === 1 ? [c.func.value, c.args[0]] : [];
      if (pair.length !== 2) return undefined;
      return { span, kind: 'call', stmtSpan, operands: [operand(pair[0], src), operand(pair[1], src)] };
    }
  }
  return undefined;
}

function operand(e: ast.Expr, src: (s: Span) => string): OperandFacts {
  const selfAttrs: string[] = [];
  const visit = (n: AnyNode) => {
    if (kindOf(n) === 'Attribute') {
      const a = n as ast.Attribute;
      if (a.value.kind === 'Name' && a.value.id === 'self' && !selfAttrs.includes(a.attr)) selfAttrs.push(a.attr);
    }
  };
  visit(e);
  walk(e, visit);
  return { span: { start: e.start, end: e.end }, text: src(e), isCall: e.kind === 'Call', isName: e.kind === 'Name', selfAttrs };
}

function classFacts(c: ast.ClassDef, text: string): ClassFacts {
  const methods: MethodFacts[] = [];
  const selfAttributes: string[] = [];
  for (const s of c.body) {
    if (s.kind !== 'FunctionDef') continue;
    const params = [...s.params.posOnly, ...s.params.args, ...s.params.kwOnly].map((p) => ({
      name: p.name,
      ...(p.default ? { defaultText: text.slice(p.default.start, p.default.end) } : {}),
    }));
    const first = s.body[0];
    const last = s.body[s.body.length - 1];
    methods.push({
      name: s.name,
      span: { start: s.start, end: s.end },
      params,
      bodyIndent: first ? indentAt(text, first.start) : indentAt(text, s.start) + '    ',
      lastStmtEnd: last ? last.end : s.end,
    });
  }
  walk(c, (n) => {
    if (kindOf(n) !== 'Assign' && kindOf(n) !== 'AnnAssign' && kindOf(n) !== 'AugAssign') return;
    const targets = kindOf(n) === 'Assign' ? (n as ast.Assign).targets : [(n as ast.AnnAssign | ast.AugAssign).target];
    for (const t of targets) {
      if (t.kind === 'Attribute' && t.value.kind === 'Name' && t.value.id === 'self' && !selfAttributes.includes(t.attr)) {
        selfAttributes.push(t.attr);
      }
    }
  });
  return {
    name: c.name,
    span: { start: c.start, end: c.end },
    nameSpan: c.nameSpan,
    bases: c.bases.map((b) => text.slice(b.start, b.end)),
    methods,
    selfAttributes,
  };
}

/** The whitespace between the start of the line holding `offset` and the first non-blank character. */
function indentAt(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  let i = lineStart;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  return text.slice(lineStart, i);
}
