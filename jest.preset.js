/**
 * The jest-taskdump preset: the traced environment, plus the hung-test summary
 * reporter.
 */
module.exports = {
  testEnvironment: require.resolve('./dist/environment/index.js'),
  reporters: ['default', require.resolve('./dist/reporter/index.js')],
};
