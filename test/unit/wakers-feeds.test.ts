import {EventEmitter} from 'node:events';
import net from 'node:net';
import {createPositionMapper} from '../../src/core/callsites';
import {nestFed} from '../../src/core/dump';
import {dropUnfed} from '../../src/core/dump/fed';
import type {Frame, Leaf, TaskDump} from '../../src/core/types';
import {leafLine} from '../../src/core/render/leaf';
import {stuckLeaves} from '../../src/core/tree';
import {
  type WakerReport,
  type WakerSubject,
  findWakers,
} from '../../src/core/wakers';
import {frame} from './frames';

// Which handle feeds which stuck promise (src/core/wakers/feeds.ts), on a live
// heap of this process: one snapshot for every case. A handle feeds a promise
// when, within four references going out of it (not through a function's
// outer scopes), it keeps that promise's resolve function or an object the
// search named as keeping it, and no other promise's.

const leafOf = (kind: Leaf['kind'], name: string, detached = true): Leaf => ({
  kind,
  what: name,
  createdAt: null,
  path: [{name, file: 'x.js', line: 1, column: 1, async: false}],
  ageMs: 0,
  detached,
});

/** Where a client keeps the resolve functions of its pending queries. */
class Client {
  readonly pending: Array<(v: unknown) => void> = [];
}

/**
 * node-redis's shape (see (n)): a wire re-emits its socket's 'data', from an
 * arrow made in its method (reached as that arrow's `this`); the client
 * listens on the wire and keeps its commands' resolve functions.
 */
class Wire extends EventEmitter {
  attach(socket: EventEmitter): void {
    socket.on('data', (d: unknown) => this.emit('data', d));
  }
}
class CommandClient {
  readonly waiting: Array<() => void> = [];

  constructor(wire: Wire) {
    wire.on('data', () => this.waiting.shift()?.());
  }
}

/** A pool of threads in piscina's shape (see (k)). */
class ThreadPool {
  readonly infos: Array<{tasks: Map<number, () => void>}> = [];

  spawn(): EventEmitter {
    const info = {tasks: new Map<number, () => void>()};
    this.infos.push(info);
    const thread = new EventEmitter();
    thread.on('message', (id: number) => info.tasks.get(id)?.());
    thread.on('error', () => this.infos.forEach(i => i.tasks.clear()));
    return thread;
  }
}

describe('feedsOf: the one promise a timer or handle could settle', () => {
  const timers: NodeJS.Timeout[] = [];
  const servers: net.Server[] = [];
  const emitters: EventEmitter[] = [];
  const promises: Record<string, Leaf> = {};
  const handles: Record<string, Leaf> = {};
  let report: WakerReport;

  beforeAll(() => {
    const subjects: WakerSubject[] = [];
    const handleList: Array<{leaf: Leaf; handle: object}> = [];
    const promise = (name: string, executor: (r: () => void) => void) => {
      const p = new Promise<void>(resolve => executor(resolve));
      promises[name] = leafOf('promise', name, false);
      subjects.push({leaf: promises[name], promise: p, constructed: true});
    };
    const timer = (name: string, callback: () => void) => {
      const t = setTimeout(callback, 60_000);
      t.unref();
      timers.push(t);
      handles[name] = leafOf('timer', name);
      handleList.push({leaf: handles[name], handle: t});
    };

    // (a) The timer's callback calls the resolve function itself.
    promise('direct', r => timer('direct', () => r()));
    // (b) The resolve function kept in a client's queue; the timer's callback
    // refers to the client.
    ((client: Client) => {
      promise('queued', r => client.pending.push(r));
      timer('client', () => client.pending.shift()?.(undefined));
    })(new Client());
    // (c) One timer could settle two promises: nothing says which one it is.
    ((both: {first?: () => void; second?: () => void}) => {
      promise('first of two', r => (both.first = r));
      promise('second of two', r => (both.second = r));
      timer('two', () => {
        both.first?.();
        both.second?.();
      });
    })({});
    // (d) The resolve function five references out of the timer.
    promise('far', r => {
      const far = {a: {b: {c: {resolve: r}}}};
      timer('far', () => void far);
    });
    // (e) The resolve function in an outer scope of the timer's callback:
    // scopes refer to much of a program, they are not followed.
    promise('outer scope', r => {
      const keep = () => r;
      const inner = () => {
        const own = keep;
        timer('outer scope', () => void own);
      };
      inner();
    });
    // (f) A server whose 'connection' listener calls the resolve function.
    promise('server', r => {
      const server = net.createServer(() => r());
      servers.push(server);
      handles.server = leafOf('server', 'server');
      handleList.push({leaf: handles.server, handle: server});
    });

    // (g) A stuck promise whose resolve a timer's callback calls, and beside
    // that timer (the same duration: Node links them in one list) an
    // unrelated one, which a pending chain's `.then` callback refers to. The
    // list's links are not a way back from the resolve function to the chain.
    // (Each in a function of its own: closures of one scope share it.)
    promise('beside', r => {
      const settles = setTimeout(() => r(), 61_000);
      settles.unref();
      timers.push(settles);
    });
    (() => {
      const unrelated = setTimeout(() => {}, 61_000);
      unrelated.unref();
      timers.push(unrelated);
      const pending = new Promise<void>(() => {});
      void pending.then(() => clearTimeout(unrelated));
      promises['chain beside'] = leafOf('promise', 'chain beside', false);
      subjects.push({
        leaf: promises['chain beside'],
        promise: new Promise<void>(() => {}),
        constructed: true,
        feeds: [pending],
      });
    })();

    // (h) p-map's shape: the executor's `next` starts an async function,
    // made in a scope of its own inside the executor's, that awaits a
    // promise nothing settles and then calls `next`, which resolves. That
    // promise's chain (nobody awaits the async function) feeds the outer one.
    (() => {
      const stuck = new Promise<void>(() => {});
      let running: Promise<void> | undefined;
      const outer = new Promise<void>(resolve => {
        let left = 1;
        const next = (): void => {
          if (left === 0) return resolve();
          const index = left--;
          running = (async () => {
            await stuck;
            if (index > 0) next();
          })();
        };
        next();
      });
      promises['pmap outer'] = leafOf('promise', 'pmap outer', false);
      promises['pmap inner'] = leafOf('promise', 'pmap inner');
      subjects.push(
        {leaf: promises['pmap outer'], promise: outer, constructed: true},
        {
          leaf: promises['pmap inner'],
          promise: stuck,
          constructed: true,
          feeds: [stuck, running!],
        },
      );
    })();

    // (i) A timer that could settle two promises, one drawn inside the
    // other's branch (the same frame, then one more): the inner one is what
    // it feeds, the outer waits on that.
    ((both: {outer?: () => void; inner?: () => void}) => {
      promise('outer of nested', r => (both.outer = r));
      promise('inner of nested', r => (both.inner = r));
      const at = promises['outer of nested'].path[0];
      promises['inner of nested'].path = [
        at,
        {name: 'inner', file: 'x.js', line: 2, column: 1, async: false},
      ];
      timer('nested', () => {
        both.inner?.();
        both.outer?.();
      });
    })({});
    // (j) async-lock's `acquire` with a timeout, awaited inside another's
    // critical section: the timeout's callback can settle both the inner
    // acquire and (through the inner one's failure) the outer; the outer is
    // resumed by a chain that awaits the inner one, which feeds it.
    (() => {
      const both: {inner?: () => void; outer?: () => void} = {};
      const inner = new Promise<void>(r => (both.inner = r));
      let running: Promise<void> | undefined;
      const outer = new Promise<void>(resolve => {
        both.outer = resolve;
        running = (async () => {
          await inner;
          resolve();
        })();
      });
      promises['lock outer'] = leafOf('promise', 'lock outer', false);
      promises['lock inner'] = leafOf('promise', 'lock inner', false);
      subjects.push(
        {leaf: promises['lock outer'], promise: outer, constructed: true},
        {
          leaf: promises['lock inner'],
          promise: inner,
          constructed: true,
          feeds: [inner, running!],
        },
      );
      timer('lock timeout', () => {
        both.inner?.();
        both.outer?.();
      });
      handles['lock timeout'].detached = false;
    })();

    // (k) A pool of two threads (emitters standing in for Workers), each
    // with its own record of tasks, and listeners that see the whole pool
    // (piscina's: arrows made in the pool's method): the thread whose record
    // keeps the task feeds it, not the other one.
    (() => {
      const pool = new ThreadPool();
      for (const k of [0, 1]) {
        const thread = pool.spawn();
        emitters.push(thread);
        handles[`thread ${k}`] = leafOf('worker', `thread ${k}`);
        handleList.push({leaf: handles[`thread ${k}`], handle: thread});
      }
      promise('pool task', r => pool.infos[0].tasks.set(1, r));
    })();

    // (l) One timer could settle two promises that are inputs [0] and [1] of
    // one Promise.all (one HTTP/2 session carries both requests): it feeds
    // both, drawn under the first (nestFed).
    ((both: {first?: () => void; second?: () => void}) => {
      // (One frame object: inputs of one combinator share their callers'.)
      const test = frame('test');
      for (const [k, key] of [
        [0, 'first'],
        [1, 'second'],
      ] as const) {
        const name = `input ${k}`;
        promises[name] = {
          ...leafOf('promise', name, false),
          path: [
            test,
            {...frame('get'), combinator: {name: 'Promise.all', index: k}},
          ],
        };
        subjects.push({
          leaf: promises[name],
          promise: new Promise<void>(r => (both[key] = r)),
          constructed: true,
        });
      }
      timer('inputs', () => {
        both.first?.();
        both.second?.();
      });
    })({});

    // (m) A query raced with its timeout, both made in one function: the
    // timer's callback uses only the timeout's `reject`, but V8 keeps every
    // variable a closure of the call uses in one scope, `queue` too. The
    // callback does not use the queue: the timer feeds nothing.
    ((queue: Array<() => void>) => {
      let reject: (e: Error) => void = () => {};
      const timeout = new Promise<void>((_, no) => (reject = no));
      timeout.catch(() => {});
      timer('shared scope', () => reject(new Error('timed out')));
      promise('queued beside a timeout', r => queue.push(r));
    })([]);

    // (n) node-redis's `connect()`: a `Promise.race` of the handshake (two
    // commands in a `Promise.all`) and a wait for the socket's close. The
    // socket keeps that wait's resolve function itself, in its 'close'
    // listener, and reaches the commands' through its 'data' listener, the
    // wire it re-emits on and the client listening there.
    (() => {
      const socket = new EventEmitter();
      emitters.push(socket);
      const wire = new Wire();
      wire.attach(socket);
      const client = new CommandClient(wire);
      const test = frame('test');
      const race = frame('connect');
      // (One frame object for the inputs' callers: inputs of one combinator
      // share them.)
      const handshake = {
        ...race,
        combinator: {name: 'Promise.race', index: 0},
      } as const;
      for (const k of [0, 1]) {
        const name = `command ${k}`;
        promises[name] = {
          ...leafOf('promise', name, false),
          path: [
            test,
            handshake,
            {...frame('send'), combinator: {name: 'Promise.all', index: k}},
          ],
        };
        subjects.push({
          leaf: promises[name],
          promise: new Promise<void>(r => client.waiting.push(r)),
          constructed: true,
        });
      }
      promise('close wait', r => socket.once('close', () => r()));
      promises['close wait'].path = [
        test,
        {...race, combinator: {name: 'Promise.race', index: 1}},
      ];
      handles.socket = leafOf('socket', 'socket');
      handleList.push({leaf: handles.socket, handle: socket});
    })();

    report = findWakers(subjects, {
      exclude: [],
      rootDir: process.cwd(),
      mapPosition: createPositionMapper(undefined),
      isMachinery: () => false,
      now: performance.now(),
      handles: handleList,
    });
  }, 120_000);

  afterAll(() => {
    for (const t of timers) clearTimeout(t);
    for (const s of servers) s.close();
  });

  const fedBy = (handle: string): string | undefined =>
    report.feeds.find(f => f.handle === handles[handle])?.promise.what;

  test('(a) a timer whose callback calls the resolve function feeds that promise', () => {
    expect(fedBy('direct')).toBe('direct');
  });

  test('(b) a timer whose callback refers to the object that keeps the resolve function', () => {
    expect(fedBy('client')).toBe('queued');
  });

  test('(c) a timer that could settle two promises feeds neither', () => {
    expect(fedBy('two')).toBeUndefined();
  });

  test('(d) a resolve function more than four references out is not looked for', () => {
    expect(fedBy('far')).toBeUndefined();
  });

  test("(e) a resolve function in an outer scope of the timer's callback is not found", () => {
    expect(fedBy('outer scope')).toBeUndefined();
  });

  test("(f) a server whose 'connection' listener calls the resolve function", () => {
    expect(fedBy('server')).toBe('server');
  });

  test("(g) a chain reached only through a timer list's links feeds nothing", () => {
    expect(
      report.feeds.find(f => f.handle === promises['chain beside']),
    ).toBeUndefined();
  });

  test("(h) an async function made inside the executor's scope, resumed by a chain nobody awaits: that chain feeds the promise", () => {
    expect(
      report.feeds.find(f => f.handle === promises['pmap inner'])?.promise,
    ).toBe(promises['pmap outer']);
  });

  test('(i) a timer that could settle two promises, one inside the other, feeds the inner one', () => {
    expect(fedBy('nested')).toBe('inner of nested');
  });

  test('(j) a timer that could settle two promises, one feeding the other, feeds the one that feeds', () => {
    expect(
      report.feeds.find(f => f.handle === promises['lock inner'])?.promise,
    ).toBe(promises['lock outer']);
    expect(fedBy('lock timeout')).toBe('lock inner');
  });

  test("(k) of a pool's threads that all see the pool, the one whose own record keeps the task feeds it", () => {
    expect(fedBy('thread 0')).toBe('pool task');
    expect(fedBy('thread 1')).toBeUndefined();
  });

  test('(l) a timer that could settle two inputs of one combinator feeds both', () => {
    expect(
      report.feeds
        .filter(f => f.handle === handles.inputs)
        .map(f => f.promise.what)
        .sort(),
    ).toEqual(['input 0', 'input 1']);
  });

  test("(m) a timer whose callback shares its scope with a query's queue, and uses only a timeout's reject, feeds nothing", () => {
    expect(fedBy('shared scope')).toBeUndefined();
    // What keeps its resolve function is the queue, not the timer.
    const {waker} = promises['queued beside a timeout'];
    expect(waker?.kind).not.toBe('timer');
    expect(waker?.what).toMatch(/`queue\[0\]`/);
  });

  test("(n) a socket that keeps a close wait itself, and reaches a race's other input's commands through its listeners, feeds the wait, and those besides", () => {
    expect(
      report.feeds
        .filter(f => f.handle === handles.socket)
        .map(f => [f.promise.what, f.besides ?? false]),
    ).toEqual([
      ['close wait', false],
      ['command 0', true],
      ['command 1', true],
    ]);
  });

  test('no promise is fed twice; a handle feeds more than one only as inputs of one combinator', () => {
    expect(report.feeds.map(f => f.promise.what)).toEqual([
      ...new Set(report.feeds.map(f => f.promise.what)),
    ]);
  });
});

describe('nestFed: a fed handle drawn under the promise it feeds', () => {
  const dumpOf = (leaves: Leaf[], elapsedMs = 1000): TaskDump =>
    ({leaves, elapsedMs}) as unknown as TaskDump;

  test('the handle, and what hangs below it, move right after the promise', () => {
    const test = frame('test');
    const promise: Leaf = {...leafOf('promise', 'p', false), path: [test]};
    const other: Leaf = {...leafOf('promise', 'q', false), path: [test]};
    const cb = frame('callback');
    const handle: Leaf = {...leafOf('socket', 's'), path: [cb]};
    const below: Leaf = {...leafOf('server', 'srv'), path: [cb, frame('h')]};
    const dump = dumpOf([promise, other, handle, below]);
    nestFed(dump, [{handle, promise}]);
    expect(dump.leaves.map(l => l.what)).toEqual(['p', 's', 'srv', 'q']);
    expect(handle.path).toEqual([test, cb]);
    expect(below.path.map(f => f.name)).toEqual(['test', 'callback', 'h']);
    expect(handle.detached).toBe(false);
    expect(promise.waiting).toBe(true);
    expect(other.waiting).toBeUndefined();
  });

  test("a promise not drawn (undici's own, left out once its fetch() was joined) takes nothing under it", () => {
    const test = frame('test');
    const gone: Leaf = {...leafOf('promise', 'p', false), path: [test]};
    const cb = frame('callback');
    const handle: Leaf = {...leafOf('timer', 't'), path: [cb]};
    const dump = dumpOf([handle]);
    expect(nestFed(dump, [{handle, promise: gone}])).toEqual([]);
    expect(handle.path).toEqual([cb]);
    expect(dump.leaves).toEqual([handle]);
  });

  test('a repeating timer that has fired since the promise was made stays a branch of its own; one not due yet moves', () => {
    // An interval every 500 ms made 5 ms into the test, a promise at 10 ms:
    // the interval fired at 505 ms, while the promise waited, and did not
    // settle it (tarn's reaper reaching the pool that keeps an acquire's).
    const interval = (): Leaf => ({
      ...leafOf('timer', 'every 500 ms'),
      ageMs: 5,
      timer: {delayMs: 500, repeat: true},
    });
    const pending = (): Leaf => ({...leafOf('promise', 'p', false), ageMs: 10});
    let [handle, promise] = [interval(), pending()];
    let dump = dumpOf([promise, handle], 1500);
    nestFed(dump, [{handle, promise}]);
    expect(promise.waiting).toBeUndefined();
    expect(handle.detached).toBe(true);
    // Dumped at 520 ms: the firing due at 505 ms may not have run yet.
    [handle, promise] = [interval(), pending()];
    dump = dumpOf([promise, handle], 520);
    nestFed(dump, [{handle, promise}]);
    expect(promise.waiting).toBe(true);
    // Made 600 ms into the test, after the interval's first firing: the
    // next, at 1005 ms, is after the dump.
    [handle, promise] = [interval(), {...pending(), ageMs: 600}];
    dump = dumpOf([promise, handle], 1000);
    nestFed(dump, [{handle, promise}]);
    expect(promise.waiting).toBe(true);
    // A one-shot timer is what it reaches until it fires.
    handle = {...interval(), timer: {delayMs: 5000, repeat: false}};
    promise = pending();
    dump = dumpOf([promise, handle], 1500);
    nestFed(dump, [{handle, promise}]);
    expect(promise.waiting).toBe(true);
  });

  test('a branch that feeds inputs of one combinator goes under the first; the others wait on what it waits on', () => {
    const test = frame('test');
    const input = (index: number): Frame => ({
      ...frame('load'),
      combinator: {name: 'Promise.all', index},
    });
    const load = (index: number): Leaf => ({
      ...leafOf('promise', `load ${index}`, false),
      path: [test, input(index)],
    });
    const [second, first] = [load(1), load(0)];
    const batch: Leaf = {
      ...leafOf('promise', 'batch'),
      path: [frame('dispatch')],
    };
    const dump = dumpOf([first, second, batch]);
    nestFed(dump, [
      {handle: batch, promise: second},
      {handle: batch, promise: first},
    ]);
    expect(dump.leaves.map(l => l.what)).toEqual(['load 0', 'batch', 'load 1']);
    expect(batch.path.map(f => f.name)).toEqual(['test', 'load', 'dispatch']);
    expect(first.waiting).toBe(true);
    expect(second.waiting).toBeUndefined();
    expect(second.waitsWithInput).toBe(0);
  });

  // ioredis's shape: the handshake's commands, made by the socket's
  // 'connect', wait on the socket they are drawn under; the socket feeds the
  // ready-promise two branches wait on, and is drawn under the first.
  test("a socket's own work it keeps waits on it; a promise two branches wait on takes the socket under its first, the other waits on what that one waits on", () => {
    const test = frame('test');
    const ready = (line: number): Leaf => ({
      ...leafOf('promise', 'ready', false),
      path: [test, {...frame('get'), line}],
      shared: 1,
    });
    const [first, second] = [ready(1), ready(2)];
    const cb = frame('callback');
    const socket: Leaf = {...leafOf('socket', 's'), path: [cb]};
    const command: Leaf = {
      ...leafOf('promise', 'send'),
      path: [cb, frame('socket event'), frame('send')],
    };
    const dump = dumpOf([first, second, socket, command]);
    nestFed(dump, [
      {handle: socket, promise: first},
      {handle: socket, promise: command},
    ]);
    expect(dump.leaves.map(l => l.what)).toEqual([
      'ready',
      's',
      'send',
      'ready',
    ]);
    expect(command.path.map(f => f.name)).toEqual([
      'test',
      'get',
      'callback',
      'socket event',
      'send',
    ]);
    expect(command.waitsOnAbove).toBe('socket');
    expect(first.waiting).toBe(true);
    expect(second.waitsWithShared).toBe(true);
    // One hang, one branch: the socket's.
    expect(stuckLeaves(dump)).toEqual([socket]);
  });

  // node-redis's shape: the socket keeps the wait for its close, one input
  // of a `Promise.race`, and is drawn under it; the handshake's commands, in
  // the other input, wait on it there.
  test("promises a handle reaches besides the one it is drawn under wait on it there, when they part from it at a combinator's inputs", () => {
    const test = frame('test');
    const race = (index: number): Frame => ({
      ...frame('connect'),
      combinator: {name: 'Promise.race', index},
    });
    const handshake = race(0);
    const command = (index: number): Leaf => ({
      ...leafOf('promise', `command ${index}`, false),
      path: [
        test,
        handshake,
        {...frame('send'), combinator: {name: 'Promise.all', index}},
      ],
    });
    const commands = [command(0), command(1)];
    const close: Leaf = {
      ...leafOf('promise', 'close', false),
      path: [test, race(1)],
      waiting: true,
    };
    const socket: Leaf = {
      ...leafOf('socket', 's', false),
      path: [test, close.path[1], frame('createSocket')],
    };
    const dump = dumpOf([...commands, close, socket]);
    nestFed(dump, [
      {handle: socket, promise: close},
      ...commands.map(promise => ({
        handle: socket,
        promise,
        besides: true as const,
      })),
    ]);
    for (const c of commands)
      expect(c.waitsOnUnder).toEqual({
        kind: 'socket',
        combinator: 'Promise.race',
        index: 1,
      });
    expect(stuckLeaves(dump)).toEqual([socket]);
    expect(leafLine(commands[0], null)).toMatch(
      /; it waits on the socket under \[1\] of the Promise\.race above$/,
    );
    // Not parting at a combinator's inputs (a command of another call):
    // nothing says where it waits.
    const apart: Leaf = {
      ...leafOf('promise', 'elsewhere', false),
      path: [frame('other')],
    };
    const again = {...socket, path: [...socket.path]};
    nestFed(dumpOf([apart, close, again]), [
      {handle: again, promise: close},
      {handle: again, promise: apart, besides: true},
    ]);
    expect(apart.waitsOnUnder).toBeUndefined();
  });

  test('a branch that feeds two promises not inputs of one combinator stays where it is', () => {
    const one: Leaf = {...leafOf('promise', 'one', false), path: [frame('a')]};
    const two: Leaf = {...leafOf('promise', 'two', false), path: [frame('b')]};
    const batch = leafOf('promise', 'batch');
    const dump = dumpOf([one, two, batch]);
    nestFed(dump, [
      {handle: batch, promise: one},
      {handle: batch, promise: two},
    ]);
    expect(dump.leaves).toEqual([one, two, batch]);
    expect([one.waiting, two.waitsWithInput]).toEqual([undefined, undefined]);
  });

  test('a handle traced back under a promise that waits on it stays there', () => {
    const test = frame('test');
    const connect = frame('connect');
    const waiting: Leaf = {
      ...leafOf('promise', 'executor', false),
      path: [test, connect],
      waiting: true,
    };
    const handle: Leaf = {
      ...leafOf('socket', 's', false),
      path: [test, connect, frame('executor')],
    };
    const promise: Leaf = {...leafOf('promise', 'p', false), path: [test]};
    const dump = dumpOf([waiting, handle, promise]);
    nestFed(dump, [{handle, promise}]);
    expect(dump.leaves).toEqual([waiting, handle, promise]);
    expect(promise.waiting).toBeUndefined();
  });

  test('a handle traced back to a line the body has passed moves under the promise it feeds', () => {
    // A fetch() that settled (its socket made at that line), whose body the
    // test awaits further down: one hang.
    const passed = frame('fetch line');
    const awaited = frame('text line');
    const handle: Leaf = {
      ...leafOf('socket', 's', false),
      path: [passed, frame('fetch')],
    };
    const promise: Leaf = {
      ...leafOf('promise', 'p', false),
      path: [awaited, frame('consumeBody')],
    };
    const dump = dumpOf([handle, promise]);
    nestFed(dump, [{handle, promise}]);
    expect(dump.leaves).toEqual([promise, handle]);
    expect(handle.path.map(f => f.name)).toEqual([
      'text line',
      'consumeBody',
      'fetch line',
      'fetch',
    ]);
    expect(promise.waiting).toBe(true);
  });

  // pg-pool's deadlock: a pool of one, its client held by the test, which
  // queries through the pool. The held client's socket reaches the pool (its
  // 'error' would give the client back): not what hangs, nor counted.
  test("a handle whose one promise fed is a deadlocked wait is set aside, with its connection's server side", () => {
    const connect = [frame('connect line', 9), frame('connect')];
    const socket: Leaf = {
      ...leafOf('socket', 's', false),
      path: [...connect],
      waiting: true,
    };
    // Drawn under the socket (tcp-peers.ts), at its 'connection' listener.
    const side: Leaf = {
      ...leafOf('server', 'srv', false),
      path: [...connect, frame('listener')],
    };
    const promise: Leaf = {
      ...leafOf('promise', 'query', false),
      path: [frame('query line', 12)],
      waker: {what: 'held by this branch', deadlock: true},
    } as Leaf;
    const dump = dumpOf([socket, side, promise]);
    expect(nestFed(dump, [{handle: socket, promise}])).toEqual([]);
    expect(stuckLeaves(dump)).toEqual([promise]);
    expect([socket.asideWith, side.asideWith]).toEqual(['deadlock', 'above']);
    expect(socket.path.map(f => f.name)).toEqual(['connect line', 'connect']);
    expect(promise.waiting).toBeUndefined();
  });

  test("of two handles made by the same calls (a pool's threads), only the one that feeds the promise moves", () => {
    const spawn = [frame('beforeAll'), frame('spawn')];
    const fed: Leaf = {...leafOf('worker', 'thread 2'), path: [...spawn]};
    const twin: Leaf = {...leafOf('worker', 'thread 3'), path: [...spawn]};
    const promise: Leaf = {
      ...leafOf('promise', 'task', false),
      path: [frame('test')],
    };
    const dump = dumpOf([fed, twin, promise]);
    nestFed(dump, [{handle: fed, promise}]);
    expect(dump.leaves).toEqual([twin, promise, fed]);
    expect(fed.path.map(f => f.name)).toEqual(['test', 'beforeAll', 'spawn']);
    expect(twin.path.map(f => f.name)).toEqual(['beforeAll', 'spawn']);
  });

  // A WritableStream's pipeTo(): three promises Node made, each drawn at the
  // test's line with no frame of its own. Moved under the one it feeds, a
  // promise was drawn beside it, under "it waits on:" over nothing.
  test('a promise fed by one with no frame below it: drawn at the frame where it was made, or not moved', () => {
    const root = frame('test', 10);
    const madeHere = (what: string): Leaf => ({
      ...leafOf('promise', what, false),
      path: [],
      createdAt: root,
    });
    const returned = madeHere('returned');
    const write = madeHere('write request');
    const sink: Leaf = {
      ...leafOf('promise', 'sink write', false),
      path: [],
      createdAt: frame('write', 8),
    };
    const dump = {...dumpOf([returned, write, sink]), rootFrame: root};
    nestFed(dump, [
      {handle: write, promise: returned},
      {handle: sink, promise: write},
    ]);
    // Made at the test's own line: no frame tells it from the other.
    expect(returned.waiting).toBeUndefined();
    expect(write.path).toEqual([]);
    // Made in the sink's write(), at line 8: drawn there, under the request.
    expect(write.waiting).toBe(true);
    expect(sink.path).toEqual([{...frame('write', 8), async: false}]);
    expect(dump.leaves).toEqual([returned, write, sink]);
  });
});

describe('dropUnfed: worker threads another Root started', () => {
  test('are in the dump only under a promise they feed; the root frame is hoisted again when they leave', () => {
    const fed: Leaf = {...leafOf('worker', 'thread 2'), path: [frame('spawn')]};
    const idle: Leaf = {
      ...leafOf('worker', 'thread 3'),
      path: [frame('spawn')],
    };
    const at = frame('test', 7);
    const promise: Leaf = {
      ...leafOf('promise', 'task', false),
      path: [at, frame('run')],
    };
    const other: Leaf = {
      ...leafOf('promise', 'event', false),
      path: [at, frame('once')],
    };
    const dump = {
      leaves: [fed, idle, promise, other],
      elapsedMs: 1000,
      rootFrame: null,
    } as unknown as TaskDump;
    nestFed(dump, [{handle: fed, promise}]);
    dropUnfed(dump, [fed, idle]);
    expect(dump.leaves.map(l => l.what)).toEqual(['task', 'thread 2', 'event']);
    // Every branch now leaves the body at line 7: said on the root's line.
    expect(dump.rootFrame).toEqual(at);
    expect(promise.path.map(f => f.name)).toEqual(['run']);
  });

  test("a socket another Root opened that feeds nothing leaves with its server's side drawn under it; the rest stays", () => {
    const connect = [frame('earlier test'), frame('get')];
    const socket: Leaf = {...leafOf('socket', 'socket'), path: [...connect]};
    const serverSide: Leaf = {
      ...leafOf('server', 'server side'),
      path: [...connect, frame("'request' listener")],
    };
    const own: Leaf = {...leafOf('timer', 'own timer'), path: [frame('x')]};
    const promise: Leaf = {
      ...leafOf('promise', 'orphan', false),
      path: [frame('test', 3)],
    };
    const dump = {
      leaves: [socket, serverSide, own, promise],
      elapsedMs: 1000,
      rootFrame: null,
    } as unknown as TaskDump;
    dropUnfed(dump, [socket]);
    expect(dump.leaves.map(l => l.what)).toEqual(['own timer', 'orphan']);
  });
});
