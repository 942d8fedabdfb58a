// Jest reporter that writes one small JSON file per project run (counts of passed/failed/skipped
// tests), so `npm test` can print one closing line for the whole workspace across Nx's
// per-project Jest processes.
const { mkdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

class SummaryReporter {
  constructor(globalConfig, options = {}) {
    this.dir = options.dir || process.env.TICKWIRE_TEST_SUMMARY_DIR || join(process.cwd(), 'tmp', 'test-summary');
    this.name = options.name || 'project';
  }

  onRunComplete(_contexts, results) {
    if (!process.env.TICKWIRE_TEST_SUMMARY_DIR) return;
    mkdirSync(this.dir, { recursive: true });
    const summary = {
      name: this.name,
      passed: results.numPassedTests,
      failed: results.numFailedTests + results.numRuntimeErrorTestSuites,
      skipped: results.numPendingTests + results.numTodoTests,
      suites: results.numTotalTestSuites,
    };
    writeFileSync(join(this.dir, `${this.name}-${process.pid}.json`), JSON.stringify(summary));
  }
}

module.exports = SummaryReporter;
