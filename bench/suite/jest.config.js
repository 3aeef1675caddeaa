// The benchmark suite, run by bench/run.js with plain jest-environment-node and
// with the preset.
module.exports = process.env.TASKDUMP_PLAIN
  ? {testEnvironment: 'node'}
  : {preset: '../../jest-preset.js', reporters: ['default']};
