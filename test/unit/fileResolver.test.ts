// The host's import resolver: which files an import finds, inside the roots only, and that a new resolver (a new
// run) sees files created, changed and removed since the last one even though directory listings are cached.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileResolver } from '../../src/host/fileResolver';

describe('file resolver', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'tt-resolver-'));
    mkdirSync(join(root, 'proj', 'pkg', 'sub'), { recursive: true });
    writeFileSync(join(root, 'proj', 'main.py'), 'import blocks\n');
    writeFileSync(join(root, 'proj', 'blocks.py'), 'A = 1\n');
    writeFileSync(join(root, 'proj', 'pkg', '__init__.py'), 'P = 1\n');
    writeFileSync(join(root, 'proj', 'pkg', 'sub', 'deep.py'), 'D = 1\n');
    writeFileSync(join(root, 'outside.py'), 'O = 1\n');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const main = () => join(root, 'proj', 'main.py');
  const resolver = () => createFileResolver([join(root, 'proj')]);

  it('finds modules, packages and relative imports inside the roots, and nothing outside them', () => {
    const r = resolver();
    assert.deepEqual(r.resolve('blocks', 0, main()), { file: join(root, 'proj', 'blocks.py'), text: 'A = 1\n', moduleName: 'blocks' });
    assert.equal(r.resolve('pkg', 0, main())?.file, join(root, 'proj', 'pkg', '__init__.py'));
    assert.equal(r.resolve('pkg.sub.deep', 0, main())?.text, 'D = 1\n');
    const deep = join(root, 'proj', 'pkg', 'sub', 'deep.py');
    assert.deepEqual(r.resolve('', 2, deep), { file: join(root, 'proj', 'pkg', '__init__.py'), text: 'P = 1\n', moduleName: 'pkg' });
    assert.equal(r.resolve('outside', 0, main()), undefined);
    assert.equal(r.resolve('outside', 2, main()), undefined);
    assert.equal(r.resolve('missing', 0, main()), undefined);
    assert.equal(r.resolve('nopkg.mod', 0, main()), undefined);
    assert.equal(r.resolve('blocks.py', 0, main()), undefined);
  });

  it('a new resolver sees files created, changed and removed since the last run', () => {
    assert.equal(resolver().resolve('later', 0, main()), undefined);
    assert.equal(resolver().resolve('blocks', 0, main())?.text, 'A = 1\n');
    writeFileSync(join(root, 'proj', 'later.py'), 'L = 1\n');
    writeFileSync(join(root, 'proj', 'blocks.py'), 'A = 22\n');
    mkdirSync(join(root, 'proj', 'newpkg'));
    writeFileSync(join(root, 'proj', 'newpkg', '__init__.py'), 'N = 1\n');
    const r = resolver();
    assert.equal(r.resolve('later', 0, main())?.text, 'L = 1\n');
    assert.equal(r.resolve('blocks', 0, main())?.text, 'A = 22\n');
    assert.equal(r.resolve('newpkg', 0, main())?.text, 'N = 1\n');
    rmSync(join(root, 'proj', 'later.py'));
    assert.equal(resolver().resolve('later', 0, main()), undefined);
  });

  it('unsaved editor text wins over the file on disk, even for a file not saved yet', () => {
    const overlay = new Map([
      [join(root, 'proj', 'blocks.py'), 'A = 3\n'],
      [join(root, 'proj', 'unsaved.py'), 'U = 1\n'],
    ]);
    const r = createFileResolver([join(root, 'proj')], overlay);
    assert.equal(r.resolve('blocks', 0, main())?.text, 'A = 3\n');
    assert.equal(r.resolve('unsaved', 0, main())?.text, 'U = 1\n');
  });

  it('a directory named like a module is not a module file', () => {
    mkdirSync(join(root, 'proj', 'odd.py'));
    assert.equal(resolver().resolve('odd', 0, main()), undefined);
  });
});
