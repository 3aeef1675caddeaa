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
  found: ReadonlyArray<{promise: Leaf; frame: Frame; yields: string | null}>,
): void {
  for (const {promise, frame, yields} of found) {
    const at = dump.leaves.indexOf(promise);
    if (at === -1 || promise.waiting === true) continue;
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
