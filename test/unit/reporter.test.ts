import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {stripVTControlCharacters} from 'node:util';
import type {TestResult} from '@jest/test-result';
import TaskdumpReporter, {
  annotationLines,
  parseReporterOptions,
} from '../../src/reporter';
import {summaryLines} from '../../src/reporter/summary';
import * as terminal from '../../src/reporter/terminal';
import {
  DUMP_KIND,
  DUMP_VERSION,
  type Frame,
  type Leaf,
  type TaskDump,
} from '../../src/core/types';
import {HANDOFF_VARIABLE, sendLeftovers} from '../../src/reporter/handoff';
import {
  LEFTOVERS_KIND,
  LEFTOVERS_VERSION,
  type LeftoverReport,
} from '../../src/core/leftover-types';

// The reporter in-process, on synthetic results: what it writes to stderr,
// normalized.
const ROOT = path.join(process.cwd(), 'project');

const f = (name: string, file: string, line: number, column = 5): Frame => ({
  name,
  file,
  line,
  column,
  async: true,
});
const leaf = (path: Frame[], extra: Partial<Leaf> = {}): Leaf => ({
  kind: 'promise',
  what: 'promise, never settled',
  createdAt: path[path.length - 1] ?? null,
  path,
  ageMs: 0,
  detached: false,
  ...extra,
});
const dump = (
  rootName: string,
  testPath: string,
  leaves: Leaf[],
  extra: Partial<TaskDump> = {},
): TaskDump => ({
  kind: DUMP_KIND,
  version: DUMP_VERSION,
  rootType: 'test',
  rootName,
  rootFrame: f('<anonymous>', testPath, 4),
  testPath,
  elapsedMs: 301,
  timeoutMs: 300,
  leaves,
  unrecorded: 0,
  waitsForDone: false,
  ...extra,
});

const db = dump('db › loads config', 'test/db.test.ts', [
  leaf([f('loadConfig', 'src/config.ts', 12)]),
]);
const lock = dump('acquires lock', 'test/db.test.ts', [
  leaf([f('acquire', 'src/lock.ts', 3)], {
    kind: 'timer',
    what: 'setTimeout 60000 ms, not fired yet',
  }),
  leaf([f('acquire', 'src/lock.ts', 3)], {
    kind: 'timer',
    what: 'setTimeout 60000 ms, not fired yet',
  }),
]);
const hook = dump('with a queue', 'test/queue.test.ts', [], {
  rootType: 'beforeAll',
  rootFrame: null,
  waitsForDone: true,
});

function result(
  file: string,
  failures: Array<{title: string; dump: TaskDump | null}>,
): TestResult {
  return {
    testFilePath: path.join(ROOT, file),
    testResults: failures.map(x => ({
      title: x.title,
      status: 'failed',
      failureMessages: ['Exceeded timeout'],
      // As they arrive from a worker: the Error's own properties, as plain
      // data.
      failureDetails: [
        {message: 'Exceeded timeout'},
        ...(x.dump ? [{message: 'Task dump: ...', taskdump: x.dump}] : []),
      ],
    })),
  } as unknown as TestResult;
}

function run(
  options: unknown,
  level: terminal.Terminal['level'] = 0,
  columns = 80,
  env: Record<string, string> = {},
): string {
  const written: string[] = [];
  const spies = [
    jest
      .spyOn(process.stderr, 'write')
      .mockImplementation(chunk => (written.push(String(chunk)), true)),
    jest.spyOn(terminal, 'probeTerminal').mockReturnValue({level, columns}),
  ];
  const saved = {...process.env};
  Object.assign(process.env, env);
  try {
    const reporter = new TaskdumpReporter({rootDir: ROOT}, options);
    reporter.onTestResult(
      {} as never,
      result('test/db.test.ts', [
        {title: 'loads config', dump: db},
        {title: 'acquires lock', dump: lock},
      ]),
      {} as never,
    );
    // A beforeAll's dump is attached to every test it failed: listed once.
    reporter.onTestResult(
      {} as never,
      result('test/queue.test.ts', [
        {title: 'a', dump: hook},
        {title: 'b', dump: hook},
        {title: 'c', dump: null},
      ]),
      {} as never,
    );
    reporter.onRunComplete();
  } finally {
    for (const s of spies) s.mockRestore();
    for (const k of Object.keys(process.env))
      if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
  return written.join('');
}

test('the end-of-run section: each hung test or hook once, with its stuck leaves', () => {
  expect(run(undefined, 0, 80, {GITHUB_ACTIONS: ''})).toMatchSnapshot();
});

test('in colour at level 1, the same text', () => {
  const coloured = run(undefined, 1, 80, {GITHUB_ACTIONS: ''});
  expect(coloured).toContain('\u001b[');
  expect(stripVTControlCharacters(coloured)).toBe(
    run(undefined, 0, 80, {GITHUB_ACTIONS: ''}),
  );
});

test('fitted to a narrow terminal', () => {
  const text = run(undefined, 0, 40, {GITHUB_ACTIONS: ''});
  for (const line of text.split('\n'))
    expect(line.length).toBeLessThanOrEqual(40);
  expect(text).toMatchSnapshot();
});

test('annotations: one per stuck leaf, at the leaf, relative to the working directory', () => {
  const lines = run(undefined, 0, 80, {GITHUB_ACTIONS: 'true'})
    .split('\n')
    .filter(l => l.startsWith('::'));
  expect(lines).toEqual([
    '::error file=project/src/config.ts,line=12,col=5,title=jest-taskdump%3A test "db › loads config" hung::promise, never settled (after 301 ms)',
    '::error file=project/src/lock.ts,line=3,col=5,title=jest-taskdump%3A test "acquires lock" hung::2× setTimeout 60000 ms, not fired yet (after 301 ms)',
  ]);
  expect(
    run({annotations: false}, 0, 80, {GITHUB_ACTIONS: 'true'}),
  ).not.toContain('::error');
  expect(run({annotations: true}, 0, 80, {GITHUB_ACTIONS: ''})).toContain(
    '::error',
  );
});

test("annotations point at the user's code, not at a library's or Node's file", () => {
  const lib = (name: string, line: number): Frame =>
    f(name, 'node_modules/pg/lib/client.js', line);
  const inLibrary = dump('queries', 'test/q.test.ts', [
    leaf([
      f('loadUser', 'src/users.ts', 7),
      lib('Client.query', 10),
      lib('Connection.wait', 30),
    ]),
    leaf([f('waitReady', 'src/bus.ts', 2)], {
      createdAt: {
        name: 'once',
        file: 'node:events',
        line: 1,
        column: 1,
        async: false,
      },
      what: 'events.once() promise, never settled',
    }),
  ]);
  const entries = [
    {
      dump: inLibrary,
      projectRoot: ROOT,
      testFile: path.join(ROOT, 'test/q.test.ts'),
    },
  ];
  expect(annotationLines(entries, process.cwd())).toEqual([
    '::error file=project/src/users.ts,line=7,col=5,title=jest-taskdump%3A test "queries" hung::promise, never settled, in Connection.wait at node_modules/pg/lib/client.js:30:5 (after 301 ms)',
    '::error file=project/src/bus.ts,line=2,col=5,title=jest-taskdump%3A test "queries" hung::events.once() promise, never settled, in once at node:events:1:1 (after 301 ms)',
  ]);
});

test('outputFile: every dump as versioned JSON, paths relative to rootDir', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'taskdump-unit-'));
  const file = path.join(dir, 'a', 'dumps.json');
  run({outputFile: path.relative(ROOT, file)}, 0, 80, {GITHUB_ACTIONS: ''});
  const report = JSON.parse(fs.readFileSync(file, 'utf8'));
  expect(report.kind).toBe('jest-taskdump/report');
  expect(report.version).toBe(2);
  expect(report.leftovers).toEqual([]);
  expect(
    report.dumps.map((d: {testFile: string; dump: TaskDump}) => [
      d.testFile,
      d.dump.rootName,
    ]),
  ).toEqual([
    ['test/db.test.ts', 'db › loads config'],
    ['test/db.test.ts', 'acquires lock'],
    ['test/queue.test.ts', 'with a queue'],
  ]);
  expect(JSON.stringify(report)).not.toContain(ROOT);
});

test('the reporter hands its terminal to workers through one variable', () => {
  const saved = process.env[terminal.TERMINAL_VARIABLE];
  const spy = jest
    .spyOn(terminal, 'probeTerminal')
    .mockReturnValue({level: 2, columns: 97});
  try {
    new TaskdumpReporter({rootDir: ROOT}, undefined);
    expect(
      JSON.parse(process.env[terminal.TERMINAL_VARIABLE] ?? 'null'),
    ).toEqual({level: 2, columns: 97});
    expect(terminal.readTerminal()).toEqual({level: 2, columns: 97});
  } finally {
    spy.mockRestore();
    if (saved === undefined) delete process.env[terminal.TERMINAL_VARIABLE];
    else process.env[terminal.TERMINAL_VARIABLE] = saved;
  }
});

test.each([
  [
    {outputFile: 3},
    'option `outputFile` must be a non-empty path (relative to rootDir), but it is 3.',
  ],
  [
    {annotations: 'auto'},
    'option `annotations` must be true or false, but it is "auto".',
  ],
  [{outputfile: 'x.json'}, 'unknown option `outputfile` (value "x.json")'],
  ['dumps.json', 'options must be an object, but they are "dumps.json"'],
  // As the e2e matrix had them (test/e2e/reporter.test.ts keeps one run).
  [
    {outputFile: ''},
    'option `outputFile` must be a non-empty path (relative to rootDir), but it is "".',
  ],
  [
    {annotations: 'yes'},
    'option `annotations` must be true or false, but it is "yes".',
  ],
  [
    {output: 'x.json'},
    'unknown option `output` (value "x.json"). Accepted options: `outputFile`',
  ],
])(
  'bad options %j are named with their value and what is accepted',
  (options, message) => {
    expect(() => parseReporterOptions(options)).toThrow(message);
  },
);

describe('tests grouped by common cause', () => {
  const query = f('Client.query', 'src/db.js', 8, 12);
  const pending = {
    kind: 'object' as const,
    what: 'as for test "query 0" (a promise made by the same calls; not searched again): kept in Client.pending',
    short: 'kept in Client.pending',
  };
  const hung = (i: number, file: string): TaskDump =>
    dump(
      `query ${i}`,
      file,
      [leaf([f('getUser', 'src/users.js', 3), query], {waker: pending})],
      {timeoutMs: 1000},
    );
  const dumps = [
    ...Array.from({length: 15}, (_, i) => hung(i, 'test/a.test.js')),
    // Another leaf of its own, and the same cause with another: one by one.
    dump('orphans', 'test/b.test.js', [
      leaf([f('pending', 'src/t.js', 1)], {
        waker: {kind: 'none', what: 'nothing can settle it ... (orphaned)'},
      }),
    ]),
    dump('two causes', 'test/b.test.js', [
      leaf([query], {waker: pending}),
      leaf([f('pending', 'src/t.js', 1)]),
    ]),
    ...Array.from({length: 15}, (_, i) => hung(15 + i, 'test/b.test.js')),
  ];

  test('the cause once, the tests under it file by file, then the rest one by one', () => {
    const lines = summaryLines(dumps, {width: 80});
    for (const line of lines.join('\n').split('\n'))
      expect(line.length).toBeLessThanOrEqual(80);
    expect(lines.join('\n')).toBe(
      [
        'jest-taskdump: 32 tests or hooks hung',
        '  30 tests hung at src/db.js:8:12 (promise, never settled: kept in',
        '  Client.pending):',
        '    test/a.test.js, 1000 ms timeout: "query 0", "query 1", "query 2", "query 3",',
        '      "query 4", "query 5", "query 6", "query 7", "query 8", "query 9",',
        '      "query 10", "query 11", "query 12", "query 13", "query 14"',
        '    test/b.test.js, 1000 ms timeout: "query 15", "query 16", "query 17",',
        '      "query 18", "query 19", "query 20", "query 21", "query 22", "query 23",',
        '      "query 24", "query 25", "query 26", "query 27", "query 28", "query 29"',
        '  ● orphans (test/b.test.js, 300 ms timeout)',
        '      src/t.js:1:5  promise, never settled: orphaned',
        '  ● two causes (test/b.test.js, 300 ms timeout)',
        '      src/db.js:8:12  promise, never settled: kept in Client.pending',
        '      src/t.js:1:5  promise, never settled',
      ].join('\n'),
    );
  });

  test('with --projects, tests are grouped within one project only: the src/db.js of one is not that of another', () => {
    const three = [0, 1, 2].map(i => hung(i, 'test/a.test.js'));
    // Each in a project of its own: no group.
    const apart = summaryLines(three, {width: 80}, d => d.rootName);
    expect(apart.join('\n')).not.toContain('tests hung at');
    expect(apart.filter(l => l.startsWith('  ● '))).toHaveLength(3);
    // Two of one project are grouped, the third is on its own.
    const grouped = summaryLines(three, {width: 80}, d =>
      d === three[0] ? 'web' : 'api',
    );
    expect(grouped[1]).toMatch(/^ {2}2 tests hung at src\/db\.js:8:12/);
    expect(grouped[2]).toBe(
      '    test/a.test.js, 1000 ms timeout: "query 1", "query 2"',
    );
    expect(grouped.filter(l => l.startsWith('  ● '))).toEqual([
      '  ● query 0 (test/a.test.js, 1000 ms timeout)',
    ]);
  });

  test("a pool's waiters, kept one after another in its list: one line, the index a range", () => {
    const acquire = f('acquire', 'src/pool.js', 3, 22);
    const waiter = (i: number): Leaf =>
      leaf([acquire], {
        waker: {
          kind: 'object',
          what: `its resolve function is kept in Pool.waiting[${i}]`,
          short: `kept in Pool.waiting[${i}]`,
        },
      });
    const lines = summaryLines([
      dump('queries', 'test/a.test.js', [0, 1, 2, 5].map(waiter)),
    ]);
    expect(lines.slice(2)).toEqual([
      '      src/pool.js:3:22  3× promise, never settled: kept in Pool.waiting[0–2]',
      '      src/pool.js:3:22  promise, never settled: kept in Pool.waiting[5]',
    ]);
  });

  // Nothing recorded is pending, some of it made over the capture budget: the
  // line says what is known, not that nothing is pending.
  test('a hang with nothing recorded pending, work made over the capture budget: said so', () => {
    const lines = summaryLines([
      dump('reduces', 'test/a.test.js', [], {unrecorded: 2003}),
    ]);
    expect(lines.join('\n')).toContain(
      'nothing recorded under it says what it waits on (2003 made over the capture budget)',
    );
    expect(lines.join('\n')).not.toContain('no promise, timer or handle');
  });

  // The broker's side of a connection is the stuck leaf; what the test asked
  // for is the event the promise above it waits for. Frames compared by what
  // they say: the dump came through JSON.
  test('a handle under a promise whose waker says what the test waits for: said after it', () => {
    const body = f('<anonymous>', 'test/a.test.js', 9);
    const waits = leaf([body], {
      what: 'events.once() promise, never settled',
      waiting: true,
      waker: {
        kind: 'event',
        what: "waits for 'message' on a Client (an EventEmitter): not emitted since its listener was added",
        short: "waits for 'message' on a Client",
      },
    });
    const server: Leaf = {
      ...leaf([{...body}, f('connect', 'src/broker.js', 29)]),
      kind: 'server',
      what: 'server on 127.0.0.1:4000: it has written 6 bytes to this connection',
    };
    const promise = leaf([{...body}, f('load', 'src/a.js', 3)]);
    const lines = summaryLines([
      dump('publishes', 'test/a.test.js', [waits, server]),
    ]);
    expect(lines[2]).toBe(
      "      src/broker.js:29:5  server on 127.0.0.1:4000: it has written 6 bytes to this connection (under events.once() promise, never settled: waits for 'message' on a Client)",
    );
    // A promise's own line says what keeps it: nothing is added.
    const own = summaryLines([
      dump('loads', 'test/a.test.js', [waits, promise]),
    ]);
    expect(own[2]).toBe('      src/a.js:3:5  promise, never settled');
  });

  test('one test at a cause is listed on its own, as before', () => {
    const lines = summaryLines([hung(0, 'test/a.test.js'), dumps[15]]);
    expect(lines).toEqual([
      'jest-taskdump: 2 tests or hooks hung',
      '  ● query 0 (test/a.test.js, 1000 ms timeout)',
      '      src/db.js:8:12  promise, never settled: kept in Client.pending',
      '  ● orphans (test/b.test.js, 300 ms timeout)',
      '      src/t.js:1:5  promise, never settled: orphaned',
    ]);
  });

  // A hung afterAll fails its file, not a test: its dump is in Jest's text,
  // the reporter lists it last, and counts it.
  test('afterAll hooks that hung are listed last and counted in the first line', () => {
    const lines = summaryLines([hung(0, 'test/a.test.js')], {}, undefined, [
      'test/c.test.js',
    ]);
    expect(lines).toEqual([
      'jest-taskdump: 2 tests or hooks hung',
      '  ● query 0 (test/a.test.js, 1000 ms timeout)',
      '      src/db.js:8:12  promise, never settled: kept in Client.pending',
      '  ● an afterAll hook in test/c.test.js hung: its dump is under "Test suite failed to run" above',
    ]);
    expect(summaryLines([], {}, undefined, ['test/c.test.js'])[0]).toBe(
      'jest-taskdump: 1 test or hook hung',
    );
    expect(summaryLines([])).toEqual([]);
  });
});

describe('leftovers', () => {
  const leftovers = (mode: 'warn' | 'fail'): LeftoverReport => ({
    kind: LEFTOVERS_KIND,
    version: LEFTOVERS_VERSION,
    testPath: 'test/db.test.ts',
    mode,
    leftovers: [
      {
        kind: 'timer',
        what: 'setInterval every 1000 ms, still active',
        keepsAlive: true,
        rootType: 'test',
        rootName: 'polls',
        path: [f('startPolling', 'src/jobs.ts', 4)],
        createdAt: f('startPolling', 'src/jobs.ts', 4),
        detached: false,
      },
    ],
  });

  /**
   * Two files; the environment of the first sends what it left open. What the
   * reporter writes after each file, and at the end.
   */
  function runWith(
    report: LeftoverReport,
    outputFile?: string,
  ): {afterFirst: string; afterLast: string; atEnd: string; dir: string} {
    const written: string[] = [];
    const spies = [
      jest
        .spyOn(process.stderr, 'write')
        .mockImplementation(chunk => (written.push(String(chunk)), true)),
      jest
        .spyOn(terminal, 'probeTerminal')
        .mockReturnValue({level: 0, columns: 200}),
    ];
    const saved = process.env[HANDOFF_VARIABLE];
    try {
      const reporter = new TaskdumpReporter(
        {rootDir: ROOT},
        outputFile === undefined ? undefined : {outputFile},
      );
      const dir = process.env[HANDOFF_VARIABLE]!;
      reporter.onRunStart({numTotalTestSuites: 2} as never);
      // As the environment does in the worker, before the file's result.
      expect(sendLeftovers(report, path.join(ROOT, 'test/db.test.ts'))).toBe(
        true,
      );
      reporter.onTestResult(
        {} as never,
        result('test/db.test.ts', []),
        {} as never,
      );
      const afterFirst = written.splice(0).join('');
      reporter.onTestResult(
        {} as never,
        result('test/queue.test.ts', []),
        {} as never,
      );
      const afterLast = written.splice(0).join('');
      reporter.onRunComplete();
      return {afterFirst, afterLast, atEnd: written.join(''), dir};
    } finally {
      for (const s of spies) s.mockRestore();
      if (saved === undefined) delete process.env[HANDOFF_VARIABLE];
      else process.env[HANDOFF_VARIABLE] = saved;
    }
  }

  test("under the file's results, then in the end-of-run list right after the last file's result", () => {
    const {afterFirst, afterLast, atEnd, dir} = runWith(leftovers('warn'));
    expect(afterFirst).toBe(
      [
        '',
        'jest-taskdump: test/db.test.ts left 1 open: 1 timer',
        '',
        '╼ test "polls" in test/db.test.ts',
        '└╼ startPolling at src/jobs.ts:4:5',
        '   ⏲ setInterval every 1000 ms, still active; keeps the process alive',
        '',
        '',
      ].join('\n'),
    );
    // Before Jest's "A worker process has failed to exit gracefully", which
    // follows the last file's result.
    expect(afterLast).toBe(
      [
        '',
        'jest-taskdump: 1 left open by 1 test file when it ended',
        '  ● test/db.test.ts',
        '      src/jobs.ts:4:5  setInterval every 1000 ms, still active; keeps the process alive (test "polls")',
        '',
        '',
      ].join('\n'),
    );
    expect(atEnd).not.toContain('left open');
    // The hand-off directory is gone with the run.
    expect(fs.existsSync(dir)).toBe(false);
  });

  test("with leaks: 'fail' the failures say it: only the end-of-run list", () => {
    const {afterFirst, afterLast} = runWith(leftovers('fail'));
    expect(afterFirst).toBe('');
    expect(afterLast).toContain('1 left open by 1 test file');
  });

  test('in the JSON report, version 2', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'taskdump-unit-'));
    const file = path.join(dir, 'report.json');
    runWith(leftovers('warn'), path.relative(ROOT, file));
    const json = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(json).toMatchObject({kind: 'jest-taskdump/report', version: 2});
    expect(json.leftovers).toEqual([
      {testFile: 'test/db.test.ts', report: leftovers('warn')},
    ]);
    fs.rmSync(dir, {recursive: true, force: true});
  });
});
