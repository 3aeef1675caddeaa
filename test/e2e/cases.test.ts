import {dumps, sharedRun} from './run';

// The leaves of the core issue: Node's own promises, timers, callback chains,
// hooks, done. Read from the shared runs (test/e2e/shared-runs.ts).
describe.each([
  ['one worker', ['-i']],
  ['two workers', ['-w=2']],
])('cases fixture, %s', (_label, args) => {
  const run = sharedRun('cases', args);
  const all = dumps(run.output);
  const find = (title: string): string => {
    const d = all.find(x => x.includes(title));
    if (d === undefined)
      throw new Error(`no dump for ${title} in:\n${run.output}`);
    return d;
  };

  test('each hung test and hook gets its own dump', () => {
    expect(run.tests).toBe('15 failed, 1 passed, 16 total');
    expect(
      all.every(d => !/jest-circus|node_modules|node:internal/.test(d)),
    ).toBe(true);
  });

  test.each([
    'events.once never emitted',
    'timers/promises setTimeout',
    'leaf created in a timer callback',
    'done never called',
    'deferred from another module',
    // Node's and Jest's frames between two of the user's: counted on the
    // callee's line.
    'work started in an event listener',
    'a mocked client that never answers',
    // Must not claim too much: a timer that fires before long is not why the
    // test timed out.
    'slow but not stuck',
  ])('%s', title => {
    expect(find(`test "${title}"`)).toMatchSnapshot();
  });

  test('a promise does not wait on work started by a call on its line', () => {
    const d = find('test "a call and an await on one line"');
    expect(d).toContain('Task dump: 2 branches stuck');
    expect(d).not.toContain('it waits on');
    expect(d).toContain('└╼ loadConfig at src/bus.js:8:9');
  });

  test('a loop that keeps setting short timers is a live-lock, shown at the loop', () => {
    const d = find('test "polls for a health check that never passes"');
    expect(d).toMatch(
      /^Task dump: 1 branch stuck after <elapsed> ms \(1 loop\)/,
    );
    // 300 ms of 40 ms pauses: about 8 rounds, fewer on a loaded machine.
    const m =
      /⏲ loop in waitUntilHealthy at src\/poll\.js:18 ran (\d+) times in this\s+test; now sleeping 40 ms \(setTimeout, fires in <time left>\)/.exec(
        d,
      );
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThanOrEqual(4);
    expect(d.replace(/ran \d+ times/, 'ran <n> times')).toMatchSnapshot();
  });

  test('an interval that keeps firing says how often it ran', () => {
    const d = find('test "polls a flag by interval"');
    expect(d).toMatch(
      /⏲ setInterval every 50 ms, ran \d+ times, still active, next in <time left>/,
    );
  });

  test('a loop that ran twice is not a live-lock; nor is work an earlier test left running', () => {
    const d = find('test "retries twice, then waits for good"');
    expect(d).not.toContain('loop');
    expect(d).toContain(
      '└╼ retryTwiceThenWait at src/poll.js:25:9\n   ⏸ promise, never settled',
    );
    // The poll above goes on for 2 s after its test timed out: no other dump
    // shows it.
    expect(all.filter(x => x.includes('poll.js:18'))).toHaveLength(1);
  });

  test('hooks', () => {
    expect(find('beforeAll hook in "db"')).toMatchSnapshot();
    expect(find('afterEach hook for "cleanup › runs"')).toMatchSnapshot();
  });

  test('the end-of-run summary lists each once', () => {
    // Sorted: with two workers, files finish in any order. The beforeAll hook
    // failed two tests: listed once. 14 tests or hooks hung; two of them at one
    // cause (src/deferred.js:3:20, kept in Deferred.resolve) are one entry.
    expect(run.summary).toHaveLength(13);
    expect(run.summary[0]).toMatch(
      /^ {2}2 tests or hooks hung at src\/deferred\.js:3:20 \(promise, never settled: kept in Deferred\.resolve\):\n {4}test\/hooks\.test\.js, 300 ms timeout: beforeAll hook in "db"\n {4}test\/leaves\.test\.js, 300 ms timeout: "leaf created in a timer callback"$/,
    );
    expect(
      run.summary.map(b => b.replace(/ran \d+ times/g, 'ran <n> times')).sort(),
    ).toMatchSnapshot();
  });
});
