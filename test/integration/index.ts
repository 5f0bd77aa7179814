// Entry point that VS Code's extension host loads as `extensionTestsPath` (bundled by
// test/vscode/runIntegration.mjs to out/test/index.js, each *.test.ts beside it to out/test/*.test.js).
// It runs every bundled *.test.js with mocha (bdd) and a spec-like reporter whose last line is
// `N passed, N failed` (`, N skipped` is added when tests were skipped).
// When TT_TEST_OUTPUT names a file, the report is appended to it (the code-server runner streams that
// file to its stdout, since the remote extension host's console is not the runner's); otherwise it goes
// to console.log (which @vscode/test-electron forwards to its terminal). When TT_SUMMARY_FILE names a
// file (test/run.mjs sets it), the counts are appended to it as one JSON line, like test/summaryReporter.cjs.
import { appendFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

const outputFile = process.env.TT_TEST_OUTPUT;
const summaryFile = process.env.TT_SUMMARY_FILE;

function recordCounts(passes: number, failures: number, pending: number): void {
  if (summaryFile) appendFileSync(summaryFile, `${JSON.stringify({ passes, failures, pending })}\n`);
}

function emit(line: string): void {
  if (outputFile) appendFileSync(outputFile, `${line}\n`);
  else console.log(line);
}

const { EVENT_RUN_END, EVENT_SUITE_BEGIN, EVENT_SUITE_END, EVENT_TEST_FAIL, EVENT_TEST_PASS, EVENT_TEST_PENDING } =
  Mocha.Runner.constants;

/** Spec-style output, then the failures in full, then the closing `N passed, N failed` line. */
class SummaryReporter extends Mocha.reporters.Base {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    const failed: Array<{ test: Mocha.Runnable; err: Error }> = [];
    let depth = 0;
    const pad = (): string => '  '.repeat(depth);
    runner.on(EVENT_SUITE_BEGIN, (suite: Mocha.Suite) => {
      if (suite.root) return;
      emit(`${pad()}${suite.title}`);
      depth++;
    });
    runner.on(EVENT_SUITE_END, (suite: Mocha.Suite) => {
      if (!suite.root) depth--;
    });
    runner.on(EVENT_TEST_PASS, (test: Mocha.Test) => emit(`${pad()}✓ ${test.title} (${test.duration ?? 0} ms)`));
    runner.on(EVENT_TEST_PENDING, (test: Mocha.Test) => emit(`${pad()}- ${test.title} (skipped)`));
    runner.on(EVENT_TEST_FAIL, (test: Mocha.Runnable, err: Error) => {
      failed.push({ test, err });
      emit(`${pad()}✗ ${failed.length}) ${test.title}`);
    });
    runner.once(EVENT_RUN_END, () => {
      failed.forEach(({ test, err }, i) => {
        emit('');
        emit(`${i + 1}) ${test.fullTitle()}`);
        emit(String(err?.stack ?? err).replace(/^/gm, '     '));
      });
      const { passes, failures, pending } = this.stats;
      emit('');
      emit(`${passes} passed, ${failures} failed${pending ? `, ${pending} skipped` : ''}`);
      recordCounts(passes, failures, pending);
    });
  }
}

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: SummaryReporter });
  const files = readdirSync(__dirname)
    .filter((f) => f.endsWith('.test.js'))
    .sort();
  if (files.length === 0) {
    emit('0 passed, 1 failed');
    recordCounts(0, 1, 0);
    return Promise.reject(new Error(`no *.test.js files in ${__dirname}`));
  }
  for (const f of files) mocha.addFile(path.join(__dirname, f));
  return new Promise((resolve, reject) => {
    try {
      mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} test(s) failed`)) : resolve()));
    } catch (err) {
      emit(`error while loading the tests: ${String((err as Error)?.stack ?? err)}`);
      emit('0 passed, 1 failed');
      recordCounts(0, 1, 0);
      reject(err);
    }
  });
}
