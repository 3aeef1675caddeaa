/**
 * What the main thread and the watchdog thread share: the layout of their
 * shared buffer, the key under which the main thread exposes its probe, and the
 * probe's answer.
 */

/**
 * Int32 slot: milliseconds since `WatchdogData.epoch` at the main thread's last
 * beat.
 */
export const BEAT = 0;
/**
 * Int32 slot: the running test's or hook's timeout in ms; 0 while none runs.
 */
export const TIMEOUT = 1;
/** Int32 slot: {@link RUNNING} or {@link EXITING}. */
export const STATE = 2;
/**
 * Int32 slot: warn about a block this long (ms) that has not reached the
 * timeout; 0 for none.
 */
export const WARN = 3;
/**
 * Int32 slot: for a block the watchdog cannot stop, end the process once it has
 * lasted this long (ms); 0 for never.
 */
export const EXIT = 4;
export const SLOTS = 5;

export const RUNNING = 0;
/**
 * Set by the watchdog thread when it leaves after a while without an armed
 * test.
 */
export const EXITING = 1;

/** How often the main thread stamps {@link BEAT} (from an unref'd interval). */
export const BEAT_MS = 50;

/** `Symbol.for` key of the probe on the main realm's `globalThis`. */
export const GLOBAL_KEY = 'jest-taskdump.watchdog';

/** `workerData` of the watchdog thread. */
export interface WatchdogData {
  buffer: SharedArrayBuffer;
  /** The `Date.now()` that {@link BEAT} counts from. */
  epoch: number;
  pollMs: number;
  /**
   * The exit code that ends this process for a block it cannot stop: 143 in a
   * Jest worker (jest-worker then fails the file instead of running it again),
   * 1 when Jest runs in band; null where the watchdog cannot end it (a Jest
   * worker thread).
   */
  exitCode: number | null;
  /** True when this process is a Jest worker (not Jest itself). */
  inWorker: boolean;
}

/**
 * What the probe returns (plain data: it crosses the inspector protocol by
 * value).
 */
export type ProbeResult =
  /**
   * The block ended before the probe ran, or nothing is armed: leave it alone.
   */
  | {kind: 'running'}
  /**
   * Ready to be terminated; `report` is the text to write to stderr, `title`
   * names the test and its file.
   */
  | {kind: 'blocked'; report: string; title: string}
  /**
   * Blocked longer than the warning threshold, not yet the timeout: `report`
   * says where.
   */
  | {kind: 'warning'; report: string};
