import {EventEmitter} from 'node:events';
import {createPositionMapper} from '../../src/core/callsites';
import {type GuardQuestion, findWakers} from '../../src/core/wakers';
import type {Leaf} from '../../src/core/types';
import {promiseLeaf} from './wakers/live';

// Timeouts on a wait (wakers/guards.ts): a timer under a promise that waits
// on it is a timeout when its callback keeps that promise's resolve or reject
// function: itself, bound, as an argument setTimeout passes, or in its scope.

const timerLeaf = (name: string): Leaf => ({
  kind: 'timer',
  what: 'setTimeout 60000 ms',
  createdAt: null,
  path: [{name, file: 'x.js', line: 1, column: 1, async: false}],
  ageMs: 0,
  timer: {delayMs: 60_000, repeat: false},
  detached: false,
});

/** A function of the module's scope: its scope keeps no resolve function. */
function heartbeat(): void {}

/**
 * node-fetch's shape: the request's promise rejects in a listener on the
 * caller's signal (the reject function is this function's, not the caller's).
 */
function rejectOnAbort(signal: AbortSignal, reject: (e: Error) => void): void {
  signal.addEventListener('abort', () => reject(new Error('aborted')), {
    once: true,
  });
}

/** postgres.js's timer helper: its callback calls the function it is given. */
function timerOf(fn: () => void, ms: number): NodeJS.Timeout {
  const done = (): void => fn();
  return setTimeout(done, ms);
}

/**
 * undici's shape: `fetch()` keeps its promise's functions in a deferred,
 * which the 'abort' listener it adds to the request's own signal keeps; that
 * signal follows the caller's through a listener keeping its controller in a
 * WeakRef.
 */
function followAndDefer(
  signal: AbortSignal,
  resolve: (v: unknown) => void,
  reject: (e: Error) => void,
): AbortController {
  const own = new AbortController();
  const deferred = {resolve, reject};
  own.signal.addEventListener('abort', () => deferred.reject(new Error('x')), {
    once: true,
  });
  const ref = new WeakRef(own);
  signal.addEventListener('abort', () => ref.deref()?.abort(), {once: true});
  return own;
}
// What keeps the followers' controllers alive, as undici's request does.
const followers: AbortController[] = [];

/**
 * Connection timeouts on a socket, each set in a function of the module's
 * scope (so no scope around its callback keeps the socket but its own).
 */
const connectTimeouts: Record<string, (s: object) => NodeJS.Timeout> = {
  'ends-socket'(socket) {
    const con = {stream: socket, ending: false};
    return setTimeout(() => {
      con.ending = true;
    }, 60_000);
  },
  'ends-bound'(socket) {
    const connection = new (class {
      stream = socket;
      onTimeout(): void {}
    })();
    return setTimeout(connection.onTimeout.bind(connection), 60_000);
  },
  'ends-far'(socket) {
    const pool = {client: {stream: socket}};
    return setTimeout(() => void pool, 60_000);
  },
  'ends-helper'(socket) {
    const connectTimedOut = (): void => void socket;
    return timerOf(connectTimedOut, 60_000);
  },
  'ends-helper-other'(socket) {
    const connectTimedOut = (): void => void socket;
    return timerOf(connectTimedOut, 60_000);
  },
  'ends-other'(socket) {
    const con = {stream: socket};
    return setTimeout(() => void con, 60_000);
  },
};

describe('which timers under a waiting promise are timeouts on it', () => {
  const timers: NodeJS.Timeout[] = [];
  const found = new Map<string, boolean>();

  beforeAll(() => {
    const never = new Promise<void>(() => {});
    const questions: GuardQuestion[] = [];
    const ask = (
      name: string,
      make: (
        resolve: (v: unknown) => void,
        reject: (e: Error) => void,
      ) => NodeJS.Timeout,
      beside: object[] = [],
    ): void => {
      let timer!: NodeJS.Timeout;
      const promise = new Promise((resolve, reject) => {
        timer = make(resolve, reject);
        // The wait's other branch keeps the resolve function in the
        // executor's scope too.
        void never.then(v => resolve(v));
      });
      timers.push(timer);
      const leaf = timerLeaf(name);
      questions.push({
        waiting: {...promiseLeaf(`${name} promise`), waiting: true},
        promise,
        timers: [{leaf, handle: timer}],
        beside: beside.map(handle => ({
          leaf: {...timerLeaf(`${name} socket`), kind: 'socket' as const},
          handle,
        })),
      });
      found.set(name, false);
    };
    // p-timeout's shape.
    ask('scoped', (_resolve, reject) =>
      setTimeout(() => reject(new Error('timed out')), 60_000),
    );
    ask('argument', (_resolve, reject) =>
      setTimeout(reject, 60_000, new Error('timed out')),
    );
    ask('bound', (_resolve, reject) =>
      setTimeout(reject.bind(null, new Error('timed out')), 60_000),
    );
    // cross-fetch's timeout: the callback keeps the controller only.
    ask('abort', (_resolve, reject) => {
      const controller = new AbortController();
      rejectOnAbort(controller.signal, reject);
      return setTimeout(() => controller.abort(), 60_000);
    });
    // openai's timeout around fetch(): the callback keeps the controller
    // whose signal the request's own follows.
    ask('abort-followed', (resolve, reject) => {
      const controller = new AbortController();
      followers.push(followAndDefer(controller.signal, resolve, reject));
      return setTimeout(() => controller.abort(), 60_000);
    });
    // The same with a follower whose listener keeps nothing of the promise.
    ask('abort-followed-other', (resolve, reject) => {
      const controller = new AbortController();
      followers.push(
        followAndDefer(
          controller.signal,
          () => {},
          () => {},
        ),
      );
      void [resolve, reject];
      return setTimeout(() => controller.abort(), 60_000);
    });
    // A timer the executor sets whose callback is another function's.
    ask('unrelated', () => setTimeout(heartbeat, 60_000));
    // One set with a callback made elsewhere, that keeps something else.
    const log: string[] = [];
    const note = (): void => void log.push('slow');
    ask('elsewhere', () => setTimeout(note, 60_000));
    // pg's connection timeout: its callback keeps the Connection, whose
    // `stream` is the socket stuck beside it; mysql2's binds a method to it.
    // Two properties away, or a socket that is not beside it: no timeout.
    for (const [name, set] of Object.entries(connectTimeouts)) {
      const stuck = new EventEmitter();
      const beside = name.endsWith('-other') ? new EventEmitter() : stuck;
      ask(name, () => set(stuck), [beside]);
    }
    const report = findWakers([], {
      guards: questions,
      exclude: [],
      rootDir: process.cwd(),
      mapPosition: createPositionMapper(undefined),
      isMachinery: () => false,
      now: performance.now(),
    });
    for (const {timer} of report.guards) found.set(timer.path[0].name, true);
  }, 120_000);

  afterAll(() => {
    for (const t of timers) clearTimeout(t);
  });

  test('a callback that keeps the reject function, in its scope, as its argument, or bound: a timeout', () => {
    expect(found.get('scoped')).toBe(true);
    expect(found.get('argument')).toBe(true);
    expect(found.get('bound')).toBe(true);
  });

  test('a callback that keeps an AbortController whose signal has a listener keeping the reject function: a timeout', () => {
    expect(found.get('abort')).toBe(true);
  });

  test("one whose signal another follows, through a WeakRef, whose listener keeps the promise's deferred: a timeout (fetch() with a caller's signal)", () => {
    expect(found.get('abort-followed')).toBe(true);
    expect(found.get('abort-followed-other')).toBe(false);
  });

  test('a callback that keeps the socket stuck beside it, or an object whose property it is: a timeout', () => {
    expect(found.get('ends-socket')).toBe(true);
    expect(found.get('ends-bound')).toBe(true);
  });

  test("a callback that calls a function it was handed, whose scope keeps the socket stuck beside it: a timeout (postgres.js's connect timeout)", () => {
    expect(found.get('ends-helper')).toBe(true);
    expect(found.get('ends-helper-other')).toBe(false);
  });

  test('a socket two properties away, or one not stuck beside it: no timeout', () => {
    expect(found.get('ends-far')).toBe(false);
    expect(found.get('ends-other')).toBe(false);
  });

  test('a callback of another scope: no timeout, however near the promise it was set', () => {
    expect(found.get('unrelated')).toBe(false);
    expect(found.get('elsewhere')).toBe(false);
  });
});

/** nodemailer's connection: it keeps the callback that settles the send. */
class Connection {
  onConnect: (() => void) | undefined;
}

// A timer no question was asked of before the search (drawn under the
// promise only once the search finds it feeding it: nodemailer's greeting
// timeout, set by its socket's events) is asked when it is found feeding one:
// a timeout when its callback's scope keeps the resolve function or an object
// the search named keeping it (the connection, as `this`).
describe('a timer found feeding a promise, which may be a timeout on it', () => {
  const timers: NodeJS.Timeout[] = [];
  let guarded: string[] = [];
  let fed: string[] = [];

  beforeAll(() => {
    const subjects: Array<{leaf: Leaf; promise: Promise<unknown>}> = [];
    const handles: Array<{leaf: Leaf; handle: object}> = [];
    const wait = (name: string, timer: (c: Connection) => NodeJS.Timeout) => {
      const connection = new Connection();
      const promise = new Promise<void>(r => (connection.onConnect = r));
      const t = timer(connection);
      timers.push(t);
      subjects.push({leaf: promiseLeaf(`${name} promise`), promise});
      handles.push({leaf: timerLeaf(name), handle: t});
    };
    // Its callback keeps the connection in its scope.
    wait('greeting', connection =>
      setTimeout(() => connection.onConnect?.(), 60_000),
    );
    // Its callback keeps an object that keeps the connection: the timer
    // feeds the promise, but its scope keeps nothing the search named.
    wait('wrapped', connection => {
      const around = {connection};
      return setTimeout(() => void around, 60_000);
    });
    // pg's client: the socket's 'error' listener settles the wait; the
    // connection timeout keeps the Connection whose `stream` it is.
    wait('socket-timeout', connection => {
      const socket = new EventEmitter();
      socket.on('error', () => connection.onConnect?.());
      handles.push({
        leaf: {...timerLeaf('socket'), kind: 'socket'},
        handle: socket,
      });
      return connectTimeouts['ends-socket'](socket);
    });
    const report = findWakers(
      subjects.map(s => ({...s, constructed: true})),
      {
        handles,
        exclude: [],
        rootDir: process.cwd(),
        mapPosition: createPositionMapper(undefined),
        isMachinery: () => false,
        now: performance.now(),
      },
    );
    guarded = report.guards.map(g => g.timer.path[0].name);
    fed = report.feeds.map(f => f.handle.path[0].name);
  }, 120_000);

  afterAll(() => {
    for (const t of timers) clearTimeout(t);
  });

  test("a callback whose scope keeps the object keeping the promise's resolve function: a timeout", () => {
    expect(fed).toContain('greeting');
    expect(guarded).toContain('greeting');
  });

  test('one that keeps the socket found feeding the same promise, through the object whose property it is: a timeout', () => {
    expect(fed).toContain('socket');
    expect(guarded).toContain('socket-timeout');
  });

  test('one that keeps it only through another object feeds it, and is no timeout', () => {
    expect(fed).toContain('wrapped');
    expect(guarded).not.toContain('wrapped');
  });
});
