import {dumps, runJest} from './run';

// Sockets, servers and child processes opened under a test are leaves too.
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
    expect(run.output).toContain('Tests:       2 failed, 2 total');
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
