// Times takeDump + renderDump through traced() (the same steps a timeout
// takes, less the waker search) for n leaves in Promise.all pairs, as
// bench/micro.js shapes them, and writes the times to TASKDUMP_LARGE_OUT.
const fs = require('node:fs');
const {traced} = require('../../../dist/index.js');
const {renderDump} = require('../../../dist/core/render/index.js');

async function a() {
  await new Promise(() => {});
}
async function b() {
  await Promise.all([a(), a()]);
}
function start(n) {
  for (let i = 0; i < n / 2; i++) void b();
  return new Promise(() => {});
}

const out = {};
const ROUNDS = 3;

test.each([1000, 10000])(
  '%i leaves',
  async n => {
    const times = [];
    for (let r = 0; r < ROUNDS; r++) {
      const call = traced(() => start(n), {name: `large ${n}`});
      await new Promise(resolve => setImmediate(resolve));
      const t = performance.now();
      const dump = call.dump();
      const text = renderDump(dump);
      times.push(performance.now() - t);
      call.close();
      // And the promise start() returns, which traced() waits on.
      expect(dump.leaves.length).toBe(n + 1);
      expect(text.length).toBeGreaterThan(0);
    }
    out[n] = times;
  },
  120_000,
);

afterAll(() => {
  if (process.env.TASKDUMP_LARGE_OUT)
    fs.writeFileSync(process.env.TASKDUMP_LARGE_OUT, JSON.stringify(out));
});
