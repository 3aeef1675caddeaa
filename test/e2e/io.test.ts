import {dumps, runJest} from './run';

// Leaves beyond promises and timers: sockets, servers, child processes; and fake timers.
const unstable = (s: string): string => s.replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:<port>').replace(/pid \d+/g, 'pid <pid>');

describe.each([
  ['one worker', ['-i']],
  ['two workers', ['-w=2']],
])('io fixture, %s', (_label, args) => {
  const run = runJest('io', args);
  const all = dumps(run.output).map(unstable);
  const find = (title: string): string => {
    const d = all.find(x => x.includes(`╼ test "${title}"`));
    if (d === undefined) throw new Error(`no dump for ${title} in:\n${run.output}`);
    return d;
  };

  test('both tests hang and the run ends by itself', () => {
    expect(run.status).toBe(1);
    expect(run.output).toContain('Tests:       3 failed, 3 total');
  });

  test('a leaf made in a connection handler is traced back through the server', () => {
    const d = find('a connection handler that waits forever');
    expect(d).toMatch(/└╼ startSessionService at src\/http\.ts:38:\d+\n.*└╼ <anonymous> at src\/http\.ts:38:\d+\n.*└╼ server event at src\/http\.ts:38:\d+\n.*└╼ <anonymous> at src\/http\.ts:35:\d+\n.*└╼ lookupSession at src\/http\.ts:25:9\n.*⏸ promise, never settled/);
    expect(d).not.toContain('async chain broken');
    expect(d).toMatchSnapshot();
  });

  test('a request the server never answers: the listening server and the open socket', () => {
    const d = find('a request the server never answers');
    expect(d).toContain('⇄ server listening on 127.0.0.1:<port>, 1 connection open');
    expect(d).toContain('⇄ socket to 127.0.0.1:<port>, open, 0 bytes read');
    // The socket's own idle timer is Node's business, not a branch.
    expect(d).not.toContain('setTimeout');
    expect(d).toMatchSnapshot();
  });

  test('a child process that never exits: the process and the exit event', () => {
    const d = find('a child process that never exits');
    expect(d).toContain('⚙ child process node (pid <pid>), still running');
    // Its arguments are never shown.
    expect(d).not.toContain('60000');
    expect(d).toMatchSnapshot();
  });
});

// Jest's fake timers: the promise waits on a fake timer that nothing advances.
describe.each([
  ['one worker', ['-i']],
  ['two workers', ['-w=2']],
])('fake-timers fixture, %s', (_label, args) => {
  const run = runJest('fake-timers', args);
  const all = dumps(run.output);

  test.each([
    ['modern', 'a backoff under fake timers nobody advances', 5000],
    ['legacy', 'the same under legacy fake timers', 250],
  ])('%s fake timers: the dump says so and what to call', (kind, title, due) => {
    const d = all.find(x => x.includes(`╼ test "${title}"`));
    expect(d).toBeDefined();
    expect(d).toContain('└╼ sleep at src/retry.ts:2:10\n      ⏸ promise, never settled');
    // The explanation is a paragraph, wrapped to the width: compare it with spaces folded.
    expect(d!.replace(/\s+/g, ' ')).toContain(
      `Fake timers (${kind}) are installed and 1 fake timer is pending, the next one due in ${due} ms of fake time; nothing advanced the fake clock. ` +
        `A promise waiting on one settles only after jest.advanceTimersByTime(${due}), await jest.runAllTimersAsync(), or with real timers (jest.useRealTimers()).`,
    );
  });
});
