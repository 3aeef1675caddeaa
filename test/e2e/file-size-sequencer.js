/**
 * Orders test files as Jest does when it knows nothing of earlier runs:
 * largest first. For runs whose whole output is compared with another run's
 * (plain and traced): with the shared cache (test/global-setup.ts), Jest would
 * order files by the durations an earlier run of the same config recorded, so
 * two runs could print their files in different orders. Plain JavaScript
 * without dependencies: Jest 29 loads it too (test/compat/jest29.test.ts).
 */
'use strict';
const fs = require('node:fs');

class FileSizeSequencer {
  sort(tests) {
    const size = t => fs.statSync(t.path).size;
    return [...tests].sort(
      (a, b) => size(b) - size(a) || (a.path < b.path ? -1 : 1),
    );
  }

  shard(tests) {
    return tests;
  }

  allFailedTests(tests) {
    return tests;
  }

  cacheResults() {}
}

module.exports = FileSizeSequencer;
