import {runJest} from './run';

// A wrong `testEnvironmentOptions.taskdump` fails the run with the option, the value and
// what is accepted; a right one runs as usual.
const run = (options: string) => runJest('options', ['-i'], {TASKDUMP_OPTIONS: options});

test.each([
  ['{"maxFrames":3}', '`testEnvironmentOptions.taskdump.maxFrames` must be an integer from 8 to 1000, but it is 3.'],
  ['{"enabled":"yes"}', '`testEnvironmentOptions.taskdump.enabled` must be true or false, but it is "yes".'],
  ['{"maxframes":64}', 'unknown option `testEnvironmentOptions.taskdump.maxframes` (value 64). Did you mean `maxFrames`?'],
  ['7', '`testEnvironmentOptions.taskdump` must be an object or a boolean, but it is 7.'],
  ['{"signal":"SIGKILL"}', '`testEnvironmentOptions.taskdump.signal` must be one of SIGUSR2,'],
  ['{"captureBurst":1.5}', '`testEnvironmentOptions.taskdump.captureBurst` must be an integer from 0 to 10000000, but it is 1.5.'],
])('%s is rejected by name, value and what is accepted', (options, message) => {
  const r = run(options);
  expect(r.status).toBe(1);
  expect(r.output).toContain(`TaskdumpOptionError: jest-taskdump: ${message}`);
  expect(r.output).toContain('Test Suites: 1 failed, 1 total');
});

test.each(['false', 'true', '{"maxFrames":100,"signal":"SIGUSR2","captureBurst":0}'])('%s runs as usual', options => {
  const r = run(options);
  expect(r.status).toBe(0);
  expect(r.output).toContain('Tests:       1 passed, 1 total');
});
