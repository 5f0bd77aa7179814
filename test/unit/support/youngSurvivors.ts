// Child-process probe for engine-memory.test.ts: traces a program N times with no collection in between, then runs
// one young-generation collection and prints how many bytes survived it. Run with --expose-gc and a young
// generation large enough that the N traces never trigger a collection of their own.
// Usage (bundled by the test first): node --expose-gc --min-semi-space-size=64 --max-semi-space-size=64 PROBE.js N PROGRAM

import { traceSource } from '../../../src/core/engine';

const gc = (globalThis as { gc?: (o?: { type: 'minor' | 'major' }) => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
const n = Number(process.argv[2]);
const text = process.argv[3];
const resolver = { resolve: () => undefined };
const run = () => void traceSource({ file: '/probe/program.py', text, resolver });
for (let i = 0; i < 3; i++) run(); // compile the engine's code paths first
gc();
gc();
const before = process.memoryUsage().heapUsed;
for (let i = 0; i < n; i++) run();
gc({ type: 'minor' });
console.log(JSON.stringify({ survivedBytes: process.memoryUsage().heapUsed - before }));
