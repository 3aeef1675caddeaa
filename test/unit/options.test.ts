import {DEFAULT_OPTIONS, TaskdumpOptionError, parseOptions} from '../../src/environment/options';

describe('parseOptions', () => {
  test('absent, true and false', () => {
    expect(parseOptions(undefined)).toEqual(DEFAULT_OPTIONS);
    expect(parseOptions(null)).toEqual(DEFAULT_OPTIONS);
    expect(parseOptions(true)).toEqual(DEFAULT_OPTIONS);
    expect(parseOptions(false)).toEqual({...DEFAULT_OPTIONS, enabled: false});
  });

  test('values are kept, defaults fill the rest', () => {
    expect(parseOptions({maxFrames: 8, captureBurst: 0, signal: 'SIGUSR2'})).toEqual({
      ...DEFAULT_OPTIONS,
      maxFrames: 8,
      captureBurst: 0,
      signal: 'SIGUSR2',
    });
  });

  test.each([
    [{maxFrames: 1001}, 'maxFrames` must be an integer from 8 to 1000, but it is 1001.'],
    [{maxFrames: '64'}, 'maxFrames` must be an integer from 8 to 1000, but it is "64".'],
    [{capturesPerSecond: -1}, 'capturesPerSecond` must be an integer from 0 to 10000000, but it is -1.'],
    [{enabled: 1}, 'enabled` must be true or false, but it is 1.'],
    [{signal: 'SIGUSR1'}, 'signal` must be one of'],
    [{max_frames: 1}, 'unknown option `testEnvironmentOptions.taskdump.max_frames` (value 1). Did you mean `maxFrames`?'],
    [{colour: true}, 'unknown option `testEnvironmentOptions.taskdump.colour` (value true).\nAccepted options: `enabled`'],
    [[1], '`testEnvironmentOptions.taskdump` must be an object or a boolean, but it is [1].'],
    ['on', '`testEnvironmentOptions.taskdump` must be an object or a boolean, but it is "on".'],
  ])('%j is rejected', (raw, message) => {
    expect(() => parseOptions(raw)).toThrow(TaskdumpOptionError);
    expect(() => parseOptions(raw)).toThrow(message);
  });
});
