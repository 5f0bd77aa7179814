// Python source → engine AST (ast.ts), via @lezer/python. Never throws: broken statements become
// ErrorStmt nodes, and their source is blanked and re-parsed so the statements around them survive.

import type { SyntaxNode, Tree } from '@lezer/common';
import { parser } from '@lezer/python';
import type { ErrorStmt, Module, Span, Stmt } from './ast';
import { fastParsePython } from './fastParse';
import { COMPOUND, type Owner, STMT_NODES, StmtConverter } from './parseStmt';
import {
  afterLineBreak, lineEndOf, lineIndent, lineNumberOf, lineStartOf, type Problem, RANK_GENERIC, RANK_SPECIFIC,
  RANK_TOKEN, trimEnd,
} from './parseStrings';

/** Re-parse rounds before remaining broken statements are kept as they are. */
const MAX_PASSES = 6;

/** A blanked stretch of source and the ErrorStmt that stands for it. */
interface Region {
  /** Blanked range in the working text. */
  start: number;
  end: number;
  /** Where the `0` placeholder statement sits. */
  placeholder: number;
  /** Indentation written before the placeholder (from `start`), for indentation repairs. */
  prefix: string;
  stmt: ErrorStmt;
  error: { message: string; span: Span };
}

/**
 * Parses Python source into the engine's AST. Every node carries `[start, end)` character offsets
 * into `text`. Syntax errors never throw: each broken statement becomes an `ErrorStmt` (statements
 * around it, including the rest of an enclosing body, are still produced) and every error is listed in
 * `Module.syntaxErrors` in source order, with CPython-style messages.
 */
export function parsePython(text: string): Module {
  // Clean, common code takes the hand-written fast path (same AST); anything else goes through lezer.
  return fastParsePython(text) ?? parsePythonLezer(text);
}

/** The lezer path alone (error recovery and diagnostics); parsePython uses it when the fast path gives up. */
export function parsePythonLezer(text: string): Module {
  try {
    return parseWithRepair(text);
  } catch (e) {
    const message = `internal parser error: ${e instanceof Error ? e.message : String(e)}`;
    return {
      kind: 'Module',
      body: text.trim() ? [{ kind: 'ErrorStmt', message, start: 0, end: text.length }] : [],
      syntaxErrors: text.trim() ? [{ message, span: { start: 0, end: text.length } }] : [],
      start: 0,
      end: text.length,
    };
  }
}

function parseWithRepair(text: string): Module {
  // A UTF-8 byte-order mark is legal before the first line; a form feed keeps offsets and column 0.
  let work = text.charCodeAt(0) === 0xfeff ? '\f' + text.slice(1) : text;
  let regions: Region[] = [];
  /** Errors of every region ever blanked (a later, larger region may swallow an earlier one). */
  const regionErrors: Array<{ message: string; span: Span }> = [];
  for (let pass = 0; ; pass++) {
    // Each pass is a full parse: lezer's incremental reuse (TreeFragment) was measured to reuse
    // nodes parsed under a different indentation context and give worse trees after a repair.
    const tree = parser.parse(work);
    const placeholders = new Map<number, ErrorStmt>();
    for (const r of regions) placeholders.set(r.placeholder, r.stmt);
    const conv = new BlockConverter(work, placeholders, regions);
    const body = conv.block(tree.topNode, null);
    // Only regions that still hold code make progress (a re-parse of blanked text changes nothing).
    const fresh = pickRepairs(work, tree, conv.bad).filter(r => /\S/.test(work.slice(r.start, r.end)));
    if (fresh.length === 0 || pass === MAX_PASSES - 1) {
      const syntaxErrors = regionErrors.slice();
      for (const b of conv.bad) syntaxErrors.push({ message: b.problem.message, span: b.problem.span });
      syntaxErrors.sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
      return { kind: 'Module', body, syntaxErrors, start: 0, end: text.length };
    }
    fresh.sort((a, b) => a.start - b.start);
    const merged: Region[] = [];
    for (const r of fresh) {
      const last = merged[merged.length - 1];
      if (last && r.start < last.end) {
        if (r.end > last.end) {
          last.end = r.end;
          last.stmt = { ...last.stmt, end: Math.max(last.stmt.end, r.stmt.end) };
        }
      } else merged.push(r);
    }
    for (const r of merged) {
      regionErrors.push(r.error);
      // The ErrorStmt of a region that swallows earlier ones reports the earliest error inside it.
      let first = r.error;
      for (const e of regionErrors) {
        if (e.span.start >= r.start && e.span.start < r.end && e.span.start < first.span.start) first = e;
      }
      if (first !== r.error) r.stmt = { ...r.stmt, message: first.message };
    }
    regions = regions.filter(old => !merged.some(r => old.placeholder >= r.start && old.placeholder < r.end));
    work = blank(work, merged);
    regions.push(...merged);
  }
}

// ---------------------------------------------------------------- blocks and broken statements

/** A statement (or stray piece of source) that did not convert cleanly. */
interface BadItem {
  /** Where the broken source starts (statement start; line start for indentation repairs). */
  from: number;
  /** End of the lezer node(s) involved. */
  to: number;
  /** Start of the ErrorStmt span (first non-blank character). */
  spanStart: number;
  problem: Problem;
  /** The lezer tree around it is unreliable: blank it out and re-parse. */
  repair: boolean;
  /** Later statements may be mis-nested because of it: repair it before looking further. */
  structural: boolean;
  /** Indentation repairs: the placeholder's indentation and the column deeper lines must exceed. */
  indentPrefix?: string;
  threshold?: number;
}

interface BlockState {
  owner: Owner | null;
  colonSeen: boolean;
  expectedCol: number;
  prefix: string;
  prevNode: SyntaxNode | null;
  prevIndex: number;
  prevBad: boolean;
  out: Stmt[];
}

/**
 * Converts blocks: checks indentation, turns broken statements into ErrorStmts and records them in
 * `bad`, attributes lezer's block-level error nodes, and substitutes placeholders from earlier passes.
 */
class BlockConverter extends StmtConverter {
  /**
   * @param placeholders ErrorStmts for regions blanked in earlier passes, by placeholder offset.
   * @param blanked Ranges blanked in earlier passes; lezer's stray errors inside them are ignored.
   */
  constructor(text: string, placeholders: ReadonlyMap<number, ErrorStmt>, readonly blanked: ReadonlyArray<Span>) {
    super(text, placeholders);
  }

  readonly bad: BadItem[] = [];
  /** Indentation levels of the blocks enclosing the current position (module level first). */
  private readonly levels: Array<{ col: number; prefix: string }> = [{ col: 0, prefix: '' }];

  /** Statements of a Script or Body node. `owner` is null for the module. */
  block(container: SyntaxNode, owner: Owner | null): Stmt[] {
    const st: BlockState = {
      owner, colonSeen: owner === null, expectedCol: owner ? -1 : 0, prefix: '', prevNode: null, prevIndex: -1,
      prevBad: false, out: [],
    };
    const depth = this.levels.length;
    for (let c = container.firstChild; c; c = c.nextSibling) {
      const name = c.name;
      if (name === 'Comment') continue;
      if (name === ':' && !st.colonSeen) { st.colonSeen = true; continue; }
      if (name === 'StatementGroup') this.group(c, st);
      else if (STMT_NODES.has(name)) this.item(c, st);
      else this.junk(c, st);
    }
    this.levels.length = depth;
    if (owner && st.colonSeen && st.out.length === 0 && st.prevNode === null) this.noBlock(owner, container.to);
    return st.out;
  }

  private noBlock(owner: Owner, at: number): void {
    if (this.problem && this.problem.rank <= RANK_SPECIFIC) return;
    const s = this.pointSpan(at);
    this.treeBroken = true;
    this.report(RANK_SPECIFIC,
      `expected an indented block after ${owner.label} on line ${lineNumberOf(this.text, owner.kwPos)}`, s.start, s.end);
  }

  /** `a; b; c` on one line. */
  private group(g: SyntaxNode, st: BlockState): void {
    let prevSemi = false;
    for (let c = g.firstChild; c; c = c.nextSibling) {
      if (c.name === 'Comment') continue;
      if (c.name === ';') {
        if (prevSemi) this.markPrevBad(st, { rank: RANK_GENERIC, message: 'invalid syntax', span: { start: c.from, end: c.to } }, false);
        prevSemi = true;
        continue;
      }
      prevSemi = false;
      if (STMT_NODES.has(c.name)) this.item(c, st);
      else this.junk(c, st);
    }
  }

  /** One statement node in a block: placeholder substitution, indentation check, conversion. */
  private item(c: SyntaxNode, st: BlockState): void {
    const ph = this.placeholders.get(c.from);
    if (ph && c.name === 'ExpressionStatement' && c.to === c.from + 1) {
      st.out.push(ph);
      st.prevNode = c; st.prevIndex = st.out.length - 1; st.prevBad = true;
      return;
    }
    const t = this.text;
    const li = lineIndent(t, lineStartOf(t, c.from));
    let indentMsg: string | null = null;
    if (li.firstNonWs === c.from) {
      if (st.expectedCol < 0) {
        st.expectedCol = li.col; st.prefix = t.slice(li.lineStart, c.from);
        this.levels.push({ col: st.expectedCol, prefix: st.prefix });
      } else if (li.col !== st.expectedCol) indentMsg = this.indentMessage(li.lineStart, li.col, st.expectedCol);
    }
    const savedProblem = this.problem, savedBroken = this.treeBroken;
    this.problem = null; this.treeBroken = false;
    let s: Stmt;
    if (indentMsg) {
      this.report(RANK_TOKEN, indentMsg, c.from, Math.min(c.to, li.lineEnd));
      s = this.stmt(c);
      this.treeBroken = true;
    } else {
      s = this.stmt(c);
      if (this.problem === null) this.scanErrors(c);
    }
    const problem = this.problem as Problem | null;
    if (problem !== null) {
      const item: BadItem = {
        from: indentMsg ? li.lineStart : c.from, to: c.to, spanStart: c.from, problem,
        repair: this.treeBroken, structural: indentMsg !== null || COMPOUND.has(c.name),
      };
      if (indentMsg) {
        const level = this.levelFor(li.col, indentMsg);
        item.indentPrefix = level.prefix; item.threshold = level.col;
      }
      this.bad.push(item);
      s = this.errorStmt(c.from, c.to, problem.message);
      st.prevBad = true;
    } else st.prevBad = false;
    this.problem = savedProblem; this.treeBroken = savedBroken;
    st.out.push(s);
    st.prevNode = c; st.prevIndex = st.out.length - 1;
  }

  private indentMessage(lineStart: number, col: number, blockCol: number): string {
    return col > blockCol && this.prevLineCol(lineStart) <= col
      ? 'unexpected indent' : 'unindent does not match any outer indentation level';
  }

  /** The block level a mis-indented line is re-attached to when it is repaired. */
  private levelFor(col: number, message: string): { col: number; prefix: string } {
    const lv = this.levels;
    if (message === 'unexpected indent') return lv[lv.length - 1];
    for (let i = lv.length - 1; i >= 0; i--) if (lv[i].col < col) return lv[i];
    return lv[0];
  }

  /** Indent column of the nearest non-blank line above the line starting at `lineStart`. */
  private prevLineCol(lineStart: number): number {
    const t = this.text;
    let ls = lineStart;
    while (ls > 0) {
      ls = lineStartOf(t, ls - 1);
      const li = lineIndent(t, ls);
      if (!li.blank) return li.col;
    }
    return 0;
  }

  /** Anything else at block level: lezer error nodes, stray tokens. */
  private junk(c: SyntaxNode, st: BlockState): void {
    const t = this.text;
    const owner = st.owner;
    if (owner && !st.colonSeen) {
      // Lezer could not find the ':' of the header.
      this.treeBroken = true;
      let k = c.from;
      while (k > 0 && /\s/.test(t[k - 1])) k--;
      this.report(RANK_SPECIFIC, "expected ':'", Math.max(0, k - 1), Math.max(k, 1));
      st.colonSeen = true;
      return;
    }
    if (owner && st.prevNode === null) { this.noBlock(owner, c.from); return; }
    // Lezer closes blocks with an empty error node when the next line's indentation fits no block.
    const blank = c.from === c.to || /^\s*$/.test(t.slice(c.from, c.to));
    if (blank && this.blanked.some(r => c.from >= r.start && c.to <= r.end)) return;
    if (blank && this.badIndentAfter(c.from)) return;
    const problem = this.isolated(() => this.unexpected(c));
    const prev = st.prevNode;
    const sameLine = prev !== null && !/[\n\r]/.test(t.slice(prev.to, c.from));
    if (sameLine) { this.markPrevBad(st, problem, true); return; }
    let q = c.to;
    while (q < t.length && /\s/.test(t[q])) q++;
    if (c.from === c.to && prev) { this.markPrevBad(st, problem, true); return; }
    const start = c.from === c.to ? q : c.from;
    this.bad.push({ from: start, to: Math.max(c.to, start), spanStart: start, problem, repair: true, structural: true });
    st.out.push(this.errorStmt(start, Math.max(c.to, start), problem.message));
    st.prevNode = c; st.prevIndex = st.out.length - 1; st.prevBad = true;
  }

  /**
   * When the first code line after `pos` starts a new line at a column no enclosing block uses,
   * records an indentation error for it and returns true.
   */
  private badIndentAfter(pos: number): boolean {
    const t = this.text;
    let q = pos;
    for (;;) {
      while (q < t.length && /\s/.test(t[q])) q++;
      if (t[q] !== '#') break;
      while (q < t.length && t[q] !== '\n' && t[q] !== '\r') q++;
    }
    if (q >= t.length) return false;
    const li = lineIndent(t, lineStartOf(t, q));
    if (li.firstNonWs !== q || li.lineStart < pos || this.levels.some(l => l.col === li.col)) return false;
    if (this.bad.some(b => b.spanStart === q)) return true;
    const message = this.indentMessage(li.lineStart, li.col, this.levels[this.levels.length - 1].col);
    const level = this.levelFor(li.col, message);
    this.bad.push({
      from: li.lineStart, to: li.lineEnd, spanStart: q,
      problem: { rank: RANK_TOKEN, message, span: { start: q, end: trimEnd(t, q, li.lineEnd) } },
      repair: true, structural: true, indentPrefix: level.prefix, threshold: level.col,
    });
    return true;
  }

  /** Runs `f` with a fresh problem scope and returns what it reported. */
  private isolated(f: () => void): Problem {
    const savedProblem = this.problem, savedBroken = this.treeBroken;
    this.problem = null;
    f();
    const p = this.problem ?? { rank: RANK_GENERIC, message: 'invalid syntax', span: { start: 0, end: 0 } };
    this.problem = savedProblem; this.treeBroken = savedBroken;
    return p;
  }

  private markPrevBad(st: BlockState, problem: Problem, repair: boolean): void {
    const prev = st.prevNode;
    if (!prev) return;
    if (st.prevBad) {
      for (let i = this.bad.length - 1; i >= 0; i--) if (this.bad[i].spanStart === prev.from) { this.bad[i].repair ||= repair; break; }
      return;
    }
    this.bad.push({ from: prev.from, to: prev.to, spanStart: prev.from, problem, repair, structural: COMPOUND.has(prev.name) });
    st.out[st.prevIndex] = this.errorStmt(prev.from, prev.to, problem.message);
    st.prevBad = true;
  }

  /** An ErrorStmt over `[from, to)` with trailing whitespace trimmed. */
  errorStmt(from: number, to: number, message: string): ErrorStmt {
    return { kind: 'ErrorStmt', message, start: from, end: Math.max(from, trimEnd(this.text, from, to)) };
  }

  /** Safety net: reports any lezer error node in a statement's own (non-Body) subtree. */
  private scanErrors(n: SyntaxNode): void {
    const c = n.cursor();
    let depth = 0;
    if (!c.firstChild()) return;
    depth++;
    for (;;) {
      let enter = true;
      if (c.type.isError) {
        if (!this.forgiven.has(c.from)) { this.errorNode(c.node); return; }
        enter = false;
      } else if (c.name === 'Body') enter = false;
      if (enter && c.firstChild()) { depth++; continue; }
      while (!c.nextSibling()) {
        if (--depth === 0 || !c.parent()) return;
      }
    }
  }
}

/**
 * Regions to blank this pass: broken statements in source order, up to and including the first one
 * that may have disturbed the tree after it (compound header, indentation, or a statement lezer let
 * run past its own lines, e.g. an unclosed bracket).
 */
function pickRepairs(text: string, tree: Tree, bad: BadItem[]): Region[] {
  const items = bad.filter(b => b.repair).sort((a, b) => a.from - b.from);
  const regions = items.map(b => makeRegion(text, tree, b));
  const swallows = items.map((b, i) => trimEnd(text, b.spanStart, b.to) > regions[i].end);
  const out: Region[] = [];
  for (let i = 0; i < items.length; i++) {
    const b = items[i];
    // A statement wrapping one that runs past its own lines (unclosed bracket or string) is broken
    // only as a consequence: repair the inner one first.
    if (items.some((o, j) => j > i && swallows[j] && o.from < b.to)) continue;
    out.push(regions[i]);
    if (b.structural || swallows[i]) break;
  }
  return out;
}

/** True when the line break at `pos` continues the logical line (backslash, or inside a string). */
function continues(text: string, tree: Tree, pos: number): boolean {
  if (pos > 0 && text.charCodeAt(pos - 1) === 92) return true;
  for (let n: ReturnType<Tree['resolveInner']> | null = tree.resolveInner(pos, 0); n; n = n.parent) {
    if ((n.name === 'String' || n.name === 'FormatString') && n.from < pos && n.to > pos) return true;
  }
  return false;
}

/**
 * The source lines a broken statement owns: its first line, continuation lines (backslash, open
 * strings, lines starting with a closing bracket) and every following line indented deeper.
 */
function makeRegion(text: string, tree: Tree, b: BadItem): Region {
  const first = lineIndent(text, lineStartOf(text, b.from));
  const threshold = b.threshold ?? first.col;
  const nodeEnd = trimEnd(text, b.spanStart, b.to);
  // The region reaches at least the reported error (e.g. a missing ':' after `else` further down),
  // unless it is a generic error, which lezer may report far away where it gave up.
  const minEnd = b.problem.rank >= RANK_GENERIC ? b.spanStart : Math.min(Math.max(b.problem.span.start, b.spanStart), nodeEnd);
  let end = lineEndOf(text, b.from);
  let pos = end;
  while (pos < text.length) {
    const li = lineIndent(text, afterLineBreak(text, pos));
    const cont = continues(text, tree, pos);
    if (cont || li.lineStart < minEnd) { pos = li.lineEnd; end = pos; continue; }
    if (li.blank) { pos = li.lineEnd; continue; }
    const ch = text[li.firstNonWs];
    if (li.col > threshold || ch === ')' || ch === ']' || ch === '}') { pos = li.lineEnd; end = pos; continue; }
    break;
  }
  // Indentation repairs re-indent the placeholder to the block's level so lezer nests it correctly.
  let placeholder = b.spanStart, prefix = '';
  let start = b.from;
  if (b.indentPrefix !== undefined && first.lineStart + b.indentPrefix.length < first.lineEnd) {
    start = first.lineStart;
    prefix = b.indentPrefix;
    placeholder = start + prefix.length;
  }
  const stmtEnd = Math.max(b.spanStart, trimEnd(text, b.spanStart, end));
  return {
    start,
    end,
    placeholder,
    prefix,
    stmt: { kind: 'ErrorStmt', message: b.problem.message, start: b.spanStart, end: stmtEnd },
    error: { message: b.problem.message, span: b.problem.span },
  };
}

/** The text with each region replaced by spaces (line breaks kept) and a `0` statement at its placeholder. */
function blank(text: string, regions: Region[]): string {
  let out = '';
  let pos = 0;
  for (const r of regions) {
    out += text.slice(pos, r.start) + r.prefix;
    for (let i = r.start + r.prefix.length; i < r.end; i++) {
      const c = text.charCodeAt(i);
      out += i === r.placeholder ? '0' : c === 10 || c === 13 ? text[i] : ' ';
    }
    pos = r.end;
  }
  return out + text.slice(pos);
}
