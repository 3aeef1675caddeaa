import path from 'node:path';
import type {WakerSubject} from '../../src/core/wakers';
import type {Leaf} from '../../src/core/types';
import {promiseLeaf as leafOf, searchThisProcess} from './wakers/live';

// A library's object that keeps a waiter's resolve function is taken for a
// lock (wakers/locks.ts), and a branch keeping a function one of its methods
// made for holding it. A function the library's own code keeps as it runs
// (its suspended async function, a local of its scope) was not handed to the
// branch: no "held by", no deadlock (TanStack Query's fetchQuery, MobX's
// when(), which read "held by this branch …: a deadlock").

const {Query} = require(
  path.join(__dirname, '..', 'data', 'node_modules', 'query-like'),
) as {Query: new () => {fetch(fn: () => Promise<void>): Promise<void>}};

const kept: unknown[] = [];

describe("a library's object keeping a waiter, and the library's own function running for it", () => {
  const leaves: Record<string, Leaf> = {};

  beforeAll(() => {
    const subjects: WakerSubject[] = [];
    const add = (name: string, promise: Promise<unknown>): void => {
      leaves[name] = leafOf(name);
      subjects.push({leaf: leaves[name], promise, constructed: true});
    };
    const query = new Query();
    kept.push(query);
    const never = new Promise<void>(() => {});
    add(
      'query',
      query.fetch(() => never),
    );
    add('query function', never);
    searchThisProcess(subjects);
  }, 120_000);

  afterAll(() => {
    kept.length = 0;
  });

  test('where the resolve function is kept, and no holder', () => {
    const w = leaves.query.waker;
    expect(w?.what).toMatch(
      /^its resolve function is kept in Query\.retryer\.resolve/,
    );
    expect(w?.heldBy ?? []).toEqual([]);
    expect(w?.heldHere ?? null).toBeNull();
    expect(w?.deadlock ?? false).toBe(false);
  });
});

// The program's own classes: a repository that forgets an in-flight load
// when it settles (`.finally()`, which V8 wraps in a function of its own),
// over a client that keeps the load's resolve function. The repository's
// `.finally()` callback is its code reacting to the load, not a release the
// load's branch holds.
class FakeClient {
  readonly calls: Array<{id: number; resolve: (v: unknown) => void}> = [];
  last: Promise<unknown> | undefined;
  fetchUser(id: number): Promise<unknown> {
    this.last = new Promise(resolve => {
      this.calls.push({id, resolve});
    });
    return this.last;
  }
}

class UserRepository {
  readonly inflight = new Map<number, Promise<unknown>>();
  constructor(readonly client: FakeClient) {}
  get(id: number): Promise<unknown> {
    const known = this.inflight.get(id);
    if (known !== undefined) return known;
    const p = this.client.fetchUser(id).finally(() => this.inflight.delete(id));
    this.inflight.set(id, p);
    return p;
  }
}

describe("a load a cache forgets in a .finally(): the cache's reaction is no release", () => {
  const load = leafOf('load');

  beforeAll(() => {
    const client = new FakeClient();
    const repo = new UserRepository(client);
    kept.push(repo);
    void repo.get(7).catch(() => {});
    searchThisProcess([{leaf: load, promise: client.last!, constructed: true}]);
  }, 120_000);

  test('where the resolve function is kept, no holder, no deadlock', () => {
    const w = load.waker;
    expect(w?.what).toMatch(
      /^its resolve function is kept in FakeClient\.calls\[0\]\.resolve/,
    );
    expect(w?.heldHere ?? null).toBeNull();
    expect(w?.deadlock ?? false).toBe(false);
  });
});
