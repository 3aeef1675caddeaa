/**
 * What the recorder keeps: the wait graph of a test, as it happens.
 *
 * A node is a {@link Capture}: the stack V8 recorded when a promise was made
 * (a creation), or when something subscribed to a recorded promise (an
 * `await`, a `.then`, a combinator taking it as an input, a promise adopting
 * it). The edges are recorded with the nodes, not inferred later:
 * - `waits`: the subscriptions on a promise, in order (who waits on it);
 * - `awaits`: for a subscription, the promise it waits on;
 * - `context`: the async resource whose callback was running (a timer, a
 *   socket's handle, or a promise whose reaction was running: the `await`
 *   that resumed, the `.then` whose callback ran, the promise adopting
 *   another);
 * - `subAt`: the order of subscriptions, which says which input of a
 *   combinator a subscription is.
 */

/** A node of the wait graph (see the module comment). */
export interface Capture {
  /**
   * Holds V8's raw stack (`holder.stack` is formatted lazily, at dump time);
   * null when the capture budget was spent (the edges are still recorded).
   */
  readonly holder: {stack?: unknown} | null;
  /** Order of creation, shared by promises, subscriptions and timers. */
  readonly seq: number;
  /** `performance.now()` at creation. */
  readonly at: number;
  /** The async resource whose callback was running, if any. */
  readonly context: object | undefined;
  /** Value of the subscription counter when this capture was taken. */
  readonly subAt: number;
  /**
   * True for a stack cut to a few frames: the first subscription on a promise
   * in the same synchronous run that made it (`await f()`), whose callers are
   * those of the promise's own stack.
   */
  readonly short: boolean;
  /** The subscriptions on this promise, in order (at most MAX_WAITS). */
  waits: Capture[] | undefined;
  /** Subscriptions not kept in {@link waits} (over {@link MAX_WAITS}). */
  moreWaits: number;
  /**
   * Set on subscriptions: the capture of the promise waited on, or null when
   * that promise was never recorded (made before the test, over the budget).
   */
  awaits?: Capture | null;
  /**
   * For a subscription: the promise it waits on. V8 never settles the promise
   * an `await` makes, so a dump asks this one whether it is still pending.
   */
  awaited?: object;
  /**
   * Set when the promise settled: a subscription whose own promise settled
   * (V8's wrapper for `await null`) waits on nothing any more.
   */
  settled: boolean;
  /** The promise this capture stands for (kept for subscriptions only). */
  self?: object;
  /** The Root (or {@link AMBIENT}) this capture was taken under. */
  owner: Root;
}

/** At most this many subscriptions are kept per promise. */
export const MAX_WAITS = 64;

/** A traced scope: everything created while it is active belongs to it. */
export interface Root {
  readonly id: number;
  readonly startedAt: number;
  /** Pending promises that got a creation capture. Settling removes them. */
  readonly promises: Map<object, Capture>;
  /**
   * Subscriptions on promises not recorded under this Root (made before it,
   * by another Root, or over the budget), by the promise they made.
   */
  readonly foreign: Map<object, Capture>;
  /** Timers and immediates created under this Root. */
  readonly timers: Map<object, Capture>;
  /** Sockets, servers and child processes opened under this Root. */
  readonly handles: Map<object, HandleRecord>;
  /** Promises and subscriptions made while over the capture budget. */
  unrecorded: number;
  /** Timers that had run and were dropped from {@link timers}. */
  prunedTimers: number;
  closed: boolean;
  /** The Root that was active when this one was entered (`traced()`). */
  readonly parent: Root | null;
  /** Open Roots entered while this one was active; a dump includes theirs. */
  readonly children: Set<Root>;
  /** What the Root stands for, for dumps taken on demand (a signal). */
  label: {type: string; name: string; testPath?: string} | undefined;
}

/** What kind of I/O handle a {@link HandleRecord} is. */
export type HandleKind = 'socket' | 'server' | 'child-process' | 'worker';

/** An I/O handle opened under a Root, with where it was opened. */
export interface HandleRecord {
  kind: HandleKind;
  capture: Capture;
}

/** Tunables of the recorder (validated by the environment). */
export interface RecorderOptions {
  /** Frames kept per capture. */
  maxFrames: number;
  /** Stack captures allowed per second once the burst allowance is spent. */
  capturesPerSecond: number;
  /**
   * Stack captures allowed in a burst: each test file, test and hook starts
   * with this many (the bucket is topped up when one starts).
   */
  captureBurst: number;
}

// Measured (bench/, Node 20, 2 cores): a capture costs ≈2.5 µs at 16 frames,
// 3.5 µs at 32, 5.7 µs at 64 in a loop, ≈10 µs inside a Jest test (five
// frames cost as much as 24). 24 frames reach the test body from any
// reasonable depth. Each test and hook starts with a full burst (a hung
// test's leaf is most often made early in it, or in a quiet moment, when the
// bucket has refilled); under sustained churn the rate bounds the cost to
// ≈1% (1 000 captures/s × 10 µs) and the rest is sampled (a dump says how
// much was not recorded). With 5 000 of each, the busy files of bench/suite
// took 55 000 captures, a third of the preset's extra CPU time (docs/cost.md).
export const DEFAULT_RECORDER_OPTIONS: RecorderOptions = {
  maxFrames: 24,
  capturesPerSecond: 1_000,
  captureBurst: 1_000,
};
