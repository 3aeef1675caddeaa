import {
  countKinds,
  leftoverSummaryLines,
  renderLeftoverReport,
} from '../../src/core/leftover-render';
import {
  LEFTOVERS_KIND,
  LEFTOVERS_VERSION,
  type Leftover,
  type LeftoverReport,
} from '../../src/core/leftover-types';
import type {Frame} from '../../src/core/types';

// Leftovers as text, from synthetic data: exact strings.
const f = (name: string, file: string, line: number, column = 5): Frame => ({
  name,
  file,
  line,
  column,
  async: false,
});

const server: Leftover = {
  kind: 'server',
  what: 'HTTP server listening on 127.0.0.1:4000, no connection open',
  keepsAlive: true,
  rootType: 'beforeAll',
  rootName: '',
  path: [
    f('<anonymous>', 'test/api.test.js', 8, 18),
    f('startServer', 'src/server.js', 11, 12),
  ],
  createdAt: f('startServer', 'src/server.js', 11, 12),
  detached: false,
};
const interval: Leftover = {
  kind: 'timer',
  what: 'setInterval every 1000 ms, still active',
  keepsAlive: true,
  rootType: 'test',
  rootName: 'polls for jobs',
  path: [
    f('<anonymous>', 'test/api.test.js', 16, 10),
    f('startPolling', 'src/jobs.js', 4, 17),
  ],
  createdAt: f('startPolling', 'src/jobs.js', 4, 17),
  detached: false,
};
const timeout: Leftover = {
  kind: 'timer',
  what: 'setTimeout 60000 ms, fires in 59.7 s',
  keepsAlive: 'until-fired',
  firesInMs: 59_700,
  rootType: 'test',
  rootName: 'polls for jobs',
  path: [f('<anonymous>', 'test/api.test.js', 17, 3)],
  createdAt: f('<anonymous>', 'test/api.test.js', 17, 3),
  detached: false,
};
// Made in a callback of the interval, with no stack of its own.
const rearmed: Leftover = {
  ...interval,
  what: 'setTimeout 30000 ms, not fired yet',
  keepsAlive: 'until-fired',
  path: [
    ...interval.path,
    {...interval.path[1], name: 'setInterval callback', async: true},
  ],
  createdAt: null,
};
const closing: Leftover = {
  kind: 'server',
  what: 'HTTP server closed, waiting for its connections to end: 1 request not answered (GET)',
  keepsAlive: null,
  rootType: 'afterEach',
  rootName: 'api › serves',
  path: [f('<anonymous>', 'test/api.test.js', 30, 3)],
  createdAt: f('<anonymous>', 'test/api.test.js', 30, 3),
  detached: false,
};

const report = (
  leftovers: Leftover[],
  extra: Partial<LeftoverReport> = {},
): LeftoverReport => ({
  kind: LEFTOVERS_KIND,
  version: LEFTOVERS_VERSION,
  testPath: 'test/api.test.js',
  leftovers,
  mode: 'warn',
  ...extra,
});

test('kinds are counted in the order they first appear', () => {
  expect(countKinds([server, interval, timeout])).toBe('1 server, 2 timers');
  expect(countKinds([{...server, kind: 'child-process'}])).toBe(
    '1 child process',
  );
  expect(
    countKinds([
      {...server, kind: 'child-process'},
      {...server, kind: 'child-process'},
      {...server, kind: 'watcher'},
    ]),
  ).toBe('2 child processes, 1 file watcher');
});

test("a file's leftovers: one tree per test or hook, as in a dump, each saying whether it keeps the process alive", () => {
  expect(
    renderLeftoverReport(report([server, interval, timeout, closing])),
  ).toBe(
    [
      'jest-taskdump: test/api.test.js left 4 open: 2 servers, 2 timers',
      '',
      '╼ beforeAll hook in test/api.test.js',
      '└╼ <anonymous> at test/api.test.js:8:18',
      '   └╼ startServer at src/server.js:11:12',
      '      ⇄ HTTP server listening on 127.0.0.1:4000, no connection open; keeps the process alive',
      '',
      '╼ test "polls for jobs" in test/api.test.js',
      '├╼ <anonymous> at test/api.test.js:16:10',
      '│  └╼ startPolling at src/jobs.js:4:17',
      '│     ⏲ setInterval every 1000 ms, still active; keeps the process alive',
      '└╼ <anonymous> at test/api.test.js:17:3',
      '   ⏲ setTimeout 60000 ms, fires in 59.7 s; keeps the process alive until it fires',
      '',
      '╼ afterEach hook for "api › serves" in test/api.test.js',
      '└╼ <anonymous> at test/api.test.js:30:3',
      '   ⇄ HTTP server closed, waiting for its connections to end: 1 request not answered (GET)',
    ].join('\n'),
  );
});

test('wrapped to the width, continuing under their branch', () => {
  expect(
    renderLeftoverReport(report([server]), {width: 60}).split('\n'),
  ).toEqual([
    'jest-taskdump: test/api.test.js left 1 open: 1 server',
    '',
    '╼ beforeAll hook in test/api.test.js',
    '└╼ <anonymous> at test/api.test.js:8:18',
    '   └╼ startServer at src/server.js:11:12',
    '      ⇄ HTTP server listening on 127.0.0.1:4000, no',
    '        connection open; keeps the process alive',
  ]);
});

test('concurrent tests share a record: the title names them all, and says it was one of them', () => {
  const text = renderLeftoverReport(
    report([{...interval, rootName: 'a, b', concurrent: ['a', 'b']}]),
  );
  expect(text.split('\n')[2]).toBe(
    '╼ concurrent tests "a", "b" (one of them) in test/api.test.js',
  );
});

test('one whose position was not recorded says why', () => {
  const text = renderLeftoverReport(
    report([{...interval, path: [], createdAt: null, detached: true}]),
  );
  expect(text).toContain(
    'setInterval every 1000 ms, still active; keeps the process alive (where it was opened is not known: stacks were over their budget, see `captureBurst`)',
  );
});

// A callback that ran after its test or hook ended (ws's close timer, set
// when the server's socket closes after an afterAll returned) took no stack:
// no budget was spent, and `captureBurst` would change nothing.
test('one opened by a callback after its test or hook ended says so, not the budget', () => {
  const text = renderLeftoverReport(
    report([
      {
        ...interval,
        path: [],
        createdAt: null,
        detached: true,
        unknownBecause: 'after',
      },
    ]),
  ).replace(/\s+/g, ' ');
  expect(text).toContain(
    'setInterval every 1000 ms, still active; keeps the process alive (where it was opened is not known: by a callback that ran after its test or hook ended, when no stack is taken)',
  );
  expect(text).not.toContain('captureBurst');
});

test('a report whose listing failed is its one line', () => {
  const error =
    'jest-taskdump: could not list what test/api.test.js left open (boom). This is a bug in jest-taskdump.';
  expect(renderLeftoverReport(report([], {error}))).toBe(error);
});

test('the end-of-run list: per file, where each was opened, what it is, under which test or hook', () => {
  expect(
    leftoverSummaryLines([
      report([server, rearmed]),
      report([], {testPath: 'test/clean.test.js'}),
      report([interval], {testPath: 'test/jobs.test.js'}),
    ]),
  ).toEqual([
    'jest-taskdump: 3 left open by 2 test files when they ended',
    '  ● test/api.test.js',
    '      src/server.js:11:12  HTTP server listening on 127.0.0.1:4000, no connection open; keeps the process alive (beforeAll hook)',
    '      src/jobs.js:4:17  setTimeout 30000 ms, not fired yet; keeps the process alive until it fires (test "polls for jobs", in a setInterval callback)',
    '  ● test/jobs.test.js',
    '      src/jobs.js:4:17  setInterval every 1000 ms, still active; keeps the process alive (test "polls for jobs")',
  ]);
  expect(leftoverSummaryLines([report([])])).toEqual([]);
});
