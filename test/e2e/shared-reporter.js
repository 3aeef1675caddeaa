/**
 * A reporter of the shared runs only (test/e2e/shared-runs.ts): records each
 * test file's outcome with the fixture it belongs to, so that a test can read
 * one fixture's part of a run of many. Plain JavaScript: Jest loads reporters
 * untransformed.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const {dumpsOf} = require('../../dist/reporter/index.js');

class SharedRunReporter {
  constructor(_globalConfig, options) {
    this.outputFile = options.outputFile;
    this.files = [];
  }

  onTestResult(test, result) {
    const config = test.context.config;
    const name = config.displayName ? config.displayName.name : undefined;
    const relative = path
      .relative(config.cwd || process.cwd(), result.testFilePath)
      .split(path.sep)
      .join('/');
    const snapshot = result.snapshot || {};
    this.files.push({
      fixture: name || path.basename(config.rootDir),
      rootDir: config.rootDir,
      testFilePath: result.testFilePath,
      header: name ? `${name} ${relative}` : relative,
      failed: result.numFailingTests > 0 || Boolean(result.testExecError),
      numFailingTests: result.numFailingTests,
      numPassingTests: result.numPassingTests,
      numPendingTests: result.numPendingTests,
      numTodoTests: result.numTodoTests,
      snapshot: {
        matched: snapshot.matched || 0,
        unmatched: snapshot.unmatched || 0,
        added: snapshot.added || 0,
      },
      testExecError: result.testExecError
        ? String(result.testExecError.message)
        : null,
      tests: result.testResults.map(t => ({
        fullName: t.fullName,
        status: t.status,
      })),
      dumps: dumpsOf(result),
    });
  }

  onRunComplete() {
    fs.mkdirSync(path.dirname(this.outputFile), {recursive: true});
    fs.writeFileSync(this.outputFile, JSON.stringify(this.files, null, 2));
  }
}

module.exports = SharedRunReporter;
