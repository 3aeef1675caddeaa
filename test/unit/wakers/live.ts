import {createPositionMapper} from '../../../src/core/callsites';
import {
  type WakerOptions,
  type WakerReport,
  type WakerSubject,
  findWakers,
} from '../../../src/core/wakers';
import type {Leaf} from '../../../src/core/types';

// What the waker tests on a live heap of this process share: a stuck
// promise's leaf, and one search over the subjects.

/** The leaf of a stuck promise named `name`. */
export const promiseLeaf = (name: string): Leaf => ({
  kind: 'promise',
  what: 'promise, never settled',
  createdAt: null,
  path: [{name, file: 'x.js', line: 1, column: 1, async: true}],
  ageMs: 0,
  detached: false,
});

/**
 * One waker search of this process's heap for `subjects`, and whether any of
 * `handles` feeds one.
 */
export function searchThisProcess(
  subjects: WakerSubject[],
  handles: WakerOptions['handles'] = [],
): WakerReport {
  return findWakers(subjects, {
    handles,
    exclude: [],
    rootDir: process.cwd(),
    mapPosition: createPositionMapper(undefined),
    isMachinery: () => false,
    now: performance.now(),
  });
}

/**
 * What one search of this process's heap names settling `promise`, searched a
 * moment after it was made (an events.once() promise searched in the turn
 * that made it was given no waker here); `kept` keeps it alive until the
 * test file ends. `constructed`: a `new Promise` (one the search finds no
 * resolve function of is then orphaned).
 */
export async function searchedWaker(
  promise: Promise<unknown>,
  kept: unknown[],
  constructed = false,
): Promise<string> {
  promise.catch(() => {});
  kept.push(promise);
  await new Promise(r => setTimeout(r, 20));
  const leaf = promiseLeaf('waits');
  searchThisProcess([{leaf, promise, constructed}]);
  return leaf.waker?.what ?? '';
}
