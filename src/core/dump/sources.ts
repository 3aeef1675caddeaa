/**
 * What is behind the leaves of a dump, for the waker search: the promise, or
 * the timer, socket, server or child process. Never part of a dump.
 */

/** What is behind a leaf, for the waker search. Never part of a dump. */
export type LeafSource = PromiseSource | HandleSource;

/** The promise behind a promise leaf. */
export interface PromiseSource {
  promise: object;
  /** True for a `new Promise` (not an async function's or a combinator's). */
  constructed: boolean;
  /**
   * The pending promises of its chain (its own first), when nothing the Root
   * runs waits on it: what its settling would run may be what another
   * promise waits on (graph/chain.ts).
   */
  feeds?: object[];
  /**
   * With {@link feeds}: every end of its chain is a library's `.then()`
   * whose result is dropped (graph/chain.ts): if the search finds it feeding
   * no stuck promise, it is set aside (dump/aside.ts).
   */
  dropsThen?: boolean;
}

/**
 * The timer, socket, server or child process behind a leaf (the search
 * looks for the promise it feeds).
 */
export interface HandleSource {
  handle: object;
  /**
   * A worker thread another Root started: in the dump only if the search
   * finds it feeding a stuck promise.
   */
  earlier?: true;
}
