import {LOOP_CLOCK_OFFSET, now} from '../../src/core/clock';
import {promiseLeaf, searchThisProcess} from './wakers/live';

// A Node timer keeps when it was armed on libuv's loop clock (`_idleStart`),
// which starts later than performance's: a waker reading "fires in" from it
// and a leaf reading it from the capture's now() must agree.
test("a timer's _idleStart plus LOOP_CLOCK_OFFSET is when it was armed, on now()'s clock", () => {
  const before = now();
  const t = setTimeout(() => {}, 60_000);
  const after = now();
  clearTimeout(t);
  const armed =
    (t as unknown as {_idleStart: number})._idleStart + LOOP_CLOCK_OFFSET;
  // `_idleStart` is in whole ms. It is libuv's loop time, read when the
  // loop last turned, and so is the offset, read when clock.ts loaded: on a
  // busy machine a long synchronous load leaves it a few ms stale, and a
  // timer reads as armed that much later (seen: 3.3 ms in a CI run). A
  // dump rounds what it says of timers far above that.
  expect(armed).toBeGreaterThan(before - 2);
  expect(armed).toBeLessThan(after + 25);
});

test('the loop clock begins after performance’s origin', () => {
  expect(LOOP_CLOCK_OFFSET).toBeGreaterThan(0);
});

test('a waker read from a timer says when it fires on the same clock as its leaf', () => {
  let timer!: NodeJS.Timeout;
  const promise = new Promise(resolve => {
    timer = setTimeout(resolve, 900);
  });
  const leaf = promiseLeaf('waits on a timer');
  try {
    searchThisProcess([{leaf, promise, constructed: true}]);
  } finally {
    clearTimeout(timer);
  }
  // Armed just before the search's now(): 900 ms, less a few.
  const left =
    /^settles when a setTimeout of 900 ms fires \(in (\d+) ms\)$/.exec(
      leaf.waker?.what ?? '',
    );
  expect(left).not.toBeNull();
  expect(Number(left![1])).toBeGreaterThan(880);
});
