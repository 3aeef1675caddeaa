import {runJest} from './run';

// A wrong `testEnvironmentOptions.taskdump` fails the run with the option, the
// value and what is accepted; a right one runs as usual. The fixture has two
// files, so that `-w=2` hands the config to worker processes (as JSON) and `-i`
// does not.
const run = (options: string, args = ['-i']) =>
  runJest('options', args, {TASKDUMP_OPTIONS: options});

test.each([
  [
    '{maxFrames: 3}',
    '`testEnvironmentOptions.taskdump.maxFrames` must be an integer from 8 to 1000, but it is 3.',
  ],
  [
    '{enabled: "yes"}',
    '`testEnvironmentOptions.taskdump.enabled` must be true or false, but it is "yes".',
  ],
  [
    '{maxframes: 64}',
    'unknown option `testEnvironmentOptions.taskdump.maxframes` (value 64). Did you mean `maxFrames`?\n    Accepted options: `enabled` (true or false), `maxFrames` (an integer from 8 to 1000)',
  ],
  [
    '7',
    '`testEnvironmentOptions.taskdump` must be an object or a boolean, but it is 7.\n    Accepted keys: `enabled`, `maxFrames`',
  ],
  [
    '{signal: "SIGKILL"}',
    '`testEnvironmentOptions.taskdump.signal` must be one of SIGUSR2,',
  ],
  [
    '{captureBurst: 1.5}',
    '`testEnvironmentOptions.taskdump.captureBurst` must be an integer from 0 to 10000000, but it is 1.5.',
  ],
  [
    '{maxFrames: NaN}',
    '`testEnvironmentOptions.taskdump.maxFrames` must be an integer from 8 to 1000, but it is NaN.',
  ],
])('%s is rejected by name, value and what is accepted', (options, message) => {
  const r = run(options);
  expect(r.status).toBe(1);
  expect(r.output).toContain(
    `● Test suite failed to run\n\n    TaskdumpOptionError: jest-taskdump: ${message}`,
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
});

test.each([
  ['false', ['-i']],
  ['true', ['-i']],
  ['{maxFrames: 100, signal: "SIGUSR2", captureBurst: 0}', ['-i']],
  // undefined is absent, as it is in workers (JSON drops it): the same with one
  // or two.
  ['{maxFrames: undefined}', ['-i']],
  ['{maxFrames: undefined}', ['-w=2']],
])('%s runs as usual (%s)', (options, args) => {
  const r = run(options, args);
  expect(r.output).toContain('Tests:       2 passed, 2 total');
  expect(r.status).toBe(0);
});
