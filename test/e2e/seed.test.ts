import {dumps, section, sharedRun} from './run';

// The seed program of the issue: two branches under Promise.all, in TypeScript
// (ts-jest with its type-check), read from the shared runs
// (test/e2e/shared-runs.ts). Colour: test/e2e/terminal.test.ts and unit tests.
describe.each([
  ['one worker', ['-i']],
  ['two workers', ['-w=2']],
])('seed fixture, %s', (_label, args) => {
  const run = sharedRun('seed', args);

  test('the hung test fails with the timeout and its task dump', () => {
    expect(section(run.output, 'hangs')).toContain(
      'Exceeded timeout of 300 ms for a test',
    );
    expect(dumps(run.output)).toMatchSnapshot();
  });

  test('the end-of-run summary lists the hung test and its stuck leaves', () => {
    expect(run.summary.join('\n')).toMatchSnapshot();
  });

  test('the passing file is untouched', () => {
    expect(run.files).toEqual({
      'test/hang.test.ts': 'FAIL',
      'test/ok.test.ts': 'PASS',
    });
    expect(run.tests).toBe('1 failed, 1 passed, 2 total');
  });
});
