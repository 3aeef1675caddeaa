import {execFileSync} from 'node:child_process';
import {EventEmitter, once} from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {runBody} from './runner-stub';

// Promises native code makes and settles (dump/native-made.ts): no function
// of JavaScript keeps what settles them, so they were no leaf at all ("no
// promise, timer or handle … is pending"), and a search for their resolve
// function would have called them orphaned.

/** `Atomics.waitAsync` (ES2024: not in this project's `lib`). */
const {waitAsync} = Atomics as unknown as {
  waitAsync(
    a: Int32Array,
    index: number,
    value: number,
  ): {async: boolean; value: Promise<string>};
};

describe('promises native code makes', () => {
  test("a read of a FIFO nobody writes: a leaf under the await, settled by Node's file-system binding", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'taskdump-fifo-'));
    const fifo = path.join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    let read: Promise<string> | undefined;
    try {
      const {dump, tree} = await runBody(async () => {
        read = fs.promises.readFile(fifo, 'utf8');
        await read;
      }, 100);
      expect(tree).toEqual([
        '╼ test "body"',
        '⏸ fs/promises.readFile() promise, never settled',
        "  ↳ made by Node's file-system binding in open (node:internal/fs/promises): it settles when that request returns from libuv's thread pool, and it has not",
      ]);
      expect(dump.leaves[0].waker?.kind).toBe('native');
    } finally {
      // A writer that opens and closes ends the reader's open() and its read.
      fs.closeSync(fs.openSync(fifo, 'w'));
      await read;
      fs.rmSync(dir, {recursive: true, force: true});
    }
  });

  test('Atomics.waitAsync() nobody notifies: named, and what would wake it', async () => {
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const {tree} = await runBody(async () => {
      await waitAsync(flag, 0, 0).value;
    });
    Atomics.notify(flag, 0);
    expect(tree).toEqual([
      '╼ test "body"',
      '⏸ Atomics.waitAsync() promise, never settled',
      '  ↳ settles when Atomics.notify() wakes this wait on its shared memory, or when the timeout given to Atomics.waitAsync() passes, if one was given',
    ]);
  });

  test("Node's own async functions are no leaves: events.once() is one branch", async () => {
    const {dump} = await runBody(async () => {
      await once(new EventEmitter(), 'never');
    });
    expect(dump.leaves.map(l => l.what)).toEqual([
      'events.once() promise, never settled',
    ]);
  });
});
