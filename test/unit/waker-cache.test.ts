import type {Frame, Leaf, TaskDump, Waker} from '../../src/core/types';
import type {WakerSubject} from '../../src/core/wakers';
import {reuseFindings} from '../../src/environment/search-reuse';
import {
  WakerCache,
  handleSignature,
  leafSignature,
  mustSearch,
} from '../../src/environment/waker-cache';

// The explanations a test process reuses: which leaves are one cause, what a
// reused line says, and when it is not reused.
const f = (name: string, file: string, line: number, column = 5): Frame => ({
  name,
  file,
  line,
  column,
  async: true,
});
const query = f('Client.query', 'src/db.js', 8, 12);
const leaf = (
  path: Frame[],
  waker?: Waker,
  extra: Partial<Leaf> = {},
): Leaf => ({
  kind: 'promise',
  what: 'promise, never settled',
  createdAt: path[path.length - 1] ?? null,
  path,
  ageMs: 0,
  detached: false,
  ...(waker ? {waker} : {}),
  ...extra,
});
const kept: Waker = {
  kind: 'object',
  what: 'its resolve function is kept in Client.pending (class Client at src/db.js:2:1)',
  short: 'kept in Client.pending',
};
const subject = (l: Leaf): WakerSubject => ({
  leaf: l,
  promise: Promise.resolve(),
  constructed: true,
});
const origin = (name: string, testPath = 'test/a.test.js') => ({
  rootType: 'test' as const,
  rootName: name,
  testPath,
});

test('the same hang reached from another test reuses the finding, and says whose it is', () => {
  const cache = new WakerCache();
  cache.record([leaf([query], kept)], origin('query 0'));
  expect(cache.lookup(leaf([query]), 'test/a.test.js')).toEqual({
    kind: 'known',
    waker: {
      kind: 'object',
      what: 'as for test "query 0" (a promise made by the same calls; not searched again): kept in Client.pending',
      short: 'kept in Client.pending',
      as: origin('query 0'),
    },
    fedBy: [],
    timeouts: [],
    settlesNone: false,
  });
  // From another file, the line names the file of the finding.
  const other = cache.lookup(leaf([query]), 'test/b.test.js');
  expect(other.kind === 'known' && other.waker?.what).toBe(
    'as for test "query 0" in test/a.test.js (a promise made by the same calls; not searched again): kept in Client.pending',
  );
});

test('a timer found feeding a leaf is named by its calls: the leaf reusing the finding, in this process or another, is fed by one made by the same calls', () => {
  const timerLeaf = (path: Frame[], what: string): Leaf => ({
    kind: 'timer',
    what,
    createdAt: path[path.length - 1] ?? null,
    path,
    ageMs: 0,
    detached: true,
  });
  const buffered = f('findOne', 'src/model.js', 9, 16);
  const setter = f('findOne', 'src/model.js', 13, 3);
  const promise = leaf([buffered], kept);
  const timer = timerLeaf([setter], 'setTimeout 10000 ms, fires in 9.7 s');
  const cache = new WakerCache();
  cache.record([promise], origin('find 0'), '', [{handle: timer, promise}]);
  const known = cache.lookup(leaf([buffered]), 'test/a.test.js');
  const signature = handleSignature(
    timerLeaf([setter], 'setTimeout 10000 ms, fires in 9.2 s'),
  );
  // What the timer is (its time left) is not part of it; where it was set is.
  expect(known.kind === 'known' && known.fedBy).toEqual([signature]);
  expect(
    handleSignature(timerLeaf([f('findOne', 'src/model.js', 20, 3)], '')),
  ).not.toBe(signature);
  // Handed to another test process with the finding.
  const other = new WakerCache();
  other.adopt(leaf([buffered]), cache.finding(leaf([buffered]))!);
  const adopted = other.lookup(leaf([buffered]), 'test/b.test.js');
  expect(adopted.kind === 'known' && adopted.fedBy).toEqual([signature]);
});

test('with --projects, a finding is reused within its project only', () => {
  const cache = new WakerCache();
  cache.record([leaf([query], kept)], origin('query 0'), '/repo/api');
  expect(cache.lookup(leaf([query]), 'test/a.test.js', '/repo/api').kind).toBe(
    'known',
  );
  // src/db.js of another project is another file.
  expect(cache.lookup(leaf([query]), 'test/a.test.js', '/repo/web')).toEqual({
    kind: 'unknown',
  });
});

test('leaves made by other calls are other causes: another caller, another event', () => {
  const cache = new WakerCache();
  const ready = f('waitFor', 'src/conn.js', 3);
  cache.record(
    [
      leaf([f('connect', 'src/conn.js', 10), ready], {
        kind: 'event',
        what: "waits for 'ready' on a Connection (an EventEmitter): not emitted since its listener was added",
        short: "waits for 'ready' on a Connection",
      }),
    ],
    origin('connects'),
  );
  // waitFor(conn, 'close') from another line of the program.
  expect(
    cache.lookup(leaf([f('close', 'src/conn.js', 20), ready]), 'x').kind,
  ).toBe('unknown');
  // The same call, as another input of a combinator.
  expect(
    cache.lookup(
      leaf([
        {
          ...f('connect', 'src/conn.js', 10),
          combinator: {name: 'Promise.all', index: 1},
        },
        ready,
      ]),
      'x',
    ).kind,
  ).toBe('unknown');
  // Another kind of promise made at the same place.
  expect(
    cache.lookup(
      leaf([f('connect', 'src/conn.js', 10), ready], undefined, {
        what: 'events.once() promise, never settled',
      }),
      'x',
    ).kind,
  ).toBe('unknown');
  expect(
    cache.lookup(leaf([f('connect', 'src/conn.js', 10), ready]), 'x').kind,
  ).toBe('known');
});

test('the signature is the frames from the leaf up, not the test body', () => {
  const a = leaf([f('getUser', 'src/users.js', 3), query]);
  const b = leaf([f('getUser', 'src/users.js', 3), query]);
  expect(leafSignature(a)).toBe(leafSignature(b));
  expect(leafSignature(a)).not.toBe(
    leafSignature(leaf([f('getUser', 'src/users.js', 4), query])),
  );
});

test('the state of what was found is not reused: a timer says its delay, not its time left', () => {
  const cache = new WakerCache();
  cache.record(
    [
      leaf([query], {
        kind: 'timer',
        what: 'settles when a setTimeout of 60000 ms fires (in 59.7 s)',
        short: 'settles when a setTimeout of 60000 ms fires',
      }),
    ],
    origin('query 0'),
  );
  const found = cache.lookup(leaf([query]), 'test/a.test.js');
  expect(found.kind === 'known' && found.waker?.what).toBe(
    'as for test "query 0" (a promise made by the same calls; not searched again): settles when a setTimeout of 60000 ms fires',
  );
});

test('orphaned, and nothing found, are reused as they were found', () => {
  const cache = new WakerCache();
  const orphaned = leaf([f('pending', 'src/t.js', 1)], {
    kind: 'none',
    what: 'nothing can settle it: its resolve and reject functions are gone (orphaned)',
  });
  const nothing = leaf([f('run', 'src/t.js', 2)]);
  cache.record([orphaned, nothing], origin('first'));
  const o = cache.lookup(leaf([f('pending', 'src/t.js', 1)]), 'test/a.test.js');
  expect(o.kind === 'known' && o.waker).toMatchObject({
    kind: 'none',
    what: 'as for test "first" (a promise made by the same calls; not searched again): orphaned, nothing can settle it',
  });
  expect(cache.lookup(leaf([f('run', 'src/t.js', 2)]), 'x')).toEqual({
    kind: 'known',
    waker: undefined,
    fedBy: [],
    timeouts: [],
    settlesNone: false,
  });
});

test('a signature whose leaves were found to differ is never reused', () => {
  const cache = new WakerCache();
  const ready: Waker = {
    kind: 'event',
    what: "waits for 'ready' on a Connection ...",
    short: "waits for 'ready' on a Connection",
  };
  const close: Waker = {...ready, short: "waits for 'close' on a Connection"};
  // In one search (test.each passing the event name to one call).
  cache.record([leaf([query], ready), leaf([query], close)], origin('one'));
  expect(cache.lookup(leaf([query]), 'x').kind).toBe('unknown');
  // Between searches.
  const later = new WakerCache();
  later.record([leaf([query], ready)], origin('one'));
  expect(later.lookup(leaf([query]), 'x').kind).toBe('known');
  later.record([leaf([query], close)], origin('two'));
  expect(later.lookup(leaf([query]), 'x').kind).toBe('unknown');
  // The same cause found again, with another state, is the same cause.
  const same = new WakerCache();
  same.record([leaf([query], ready)], origin('one'));
  same.record(
    [leaf([query], {...ready, what: "waits for 'ready': it is connected"})],
    origin('two'),
  );
  expect(same.lookup(leaf([query]), 'x').kind).toBe('known');
  // And at another place in a queue.
  const queue = new WakerCache();
  const at = (i: number): Waker => ({
    kind: 'object',
    what: `its resolve function is kept in Client.pending[${i}]`,
    short: `kept in Client.pending[${i}]`,
  });
  queue.record([leaf([query], at(0)), leaf([query], at(1))], origin('one'));
  queue.record([leaf([query], at(7))], origin('two'));
  expect(queue.lookup(leaf([query]), 'x').kind).toBe('known');
});

test('who holds a lock, and a deadlock, are never reused; two leaves kept by objects are searched', () => {
  const cache = new WakerCache();
  const lock = f('acquire', 'src/lock.js', 7);
  cache.record(
    [
      leaf([lock], {
        kind: 'object',
        what: 'its resolve function is kept in Mutex.waiters[0]',
        short: 'kept in Mutex.waiters[0]',
        heldBy: [f('transfer', 'src/bank.js', 14)],
        deadlock: true,
      }),
    ],
    origin('transfers'),
  );
  expect(cache.lookup(leaf([lock]), 'x').kind).toBe('unknown');
  expect(mustSearch([kept, kept])).toBe(true);
  expect(mustSearch([kept, undefined])).toBe(false);
});

test('a finding without a short form is not reused', () => {
  const cache = new WakerCache();
  cache.record(
    [
      leaf([query], {
        kind: 'object',
        what: 'its resolve function is still kept (by an Object), and nothing has called it',
      }),
    ],
    origin('query 0'),
  );
  expect(cache.lookup(leaf([query]), 'x').kind).toBe('unknown');
});

test('a chain only a dropped `.then()` waits on, found settling none: reused as aside, and a search that finds otherwise makes the signature ambiguous', () => {
  const transport = f('NodeTransport', 'src/transport.js', 53, 3);
  const closed: Waker = {
    kind: 'object',
    what: 'its resolve function is kept in NodeTransport.closedNotification',
    short: 'kept in NodeTransport.closedNotification',
  };
  const cache = new WakerCache();
  const first = leaf([transport], closed);
  cache.record([first], origin('connect 0'), '', [], [], [first]);
  const found = cache.lookup(leaf([transport]), 'test/a.test.js');
  expect(found.kind === 'known' && found.settlesNone).toBe(true);
  expect(cache.finding(leaf([transport]))?.settlesNone).toBe(true);
  // Reused in a dump beside another stuck branch: set aside there too.
  const again = leaf([transport]);
  const server = leaf([f('dial', 'src/dial.js', 3)], undefined, {
    kind: 'server',
  });
  const dump = {leaves: [again, server]} as unknown as TaskDump;
  reuseFindings(
    dump,
    {subjects: [subject(again)], handles: [], guards: [], dropped: [again]},
    [found],
  );
  expect([again.aside, again.asideWith, server.aside]).toEqual([
    true,
    'dropped',
    undefined,
  ]);
  // A later search found it settling something: never reused again.
  cache.record([leaf([transport], closed)], origin('connect 1'));
  expect(cache.lookup(leaf([transport]), 'x').kind).toBe('unknown');
});

// A promise drawn waiting on a branch below it (a read of a fetch() body
// over its socket) is searched only for what it feeds: it gets no waker, so
// a finding made by the same calls is not handed to it.
test('a promise drawn waiting on what is below it takes no waker from a finding', () => {
  const cache = new WakerCache();
  cache.record([leaf([query], kept)], origin('query 0'));
  const found = cache.lookup(leaf([query]), 'test/a.test.js');
  expect(found.kind).toBe('known');
  const waiting = leaf([query], undefined, {waiting: true});
  const dump = {leaves: [waiting]} as unknown as TaskDump;
  reuseFindings(
    dump,
    {subjects: [subject(waiting)], handles: [], guards: [], dropped: []},
    [found],
  );
  expect(waiting.waker).toBeUndefined();
});

// A promise that can only be rejected (a race's way out: dump/race-exits.ts)
// is so wherever the same calls made it: the reused waker says so too.
test('a finding that can only reject is reused as one', () => {
  const cache = new WakerCache();
  const abort: Waker = {
    kind: 'event',
    what: "waits for 'abort' on an AbortSignal: nothing aborted it; its resolve function is gone, so it can only be rejected",
    short: "waits for 'abort' on an AbortSignal",
    onlyRejects: true,
  };
  cache.record([leaf([query], abort)], origin('thunk 0'));
  const found = cache.lookup(leaf([query]), 'test/a.test.js');
  expect(found.kind === 'known' && found.waker?.onlyRejects).toBe(true);
});
