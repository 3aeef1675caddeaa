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
const realNow = Object.getPrototypeOf(performance).now as () => number;
// Node defines the global `performance` with a getter: read it once.
const perf = performance;

/** `performance.now()` of the real clock, whatever a test faked. */
export function now(): number {
  return realNow.call(perf);
}
