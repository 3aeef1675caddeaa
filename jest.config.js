/**
 * jest-taskdump's own tests: `npm test` runs test/unit and test/e2e (the
 * fixtures under fixtures/ are run by the e2e tests, not here); `npm run
 * test:compat` runs test/compat (jest.compat.config.js). See CONTRIBUTING.md.
 */
const os = require('node:os');

module.exports = {
  testEnvironment: 'node',
  // Most e2e test files wait on one spawned Jest: two at a time even on two
  // cores (Jest's default there is one).
  maxWorkers: Math.max(2, os.cpus().length - 1),
  roots: ['<rootDir>/test'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/compat/'],
  // Wipes the spawned runs' cache, and makes the shared runs
  // (test/e2e/shared-runs.ts).
  globalSetup: '<rootDir>/test/global-setup.ts',
  // ts-jest transpiles only (isolatedModules in test/tsconfig.json): `pretest`
  // type-checks the tests once with `tsc -p test`.
  transform: {
    '^.+\\.ts$': ['ts-jest', {tsconfig: '<rootDir>/test/tsconfig.json'}],
  },
  testTimeout: 120000,
};
