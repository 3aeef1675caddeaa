import {AsyncLocalStorage} from 'node:async_hooks';
import type {Leaf} from '../../../src/core/types';
import type {WakerSubject} from '../../../src/core/wakers';
import {searchThisProcess} from './live';

// jest-circus makes an AsyncLocalStorage for each test file it runs and never
// disables it: in a worker that has run many files, every timer made later
// carries a store of each, and keeps its own properties (its callback, its
// list's links) out of the object, where the heap snapshot has them twice:
// named, and numbered in the store of properties. Only the names tell a
// timer's callback from its list's links and its stores (feed-edges.ts).

const leafOf = (kind: Leaf['kind'], name: string): Leaf => ({
  kind,
  what: name,
  createdAt: null,
  path: [{name, file: 'x.js', line: 1, column: 1, async: false}],
  ageMs: 0,
  detached: kind !== 'promise',
});

test('a timer carrying many AsyncLocalStorage stores still feeds the promise its callback settles, and only that one', () => {
  const storages = Array.from({length: 40}, () => new AsyncLocalStorage());
  const timers: NodeJS.Timeout[] = [];
  try {
    // Each store is kept on what is made from here on, as circus's are.
    storages.forEach((s, i) => s.enterWith({file: i}));
    const subjects: WakerSubject[] = [];
    const handles: Array<{leaf: Leaf; handle: object}> = [];
    for (const name of ['first', 'second', 'third']) {
      const leaf = leafOf('promise', name);
      const promise = new Promise<void>(resolve => {
        const t = setTimeout(() => resolve(), 60_000);
        t.unref();
        timers.push(t);
        handles.push({leaf: leafOf('timer', name), handle: t});
      });
      subjects.push({leaf, promise, constructed: true});
    }
    const report = searchThisProcess(subjects, handles);
    expect(
      report.feeds.map(f => `${f.handle.what} feeds ${f.promise.what}`),
    ).toEqual([
      'first feeds first',
      'second feeds second',
      'third feeds third',
    ]);
  } finally {
    for (const t of timers) clearTimeout(t);
    for (const s of storages) s.disable();
  }
}, 120_000);
