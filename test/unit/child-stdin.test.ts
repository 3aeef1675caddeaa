import {type ChildProcess, spawn} from 'node:child_process';
import {readingFd0, stdinWait} from '../../src/core/child-stdin';

// A child blocked reading its stdin (a pipe the program never ends) says so;
// one doing anything else, or whose stdin is ended or not a pipe, says
// nothing of it. Read from Linux's /proc.

const linux =
  process.platform === 'linux' && ['x64', 'arm64'].includes(process.arch);
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill();
});

/** Polls until `f` is true (the child starting up), a few seconds at most. */
async function until(f: () => boolean): Promise<boolean> {
  for (let i = 0; i < 200 && !f(); i++)
    await new Promise(r => setTimeout(r, 20));
  return f();
}

const asRecord = (c: ChildProcess): Record<string, unknown> =>
  c as unknown as Record<string, unknown>;

(linux ? test : test.skip)(
  'cat on an open pipe: blocked reading its stdin',
  async () => {
    const cat = spawn('cat');
    children.push(cat);
    expect(await until(() => readingFd0(cat.pid!))).toBe(true);
    expect(stdinWait(asRecord(cat))).toBe(
      '; it is blocked reading its stdin, a pipe the program has not ended',
    );
  },
);

(linux ? test : test.skip)(
  'a child sleeping, or with its stdin ignored: nothing said',
  async () => {
    const sleeping = spawn('sleep', ['30']);
    const ignored = spawn('sh', ['-c', 'read x; sleep 30'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(sleeping, ignored);
    await new Promise(r => setTimeout(r, 200));
    expect(readingFd0(sleeping.pid!)).toBe(false);
    expect(stdinWait(asRecord(sleeping))).toBe('');
    expect(stdinWait(asRecord(ignored))).toBe('');
  },
);

test('no /proc entry, or another architecture: nothing said', () => {
  expect(readingFd0(-1)).toBe(false);
  expect(readingFd0(process.pid, 'ia32')).toBe(false);
});
