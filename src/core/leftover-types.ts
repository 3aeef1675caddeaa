/**
 * What a test file's tests and hooks left open when the file ended, as plain
 * data: it goes from a Jest worker to the reporter (and into the JSON report),
 * so it holds no classes, functions or program values, like a dump.
 */
import type {Frame, TaskDump} from './types';

/** The `kind` tag of a {@link LeftoverReport}. */
export const LEFTOVERS_KIND = 'jest-taskdump/leftovers';
/** Bumped whenever the shape of {@link LeftoverReport} changes. */
export const LEFTOVERS_VERSION = 1;

/** What was left open. */
export type LeftoverKind =
  'timer' | 'socket' | 'server' | 'child-process' | 'worker' | 'watcher';

/** One thing a test or hook opened and did not close. */
export interface Leftover {
  kind: LeftoverKind;
  /**
   * One line, in the dumps' words: `setInterval every 100 ms, still active`,
   * `HTTP server listening on 127.0.0.1:4000, no connection open`, `child
   * process node tools/serve.js --port … (pid 4242), still running`,
   * `fs.watch() watcher, open`. Addresses, ports, states and the shape of a
   * command line; never a program value.
   */
  what: string;
  /**
   * Whether it keeps its process alive: `true` when its handle (or timer) is
   * ref'd, `'until-fired'` for a one-shot timer (it keeps the process alive
   * until it fires, in {@link firesInMs}), `null` when that could not be read
   * (a server closing while connections stay open: those decide). Unref'd ones
   * are not listed at all.
   */
  keepsAlive: true | 'until-fired' | null;
  /** For a one-shot timer whose creation time is known: ms until it fires. */
  firesInMs?: number;
  /** The test or hook under which it was opened. */
  rootType: TaskDump['rootType'];
  /** Its full name (a hook: its describe block's), as in dumps. */
  rootName: string;
  /**
   * For concurrent tests, which share one record: every test that ran with it
   * (it was opened by one of them).
   */
  concurrent?: string[];
  /**
   * Frames of the program from the test or hook body down to where it was
   * opened, source-mapped, paths relative to `rootDir` (as a dump leaf's
   * `path`). Through a timer's callback, the timer's own path comes first,
   * then a frame named `setTimeout callback` (or `setInterval callback`).
   */
  path: Frame[];
  /** Where it was opened (the innermost frame of the program), if known. */
  createdAt: Frame | null;
  /**
   * Why no frame of it is known, when none is: no stack was taken, the
   * test's being over its budget (`captureBurst`), or the callback that
   * opened it having run after its test or hook ended.
   */
  unknownBecause?: 'budget' | 'after';
  /**
   * True when the stack that opened it could not be traced back to the test or
   * hook body (opened in a callback): it was opened while that test or hook
   * ran.
   */
  detached: boolean;
}

/** Everything one test file left open, when it ended. */
export interface LeftoverReport {
  kind: typeof LEFTOVERS_KIND;
  version: typeof LEFTOVERS_VERSION;
  /** The test file, relative to the project's `rootDir`. */
  testPath: string;
  leftovers: Leftover[];
  /**
   * Set when listing them failed: one line saying so (the file's results are
   * untouched).
   */
  error?: string;
  /**
   * How they were reported: `warn` (listed only) or `fail` (the tests or hooks
   * that opened them failed).
   */
  mode: 'warn' | 'fail';
}
