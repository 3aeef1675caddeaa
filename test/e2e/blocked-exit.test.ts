import {SIZE_ORDER, runJest} from './run';

// An async test blocked in a `while` loop (fixtures/blocked-async): the
// watchdog locates the loop but cannot unwind it (an async function is on the
// stack), so once the block has lasted `exitWhenBlocked` (1.5 s in the
// fixture) it ends the Jest process that runs it, and the run ends by itself.
const seconds = (s: string): string =>
  s
    .replace(/for \d+\.\d s/g, 'for <s> s')
    .replace(/blocks \d+\.\d s from now/g, 'blocks <s> s from now')
    .replace(/pid=\d+/g, 'pid=<pid>');

const REPORT = [
  'jest-taskdump: test "takes the next job" (test/consumer.test.js) is stuck:',
  '',
  '    Blocked the event loop for <s> s (timeout 300 ms) in `nextJob` at src/queue.js:7:3',
  '',
  '    ╼ test "takes the next job" at test/consumer.test.js:4:3',
  '    └╼ nextJob at src/queue.js:7:3',
  '       ⟳ it runs since an `await` resumed it or a callback called it, and the event loop has not turned since: a synchronous loop, or a loop of `await`s of settled promises (each resumes at once, in the microtask queue, before any timer or I/O)',
  '',
  'jest-taskdump: cannot stop it: it runs after an `await` of the test or hook, or in a callback, so jest-circus is not on its stack. If it still blocks <s> s from now (1.5 s in all, `exitWhenBlocked`), jest-taskdump ends ',
].join('\n');

test('with workers: the worker ends, Jest fails its file and goes on with the others', () => {
  const started = Date.now();
  const run = runJest('blocked-async', ['-w=2', ...SIZE_ORDER]);
  const output = seconds(run.output);
  // It ended by itself (not by spawnSync's timeout), well before it.
  expect(run.status).toBe(1);
  expect(Date.now() - started).toBeLessThan(120_000);
  expect(output).toContain(
    `${REPORT}this Jest worker process (exit code 143): Jest then fails this test file and goes on with the others.`,
  );
  expect(output).toContain(
    'jest-taskdump: test "takes the next job" (test/consumer.test.js) has blocked the event loop for <s> s; ending this Jest worker process (exit code 143): Jest then fails this test file and goes on with the others.',
  );
  expect(output).toContain(
    'A jest worker process (pid=<pid>) crashed for an unknown reason: exitCode=143',
  );
  expect(output).toContain('FAIL test/consumer.test.js');
  expect(output).toContain('PASS test/other.test.js');
  expect(output).toContain('Test Suites: 1 failed, 1 passed, 2 total');
  // Ended once the block had lasted 1.5 s: not run again by jest-worker.
  expect(output.match(/is stuck:/g)).toHaveLength(1);
  const blockedFor = /has blocked the event loop for (\d+\.\d) s/.exec(
    run.output,
  );
  expect(Number(blockedFor?.[1])).toBeGreaterThanOrEqual(1.5);
});

test('in band: the Jest process ends, and the run with it, without a summary', () => {
  const run = runJest('blocked-async', ['-i']);
  const output = seconds(run.output);
  expect(run.status).toBe(1);
  expect(output).toContain(
    `${REPORT}this Jest process, which runs the tests in band (exit code 1): the run ends there, without Jest's summary.`,
  );
  expect(output).toContain(
    'has blocked the event loop for <s> s; ending this Jest process, which runs the tests in band (exit code 1)',
  );
  expect(output).not.toContain('Test Suites:');
});

// A loop of `await`s of settled promises (fixtures/blocked-microtasks): it
// blocks the event loop as a synchronous loop does, but it returns to the
// microtask queue at each `await`. The stack read at one moment shows the
// test's code, or it making a promise, or nothing of the test's: never
// "running synchronously, never returned".
test('a loop of awaits of settled promises: not said to run synchronously', () => {
  const run = runJest('blocked-microtasks', ['-i']);
  const output = seconds(run.output);
  expect(run.status).toBe(1);
  expect(output).toContain(
    'jest-taskdump: test "polls a flag in a loop of awaits" (test/poll.test.js) is stuck:',
  );
  expect(output).not.toContain('synchronously, never returned');
  expect(output).toMatch(
    /⟳ (making a promise or another async resource when its stack was read|running V8's or Node's code|it runs since)/,
  );
  expect(output).toMatch(
    /a loop of `await`s of settled promises (\(each resumes at once, in the microtask queue, before any timer or I\/O\)|between its runs, and it never lets the event loop turn)/,
  );
  // Not a frame of Node's hooks or of this plugin's recorder.
  expect(output).not.toMatch(
    /└╼ \S+ at node:internal\/(promise_hooks|util)|async_hooks/,
  );
});
