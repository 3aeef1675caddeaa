import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {firstPass, thrownAt} from '../../src/core/dump/retry';
import type {Frame} from '../../src/core/types';
import {runBody} from './runner-stub';
import {Sleeps} from './sleeps';

// Retry loops, recognised from the recorded shape (src/core/dump/retry.ts): a
// one-shot timer armed in reaction to a failed attempt, by the code that
// handled the failure. Never the error's message.

const sleeps = new Sleeps();
afterEach(() => sleeps.stop());
beforeEach(() => {
  sleeps.stopped = false;
});
const sleep = (ms: number): Promise<void> => sleeps.sleep(ms);

/** The line of this file that ends in `// @name`. */
function lineOf(name: string): number {
  const lines = fs.readFileSync(__filename, 'utf8').split('\n');
  return lines.findIndex(l => l.endsWith(`// @${name}`)) + 1;
}

class Unavailable extends Error {}

async function down(): Promise<void> {
  await null;
  throw new Unavailable('token=s3cr3t'); // @down
}

async function odd(n: number): Promise<void> {
  await null;
  if (n % 2 === 0) throw new TypeError('even'); // @even
  throw new Unavailable('odd'); // @odd
}

async function withRetry(f: (n: number) => Promise<void>, pauseMs: number) {
  for (let n = 0; ; n++) {
    try {
      return await f(n);
    } catch (e) {
      if (sleeps.stopped) throw e;
      await sleep(pauseMs);
    }
  }
}

/** What the dump's only timer says. */
function leafOf(dump: {leaves: Array<{kind: string; what: string}>}): string {
  const timers = dump.leaves.filter(l => l.kind === 'timer');
  expect(timers).toHaveLength(1);
  return timers[0].what;
}

const THIS_FILE = 'test/unit/retry.test.ts';

// promise-retry's shape: the loop rejects with an error of the library's
// that carries the failure (`retried`). Written to a node_modules folder of
// its own at run time (a library's frames are told by that folder).
test('an error a library wraps each failure in: the failure, and the property carrying it', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'taskdump-wrap-'));
  const lib = path.join(dir, 'node_modules', 'wrap-retry', 'index.js');
  fs.mkdirSync(path.dirname(lib), {recursive: true});
  fs.writeFileSync(
    lib,
    "module.exports = e => Object.assign(new Error('Retrying'), {code: 'EPROMISERETRY', retried: e});\n",
  );
  const wrap = require(lib) as (e: unknown) => Error;
  const {dump} = await runBody(
    () =>
      withRetry(async () => {
        try {
          await down();
        } catch (e) {
          throw wrap(e); // @wrap
        }
      }, 20),
    150,
  );
  expect(leafOf(dump)).toMatch(
    new RegExp(
      `each with Unavailable thrown at ${THIS_FILE}:${lineOf('down')}:\\d+, carried in the \`retried\` of Error thrown in \\S+/wrap-retry/index\\.js:1:\\d+ \\(called from ${THIS_FILE}:${lineOf('wrap')}:\\d+\\);`,
    ),
  );
  fs.rmSync(dir, {recursive: true, force: true});
});

test('a loop that catches and sleeps: where, how many failed, with what', async () => {
  const {dump} = await runBody(() => withRetry(down, 20), 150);
  const what = leafOf(dump);
  expect(what).toMatch(
    new RegExp(
      `^retry loop in withRetry at ${THIS_FILE}:\\d+: (\\d+) attempts failed, each with Unavailable thrown at ${THIS_FILE}:${lineOf('down')}:\\d+; next attempt after setTimeout 20 ms, fires in \\d+ ms$`,
    ),
  );
  expect(Number(/(\d+) attempts failed/.exec(what)![1])).toBeGreaterThan(1);
  expect(what).not.toContain('s3cr3t');
  expect(dump.leaves.find(l => l.kind === 'timer')?.loop?.exact).toBe(true);
});

test("a catch that calls a helper which awaits, then sleeps (the AWS SDK's shape): a retry loop once a pause went before", async () => {
  // Each pause: a helper the catch calls, which awaits something else first.
  async function backoff(ms: number): Promise<void> {
    await Promise.resolve();
    await sleep(ms);
  }
  async function withHelper(): Promise<void> {
    for (;;) {
      try {
        return await down();
      } catch (e) {
        if (sleeps.stopped) throw e;
        await backoff(20);
      }
    }
  }
  const {dump} = await runBody(() => withHelper(), 150);
  const what = leafOf(dump);
  expect(what).toMatch(
    new RegExp(
      `^retry loop in withHelper at ${THIS_FILE}:\\d+: (\\d+) attempts failed, each with Unavailable thrown at ${THIS_FILE}:${lineOf('down')}:\\d+; next attempt after setTimeout 20 ms`,
    ),
  );
  // The first pause alone is no loop (see below: other work after a
  // handled failure).
  const once = await runBody(() => withHelperOnce(), 60);
  expect(leafOf(once.dump)).toMatch(/^setTimeout 500 ms/);
  async function withHelperOnce(): Promise<void> {
    try {
      await down();
    } catch {
      await backoff(500);
    }
  }
});

test('one failed attempt and a pause longer than the timeout', async () => {
  const {dump} = await runBody(() => withRetry(down, 500), 60);
  expect(leafOf(dump)).toMatch(
    new RegExp(
      `^retry loop in withRetry at ${THIS_FILE}:\\d+: 1 attempt failed, with Unavailable thrown at ${THIS_FILE}:${lineOf('down')}:\\d+; next attempt after setTimeout 500 ms, fires in \\d+ ms; the test timeout is 60 ms$`,
    ),
  );
});

test('attempts that failed differently: the last, and that they differed', async () => {
  const {dump} = await runBody(() => withRetry(odd, 20), 150);
  expect(leafOf(dump)).toMatch(
    new RegExp(
      `\\d+ attempts failed, the last with (TypeError|Unavailable) thrown at ${THIS_FILE}:(${lineOf('even')}|${lineOf('odd')}):\\d+ \\(not every one with it\\)`,
    ),
  );
});

test('a .catch handler that arms the timer: the loop is the handler', async () => {
  function attempt(): void {
    down().catch(function onFailure() {
      if (sleeps.stopped) return;
      const t = setTimeout(attempt, 200);
      sleeps.timers.add(t);
    });
  }
  const {dump} = await runBody(
    () =>
      new Promise<void>(() => {
        attempt();
      }),
    60,
  );
  expect(leafOf(dump)).toMatch(
    new RegExp(
      `^retry loop in onFailure at ${THIS_FILE}:\\d+: 1 attempt failed, with Unavailable thrown at ${THIS_FILE}:${lineOf('down')}:\\d+; `,
    ),
  );
});

test('something thrown that is not an Error: its type, no position', async () => {
  const {dump} = await runBody(
    () =>
      withRetry(async () => {
        await null;
        throw 'a secret string';
      }, 500),
    60,
  );
  const what = leafOf(dump);
  expect(what).toContain(
    '1 attempt failed, with a thrown string (not an Error)',
  );
  expect(what).not.toContain('secret');
});

test('only a timer armed in reaction to a failure, by the code that handled it', async () => {
  // A poll: every attempt succeeded.
  const poll = await runBody(async () => {
    for (;;) {
      await Promise.resolve(false);
      await sleep(500);
    }
  }, 60);
  expect(leafOf(poll.dump)).toMatch(/^setTimeout 500 ms/);
  // The failure was handled; another function awaits, then sleeps.
  async function later(): Promise<void> {
    await Promise.resolve();
    await sleep(500);
  }
  const other = await runBody(async () => {
    try {
      await down();
    } catch {
      // Handled: what follows is other work.
    }
    await later();
  }, 60);
  expect(leafOf(other.dump)).toMatch(/^setTimeout 500 ms/);
  // The same, sleeping in the function that handled it, after an await.
  const retry = await runBody(async () => {
    try {
      await down();
    } catch {
      await Promise.resolve();
      await sleep(500);
    }
  }, 60);
  expect(leafOf(retry.dump)).toMatch(/^retry loop in <anonymous> at /);
});

test("an attempt that catches its failure and returns it (cockatiel's `{error}`): a retry loop, with the error", async () => {
  // cockatiel's Executor.invoke: the attempt's failure is a value.
  async function invoke(): Promise<{error: unknown} | {ok: true}> {
    try {
      await down();
      return {ok: true};
    } catch (error) {
      return {error};
    }
  }
  const {dump} = await runBody(async () => {
    for (;;) {
      const result = await invoke();
      if ('ok' in result || sleeps.stopped) return;
      await sleep(20);
    }
  }, 150);
  const what = leafOf(dump);
  expect(what).toMatch(
    new RegExp(
      `^retry loop in <anonymous> at ${THIS_FILE}:\\d+: \\d+ attempts failed, each with Unavailable thrown at ${THIS_FILE}:${lineOf('down')}:\\d+; next attempt after setTimeout 20 ms`,
    ),
  );
  expect(what).not.toContain('s3cr3t');
  // The loop ends here: its next pause would be drawn in the next dump.
  sleeps.stop();
  sleeps.stopped = false;
  // A poll whose results hold no error (a status object) is no retry.
  const poll = await runBody(async () => {
    for (;;) {
      await Promise.resolve({status: 'pending', error: null});
      await sleep(500);
    }
  }, 60);
  expect(leafOf(poll.dump)).toMatch(/^setTimeout 500 ms/);
});

// A dump taken while an attempt is in flight: the timer that attempt set (its
// request's timeout) came after the pause, which fired; it is no pause (the
// AWS SDK's socket timers read "retry loop … next attempt after setTimeout").
test("an attempt in flight after a pause: its own timer is not the loop's pause", async () => {
  let n = 0;
  const slow = async (): Promise<void> => {
    if (n++ === 0) throw new Unavailable('first');
    await sleep(5_000);
  };
  const {dump} = await runBody(() => withRetry(slow, 20), 150);
  const what = leafOf(dump);
  expect(what).toMatch(/^setTimeout 5000 ms, fires in /);
  expect(what).not.toContain('retry loop');
});

// The same, read from the loop's side: the attempt in flight is awaited where
// the failed ones were, in the run resumed from the pause, whose timer was set
// in reaction to the last failure (dump/in-flight.ts). The frame says which
// attempt it is and how those before it failed; before, nothing said a loop.
test('an attempt in flight after pauses: its frame in the loop says which attempt, and how the earlier ones failed', async () => {
  let n = 0;
  const slow = async (): Promise<void> => {
    await null;
    if (n++ < 2) throw new Unavailable('token=s3cr3t'); // @slow
    await sleep(5_000);
  };
  const {dump, tree} = await runBody(() => withRetry(slow, 20), 150);
  const frame = dump.leaves[0].path.find(f => f.name === 'withRetry');
  expect(frame?.attempt).toEqual({
    failed: 2,
    last: expect.objectContaining({kind: 'Unavailable', error: true}),
    same: true,
  });
  expect(tree.join('\n')).toContain(
    'withRetry (attempt 3 of a retry loop: 2 attempts failed, each with Unavailable thrown',
  );
  expect(tree.join('\n')).not.toContain('s3cr3t');
});

// A next step after a failure caught, awaited at another line, is no loop.
test('a step awaited after a failure was caught and a pause is no attempt of a retry loop', async () => {
  const {dump} = await runBody(async () => {
    try {
      await down();
    } catch {
      // the failure is dropped
    }
    await sleep(20);
    await sleep(5_000);
  }, 150);
  expect(
    dump.leaves.every(l => l.path.every(f => f.attempt === undefined)),
  ).toBe(true);
});

test("an attempt in flight after a helper's pause (the AWS SDK's shape): its own timer is no pause either", async () => {
  async function backoff(ms: number): Promise<void> {
    await Promise.resolve();
    await sleep(ms);
  }
  let n = 0;
  async function withHelper(): Promise<void> {
    for (;;) {
      try {
        if (n++ === 0) await down();
        else await sleep(5_000);
        return;
      } catch (e) {
        if (sleeps.stopped) throw e;
        await backoff(20);
      }
    }
  }
  const {dump} = await runBody(() => withHelper(), 150);
  const what = leafOf(dump);
  expect(what).toMatch(/^setTimeout 5000 ms, fires in /);
});

test('a loop of callbacks is drawn once: up to its first pass where the pending timer was set', () => {
  const f = (name: string, line: number): Frame => ({
    name,
    file: 'src/r.ts',
    line,
    column: 1,
    async: false,
  });
  const first = [f('attempt', 1), f('check', 2), f('retry', 3)];
  const again = [f('setTimeout callback', 3), f('check', 2), f('retry', 3)];
  expect(firstPass([...first, ...again, ...again])).toEqual(first);
  // A path that passes there once is left as it is.
  const other = [f('setTimeout callback', 3), f('check', 2), f('retry', 9)];
  expect(firstPass([...first, ...other])).toEqual([...first, ...other]);
});

test('two loops run one after the other from one line of a test count as one (docs/limits.md)', async () => {
  const armed: number[] = [];
  async function withTries(tries: number): Promise<void> {
    armed.push(0);
    for (let n = 1; ; n++) {
      try {
        return await down();
      } catch (e) {
        if (sleeps.stopped || n >= tries) throw e;
        armed[armed.length - 1]++;
        await sleep(10);
      }
    }
  }
  const {dump} = await runBody(async () => {
    // The first loop gives up after 3 attempts; the second, started from the
    // same line, never does.
    for (const tries of [3, Infinity]) await withTries(tries).catch(() => {});
  }, 150);
  const what = leafOf(dump);
  const counted = Number(
    /^retry loop in withTries at \S+: (\d+) attempts/.exec(what)?.[1],
  );
  expect(armed).toHaveLength(2);
  expect(armed[0]).toBe(2);
  // Counted as one loop: the first loop's attempts are in the count.
  expect(counted).toBe(armed[0] + armed[1]);
});

test("where an error was thrown: its first frame, the project's it came out of if that is a library's, never one only awaiting it", () => {
  const no = (): boolean => false;
  // The AWS SDK's: thrown in a library, awaited by the test.
  expect(
    thrownAt(
      [
        'at throwDefaultError (/app/node_modules/@smithy/smithy-client/dist-cjs/index.js:10:5)',
        'at async send (/app/node_modules/@smithy/core/dist-cjs/index.js:3:4)',
        'at async Object.<anonymous> (/app/test/s3.test.js:28:3)',
      ],
      '/app',
      no,
    ),
  ).toEqual({
    at: 'node_modules/@smithy/smithy-client/dist-cjs/index.js:10:5',
    inLibrary: true,
    from: 'test/s3.test.js:28:3',
  });
  // The same as Jest's formatter writes it: no `async`, after Node's
  // microtask loop.
  expect(
    thrownAt(
      [
        'at handleError (/app/node_modules/@aws-sdk/core/index.js:1390:65)',
        'at processTicksAndRejections (node:internal/process/task_queues:95:5)',
        'at /app/node_modules/@smithy/core/retry/index.js:211:50',
        'at Object.<anonymous> (/app/test/s3.test.js:28:3)',
      ],
      '/app',
      no,
    ),
  ).toEqual({
    at: 'node_modules/@aws-sdk/core/index.js:1390:65',
    inLibrary: true,
    from: 'test/s3.test.js:28:3',
  });
  // classic-level's: thrown in an anonymous function of the library, its
  // caller's `async` dropped by Jest's formatter. The library's frame is
  // where; the test's line, the call it came out of (it said "thrown at" the
  // test's line).
  expect(
    thrownAt(
      [
        'at /app/node_modules/abstract-level/abstract-level.js:174:17',
        'at ClassicLevel.open (/app/node_modules/abstract-level/abstract-level.js:222:9)',
        'at openWhenFree (/app/test/level.test.js:15:7)',
      ],
      '/app',
      no,
    ),
  ).toEqual({
    at: 'node_modules/abstract-level/abstract-level.js:174:17',
    inLibrary: true,
    from: 'test/level.test.js:15:7',
  });
  expect(
    thrownAt(
      ['at down (/app/src/db.js:4:11)', 'at async retry (/app/src/r.js:9:7)'],
      '/app',
      no,
    ),
  ).toEqual({at: 'src/db.js:4:11'});
  // Only a caller awaiting it: where it was thrown is not known.
  expect(
    thrownAt(
      ['at async Object.<anonymous> (/app/test/a.test.js:2:3)'],
      '/app',
      no,
    ),
  ).toEqual({});
});
