import {renderDump, summarize} from '../../src/core/render';
import {
  besideTimeouts,
  markTimeouts,
  timeoutCandidates,
} from '../../src/core/dump/guards';
import {stuckLeaves} from '../../src/core/tree';
import {
  DUMP_KIND,
  DUMP_VERSION,
  type Frame,
  type Leaf,
  type TaskDump,
} from '../../src/core/types';

// Timeouts on a wait, on hand-built dumps (dump/guards.ts): which timers
// under a waiting promise may be one, and what a dump says of those found.

const f = (name: string, line: number): Frame => ({
  name,
  file: 'src/a.js',
  line,
  column: 1,
  async: false,
});

const waitingAt = (path: Frame[]): Leaf => ({
  kind: 'promise',
  what: 'promise, never settled',
  createdAt: path[path.length - 1],
  path,
  ageMs: 0,
  detached: false,
  waiting: true,
});

const stuck = (path: Frame[]): Leaf => ({
  kind: 'promise',
  what: 'events.once() promise, never settled',
  createdAt: path[path.length - 1],
  path,
  ageMs: 0,
  detached: false,
});

const timer = (path: Frame[], extra: Partial<Leaf> = {}): Leaf => ({
  kind: 'timer',
  what: 'setTimeout 60000 ms, fires in 59.7 s; the test timeout is 300 ms',
  createdAt: path[path.length - 1],
  path,
  ageMs: 0,
  detached: false,
  timer: {delayMs: 60_000, repeat: false, firesInMs: 59_700},
  ...extra,
});

const dumpOf = (leaves: Leaf[]): TaskDump => ({
  kind: DUMP_KIND,
  version: DUMP_VERSION,
  rootType: 'test',
  rootName: 'waits',
  rootFrame: null,
  testPath: 'test/a.test.js',
  elapsedMs: 300,
  timeoutMs: 300,
  leaves,
  unrecorded: 0,
  waitsForDone: false,
});

const top = f('withTimeout', 6);

describe('timers that may be timeouts on a wait', () => {
  test('a one-shot timer under a waiting promise beside a stuck branch', () => {
    const p = waitingAt([top]);
    const t = timer([top, f('<anonymous>', 7)]);
    const d = dumpOf([p, t, stuck([top, f('<anonymous>', 12)])]);
    expect(timeoutCandidates(d, p)).toEqual([t]);
  });

  test('none when the timers are all that is under it (a sleep, a race of two timers)', () => {
    const p = waitingAt([top]);
    const a = timer([top, f('<anonymous>', 7)]);
    const b = timer([top, f('<anonymous>', 8)]);
    expect(timeoutCandidates(dumpOf([p, a, b]), p)).toEqual([]);
  });

  test('not an interval, a timer firing before the timeout, a loop, nor a timer under another promise', () => {
    const p = waitingAt([top]);
    const other = f('elsewhere', 30);
    const leaves = [
      p,
      stuck([top, f('<anonymous>', 12)]),
      timer([top, f('a', 7)], {timer: {delayMs: 1000, repeat: true}}),
      timer([top, f('b', 8)], {busy: true}),
      timer([top, f('c', 9)], {
        loop: {count: 3, at: f('c', 9), exact: true},
      }),
      timer([other, f('d', 31)]),
    ];
    expect(timeoutCandidates(dumpOf(leaves), p)).toEqual([]);
  });
});

describe('a timer found both feeding a promise and a timeout on a wait above it', () => {
  // tarn's acquire: `timeout(deferred, ms).catch(() => deferred.reject())`:
  // the timer rejects the timeout's promise, whose `.catch()` rejects the
  // deferred under it.
  test('is no feed of the deferred: a timeout on the wait, the deferred a stuck branch beside it', () => {
    const p = waitingAt([top]);
    const t = timer([top, f('<anonymous>', 7)]);
    const deferred = stuck([top, f('<anonymous>', 12)]);
    const d = dumpOf([p, t, deferred]);
    const feeds = [{handle: t, promise: deferred}];
    expect(besideTimeouts(d, feeds, [{timer: t, promise: p}])).toEqual([]);
    // Found feeding it alone, it feeds it; and a timeout on another wait,
    // not above the deferred, leaves the feed as it is.
    expect(besideTimeouts(d, feeds, [])).toEqual(feeds);
    const q = waitingAt([f('other', 40)]);
    const d2 = dumpOf([p, t, deferred, q, stuck([f('other', 40), f('x', 41)])]);
    expect(besideTimeouts(d2, feeds, [{timer: t, promise: q}])).toEqual(feeds);
  });
});

describe('a timeout among the inputs of a race', () => {
  // `Promise.race([query, timeout])`: [1] waits only on its timer, [0] is
  // stuck (frames of the race's callers shared, as the dump shares them).
  const input = (index: number, name = 'Promise.race'): Frame => ({
    ...f('connect', 50 + index),
    combinator: {name: name as 'Promise.race', index},
  });

  test("a timer that only settles one input is a timeout on the race's wait on the others", () => {
    const [query, timeout] = [input(0), input(1)];
    const p = waitingAt([top, timeout]);
    const t = timer([top, timeout, f('<anonymous>', 7)]);
    const q = stuck([top, query]);
    expect(timeoutCandidates(dumpOf([q, p, t]), p)).toEqual([t]);
    // The same with the stuck input as the leaf itself.
    const own = {...stuck([top]), input: {name: 'Promise.race', index: 0}};
    expect(timeoutCandidates(dumpOf([own as Leaf, p, t]), p)).toEqual([t]);
  });

  test('not when nothing else of the race is stuck, nor for an input of Promise.all, nor for another race', () => {
    const timeout = input(1);
    const p = waitingAt([top, timeout]);
    const t = timer([top, timeout, f('<anonymous>', 7)]);
    expect(timeoutCandidates(dumpOf([p, t]), p)).toEqual([]);
    const [a0, a1] = [input(0, 'Promise.all'), input(1, 'Promise.all')];
    const pa = waitingAt([top, a1]);
    const ta = timer([top, a1, f('<anonymous>', 7)]);
    expect(timeoutCandidates(dumpOf([stuck([top, a0]), pa, ta]), pa)).toEqual(
      [],
    );
    const elsewhere = stuck([f('other', 40), input(0)]);
    expect(timeoutCandidates(dumpOf([elsewhere, p, t]), p)).toEqual([]);
  });
});

describe('a timeout found', () => {
  const p = waitingAt([top]);
  const t = timer([top, f('<anonymous>', 7)]);
  const event = stuck([top, f('<anonymous>', 12)]);
  const d = dumpOf([p, t, event]);
  markTimeouts(d, [{timer: t, promise: p}]);

  test('is shown, not counted: one hang, one branch', () => {
    expect(t.guards).toEqual({at: top});
    expect(stuckLeaves(d)).toEqual([event]);
    expect(summarize(d)).toBe(
      'Task dump: 1 branch stuck after 300 ms (1 promise); 1 timeout on a stuck wait (a timer that can end it later)',
    );
  });

  test('its line says it is a timeout on the promise above', () => {
    expect(renderDump(d, {width: 1000})).toContain(
      '⏲ setTimeout 60000 ms, fires in 59.7 s; the test timeout is 300 ms; a timeout on the promise above: its callback can settle that promise, ending the wait',
    );
  });

  test('a timer found for a promise it is not under, or one the dump lost, is not marked', () => {
    const q = waitingAt([f('other', 40)]);
    const u = timer([top, f('<anonymous>', 9)]);
    const gone = timer([top, f('<anonymous>', 10)]);
    const e = dumpOf([p, q, u, stuck([top, f('<anonymous>', 12)])]);
    markTimeouts(e, [
      {timer: u, promise: q},
      {timer: gone, promise: p},
    ]);
    expect(u.guards).toBeUndefined();
    expect(gone.guards).toBeUndefined();
  });
});
