import path from 'node:path';
import type {WakerSubject} from '../../src/core/wakers';
import type {Leaf} from '../../src/core/types';
import {wakerLine} from '../../src/core/render/leaf';
import {promiseLeaf as leafOf, searchThisProcess} from './wakers/live';

// A keyed lock's callback API re-entered (async-lock's shape): the holder
// queues a job under its own key, and only that job calls the holder's
// `done`. The job runs when the key is released, the key is released when
// the job runs: a deadlock. It read "kept in CallbackLock.queues.k[0]" and
// no more (no stuck branch keeps the release, the queued job does). The
// same shape with the release kept elsewhere too (a timer, a variable) or
// dropped by the holder is no such deadlock.

type Done = (err?: unknown, ret?: unknown) => void;
interface CallbackLock {
  acquire(key: string, fn: (done: Done) => void, cb?: Done): void;
}
interface PausedQueue {
  add(fn: () => Promise<unknown>): Promise<unknown>;
}
const {CallbackLock, PausedQueue} = require(
  path.join(__dirname, '..', 'data', 'node_modules', 'callback-lock'),
) as {
  CallbackLock: new () => CallbackLock;
  PausedQueue: new () => PausedQueue;
};

const kept: unknown[] = [];
const timers: NodeJS.Timeout[] = [];

/** Runs `start`, lets it settle in, and searches the heap for its promise. */
async function search(
  start: (settle: Done) => void,
): Promise<NonNullable<Leaf['waker']> | undefined> {
  let settle!: Done;
  const promise = new Promise((resolve, reject) => {
    settle = (err, v) => (err ? reject(err) : resolve(v));
  });
  kept.push(promise);
  start(settle);
  for (let i = 0; i < 3; i++)
    await new Promise(resolve => setImmediate(resolve));
  const leaf = leafOf('waits');
  const subjects: WakerSubject[] = [{leaf, promise, constructed: true}];
  searchThisProcess(subjects);
  return leaf.waker;
}

afterAll(() => {
  kept.length = 0;
});

test('a job queued under the key its holder holds, the only keeper of its release: a deadlock, and the holder', async () => {
  const lock = new CallbackLock();
  kept.push(lock);
  const waker = await search(settle => {
    lock.acquire(
      'k',
      function holder(done) {
        lock.acquire('k', inner => {
          inner();
          done(null, 1);
        });
      },
      settle,
    );
  });
  expect(waker?.what).toMatch(/kept in CallbackLock\.queues\.k\[0\]/);
  expect(waker?.deadlock).toBe(true);
  expect(waker?.queuedBehind?.name).toBe('holder');
  expect(waker?.queuedBehind?.file).toMatch(/wakers-queued-behind\.test\.ts$/);
  expect(waker?.heldHere).toBeUndefined();
  expect(wakerLine({...leafOf('waits'), waker})).toMatch(
    /; the lock's holder \(holder at test\/unit\/wakers-queued-behind\.test\.ts:\d+:\d+\) has its release kept only by a job queued behind it: a deadlock$/,
  );
}, 120_000);

test('the release also kept by a timer: no deadlock said', async () => {
  const lock = new CallbackLock();
  kept.push(lock);
  const waker = await search(settle => {
    lock.acquire(
      'k',
      function holder(done) {
        timers.push(setTimeout(() => done(null, 1), 60_000).unref());
        lock.acquire('k', inner => {
          inner();
          done(null, 2);
        });
      },
      settle,
    );
  });
  for (const t of timers) clearTimeout(t);
  expect(waker?.deadlock).toBeUndefined();
  expect(waker?.queuedBehind).toBeUndefined();
}, 120_000);

test('the release also kept in a variable of the program: no deadlock said', async () => {
  const lock = new CallbackLock();
  kept.push(lock);
  const waker = await search(settle => {
    lock.acquire(
      'k',
      function holder(done) {
        kept.push(done);
        lock.acquire('k', inner => {
          inner();
          done(null, 2);
        });
      },
      settle,
    );
  });
  expect(waker?.deadlock).toBeUndefined();
  expect(waker?.queuedBehind).toBeUndefined();
}, 120_000);

test('a holder that dropped its release, and a caller queued behind it: no deadlock said', async () => {
  const lock = new CallbackLock();
  kept.push(lock);
  lock.acquire('k', () => undefined);
  const waker = await search(settle => {
    lock.acquire('k', inner => inner(), settle);
  });
  expect(waker?.what).toMatch(/kept in CallbackLock\.queues\.k\[0\]/);
  expect(waker?.deadlock).toBeUndefined();
  expect(waker?.queuedBehind).toBeUndefined();
}, 120_000);

test("a queue nobody started, whose entry keeps the waiter's own release: no deadlock said (p-queue's shape)", async () => {
  const queue = new PausedQueue();
  kept.push(queue);
  const waker = await search(settle => {
    queue.add(async () => 1).then(v => settle(null, v), settle);
  });
  expect(waker?.what).toMatch(/kept in PausedQueue\.queue\[0\]\.run/);
  expect(waker?.deadlock).toBeUndefined();
  expect(waker?.queuedBehind).toBeUndefined();
}, 120_000);
