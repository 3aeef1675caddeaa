/**
 * A generator a runner drives (redux-saga, a co-style runner), drawn as what
 * its task's promise waits on: where it is suspended is a node of the branch
 * (its function, at its `yield`), and the leaf says what that `yield` calls.
 * The waker search finds it in the scope of what keeps the promise's resolve
 * function (wakers/generators.ts). A promise that waits on a branch drawn
 * below it already (dump/fed.ts) is left as it is.
 */
import type {Frame, Leaf, TaskDump} from '../types';
import {generatorWhat} from '../words';

/** Draws each suspended generator under the promise of its task. */
export function addGenerators(
  dump: TaskDump,
  found: ReadonlyArray<{
    promise: Leaf;
    frame: Frame;
    yields: string | null;
    awaits: boolean;
  }>,
): void {
  for (const {promise, frame, yields, awaits} of found) {
    const at = dump.leaves.indexOf(promise);
    if (at === -1 || promise.waiting === true) continue;
    // An async generator suspended at an `await` (a stream's source that
    // stalls): what it awaits is drawn below the promise already, through
    // the generator's function, as what the promise waits on.
    if (awaits) {
      if (dump.leaves.some(l => through(l, promise, frame)))
        promise.waiting = true;
      continue;
    }
    const leaf: Leaf = {
      kind: 'generator',
      what: generatorWhat(yields),
      path: [...promise.path, frame],
      createdAt: frame,
      ageMs: promise.ageMs,
      detached: promise.detached,
    };
    promise.waiting = true;
    dump.leaves.splice(at + 1, 0, leaf);
  }
}

/**
 * Whether `l` is drawn below `promise`, through a frame of the generator's
 * function (its file and name) right under it.
 */
function through(l: Leaf, promise: Leaf, frame: Frame): boolean {
  const next = l.path[promise.path.length];
  return (
    l !== promise &&
    l.detached === promise.detached &&
    next !== undefined &&
    next.file === frame.file &&
    next.name === frame.name &&
    promise.path.every((f, k) => l.path[k] === f)
  );
}
