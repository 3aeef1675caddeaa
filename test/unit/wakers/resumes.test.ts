import type {WakerSubject} from '../../../src/core/wakers';
import {promiseLeaf, searchThisProcess} from './live';

// An async function suspended at an `await` whose scope keeps a promise's
// resolve function (wakers/resumes.ts), read from this process's heap: what
// its continuation reaches waits on that `await` too. p-queue's `add()` and
// `onIdle()`: the task's `run()` would resolve `add()`'s promise and, through
// the queue, `onIdle()`'s.

class Queue {
  resolveIdle: () => void = () => {};
  pending = 0;

  add(task: () => Promise<void>): Promise<void> {
    return new Promise<void>(resolve => {
      const run = async (): Promise<void> => {
        this.pending++;
        resolve(await task());
        this.next();
      };
      void run();
    });
  }

  next(): void {
    if (--this.pending === 0) this.resolveIdle();
  }

  onIdle(): Promise<void> {
    return new Promise<void>(resolve => (this.resolveIdle = resolve));
  }
}

// What is kept alive: the promises the suspended functions await among them
// (a dump's subjects, which the recorder keeps).
const kept: unknown[] = [];

/** A promise that never settles, kept. */
function never(): Promise<void> {
  const p = new Promise<void>(() => {});
  kept.push(p);
  return p;
}

/**
 * A function that keeps `resolve` and awaits a promise that never settles,
 * kept in `hold`: its continuation reaches `resolve` only.
 */
function unrelated(resolve: () => void, hold: unknown[]): void {
  void (async () => {
    const p = new Promise<void>(() => {});
    hold.push(p);
    await p;
    resolve();
  })();
}

test("a suspended run() that keeps add()'s resolve function, and reaches onIdle()'s: add()'s chain feeds onIdle(); one that reaches nothing else feeds nothing", async () => {
  const queue = new Queue();
  const idle = queue.onIdle();
  const added = queue.add(never);
  // The same shape, whose continuation reaches no other stuck promise.
  let alone: Promise<void> | undefined;
  const hold: unknown[] = [];
  const other = new Promise<void>(resolve => {
    alone = new Promise<void>(r => unrelated(r, hold));
    unrelated(resolve, hold);
  });
  kept.push(queue, idle, added, other, alone, hold);
  await new Promise(r => setTimeout(r, 10));
  const subjects: WakerSubject[] = [
    {
      leaf: promiseLeaf('add'),
      promise: added,
      constructed: true,
      feeds: [added],
    },
    {leaf: promiseLeaf('onIdle'), promise: idle, constructed: true},
    {
      leaf: promiseLeaf('alone'),
      promise: alone!,
      constructed: true,
      feeds: [alone!],
    },
    {leaf: promiseLeaf('other'), promise: other, constructed: true},
  ];
  const report = searchThisProcess(subjects);
  expect(
    report.feeds.map(
      f => `${f.handle.path[0].name} → ${f.promise.path[0].name}`,
    ),
  ).toEqual(['add → onIdle']);
});
