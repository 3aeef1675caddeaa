import path from 'node:path';
import {once} from 'node:events';
import {Worker} from 'node:worker_threads';
import {describeWorker} from '../../src/core/worker-thread';
import {
  closeRoot,
  createRoot,
  enterRoot,
  leaveRoot,
  startRecording,
  unrecorded,
} from '../../src/core/record';
import {takeDump} from '../../src/core/dump';
import {unitContext} from './context';

// Worker threads: what one is doing, from its event loop's own counters, and
// their recording (a Worker made under a Root is a handle of its dump; the
// watchdog's is not).

// Each terminated once online or exited, and awaited: a thread torn down while
// it starts is what Node's own worker bugs are made of (nodejs/node#56312).
const running: Worker[] = [];
const ready = new Map<Worker, Promise<unknown>>();
const track = (w: Worker): Worker => {
  running.push(w);
  ready.set(w, Promise.race([once(w, 'online'), once(w, 'exit')]));
  return w;
};
const start = async (code: string): Promise<Worker> => {
  const w = track(new Worker(code, {eval: true}));
  await once(w, 'online');
  return w;
};
const sleep = (ms: number): Promise<void> =>
  new Promise(resolve => setTimeout(resolve, ms));
afterAll(async () => {
  await Promise.all(ready.values());
  await Promise.all(running.map(w => w.terminate()));
});

describe('describeWorker', () => {
  test('a thread waiting for events: its event loop idle; one blocked in a synchronous call: idle 0%, and what the rest means', async () => {
    const idle = await start('setInterval(() => {}, 1000)');
    const busy = await start(
      'Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0)',
    );
    await sleep(200);
    expect(describeWorker(idle)).toMatch(
      new RegExp(
        `^worker thread ${idle.threadId}, running: its event loop idle (9\\d|[5-8]\\d)% of the [\\d.]+ m?s since it started$`,
      ),
    );
    expect(describeWorker(busy)).toMatch(
      new RegExp(
        `^worker thread ${busy.threadId}, running: its event loop idle 0% of the [\\d.]+ m?s since it started; the rest of the time it ran code or was blocked in a synchronous call$`,
      ),
    );
  });

  test('a thread not online yet, and one that has exited (nothing to say)', async () => {
    const starting = track(
      new Worker('setTimeout(() => {}, 500)', {eval: true}),
    );
    expect(describeWorker(starting)).toBe(
      `worker thread ${starting.threadId}, starting (not online yet)`,
    );
    await ready.get(starting);
    const done = new Worker('0', {eval: true});
    await once(done, 'exit');
    expect(describeWorker(done)).toBeNull();
  });
});

describe('recording', () => {
  test("a Worker made under a Root is a leaf of its dump, where it was made; jest-taskdump's own is not recorded", async () => {
    const stop = startRecording();
    const root = createRoot();
    try {
      enterRoot(root);
      const own = unrecorded(() => new Worker('0', {eval: true}));
      const ownExit = once(own, 'exit');
      const theirs = track(
        new Worker('setInterval(() => {}, 1000)', {eval: true}),
      );
      leaveRoot(root);
      expect([...root.handles.keys()]).toEqual([theirs]);
      await ready.get(theirs);
      const leaves = takeDump(root, unitContext(__filename)).leaves.filter(
        l => l.kind === 'worker',
      );
      expect(leaves).toHaveLength(1);
      expect(leaves[0].what).toMatch(
        new RegExp(`^worker thread ${theirs.threadId}, running: `),
      );
      expect(leaves[0].createdAt?.file).toBe(
        path.relative(process.cwd(), __filename),
      );
      await ownExit;
    } finally {
      closeRoot(root);
      stop();
    }
  });
});
