import {runBody} from './runner-stub';
import {Sleeps} from './sleeps';

// A Node built without the inspector (`./configure --without-inspector`):
// loading `node:inspector` throws. A retry loop's leaf then says that
// attempts failed, not with what (docs/limits.md). Simulated here by a module
// factory that throws, as such a Node's loader does.
jest.mock('node:inspector', () => {
  throw new Error('Inspector is not available');
});

const sleeps = new Sleeps();
afterAll(() => sleeps.stop());
const sleep = (ms: number): Promise<void> => sleeps.sleep(ms);

class Unavailable extends Error {}

async function down(): Promise<void> {
  await null;
  throw new Unavailable('token=s3cr3t');
}

async function withRetry(f: () => Promise<void>, pauseMs: number) {
  for (;;) {
    try {
      return await f();
    } catch (e) {
      if (sleeps.stopped) throw e;
      await sleep(pauseMs);
    }
  }
}

test('the inspector cannot be loaded here', () => {
  expect(() => require('node:inspector')).toThrow('Inspector is not available');
});

test('a retry loop without the inspector: a loop that ran n times and sleeps, not said to be failing', async () => {
  const {dump} = await runBody(() => withRetry(down, 20), 150);
  const timers = dump.leaves.filter(l => l.kind === 'timer');
  expect(timers).toHaveLength(1);
  expect(timers[0].what).toMatch(
    /^loop in withRetry at test\/unit\/retry-no-inspector\.test\.ts:\d+ ran \d+ times in this test; now sleeping 20 ms \(setTimeout, fires in \d+ ms\)$/,
  );
  expect(timers[0].what).not.toMatch(
    /retry loop|fail|Unavailable|thrown|s3cr3t/,
  );
});
