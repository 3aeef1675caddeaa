import {dumps, formatCounts, runJest, sharedRun} from './run';

// The fixtures of the core issue, one small TypeScript project each, read from
// the shared runs (test/e2e/shared-runs.ts) with both worker counts.
const PROJECTS = [
  'deferred',
  'events-once',
  'timers-promises',
  'hooks',
  'done-callback',
  'two-hung',
  'passing',
  'callback-chain',
  'mixed',
];

const TESTS: Array<[string, string]> = [
  [
    'a deferred created in one module and awaited from another',
    'test "worker waits for a job that is never resolved"',
  ],
  [
    'a promise created at module load, awaited in the test',
    'test "acquire waits for a pool created at module load"',
  ],
  [
    'events.once on an event never emitted',
    'test "connect waits for a ready event nobody emits"',
  ],
  [
    'await setTimeout(60_000) from node:timers/promises',
    'test "polls with a long backoff"',
  ],
  ['a beforeAll that hangs', 'beforeAll hook in "with a database"'],
  [
    'an afterEach that hangs',
    'afterEach hook for "with cleanup › passes, then its afterEach hangs"',
  ],
  ['a done-callback test that never calls done', 'test "never calls done"'],
  [
    'a done-callback test that starts nothing',
    'test "never calls done and starts nothing"',
  ],
  ['two hung tests in one file: the first', 'test "loads config"'],
  ['two hung tests in one file: the second', 'test "acquires lock"'],
  [
    'a leaf created in a timer callback',
    'test "waits on work started from a timer callback"',
  ],
  [
    'a leaf created in a .then callback of an awaited chain',
    'test "waits on work started in a .then callback"',
  ],
  [
    'a leaf created in a .then callback nothing awaits',
    'test "waits on a .then chain that nothing awaits"',
  ],
  [
    'concurrent tests share a record: the first',
    'test "concurrent › loads config concurrently"',
  ],
  [
    'concurrent tests share a record: the second',
    'test "concurrent › acquires lock concurrently"',
  ],
  [
    'stacks taken before and after the first await resumes',
    'test "loads before and after the first await"',
  ],
  ['the same, entered after a delay', 'test "loads after a delay"'],
];

describe.each([
  ['one worker', ['-i']],
  ['two workers', ['-w=2']],
])('core fixtures, %s', (_label, args) => {
  const runs = PROJECTS.map(p => sharedRun(p, args));
  const output = runs.map(r => r.output).join('\n');
  const all = dumps(output);
  const find = (title: string): string[] =>
    all.filter(d => d.split('\n')[2]?.startsWith(`╼ ${title} `));

  test('every hung test and hook fails with its own dump, and only those', () => {
    const counts = runs
      .map(r => r.counts)
      .reduce((a, b) => ({
        failed: a.failed + b.failed,
        skipped: a.skipped + b.skipped,
        todo: a.todo + b.todo,
        passed: a.passed + b.passed,
      }));
    expect(formatCounts(counts)).toBe('18 failed, 6 passed, 24 total');
    expect(sharedRun('passing', args).files).toEqual({
      'test/passing.test.ts': 'PASS',
    });
    // The beforeAll hook's dump is attached to both tests it fails.
    expect(all).toHaveLength(18);
    expect(
      all.every(
        d =>
          !/jest-circus|node_modules|node:internal|jest-taskdump:0:0/.test(d),
      ),
    ).toBe(true);
    expect(output).not.toMatch(/at (taskdump|<anonymous>) \(jest-taskdump/);
  });

  test.each(TESTS)('%s', (_what, title) => {
    const found = find(title);
    expect(found.length).toBeGreaterThan(0);
    expect(new Set(found).size).toBe(1);
    expect(found[0]).toMatchSnapshot();
  });

  test('the end-of-run summary lists each hung test or hook once', () => {
    expect(runs.flatMap(r => r.summary).sort()).toMatchSnapshot();
  });
});

test('a file of passing tests prints exactly what plain jest-environment-node prints', () => {
  const traced = runJest('passing', ['-i']);
  const plain = runJest('passing', [
    '-i',
    '--testEnvironment',
    'node',
    '--reporters',
    'default',
  ]);
  const strip = (s: string): string => s.replace(/ \(<duration>\)/g, '');
  expect(traced.status).toBe(0);
  expect(strip(traced.output)).toBe(strip(plain.output));
  expect(traced.output).toContain('Tests:       5 passed, 5 total');
});
