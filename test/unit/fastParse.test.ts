// The parser's fast path (src/core/syntax/fastParse.ts) against the lezer path it must match exactly: real files,
// constructs whose spans lezer builds in peculiar ways, inputs it must leave to lezer, and mutated (broken) files.

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fastParsePython, setFastParseStrict } from '../../src/core/syntax/fastParse';
import { parsePython, parsePythonLezer } from '../../src/core/syntax/parse';

/** The AST as plain data (properties holding undefined dropped), for a deep comparison. */
const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

/** Asserts that whenever the fast path accepts `text`, lezer accepts it too and builds the same AST. */
function agrees(text: string, label: string): boolean {
  const fast = fastParsePython(text);
  if (fast === null) return false;
  const lezer = parsePythonLezer(text);
  assert.deepEqual(lezer.syntaxErrors, [], `${label}: the fast path accepted a text lezer rejects`);
  assert.deepEqual(plain(fast), plain(lezer), `${label}: ASTs differ`);
  return true;
}

const FIXTURES = join(__dirname, '..', 'fixtures');
const TORCHVISION = '/usr/lib/python3/dist-packages/torchvision/models';

function pyFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...pyFiles(p));
    else if (e.name.endsWith('.py')) out.push(p);
  }
  return out;
}

describe('parser fast path', () => {
  before(() => setFastParseStrict(true));
  after(() => setFastParseStrict(false));

  it('matches the lezer path on the fixtures and torchvision sources, and takes the fast path for them', () => {
    const files = [...pyFiles(FIXTURES), ...pyFiles(TORCHVISION)];
    assert.ok(files.length > 10);
    let fast = 0;
    for (const f of files) if (agrees(readFileSync(f, 'utf8'), f)) fast++;
    // Every clean file here uses only what the fast path knows.
    assert.ok(fast >= files.length - 3, `fast path taken for ${fast} of ${files.length} files`);
  });

  const TAKES_FAST_PATH: Record<string, string> = {
    'lambda without parameters (span at the colon)': 'f = lambda : 1\ng = lambda: 2\nh = lambda *a, k=3, **kw: (a, k)\n',
    'float literals ending in a dot': 'a = 1./x\nb = (2.)\nc = [3.,4.]\nd = 1.e5\ne = 2.j\nf = x[1.:]\n',
    'boolean chains and not': 'x = not a and b or not (c or d) and e\ny = (a and b) or (c)\nz = not not a\nw = a if not b else c or d\n',
    'comparison chains': 'x = a < b <= c != d\ny = (a < b) < c\nz = a not in b is not c\nw = a in b\n',
    'unparenthesised tuples and starred': 'a, *b = c\nx = 1, (2), *y,\nfor i, (j, k) in z: pass\ndel a, (b), c[0]\nreturn_ = *a, b\n',
    'calls: keywords, unpacking, walrus, sole generator': 'f(a, *b, c=1, **d)\ng(x for x in y)\nh((x for x in y), 1)\nk(y := 2)\nf(*a, k=1, *b)\n',
    'subscripts and slices': 'a[1:2, ::3, :]\nb[x, ]\nc[...]\nd[(1):(2)]\ne[:, None]\nf[::]\n',
    'comprehensions': '[x for x in y if x if not x]\n{k: v for k, v in d.items()}\n{x for x in y}\n(x for x in y for z in x)\n[(yield) for x in y] if 0 else 0\n'.replace('[(yield) for x in y] if 0 else 0\n', ''),
    'f-strings': 'a = f"{x!r:>{w}} {y=} {z = !s} {{}} {d[\'k\']}"\nb = f"""{x}\n{y:%Y}"""\nc = rf"\\d{x}"\nd = "a" f"{b}" "c"\n',
    'strings': 's = "a" \'b\' """c\nd""" r"\\n" u"z"\nb = b"x" rb"\\y"\nt = ("x"\n     # comment\n     "y")\n',
    'decorators, defaults and annotations': '@a.b(c=1)\n@d\ndef f(x: int = (1), /, y=2, *args: T, z, **kw) -> R:\n    "doc"\n    return x\n',
    'classes and nested blocks': 'class A(B, metaclass=M):\n    x: int = 1\n    def g(self):\n        if a:\n            pass\n        elif b:\n            return 1\n        else:\n            yield\n',
    'statements': 'import a.b as c, d\nfrom ..x import (y, z as w,)\nfrom . import *\nglobal g\nassert x, "m"\nraise E from None\nx += 1\ny: int\nwhile 1:\n    break\nelse:\n    pass\ntry:\n    pass\nexcept (A, B) as e:\n    pass\nelse:\n    pass\nfinally:\n    pass\nwith a as b, c:\n    pass\n',
    'semicolons, comments, continuation lines and CRLF': 'a = 1; b = 2;\nif x: c = 3;  # note\nd = [1,\n     2]\ne = 1 + \\\n    2\r\nf = 4\r\n',
    'soft keywords as names': 'match = re.match(p, s)\ntype = 1\ncase = [match, type]\nprint(x)\nprint\n',
    'empty and comment-only files': '',
  };
  for (const [name, src] of Object.entries(TAKES_FAST_PATH)) {
    it(`takes the fast path with the same AST: ${name}`, () => {
      assert.ok(agrees(src, name), `fast path gave up on: ${name}`);
    });
  }

  const LEAVES_TO_LEZER: Record<string, string> = {
    'a syntax error': 'x = (1, 2\n',
    'bad indentation': 'if x:\n    a\n  b\n',
    'return outside a function': 'return 1\n',
    'legacy print statement': 'print "hello"\n',
    'match statement': 'match x:\n    case 1:\n        pass\n',
    'async def': 'async def f():\n    await g()\n',
    'type alias statement': 'type X = int\n',
    'tab indentation': 'if x:\n\ty = 1\n',
    "'/' in a comment inside a parameter list": 'def f(a,  # per/second\n      b):\n    pass\n',
    'float literal before a keyword': 'x = 2. if a else 3.\n',
    'invalid target': 'f() = 1\n',
    'positional argument after keyword': 'f(a=1, b)\n',
    'non-ASCII identifier': 'é = 1\n',
    'from-import without a module': 'from import x\n',
    'byte order mark': '\ufeffx = 1\n',
  };
  for (const [name, src] of Object.entries(LEAVES_TO_LEZER)) {
    it(`leaves it to lezer: ${name}`, () => {
      assert.equal(fastParsePython(src), null);
      assert.deepEqual(plain(parsePython(src)), plain(parsePythonLezer(src)));
    });
  }

  it('never accepts a mutated file differently from lezer', () => {
    const base = readFileSync(join(FIXTURES, 'cifar_resnet.py'), 'utf8');
    const pieces = ['(', ')', '[', ']', ':', ',', '.', '=', '\n', '    ', '#', '\\\n', "'", '"', 'f"{', '1.', ' if ', ' not ', 'lambda ', 'yield ', ';', '*', '**', '/', '@'];
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    let accepted = 0;
    for (let i = 0; i < 300; i++) {
      const p = rnd(base.length);
      const t = rnd(2) ? base.slice(0, p) + pieces[rnd(pieces.length)] + base.slice(p) : base.slice(0, p) + base.slice(p + 1 + rnd(3));
      if (agrees(t, `mutant ${i} at ${p}`)) accepted++;
    }
    assert.ok(accepted > 0);
  });
});
