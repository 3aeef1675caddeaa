import type {WakerSubject} from '../../src/core/wakers';
import type {Leaf} from '../../src/core/types';
import {promiseLeaf as leafOf, searchThisProcess} from './wakers/live';

// A resolve function a `setImmediate` callback keeps (a poll that sets
// another each time it runs): named as what it is, not as a setTimeout.

describe('a setImmediate callback keeping a resolve function', () => {
  const leaves: Record<string, Leaf> = {};
  let immediate: NodeJS.Immediate | undefined;

  beforeAll(() => {
    leaves.poll = leafOf('poll');
    const state = {done: false};
    const poll = new Promise<void>(resolve => {
      const check = (): void => {
        if (state.done) resolve();
        else immediate = setImmediate(check);
      };
      immediate = setImmediate(check);
    });
    const subjects: WakerSubject[] = [
      {leaf: leaves.poll, promise: poll, constructed: true},
    ];
    searchThisProcess(subjects);
  }, 120_000);

  afterAll(() => {
    if (immediate !== undefined) clearImmediate(immediate);
  });

  test('is a setImmediate callback, not a setTimeout', () => {
    expect(leaves.poll.waker).toEqual({
      kind: 'timer',
      what: 'kept by a setImmediate callback, which runs at the next turn of the event loop',
      short: 'kept by a setImmediate callback',
    });
  });
});
