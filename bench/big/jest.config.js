// bench/run.js: one test that hangs in a test process of a 300 MB heap (what a
// ts-jest worker holds: TypeScript programs), with the preset's defaults.
module.exports = {preset: '../../jest-preset.js', testTimeout: 1000};
