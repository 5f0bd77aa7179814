// Loads the PyTorch reference data of test/reference/numeric_ref.py (test/.cache/numeric-ref), running the script
// with /usr/bin/python3 (or $TT_PYTHON) when the cache is missing or was written by another version of it or of the
// seed (../shared/seed beside the repository); seedFile() finds the seed's files for the tests.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
const SCRIPT = path.join(ROOT, 'test', 'reference', 'numeric_ref.py');
/** The product's seed folder, looked for where test/seedDir.mjs looks: $TT_SEED_DIR, ../shared/seed, /work/shared/seed. */
const SEED_CANDIDATES = [process.env.TT_SEED_DIR, path.join(ROOT, '..', 'shared', 'seed'), '/work/shared/seed'].filter((d): d is string => !!d);
const SEED_DIR = SEED_CANDIDATES.find((d) => existsSync(path.join(d, 'residual_block.py'))) ?? SEED_CANDIDATES[0];
export const CACHE = path.join(ROOT, 'test', '.cache', 'numeric-ref');
const PYTHON = process.env.TT_PYTHON ?? '/usr/bin/python3';

export interface ArrayRef {
  file: string;
  shape: number[];
}
export interface ModelCase {
  id: string;
  file: string;
  expr: string;
  inputs: number[][];
  train: boolean;
  loss: 'mean';
  params: string[];
  state: string[];
  arrays: Record<string, ArrayRef>;
}
export interface OpCase {
  id: string;
  program: string;
  stdout: string;
}
export interface RefIndex {
  version: string;
  torch: string;
  models: ModelCase[];
  ops: OpCase[];
}

/** A file of the seed folder (residual_block.py, its expected output); throws a clear error when it is missing. */
export function seedFile(name: string): string {
  const file = path.join(SEED_DIR, name);
  if (!existsSync(file)) {
    throw new Error(`the seed file ${file} is missing: the seed lives in ../shared/seed beside the repository (or set TT_SEED_DIR)`);
  }
  return file;
}

/** The script's version: a hash of its text and of the seed it reads (same as script_hash()). */
function version(): string {
  const h = createHash('sha256');
  h.update(readFileSync(SCRIPT));
  h.update(readFileSync(seedFile('residual_block.py')));
  return h.digest('hex').slice(0, 16);
}

let cached: RefIndex | null = null;

export function loadRef(): RefIndex {
  if (cached) return cached;
  const v = version();
  const file = path.join(CACHE, 'index.json');
  const read = () => (existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as RefIndex) : null);
  let idx = read();
  if (!idx || idx.version !== v) {
    const env = { ...process.env, TT_SEED_DIR: SEED_DIR }; // the script reads the seed this file found
    const r = spawnSync(PYTHON, [SCRIPT, '--out', CACHE], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env });
    if (r.status !== 0) throw new Error(`${PYTHON} ${SCRIPT} failed (status ${r.status}): ${r.error?.message ?? ''}\n${r.stderr}`);
    idx = read();
    if (!idx || idx.version !== v) throw new Error(`${SCRIPT} did not write a current ${file}`);
  }
  cached = idx;
  return idx;
}

export function readArray(ref: ArrayRef): Float32Array {
  const buf = readFileSync(path.join(CACHE, ref.file));
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

/**
 * Checks |a − b| ≤ atol + rtol·|b| elementwise. Reports the largest absolute error, the largest relative error over
 * the significant elements (|b| ≥ 1e-3·max|b|) and `ratio`, the worst |a − b| / (atol + rtol·|b|) (≤ 1 passes).
 */
export function compare(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  rtol = 1e-4,
  atol = 1e-5,
): { ok: boolean; maxAbs: number; maxRel: number; ratio: number } {
  let maxAbs = 0;
  let maxRel = 0;
  let ratio = 0;
  let ok = a.length === b.length;
  let scale = 0;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const d = Math.abs(a[i] - b[i]);
    const r = d / (atol + rtol * Math.abs(b[i]));
    if (!(r <= 1)) ok = false;
    if (r > ratio || Number.isNaN(r)) ratio = r;
    if (d > maxAbs) maxAbs = d;
    if (Math.abs(b[i]) >= 1e-3 * scale && b[i] !== 0) maxRel = Math.max(maxRel, d / Math.abs(b[i]));
  }
  return { ok, maxAbs, maxRel, ratio };
}
