import path from 'node:path';
import type {WakerSubject} from '../../../src/core/wakers';
import type {Leaf} from '../../../src/core/types';
import {promiseLeaf, searchThisProcess} from './live';

// A pool that keeps what it lends in records of its own (tarn's, under knex):
// a branch that keeps every resource in use while it waits in the pool's
// queue waits for itself (a query outside its own transaction, with a pool
// of one). A resource kept elsewhere (a module's variable) is no deadlock,
// nor is one resource of two kept by the branch, the other by someone else.

type Op = {promise: Promise<unknown>};
const {Pool} = require(
  path.join(__dirname, '..', '..', 'data', 'node_modules', 'record-pool'),
) as {
  Pool: new (
    create: () => object,
    max: number,
  ) => {acquire(): Op; release(o: object): void};
};

const kept: unknown[] = [];

describe("a pool's resources in use, and who keeps them", () => {
  const leaves: Record<string, Leaf> = {};

  beforeAll(async () => {
    const subjects: WakerSubject[] = [];
    const waits: Record<string, Promise<unknown>> = {};
    // (a) One resource, kept in the waiting branch's own local.
    const one = new Pool(() => ({id: 1}), 1);
    kept.push(one);
    const query = async (): Promise<void> => {
      const conn = await one.acquire().promise;
      const second = one.acquire();
      waits.own = second.promise;
      await second.promise;
      one.release(conn as object);
    };
    void query();
    // (b) One resource, kept by this module (no branch): not a deadlock.
    const elsewhere = new Pool(() => ({id: 2}), 1);
    kept.push(elsewhere);
    kept.push(await elsewhere.acquire().promise);
    const late = async (): Promise<void> => {
      const op = elsewhere.acquire();
      waits.elsewhere = op.promise;
      await op.promise;
    };
    void late();
    // (c) Two resources: the branch keeps one, this module the other.
    const two = new Pool(() => ({id: 3}), 2);
    kept.push(two);
    kept.push(await two.acquire().promise);
    const half = async (): Promise<void> => {
      const conn = await two.acquire().promise;
      const op = two.acquire();
      waits.half = op.promise;
      await op.promise;
      two.release(conn as object);
    };
    void half();
    await new Promise(r => setTimeout(r, 20));
    for (const name of ['own', 'elsewhere', 'half']) {
      leaves[name] = promiseLeaf(name);
      subjects.push({
        leaf: leaves[name],
        promise: waits[name],
        constructed: true,
      });
    }
    searchThisProcess(subjects);
  }, 120_000);

  afterAll(() => {
    kept.length = 0;
  });

  test('every resource in use kept by the waiting branch: held by this branch, a deadlock', () => {
    const w = leaves.own.waker;
    expect(w?.what).toMatch(
      /^its resolve function is kept in PendingOperation\.deferred\.resolve .*itself kept in Pool\.pendingAcquires\[0\]/,
    );
    expect(w?.heldIn).toBe('the resource in use in Pool.used is');
    expect(w?.heldHere).not.toBeUndefined();
    expect(w?.deadlock).toBe(true);
  });

  test('a resource in use kept by a variable of the module: no holder said', () => {
    const w = leaves.elsewhere.waker;
    expect(w?.what).toMatch(/kept in Pool\.pendingAcquires\[0\]/);
    expect(w?.heldHere).toBeUndefined();
    expect(w?.heldIn).toBeUndefined();
    expect(w?.deadlock ?? false).toBe(false);
  });

  test('one of two resources in use kept by the branch: no deadlock said', () => {
    const w = leaves.half.waker;
    expect(w?.what).toMatch(/kept in Pool\.pendingAcquires\[0\]/);
    expect(w?.heldHere).toBeUndefined();
    expect(w?.deadlock ?? false).toBe(false);
  });
});
