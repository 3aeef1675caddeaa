/**
 * The recorder's state, shared by the hooks (hooks.ts), the Roots (roots.ts)
 * and the timer and handle recorders (io.ts): one object, so that each reads
 * a property instead of going through a module's live bindings.
 */
import {now} from '../clock';
import {
  type Capture,
  type RecorderOptions,
  type Root,
  DEFAULT_RECORDER_OPTIONS,
} from './types';

// Tests replace globals (fake timers, a mocked Error); the real ones, at load.
const {captureStackTrace} = Error;

/** The recorder's mutable state (see the module comment). */
export const rec = {
  options: DEFAULT_RECORDER_OPTIONS as RecorderOptions,
  /** The Root new work belongs to, or null between tests. */
  active: null as Root | null,
  /**
   * The Root to make active at the next timer made (roots.ts,
   * `enterRootAtNextTimer`), or null.
   */
  pending: null as Root | null,
  /** The timeout jest-circus gives the pending Root's body (ms), or -1. */
  pendingTimeout: -1,
  /** The latest promise made while a Root is pending. */
  lastInit: null as object | null,
  /**
   * The promise jest-circus wraps the active Root's body in, when known: when
   * it settles, the body is over and the Root is left.
   */
  body: null as object | null,
  bodyRoot: null as Root | null,
  /**
   * Promises made outside any Root are recorded only while a test file loads
   * (module state, promises made in describe blocks): between tests only
   * Jest's own machinery runs.
   */
  ambientOpen: false,
  /** Order of every capture. */
  seq: 0,
  /**
   * Counts every subscription (`.then`, `await`, a combinator's input): a
   * combinator subscribes to its inputs in index order right after it is
   * made, so the difference of two counts is an input's index.
   */
  subs: 0,
  /** The token bucket of stack captures. */
  tokens: DEFAULT_RECORDER_OPTIONS.captureBurst,
  lastRefill: 0,
  skippedSinceRefill: 0,
};

/** The time, by a clock fake timers cannot replace. */
export function clock(): number {
  return now();
}

/**
 * Frames of a short capture: the first subscription on a promise in the
 * synchronous run that made it (`await f()`, a combinator taking a promise
 * just made). Its callers are those of the promise's own stack; the frames
 * kept say where it waits (Node's hook dispatcher takes one of them).
 */
export const SHORT_FRAMES = 5;

/**
 * Frames of a timer's or handle's capture, at least. They are the leaves a
 * dump starts from, and are made far more rarely than promises: a stack cut
 * short there cannot be followed to the test (rxjs's `interval()` sets its
 * timer 20 frames into the `subscribe()` chain `lastValueFrom()` starts, in a
 * `new Promise` executor nothing else recorded), while a promise's cut stack
 * goes on in the graph (what awaits it). Only deep stacks pay for the extra
 * frames (bench/: ≈5.7 µs at 64 frames, ≈3.5 µs at 32).
 */
const LEAF_FRAMES = 64;

/** The frames a promise or subscription keeps, but a short one. */
export function promiseFrames(): number {
  return rec.options.maxFrames;
}

/** The frames a timer or handle keeps ({@link LEAF_FRAMES}). */
export function leafFrames(): number {
  return Math.max(rec.options.maxFrames, LEAF_FRAMES);
}

/**
 * A node of the wait graph, with a stack of `frames` frames (none: `skip` is
 * null, over the budget). One literal for every kind, so that all captures
 * share one shape.
 */
export function capture(
  skip: ((...args: never[]) => unknown) | null,
  owner: Root,
  frames: number,
  context: object | undefined,
  awaits: Capture | null | undefined,
  awaited: object | undefined,
): Capture {
  let holder: {stack?: unknown} | null = null;
  if (skip !== null) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = frames;
    holder = {};
    captureStackTrace(holder, skip);
    Error.stackTraceLimit = limit;
  }
  return {
    holder,
    seq: ++rec.seq,
    at: now(),
    context,
    subAt: rec.subs,
    short: frames < rec.options.maxFrames,
    waits: undefined,
    moreWaits: 0,
    awaits,
    awaited,
    self: undefined,
    settled: false,
    owner,
  };
}

/** One token of the capture budget, if there is one (else counted). */
export function take(root: Root): boolean {
  if (rec.tokens < 1 && !refill()) {
    root.unrecorded++;
    return false;
  }
  rec.tokens--;
  return true;
}

/** A token for work outside any Root (not counted anywhere). */
export function takeAmbient(): boolean {
  if (rec.tokens < 1 && !refill()) return false;
  rec.tokens--;
  return true;
}

/**
 * A test or hook starts: the bucket is full again (`captureBurst` tokens),
 * whatever the tests before it spent; a hung test's leaf is most often made
 * early in it. Reads the clock once.
 */
export function topUp(): void {
  rec.tokens = rec.options.captureBurst;
  rec.lastRefill = now();
  rec.skippedSinceRefill = 0;
}

/**
 * The event loop has turned since the last call (the watchdog's beat, every
 * 50 ms): time has passed, so the next promise over the budget reads the
 * clock and refills the bucket, instead of waiting for the 256th. A promise
 * made in a quiet moment after heavy churn (a test's last wait) then gets
 * its stack.
 */
export function noteTurn(): void {
  if (rec.tokens < 1) rec.skippedSinceRefill = 255;
}

// Called only when the bucket is empty; reads the clock once per 256 skips
// (and at the first skip after a turn of the event loop, see noteTurn).
function refill(): boolean {
  if ((++rec.skippedSinceRefill & 255) !== 0) return false;
  const t = now();
  const {captureBurst, capturesPerSecond} = rec.options;
  rec.tokens = Math.min(
    captureBurst,
    rec.tokens + ((t - rec.lastRefill) * capturesPerSecond) / 1000,
  );
  rec.lastRefill = t;
  return rec.tokens >= 1;
}
