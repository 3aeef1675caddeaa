import {once} from 'node:events';
import {PassThrough, Readable, Transform, Writable} from 'node:stream';
import {pipeline} from 'node:stream/promises';
import type {WakerSubject} from '../../src/core/wakers';
import type {Leaf} from '../../src/core/types';
import {promiseLeaf, searchThisProcess} from './wakers/live';

// What a wait on a pipe says (wakers/streams.ts, event-words.ts), on live
// pipelines of this process. A stage whose write() or transform() was handed
// a chunk and never called back holds the whole pipe up (its source is never
// read to its end): that stage is named, not the source's missing end. Three
// pipes a snapshot: a search reads the state of 32 objects at most, and each
// pipeline's wait reads several.

const leafOf = (name: string): Leaf => ({
  ...promiseLeaf(name),
  what: 'stream/promises.pipeline() promise, never settled',
});

const kept: unknown[] = [];

/**
 * The leaves of waits on streams, once their wakers are found: each case
 * gives its streams and the wait (by default, a pipeline() of them).
 */
async function wakersOf(
  cases: Record<string, [Array<Readable | Writable>, Promise<unknown>?]>,
): Promise<Record<string, Leaf>> {
  const leaves: Record<string, Leaf> = {};
  const subjects: WakerSubject[] = [];
  for (const [name, [streams, wait]] of Object.entries(cases)) {
    const promise = wait ?? pipeline(streams);
    promise.catch(() => {});
    kept.push(promise, ...streams);
    leaves[name] = leafOf(name);
    subjects.push({leaf: leaves[name], promise, constructed: true});
  }
  await new Promise(r => setTimeout(r, 50));
  searchThisProcess(subjects);
  return leaves;
}

/** A Writable whose write() keeps each chunk and never calls back. */
const stuckSink = (): Writable =>
  new Writable({
    highWaterMark: 1,
    write(this: Writable & {last?: unknown}, chunk: unknown) {
      this.last = chunk;
    },
  });

/** A Writable that takes every chunk. */
const sink = (): Writable =>
  new Writable({
    write(_chunk: unknown, _encoding, callback: () => void) {
      callback();
    },
  });

/** A Transform that passes each chunk on; its readable side holds one. */
const passing = (): Transform =>
  new Transform({
    highWaterMark: 1,
    transform(chunk: unknown, _encoding, callback) {
      callback(null, chunk);
    },
  });

afterAll(() => {
  kept.length = 0;
});

describe('a pipe one of whose stages holds a chunk it never called back for', () => {
  let leaves: Record<string, Leaf>;

  beforeAll(async () => {
    leaves = await wakersOf({
      // The destination's write() never calls back: the source is paused
      // before its end.
      writable: [[Readable.from(['a', 'b', 'c']), stuckSink()]],
      // The Transform in the middle never calls back, and fills up
      // (highWaterMark 1) before the source has sent everything.
      transform: [
        [
          Readable.from(['a', 'b', 'c', 'd', 'e']),
          new Transform({
            highWaterMark: 1,
            transform(this: Transform & {last?: unknown}, chunk: unknown) {
              this.last = chunk;
            },
          }),
          sink(),
        ],
      ],
      // The Transform calls back, but Node holds its callback until its
      // readable side is read (`writing` stays true): the last stage's
      // write() never calls back.
      held: [
        [Readable.from(['a', 'b', 'c', 'd', 'e', 'f']), passing(), stuckSink()],
      ],
    });
  }, 120_000);

  test("the Writable whose write() has not called back, not the source's end (push(null) was called)", () => {
    expect(leaves.writable.waker?.what).toMatch(
      /^waits for the pipe Readable → Writable to finish: the Writable \(made with write\(\) at test\/unit\/wakers-pipes\.test\.ts:\d+:\d+\): its write\(\) was handed a chunk and has not called its callback, so nothing more flows$/,
    );
  });

  test('a Transform in the middle of three stages whose transform() has not called back', () => {
    expect(leaves.transform.waker?.what).toMatch(
      /^waits for the pipe Readable → Transform → Writable to finish: the Transform \(made with transform\(\) at test\/unit\/wakers-pipes\.test\.ts:\d+:\d+\): its transform\(\) was handed a chunk and has not called its callback, so nothing more flows$/,
    );
  });

  test('a Transform whose callback Node holds for its readable side is not stuck: the last stage is', () => {
    expect(leaves.held.waker?.what).toMatch(
      /^waits for the pipe Readable → Transform → Writable to finish: the Writable \(made with write\(\) at [^)]*\): its write\(\) was handed a chunk and has not called its callback, so nothing more flows$/,
    );
    expect(leaves.held.waker?.what).not.toContain('transform()');
  });
});

describe('a stream before the stuck stage, and streams with no stage stuck', () => {
  let leaves: Record<string, Leaf>;

  beforeAll(async () => {
    // No pipe: a Transform whose callback Node holds, since nothing reads
    // it, ended.
    const unread = passing();
    unread.write('a');
    unread.write('b');
    unread.end();
    leaves = await wakersOf({
      // The source and the PassThrough have ended; the PassThrough is not
      // read to its end, since the last stage's write() never calls back.
      last: [[Readable.from(['a', 'b', 'c']), new PassThrough(), stuckSink()]],
      unread: [[unread], once(unread, 'end')],
      // A pipe whose source nobody ends.
      open: [[new PassThrough(), sink()]],
    });
  }, 120_000);

  test('a wait on a stage before the stuck one: the pipe from it, and the stuck stage', () => {
    expect(leaves.last.waker?.what).toMatch(
      /^waits for the pipe (Readable → )?PassThrough → Writable to finish: the Writable \(made with write\(\) at [^)]*\): its write\(\) was handed a chunk and has not called its callback, so nothing more flows$/,
    );
  });

  test('a Transform whose callback Node holds, alone, is not said to hold a chunk its transform() has not called back for', () => {
    expect(leaves.unread.waker?.what).toMatch(
      /waits for a Duplex stream \(made with transform\(\) at [^)]*\) to end: end never pushed$/,
    );
    expect(leaves.unread.waker?.what).not.toMatch(/called back|push\(null\)/);
  });

  test("with no stage stuck, the source's missing end, as before", () => {
    expect(leaves.open.waker?.what).toBe(
      'waits for the pipe PassThrough → Writable to finish: the PassThrough (a Duplex stream): end never pushed, and end() was never called on it (a Transform pushes its end when its writable side finishes)',
    );
  });
});
