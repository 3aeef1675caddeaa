import type {WakerSubject} from '../../src/core/wakers';
import type {Leaf} from '../../src/core/types';
import {promiseLeaf as leafOf, searchThisProcess} from './wakers/live';

// redux-observable's shape: an rxjs observer keeps redux's `dispatch` as its
// `next`; dispatch's scope keeps the store's listeners, one of which keeps
// the resolve function. The holder's property is dispatch, not the listener:
// both are named, the one the property keeps first.

class ConsumerObserver {
  constructor(readonly partialObserver: {next: (action: unknown) => void}) {}
}

function createStore(): {
  dispatch: (action: unknown) => void;
  subscribe: (listener: () => void) => void;
} {
  const listeners: Array<() => void> = [];
  return {
    dispatch: function dispatch(_action: unknown): void {
      for (const l of listeners) l();
    },
    subscribe(listener: () => void): void {
      listeners.push(listener);
    },
  };
}

const observers: ConsumerObserver[] = [];

describe('a function kept as a property, which reaches the function that keeps the resolve function', () => {
  const leaves: Record<string, Leaf> = {};

  beforeAll(() => {
    leaves.placed = leafOf('placed');
    const store = createStore();
    observers.push(new ConsumerObserver({next: store.dispatch}));
    const placed = new Promise<void>(resolve => {
      store.subscribe(() => resolve());
    });
    const subjects: WakerSubject[] = [
      {leaf: leaves.placed, promise: placed, constructed: true},
    ];
    searchThisProcess(subjects);
  }, 120_000);

  test('names what the property keeps, then the function that keeps it', () => {
    expect(leaves.placed.waker?.what).toMatch(
      /^its resolve function is kept in ConsumerObserver\.partialObserver\.next \(by dispatch at test\/unit\/wakers-through\.test\.ts:\d+:\d+, through a function at test\/unit\/wakers-through\.test\.ts:\d+:\d+\)/,
    );
  });
});
