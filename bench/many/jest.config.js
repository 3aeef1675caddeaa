// bench/run.js: 30 tests that hang at one leaf (a database client whose
// server never answers), in two files, run with plain jest-environment-node
// and with the preset. The preset's waker search runs once per cause.
module.exports = {
  testTimeout: 1000,
  ...(process.env.TASKDUMP_PLAIN
    ? {testEnvironment: 'node'}
    : {preset: '../../jest-preset.js'}),
};
