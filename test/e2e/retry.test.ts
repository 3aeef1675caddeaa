import {dumpFinder, sharedRun} from './run';

// Retry loops whose every attempt fails (fixtures/retry): a timer armed in
// reaction to a failed attempt reads as a retry loop, with how many attempts
// failed, the error's class and where it was thrown (never its message), and
// the pause; a callback whose error came from no promise is not called one.
describe.each([
  ['one worker', ['-i']],
  ['two workers', ['-w=2']],
])('retry fixture, %s', (_label, args) => {
  const run = sharedRun('retry', args);
  const find = dumpFinder(run);
  // The test's own line is its `await` or the call's parenthesis (both seen
  // in runs of the same build).
  const rootCol = (d: string): string =>
    d.replace(/(╼ test "[^"]*" at test\/retry\.test\.ts:\d+):\d+/, '$1:<col>');
  // The count and the pause (it doubles) depend on the machine's speed.
  const stable = (d: string): string =>
    rootCol(d)
      .replace(/\b\d+ attempts failed/, '<n> attempts failed')
      .replace(/after setTimeout \d+ ms/, 'after setTimeout <ms> ms');

  test('a hand-written loop: where, how many attempts failed, with what, the pause', () => {
    expect(run.tests).toBe('14 failed, 14 total');
    const d = find('a hand-written loop whose every attempt fails');
    const n = /\b(\d+) attempts failed/.exec(d);
    expect(n).not.toBeNull();
    expect(Number(n![1])).toBeGreaterThanOrEqual(2);
    expect(d).not.toContain('backend down');
    expect(stable(d)).toMatchSnapshot();
  });

  // Node's own errors have a `constructor` getter on their prototype: the
  // class is read past it, with the system error's code (a kind, not a value).
  test("a promise rejected with Node's connection error: its class and code", () => {
    expect(
      find('a promise of a connection the service refuses, retried'),
    ).toMatch(/1 attempt failed,\s+with Error ECONNREFUSED;/);
  });

  test('a backoff longer than the timeout: one attempt failed, with what', () => {
    expect(
      rootCol(find('a backoff longer than the timeout')),
    ).toMatchSnapshot();
  });

  test('attempts that failed differently: the last error, and that they differed', () => {
    const d = find('attempts that fail differently');
    expect(d).toMatch(/\b\d+ attempts failed,\s+the last with/);
    expect(stable(d)).toMatchSnapshot();
  });

  test('the callback style: a retry when its error came from a rejected promise, a timer when from no promise', () => {
    const d = find('a callback-style operation');
    expect(d).toMatch(
      /^Task dump: 1 branch stuck after <elapsed> ms \(1 retry loop\)/,
    );
    expect(d.replace(/\s+/g, ' ')).toMatch(
      /⏲ retry loop in <anonymous> at test\/retry\.test\.ts:34: \d+ attempts failed, each with ServiceUnavailable thrown at src\/health\.ts:8:9; next attempt after setTimeout 100 ms, fires in <time left>/,
    );
    // The attempts after the first drawn once.
    expect(stable(d)).toMatchSnapshot();
    const none = find(
      'a callback that got an error from no promise is not called a retry',
    );
    expect(none).not.toContain('retry loop');
    expect(none).toMatch(
      /⏲ setTimeout 1000 ms, fires in <time left>; the test\s+timeout is 500 ms/,
    );
  });

  // A timer whose callback is a function on its own path (async.js's retry,
  // node-cron's poll): a loop, drawn once, with how many times it ran. Not a
  // retry: whether an attempt failed was an argument, never read.
  test('a timer whose callback is the function that set it: a loop, drawn once', () => {
    const retry = find(
      'a callback-style retry whose timer runs the attempt again',
    );
    expect(retry).toMatch(
      /^Task dump: 1 branch stuck after <elapsed> ms \(1 loop\)/,
    );
    expect(retry.replace(/\s+/g, ' ')).toMatch(
      /⏲ loop in retryAttempt at src\/retry\.ts:72: ran \d+ times in this test, and runs again when this setTimeout of 300 ms fires \(in <time left>\)/,
    );
    expect(retry.match(/retryAttempt at/g)).toHaveLength(2);
    const poll = find('a poll whose timer runs the check again');
    expect(poll).not.toContain('busy');
    expect(poll.replace(/\s+/g, ' ')).toMatch(
      /└╼ runAt at src\/retry\.ts:88:3 └╼ matchTime at src\/retry\.ts:86:36 ⏲ loop in matchTime at src\/retry\.ts:86: ran \d+ times in this test, and runs again when this setTimeout of 150 ms fires/,
    );
    expect(poll.match(/matchTime at/g)).toHaveLength(2);
  });

  // Each refused connection's 'error' (emitted from a tick Node queues with
  // the socket) sets the timer of the next attempt: a retry loop of
  // connections, with the error's code and address (dump/socket-retry.ts).
  test("a connection retried from its 'error' listener: a retry loop, with what each failed with", () => {
    const d = find(
      "a connection retried from its 'error' listener while the service is down",
    ).replace(/\s+/g, ' ');
    expect(d).toMatch(
      /^Task dump: 1 branch stuck after <elapsed> ms \(1 retry loop\)/,
    );
    expect(d).toMatch(
      /⏲ retry loop in <anonymous> at test\/retry\.test\.ts:\d+: \d connections failed, each with connect ECONNREFUSED 127\.0\.0\.1:1; next attempt after setTimeout 100 ms/,
    );
  });

  // got's shape: the pause is set after an `await` in a function the
  // 'error' listener started, each socket after an `await` of the attempt:
  // followed back through those reactions to the failed socket.
  test("a request retried after an await in its 'error' listener: a retry loop of connections", () => {
    const d = find(
      'a request retried after an await in its error listener while the service is down',
    ).replace(/\s+/g, ' ');
    expect(d).toMatch(
      /^Task dump: 1 branch stuck after <elapsed> ms \(1 retry loop\)/,
    );
    const m =
      /⏲ retry loop in <anonymous> at test\/retry\.test\.ts:\d+: (\d+) connections failed, each with connect ECONNREFUSED 127\.0\.0\.1:1; next attempt after setTimeout \d+ ms/.exec(
        d,
      );
    expect(m).not.toBeNull();
    // Pauses of 50, 100, 150… ms within the 500 ms timeout: more than one,
    // counted back along the loop (how many depends on the machine's load).
    expect(Number(m![1])).toBeGreaterThanOrEqual(2);
  });

  // A fetch fulfilled with a Response of an error's status is a failed
  // attempt (settled.ts reads its status); one of 200 is not.
  test('a fetch answered 503, retried: a retry loop with the status; a poll of 200 is none', () => {
    const d = find('a fetch answered 503, retried with backoff').replace(
      /\s+/g,
      ' ',
    );
    expect(d).toMatch(
      /^Task dump: 1 branch stuck after <elapsed> ms \(1 retry loop\)/,
    );
    expect(d).toMatch(
      /⏲ retry loop in <anonymous> at test\/retry\.test\.ts:\d+: 3 attempts failed, each with an HTTP 503 response; next attempt after setTimeout 60000 ms/,
    );
    // (The timeout may fall while a poll's fetch is in flight: then the
    // fetch is the branch, not the loop.)
    const poll = find('a fetch answered 200, polled until it says done');
    expect(poll).not.toContain('retry loop');
    expect(poll).not.toContain('failed');
  });

  // The same, handled by a `.then` callback (fetch-retry's shape): the
  // fulfilled value of the subscription whose callback set the pause is read
  // as an `await`'s is. The loop is drawn under the promise whose executor
  // started it: the first attempt's `.then` has a short stack (record/
  // hooks.ts), and so has the `.catch()` Node's `fetch()` returns, which it
  // subscribes to; the walk goes on in the stack of the promise under both.
  test('a fetch answered 503, retried from its .then callback: a retry loop with the status', () => {
    const d = find(
      'a fetch answered 503, retried from its .then callback',
    ).replace(/\s+/g, ' ');
    expect(d).toMatch(
      /^Task dump: 1 branch stuck after <elapsed> ms \(1 retry loop\)/,
    );
    expect(d).toMatch(
      /└╼ <anonymous> at test\/retry\.test\.ts:\d+:9 ⏸ promise, never settled; it waits on: └╼ <anonymous> at test\/retry\.test\.ts:\d+:5 └╼ attempt at test\/retry\.test\.ts:\d+:23 └╼ \.then callback/,
    );
    expect(d).toMatch(
      /⏲ retry loop in <anonymous> at test\/retry\.test\.ts:\d+: 3 attempts failed, each with an HTTP 503 response; next attempt after setTimeout 60000 ms/,
    );
  });

  // The timeout falls while the third attempt's fetch is in flight: the fetch
  // is the branch (down to the server that does not answer), and the loop's
  // frame where it awaits the attempt says which attempt it is and how those
  // before it failed (dump/in-flight.ts). Before, nothing said a loop.
  test('an attempt in flight when the timeout fell: the loop, which attempt, how the earlier failed', () => {
    const d = find(
      'a fetch retried while the service fails, then stops answering',
    ).replace(/\s+/g, ' ');
    expect(d).toMatch(
      /^Task dump: 1 branch stuck after <elapsed> ms \(1 server\)/,
    );
    expect(d).toMatch(
      /└╼ withRetry at src\/retry\.ts:\d+:\d+ \(attempt 3 of a retry loop: 2 attempts failed, each with Error thrown at test\/retry\.test\.ts:\d+:\d+\) └╼ <anonymous> at test\/retry\.test\.ts:\d+:\d+ ⏸ fetch\(\) promise, never settled; it waits on: └╼ connect at node:internal\/deps\/undici\/undici:\d+:\d+ ⇄ socket to 127\.0\.0\.1:\d+, open, \d+ bytes read; it waits on: └╼ 'request' listener <anonymous> at test\/retry\.test\.ts:\d+:\d+ ⇄ HTTP server on 127\.0\.0\.1:\d+: the GET is not answered/,
    );
    expect(d).not.toContain('status 503');
  });
});
