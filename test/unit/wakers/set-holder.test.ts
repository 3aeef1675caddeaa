import {searchedWaker} from './live';

// An observer kept in a Set of a class's object (xstate's Actor.observers):
// its `next` keeps the resolve function. The Set's entry has no name, so the
// path stops at the Set rather than naming a property of the Set.

class Subject {
  readonly observers = new Set<{next: (v: unknown) => void}>();
  subscribe(o: {next: (v: unknown) => void}): void {
    this.observers.add(o);
  }
}

const kept: unknown[] = [];

test('kept by an observer in a Set: the path ends at the Set', async () => {
  const s = new Subject();
  kept.push(s);
  const what = await searchedWaker(
    new Promise(resolve => s.subscribe({next: v => resolve(v)})),
    kept,
    true,
  );
  expect(what).toMatch(
    /^its resolve function is kept in Subject\.observers \(a Set\) \(by next at test\/unit\/wakers\/set-holder\.test\.ts:\d+:\d+\) \(class Subject at /,
  );
});
