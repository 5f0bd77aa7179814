// Child-process probe for engine-memory.test.ts: traces a program N times with no collection in between, then runs
// one young-generation collection and prints how many bytes survived it. Run with --expose-gc and a young
// generation large enough that the N traces never trigger a collection of their own.
// Usage (bundled by the test first): node --expose-gc --min-semi-space-size=64 --max-semi-space-size=64 PROBE.js N [edits] < PROGRAM
// With `edits`, every run traces a different text (the program plus a comment, as after an edit) and the collection
// is a full one: what survives it is what the engine's caches keep of earlier texts.

import { readFileSync } from 'node:fs';
import { traceSource } from '../../../src/core/engine';

const gc = (globalThis as { gc?: (o?: { type: 'minor' | 'major' }) => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
const n = Number(process.argv[2]);
const program = readFileSync(0, 'utf8');
const edits = process.argv[3] === 'edits';
const resolver = { resolve: () => undefined };
let runs = 0;
const run = () => {
  const text = edits ? `${program}\n# edit ${runs++}\n` : program;
  void traceSource({ file: '/probe/program.py', text, resolver });
};
for (let i = 0; i < 3; i++) run(); // compile the engine's code paths first
gc();
gc();
const before = process.memoryUsage().heapUsed;
for (let i = 0; i < n; i++) run();
gc(edits ? { type: 'major' } : { type: 'minor' });
console.log(JSON.stringify({ survivedBytes: process.memoryUsage().heapUsed - before }));
