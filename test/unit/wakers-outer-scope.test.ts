import {searchedWaker} from './wakers/live';

// Which function keeps a resolve function that sits in a scope around the
// one the functions were made in (a thenable's `then(onFulfilled,
// onRejected)`, whose callbacks are made in the executor of a promise of its
// own): only one that uses it. V8 keeps both scopes for every function made
// inside, so each function reaches it; the one named is the one whose code
// can call it.

const kept: unknown[] = [];

afterAll(() => {
  kept.length = 0;
});

test('of two callbacks sharing the scopes around them, the one that uses the resolve function is named', async () => {
  const holder: {callbacks: object[]} = {callbacks: []};
  kept.push(holder);
  const then = (
    onFulfilled: (v: unknown) => void,
    onRejected: (e: unknown) => void,
  ): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      holder.callbacks.push({
        // Sorts first: named, were the variable not asked about.
        onError: (e: unknown) => {
          if (onRejected === undefined) reject(e);
          else resolve(onRejected(e));
        },
        onValue: (v: unknown) => resolve(onFulfilled(v)),
      });
    });
  const promise = new Promise((outerResolve, outerReject) => {
    kept.push(then(outerResolve, outerReject));
  });
  const what = await searchedWaker(promise, kept, true);
  expect(what).toMatch(/^its resolve function is kept in .*onValue/);
  expect(what).not.toContain('onError');
});
