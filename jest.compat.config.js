/**
 * `npm run test:compat`: the slow compatibility checks (Jest 29, `npm pack`, a
 * pseudo-terminal, coverage, down-levelled async functions). See
 * CONTRIBUTING.md.
 */
const base = require('./jest.config.js');

module.exports = {
  ...base,
  roots: ['<rootDir>/test/compat'],
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 300000,
};
