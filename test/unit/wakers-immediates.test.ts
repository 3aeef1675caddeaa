import {createPositionMapper} from '../../src/core/callsites';
import {type WakerSubject, findWakers} from '../../src/core/wakers';
import type {Leaf} from '../../src/core/types';

// A resolve function a `setImmediate` callback keeps (a poll that sets
// another each time it runs): named as what it is, not as a setTimeout.

const leafOf = (name: string): Leaf => ({
  kind: 'promise',
  what: 'promise, never settled',
  createdAt: null,
  path: [{name, file: 'x.js', line: 1, column: 1, async: true}],
  ageMs: 0,
  detached: false,
});

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
    findWakers(subjects, {
      exclude: [],
      rootDir: process.cwd(),
      mapPosition: createPositionMapper(undefined),
      isMachinery: () => false,
      now: performance.now(),
    });
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
