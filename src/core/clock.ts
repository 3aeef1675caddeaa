/**
 * The process's monotonic clock, as it was when this module loaded.
 *
 * `@sinonjs/fake-timers` (`sinon.useFakeTimers()`, or the library used
 * directly) replaces `now` on the `performance` of Node's `perf_hooks`, which
 * every realm of the process shares, when it fakes the global object of the
 * realm it was loaded in. Jest's own fake timers do not, but a test using
 * sinon's does, and a test that hangs never restores it: every later test of
 * that worker would read a clock that does not move ("stuck after 18341 ms"
 * for a test with a 1.5 s timeout, timers due at the wrong time). The method of
 * `Performance.prototype` is the real one; fakes are set on the object.
 *
 * @example
 * const started = now();
 * work();
 * now() - started; // ms, a float
 */
import {clearTimeout, setTimeout} from 'node:timers';

const realNow = Object.getPrototypeOf(performance).now as () => number;
// Node defines the global `performance` with a getter: read it once.
const perf = performance;

/** `performance.now()` of the real clock, whatever a test faked. */
export function now(): number {
  return realNow.call(perf);
}

/**
 * What to add to a Node timer's `_idleStart` to read it on {@link now}'s
 * clock. A timer keeps when it was armed in ms of libuv's loop clock, which
 * begins a little after performance's origin (≈ 50 ms in a plain `node`,
 * more in a Jest worker): "fires in" read from `_idleStart` against `now()`
 * came out that much earlier than the same timer's leaf says (the capture's
 * `now()`). Both are monotonic, so the difference is read once, when this
 * module loads, from a timer armed and cleared at once.
 */
export const LOOP_CLOCK_OFFSET = ((): number => {
  const t = setTimeout(() => {}, 1e9);
  const at = now();
  clearTimeout(t);
  const start = (t as unknown as {_idleStart?: unknown})._idleStart;
  return typeof start === 'number' ? at - start : 0;
})();
