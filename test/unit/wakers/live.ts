import {createPositionMapper} from '../../../src/core/callsites';
import {
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

/** One waker search of this process's heap for `subjects`. */
export function searchThisProcess(subjects: WakerSubject[]): WakerReport {
  return findWakers(subjects, {
    exclude: [],
    rootDir: process.cwd(),
    mapPosition: createPositionMapper(undefined),
    isMachinery: () => false,
    now: performance.now(),
  });
}
