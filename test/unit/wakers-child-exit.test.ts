import {type ChildProcess, spawn} from 'node:child_process';
import {once} from 'node:events';
import {searchedWaker} from './wakers/live';

// A wait on a child process that has exited: how it exited, and whether the
// event came (its 'exit' did, before the listener; a 'message' it never sent
// may never have).

const kept: unknown[] = [];

afterAll(() => {
  kept.length = 0;
});

async function exited(code: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', `process.exit(${code})`], {
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
  });
  await once(child, 'exit');
  kept.push(child);
  return child;
}

const wakerOf = (promise: Promise<unknown>): Promise<string> =>
  searchedWaker(promise, kept);

test("a 'message' from a child that exited with code 1: how it exited, and that the message will not come", async () => {
  const child = await exited(1);
  const what = await wakerOf(once(child, 'message'));
  expect(what).toMatch(
    /^waits for 'message' of a child process \(pid \d+\): it has exited already \(with code 1\), so the event will not come$/,
  );
});

test("its 'exit', awaited after it exited: it will not come again", async () => {
  const child = await exited(0);
  const what = await wakerOf(once(child, 'exit'));
  expect(what).toMatch(
    /^waits for 'exit' of a child process \(pid \d+\): it has exited already \(with code 0\), so the event will not come again$/,
  );
});
