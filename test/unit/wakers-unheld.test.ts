import {createPositionMapper} from '../../src/core/callsites';
import {type WakerSubject, findWakers} from '../../src/core/wakers';
import {promiseLeaf} from './wakers/live';

// A resolve function handed on and dropped (async.parallel's callback, given
// to a task that never calls it and keeps it nowhere) is garbage, but for
// what jest-taskdump itself keeps: a recorded stack's frames keep their
// functions, and so the functions' scopes. It read "its resolve function is
// still kept, and nothing has called it". What only our objects keep, no
// code of the program can reach: nothing can settle it (orphaned). One the
// program still keeps is said where it is kept, as before.

const kept: unknown[] = [];
afterAll(() => {
  kept.length = 0;
});

/** One search, with `ours` kept by the search's own (excluded) objects. */
function search(promise: Promise<unknown>, ours: object[]) {
  const leaf = promiseLeaf('waits');
  const subjects: WakerSubject[] = [{leaf, promise, constructed: true}];
  findWakers(subjects, {
    exclude: ours,
    rootDir: process.cwd(),
    mapPosition: createPositionMapper(undefined),
    isMachinery: () => false,
    now: performance.now(),
  });
  return leaf.waker;
}

test('a resolve function only our objects keep: orphaned', () => {
  // The recorder's stand-in: it keeps a function whose scope keeps resolve.
  const recorder: {frames: Array<() => void>} = {frames: []};
  const promise = new Promise(resolve => {
    const callback = (): void => resolve(1);
    recorder.frames.push(callback);
  });
  kept.push(promise);
  const waker = search(promise, [recorder, recorder.frames]);
  expect(waker?.kind).toBe('none');
  expect(waker?.what).toMatch(/orphaned/);
});

test('the same function also kept by the program: where, not orphaned', () => {
  const recorder: {frames: Array<() => void>} = {frames: []};
  const registry: {pending: Array<() => void>} = {pending: []};
  kept.push(registry);
  const promise = new Promise(resolve => {
    const callback = (): void => resolve(1);
    recorder.frames.push(callback);
    registry.pending.push(callback);
  });
  kept.push(promise);
  const waker = search(promise, [recorder, recorder.frames]);
  expect(waker?.kind).not.toBe('none');
  expect(waker?.what).not.toMatch(/orphaned/);
});
