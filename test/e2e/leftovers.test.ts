import {SIZE_ORDER, runJest} from './run';

// What passing tests left open (fixtures/leftovers): a server from a beforeAll
// hook, an interval, a child process, a client socket, a file watcher and a
// server a thenable's `then` started (through the `await`), each under the
// test or hook that opened it, where it was opened; a test that
// cleans up is quiet, and so is a clean file, and one whose client socket and
// timer close on their own a moment after its last hook.
const stable = (text: string): string =>
  text
    .replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:<port>')
    .replace(/\(pid \d+\)/g, '(pid <pid>)');

/** The section the reporter prints under a file's results. */
function fileSection(output: string): string {
  const start = output.indexOf('jest-taskdump: test/leftovers.test.js left');
  if (start === -1) throw new Error(`no leftovers section in:\n${output}`);
  const end = output.indexOf('\n\n\n', start);
  const endOfFile = output.indexOf('\nPASS ', start);
  const stops = [end, endOfFile].filter(i => i !== -1);
  return output.slice(start, Math.min(...stops, output.length)).trimEnd();
}

/** The end-of-run list. */
function endList(output: string): string {
  const start = output.indexOf('jest-taskdump: 6 left open by 1 test file');
  if (start === -1) throw new Error(`no end-of-run list in:\n${output}`);
  return output.slice(start, output.indexOf('\n\n', start));
}

// Without a record of earlier runs (SIZE_ORDER): the -i run's short timings
// in the shared cache would make Jest run the -w=2 one in band.
const runs = {
  '-i': stable(runJest('leftovers', ['-i', ...SIZE_ORDER]).output),
  '-w=2': stable(runJest('leftovers', ['-w=2', ...SIZE_ORDER]).output),
};

describe.each(Object.entries(runs))("leaks: 'warn', %s", (args, output) => {
  test('outcomes are unchanged: every test passes', () => {
    expect(output).toContain('Tests:       9 passed, 9 total');
    expect(output).toContain('Test Suites: 3 passed, 3 total');
  });

  test('each leftover is named under its test or hook, where it was opened', () => {
    expect(fileSection(output)).toMatchSnapshot();
  });

  test('the test that cleans up and the clean file are quiet', () => {
    expect(output).not.toContain('cleans up after itself');
    expect(output).not.toMatch(/clean\.test\.js left/);
    expect(output).not.toMatch(/closing-late\.test\.js left/);
    expect(output.match(/left \d+ open/g)).toHaveLength(1);
  });

  test("the end-of-run list comes before Jest's own word on the process that did not exit", () => {
    const list = endList(output);
    expect(list).toMatchSnapshot();
    const at = output.indexOf(list);
    expect(output.indexOf('Test Suites:')).toBeGreaterThan(at);
    if (args === '-w=2')
      expect(
        output.indexOf('A worker process has failed to exit gracefully'),
      ).toBeGreaterThan(at);
    else
      expect(
        output.indexOf('Jest did not exit one second after'),
      ).toBeGreaterThan(at);
  });
});

test('one worker and two print the same', () => {
  expect(fileSection(runs['-w=2'])).toBe(fileSection(runs['-i']));
  expect(endList(runs['-w=2'])).toBe(endList(runs['-i']));
});

describe("leaks: 'fail', -w=2", () => {
  const run = runJest('leftovers', [
    '-w=2',
    ...SIZE_ORDER,
    '-c',
    'jest.fail.config.js',
  ]);
  const output = stable(run.output);

  test('the tests that left something open fail, and the file for its beforeAll hook; the others pass', () => {
    expect(run.status).toBe(1);
    expect(output).toContain('Tests:       5 failed, 4 passed, 9 total');
    expect(output).toContain('Test Suites: 1 failed, 2 passed, 3 total');
    const failures = output.slice(0, output.indexOf('left open by'));
    const failed = [...failures.matchAll(/^ {2}● (.+)$/gm)].map(m => m[1]);
    expect(failed).toEqual([
      'polls for jobs',
      'starts a helper process',
      'connects a client',
      'watches a directory',
      'awaits a server that starts when awaited',
      'Test suite failed to run',
    ]);
  });

  test("each failure shows what its test left open, and Jest's code frame where it was opened", () => {
    const failure = output.slice(
      output.indexOf('● polls for jobs'),
      output.indexOf('● starts a helper process'),
    );
    expect(failure).toContain(
      [
        "jest-taskdump: it left 1 timer open, and `leaks` is 'fail':",
        '',
        '    ╼ test "polls for jobs" in test/leftovers.test.js',
        '    └╼ <anonymous> at test/leftovers.test.js:18:10',
        '       └╼ startPolling at src/jobs.js:4:17',
        '          ⏲ setInterval every 1000 ms, still active; keeps the process alive',
      ].join('\n'),
    );
    expect(failure).toContain('> 4 |   const timer = setInterval(');
    const hook = output.slice(output.indexOf('● Test suite failed to run'));
    expect(hook).toContain('╼ beforeAll hook in test/leftovers.test.js');
    expect(hook).toContain('> 11 |     server.listen(');
  });
});
