// Mocha reporter: the usual spec output, plus the run's counts appended to $TT_SUMMARY_FILE
// so that test/run.mjs can print one closing "N passed, N failed" line for all suites.
const fs = require('node:fs');
const Mocha = require('mocha');

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const file = process.env.TT_SUMMARY_FILE;
      const { passes, failures, pending } = runner.stats;
      if (file) fs.appendFileSync(file, JSON.stringify({ passes, failures, pending }) + '\n');
    });
  }
}
module.exports = SummaryReporter;
