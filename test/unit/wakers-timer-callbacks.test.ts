import type {WakerSubject} from '../../src/core/wakers';
import type {Leaf} from '../../src/core/types';
import {promiseLeaf as leafOf, searchThisProcess} from './wakers/live';

// A timer keeping a resolve function settles it when it fires only if its
// callback is that function or calls it from its own scope. async.js's retry
// sets `setTimeout(retryAttempt, …)`: retryAttempt starts another attempt,
// and reaches the resolve function only through the retry's final callback.

describe('a timer whose callback keeps a resolve function', () => {
  const leaves: Record<string, Leaf> = {};
  const timers: NodeJS.Timeout[] = [];

  beforeAll(() => {
    for (const name of ['direct', 'scoped', 'through'])
      leaves[name] = leafOf(name);
    const direct = new Promise<void>(resolve => {
      timers.push(setTimeout(resolve, 60_000));
    });
    const scoped = new Promise<void>(resolve => {
      timers.push(setTimeout(() => resolve(), 60_000));
    });
    // async.js's shape: the promise's callback made in one function, the
    // loop that calls it in another.
    const promiseCallback = (): [
      (err: Error | null) => void,
      Promise<void>,
    ] => {
      let resolve!: () => void;
      const promise = new Promise<void>(r => (resolve = r));
      const callback = (err: Error | null): void => {
        if (err === null) resolve();
      };
      return [callback, promise];
    };
    const retry = (callback: (err: Error | null) => void): void => {
      let attempt = 0;
      function retryAttempt(): void {
        if (++attempt > 100) callback(null);
        else timers.push(setTimeout(retryAttempt, 60_000));
      }
      timers.push(setTimeout(retryAttempt, 60_000));
    };
    const [callback, through] = promiseCallback();
    retry(callback);
    const subjects: WakerSubject[] = [
      {leaf: leaves.direct, promise: direct, constructed: true},
      {leaf: leaves.scoped, promise: scoped, constructed: true},
      {leaf: leaves.through, promise: through, constructed: true},
    ];
    searchThisProcess(subjects);
  }, 120_000);

  afterAll(() => {
    for (const t of timers) clearTimeout(t);
  });

  test('the resolve function itself, or called from its scope: settles when it fires', () => {
    for (const name of ['direct', 'scoped'])
      expect(leaves[name].waker).toMatchObject({
        kind: 'timer',
        what: expect.stringMatching(
          /^settles when a setTimeout of 60000 ms fires \(in \d+(\.\d+)? s\)$/,
        ),
        short: 'settles when a setTimeout of 60000 ms fires',
      });
  });

  test('reached only through another function: kept by it, not said to settle it', () => {
    expect(leaves.through.waker).toMatchObject({
      kind: 'timer',
      what: expect.stringMatching(
        /^kept by the callback of a setTimeout of 60000 ms \(fires in \d+(\.\d+)? s\), retryAttempt, which can reach its resolve function only through another function \(callback\): when it fires, it may settle it or start more work$/,
      ),
      short: 'kept by a setTimeout callback',
    });
  });
});
