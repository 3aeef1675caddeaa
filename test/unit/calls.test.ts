import {
  closeRoot,
  createRoot,
  enterRoot,
  leaveRoot,
  startRecording,
} from '../../src/core/record';
import {takeDump} from '../../src/core/dump';
import type {LeafSource} from '../../src/core/dump/sources';
import type {Leaf} from '../../src/core/types';
import {unitContext} from './context';

// The guess of src/core/graph/calls.ts (which call of a function a frame is
// in, for a call's first run), where docs/limits.md says it fails: calls of
// one function made from one line of one loop, each still in its first run
// (a recursive walk), are told apart by too few frames.

type Dir = {children: Dir[]};
const chain = (n: number): Dir => ({children: n === 0 ? [] : [chain(n - 1)]});

/** Walks a directory tree; the deepest directory waits forever. */
async function scan(dir: Dir): Promise<void> {
  if (dir.children.length === 0) await new Promise<void>(() => {});
  for (const child of dir.children) await scan(child);
}

/** The frames of the one branch of `scan(chain(depth))`, by name. */
function framesOf(depth: number): string[] {
  const stop = startRecording({captureBurst: 100_000, capturesPerSecond: 0});
  const root = createRoot();
  try {
    enterRoot(root);
    void Promise.all([scan(chain(depth))]);
    leaveRoot(root);
    const {leaves} = takeDump(root, unitContext(__filename));
    expect(leaves).toHaveLength(1);
    return leaves[0].path.map(f => f.name).filter(n => n === 'scan');
  } finally {
    closeRoot(root);
    stop();
  }
}

describe('which call a frame is in, guessed for first runs', () => {
  test('three nested calls from one line of a loop: each its own frame', () => {
    expect(framesOf(2)).toHaveLength(3);
  });

  test('four or more nested calls from one line of a loop, all in their first run: calls read as others, and the branch repeats frames', () => {
    expect(framesOf(3)).toHaveLength(8);
    // 14 before the walk drew the makers of a promise awaited at a later line
    // of the same run (the innermost call's `new Promise` is one more).
    expect(framesOf(6)).toHaveLength(15);
  });

  test.failing(
    'nested calls from one line of a loop: one frame per call',
    () => {
      expect(framesOf(3)).toHaveLength(4);
    },
  );
});

// A call made by a call that was resumed from an `await` (p-queue's `run()`,
// which after its task calls `_next()`, which starts the next task's
// `run()`): the frame on top is the new call's, not the resumed one's.
async function runTask(task: () => Promise<void>, next: () => void) {
  await task();
  next();
}

describe('a call started by a resumed call of the same function', () => {
  test("its first run's wait is its own: its chain ends where its result is dropped", async () => {
    const stop = startRecording({captureBurst: 100_000, capturesPerSecond: 0});
    const root = createRoot();
    try {
      let second: Promise<void> | undefined;
      let never: Promise<void> | undefined;
      const body = async (): Promise<void> => {
        void runTask(
          () => Promise.resolve(),
          () =>
            void (second = runTask(
              () => (never = new Promise<void>(() => {})),
              () => {},
            )),
        );
        await new Promise<void>(() => {});
      };
      enterRoot(root);
      void Promise.all([body()]);
      for (let i = 0; i < 5; i++) await Promise.resolve();
      leaveRoot(root);
      const sources = new Map<Leaf, LeafSource>();
      const {leaves} = takeDump(root, unitContext(__filename), sources);
      const leaf = leaves.find(l => {
        const source = sources.get(l);
        return source !== undefined && 'promise' in source
          ? source.promise === never
          : false;
      });
      // Its chain: it, and the promise of the call that awaits it (the
      // second), whose result the first call drops.
      expect(sources.get(leaf!)).toMatchObject({feeds: [never, second]});
    } finally {
      closeRoot(root);
      stop();
    }
  });
});
