import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {stripVTControlCharacters} from 'node:util';
import type {TestResult} from '@jest/test-result';
import TaskdumpReporter, {
  annotationLines,
  parseReporterOptions,
} from '../../src/reporter';
import * as terminal from '../../src/reporter/terminal';
import {
  DUMP_KIND,
  DUMP_VERSION,
  type Frame,
  type Leaf,
  type TaskDump,
} from '../../src/core/types';

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
  expect(report.version).toBe(1);
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
