import {dumps, sharedRun} from './run';

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
    expect(run.tests).toBe('1 failed, 1 passed, 2 total');
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
});
