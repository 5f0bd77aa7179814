// Where the product's seed lives (residual_block.py and PyTorch's output for it): $TT_SEED_DIR, else ../shared/seed
// beside the repository (as CI lays it out), else /work/shared/seed (the developers' machines). Used by the
// integration and UI runners; test/unit/numericRefCache.ts looks in the same places.
import { existsSync } from 'node:fs';
import * as path from 'node:path';

export function seedDirCandidates(root) {
  return [process.env.TT_SEED_DIR, path.join(root, '..', 'shared', 'seed'), '/work/shared/seed'].filter(Boolean);
}

/** The first candidate that has residual_block.py and its expected output, or undefined. */
export function findSeedDir(root) {
  return seedDirCandidates(root).find(
    (d) => existsSync(path.join(d, 'residual_block.py')) && existsSync(path.join(d, 'residual_block.expected-output.txt')),
  );
}
