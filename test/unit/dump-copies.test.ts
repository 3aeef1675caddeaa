import {dropCopies} from '../../src/core/dump/copies';
import {markAside, unmarkAlone} from '../../src/core/dump/aside';
import {nestFed} from '../../src/core/dump/fed';
import {addGenerators} from '../../src/core/dump/generators';
import {passedAt, withoutCombinator} from '../../src/core/dump/passed';
import {sharedBelow} from '../../src/core/inputs';
import {stuckThings} from '../../src/core/tree';
import type {Frame, Leaf, TaskDump} from '../../src/core/types';
import {frame} from './frames';

// One hang drawn once when two chains wait on the same promises (nats's
// connect: the test's `await` and the library's own `.then().catch()
// .finally()` on the same dial): a chain not traced back that holds only
// second leaves of what the body's branches wait on is left out
// (dump/copies.ts), a branch is never moved under a copy of a promise it
// holds (dump/fed.ts), and the server's side of a socket two branches wait on
// counts once.

const leaf = (
  kind: Leaf['kind'],
  what: string,
  path: Frame[],
  more: Partial<Leaf> = {},
): Leaf => ({
  kind,
  what,
  createdAt: null,
  path,
  ageMs: 0,
  detached: false,
  ...more,
});

const dumpOf = (leaves: Leaf[]): TaskDump =>
  ({leaves, elapsedMs: 1000, rootFrame: frame('test')}) as unknown as TaskDump;

describe('dropCopies', () => {
  const body = frame('test');
  const bookkeeping = frame('finally', 30);

  test('a chain not traced back whose every leaf is a copy of one under the body is left out, and the copies under the body are no longer shared', () => {
    const peek = leaf('promise', 'peek', [body, frame('dial')], {shared: 7});
    const timer = leaf('timer', 'timeout', [body, frame('dial'), frame('t')], {
      shared: 8,
    });
    const peekCopy = leaf('promise', 'peek', [bookkeeping, frame('dial')], {
      shared: 7,
      detached: true,
      waitsWithShared: true,
    });
    const timerCopy = leaf(
      'timer',
      'timeout',
      [bookkeeping, frame('dial'), frame('t')],
      {shared: 8, detached: true},
    );
    peek.waitsWithShared = true;
    const dump = dumpOf([peek, timer, peekCopy, timerCopy]);
    expect(dropCopies(dump)).toEqual(new Set([peekCopy, timerCopy]));
    expect(dump.leaves).toEqual([peek, timer]);
    expect(peek.shared).toBeUndefined();
    expect(peek.waitsWithShared).toBeUndefined();
    expect(timer.shared).toBeUndefined();
  });

  test('a chain not traced back with a leaf of its own stays, copies and all', () => {
    const peek = leaf('promise', 'peek', [body, frame('dial')], {shared: 7});
    const peekCopy = leaf('promise', 'peek', [bookkeeping, frame('dial')], {
      shared: 7,
      detached: true,
    });
    const own = leaf('timer', 'retry', [bookkeeping, frame('retry')], {
      detached: true,
    });
    const dump = dumpOf([peek, peekCopy, own]);
    expect(dropCopies(dump).size).toBe(0);
    expect(dump.leaves).toEqual([peek, peekCopy, own]);
    expect(peek.shared).toBe(7);
  });

  test('two chains not traced back, copies of each other, with nothing under the body: both stay', () => {
    const a = leaf('promise', 'p', [frame('a')], {shared: 3, detached: true});
    const b = leaf('promise', 'p', [frame('b')], {shared: 3, detached: true});
    const dump = dumpOf([a, b]);
    expect(dropCopies(dump).size).toBe(0);
    expect(dump.leaves).toEqual([a, b]);
  });
});

describe('nestFed: never a promise drawn waiting on itself', () => {
  test('a branch holding a second leaf of the promise it feeds (or of one it is drawn under) is not moved under it', () => {
    // `deferred` is fed by `closed`, whose branch (not traced back) holds
    // `connect`, whose own branch holds a second leaf of `deferred`.
    const cb = frame('callback');
    const deferred = leaf('promise', 'deferred', [frame('dial')], {
      shared: 5,
      detached: true,
    });
    const closed = leaf('promise', 'closed', [cb], {detached: true});
    const connect = leaf('promise', 'connect', [cb, frame('connect')], {
      detached: true,
      waiting: true,
    });
    const again = leaf(
      'promise',
      'deferred',
      [cb, frame('connect'), frame('dial')],
      {shared: 5, detached: true},
    );
    const dump = dumpOf([deferred, closed, connect, again]);
    expect(nestFed(dump, [{handle: closed, promise: deferred}])).toEqual([]);
    expect(closed.path).toEqual([cb]);
    expect(deferred.waiting).toBeUndefined();
  });
});

describe('nestFed: a handle made by the call the promise it feeds is drawn at', () => {
  // `await promisify(execFile)('cat')`: the child and the promise are both
  // made at the test's line; the promise cannot be drawn over the child.
  test('the promise says it waits on the handle beside it, and only the handle is counted', () => {
    const child = leaf('child-process', 'child process cat', [], {
      createdAt: frame('test'),
    });
    const promise = leaf('promise', 'promise, never settled', [], {
      createdAt: frame('test'),
    });
    const dump = dumpOf([child, promise]);
    expect(stuckThings(dump)).toHaveLength(2);
    nestFed(dump, [{handle: child, promise}]);
    expect(promise.waitsOnBeside).toBe('child-process');
    expect(stuckThings(dump)).toEqual([child]);
  });

  test('not with a third leaf at that node: which waits on which is not known', () => {
    const child = leaf('child-process', 'child process cat', []);
    const promise = leaf('promise', 'promise, never settled', []);
    const timer = leaf('timer', 'setTimeout 100 ms', []);
    const dump = dumpOf([child, promise, timer]);
    nestFed(dump, [{handle: child, promise}]);
    expect(promise.waitsOnBeside).toBeUndefined();
    expect(stuckThings(dump)).toHaveLength(3);
  });
});

describe('markAside', () => {
  test('a timer drawn under the promise whose executor set it, in a chain not traced back, is not said to be aside', () => {
    // (Frames are shared between the leaves of one branch.)
    const [cb, made] = [frame('cb'), frame('timeout')];
    const timeout = leaf('promise', 'timeout', [cb, made], {
      detached: true,
      waiting: true,
    });
    const timer = leaf('timer', 't', [cb, made, frame('executor')], {
      detached: true,
    });
    const other = leaf('promise', 'other', [frame('test')]);
    const dump = dumpOf([timeout, timer, other]);
    markAside(dump, [timer]);
    expect(timer.aside).toBeUndefined();
    // Beside it, in a branch of its own: aside.
    const apart = leaf('timer', 'heartbeat', [frame('interval')], {
      detached: true,
    });
    const again = dumpOf([apart, other]);
    markAside(again, [apart]);
    expect(apart.aside).toBe(true);
  });

  test("a promise only a library's dropped `.then()` waits on is aside beside another stuck branch, never alone, never shared", () => {
    const body = frame('test');
    const closed = leaf('promise', 'closed', [body, frame('Transport')]);
    const server = leaf('server', 'srv', [body, frame('dial')]);
    markAside(dumpOf([closed, server]), [], [closed]);
    expect([closed.aside, closed.asideWith, server.aside]).toEqual([
      true,
      'dropped',
      undefined,
    ]);
    // Alone, it is all that is known to hang: a branch.
    const alone = leaf('promise', 'closed', [body, frame('Transport')]);
    markAside(dumpOf([alone]), [], [alone]);
    expect(alone.aside).toBeUndefined();
    // Two dropped ones and nothing else: both branches.
    const [a, b] = ['a', 'b'].map(w => leaf('promise', w, [body, frame(w)]));
    markAside(dumpOf([a, b]), [], [a, b]);
    expect([a.aside, b.aside]).toEqual([undefined, undefined]);
    // One whose promise another branch waits on too (a second leaf of it).
    const shared = leaf('promise', 's', [body, frame('s')], {shared: 3});
    const other = leaf('server', 'srv', [body, frame('dial')]);
    markAside(dumpOf([shared, other]), [], [shared]);
    expect(shared.aside).toBeUndefined();
  });
});

describe('sharedBelow', () => {
  test("the server's side of a socket two branches wait on counts once", () => {
    const sockets = [7, 7].map((shared, k) =>
      leaf('socket', 's', [frame(`branch ${k}`)], {shared, waiting: true}),
    );
    const sides = sockets.map(s =>
      leaf('server', 'srv', [...s.path, frame('listener')], sharedBelow(s)),
    );
    expect(sides.map(s => s.shared)).toEqual([-7, -7]);
    expect(stuckThings({leaves: [...sockets, ...sides]})).toEqual([sides[0]]);
    expect(sharedBelow(leaf('socket', 's', []))).toEqual({});
  });
});

describe('passedAt: a handle made at a line its call has passed', () => {
  const race = (line: number): Frame => ({
    ...frame('connect', line),
    combinator: {name: 'Promise.race', index: 0},
  });
  const top = frame('test');

  test('the depth where the branches part, when the same call waits at a later line', () => {
    const socket = leaf('socket', 's', [top, race(70), frame('dial', 114)]);
    const greeting = leaf('promise', 'g', [top, race(73), frame('peek', 138)]);
    expect(passedAt(socket, greeting)).toBe(1);
  });

  test('not at an earlier line, another function, another input, or one path inside the other', () => {
    const at = (f: Frame): Leaf => leaf('promise', 'p', [top, f]);
    const socket = leaf('socket', 's', [top, race(73), frame('dial')]);
    expect(passedAt(socket, at(race(70)))).toBe(-1);
    expect(passedAt(socket, at({...frame('other', 80)}))).toBe(-1);
    expect(
      passedAt(
        socket,
        at({
          ...frame('connect', 80),
          combinator: {name: 'Promise.race', index: 1},
        }),
      ),
    ).toBe(-1);
    expect(passedAt(socket, leaf('promise', 'p', [top]))).toBe(-1);
  });

  test('a frame drawn as no input keeps the rest of it', () => {
    expect(withoutCombinator(race(70))).toEqual(frame('connect', 70));
  });
});

describe('unmarkAlone', () => {
  test('what was set aside beside a branch that is gone since (another Root leaf left out) is not aside any more', () => {
    const job = leaf('promise', 'job', [frame('handler')], {
      aside: true,
      asideWith: 'dropped',
    });
    const reaper = leaf('timer', 'setInterval', [frame('reap')], {aside: true});
    const held = leaf('socket', 'socket', [frame('pool')], {
      aside: true,
      asideWith: 'deadlock',
    });
    const side = leaf('server', 'server', [frame('listen')], {waiting: true});
    const dump = dumpOf([side, job, reaper, held]);
    unmarkAlone(dump);
    expect(job.aside).toBeUndefined();
    expect(job.asideWith).toBeUndefined();
    expect(reaper.aside).toBeUndefined();
    // Set aside beside a deadlock: not markAside's.
    expect(held.aside).toBe(true);
  });

  test('with something else stuck, asides stay', () => {
    const job = leaf('promise', 'job', [frame('handler')], {
      aside: true,
      asideWith: 'dropped',
    });
    const stuck = leaf('promise', 'stuck', [frame('test')]);
    unmarkAlone(dumpOf([stuck, job]));
    expect(job.aside).toBe(true);
  });
});

describe('addGenerators', () => {
  test('a generator suspended at a `yield`: a leaf of its own under the promise, which waits on it', () => {
    const promise = leaf('promise', 'task', [frame('run')]);
    const dump = dumpOf([promise]);
    addGenerators(dump, [
      {promise, frame: frame('saga', 9), yields: 'take', awaits: false},
    ]);
    expect(promise.waiting).toBe(true);
    expect(dump.leaves.map(l => l.what)).toEqual([
      'task',
      'generator, suspended at `yield take(…)`',
    ]);
  });

  test('an async generator suspended at an `await`: no leaf; the promise waits on the branch drawn through it, if there is one', () => {
    const read = frame('read');
    const promise = leaf('promise', 'read', [read]);
    const below = leaf('promise', 'page', [read, frame('pages', 5)]);
    const dump = dumpOf([promise, below]);
    addGenerators(dump, [
      {promise, frame: frame('pages', 6), yields: null, awaits: true},
    ]);
    expect(dump.leaves).toEqual([promise, below]);
    expect(promise.waiting).toBe(true);

    const alone = leaf('promise', 'read', [read]);
    const other = dumpOf([alone]);
    addGenerators(other, [
      {promise: alone, frame: frame('pages', 6), yields: null, awaits: true},
    ]);
    expect(other.leaves).toEqual([alone]);
    expect(alone.waiting).toBeUndefined();
  });
});
