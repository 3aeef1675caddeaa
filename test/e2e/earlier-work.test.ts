import {dumps, runJest, sharedRun} from './run';

// A client an earlier test started keeps reconnecting while a later test hangs
// (fixtures/reconnect): each socket's 'close' sets a timer, whose callback
// opens the next socket from a process.nextTick callback (as ioredis does),
// all while the later test runs. That is the earlier test's work: traced back
// through the sockets (their callbacks run with the socket's native handle as
// context, which it lets go of when it closes) and the ticks (a TickObject
// knows the async id of what made it) to what the earlier test made, it is
// left out of the later test's dump.
describe.each([
  ['one worker', ['-i']],
  ['two workers', ['-w=2']],
])('reconnect fixture, %s', (_label, args) => {
  const run = sharedRun('reconnect', args);

  test("a later test's dump shows none of an earlier test's reconnecting client", () => {
    expect(run.tests).toBe('2 failed, 2 passed, 4 total');
    const [dump] = dumps(run.output);
    expect(dump).toBe(
      [
        'Task dump: 1 branch stuck after <elapsed> ms (1 promise)',
        '',
        '╼ test "an unrelated hang, while the earlier test\'s client reconnects" at test/reconnect.test.js:12:9',
        '⏸ promise, never settled',
      ].join('\n'),
    );
  });

  // The same client, made by the third test while the first one's goes on:
  // the timer its last socket's 'close' set is a retry loop, its attempts
  // counted back along its own sockets and timers (refused every 200 ms in a
  // 700 ms test: 3 or 4; the first client's, refused every 20 ms at the same
  // place, are not among them), drawn once.
  test("a client's reconnect timer after refused connections: a retry loop, with what each failed with", () => {
    const dump = dumps(run.output)[1];
    expect(dump).toMatch(
      /^Task dump: 2 branches stuck after <elapsed> ms \(1 retry loop, 1 promise\)\n/,
    );
    expect(dump.replace(/│/g, '').replace(/\s+/g, ' ')).toMatch(
      /└╼ connect at src\/client\.js:9:25 └╼ socket event at src\/client\.js:9:25 └╼ <anonymous> at src\/client\.js:12:43 ⏲ retry loop in <anonymous> at src\/client\.js:12: [34] connections failed, each with connect ECONNREFUSED 127\.0\.0\.1:1; next attempt after setTimeout 200 ms, fires in/,
    );
  });
});

// A test that passes and leaves a wait for a service retrying every 100 ms
// (test/left-retrying.test.js): at any moment one short timer or one refused
// socket is open. A one-shot timer due within 500 ms is not listed, unless it
// is a loop's: made, callbacks down, by an earlier round at the same place
// (each refused socket's 'error' sets the timer whose callback connects
// again). It is traced through the rounds to the test body, drawn once.
describe.each([
  ['one worker', ['-i']],
  ['two workers', ['-w=2']],
])('reconnect fixture, a retry loop left running, %s', (_label, args) => {
  const run = sharedRun('reconnect', args);

  test("the loop's short timer is listed, from the test body, as a loop's", () => {
    const start = run.output.indexOf(
      'jest-taskdump: test/left-retrying.test.js left',
    );
    expect(start).toBeGreaterThan(-1);
    const section = run.output
      .slice(start, run.output.indexOf('\n\n\n', start))
      .replace(/\s+/g, ' ');
    expect(section).toContain(
      'left 1 open: 1 timer ╼ test "starts waiting for a service that is down, and passes" in test/left-retrying.test.js └╼ <anonymous> at test/left-retrying.test.js:20:16 └╼ waitForService at test/left-retrying.test.js:15:3 └╼ attempt at test/left-retrying.test.js:12:40 └╼ socket event at test/left-retrying.test.js:12:40 └╼ <anonymous> at test/left-retrying.test.js:13:32 ⏲ setTimeout 100 ms, fires in <time left>; made by a loop whose rounds each start the next; keeps the process alive until it fires',
    );
  });
});

// With `leaks: 'fail'`, the loop it left running fails the test that left it
// (a loop's short timer is a leftover like another).
test("leaks: 'fail': the retry loop a passing test left running fails it", () => {
  const run = runJest('reconnect', [
    '-i',
    '-c',
    'jest.fail.config.js',
    'test/left-retrying.test.js',
  ]);
  expect(run.status).toBe(1);
  expect(run.output).toContain('Tests:       1 failed, 1 total');
  const failure = run.output
    .slice(run.output.indexOf('● starts waiting for a service'))
    .replace(/\s+/g, ' ');
  expect(failure).toContain(
    'jest-taskdump: it left 1 timer open, and `leaks` is \'fail\': ╼ test "starts waiting for a service that is down, and passes" in test/left-retrying.test.js └╼ <anonymous> at test/left-retrying.test.js:20:16 └╼ waitForService at test/left-retrying.test.js:15:3 └╼ attempt at test/left-retrying.test.js:12:40 └╼ socket event at test/left-retrying.test.js:12:40 └╼ <anonymous> at test/left-retrying.test.js:13:32 ⏲ setTimeout 100 ms, fires in <time left>; made by a loop whose rounds each start the next; keeps the process alive until it fires',
  );
});

// The first file of fixtures/reconnect-files leaves a client reconnecting (its
// sockets and timers kept open); the second file's test hangs while it goes
// on. The files run in name order, and a reporter waits 200 ms after each
// file's result, as a worker waits for its next file: the client reconnects
// then too, while no file's environment is set up. What it opens between the
// files is traced back to the first file's client like the rest (with -i the
// two files share a process; with -w=2 they may not, and the dump is the same).
describe.each([
  ['one worker', ['-i']],
  ['two workers', ['-w=2']],
])('reconnect-files fixture, %s', (_label, args) => {
  let output = '';
  let tests = '';
  beforeAll(() => {
    const run = runJest('reconnect-files', [...args, '--forceExit']);
    output = run.output;
    tests = /^Tests: +(.*)$/m.exec(output)?.[1] ?? output;
  });

  test("a later file's dump and list show none of the client an earlier file left reconnecting, also what it did between the files", () => {
    expect(tests).toBe('1 failed, 1 passed, 2 total');
    expect(dumps(output)).toEqual([
      [
        'Task dump: 1 branch stuck after <elapsed> ms (1 promise)',
        '',
        '╼ test "an unrelated hang in a later file, while the first file\'s client reconnects" at test/b-later.test.js:2:9',
        '⏸ promise, never settled',
      ].join('\n'),
    ]);
    // The first file lists its client's socket; the later file lists nothing.
    expect(output).toContain('test/a-client.test.js left 1 open: 1 socket');
    expect(output).not.toMatch(/b-later\.test\.js left/);
    expect(output).toMatch(
      /1 left open by 1 test file when it ended\n +● test\/a-client\.test\.js\n/,
    );
  });
});

// The first file of fixtures/retry-files leaves a retry loop running (shaped
// as kafkajs's: each failed attempt, an async call, sets a timer for the
// next). Attempts that begin between the files make promises no Root records,
// so the chain of the attempts that run during the second file's hung test
// breaks there. The loop's code was loaded in the first file's realm, which
// has ended: its promises and callbacks say whose work it is, and the dump
// leaves it out.
describe.each([
  ['one worker', ['-i']],
  ['two workers', ['-w=2']],
])('retry-files fixture, %s', (_label, args) => {
  let output = '';
  let tests = '';
  beforeAll(() => {
    const run = runJest('retry-files', [...args, '--forceExit']);
    output = run.output;
    tests = /^Tests: +(.*)$/m.exec(output)?.[1] ?? output;
  });

  test("a later file's dump shows none of the retry loop an earlier file left running", () => {
    expect(tests).toBe('1 failed, 1 passed, 2 total');
    expect(dumps(output)).toEqual([
      [
        'Task dump: 1 branch stuck after <elapsed> ms (1 promise)',
        '',
        '╼ test "an unrelated hang in a later file, while the first file\'s clients retry" at test/b-later.test.js:2:9',
        '⏸ promise, never settled',
      ].join('\n'),
    ]);
    expect(output).not.toMatch(/b-later\.test\.js left/);
  });
});

// fixtures/retry-tests: the first test times out while its connect loop
// pauses; the loop's next pause is set while the second test runs, and the
// `await` it resumed from places it in the first test's work (a stack through
// V8's async frames reaches the first test's suspended body, which does not
// say which test is running). The second test leaves a client reconnecting
// every 2 ms from each refused socket's 'error': hundreds of rounds while the
// later tests run, more than a prune of the ledger keeps (leftovers.ts), each
// round's timer made in a callback of the test file's own code. Its timer is
// still the second test's, traced through the rounds to its body, drawn once.
describe.each([
  ['one worker', ['-i']],
  ['two workers', ['-w=2']],
])('retry-tests fixture, %s', (_label, args) => {
  let output = '';
  beforeAll(() => {
    output = runJest('retry-tests', [...args, '--forceExit']).output;
  });

  test("a loop that outlives its test is that test's leftover, not the next one's", () => {
    expect(output).toMatch(/Tests: +3 failed, 1 passed, 4 total/);
    // The reconnect loop is read in its pause, or (on a loaded machine) while
    // a round's socket is still connecting.
    expect(output).toMatch(
      /test\/retry\.test\.js left 2 open: (2 timers|1 timer, 1 socket)/,
    );
    expect(output).toMatch(
      /\n╼ test "connects to a service that is down" in test\/retry\.test\.js\n└╼ <anonymous> at test\/retry\.test\.js:6:3\n/,
    );
    expect(output).toMatch(
      /keeps the\s+process alive until it fires \(test "connects to a service that is down"\)/,
    );
    expect(output).not.toMatch(/╼ test "runs while the loop/);
    expect(output).not.toMatch(/╼ test "hangs while the loops[^"]*" in /);
  });

  test("a client reconnecting for hundreds of rounds under later tests is the test's that started it", () => {
    const list = output
      .slice(output.indexOf('left 2 open'))
      .replace(/\s+/g, ' ');
    const start =
      '╼ test "reconnects to a service that is down" in test/retry.test.js └╼ <anonymous> at test/retry.test.js:13:9 └╼ <anonymous> at test/retry.test.js:19:5 └╼ attempt at test/retry.test.js:15:26';
    // In its pause (the timer), or while a round's socket connects.
    const entry = list
      .slice(list.indexOf(start))
      .split(' ╼ ')[0]
      .split(' jest-taskdump:')[0]
      .trim();
    expect([
      `${start} └╼ socket event at test/retry.test.js:15:26 └╼ <anonymous> at test/retry.test.js:17:34 ⏲ setTimeout 2 ms, fires in <time left>; made by a loop whose rounds each start the next; keeps the process alive until it fires`,
      `${start} ⇄ socket, still connecting; made by a loop whose rounds each start the next; keeps the process alive`,
    ]).toContain(entry);
    // Neither loop is in the dump of the test that hangs while they run.
    const hang = dumps(output).find(d =>
      d.includes('"hangs while the loops of the tests before retry"'),
    );
    expect(hang).toBe(
      [
        'Task dump: 1 branch stuck after <elapsed> ms (1 promise)',
        '',
        '╼ test "hangs while the loops of the tests before retry" at test/retry.test.js:30:9',
        '⏸ promise, never settled',
      ].join('\n'),
    );
  });
});
