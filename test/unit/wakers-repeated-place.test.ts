import type {WakerSubject} from '../../src/core/wakers';
import type {Leaf} from '../../src/core/types';
import {promiseLeaf as leafOf, searchThisProcess} from './wakers/live';

// A chain of objects of one class, each kept at the same index of the next
// (highland's Stream._consumers[0], knex's pool): the place found further up
// is the same words as the first one, and says nothing more.

class Stream {
  readonly _consumers: Array<Stream | {resolve: () => void}> = [];
}

const head = new Stream();

describe('a place found again further up', () => {
  const leaves: Record<string, Leaf> = {};

  beforeAll(() => {
    leaves.pull = leafOf('pull');
    let s = head;
    for (let i = 0; i < 12; i++) {
      const next = new Stream();
      s._consumers.push(next);
      s = next;
    }
    const last = s;
    const pull = new Promise<void>(resolve => {
      last._consumers.push({resolve});
    });
    const subjects: WakerSubject[] = [
      {leaf: leaves.pull, promise: pull, constructed: true},
    ];
    searchThisProcess(subjects);
  }, 120_000);

  test('is not said twice', () => {
    const what = leaves.pull.waker?.what ?? '';
    expect(what).toContain('itself kept in Stream._consumers[0]');
    // What keeps the chain is still said.
    expect(what).toMatch(/further up, in `head` of /);
    expect(what).not.toMatch(
      /itself kept in Stream\._consumers\[0\] \([^)]*\) and, further up, in Stream\._consumers\[0\]/,
    );
  });
});
