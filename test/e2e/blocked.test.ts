import {runJest, section} from './run';

// A test stuck in a synchronous loop never reaches Jest's timeout (a timer):
// the watchdog reports where it runs, stops it, and the run goes on. Its own
// runs: the watchdog's options, a blocked event loop.
const seconds = (s: string): string => s.replace(/for \d+\.\d s/g, 'for <s> s');

// Two runs: with `testEnvironmentOptions.taskdump.blockWarningMs: 100`
// (jest.warn.config.js) and one worker, and the fixture's own config with two;
// a stop is reported the same in both. The warning with one worker: the
// watchdog's thread starts at a process's first test, and a worker's first
// test here is the 600 ms block itself, which on a loaded machine can end
// before the thread has started.
describe.each([
  [
    'blocked fixture, one worker, blockWarningMs: 100',
    ['-c', 'jest.warn.config.js', '-i'],
    true,
  ],
  ['blocked fixture, two workers', ['-w=2'], false],
] as const)('%s', (_label, args, warns) => {
  const run = runJest('blocked', [...args]);
  const output = seconds(run.output);

  test('the run ends by itself: the looping test fails, the others pass', () => {
    expect(run.status).toBe(1);
    expect(output).toContain('Tests:       1 failed, 3 passed, 4 total');
    expect(output).toContain('PASS test/short.test.ts');
  });

  test('the failure names the loop in the application module, in original positions', () => {
    const failure = section(output, 'waits for a flag in a synchronous loop');
    expect(
      failure.slice(
        0,
        failure.indexOf('never returned') + 'never returned'.length,
      ),
    ).toMatchSnapshot();
    // Jest's code frame points at the loop itself.
    expect(failure).toContain('> 11 |   while (!ready) {');
    expect(failure).toContain('at spin (src/busy.ts:11:3)');
  });

  test('the watchdog writes the report itself while the test is blocked', () => {
    const stuck = output.indexOf(
      'jest-taskdump: test "waits for a flag in a synchronous loop" (test/loop.test.ts) is stuck:',
    );
    expect(stuck).toBeGreaterThanOrEqual(0);
    expect(
      output.indexOf(
        'jest-taskdump: stopped it; it fails with this stack and the run goes on.',
        stuck,
      ),
    ).toBeGreaterThan(stuck);
  });

  test('the reporter lists it with the hung tests', () => {
    expect(output).toContain(
      [
        'jest-taskdump: 1 test or hook hung',
        '  ● waits for a flag in a synchronous loop (test/loop.test.ts, 300 ms timeout)',
        '      src/busy.ts:11:3  blocked the event loop for <s> s in `spin`',
      ].join('\n'),
    );
  });

  test('a block shorter than the timeout is not reported as stuck; the looping test is reported once', () => {
    expect(output).toContain('PASS test/short.test.ts');
    expect(output).not.toContain('short.test.ts) is stuck');
    expect(output.match(/is stuck:/g)).toHaveLength(1);
  });

  if (!warns)
    test('without blockWarningMs, a shorter block gets no warning', () => {
      expect(output).not.toContain('jest-taskdump: warning');
    });
  else {
    // A block longer than blockWarningMs but shorter than the timeout gets a
    // warning with its stack, and the test still passes.
    test('a 600 ms block under a 1 s timeout warns, with where it runs, and passes', () => {
      expect(output).toContain(
        [
          'jest-taskdump: warning: test "blocks for less than its timeout" (test/short.test.ts) blocks the event loop:',
          '',
          '    Has blocked the event loop for <s> s so far (timeout 1000 ms) in `busyFor` at src/busy.ts:28:3',
          '',
          '    ╼ test "blocks for less than its timeout" at test/short.test.ts:4:10',
          '    └╼ busyFor at src/busy.ts:28:3',
          '       ⟳ still running synchronously',
        ].join('\n'),
      );
    });

    test("past its timeout a block is the stop's business: no warning after the report", () => {
      const stuck = output.indexOf(
        '"waits for a flag in a synchronous loop" (test/loop.test.ts) is stuck:',
      );
      expect(output.indexOf('warning: test "waits for a flag', stuck)).toBe(-1);
    });
  }
});

// A process that may have a debugger attached (--inspect, --inspect-brk,
// SIGUSR1) is left alone: code held at a breakpoint is not a hang. The same
// warning config warns nothing.
test('the watchdog is off while the inspector is open', () => {
  const run = runJest(
    'blocked',
    ['-c', 'jest.warn.config.js', '-i', 'test/short.test.ts'],
    {NODE_OPTIONS: '--inspect=127.0.0.1:0'},
  );
  expect(run.output).toContain('Debugger listening on ws://');
  expect(run.output).toContain('PASS test/short.test.ts');
  expect(run.output).not.toContain('jest-taskdump: warning');
});
