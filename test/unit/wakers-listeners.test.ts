import {EventEmitter} from 'node:events';
import {PassThrough} from 'node:stream';
import type {WakerSubject} from '../../src/core/wakers';
import type {Leaf} from '../../src/core/types';
import {promiseLeaf as leafOf, searchThisProcess} from './wakers/live';

// Which listener can be said to settle a promise (wakers/listener-reach.ts),
// on a live heap of this process: one snapshot for every case. The search
// goes up from the resolve function to the first emitter whose listener
// keeps it by any path; a listener whose scope only sees a table of other
// functions, one of which keeps the resolve function, is not what settles it.

/**
 * A table of effects, as Redux Toolkit's listener middleware keeps one: each
 * run of an effect gets an AbortSignal whose listener rejects its `take()`,
 * and sees the table through its scope.
 */
function middleware() {
  const effects = new Map<number, {effect: () => void}>();
  return {
    start(effect: () => void): void {
      effects.set(effects.size, {effect});
    },
    run(): void {
      const controller = new AbortController();
      controller.signal.addEventListener('abort', () => effects.clear(), {
        once: true,
      });
      kept.push(controller);
    },
  };
}

const kept: unknown[] = [];

/**
 * A port in a Worker's shape (Node's): its own 'removeListener' listener
 * closes over it, and a task's promise is settled by its 'error' listener
 * only (the rest of its answer would come by message).
 */
function port(): Promise<unknown> {
  const emitter = new EventEmitter();
  const tasks = new Map<number, {resolve: () => void; reject: () => void}>();
  emitter.on('removeListener', () => void emitter.listenerCount('error'));
  emitter.on('error', () => {
    for (const t of tasks.values()) t.reject();
  });
  kept.push(emitter);
  return new Promise<void>((resolve, reject) =>
    tasks.set(1, {resolve, reject}),
  );
}

describe('a listener that sees the resolve function only through a table of other functions', () => {
  const leaves: Record<string, Leaf> = {};

  beforeAll(() => {
    const subjects: WakerSubject[] = [];
    const add = (name: string, promise: Promise<unknown>): void => {
      leaves[name] = leafOf(name);
      subjects.push({leaf: leaves[name], promise, constructed: true});
    };
    // The effect keeps the resolve function; the signal's listener, whose
    // scope sees the table, never runs an effect.
    const m = middleware();
    add('effect', new Promise<void>(resolve => m.start(() => resolve())));
    m.run();
    // A listener that runs the entry it looks up: the table keeps the
    // resolve function itself, as a client's pending requests do.
    const conn = new EventEmitter();
    const pending = new Map<number, () => void>();
    conn.on('reply', (id: number) => pending.get(id)?.());
    kept.push(conn);
    add('pending', new Promise<void>(resolve => pending.set(1, resolve)));
    // A stream's 'drain' (its write buffer full, nothing reading it): no
    // wait for its end, which would not emit 'drain'.
    const full = new PassThrough({highWaterMark: 4});
    full.write('more than four bytes');
    kept.push(full);
    add('drain', new Promise(resolve => full.once('drain', resolve)));
    add('meta', port());
    searchThisProcess(subjects);
  }, 120_000);

  afterAll(() => {
    kept.length = 0;
  });

  test("is not said to be what the promise waits for (neither 'abort' nor this file's 'reply' listener would settle it)", () => {
    // Both listeners' scopes see the table of effects: the signal's
    // (middleware's scope), and the 'reply' listener's (this beforeAll's,
    // which keeps the middleware).
    expect(leaves.effect.waker?.what).not.toMatch(/'abort'|'reply'/);
    expect(leaves.effect.waker?.what).toMatch(
      /^its resolve function is kept .*\(by a function at test\/unit\/wakers-listeners\.test\.ts:\d+:\d+, through a function at test\/unit\/wakers-listeners\.test\.ts:\d+:\d+\), and nothing has called it$/,
    );
  });

  test('a listener whose table keeps the resolve function itself is', () => {
    expect(leaves.pending.waker?.what).toMatch(
      /^waits for 'reply' on an EventEmitter/,
    );
  });

  test("a stream's 'drain' is that event, not the stream's end", () => {
    expect(leaves.drain.waker?.what).toBe(
      "waits for 'drain' on a Duplex stream: 20 bytes still to write; its readable side holds 20 bytes, nothing reads it: Node holds its transform()'s callback until what it pushed is read",
    );
  });

  test("an emitter's own 'removeListener' listener is never what a promise waits for", () => {
    expect(leaves.meta.waker?.what).not.toMatch(/removeListener/);
    expect(leaves.meta.waker?.what).toMatch(/'error' on an EventEmitter/);
  });
});
