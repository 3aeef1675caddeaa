/**
 * jest-taskdump's own tests: `npm test` runs test/unit and test/e2e (the
 * fixtures under fixtures/ are run by the e2e tests, not here); `npm run
 * test:compat` runs test/compat (jest.compat.config.js). See CONTRIBUTING.md.
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/compat/'],
  // Wipes the spawned runs' cache, and makes the shared runs
  // (test/e2e/shared-runs.ts).
  globalSetup: '<rootDir>/test/global-setup.ts',
  transform: {
    '^.+\\.ts$': ['ts-jest', {tsconfig: '<rootDir>/test/tsconfig.json'}],
  },
  testTimeout: 120000,
};
