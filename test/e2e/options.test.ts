import {runJest} from './run';

// A wrong `testEnvironmentOptions.taskdump` fails the run with the option, the
// value and what is accepted; a right one runs as usual. What is accepted and
// each message: test/unit/options.test.ts. Here, the wiring: the error reaches
// Jest's output as a configuration error, in the parent (`-i`) and from each
// worker (`-w=2`, which gets the config as JSON). The fixture has two files.
const run = (options: string, args = ['-i']) =>
  runJest('options', args, {TASKDUMP_OPTIONS: options});

test('a bad option fails each file, named by option, value and what is accepted, with no code frame', () => {
  // NaN: only in-process (-i) does the environment see it as such.
  const r = run('{maxFrames: NaN}');
  expect(r.status).toBe(1);
  expect(r.output).toContain(
    '● Test suite failed to run\n\n    TaskdumpOptionError: jest-taskdump: `testEnvironmentOptions.taskdump.maxFrames` must be an integer from 8 to 1000, but it is NaN.',
  );
  expect(r.output).toContain('Test Suites: 2 failed, 2 total');
  // A configuration error, not a crash: no code frame or stack of the plugin's
  // own files.
  expect(r.output).not.toMatch(/options\.(js|ts):\d+|\n\s+>? *\d+ \|/);
});

test('with two workers, the error comes back from each worker the same', () => {
  const r = run('{maxframes: 64}', ['-w=2']);
  expect(r.status).toBe(1);
  expect(
    r.output.split(
      'TaskdumpOptionError: jest-taskdump: unknown option `testEnvironmentOptions.taskdump.maxframes` (value 64). Did you mean `maxFrames`?\n    Accepted options:',
    ),
  ).toHaveLength(3);
  expect(r.output).toContain('Test Suites: 2 failed, 2 total');
  expect(r.output).not.toMatch(/options\.(js|ts):\d+|\n\s+>? *\d+ \|/);
});

test('good options run as usual with two workers (an undefined value is absent, as JSON has it)', () => {
  const r = run('{maxFrames: undefined, signal: "SIGUSR2"}', ['-w=2']);
  expect(r.output).toContain('Tests:       2 passed, 2 total');
  expect(r.status).toBe(0);
});
