// Unit tests of the host's SourceMap: positions between the traced text and its documents (a file, notebook cells).

import * as assert from 'node:assert/strict';
import { SourceMap } from '../../src/host/sourceMap';

describe('SourceMap', () => {
  const file = SourceMap.identity('file:///a.py', 'import torch\nx = 1\n\ny = x + 2');

  it('maps offsets of a single file to lines and columns', () => {
    assert.deepEqual(file.offsetToDocument(0), { uri: 'file:///a.py', line: 0, character: 0 });
    assert.deepEqual(file.offsetToDocument(13), { uri: 'file:///a.py', line: 1, character: 0 });
    assert.deepEqual(file.offsetToDocument(17), { uri: 'file:///a.py', line: 1, character: 4 });
    assert.deepEqual(file.offsetToDocument(19), { uri: 'file:///a.py', line: 2, character: 0 });
    assert.deepEqual(file.offsetToDocument(24), { uri: 'file:///a.py', line: 3, character: 4 });
  });

  it('round-trips document positions through offsets', () => {
    for (let offset = 0; offset <= file.text.length; offset++) {
      const p = file.offsetToDocument(offset)!;
      assert.equal(file.offsetOf(p.uri, p.line, p.character), offset, `offset ${offset}`);
    }
    assert.equal(file.offsetOf('file:///a.py', 4, 0), undefined);
    assert.equal(file.offsetOf('file:///b.py', 0, 0), undefined);
  });

  it('reads lines of the traced text (1-based)', () => {
    assert.equal(file.lineText(1), 'import torch');
    assert.equal(file.lineText(3), '');
    assert.equal(file.lineText(4), 'y = x + 2');
    assert.equal(file.lineText(5), '');
  });

  it('joins notebook cells and maps back into each cell', () => {
    const nb = SourceMap.concat([
      { uri: 'cell:1', text: 'import torch\n%matplotlib inline' },
      { uri: 'cell:2', text: 'x = torch.randn(2)\nprint(x.shape)' },
    ]);
    assert.equal(nb.lineText(2).trim(), '');
    assert.equal(nb.lineText(3), 'x = torch.randn(2)');
    const offset = nb.text.indexOf('print');
    assert.deepEqual(nb.offsetToDocument(offset), { uri: 'cell:2', line: 1, character: 0 });
    assert.equal(nb.offsetOf('cell:2', 1, 0), offset);
    assert.deepEqual(nb.toDocument(4, 7), { uri: 'cell:2', line: 1, character: 6 });
    assert.deepEqual(nb.fromDocument('cell:1', 1, 3), { line: 2, column: 4 });
    assert.equal(nb.offsetOf('cell:1', 2, 0), undefined);
  });
});
