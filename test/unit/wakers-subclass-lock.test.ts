import path from 'node:path';
import type {WakerSubject} from '../../src/core/wakers';
import type {Leaf} from '../../src/core/types';
import {promiseLeaf as leafOf, searchThisProcess} from './wakers/live';

// A lock's class defined by one package and extended by another (pg's
// BoundPool extends pg-pool's Pool): the subclass's object is the lock too,
// and what its methods made (a lent client's `release`) is what gives it
// back. A branch that keeps its client and waits for a second one, past
// `max`, waits for itself: a deadlock (it read as nothing held).

interface Client {
  release(): void;
}
const {BoundPool} = require(
  path.join(__dirname, '..', 'data', 'node_modules', 'pool-sub'),
) as {BoundPool: new (max: number) => {connect(): Promise<Client>}};

const kept: unknown[] = [];

describe("a subclass from another package of a pool's class", () => {
  const leaves: Record<string, Leaf> = {};

  beforeAll(async () => {
    const pool = new BoundPool(1);
    kept.push(pool);
    let second: Promise<Client> | undefined;
    const transfer = async (): Promise<void> => {
      const a = await pool.connect();
      second = pool.connect();
      await second;
      a.release();
    };
    kept.push(transfer());
    await new Promise(resolve => setImmediate(resolve));
    leaves.second = leafOf('second');
    const subjects: WakerSubject[] = [
      {leaf: leaves.second, promise: second!, constructed: true},
    ];
    searchThisProcess(subjects);
  }, 120_000);

  afterAll(() => {
    kept.length = 0;
  });

  test('the branch holding its client and waiting for another: a deadlock', () => {
    const w = leaves.second.waker;
    expect(w?.what).toMatch(
      /^its resolve function is kept in PendingItem\.callback .*BoundPool\._pendingQueue\[0\]/,
    );
    expect(w?.deadlock).toBe(true);
  });
});
