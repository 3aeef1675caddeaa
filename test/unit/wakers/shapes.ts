import {EventEmitter} from 'node:events';

// Shapes of locks and emitters for test/unit/wakers-holders.test.ts (the
// Mutex, and the Gate whose place is asserted, stay in that file).

// The promises the waiters of each lock wait on, for the test to hand to
// findWakers.
export const waitsOf = new Map<object, Array<Promise<unknown>>>();
export const record = <T>(lock: object, p: Promise<T>): Promise<T> => {
  waitsOf.set(lock, [...(waitsOf.get(lock) ?? []), p]);
  return p;
};

/** A pool that records what it lends in a Map, as generic-pool does. */
export class Pool {
  private readonly loans = new Map<Resource, {since: number}>();
  private readonly waiting: Array<(r: Resource) => void> = [];
  constructor(private free: Resource[]) {}
  async borrow(): Promise<Resource> {
    const r =
      this.free.pop() ??
      (await record(
        this,
        new Promise<Resource>(resolve => this.waiting.push(resolve)),
      ));
    this.loans.set(r, {since: 0});
    return r;
  }
  giveBack(r: Resource): void {
    this.loans.delete(r);
    const next = this.waiting.shift();
    if (next) next(r);
    else this.free.push(r);
  }
}
export class Resource {}

/** An emitter with a wildcard listener tree, shaped as EventEmitter2's. */
export class Bus extends EventEmitter {
  readonly listenerTree: Record<string, unknown> = {};
}

/** The queue of {@link limiter}: an object of a class, as yocto-queue's. */
class JobQueue {
  readonly items: Array<() => Promise<void>> = [];
}

/**
 * A limiter in p-limit's shape: its queue a variable of the call that made
 * it, and an async `run` that awaits each job before it starts the next. The
 * promise of each call that had to queue is recorded under `key`.
 */
export function limiter(
  concurrency: number,
  key: object,
): <T>(fn: () => Promise<T>) => Promise<T> {
  const queue = new JobQueue();
  let active = 0;
  const next = (): void => {
    active--;
    void queue.items.shift()?.();
  };
  const run = async (
    fn: () => Promise<unknown>,
    resolve: (v: unknown) => void,
  ): Promise<void> => {
    active++;
    const result = (async () => fn())();
    resolve(result);
    try {
      await result;
    } catch {
      // its caller sees it
    }
    next();
  };
  return <T>(fn: () => Promise<T>): Promise<T> => {
    let queued = false;
    const p = new Promise<T>(resolve => {
      const job = run.bind(null, fn, resolve as (v: unknown) => void);
      if (active < concurrency) void job();
      else {
        queued = true;
        queue.items.push(job);
      }
    });
    return queued ? record(key, p) : p;
  };
}

/**
 * A queue in async's shape (`async.queue`): its listeners in an object, a
 * variable of the call that made it; `idle` keeps its listener in a variable
 * with no object on the way.
 */
export function eventQueue(): {
  drain(): Promise<void>;
  idle(): Promise<void>;
} {
  const events = {drain: [] as Array<() => void>};
  // Read by nothing: a listener nobody calls.
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  let only: (() => void) | undefined;
  return {
    drain: () => new Promise<void>(resolve => events.drain.push(resolve)),
    idle: () =>
      new Promise<void>(resolve => {
        only = () => resolve();
      }),
  };
}

/**
 * An emitter in mitt's shape: handlers in arrays that a Map keeps by event
 * name, and in a Set, in a variable of the call that made it.
 */
export function mapEmitter(): {
  once(type: string): Promise<void>;
  member(): Promise<void>;
} {
  const all = new Map<string, Array<() => void>>();
  const members = new Set<() => void>();
  return {
    once: type =>
      new Promise<void>(resolve => {
        const list = all.get(type);
        if (list) list.push(resolve);
        else all.set(type, [resolve]);
      }),
    member: () => new Promise<void>(resolve => members.add(resolve)),
  };
}

/**
 * A semaphore in async-sema's shape: `acquire()` queues a resolve function,
 * and the holder calls `release()` itself (it keeps nothing a branch holds).
 */
export class Sema {
  private readonly waiting: Array<() => void> = [];
  constructor(private free: number) {}
  acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return Promise.resolve();
    }
    return record(this, new Promise<void>(r => this.waiting.push(r)));
  }
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}

/** A waiting call of {@link thenLimiter}, as throat's `Delayed`. */
class Delayed {
  constructor(
    readonly resolve: (d: Delayed) => void,
    readonly fn: () => Promise<unknown>,
  ) {}
}

/** The queue of {@link thenLimiter}. */
class DelayedQueue {
  readonly items: Delayed[] = [];
}

/**
 * A limiter in throat's shape: no async function runs the jobs, a reaction
 * on each job's promise (`onFulfill`) gives the slot back. The promise of each
 * call that had to queue is recorded under `key`.
 */
export function thenLimiter(
  size: number,
  key: object,
): (fn: () => Promise<unknown>) => Promise<unknown> {
  const queue = new DelayedQueue();
  let free = size;
  const release = (): void => {
    const next = queue.items.shift();
    if (next) next.resolve(next);
    else free++;
  };
  const onFulfill = (v: unknown): unknown => {
    release();
    return v;
  };
  const onReject = (e: unknown): never => {
    release();
    throw e;
  };
  const runDelayed = (d: Delayed): Promise<unknown> =>
    Promise.resolve(d.fn()).then(onFulfill, onReject);
  return fn => {
    if (free > 0) {
      free--;
      return new Promise(resolve => resolve(fn())).then(onFulfill, onReject);
    }
    const waiting = new Promise<Delayed>(resolve =>
      queue.items.push(new Delayed(resolve, fn)),
    );
    record(key, waiting);
    return waiting.then(runDelayed);
  };
}

type MakeLimiter = (
  size: number,
  key: object,
) => (fn: () => Promise<unknown>) => Promise<unknown>;

/**
 * A limiter of one used again inside its own job; what queued is recorded
 * under `key`. In a scope of its own: the shapes set up in one test function
 * would share its scope (and reach one another through it).
 */
export function startNested(make: MakeLimiter, key: object): void {
  const limit = make(1, key);
  void limit(() => Promise.all([limit(async () => 1)]));
}

/**
 * A limiter of one whose running job waits on `slow`, and a call queued
 * behind it (recorded under `key`).
 */
export function startBehind(
  make: MakeLimiter,
  key: object,
): {slow: Promise<number>} {
  const limit = make(1, key);
  const slow = new Promise<number>(() => {});
  void limit(() => slow);
  void limit(async () => 2);
  return {slow};
}

/** A waiting or running call of {@link recordLimiter} (bottleneck's `Job`). */
class LimitedJob {
  resolve: (v: unknown) => void = () => {};
  readonly promise: Promise<unknown>;

  constructor(
    readonly limiter: RecordLimiter,
    readonly fn: () => Promise<unknown>,
  ) {
    this.promise = new Promise(resolve => (this.resolve = resolve));
  }

  async run(): Promise<void> {
    try {
      this.resolve(await this.fn());
    } finally {
      this.limiter.done();
    }
  }
}

/** The limiter of {@link recordLimiter}. */
class RecordLimiter {
  readonly queue: LimitedJob[] = [];
  running = 0;

  constructor(readonly size: number) {}

  next(): void {
    while (this.running < this.size && this.queue.length > 0) {
      this.running++;
      void this.queue.shift()!.run();
    }
  }

  done(): void {
    this.running--;
    this.next();
  }
}

/**
 * A limiter in bottleneck's shape: its queue keeps a record per call, the
 * call's resolve function in it; the running record's `run()` holds the
 * slot while it awaits the call. The promise of each call that had to queue
 * is recorded under `key`.
 */
export function recordLimiter(
  size: number,
  key: object,
): (fn: () => Promise<unknown>) => Promise<unknown> {
  const limiter = new RecordLimiter(size);
  return fn => {
    const job = new LimitedJob(limiter, fn);
    limiter.queue.push(job);
    const queued = limiter.running >= limiter.size;
    limiter.next();
    if (queued) record(key, job.promise);
    return job.promise;
  };
}
