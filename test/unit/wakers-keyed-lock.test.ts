import path from 'node:path';
import type {WakerSubject} from '../../src/core/wakers';
import type {Leaf} from '../../src/core/types';
import {promiseLeaf as leafOf, searchThisProcess} from './wakers/live';

// A lock with a queue per key (async-lock's shape): two transfers take their
// first key, then wait for the other's (AB/BA). Each waits for the key the
// other holds, a deadlock of two branches; neither waits for a key it holds
// itself (it read "held by this branch, which waits for it": the releases
// of every key were taken for the lock's).

interface KeyedLock {
  acquire<T>(key: string, fn: () => Promise<T>): Promise<T>;
}
const {KeyedLock} = require(
  path.join(__dirname, '..', 'data', 'node_modules', 'keyed-lock'),
) as {KeyedLock: new () => KeyedLock};

const kept: unknown[] = [];

describe('a keyed lock, two branches each holding the key the other waits for', () => {
  const leaves: Record<string, Leaf> = {};

  beforeAll(async () => {
    const lock = new KeyedLock();
    kept.push(lock);
    const inner: Record<string, Promise<unknown>> = {};
    const transfer = (from: string, to: string): Promise<unknown> =>
      lock.acquire(from, async () => {
        await new Promise(resolve => setImmediate(resolve));
        inner[from] = lock.acquire(to, async () => undefined);
        return inner[from];
      });
    kept.push(Promise.all([transfer('a', 'b'), transfer('b', 'a')]));
    for (let i = 0; i < 3; i++)
      await new Promise(resolve => setImmediate(resolve));
    leaves.ab = leafOf('fromA');
    leaves.ba = leafOf('fromB');
    const subjects: WakerSubject[] = [
      {leaf: leaves.ab, promise: inner.a, constructed: true},
      {leaf: leaves.ba, promise: inner.b, constructed: true},
    ];
    searchThisProcess(subjects);
  }, 120_000);

  afterAll(() => {
    kept.length = 0;
  });

  test('each waits for the key the other holds: held by the other, a deadlock', () => {
    const ab = leaves.ab.waker;
    const ba = leaves.ba.waker;
    expect(ab?.what).toMatch(/kept in KeyedLock\.queues\.b\[0\]/);
    expect(ba?.what).toMatch(/kept in KeyedLock\.queues\.a\[0\]/);
    expect(ab?.heldHere).toBeUndefined();
    expect(ba?.heldHere).toBeUndefined();
    expect(ab?.heldBy?.map(f => f.name)).toEqual(['fromB']);
    expect(ba?.heldBy?.map(f => f.name)).toEqual(['fromA']);
    expect(ab?.deadlock).toBe(true);
    expect(ba?.deadlock).toBe(true);
  });
});
