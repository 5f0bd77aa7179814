// Fast path of the Python parser: a hand-written tokenizer and recursive-descent parser that builds the engine AST
// directly from the source text for clean, common code, several times faster than lezer plus the tree conversion.
// It produces exactly the AST the lezer path (parse.ts) produces, spans included, and knows lezer's quirks. It
// accepts only what it knows that path accepts without a problem: on anything else (a syntax error, a rare construct
// such as async/match/legacy print, tabs in indentation, non-ASCII names, …) it gives up and returns null, and
// parsePython falls back to lezer, which produces the diagnostics. Checked against the lezer path on thousands of
// files (test/unit/fastParse.test.ts).
//
// The parser is one class built up in layers, each file's class extending the one before: fastLexer.ts (tokenizer)
// → fastExpr.ts (operator levels, parameters) → fastBrackets.ts (displays, comprehensions, calls, subscripts) →
// fastStrings.ts (string literals) → fastSimpleStmt.ts → fastStmt.ts (blocks, compound statements), with the codes
// they share in fastTokens.ts. Only the last class is instantiated, so every call site sees one object shape.

import type { Module } from './ast';
import { FastParser } from './fastStmt';
import { BAIL, fastParseStrict } from './fastTokens';

export { fastParseStrict, lastBail, setFastParseStrict } from './fastTokens';

/**
 * Parses `text` into the engine AST, or returns null when the fast path does not apply (syntax errors included).
 * The result equals what the lezer path returns for the same text.
 */
export function fastParsePython(text: string): Module | null {
  if (text.charCodeAt(0) === 0xfeff) return null;
  try {
    return new FastParser(text).module();
  } catch (e) {
    if (e === BAIL || e instanceof RangeError || !fastParseStrict) return null;
    throw e;
  }
}
