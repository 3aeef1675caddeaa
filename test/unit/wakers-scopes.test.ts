import type {WakerSubject} from '../../src/core/wakers';
import type {Leaf} from '../../src/core/types';
import {eventQueue, mapEmitter} from './wakers/shapes';
import {searchThisProcess} from './wakers/live';

// The last resort of the holder search (src/core/wakers/scopes.ts), on a live
// heap of its own: the queue is kept only by the code waiting on it, as a
// hung test keeps its `async.queue`, so that nothing else names a holder.

const leafOf = (name: string): Leaf => ({
  kind: 'promise',
  what: 'promise, never settled',
  createdAt: null,
  path: [
    {
      name,
      file: 'test/unit/wakers-scopes.test.ts',
      line: 1,
      column: 1,
      async: true,
    },
  ],
  ageMs: 0,
  detached: false,
});

/**
 * A watcher of promises made on a fresh `T` each (`make(q)`), awaited by code
 * of its own, as a hung test awaits them: `watch(name, q => ...)` gives the
 * promise's leaf, and `subjects` the search's subjects.
 */
function watcherOf<T>(fresh: () => T): {
  subjects: WakerSubject[];
  watch: (name: string, make: (q: T) => Promise<void>) => Leaf;
} {
  const subjects: WakerSubject[] = [];
  const watch = (name: string, make: (q: T) => Promise<void>): Leaf => {
    const leaf = leafOf(name);
    void (async () => {
      // Kept by this suspended call only, as a hung test keeps its queue.
      const q = fresh();
      const promise = make(q);
      subjects.push({leaf, promise, constructed: true});
      await promise;
    })();
    return leaf;
  };
  return {subjects, watch};
}

test("kept through an object in a variable of a function's scope, when nothing else keeps it: that variable is said; through closures only, nothing is", async () => {
  const {subjects, watch} = watcherOf(eventQueue);
  const drained = watch('drained', q => q.drain());
  const idle = watch('idle', q => q.idle());
  await new Promise(resolve => setImmediate(resolve));
  searchThisProcess(subjects);
  expect(drained.waker?.what).toMatch(
    /^its resolve function is kept through `events\.drain\[0\]`, where `events` is a variable of a call of eventQueue \(test\/unit\/wakers\/shapes\.ts\), and nothing has called it/,
  );
  expect(idle.waker?.what).toMatch(
    /^its resolve function is still kept, and nothing has called it/,
  );
});

// mitt keeps its handlers in arrays in a Map, by event name: the path went
// on from the variable to the array's element as if the Map were the array
// (`all[0]`). A Map's value is said as one (the key is not: it may be data).
test('kept through a Map or a Set in a variable: the path says so', async () => {
  const {subjects, watch} = watcherOf(mapEmitter);
  const inMap = watch('in a Map', e => e.once('saved'));
  const inSet = watch('in a Set', e => e.member());
  await new Promise(resolve => setImmediate(resolve));
  searchThisProcess(subjects);
  expect(inMap.waker?.what).toMatch(
    /^its resolve function is kept through `all\.get\(…\)\[0\]`, where `all` is a variable of a call of mapEmitter/,
  );
  expect(inSet.waker?.what).toMatch(
    /^its resolve function is kept through `members\[…\]`, where `members` is a variable of a call of mapEmitter/,
  );
});
