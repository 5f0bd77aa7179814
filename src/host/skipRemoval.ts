// Rewrites a file's text so that every traced skip connection is removed (the addition keeps only its main
// path), for "Compare Without Skip Connections". Line structure is preserved so the rewritten trace's line
// numbers still point at the original source.

import type { ModuleCall, SkipConnection } from '../core/trace/types';
import type { AddSiteFacts, SyntaxFacts } from '../worker/protocol';
import type { TextEdit } from './projectionFix';

export interface SkipRemoval {
  text: string;
  /** Skip connections rewritten. */
  removed: number;
  /** Skip connections in this file whose addition could not be found in the syntax facts. */
  unmatched: number;
}

/** Removes the skips whose site is in `file`, given that file's traced text and syntax facts. */
export function removeSkips(file: string, text: string, facts: SyntaxFacts, skips: SkipConnection[], modules: ModuleCall[]): SkipRemoval {
  const edits: TextEdit[] = [];
  let unmatched = 0;
  for (const skip of skips) {
    if (skip.site.file !== file) continue;
    const site = facts.addSites.find((a) => a.span.start <= skip.site.span.end && skip.site.span.start <= a.span.end);
    if (!site) {
      unmatched++;
      continue;
    }
    if (edits.some((e) => e.start === site.span.start)) continue; // a block called several times has one site
    edits.push(removalEdit(text, site, mainOperand(site, skip, modules)));
  }
  edits.sort((a, b) => b.start - a.start);
  let out = text;
  let last = Infinity;
  let removed = 0;
  for (const e of edits) {
    if (e.end > last) continue; // overlapping (nested additions): keep the outer rewrite only
    out = out.slice(0, e.start) + e.newText + out.slice(e.end);
    last = e.start;
    removed++;
  }
  return { text: out, removed, unmatched };
}

/** Index of the operand that is the main (residual) path. */
export function mainOperand(site: AddSiteFacts, skip: SkipConnection, modules: ModuleCall[]): 0 | 1 {
  // `self.<attr>` as the block's forward reads it: the first segment of the name below the block's own.
  const block = modules[skip.module];
  const prefix = block && block.name ? `${block.name}.` : '';
  const attrOf = (m: ModuleCall) => (m.name.startsWith(prefix) ? m.name.slice(prefix.length) : m.name).split('.')[0];
  const names = (ids: number[]) => new Set(ids.map((id) => modules[id]).filter(Boolean).map(attrOf));
  const main = names(skip.mainModules);
  const short = names(skip.shortcutModules);
  const [a, b] = site.operands;
  const hits = (attrs: string[], set: Set<string>) => attrs.some((x) => set.has(x));
  if (hits(a.selfAttrs, main) !== hits(b.selfAttrs, main)) return hits(a.selfAttrs, main) ? 0 : 1;
  if (hits(a.selfAttrs, short) !== hits(b.selfAttrs, short)) return hits(a.selfAttrs, short) ? 1 : 0;
  if (site.kind === 'augassign') return b.isCall ? 1 : 0; // `x += self.f(x)` vs `out += identity`
  if (a.isCall !== b.isCall) return a.isCall ? 0 : 1;
  return 0;
}

const countNewlines = (s: string) => s.split('\n').length - 1;

/** The newlines `replacement` needs to span as many lines as `old`. */
function pad(old: string, replacement: string): string {
  return '\n'.repeat(Math.max(0, countNewlines(old) - countNewlines(replacement)));
}

function removalEdit(text: string, site: AddSiteFacts, main: 0 | 1): TextEdit {
  const old = text.slice(site.span.start, site.span.end);
  const keep = site.operands[main].text;
  if (site.kind === 'augassign') {
    const target = site.operands[0].text;
    // `out += identity` → `out = out`; `x += self.f(x)` → `x = (self.f(x))`. Lost line breaks become blank lines.
    const stmt = `${target} = ${main === 0 ? target : `(${keep})`}`;
    return { start: site.span.start, end: site.span.end, newText: stmt + pad(old, stmt) };
  }
  // Inside parentheses line breaks are free, so they keep the line count.
  return { start: site.span.start, end: site.span.end, newText: `(${keep}${pad(old, keep)})` };
}
