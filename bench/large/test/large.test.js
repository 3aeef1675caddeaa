// Times takeDump + renderDump through traced() (the same steps a timeout
// takes, less the waker search) for n leaves in Promise.all pairs, as
// bench/micro.js shapes them, and writes the times (wall, and CPU of the test's
// thread) to TASKDUMP_LARGE_OUT.
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

// CPU time of this thread (ms), where Linux says it: the machine is shared,
// and the wall time counts what other processes take.
function threadCpuMs() {
  try {
    return (
      Number(
        fs.readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0],
      ) / 1e6
    );
  } catch {
    return NaN;
  }
}

const out = {cpu: {}};
const ROUNDS = Number(process.env.TASKDUMP_LARGE_ROUNDS) || 3;

test.each([1000, 10000])(
  '%i leaves',
  async n => {
    const times = [];
    const cpu = [];
    for (let r = 0; r < ROUNDS; r++) {
      const call = traced(() => start(n), {name: `large ${n}`});
      await new Promise(resolve => setImmediate(resolve));
      const c = threadCpuMs();
      const t = performance.now();
      const dump = call.dump();
      const text = renderDump(dump);
      times.push(performance.now() - t);
      cpu.push(threadCpuMs() - c);
      call.close();
      // And the promise start() returns, which traced() waits on.
      expect(dump.leaves.length).toBe(n + 1);
      expect(text.length).toBeGreaterThan(0);
      // The dump itself, to compare two builds' output.
      if (process.env.TASKDUMP_LARGE_TEXT && r === 0)
        fs.writeFileSync(
          `${process.env.TASKDUMP_LARGE_TEXT}.${n}`,
          `${text}\n${JSON.stringify(dump.leaves)}`,
        );
    }
    out[n] = times;
    out.cpu[n] = cpu;
  },
  120_000,
);

afterAll(() => {
  if (process.env.TASKDUMP_LARGE_OUT)
    fs.writeFileSync(process.env.TASKDUMP_LARGE_OUT, JSON.stringify(out));
});
