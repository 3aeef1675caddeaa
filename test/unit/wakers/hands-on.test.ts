import type {WakerSubject} from '../../../src/core/wakers';
import {promiseLeaf, searchThisProcess} from './live';

// A chain nothing waits on that hands its outcome on to another promise
// (wakers/hands-on.ts), read from this process's heap: such a `.then()` is
// how that promise waits, so its chain is never set aside as bookkeeping.

const messages: string[] = [];
const log = (m: string): void => {
  messages.push(m);
};

test("a `.then()` whose handlers are another promise's resolve functions, or whose handler's scope keeps one it calls, hands on; one that only logs does not", () => {
  const kept: unknown[] = [];
  // tarn's timeout(): the handler calls the executor's `resolve`.
  const viaScope = new Promise<void>(() => {});
  let viaScopeThen: Promise<void> | undefined;
  kept.push(
    new Promise<void>(resolve => {
      viaScopeThen = viaScope.then(v => {
        log('settled');
        resolve(v);
      });
    }),
  );
  // A wrapper's `then(resolve, reject)`.
  const direct = new Promise<void>(() => {});
  let directThen: Promise<void> | undefined;
  kept.push(
    new Promise<void>((resolve, reject) => {
      directThen = direct.then(resolve, reject);
    }),
  );
  // nats's transport: a close promise whose `.then()` only logs.
  const logged = new Promise<void>(() => {});
  const loggedThen = logged.then(() => log('closed'));
  const subjects: WakerSubject[] = [
    [viaScope, viaScopeThen!],
    [direct, directThen!],
    [logged, loggedThen],
  ].map(([promise, then], k) => ({
    leaf: promiseLeaf(`p${k}`),
    promise,
    constructed: true,
    feeds: [promise, then],
  }));
  const report = searchThisProcess(subjects);
  expect(report.reaching.map(l => l.path[0].name)).toEqual(['p0', 'p1']);
  expect(kept).toHaveLength(2);
});
