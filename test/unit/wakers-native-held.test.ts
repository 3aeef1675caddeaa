import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {createPositionMapper} from '../../src/core/callsites';
import {type WakerSubject, findWakers} from '../../src/core/wakers';
import {promiseLeaf} from './wakers/live';

// A resolve function kept only through a callback native code holds (a
// native addon's: sqlite3's `db.run(sql, callback)` busy on a lock). It read
// "its resolve function is still kept, and nothing has called it": now where
// (the callback) and by what (native code). @parcel/watcher (jest-haste-map's)
// holds its subscription's callback from native code, in a global handle.

// eslint-disable-next-line @typescript-eslint/no-require-imports
const watcher = require('@parcel/watcher') as {
  subscribe(
    dir: string,
    fn: (err: unknown, events: Array<{path: string}>) => void,
  ): Promise<{unsubscribe(): Promise<void>}>;
};

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'taskdump-native-'));
const subscriptions: Array<{unsubscribe(): Promise<void>}> = [];
afterAll(async () => {
  for (const s of subscriptions) await s.unsubscribe();
  fs.rmSync(dir, {recursive: true, force: true});
});

// The subscriptions (kept to end them; their unsubscribe() keeps the
// callback) are left out of the search, as the recorder's own objects are.
function search(promise: Promise<unknown>) {
  const leaf = promiseLeaf('waits');
  const subjects: WakerSubject[] = [{leaf, promise, constructed: true}];
  findWakers(subjects, {
    exclude: [subscriptions],
    rootDir: process.cwd(),
    mapPosition: createPositionMapper(undefined),
    isMachinery: () => false,
    now: performance.now(),
  });
  return leaf.waker;
}

/**
 * A promise whose resolve function only the subscription's callback keeps,
 * once subscribed (the subscription goes to `subscriptions` alone: no local
 * of a running function keeps it).
 */
async function waitForNever(): Promise<{promise: Promise<void>}> {
  let ready!: () => void;
  const subscribed = new Promise<void>(r => (ready = r));
  const promise = new Promise<void>(resolve => {
    void watcher
      .subscribe(dir, (_err, events) => {
        if (events.some(e => e.path.endsWith('never'))) resolve();
      })
      .then(s => {
        subscriptions.push(s);
        ready();
      });
  });
  await subscribed;
  return {promise};
}

test('a resolve function kept only through a callback native code holds: said so, with the callback', async () => {
  const {promise} = await waitForNever();
  const waker = search(promise);
  expect(waker?.what).toMatch(
    /^its resolve function is kept only through a function native code holds \(at test\/unit\/wakers-native-held\.test\.ts:\d+:\d+\): a callback handed to a native call \(an addon's\), and nothing has called it/,
  );
});

test('the same callback also kept by the program: not said to be native code only', async () => {
  const registry: Array<(err: unknown, events: Array<{path: string}>) => void> =
    [];
  let subscribed!: Promise<{unsubscribe(): Promise<void>}>;
  const promise = new Promise<void>(resolve => {
    const callback = (_err: unknown, events: Array<{path: string}>): void => {
      if (events.some(e => e.path.endsWith('never'))) resolve();
    };
    registry.push(callback);
    subscribed = watcher.subscribe(dir, callback);
  });
  subscriptions.push(await subscribed);
  (globalThis as {keptRegistry?: unknown}).keptRegistry = registry;
  try {
    const waker = search(promise);
    expect(waker?.what).not.toMatch(/native code/);
  } finally {
    delete (globalThis as {keptRegistry?: unknown}).keptRegistry;
  }
});

// sequelize's sqlite dialect: the resolve function sits in the executor's
// scope, used by a callback made two scopes further in (`afterExecute`),
// which sqlite3 wraps (`normalizeMethod`) before handing it to native code:
// five references from the native roots, no longer three.
test('a callback native code holds that wraps one made scopes deeper, which keeps the resolve function: said so', async () => {
  let ready!: () => void;
  const subscribed = new Promise<void>(r => (ready = r));
  const wrap =
    (fn: () => void) =>
    (_err: unknown, events: Array<{path: string}>): void => {
      if (events.some(e => e.path.endsWith('never'))) fn();
    };
  const promise = new Promise<void>(resolve => {
    const run = (): void => {
      const tag = 'query';
      const afterExecute = (): void => {
        if (tag.length > 0) resolve();
      };
      void watcher.subscribe(dir, wrap(afterExecute)).then(s => {
        subscriptions.push(s);
        ready();
      });
    };
    run();
  });
  await subscribed;
  expect(search(promise)?.what).toMatch(
    /^its resolve function is kept only through a function native code holds \(at test\/unit\/wakers-native-held\.test\.ts:\d+:\d+\): a callback handed to a native call/,
  );
});
