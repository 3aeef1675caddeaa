// bench/run.js: a dump of 1 000 and of 10 000 stuck leaves, taken and rendered
// inside a real Jest test process (Jest's own frames under every stack), with
// every promise recorded (the capture budget out of the way) and no waker
// search (a heap snapshot is another section).
module.exports = {
  preset: '../../jest-preset.js',
  testEnvironmentOptions: {
    taskdump: {captureBurst: 10_000_000, wakers: false},
  },
};
