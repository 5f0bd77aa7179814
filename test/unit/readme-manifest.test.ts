// README.md against package.json: the Commands and Settings tables list exactly the contributed commands (ids,
// palette titles) and settings (defaults, allowed values); every CLI option is documented; the walkthrough points
// at commands, views and pages that exist, and everything it opens ships in the VSIX (.vscodeignore).
// TT_README / TT_PACKAGE_JSON point the checks at other copies, e.g. to watch them fail on a changed default.

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { USAGE } from '../../src/cli/args';

const ROOT = join(__dirname, '..', '..');
const README = resolve(process.env.TT_README ?? join(ROOT, 'README.md'));
const PACKAGE_JSON = resolve(process.env.TT_PACKAGE_JSON ?? join(ROOT, 'package.json'));

interface CommandContribution {
  command: string;
  title: string;
  category?: string;
}
interface SettingContribution {
  type: string;
  default: unknown;
  enum?: string[];
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  markdownDescription?: string;
}
interface WalkthroughStep {
  id: string;
  title: string;
  description: string;
  media: { markdown?: string; image?: string; svg?: string };
  completionEvents?: string[];
}
interface Manifest {
  contributes: {
    commands: CommandContribution[];
    menus: { commandPalette?: Array<{ command: string; when?: string }> };
    configuration: { properties: Record<string, SettingContribution> };
    views?: Record<string, Array<{ id: string }>>;
    walkthroughs?: Array<{ id: string; title: string; steps: WalkthroughStep[] }>;
  };
}

/** A Markdown table: its header cells and its rows, cells trimmed. */
interface Table {
  header: string[];
  rows: string[][];
}

/** Cells of one `| a | b |` line; `\|` inside a cell does not split it. */
function cells(line: string): string[] {
  return line
    .trim()
    .replace(/^\|/, '')
    .replace(/(?<!\\)\|$/, '')
    .split(/(?<!\\)\|/)
    .map((c) => c.trim().replace(/\\\|/g, '|'));
}

/** The lines of the section under the heading `## name` (up to the next heading of level 2 or above). */
function section(md: string, heading: string): string[] {
  const lines = md.split('\n');
  const start = lines.findIndex((l) => l.trim() === heading);
  if (start < 0) return [];
  const level = heading.indexOf(' ');
  const end = lines.findIndex((l, i) => i > start && /^#+ /.test(l) && l.indexOf(' ') <= level);
  return lines.slice(start + 1, end < 0 ? lines.length : end);
}

/** The first table in the section under `heading`. */
function tableIn(md: string, heading: string): Table | undefined {
  const lines = section(md, heading);
  const first = lines.findIndex((l) => l.trim().startsWith('|'));
  if (first < 0) return undefined;
  let last = first;
  while (last + 1 < lines.length && lines[last + 1].trim().startsWith('|')) last++;
  const block = lines.slice(first, last + 1).map(cells);
  // block[1] is the |---|---| separator.
  return { header: block[0], rows: block.slice(2) };
}

/** The contents of the `code spans` in a cell. */
function codeSpans(cell: string): string[] {
  return [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
}

/** A cell without Markdown emphasis and code marks. */
function plain(cell: string): string {
  return cell.replace(/\*\*|__|`/g, '').trim();
}

/** The integers written in a cell (`0 – 10000`, `600,000`). */
function integers(cell: string): number[] {
  return (cell.match(/\d[\d,_]*/g) ?? []).map((n) => Number(n.replace(/[,_]/g, '')));
}

/** A default as written in the table: JSON (`300`, `false`, `[1, 3]`, `"x"`) or a bare string (`onType`). */
function parseDefault(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Column index by header name, failing with the header when it is missing. */
function column(t: Table, name: string): number {
  const i = t.header.findIndex((h) => plain(h).toLowerCase() === name.toLowerCase());
  assert.ok(i >= 0, `no '${name}' column in the table (header: ${t.header.join(' | ')})`);
  return i;
}

function sameSet(actual: string[], expected: string[], what: string): void {
  const missing = expected.filter((x) => !actual.includes(x));
  const extra = actual.filter((x) => !expected.includes(x));
  const dupes = actual.filter((x, i) => actual.indexOf(x) !== i);
  assert.ok(
    missing.length === 0 && extra.length === 0 && dupes.length === 0,
    `${what}: missing ${JSON.stringify(missing)}, not in package.json ${JSON.stringify(extra)}, listed twice ${JSON.stringify(dupes)}`,
  );
}

/** vsce-style glob (`**`, `*`) as a RegExp over a path relative to the extension folder. */
function globRegExp(glob: string): RegExp {
  const body = (glob.match(/\*\*\/|\*\*|\*|[^*]+/g) ?? [])
    .map((t) => (t === '**/' ? '(?:.*/)?' : t === '**' ? '.*' : t === '*' ? '[^/]*' : t.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`);
}

/** Whether .vscodeignore (an allow-list: `**`, then `!` re-includes) keeps `file` in the package. */
function ships(vscodeignore: string, file: string): boolean {
  return vscodeignore
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('!'))
    .some((l) => globRegExp(l.slice(1)).test(file));
}

describe('README.md agrees with package.json', () => {
  const readme = readFileSync(README, 'utf8');
  const pkg = JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as Manifest;
  const contributed = pkg.contributes.commands;

  describe('Commands table', () => {
    const table = tableIn(readme, '## Commands');
    const hidden = new Set((pkg.contributes.menus.commandPalette ?? []).filter((m) => m.when === 'false').map((m) => m.command));
    const visible = contributed.filter((c) => !hidden.has(c.command));

    it('exists with Command and ID columns', () => {
      assert.ok(table, 'README.md has no table under "## Commands"');
      column(table, 'Command');
      column(table, 'ID');
    });

    it('lists every palette command once, and no hidden or unknown one', () => {
      assert.ok(table);
      const id = column(table, 'ID');
      sameSet(
        table.rows.map((r) => codeSpans(r[id])[0] ?? plain(r[id])),
        visible.map((c) => c.command),
        'README Commands table vs package.json contributes.commands (minus the hidden ones)',
      );
    });

    it('gives each command its palette title (category: title)', () => {
      assert.ok(table);
      const id = column(table, 'ID');
      const title = column(table, 'Command');
      for (const row of table.rows) {
        const c = contributed.find((x) => x.command === (codeSpans(row[id])[0] ?? plain(row[id])));
        if (!c) continue; // reported by the previous test
        const expected = c.category ? `${c.category}: ${c.title}` : c.title;
        assert.equal(plain(row[title]), expected, `title of ${c.command}`);
      }
    });
  });

  describe('Settings table', () => {
    const table = tableIn(readme, '## Settings');
    const props = pkg.contributes.configuration.properties;

    it('exists with Setting, Default, Values and Description columns', () => {
      assert.ok(table, 'README.md has no table under "## Settings"');
      for (const name of ['Setting', 'Default', 'Values', 'Description']) column(table, name);
    });

    it('lists every setting once, and no unknown one', () => {
      assert.ok(table);
      const key = column(table, 'Setting');
      sameSet(
        table.rows.map((r) => codeSpans(r[key])[0] ?? plain(r[key])),
        Object.keys(props),
        'README Settings table vs package.json contributes.configuration.properties',
      );
    });

    it('gives each setting its default', () => {
      assert.ok(table);
      const key = column(table, 'Setting');
      const def = column(table, 'Default');
      for (const row of table.rows) {
        const name = codeSpans(row[key])[0];
        const p = props[name];
        if (!p) continue;
        const written = codeSpans(row[def])[0];
        assert.ok(written !== undefined, `${name}: the Default cell must hold the default in \`code\` (got '${row[def]}')`);
        assert.deepEqual(parseDefault(written), p.default, `${name}: README default ${written}, package.json ${JSON.stringify(p.default)}`);
      }
    });

    it('gives each setting its allowed values (enum, boolean, range, length)', () => {
      assert.ok(table);
      const key = column(table, 'Setting');
      const values = column(table, 'Values');
      const desc = column(table, 'Description');
      for (const row of table.rows) {
        const name = codeSpans(row[key])[0];
        const p = props[name];
        if (!p) continue;
        const cell = row[values];
        if (p.enum) assert.deepEqual(codeSpans(cell), p.enum, `${name}: values`);
        else if (p.type === 'boolean') assert.deepEqual(codeSpans(cell), ['true', 'false'], `${name}: values`);
        else if (p.type === 'integer' || p.type === 'number') assert.deepEqual(integers(cell), [p.minimum, p.maximum], `${name}: range`);
        else if (p.type === 'array') assert.deepEqual(integers(cell), [p.minItems, p.maxItems], `${name}: number of items`);
        assert.ok(plain(row[desc]).length > 0, `${name}: empty description`);
      }
    });
  });

  describe('Command line', () => {
    it('documents every option of `tensor-trace --help`', () => {
      const cli = section(readme, '## Command line').join('\n');
      assert.ok(cli.length > 0, 'README.md has no "## Command line" section');
      const options = [...new Set([...USAGE.matchAll(/(?:^|\s)(--?[a-z][\w-]*)/g)].map((m) => m[1]))];
      assert.ok(options.includes('--json'), `could not read the options from USAGE: ${JSON.stringify(options)}`);
      const missing = options.filter((o) => !cli.includes(`\`${o}`));
      assert.deepEqual(missing, [], 'options in src/cli/args.ts USAGE that the README does not document');
    });

    it('has the "JSON output" section that the usage text points to', () => {
      assert.ok(USAGE.includes('"JSON output"'));
      assert.ok(section(readme, '### JSON output').length > 0, 'README.md has no "### JSON output" section');
    });
  });
});

describe('the walkthrough', () => {
  const pkg = JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as Manifest;
  const commandIds = new Set(pkg.contributes.commands.map((c) => c.command));
  const viewIds = new Set(Object.values(pkg.contributes.views ?? {}).flatMap((vs) => vs.map((v) => v.id)));
  const walkthroughs = pkg.contributes.walkthroughs ?? [];
  const vscodeignore = readFileSync(join(ROOT, '.vscodeignore'), 'utf8');

  it('is contributed, with steps', () => {
    assert.ok(walkthroughs.length > 0, 'no contributes.walkthroughs');
    for (const w of walkthroughs) assert.ok(w.steps.length > 0, `${w.id} has no steps`);
  });

  it('gives every step a Markdown page that exists and ships', () => {
    for (const step of walkthroughs.flatMap((w) => w.steps)) {
      const page = step.media.markdown;
      assert.ok(page, `${step.id}: media.markdown`);
      assert.ok(existsSync(join(ROOT, page)), `${step.id}: ${page} does not exist`);
      assert.ok(ships(vscodeignore, page), `${step.id}: ${page} is not re-included by .vscodeignore`);
    }
  });

  it('completes steps on commands and views that exist, and links only to contributed commands', () => {
    for (const step of walkthroughs.flatMap((w) => w.steps)) {
      assert.ok(step.completionEvents && step.completionEvents.length > 0, `${step.id}: no completionEvents`);
      for (const e of step.completionEvents) {
        const [kind, id] = [e.slice(0, e.indexOf(':')), e.slice(e.indexOf(':') + 1)];
        if (kind === 'onCommand') assert.ok(commandIds.has(id), `${step.id}: ${e} is not a contributed command`);
        else if (kind === 'onView') assert.ok(viewIds.has(id), `${step.id}: ${e} is not a contributed view`);
        else assert.fail(`${step.id}: unexpected completion event ${e}`);
      }
      for (const m of step.description.matchAll(/\(command:([\w.]+)/g)) assert.ok(commandIds.has(m[1]), `${step.id}: links to unknown command ${m[1]}`);
    }
  });

  it('opens an example that exists and ships', () => {
    assert.ok(commandIds.has('tensorTrace.openExample'), 'tensorTrace.openExample is not contributed');
    assert.ok(existsSync(join(ROOT, 'examples', 'residual_block.py')));
    assert.ok(ships(vscodeignore, 'examples/residual_block.py'), 'examples/residual_block.py is not re-included by .vscodeignore');
    // The command resolves the same path from the extension folder.
    assert.match(readFileSync(join(ROOT, 'src', 'extension', 'walkthrough.ts'), 'utf8'), /\['examples', 'residual_block\.py'\]/);
  });
});
