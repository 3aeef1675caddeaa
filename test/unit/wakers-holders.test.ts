import {EventEmitter, once} from 'node:events';
import path from 'node:path';
import {promiseHooks} from 'node:v8';
import vm from 'node:vm';
import type {WakerSubject} from '../../src/core/wakers';
import {keptUnnamed} from '../../src/core/wakers/words';
import type {Leaf} from '../../src/core/types';
import {
  Bus,
  Pool,
  Resource,
  Sema,
  limiter,
  record,
  recordLimiter,
  startBehind,
  startNested,
  thenLimiter,
  waitsOf,
} from './wakers/shapes';
import {searchThisProcess} from './wakers/live';

// Who holds a lock, deadlocks, and promises that follow others, on live heaps
// of this process: one heap snapshot for all cases (each costs a second or
// more in a ts-jest worker).

/** A mutex whose acquire() resolves with a release function it makes. */
class Mutex {
  private locked = false;
  private readonly waiters: Array<() => void> = [];
  async acquire(): Promise<() => void> {
    if (this.locked)
      await record(
        this,
        new Promise<void>(resolve => this.waiters.push(resolve)),
      );
    this.locked = true;
    return () => this.release();
  }
  private release(): void {
    this.locked = false;
    this.waiters.shift()?.();
  }
}

/**
 * Waiters in a linked list of plain entries (@redis/client's queue of
 * commands, generic-pool's waiting clients).
 */
class LinkedQueue {
  head: Entry | null = null;
  tail: Entry | null = null;
  push(resolve: () => void): void {
    const entry: Entry = {value: {resolve}, next: null};
    if (this.tail) this.tail.next = entry;
    else this.head = entry;
    this.tail = entry;
  }
}
type Entry = {value: {resolve: () => void}; next: Entry | null};

/**
 * A promise that keeps its own settle functions, made in its constructor and
 * referring to it (postgres.js's `Query`): its class, not `Promise`, names it
 * in the heap.
 */
class Query extends Promise<unknown> {
  static get [Symbol.species](): PromiseConstructor {
    return Promise;
  }
  readonly resolve: (v: unknown) => void;
  readonly reject: (e: unknown) => void;
  active = true;
  constructor() {
    let res: (v: unknown) => void = () => {};
    let rej: (e: unknown) => void = () => {};
    super((a, b) => {
      res = a;
      rej = b;
    });
    this.resolve = v => {
      this.active = false;
      res(v);
    };
    this.reject = e => {
      this.active = false;
      rej(e);
    };
  }
}

/** An emitter with listeners of five events, keeping its waiters. */
class Noisy extends EventEmitter {
  readonly waiters: Array<() => void> = [];
}

/** A job queue made paused, as p-queue's `autoStart: false` leaves it. */
class PausedQueue {
  readonly jobs: Array<() => void> = [];
  _isPaused = true;
}

/** Where a program keeps the resolve functions of promises it hands out. */
class Gate {
  readonly waiters: Array<(v: unknown) => void> = [];
  readonly rejects: Array<(e: unknown) => void> = [];
}

// Keeps a lock's release in a module variable of its own.
const jobsModule = require('./wakers/jobs') as {
  takeJobsLock(lock: object): Promise<void>;
  held(): boolean;
};
const RetryOperation = require('./wakers/retry-op') as new () => {
  attempt(fn: () => void): void;
  stop(): void;
};

// Kept by this module, as a program keeps a deferred's functions.
let resolveLater: ((v: unknown) => void) | undefined;
let resolveHooked: ((v: unknown) => void) | undefined;
// A lock's release kept by this module, which defines the lock's class too.
let releaseHere: (() => void) | undefined;

const pause = (ms: number) => new Promise(r => setTimeout(r, ms));

describe('findWakers: holders, deadlocks and followed promises', () => {
  const subjects: WakerSubject[] = [];
  const add = (name: string, promise: Promise<unknown>, constructed = true) => {
    const l: Leaf = {
      kind: 'promise',
      what: 'promise, never settled',
      createdAt: null,
      path: [
        {
          name,
          file: 'test/unit/wakers-holders.test.ts',
          line: 1,
          column: 1,
          async: true,
        },
      ],
      ageMs: 0,
      detached: false,
    };
    promise.catch(() => {});
    subjects.push({leaf: l, promise, constructed});
    return l;
  };
  // What the program keeps (module variables, in a test: this array).
  const kept: unknown[] = [];
  let leaves: Record<string, Leaf>;

  beforeAll(async () => {
    // (a) Two transfers lock two mutexes in opposite orders; a bystander
    // refers to both mutexes while it waits on something else.
    const a = new Mutex();
    const b = new Mutex();
    kept.push(a, b);
    const transfer = async (from: Mutex, to: Mutex): Promise<void> => {
      const release = await from.acquire();
      await pause(5);
      (await to.acquire())();
      release();
    };
    // Refers to the locks (to acquire them later, say) while it waits on a
    // promise of its own.
    const bystander = (x: Mutex, y: Mutex): Promise<void> => {
      const wait = new Promise<void>(() => {});
      void (async () => {
        await wait;
        (await x.acquire())();
        (await y.acquire())();
      })();
      return wait;
    };
    void transfer(a, b);
    void transfer(b, a);
    const looking = bystander(a, b);

    // (b) A branch that holds a mutex and, below, acquires it again.
    const settings = new Mutex();
    kept.push(settings);
    const save = async (): Promise<void> => {
      (await settings.acquire())();
    };
    const set = async (): Promise<void> => {
      const release = await settings.acquire();
      await save();
      release();
    };
    void set();

    // (c) A lock its holder never released (the holder returned): nobody
    // alive holds it. A bystander refers to the lock.
    const cache = new Mutex();
    kept.push(cache);
    const refresh = async (): Promise<void> => {
      await cache.acquire();
      // returns without calling release()
    };
    await refresh();
    void cache.acquire();
    const cacheBystander = bystander(cache, cache);
    // And a pool whose only resource was borrowed and dropped.
    const pool = new Pool([new Resource()]);
    kept.push(pool);
    await pool.borrow();
    void pool.borrow();

    // (d) A lock held by one branch; another only refers to it.
    const audit = new Mutex();
    kept.push(audit);
    const approval = new Promise<void>(() => {});
    const holdForAudit = async (): Promise<void> => {
      const release = await audit.acquire();
      await approval;
      release();
    };
    void holdForAudit();
    await pause(1);
    void audit.acquire();
    const auditBystander = bystander(audit, audit);

    // (e) A lock whose release a module's variable keeps: no branch holds it.
    const jobs = new Mutex();
    kept.push(jobs);
    await jobsModule.takeJobsLock(jobs);
    void jobs.acquire();
    // The same with the release in a variable of this module.
    const jobsHere = new Mutex();
    kept.push(jobsHere);
    releaseHere = await jobsHere.acquire();
    void jobsHere.acquire();

    // (f) A limiter of one in p-limit's shape, used again inside its own job:
    // the job that holds the slot waits on the call queued behind it. And one
    // whose running job waits on a promise of its own: a call queued behind
    // it is held by that job's branch, not by itself.
    const nested = {};
    startNested(limiter, nested);
    const behindKey = {};
    const behind = startBehind(limiter, behindKey);

    // (h) The same with a limiter in throat's shape, whose jobs are
    // reactions.
    const thenNested = {};
    startNested(thenLimiter, thenNested);
    const thenBehindKey = {};
    const thenBehind = startBehind(thenLimiter, thenBehindKey);

    // (j) The same with a limiter in bottleneck's shape, whose queue keeps a
    // record per call and whose running record's `run()` holds the slot.
    const recordNested = {};
    startNested(recordLimiter, recordNested);
    const recordBehindKey = {};
    const recordBehind = startBehind(recordLimiter, recordBehindKey);

    // (g) A semaphore whose holder calls release() itself, taken again below
    // a call that holds it (the leaf's path, as a dump draws it, below).
    const sema = new Sema(1);
    kept.push(sema);
    const exclusive = async (fn: () => Promise<void>): Promise<void> => {
      await sema.acquire();
      try {
        await fn();
      } finally {
        sema.release();
      }
    };
    void exclusive(() => exclusive(async () => {}));

    // A promise resolved with another, still pending (V8 links the two
    // directly when no promise hook is on).
    const gate = new Gate();
    kept.push(gate);
    const inner = new Promise(resolve => gate.waiters.push(resolve));
    const follows = new Promise(resolve => {
      resolveLater = resolve;
    });
    resolveLater!(inner);
    // The same with a promise hook on (as under jest-taskdump): V8 hands a
    // second pair of functions to the inner promise's then().
    const hooks = promiseHooks.createHook({init() {}});
    const innerHooked = new Promise(resolve => gate.waiters.push(resolve));
    const followsHooked = new Promise(resolve => {
      resolveHooked = resolve;
    });
    resolveHooked!(innerHooked);
    await pause(1);
    hooks();

    // A promise handed to another's then(), and one whose resolve function
    // was dropped (only its reject function is kept).
    const handed = new Promise((resolve, reject) =>
      inner.then(resolve, reject),
    );
    const rejectOnly = new Promise((_resolve, reject) =>
      gate.rejects.push(reject),
    );

    // An emitter only the waiting function refers to (and the promise only
    // findWakers): not orphaned, its listener is there.
    let onceLocal: Leaf | undefined;
    void (async () => {
      const e = new EventEmitter();
      const p = once(e, 'ready');
      // events.once is an async function: not a `new Promise`.
      onceLocal = add('onceLocal', p, false);
      await p;
    })();

    // A retry operation keeps the resolve function; a timer of its keeps the
    // operation, through a variable of a function's call (not a module's).
    const op = new RetryOperation();
    kept.push(op);
    const retried = new Promise<void>(resolve => op.attempt(() => resolve()));

    // A wildcard listener tree: the 'error' listener only rejects.
    const bus = new Bus();
    kept.push(bus);
    const wildcard = new Promise((resolve, reject) => {
      const onError = (e: unknown) => reject(e);
      const onPaid = (v: unknown) => resolve(v);
      bus.listenerTree.error = {_listeners: onError};
      bus.listenerTree.order = {'*': {paid: {_listeners: [onPaid]}}};
    });

    // A module as jest-runtime@29 evaluates it: in a function named
    // `Object.<anonymous>` (a name V8 keeps among the scope's), whose variable
    // keeps a deferred.
    const wrapped = vm.runInThisContext(
      `({"Object.<anonymous>": function (module, exports) {
        class Deferred {
          constructor() {
            this.promise = new Promise(resolve => { this.resolve = resolve; });
          }
        }
        const ready = new Deferred();
        exports.whenReady = () => ready.promise;
      }})`,
      {filename: path.join(process.cwd(), 'test/unit/wakers/jest29-module.js')},
    ) as Record<string, (m: object, e: object) => void>;
    const jest29 = {exports: {} as {whenReady?: () => Promise<void>}};
    wrapped['Object.<anonymous>'](jest29, jest29.exports);
    kept.push(jest29);

    // A module as Jest 30 compiles it (an anonymous wrapper) whose scope also
    // keeps a small integer: V8's scope info names it, and the snapshot has no
    // edge for it.
    const compiled = vm.compileFunction(
      `const waiters = [];
       const LIMIT = 10;
       exports.wait = () =>
         new Promise(resolve => {
           if (waiters.length < LIMIT) waiters.push(resolve);
         });`,
      ['module', 'exports'],
      {filename: path.join(process.cwd(), 'test/unit/wakers/smi-module.js')},
    ) as (m: object, e: object) => void;
    const smiModule = {exports: {} as {wait?: () => Promise<void>}};
    compiled(smiModule, smiModule.exports);
    kept.push(smiModule);

    // (i) A query a connection's listener keeps (to reject it on close),
    // awaited by a branch: the query's own settle functions, which its
    // constructor made, are no release of a lock the branch holds.
    const connection = new EventEmitter();
    const query = new Query();
    connection.on('close', () => query.reject(new Error('closed')));
    kept.push(connection);
    void (async () => {
      await query;
    })();

    await pause(20);
    const semaFile = 'test/unit/wakers-holders.test.ts';
    const reentered: Leaf = {
      kind: 'promise',
      what: 'promise, never settled',
      createdAt: null,
      path: [
        {name: 'exclusive', file: semaFile, line: 12, column: 9, async: true},
        {name: 'exclusive', file: semaFile, line: 10, column: 7, async: true},
        {
          name: 'Sema.acquire',
          file: 'node_modules/sema/index.js',
          line: 3,
          column: 1,
          async: false,
        },
      ],
      ageMs: 0,
      detached: false,
    };
    subjects.push({
      leaf: reentered,
      promise: waitsOf.get(sema)![0],
      constructed: true,
    });
    // A queue of three waiters in a linked list.
    const linked = new LinkedQueue();
    kept.push(linked);
    const queued = [0, 1, 2].map(
      () => new Promise<void>(resolve => linked.push(resolve)),
    );
    const paused = new PausedQueue();
    kept.push(paused);
    const pausedJob = new Promise<void>(resolve => paused.jobs.push(resolve));
    const noisy = new Noisy();
    for (const event of ['zeta', 'alpha', 'mid', 'beta', 'gamma'])
      noisy.on(event, () => {});
    kept.push(noisy);
    const noisyWait = new Promise<void>(resolve => noisy.waiters.push(resolve));
    leaves = {
      noisy: add('noisy', noisyWait),
      pausedJob: add('pausedJob', pausedJob),
      linked0: add('linked0', queued[0]),
      linked1: add('linked1', queued[1]),
      linked2: add('linked2', queued[2]),
      semaReentered: reentered,
      jest29: add('jest29', jest29.exports.whenReady!()),
      smiModule: add('smiModule', smiModule.exports.wait!()),
      first: add('first', waitsOf.get(b)![0]),
      second: add('second', waitsOf.get(a)![0]),
      looking: add('looking', looking),
      reentered: add('reentered', waitsOf.get(settings)![0]),
      secondRefresh: add('secondRefresh', waitsOf.get(cache)![0]),
      cacheBystander: add('cacheBystander', cacheBystander),
      borrow: add('borrow', waitsOf.get(pool)![0]),
      deposit: add('deposit', waitsOf.get(audit)![0]),
      auditWait: add('auditWait', approval),
      auditBystander: add('auditBystander', auditBystander),
      jobs: add('jobs', waitsOf.get(jobs)![0]),
      jobsHere: add('jobsHere', waitsOf.get(jobsHere)![0]),
      nestedLimit: add('nestedLimit', waitsOf.get(nested)![0]),
      queuedBehind: add('queuedBehind', waitsOf.get(behindKey)![0]),
      slowReply: add('slowReply', behind.slow),
      thenNested: add('thenNested', waitsOf.get(thenNested)![0]),
      thenBehind: add('thenBehind', waitsOf.get(thenBehindKey)![0]),
      thenSlow: add('thenSlow', thenBehind.slow),
      recordNested: add('recordNested', waitsOf.get(recordNested)![0]),
      recordBehind: add('recordBehind', waitsOf.get(recordBehindKey)![0]),
      recordSlow: add('recordSlow', recordBehind.slow),
      follows: add('follows', follows),
      followsHooked: add('followsHooked', followsHooked),
      handed: add('handed', handed),
      rejectOnly: add('rejectOnly', rejectOnly),
      onceLocal: onceLocal!,
      retried: add('retried', retried),
      wildcard: add('wildcard', wildcard),
      query: add('query', query),
    };
    searchThisProcess(subjects);
  }, 120_000);

  afterAll(() => {
    for (const k of kept) (k as {stop?: () => void}).stop?.();
    subjects.length = 0;
    kept.length = 0;
  });

  test('(a) two branches, each holding the mutex the other waits for: a deadlock, the bystander that only refers to the mutexes holds nothing', () => {
    for (const [mine, other] of [
      [leaves.first, 'second'],
      [leaves.second, 'first'],
    ] as const) {
      expect(mine.waker).toMatchObject({
        kind: 'object',
        deadlock: true,
        heldBy: [{name: other}],
      });
      expect(mine.waker!.what).toMatch(
        /^its resolve function is kept in Mutex\.waiters\[0\]/,
      );
    }
  });

  test('(b) a branch that acquires the mutex it holds: held by this branch, which waits for it', () => {
    expect(leaves.reentered.waker).toMatchObject({
      kind: 'object',
      deadlock: true,
      heldHere: {name: 'set', file: 'test/unit/wakers-holders.test.ts'},
    });
    expect(leaves.reentered.waker!.heldBy).toBeUndefined();
  });

  test('(i) a promise subclass keeping its own settle functions: not held by the branch that awaits it, no deadlock', () => {
    // Both arrows close over the constructor's scope, which keeps both
    // functions: either is where it is kept.
    expect(leaves.query.waker!.what).toMatch(
      /^its resolve function is kept in Query\.(resolve|reject) /,
    );
    expect(leaves.query.waker!.heldHere).toBeUndefined();
    expect(leaves.query.waker!.heldBy).toBeUndefined();
    expect(leaves.query.waker!.deadlock).toBeUndefined();
  });

  test('(c) a lock whose holder returned without releasing it: held by no branch, and nothing more is claimed', () => {
    expect(leaves.secondRefresh.waker).toMatchObject({kind: 'object'});
    expect(leaves.secondRefresh.waker!.heldBy).toBeUndefined();
    expect(leaves.secondRefresh.waker!.heldHere).toBeUndefined();
    expect(leaves.secondRefresh.waker!.deadlock).toBeUndefined();
    expect(leaves.secondRefresh.waker!.what).toMatch(
      /^its resolve function is kept in Mutex\.waiters\[0\] \(class Mutex at test\/unit\/wakers-holders\.test\.ts:\d+:\d+\)/,
    );
    expect(leaves.secondRefresh.waker!.what).not.toMatch(/held|nothing but/);
  });

  test('(c) a pool whose borrowed resource only the pool refers to: that is said', () => {
    expect(leaves.borrow.waker).toMatchObject({kind: 'object'});
    expect(leaves.borrow.waker!.heldBy).toBeUndefined();
    expect(leaves.borrow.waker!.what).toMatch(
      /^its resolve function is kept in Pool\.waiting\[0\] .*; nothing but the Pool refers to what Pool\.loans \(a Map\) holds$/,
    );
  });

  test('(d) a branch that only refers to the lock does not hold it; the one with its release does', () => {
    expect(leaves.deposit.waker).toMatchObject({
      kind: 'object',
      heldBy: [{name: 'auditWait'}],
    });
    expect(leaves.deposit.waker!.heldBy).toHaveLength(1);
    expect(leaves.deposit.waker!.deadlock).toBeUndefined();
  });

  test("(f) a limiter's running job waits on the call queued behind it: held by this branch, a deadlock", () => {
    expect(leaves.nestedLimit.waker).toMatchObject({
      kind: 'object',
      deadlock: true,
    });
    expect(leaves.nestedLimit.waker!.what).toMatch(
      /^its resolve function is kept in JobQueue\.items\[0\] \(class JobQueue at test\/unit\/wakers\/shapes\.ts:\d+:\d+\)/,
    );
    // The job's function, where it is written.
    expect(leaves.nestedLimit.waker!.heldHere).toMatchObject({
      name: '<anonymous>',
      file: 'test/unit/wakers/shapes.ts',
    });
  });

  test("(f) a limiter's running job that waits on something else: held by that branch, no deadlock", () => {
    const w = leaves.queuedBehind.waker!;
    expect(w.what).toMatch(
      /^its resolve function is kept in JobQueue\.items\[0\]/,
    );
    expect(w.heldHere).toBeUndefined();
    expect(w.deadlock).toBeUndefined();
    expect(w.heldBy).toEqual([expect.objectContaining({name: 'slowReply'})]);
  });

  test("(h) a limiter whose jobs are reactions (throat's shape), used again inside its own job: held by this branch, a deadlock", () => {
    expect(leaves.thenNested.waker).toMatchObject({
      kind: 'object',
      deadlock: true,
    });
    expect(leaves.thenNested.waker!.what).toMatch(
      /^its resolve function is kept in Delayed\.resolve .*, itself kept in DelayedQueue\.items\[0\]/,
    );
    expect(leaves.thenNested.waker!.heldHere).not.toBeUndefined();
  });

  test('(h) the same, its running job waiting on something else: held by that branch, no deadlock', () => {
    const w = leaves.thenBehind.waker!;
    expect(w.heldHere).toBeUndefined();
    expect(w.deadlock).toBeUndefined();
    expect(w.heldBy).toEqual([expect.objectContaining({name: 'thenSlow'})]);
  });

  test("(j) a limiter whose queue keeps a record per call (bottleneck's shape), used again inside its own job: held by the running record's run(), a deadlock", () => {
    expect(leaves.recordNested.waker).toMatchObject({
      kind: 'object',
      deadlock: true,
    });
    expect(leaves.recordNested.waker!.what).toMatch(
      /^its resolve function is kept in LimitedJob\.resolve /,
    );
    expect(leaves.recordNested.waker!.heldHere).toMatchObject({
      name: 'run',
      file: 'test/unit/wakers/shapes.ts',
    });
  });

  test('(j) the same, its running record waiting on something else: held by that branch, no deadlock', () => {
    const w = leaves.recordBehind.waker!;
    expect(w.heldHere).toBeUndefined();
    expect(w.deadlock).toBeUndefined();
    expect(w.heldBy).toEqual([expect.objectContaining({name: 'recordSlow'})]);
  });

  test('(g) a semaphore that keeps no release, waited on below another call of the same function: that call is named, as a possible deadlock', () => {
    const w = leaves.semaReentered.waker!;
    expect(w.what).toMatch(
      /^its resolve function is kept in Sema\.waiting\[0\]/,
    );
    expect(w.what).toMatch(
      /; further up this branch, exclusive at test\/unit\/wakers-holders\.test\.ts:12:9 is another call of the same function, suspended past this wait \(line 10\): if that call holds what this one waits for, this is a deadlock$/,
    );
    expect([w.heldHere, w.heldBy, w.deadlock]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    // A lock whose holder is known says that instead.
    expect(leaves.reentered.waker!.what).not.toContain('further up');
  });

  test("(e) a lock whose release a module's variable keeps: no holder is named", () => {
    expect(jobsModule.held()).toBe(true);
    const w = leaves.jobs.waker!;
    expect(w.what).toMatch(
      /^its resolve function is kept in Mutex\.waiters\[0\] \(class Mutex at test\/unit\/wakers-holders\.test\.ts:\d+:\d+\)/,
    );
    expect(w.what).toMatch(
      /, itself kept in `release` of test\/unit\/wakers\/jobs\.js$/,
    );
    expect([w.heldBy, w.heldHere, w.deadlock]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });

  // The waiter's suspended acquire() keeps, in its registers, the scope it
  // runs in: this module's, which keeps the release. A branch is not walked
  // into a module's scope, however it is reached.
  test("(e) a release kept by the lock class's own module: no holder is named", () => {
    expect(releaseHere).toBeDefined();
    const w = leaves.jobsHere.waker!;
    expect([w.heldBy, w.heldHere, w.deadlock]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });

  test('waiters in a linked list: kept in an entry of the list, the same words for each', () => {
    const whats = [leaves.linked0, leaves.linked1, leaves.linked2].map(
      l => l.waker!.what,
    );
    expect(whats[0]).toMatch(
      /^its resolve function is kept in LinkedQueue, at `\.value\.resolve` of an entry of its linked list \(class LinkedQueue at test\/unit\/wakers-holders\.test\.ts:\d+:\d+\)/,
    );
    expect(new Set(whats).size).toBe(1);
  });

  test("an emitter's events: the first three in order, and how many more", () => {
    expect(leaves.noisy.waker!.what).toMatch(
      /^its resolve function is kept in Noisy\.waiters\[0\] \(class Noisy at [^;]+; an EventEmitter with listeners of 'alpha', 'beta', 'gamma' and 2 more\)/,
    );
  });

  test('kept by an object whose pause flag is true: said', () => {
    expect(leaves.pausedJob.waker!.what).toMatch(
      /^its resolve function is kept in PausedQueue\.jobs\[0\] \(class PausedQueue at test\/unit\/wakers-holders\.test\.ts:\d+:\d+; its `_isPaused` is true\)/,
    );
    // The linked queue has no such flag.
    expect(leaves.linked0.waker!.what).not.toContain('is true');
  });

  test('a resolve function called with a pending promise: said so, never "nothing has called it"', () => {
    for (const l of [leaves.follows, leaves.followsHooked]) {
      expect(l.waker!.what).toMatch(
        /^its resolve function was called with another promise, which has not settled: its resolve function is kept in Gate\.waiters\[\d\] \(class Gate at test\/unit\/wakers-holders\.test\.ts:\d+:\d+\)/,
      );
      expect(l.waker!.what).not.toContain('nothing has called it');
    }
  });

  test("a promise handed to another's then(): it follows that one, whose waker is said", () => {
    expect(leaves.handed.waker!.what).toMatch(
      /^it follows another promise \(its resolve function was passed to that one's then\(\)\), which has not settled: its resolve function is kept in Gate\.waiters\[0\]/,
    );
  });

  test('only the reject function kept: said of the reject function, and that it can only be rejected', () => {
    expect(leaves.rejectOnly.waker!.what).toMatch(
      /^its reject function is kept in Gate\.rejects\[0\] .*; its resolve function is gone, so it can only be rejected$/,
    );
  });

  test('kept only by the waiting code (unreachable from outside) is not orphaned: what it waits for', () => {
    expect(leaves.onceLocal.waker).toEqual({
      kind: 'event',
      what: "waits for 'ready' on an EventEmitter: not emitted since its listener was added; only objects that nothing running can reach keep what can settle it",
      short: "waits for 'ready' on an EventEmitter",
    });
  });

  test("a variable of a function's call is not a module's variable: what keeps it is the timer", () => {
    expect(leaves.retried.waker!.what).toMatch(
      /^its resolve function is kept in RetryOperation\.fn \(by a function at test\/unit\/wakers-holders\.test\.ts:\d+:\d+\) \(class RetryOperation at test\/unit\/wakers\/retry-op\.js:\d+:\d+\), itself kept by a setTimeout of 60000 ms \(fires in \d+\.\d s\)$/,
    );
    expect(leaves.retried.waker!.what).not.toContain('`self`');
  });

  test("a module's variable, in Jest 29's module wrapper (a function named Object.<anonymous>)", () => {
    expect(leaves.jest29.waker!.what).toMatch(
      /^its resolve function is kept in Deferred\.resolve \(class Deferred at test\/unit\/wakers\/jest29-module\.js:\d+:\d+\), itself kept in `ready` of test\/unit\/wakers\/jest29-module\.js$/,
    );
  });

  test("a module's variable, beside one holding a small integer (named in V8's scope info, no edge in the snapshot)", () => {
    expect(leaves.smiModule.waker!.what).toBe(
      'its resolve function is kept in `waiters` of test/unit/wakers/smi-module.js, and nothing has called it',
    );
  });

  test("a wildcard listener tree: the event that resolves, not the 'error' one that only rejects", () => {
    expect(leaves.wildcard.waker).toMatchObject({
      kind: 'event',
      what: "waits for 'order.*.paid' on a Bus (an EventEmitter): not emitted since its listener was added, or emitted without settling it",
    });
    expect(leaves.looking.waker!.kind).toBe('none');
  });
});

test('a resolve function kept by a function bind() made is said to be kept by a bound function, not by V8 name', () => {
  // p-limit 3 queues `run.bind(null, fn, resolve, ...args)`.
  expect(keptUnnamed(['native_bind', 'Object'], 'resolve').what).toBe(
    'its resolve function is still kept (by a bound function, an Object), and nothing has called it',
  );
});

// Listeners an emitter keeps in shapes other than Node's: in a module's
// WeakMap under the emitter (emittery's), in records of their own under
// `_events` (eventemitter3's). One heap snapshot for these.
describe('findWakers: listeners kept in a WeakMap, and in listener records', () => {
  const weakModule = require('./wakers/weak-module') as {
    once(emitter: object, event: string): Promise<unknown>;
    call(client: object): Promise<unknown>;
  };
  const Emitter3 = require('./wakers/emitter3') as new () => {
    on(event: string, fn: (v: unknown) => void): void;
    once(event: string, fn: (v: unknown) => void): void;
    emit(event: string, v?: unknown): boolean;
  };
  /** The emitter, the WeakMap's key. */
  class Cache {}
  const kept: unknown[] = [];
  const subjects: WakerSubject[] = [];
  const leafOf = (promise: Promise<unknown>, constructed = true): Leaf => {
    const leaf: Leaf = {
      kind: 'promise',
      what: 'promise, never settled',
      createdAt: null,
      path: [],
      ageMs: 0,
      detached: false,
    };
    promise.catch(() => {});
    subjects.push({leaf, promise, constructed});
    return leaf;
  };
  let leaves: Record<string, Leaf>;

  beforeAll(async () => {
    // A key the program keeps, and one only the function waiting refers to.
    const cache = new Cache();
    kept.push(cache);
    let unreached: Leaf | undefined;
    void (async () => {
      const local = new Cache();
      const p = weakModule.once(local, 'ready');
      unreached = leafOf(p);
      await p;
    })();
    // An emitter of eventemitter3's shape: a once() listener of 'ready', and
    // an on() listener beside another (an array of records).
    const bus = new Emitter3();
    const other = new Emitter3();
    kept.push(bus, other);
    const once = new Promise(resolve => bus.once('ready', resolve));
    other.on('ready', () => {});
    const on = new Promise(resolve => other.on('ready', resolve));
    bus.emit('reday');
    other.emit('reday');
    await pause(1);
    leaves = {
      weak: leafOf(weakModule.call(cache)),
      table: leafOf(weakModule.once(cache, 'ready')),
      unreached: unreached!,
      once: leafOf(once),
      on: leafOf(on),
    };
    searchThisProcess(subjects);
  }, 120_000);

  afterAll(() => {
    subjects.length = 0;
    kept.length = 0;
  });

  test("a WeakMap's value is kept by the WeakMap under its key, not by the key: the key is named as such", () => {
    expect(leaves.weak.waker).toMatchObject({
      kind: 'variable',
      short: 'kept in `pendingMap` of test/unit/wakers/weak-module.js',
    });
    expect(leaves.weak.waker!.what).toMatch(
      /^its resolve function is kept in a Map, itself kept in `pendingMap` of test\/unit\/wakers\/weak-module\.js \(a WeakMap\) under a key that is a Cache \(class Cache at test\/unit\/wakers-holders\.test\.ts:\d+:\d+\), and nothing has called it$/,
    );
  });

  // emittery's shape (wakers/listener-tables.ts): the Map is from an event's
  // name to its listeners; the key is the emitter.
  test('a listener in a table beside its emitter (a WeakMap keyed by it, of Maps by event name): a wait for that event on the key', () => {
    expect(leaves.table.waker).toEqual({
      kind: 'event',
      what: "waits for 'ready' on a Cache: not emitted since its listener was added, or emitted without settling it",
      short: "waits for 'ready' on a Cache",
    });
  });

  test('a WeakMap keeps a value only while its key lives: a key only the waiting code refers to reaches nothing running', () => {
    expect(leaves.unreached.waker!.what).toBe(
      "waits for 'ready' on a Cache: not emitted since its listener was added, or emitted without settling it; only objects that nothing running can reach keep what can settle it",
    );
  });

  test("a listener in a record under `_events` (eventemitter3's shape) is the emitter's listener, as a function there is", () => {
    expect(leaves.once.waker).toEqual({
      kind: 'event',
      what: "waits for 'ready' on an EventEmitter: not emitted since its listener was added",
      short: "waits for 'ready' on an EventEmitter",
    });
    // Added with on(): it stays when the event is emitted.
    expect(leaves.on.waker).toEqual({
      kind: 'event',
      what: "waits for 'ready' on an EventEmitter: not emitted since its listener was added, or emitted without settling it",
      short: "waits for 'ready' on an EventEmitter",
    });
  });
});
