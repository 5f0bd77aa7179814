// Unit tests for parsePython (src/core/syntax/parse.ts): every construct, spans, literals,
// syntax-error recovery, garbage input, and real files (torchvision resnet.py, the seed example).

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { parsePython } from '../../src/core/syntax/parse';
import type * as A from '../../src/core/syntax/ast';
import { seedFile } from './numericRefCache';

function mod(src: string): A.Module {
  return parsePython(src);
}
/** Parses `src`, asserts it is error-free, returns the body. */
function ok(src: string): A.Stmt[] {
  const m = parsePython(src);
  assert.deepEqual(m.syntaxErrors, [], `unexpected syntax errors in ${JSON.stringify(src)}`);
  return m.body;
}
function stmt<K extends A.Stmt['kind']>(src: string, kind: K): Extract<A.Stmt, { kind: K }> {
  const body = ok(src);
  assert.equal(body.length, 1, `expected one statement in ${JSON.stringify(src)}`);
  assert.equal(body[0].kind, kind);
  return body[0] as Extract<A.Stmt, { kind: K }>;
}
function expr(src: string): A.Expr {
  return stmt(src, 'ExprStmt').value;
}
function is<K extends A.Expr['kind']>(e: A.Expr | undefined, kind: K): Extract<A.Expr, { kind: K }> {
  assert.ok(e, `expected ${kind}, got undefined`);
  assert.equal(e.kind, kind);
  return e as Extract<A.Expr, { kind: K }>;
}
function slice(src: string, s: A.Span): string {
  return src.slice(s.start, s.end);
}
function kinds(body: A.Stmt[]): string[] {
  return body.map(s => s.kind);
}

describe('parsePython', () => {
  describe('module basics', () => {
    it('empty file gives an empty body and a full span', () => {
      const m = mod('');
      assert.deepEqual(m.body, []);
      assert.deepEqual(m.syntaxErrors, []);
      assert.equal(m.start, 0);
      assert.equal(m.end, 0);
    });
    it('comments and blank lines only', () => {
      const m = mod('# hello\n\n   \n# bye\n');
      assert.deepEqual(m.body, []);
      assert.deepEqual(m.syntaxErrors, []);
      assert.equal(m.end, '# hello\n\n   \n# bye\n'.length);
    });
    it('a UTF-8 byte-order mark is accepted', () => {
      const body = ok('\ufeffimport torch\nx = 1\n');
      assert.deepEqual(kinds(body), ['Import', 'Assign']);
      assert.equal(body[0].start, 1);
    });
    it('tab indentation', () => {
      const f = stmt('def f():\n\tif x:\n\t\ta = 1\n\telse:\n\t\tb = 2\n\treturn a\n', 'FunctionDef');
      assert.deepEqual(kinds(f.body), ['If', 'Return']);
    });
    it('CRLF line endings', () => {
      const body = ok('x = 1\r\nif x:\r\n    y = """a\r\nb"""\r\n');
      assert.deepEqual(kinds(body), ['Assign', 'If']);
      const inner = (body[1] as A.If).body[0] as A.Assign;
      assert.equal(is(inner.value, 'Constant').value, 'a\nb');
    });
  });

  describe('constants', () => {
    it('ints in every base with underscores', () => {
      const cases: Array<[string, number]> = [['0', 0], ['42', 42], ['1_000', 1000], ['0x1F', 31], ['0X_ff', 255],
        ['0o17', 15], ['0b101', 5], ['0b_1_0', 2]];
      for (const [src, v] of cases) {
        const c = is(expr(src), 'Constant');
        assert.equal(c.value, v, src);
        assert.ok(!c.isFloat, src);
      }
    });
    it('floats, including the trailing-dot forms lezer cannot lex', () => {
      const cases: Array<[string, number]> = [['1.0', 1], ['1e-5', 1e-5], ['1.', 1], ['.5', 0.5], ['1.e5', 1e5],
        ['2.5E+3', 2500], ['1_0.0_1', 10.01]];
      for (const [src, v] of cases) {
        const c = is(expr(src), 'Constant');
        assert.equal(c.value, v, src);
        assert.equal(c.isFloat, true, src);
        assert.deepEqual([c.start, c.end], [0, src.length], src);
      }
      const list = is(expr('[1., 2.]'), 'List');
      assert.deepEqual(list.elts.map(e => is(e, 'Constant').value), [1, 2]);
      const div = is(expr('1./3'), 'BinOp');
      assert.equal(is(div.left, 'Constant').isFloat, true);
      const ex = is(expr('1.e-5*2'), 'BinOp');
      assert.equal(ex.op, '*');
      assert.equal(is(ex.left, 'Constant').value, 1e-5);
    });
    it('imaginary literals', () => {
      const c = is(expr('2j'), 'Constant');
      assert.equal(c.value, 2);
      assert.equal(c.isImaginary, true);
    });
    it('True / False / None / ...', () => {
      assert.equal(is(expr('True'), 'Constant').value, true);
      assert.equal(is(expr('False'), 'Constant').value, false);
      assert.equal(is(expr('None'), 'Constant').value, null);
      const e = is(expr('...'), 'Constant');
      assert.equal(e.isEllipsis, true);
    });
    it('bad number literals are syntax errors', () => {
      const m = mod('x = 0777\ny = 1');
      assert.equal(m.body[0].kind, 'ErrorStmt');
      assert.match(m.syntaxErrors[0].message, /leading zeros/);
      assert.equal(m.body[1].kind, 'Assign');
    });
  });

  describe('strings', () => {
    it('decodes escapes', () => {
      const c = is(expr(String.raw`"a\tb\n\\ \' \" \x41\101\u00e9\U0001F600\
c"`), 'Constant');
      assert.equal(c.value, 'a\tb\n\\ \' " AAé😀c');
    });
    it('keeps unknown escapes and raw strings verbatim', () => {
      assert.equal(is(expr(String.raw`"\d"`), 'Constant').value, '\\d');
      assert.equal(is(expr(String.raw`r"\n\d"`), 'Constant').value, '\\n\\d');
      assert.equal(is(expr(String.raw`R'a\'b'`), 'Constant').value, "a\\'b");
    });
    it('prefixes: b, rb, br, u, single and triple quotes', () => {
      const b = is(expr(String.raw`b"\x00\xff"`), 'Constant');
      assert.equal(b.isBytes, true);
      assert.equal(b.value, '\x00\xff');
      assert.equal(is(expr(String.raw`rb"\x00"`), 'Constant').value, '\\x00');
      assert.equal(is(expr(String.raw`BR"\x00"`), 'Constant').isBytes, true);
      assert.equal(is(expr('u"x"'), 'Constant').value, 'x');
      assert.equal(is(expr("'''a\n'b'\n'''"), 'Constant').value, "a\n'b'\n");
      assert.equal(is(expr('"""x""" '), 'Constant').value, 'x');
    });
    it('implicit concatenation', () => {
      const src = '"a" \'b\' """c"""';
      const c = is(expr(src), 'Constant');
      assert.equal(c.value, 'abc');
      assert.deepEqual([c.start, c.end], [0, src.length]);
      const paren = is(expr('("a"\n "b")'), 'Constant');
      assert.equal(paren.value, 'ab');
    });
    it('mixing bytes and str is an error', () => {
      const m = mod('x = b"a" "b"');
      assert.equal(m.body[0].kind, 'ErrorStmt');
      assert.equal(m.syntaxErrors[0].message, 'cannot mix bytes and nonbytes literals');
    });
    it('f-strings: fields, conversions, nested specs, self-documenting, brace escapes', () => {
      const src = 'f"a{x!r:>{w}.3f} {{b}} {y=} {z = !s}"';
      const j = is(expr(src), 'JoinedStr');
      assert.equal(j.parts.length, 6);
      assert.equal(j.parts[0], 'a');
      const f1 = j.parts[1] as A.FormattedValue;
      assert.equal(is(f1.value, 'Name').id, 'x');
      assert.equal(f1.conversion, 'r');
      assert.deepEqual(f1.formatSpec!.parts.map(p => (typeof p === 'string' ? p : 'FV')), ['>', 'FV', '.3f']);
      assert.equal(slice(src, f1), '{x!r:>{w}.3f}');
      assert.equal(j.parts[2], ' {b} ');
      const f2 = j.parts[3] as A.FormattedValue;
      assert.equal(f2.selfDoc, 'y=');
      assert.equal(f2.conversion, 'r');
      const f3 = j.parts[5] as A.FormattedValue;
      assert.equal(f3.selfDoc, 'z = ');
      assert.equal(f3.conversion, 's');
    });
    it('f-strings: expressions inside fields are real expressions with real spans', () => {
      const src = 'f"{x.shape[0] + 1:d} {fn(a, b)!s}"';
      const j = is(expr(src), 'JoinedStr');
      const v = is((j.parts[0] as A.FormattedValue).value, 'BinOp');
      assert.equal(slice(src, v), 'x.shape[0] + 1');
      assert.equal((j.parts[0] as A.FormattedValue).formatSpec!.parts[0], 'd');
      assert.equal(is((j.parts[2] as A.FormattedValue).value, 'Call').args.length, 2);
    });
    it('f-strings concatenated with plain strings, raw f-strings, escapes in literal parts', () => {
      const j = is(expr('"a" f"b{c}" "d"'), 'JoinedStr');
      assert.equal(j.parts[0], 'ab');
      assert.equal(j.parts[2], 'd');
      const r = is(expr(String.raw`rf"\n{x}"`), 'JoinedStr');
      assert.equal(r.parts[0], '\\n');
      const e = is(expr(String.raw`f"\t{x}\n"`), 'JoinedStr');
      assert.deepEqual([e.parts[0], e.parts[2]], ['\t', '\n']);
    });
    it('f-string errors', () => {
      assert.equal(mod('f"{}"').syntaxErrors[0].message, 'f-string: empty expression not allowed');
      assert.equal(mod('f"a}"').syntaxErrors[0].message, "f-string: single '}' is not allowed");
      assert.equal(mod('f"{a"\nx = 1').syntaxErrors[0].message, "f-string: expecting '}'");
    });
    it('unterminated strings', () => {
      const m = mod('s = "abc\nt = 1\n');
      assert.deepEqual(kinds(m.body), ['ErrorStmt', 'Assign']);
      assert.equal(m.syntaxErrors[0].message, 'unterminated string literal (detected at line 1)');
      assert.deepEqual(m.syntaxErrors[0].span, { start: 4, end: 8 });
      const t = mod('x = 1\ns = """abc\ny = 2\n');
      assert.deepEqual(kinds(t.body), ['Assign', 'ErrorStmt']);
      assert.match(t.syntaxErrors[0].message, /^unterminated triple-quoted string literal/);
    });
  });

  describe('expressions', () => {
    it('names, attributes (attrSpan), subscripts, calls', () => {
      const src = 'self.conv1(x, *xs, k=1, **kw)';
      const call = is(expr(src), 'Call');
      const fn = is(call.func, 'Attribute');
      assert.equal(fn.attr, 'conv1');
      assert.equal(slice(src, fn.attrSpan), 'conv1');
      assert.equal(slice(src, fn), 'self.conv1');
      assert.equal(call.args.length, 2);
      assert.equal(is(call.args[1], 'Starred').kind, 'Starred');
      assert.equal(call.keywords[0].name, 'k');
      assert.equal(slice(src, call.keywords[0]), 'k=1');
      assert.equal(call.keywords[1].name, undefined);
      assert.equal(slice(src, call.keywords[1]), '**kw');
    });
    it('a sole generator argument', () => {
      const src = 'sum(x for x in y)';
      const g = is(is(expr(src), 'Call').args[0], 'GeneratorExp');
      assert.equal(slice(src, g), '(x for x in y)');
    });
    it('binary operators with opSpan, precedence and unary ops', () => {
      const src = '-x ** 2 @ y // 3 + a % b - c << 1 | d & e ^ f >> g';
      const top = is(expr(src), 'BinOp');
      assert.equal(top.op, '|');
      assert.equal(slice(src, top.opSpan), '|');
      const e = is(expr('-x ** 2'), 'UnaryOp');
      assert.equal(e.op, '-');
      assert.equal(is(e.operand, 'BinOp').op, '**');
      const m = is(expr('a @ b'), 'BinOp');
      assert.equal(m.op, '@');
      assert.deepEqual(m.opSpan, { start: 2, end: 3 });
      assert.equal(is(expr('~a'), 'UnaryOp').op, '~');
      assert.equal(is(expr('+a'), 'UnaryOp').op, '+');
    });
    it('chained comparisons, not in, is not', () => {
      const c = is(expr('a < b <= c == d'), 'Compare');
      assert.deepEqual(c.ops, ['<', '<=', '==']);
      assert.equal(c.comparators.length, 3);
      const n = is(expr('x not in y is not z'), 'Compare');
      assert.deepEqual(n.ops, ['not in', 'is not']);
      const p = is(expr('(a < b) < c'), 'Compare');
      assert.equal(is(p.left, 'Compare').ops.length, 1);
    });
    it('boolean operators follow Python precedence (not > and > or)', () => {
      const a = is(expr('not a and b or c'), 'BoolOp');
      assert.equal(a.op, 'or');
      const and = is(a.values[0], 'BoolOp');
      assert.equal(and.op, 'and');
      assert.equal(is(and.values[0], 'UnaryOp').op, 'not');
      const b = is(expr('a and not b or c'), 'BoolOp');
      assert.equal(b.op, 'or');
      assert.equal(is(is(b.values[0], 'BoolOp').values[1], 'UnaryOp').op, 'not');
      assert.equal(is(expr('a or b or c'), 'BoolOp').values.length, 3);
      const n = is(expr('not a == b'), 'UnaryOp');
      assert.equal(n.operand.kind, 'Compare');
    });
    it('conditional expressions, lambda, walrus, await, yield', () => {
      const i = is(expr('a if b else c'), 'IfExp');
      assert.equal(is(i.test, 'Name').id, 'b');
      const l = is(expr('lambda x, *a, y=1, **k: x + y'), 'Lambda');
      assert.deepEqual(l.params.args.map(p => p.name), ['x']);
      assert.equal(l.params.vararg!.name, 'a');
      assert.equal(l.params.kwOnly[0].name, 'y');
      assert.equal(l.params.kwarg!.name, 'k');
      assert.equal(is(expr('lambda: 0'), 'Lambda').params.args.length, 0);
      const w = is(expr('(y := f(x))'), 'NamedExpr');
      assert.equal(w.target.id, 'y');
      const body = ok('async def f():\n    await x ** 2\n    z = yield from g()\n    yield a, b\n');
      const f = body[0] as A.FunctionDef;
      const pow = is((f.body[0] as A.ExprStmt).value, 'BinOp');
      assert.equal(pow.left.kind, 'Await');
      const y = is((f.body[1] as A.Assign).value, 'Yield');
      assert.equal(y.isFrom, true);
      assert.equal(is(is((f.body[2] as A.ExprStmt).value, 'Yield').value, 'Tuple').elts.length, 2);
    });
    it('tuples, lists, sets, dicts', () => {
      assert.equal(is(expr('(1,)'), 'Tuple').elts.length, 1);
      assert.equal(is(expr('()'), 'Tuple').elts.length, 0);
      assert.equal(is(expr('(a)'), 'Name').id, 'a');
      const t = is(expr('1, 2,'), 'Tuple');
      assert.equal(t.elts.length, 2);
      assert.equal(is(expr('[*a, b]'), 'List').elts[0].kind, 'Starred');
      assert.equal(is(expr('[]'), 'List').elts.length, 0);
      assert.equal(is(expr('{a, b,}'), 'Set').elts.length, 2);
      const d = is(expr('{**a, "b": 1,}'), 'Dict');
      assert.equal(d.entries[0].key, undefined);
      assert.equal(is(d.entries[1].key, 'Constant').value, 'b');
      assert.equal(is(expr('{}'), 'Dict').entries.length, 0);
    });
    it('comprehensions with several for/if clauses', () => {
      const src = '[x for x in y if x if z for q, r in s]';
      const c = is(expr(src), 'ListComp');
      assert.equal(c.generators.length, 2);
      assert.equal(c.generators[0].ifs.length, 2);
      assert.equal(slice(src, c.generators[0]), 'for x in y if x if z');
      assert.equal(is(c.generators[1].target, 'Tuple').elts.length, 2);
      const d = is(expr('{k: v for k, v in d.items()}'), 'DictComp');
      assert.equal(is(d.key, 'Name').id, 'k');
      assert.equal(is(expr('{a for a in b}'), 'SetComp').generators.length, 1);
      assert.equal(is(expr('(a for a in b)'), 'GeneratorExp').generators.length, 1);
      const asy = ok('async def f():\n    return [a async for a in b]\n');
      const lc = is(((asy[0] as A.FunctionDef).body[0] as A.Return).value, 'ListComp');
      assert.equal(lc.generators[0].isAsync, true);
    });
    it('subscripts and slices', () => {
      const src = 'x[:, :, ::2, ::2]';
      const s = is(expr(src), 'Subscript');
      const t = is(s.index, 'Tuple');
      assert.equal(t.elts.length, 4);
      const sl = is(t.elts[2], 'Slice');
      assert.equal(sl.lower, undefined);
      assert.equal(is(sl.step, 'Constant').value, 2);
      assert.equal(slice(src, sl), '::2');
      const e = is(is(expr('x[..., 0]'), 'Subscript').index, 'Tuple');
      assert.equal(is(e.elts[0], 'Constant').isEllipsis, true);
      assert.equal(is(is(expr('x[None]'), 'Subscript').index, 'Constant').value, null);
      const ab = is(is(expr('x[a:b]'), 'Subscript').index, 'Slice');
      assert.equal(is(ab.lower, 'Name').id, 'a');
      assert.equal(is(ab.upper, 'Name').id, 'b');
      assert.equal(is(is(expr('x[1,]'), 'Subscript').index, 'Tuple').elts.length, 1);
      assert.equal(is(is(expr('x[()]'), 'Subscript').index, 'Tuple').elts.length, 0);
      assert.equal(is(is(expr('x[i][j]'), 'Subscript').value, 'Subscript').kind, 'Subscript');
      const v = is(is(expr('d.view(-1)[:5]'), 'Subscript').index, 'Slice');
      assert.equal(is(v.upper, 'Constant').value, 5);
    });
    it('starred expressions', () => {
      const a = stmt('*a, b = c', 'Assign');
      assert.equal(is(a.targets[0], 'Tuple').elts[0].kind, 'Starred');
      const r = ok('def f():\n    return a, *b\n');
      assert.equal(is(((r[0] as A.FunctionDef).body[0] as A.Return).value, 'Tuple').elts[1].kind, 'Starred');
    });
  });

  describe('statements', () => {
    it('assignments: multiple targets, tuple swap, annotated, augmented', () => {
      const src = 'a, b = b, a';
      const s = stmt(src, 'Assign');
      assert.equal(is(s.targets[0], 'Tuple').elts.length, 2);
      assert.equal(slice(src, s.targets[0]), 'a, b');
      assert.equal(is(s.value, 'Tuple').elts.length, 2);
      assert.equal(stmt('x = y = 1', 'Assign').targets.length, 2);
      const an = stmt('x: int = 3', 'AnnAssign');
      assert.equal(is(an.annotation, 'Name').id, 'int');
      assert.equal(is(an.value, 'Constant').value, 3);
      const bare = stmt('self.x: List[int]', 'AnnAssign');
      assert.equal(bare.value, undefined);
      assert.equal(bare.target.kind, 'Attribute');
      const aug = 'out += identity';
      const au = stmt(aug, 'AugAssign');
      assert.equal(au.op, '+');
      assert.equal(slice(aug, au.opSpan), '+=');
      for (const op of ['-', '*', '/', '//', '%', '**', '@', '<<', '>>', '&', '|', '^']) {
        assert.equal(stmt(`x ${op}= 2`, 'AugAssign').op, op);
      }
      const gen = stmt('def g():\n    x = yield\n    yield\n    return (yield)\n', 'FunctionDef');
      assert.equal(gen.isGenerator, true);
      assert.equal(is((gen.body[0] as A.Assign).value, 'Yield').value, undefined);
      assert.equal(is((gen.body[1] as A.ExprStmt).value, 'Yield').value, undefined);
      assert.equal(is((gen.body[2] as A.Return).value, 'Yield').kind, 'Yield');
      assert.equal(mod('x = yield').syntaxErrors[0].message, "'yield' outside function");
    });
    it('functions: parameters of every kind, annotations, return annotations, spans', () => {
      const src = 'def f(a, b: int = 1, /, c=2, *args: int, d, e=3, **kwargs) -> Tensor:\n    pass\n';
      const f = stmt(src, 'FunctionDef');
      assert.equal(f.name, 'f');
      assert.equal(slice(src, f.nameSpan), 'f');
      assert.deepEqual(f.params.posOnly.map(p => p.name), ['a', 'b']);
      assert.deepEqual(f.params.args.map(p => p.name), ['c']);
      assert.deepEqual(f.params.kwOnly.map(p => p.name), ['d', 'e']);
      assert.equal(f.params.vararg!.name, 'args');
      assert.equal(is(f.params.vararg!.annotation, 'Name').id, 'int');
      assert.equal(f.params.kwarg!.name, 'kwargs');
      const b = f.params.posOnly[1];
      assert.equal(slice(src, b.nameSpan), 'b');
      assert.equal(is(b.annotation, 'Name').id, 'int');
      assert.equal(is(b.default, 'Constant').value, 1);
      assert.equal(is(f.returns, 'Name').id, 'Tensor');
      assert.equal(slice(src, f), src.trimEnd());
      const kw = stmt('def g(*, a, b=1):\n    pass', 'FunctionDef');
      assert.deepEqual(kw.params.kwOnly.map(p => p.name), ['a', 'b']);
      assert.equal(kw.params.vararg, undefined);
    });
    it('parameter order errors', () => {
      assert.equal(mod('def f(a=1, b):\n    pass').syntaxErrors[0].message, 'non-default argument follows default argument');
      assert.equal(mod('def f(a, a):\n    pass').syntaxErrors[0].message, "duplicate argument 'a' in function definition");
      assert.equal(mod('def f(*):\n    pass').syntaxErrors[0].message, 'named arguments must follow bare *');
    });
    it('decorators, async, generators', () => {
      const src = '@torch.no_grad()\n@property\nasync def f(self):\n    yield 1\n';
      const f = stmt(src, 'FunctionDef');
      assert.equal(f.isAsync, true);
      assert.equal(f.isGenerator, true);
      assert.equal(f.decorators.length, 2);
      const d0 = is(f.decorators[0], 'Call');
      assert.equal(is(d0.func, 'Attribute').attr, 'no_grad');
      assert.equal(slice(src, d0), 'torch.no_grad()');
      assert.equal(is(f.decorators[1], 'Name').id, 'property');
      assert.equal(slice(src, f).startsWith('async def'), true);
      const g = stmt('def g():\n    def h():\n        yield 1\n    k = lambda: (yield)\n    class C:\n        pass\n', 'FunctionDef');
      assert.equal(g.isGenerator, undefined);
    });
    it('classes: bases, keywords, decorators, nameSpan', () => {
      const src = '@dataclass\nclass A(B, nn.Module, metaclass=M):\n    x: int = 1\n    def f(self): return self.x\n';
      const c = stmt(src, 'ClassDef');
      assert.equal(c.name, 'A');
      assert.equal(slice(src, c.nameSpan), 'A');
      assert.equal(c.bases.length, 2);
      assert.equal(c.keywords[0].name, 'metaclass');
      assert.equal(c.decorators.length, 1);
      assert.deepEqual(kinds(c.body), ['AnnAssign', 'FunctionDef']);
      assert.equal(stmt('class B:\n    pass', 'ClassDef').bases.length, 0);
    });
    it('if / elif / else', () => {
      const f = stmt('if a:\n    x\nelif b:\n    y\nelif c:\n    z\nelse:\n    w\n', 'If');
      const e1 = f.orelse[0] as A.If;
      assert.equal(e1.kind, 'If');
      const e2 = e1.orelse[0] as A.If;
      assert.equal(is(e2.test, 'Name').id, 'c');
      assert.equal(e2.orelse[0].kind, 'ExprStmt');
      assert.equal(stmt('if x: pass', 'If').body[0].kind, 'Pass');
    });
    it('while / for with else, async for, break / continue', () => {
      const w = stmt('while x:\n    break\nelse:\n    pass\n', 'While');
      assert.equal(w.body[0].kind, 'Break');
      assert.equal(w.orelse[0].kind, 'Pass');
      const f = ok('async def g():\n    async for a, *b in c, d:\n        continue\n    else:\n        pass\n');
      const fo = (f[0] as A.FunctionDef).body[0] as A.For;
      assert.equal(fo.isAsync, true);
      assert.equal(is(fo.target, 'Tuple').elts.length, 2);
      assert.equal(is(fo.iter, 'Tuple').elts.length, 2);
      assert.equal(fo.orelse.length, 1);
    });
    it('try / except / else / finally', () => {
      const src = 'try:\n    a\nexcept (A, B) as e:\n    b\nexcept C:\n    c\nexcept:\n    d\nelse:\n    e\nfinally:\n    f\n';
      const t = stmt(src, 'Try');
      assert.equal(t.handlers.length, 3);
      assert.equal(is(t.handlers[0].type, 'Tuple').elts.length, 2);
      assert.equal(t.handlers[0].name, 'e');
      assert.equal(is(t.handlers[1].type, 'Name').id, 'C');
      assert.equal(t.handlers[1].name, undefined);
      assert.equal(t.handlers[2].type, undefined);
      assert.equal(slice(src, t.handlers[0]), 'except (A, B) as e:\n    b');
      assert.equal(t.orelse.length, 1);
      assert.equal(t.finalbody.length, 1);
      assert.equal(stmt('try:\n    pass\nfinally:\n    pass', 'Try').handlers.length, 0);
    });
    it('with statements', () => {
      const src = 'with a as b, c:\n    pass';
      const w = stmt(src, 'With');
      assert.equal(w.items.length, 2);
      assert.equal(is(w.items[0].optionalVars, 'Name').id, 'b');
      assert.equal(slice(src, w.items[0]), 'a as b');
      assert.equal(w.items[1].optionalVars, undefined);
      const a = ok('async def f():\n    async with x: pass\n');
      assert.equal(((a[0] as A.FunctionDef).body[0] as A.With).isAsync, true);
    });
    it('imports', () => {
      const i = stmt('import a.b.c as d, e', 'Import');
      assert.deepEqual(i.names.map(n => [n.name, n.asname]), [['a.b.c', 'd'], ['e', undefined]]);
      const src = 'from ..x.y import (a as b, c,)';
      const f = stmt(src, 'ImportFrom');
      assert.equal(f.module, 'x.y');
      assert.equal(f.level, 2);
      assert.deepEqual(f.names.map(n => [n.name, n.asname]), [['a', 'b'], ['c', undefined]]);
      assert.equal(slice(src, f.names[0]), 'a as b');
      const dot = stmt('from . import x', 'ImportFrom');
      assert.deepEqual([dot.module, dot.level, dot.names[0].name], ['', 1, 'x']);
      const star = stmt('from x import *', 'ImportFrom');
      assert.deepEqual([star.module, star.level, star.names[0].name], ['x', 0, '*']);
      assert.equal(stmt('from ...a import b', 'ImportFrom').level, 3);
      assert.equal(mod('from x import a,').syntaxErrors[0].message, 'trailing comma not allowed without surrounding parentheses');
    });
    it('global, nonlocal, del, pass, raise, assert, return', () => {
      assert.deepEqual(stmt('global a, b', 'Global').names, ['a', 'b']);
      const f = ok('def f():\n    nonlocal x\n    return\n');
      assert.deepEqual(((f[0] as A.FunctionDef).body[0] as A.Nonlocal).names, ['x']);
      assert.equal(((f[0] as A.FunctionDef).body[1] as A.Return).value, undefined);
      assert.equal(stmt('del a[0], b', 'Delete').targets.length, 2);
      stmt('pass', 'Pass');
      const r = stmt('raise X from Y', 'Raise');
      assert.equal(is(r.exc, 'Name').id, 'X');
      assert.equal(is(r.cause, 'Name').id, 'Y');
      assert.equal(stmt('raise', 'Raise').exc, undefined);
      const a = stmt('assert t, "msg"', 'Assert');
      assert.equal(is(a.msg, 'Constant').value, 'msg');
      assert.equal(stmt('assert t', 'Assert').msg, undefined);
    });
    it('semicolon-separated statements', () => {
      assert.deepEqual(kinds(ok('a = 1; b = 2; c = 3;')), ['Assign', 'Assign', 'Assign']);
    });
    it('unsupported constructs', () => {
      const m = mod('match x:\n    case 1:\n        pass\ntype X = int\ny = 1\n');
      assert.deepEqual(m.body.map(s => s.kind === 'UnsupportedStmt' ? s.construct : s.kind),
        ['match statement', 'type alias statement', 'Assign']);
      assert.deepEqual(m.syntaxErrors, []);
      assert.equal(mod('match = 3').body[0].kind, 'Assign');
    });
    it('compile-time errors CPython reports before running', () => {
      assert.equal(mod('return 1').syntaxErrors[0].message, "'return' outside function");
      assert.equal(mod('break').syntaxErrors[0].message, "'break' outside loop");
      assert.equal(mod('1 = x').syntaxErrors[0].message, "cannot assign to literal here. Maybe you meant '==' instead of '='?");
      assert.equal(mod('f() = 1').syntaxErrors[0].message, "cannot assign to function call here. Maybe you meant '==' instead of '='?");
      assert.equal(mod('del f()').syntaxErrors[0].message, 'cannot delete function call');
      assert.equal(mod('print "x"').syntaxErrors[0].message, "Missing parentheses in call to 'print'. Did you mean print(...)?");
    });
  });

  describe('syntax error recovery', () => {
    it('a broken line in the middle keeps the statements around it', () => {
      const src = 'a = 1\nb = = 2\nc = 3\n';
      const m = mod(src);
      assert.deepEqual(kinds(m.body), ['Assign', 'ErrorStmt', 'Assign']);
      assert.equal(slice(src, m.body[1]), 'b = = 2');
      assert.equal(m.syntaxErrors.length, 1);
      assert.equal(m.syntaxErrors[0].message, 'invalid syntax');
      assert.equal(slice(src, m.syntaxErrors[0].span), '=');
      assert.equal((m.body[1] as A.ErrorStmt).message, 'invalid syntax');
    });
    it('a broken line inside a def body only breaks that line', () => {
      const src = 'class A:\n    def f(self):\n        a = 1\n        b = 2 +\n        c = 3\n    def g(self): pass\nx = 1\n';
      const m = mod(src);
      assert.deepEqual(kinds(m.body), ['ClassDef', 'Assign']);
      const cls = m.body[0] as A.ClassDef;
      assert.deepEqual(kinds(cls.body), ['FunctionDef', 'FunctionDef']);
      assert.deepEqual(kinds((cls.body[0] as A.FunctionDef).body), ['Assign', 'ErrorStmt', 'Assign']);
      assert.equal(m.syntaxErrors.length, 1);
    });
    it('a half-typed call does not swallow the lines after it', () => {
      const src = 'class A:\n    def forward(self, x):\n        out = self.conv1(\n        out = self.bn1(out)\n' +
        '        return out\n\n    def g(self):\n        return 1\nx = 1\n';
      const m = mod(src);
      assert.deepEqual(kinds(m.body), ['ClassDef', 'Assign']);
      const cls = m.body[0] as A.ClassDef;
      assert.deepEqual(kinds(cls.body), ['FunctionDef', 'FunctionDef']);
      const fwd = cls.body[0] as A.FunctionDef;
      assert.deepEqual(kinds(fwd.body), ['ErrorStmt', 'Assign', 'Return']);
      assert.equal(slice(src, fwd.body[0]), 'out = self.conv1(');
      assert.equal(m.syntaxErrors.length, 1);
      assert.equal(m.syntaxErrors[0].message, "'(' was never closed");
      assert.equal(slice(src, m.syntaxErrors[0].span), '(');
    });
    it('a half-typed line at the end of the file', () => {
      const src = 'import torch\nout = self.conv1(';
      const m = mod(src);
      assert.deepEqual(kinds(m.body), ['Import', 'ErrorStmt']);
      assert.equal(m.syntaxErrors[0].message, "'(' was never closed");
      assert.deepEqual(m.syntaxErrors[0].span, { start: src.length - 1, end: src.length });
    });
    it('missing colon, missing block, stray brackets, bad indentation', () => {
      const cases: Array<[string, string, string[]]> = [
        ['def f(x)\n    return x\nc = 3\n', "expected ':'", ['ErrorStmt', 'Assign']],
        ['if x\n    a = 1\nb = 2\n', "expected ':'", ['ErrorStmt', 'Assign']],
        ['if True:\nq = 1\n', "expected an indented block after 'if' statement on line 1", ['ErrorStmt', 'Assign']],
        ['x = 1)\ny = 2\n', "unmatched ')'", ['ErrorStmt', 'Assign']],
        ['f(a]\ny = 1\n', "closing parenthesis ']' does not match opening parenthesis '('", ['ErrorStmt', 'Assign']],
        ['a = 1\n    b = 2\nc = 3\n', 'unexpected indent', ['Assign', 'ErrorStmt', 'Assign']],
        ['f(a b)\n', 'invalid syntax. Perhaps you forgot a comma?', ['ErrorStmt']],
        ['else:\n    pass\nz = 1\n', 'invalid syntax', ['ErrorStmt', 'Assign']],
        ['a = €\nb = 1\n', "invalid character '€' (U+20AC)", ['ErrorStmt', 'Assign']],
      ];
      for (const [src, msg, ks] of cases) {
        const m = mod(src);
        assert.equal(m.syntaxErrors[0]?.message, msg, src);
        assert.deepEqual(kinds(m.body), ks, src);
      }
    });
    it('recovery works with CRLF line endings and tabs', () => {
      const m = mod('if x:\r\n\ty = (\r\n\tz = 2\r\nw = 3\r\n');
      assert.deepEqual(kinds(m.body), ['If', 'Assign']);
      assert.deepEqual(kinds((m.body[0] as A.If).body), ['ErrorStmt', 'Assign']);
    });
    it('a dedent to a level no block uses', () => {
      const src = 'class A:\n    def f(self):\n        if x != 3:\n                "a"\n                f"b"\n' +
        '            )\n        self.groups = groups\n\n    def g(self):\n        pass\n';
      const m = mod(src);
      assert.equal(m.syntaxErrors.length, 1);
      assert.equal(m.syntaxErrors[0].message, 'unindent does not match any outer indentation level');
      assert.equal(slice(src, m.syntaxErrors[0].span), ')');
      const cls = m.body[0] as A.ClassDef;
      assert.deepEqual(kinds(cls.body), ['FunctionDef', 'FunctionDef']);
      assert.deepEqual(kinds((cls.body[0] as A.FunctionDef).body), ['If', 'ErrorStmt', 'Assign']);
    });
    it('an unclosed call inside an if body only breaks that line', () => {
      const src = 'def f(w):\n    if w is not None:\n        g(kwargs, "n", len(w.me\n\n    m = R(b)\n    return m\n';
      const m = mod(src);
      assert.equal(m.syntaxErrors.length, 1);
      assert.equal(m.syntaxErrors[0].message, "'(' was never closed");
      const f = m.body[0] as A.FunctionDef;
      assert.deepEqual(kinds(f.body), ['If', 'Assign', 'Return']);
      assert.deepEqual(kinds((f.body[0] as A.If).body), ['ErrorStmt']);
    });
    it('indentation errors inside a body keep the body together', () => {
      const m = mod('def f():\n    a = 1\n        b = 2\n    c = 3\nd = 4\n');
      assert.deepEqual(kinds(m.body), ['FunctionDef', 'Assign']);
      assert.deepEqual(kinds((m.body[0] as A.FunctionDef).body), ['Assign', 'ErrorStmt', 'Assign']);
      assert.equal(m.syntaxErrors[0].message, 'unexpected indent');
      const u = mod('def f():\n    a = 1\n  b = 2\nc = 3\n');
      assert.equal(u.syntaxErrors[0].message, 'unindent does not match any outer indentation level');
      assert.deepEqual(kinds(u.body), ['FunctionDef', 'ErrorStmt', 'Assign']);
    });
    it('a def with no body keeps the next def', () => {
      const m = mod('class A:\n    def f(self):\n    def g(self): pass\n');
      const cls = m.body[0] as A.ClassDef;
      assert.deepEqual(kinds(cls.body), ['ErrorStmt', 'FunctionDef']);
      assert.match(m.syntaxErrors[0].message, /^expected an indented block after function definition on line 2$/);
    });
    it('several independent errors are all reported, in order', () => {
      const m = mod('a = (\nb = 1\nc = = 2\nd = 3\ne = [1 2]\n');
      assert.deepEqual(m.syntaxErrors.map(e => e.message),
        ["'(' was never closed", 'invalid syntax', 'invalid syntax. Perhaps you forgot a comma?']);
      assert.deepEqual(kinds(m.body), ['ErrorStmt', 'Assign', 'ErrorStmt', 'Assign', 'ErrorStmt']);
      for (let i = 1; i < m.syntaxErrors.length; i++) assert.ok(m.syntaxErrors[i - 1].span.start <= m.syntaxErrors[i].span.start);
    });
    it('garbage input never throws', function () {
      this.timeout(60000); // lezer's error recovery is slow on random bytes
      let seed = 12345;
      const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
      for (let round = 0; round < 6; round++) {
        let s = '';
        for (let i = 0; i < 400; i++) s += String.fromCharCode(Math.floor(rnd() * 256));
        const m = mod(s);
        assert.equal(m.end, s.length);
        assert.ok(m.syntaxErrors.length > 0);
        for (const st of m.body) assert.ok(st.start >= 0 && st.end <= s.length && st.start <= st.end);
      }
      const nul = mod('a\0b = 1\nc = 2\n');
      assert.equal(nul.syntaxErrors[0].message, 'source code cannot contain null bytes');
      assert.equal(nul.body[nul.body.length - 1].kind, 'Assign');
      const junk = mod(')))]]]}}}\n((((\n');
      assert.ok(junk.body.every(s => s.kind === 'ErrorStmt'));
      for (const src of ['(', '"""', 'def', 'class', '@', 'f"{', 'lambda', '\\', 'if x:', 'x[', '{1:', '1.e', 'from', 'import']) {
        const r = mod(src);
        assert.ok(r.syntaxErrors.length > 0, src);
      }
    });
    it('spans of error statements lie inside the source', () => {
      const src = 'x = 1\ndef f(:\n    pass\ny = 2\n';
      const m = mod(src);
      assert.equal(m.body[m.body.length - 1].kind, 'Assign');
      for (const s of m.body) assert.ok(s.end <= src.length);
    });
  });

  describe('real files', function () {
    this.timeout(30000);
    const resnet = '/usr/lib/python3/dist-packages/torchvision/models/resnet.py';
    (existsSync(resnet) ? it : it.skip)('torchvision resnet.py parses cleanly', () => {
      const src = readFileSync(resnet, 'utf8');
      const m = mod(src);
      assert.deepEqual(m.syntaxErrors, []);
      const classes = m.body.filter(s => s.kind === 'ClassDef') as A.ClassDef[];
      const funcs = m.body.filter(s => s.kind === 'FunctionDef') as A.FunctionDef[];
      assert.equal(classes.length, 13);
      assert.equal(funcs.length, 13);
      const resnetCls = classes.find(c => c.name === 'ResNet')!;
      const fwd = resnetCls.body.find(s => s.kind === 'FunctionDef' && s.name === '_forward_impl') as A.FunctionDef;
      assert.ok(fwd);
      assert.equal(slice(src, fwd.nameSpan), '_forward_impl');
      const visit = (stmts: A.Stmt[]): void => {
        for (const s of stmts) {
          assert.notEqual(s.kind, 'ErrorStmt');
          assert.ok(s.start < s.end && s.end <= src.length);
          if ('body' in s && Array.isArray(s.body)) visit(s.body);
        }
      };
      visit(m.body);
    });
    it('the seed residual_block.py parses cleanly', () => {
      const src = readFileSync(seedFile('residual_block.py'), 'utf8');
      const m = mod(src);
      assert.deepEqual(m.syntaxErrors, []);
      const cls = m.body.find(s => s.kind === 'ClassDef') as A.ClassDef;
      assert.equal(cls.name, 'ResidualBlock');
      assert.deepEqual(cls.body.map(s => (s as A.FunctionDef).name), ['__init__', 'forward']);
      const fwd = cls.body[1] as A.FunctionDef;
      const aug = fwd.body.find(s => s.kind === 'AugAssign') as A.AugAssign;
      assert.equal(slice(src, aug), 'out += identity');
      const last = m.body[m.body.length - 1] as A.ExprStmt;
      const call = is(last.value, 'Call');
      assert.equal(is(call.args[1], 'Subscript').kind, 'Subscript');
    });
  });
});
