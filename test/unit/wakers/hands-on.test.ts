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

// fastq's promise wrapper: `worker(arg).then(res => cb(null, res), cb)`, with
// `cb` a function made elsewhere (the task's `worked`, which releases the
// queue, whose drain settles `drained()`): the outcome goes to whoever passed
// `cb`. A handler calling a helper of its own scope, or of its module, does
// not hand on.
function asyncWrapper(
  work: Promise<number>,
  cb: (e: unknown, r?: number) => void,
): Promise<void> {
  return work.then(res => cb(null, res), cb);
}

function task(): (e: unknown, r?: number) => void {
  const done: unknown[] = [];
  return function worked(e, r) {
    done.push(e ?? r);
  };
}

test('a `.then()` whose handler calls a callback it was handed hands on; one calling a helper of its own scope does not', () => {
  const handed = new Promise<number>(() => {});
  const handedThen = asyncWrapper(handed, task());
  const own = new Promise<number>(() => {});
  let ownThen: Promise<void> | undefined;
  (function local() {
    const seen: number[] = [];
    const note = (n: number): void => {
      seen.push(n);
    };
    ownThen = own.then(n => note(n));
  })();
  const subjects: WakerSubject[] = [
    [handed, handedThen],
    [own, ownThen!],
  ].map(([promise, then], k) => ({
    leaf: promiseLeaf(`c${k}`),
    promise,
    constructed: true,
    feeds: [promise, then],
  }));
  const report = searchThisProcess(subjects);
  expect(report.reaching.map(l => l.path[0].name)).toEqual(['c0']);
});
