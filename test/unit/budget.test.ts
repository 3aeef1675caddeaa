import {
  closeRoot,
  createRoot,
  enterRoot,
  leaveRoot,
  noteTurn,
  startRecording,
  topUpCaptures,
} from '../../src/core/record';
import type {Root} from '../../src/core/record';
import {runBody} from './runner-stub';

// The capture budget's token bucket (src/core/record/state.ts): what each test
// starts with, and when it refills. Counts only, nothing timed.

/** Makes `n` pending promises under `root`, each one creation. */
function make(root: Root, n: number): Array<Promise<void>> {
  enterRoot(root);
  try {
    return Array.from({length: n}, () => new Promise<void>(() => {}));
  } finally {
    leaveRoot(root);
  }
}

/** Waits until performance.now() has moved by `ms`. */
function spin(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

describe('the capture budget', () => {
  const roots: Root[] = [];
  const root = (): Root => {
    const r = createRoot();
    roots.push(r);
    return r;
  };
  let stop: () => void = () => {};
  afterEach(() => {
    for (const r of roots.splice(0)) closeRoot(r);
    stop();
  });

  test('each test starts with the whole burst, whatever the tests before it spent', () => {
    stop = startRecording({captureBurst: 10, capturesPerSecond: 0});
    const busy = root();
    make(busy, 50);
    expect(busy.promises.size).toBe(10);
    expect(busy.unrecorded).toBe(40);

    // Without a top-up (and no refill), the next Root records nothing.
    const starved = root();
    make(starved, 1);
    expect(starved.promises.size).toBe(0);
    expect(starved.unrecorded).toBe(1);

    // A test or hook starts (the environment tops the bucket up then).
    topUpCaptures();
    const next = root();
    make(next, 25);
    expect(next.promises.size).toBe(10);
    expect(next.unrecorded).toBe(15);
  });

  test('after a turn of the event loop, the first promise over the budget refills it from the time that passed', () => {
    // A token per microsecond: any time at all refills the bucket.
    stop = startRecording({captureBurst: 5, capturesPerSecond: 1_000_000});
    topUpCaptures();
    const r = root();
    make(r, 6);
    expect(r.promises.size).toBe(5);
    expect(r.unrecorded).toBe(1);

    // Time passes, but the clock is read only once per 256 promises over
    // the budget: the next one is still not recorded.
    spin(1);
    make(r, 1);
    expect(r.promises.size).toBe(5);
    expect(r.unrecorded).toBe(2);

    // The watchdog's beat says the event loop turned: the next one reads the
    // clock and is recorded, and the bucket is full again, not more.
    noteTurn();
    make(r, 10);
    expect(r.promises.size).toBe(10);
    expect(r.unrecorded).toBe(7);
  });

  test('a turn of the event loop while the bucket has tokens changes nothing', () => {
    stop = startRecording({captureBurst: 5, capturesPerSecond: 0});
    topUpCaptures();
    const r = root();
    make(r, 2);
    noteTurn();
    make(r, 10);
    expect(r.promises.size).toBe(5);
    expect(r.unrecorded).toBe(7);
  });

  test('a body whose promises spent the budget before the runner awaited it: its work still reaches the test, not "a chain broken by a callback"', async () => {
    const waiters: Array<() => void> = [];
    const wait = (): Promise<void> =>
      new Promise<void>(r => {
        waiters.push(r);
      });
    const job = async (): Promise<void> => {
      await wait();
    };
    // Each job takes three captures (its call, the `new Promise`, the
    // `await`): the budget is spent in the loop, before the runner's `.then`
    // on what the body returns, which is recorded without a stack.
    const {dump, tree} = await runBody(
      async () => {
        for (let i = 0; i < 100; i++) void job();
        await new Promise(() => {});
      },
      30,
      150,
    );
    expect(dump.leaves.length).toBeGreaterThan(40);
    expect(dump.leaves.every(l => !l.detached)).toBe(true);
    expect(tree.join('\n')).not.toContain('broken by a callback');
    expect(tree.slice(0, 3)).toEqual([
      '╼ test "body"',
      '└╼ job (not awaited)',
      '   └╼ wait',
    ]);
  });
});
