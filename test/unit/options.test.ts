import {
  DEFAULT_OPTIONS,
  TaskdumpOptionError,
  parseOptions,
} from '../../src/environment/options';

describe('parseOptions', () => {
  test('absent, true and false', () => {
    expect(parseOptions(undefined)).toEqual(DEFAULT_OPTIONS);
    expect(parseOptions(null)).toEqual(DEFAULT_OPTIONS);
    expect(parseOptions(true)).toEqual(DEFAULT_OPTIONS);
    expect(parseOptions(false)).toEqual({...DEFAULT_OPTIONS, enabled: false});
  });

  test('values are kept, defaults fill the rest', () => {
    expect(
      parseOptions({maxFrames: 8, captureBurst: 0, signal: 'SIGUSR2'}),
    ).toEqual({
      ...DEFAULT_OPTIONS,
      maxFrames: 8,
      captureBurst: 0,
      signal: 'SIGUSR2',
    });
  });

  test("undefined values are absent, as Jest's workers (which get the config as JSON) see them", () => {
    expect(
      parseOptions({
        maxFrames: undefined,
        signal: undefined,
        maxframes: undefined,
      }),
    ).toEqual(DEFAULT_OPTIONS);
  });

  test.each([
    // The values of issue 2, as a user would mistype them.
    [
      {maxFrames: 3},
      '`testEnvironmentOptions.taskdump.maxFrames` must be an integer from 8 to 1000, but it is 3.',
    ],
    [
      {enabled: 'yes'},
      '`testEnvironmentOptions.taskdump.enabled` must be true or false, but it is "yes".',
    ],
    [
      {maxframes: 64},
      'unknown option `testEnvironmentOptions.taskdump.maxframes` (value 64). Did you mean `maxFrames`?\nAccepted options: `enabled` (true or false), `maxFrames` (an integer from 8 to 1000),',
    ],
    [
      7,
      '`testEnvironmentOptions.taskdump` must be an object or a boolean, but it is 7.\nAccepted keys: `enabled`, `maxFrames`,',
    ],
    // Values JSON cannot show truly.
    [
      {maxFrames: NaN},
      'maxFrames` must be an integer from 8 to 1000, but it is NaN.',
    ],
    [
      {captureBurst: Infinity},
      'captureBurst` must be an integer from 0 to 10000000, but it is Infinity.',
    ],
    [
      {maxFrames: 10n},
      'maxFrames` must be an integer from 8 to 1000, but it is 10n.',
    ],
    [
      {enabled: () => true},
      'enabled` must be true or false, but it is [Function: enabled].',
    ],
    [
      {maxFrames: {value: NaN}},
      'maxFrames` must be an integer from 8 to 1000, but it is { value: NaN }.',
    ],
    [
      {maxFrames: [8]},
      'maxFrames` must be an integer from 8 to 1000, but it is [8].',
    ],
    [
      {blockWarningMs: -1},
      'blockWarningMs` must be an integer number of milliseconds from 0 (off) to 2147483647, but it is -1.',
    ],
    // The rest of the e2e matrix this replaces (test/e2e/options.test.ts keeps
    // one run of each kind).
    [
      {signal: 'SIGKILL'},
      '`testEnvironmentOptions.taskdump.signal` must be one of SIGUSR2,',
    ],
    [
      {captureBurst: 1.5},
      '`testEnvironmentOptions.taskdump.captureBurst` must be an integer from 0 to 10000000, but it is 1.5.',
    ],
  ])(
    '%p: the message names the option, the value and what is accepted',
    (raw, message) => {
      expect(() => parseOptions(raw)).toThrow(message);
    },
  );

  test.each([
    [false],
    [true],
    [{maxFrames: 100, signal: 'SIGUSR2', captureBurst: 0}],
    [{maxFrames: undefined}],
  ])('%p is accepted', raw => {
    expect(() => parseOptions(raw)).not.toThrow();
  });

  test('the error carries no frames of the plugin, so Jest prints the message without a code frame', () => {
    let error: unknown;
    try {
      parseOptions({maxFrames: 3});
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TaskdumpOptionError);
    expect((error as Error).stack).toBe(
      `TaskdumpOptionError: ${(error as Error).message}\n    at <anonymous> (jest-taskdump:0:0)`,
    );
  });

  test.each([
    [
      {maxFrames: 1001},
      'maxFrames` must be an integer from 8 to 1000, but it is 1001.',
    ],
    [
      {maxFrames: '64'},
      'maxFrames` must be an integer from 8 to 1000, but it is "64".',
    ],
    [
      {capturesPerSecond: -1},
      'capturesPerSecond` must be an integer from 0 to 10000000, but it is -1.',
    ],
    [{enabled: 1}, 'enabled` must be true or false, but it is 1.'],
    [{signal: 'SIGUSR1'}, 'signal` must be one of'],
    [
      {max_frames: 1},
      'unknown option `testEnvironmentOptions.taskdump.max_frames` (value 1). Did you mean `maxFrames`?',
    ],
    [
      {colour: true},
      'unknown option `testEnvironmentOptions.taskdump.colour` (value true).\nAccepted options: `enabled`',
    ],
    [
      [1],
      '`testEnvironmentOptions.taskdump` must be an object or a boolean, but it is [1].',
    ],
    [
      'on',
      '`testEnvironmentOptions.taskdump` must be an object or a boolean, but it is "on".',
    ],
  ])('%j is rejected', (raw, message) => {
    expect(() => parseOptions(raw)).toThrow(TaskdumpOptionError);
    expect(() => parseOptions(raw)).toThrow(message);
  });

  test("leaks: 'warn' (the default), 'fail' or false", () => {
    expect(DEFAULT_OPTIONS.leaks).toBe('warn');
    expect(parseOptions({leaks: 'fail'}).leaks).toBe('fail');
    expect(parseOptions({leaks: false}).leaks).toBe(false);
  });

  test('maxAlike: 3 (the default) or an integer from 1', () => {
    expect(DEFAULT_OPTIONS.maxAlike).toBe(3);
    expect(parseOptions({maxAlike: 1}).maxAlike).toBe(1);
    expect(parseOptions({maxAlike: 1_000_000}).maxAlike).toBe(1_000_000);
  });

  test('exitWhenBlocked: true (the default), false or milliseconds', () => {
    expect(DEFAULT_OPTIONS.exitWhenBlocked).toBe(true);
    expect(parseOptions({exitWhenBlocked: false}).exitWhenBlocked).toBe(false);
    expect(parseOptions({exitWhenBlocked: 1500}).exitWhenBlocked).toBe(1500);
  });

  test.each([
    [
      {leaks: true},
      '`testEnvironmentOptions.taskdump.leaks` must be "warn", "fail" or false, but it is true.',
    ],
    [
      {leaks: 'error'},
      '`testEnvironmentOptions.taskdump.leaks` must be "warn", "fail" or false, but it is "error".',
    ],
    [
      {exitWhenBlocked: -1},
      '`testEnvironmentOptions.taskdump.exitWhenBlocked` must be true, false, or an integer number of milliseconds from 0 to 2147483647, but it is -1.',
    ],
    [
      {exitWhenBlocked: '10s'},
      '`testEnvironmentOptions.taskdump.exitWhenBlocked` must be true, false, or an integer number of milliseconds from 0 to 2147483647, but it is "10s".',
    ],
    [{leak: 'fail'}, 'Did you mean `leaks`?'],
    [
      {maxAlike: 0},
      '`testEnvironmentOptions.taskdump.maxAlike` must be an integer from 1 to 1000000, but it is 0.',
    ],
    [
      {maxAlike: 2.5},
      '`testEnvironmentOptions.taskdump.maxAlike` must be an integer from 1 to 1000000, but it is 2.5.',
    ],
  ])('%j is rejected, naming the accepted values', (raw, message) => {
    expect(() => parseOptions(raw)).toThrow(TaskdumpOptionError);
    expect(() => parseOptions(raw)).toThrow(message);
  });
});
