/**
 * jest-taskdump's own tests (the fixtures under fixtures/ are run by the e2e
 * tests, not here).
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: {
    '^.+\\.ts$': ['ts-jest', {tsconfig: '<rootDir>/test/tsconfig.json'}],
  },
  testTimeout: 120000,
};
