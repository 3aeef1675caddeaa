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
    // A timer the executor sets whose callback is another function's.
    ask('unrelated', () => setTimeout(heartbeat, 60_000));
    // One set with a callback made elsewhere, that keeps something else.
    const log: string[] = [];
    const note = (): void => void log.push('slow');
    ask('elsewhere', () => setTimeout(note, 60_000));
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

  test('a callback of another scope: no timeout, however near the promise it was set', () => {
    expect(found.get('unrelated')).toBe(false);
    expect(found.get('elsewhere')).toBe(false);
  });
});
