import {dumps, runJest, section} from './run';

// The seed program of the issue: two branches under Promise.all, in TypeScript
// (ts-jest).
describe.each([
  ['one worker', ['-i']],
  ['two workers', ['-w=2']],
])('seed fixture, %s', (_label, args) => {
  const run = runJest('seed', args);

  test('the hung test fails with the timeout and its task dump', () => {
    expect(run.status).toBe(1);
    expect(section(run.output, 'hangs')).toContain(
      'Exceeded timeout of 300 ms for a test',
    );
    expect(dumps(run.output)).toMatchSnapshot();
  });

  test('the end-of-run summary lists the hung test and its stuck leaves', () => {
    // Up to Jest's totals: under load, Jest may add a notice about a worker it
    // had to stop.
    const summary = run.output.slice(
      run.output.indexOf('jest-taskdump:'),
      run.output.indexOf('Test Suites:'),
    );
    expect(
      summary
        .split('\n')
        .filter(l => !l.startsWith('A worker process'))
        .join('\n')
        .trimEnd(),
    ).toMatchSnapshot();
  });

  test('the passing file is untouched', () => {
    expect(run.output).toMatch(/PASS test\/ok\.test\.ts/);
    expect(run.output).toContain('Tests:       1 failed, 1 passed, 2 total');
  });
});

test.each([
  [
    'FORCE_COLOR=1',
    {NO_COLOR: undefined, FORCE_COLOR: '1'},
    [],
    true,
    ['-i', '-w=2'],
  ],
  [
    '--colors',
    {NO_COLOR: undefined, FORCE_COLOR: undefined},
    ['--colors'],
    true,
    ['-w=2'],
  ],
  ['NO_COLOR=1', {NO_COLOR: '1', FORCE_COLOR: undefined}, [], false, ['-i']],
  [
    '--no-colors',
    {NO_COLOR: undefined, FORCE_COLOR: undefined},
    ['--no-colors'],
    false,
    ['-i'],
  ],
])(
  'the dump is in colour as Jest is: %s',
  (_label, env, args, coloured, workerCounts) => {
    for (const workers of workerCounts as string[]) {
      const run = runJest(
        'seed',
        [workers, ...(args as string[]), 'test/hang.test.ts'],
        env as Record<string, string | undefined>,
      );
      const line = run.output.split('\n').find(l => l.includes('Task dump:'))!;
      expect(line).toBeDefined();
      expect(/\u001b\[/.test(line)).toBe(coloured);
    }
  },
);
