/**
 * Plain data that crosses realms and processes: no classes, functions or
 * symbols. A dump goes from the test realm to the environment, and from a Jest
 * worker to the reporter in the parent process, so everything here survives
 * structured cloning.
 */
import type {FailedWith} from './failed-with';
import type {Waker, WakerSkip} from './waker-types';

export type {FailedWith} from './failed-with';

/**
 * The `kind` tag of a {@link TaskDump}; reporters and the serializer recognise
 * dumps by it.
 */
export const DUMP_KIND = 'jest-taskdump/dump';
/**
 * Bumped whenever the shape of {@link TaskDump} changes. 2: a leaf says why
 * its waker was not looked for ({@link Leaf.wakerSkipped}), a waker may be one
 * found for another test ({@link Waker.as}), and {@link TaskDump.wakerNote} is
 * only for a search that failed.
 */
export const DUMP_VERSION = 2;

/** One position in the logical async stack of a stuck branch. */
export interface Frame {
  /** Function name as the user wrote it (`Svc.run`, `<anonymous>`). */
  name: string;
  /** Path relative to `rootDir` (or `node:events` for Node's own modules). */
  file: string;
  line: number;
  column: number;
  /**
   * True when V8 recorded this frame as a suspended `await` (an `async` frame).
   */
  async: boolean;
  /**
   * Set when this frame is one input of
   * `Promise.all`/`allSettled`/`any`/`race`.
   */
  combinator?: {name: CombinatorName; index: number | null};
  /**
   * Set when the frame was called through Node's or the test runner's own
   * frames (an `EventEmitter.emit`, jest-mock, jest-runtime's `require`), which
   * are not shown: how many, and of which packages (`node`, `jest-mock`).
   */
  via?: {frames: number; packages: string[]};
  /**
   * True for a call of an async function whose promise nothing awaits (or
   * chains on): it was started and left running (`void work()`).
   */
  notAwaited?: boolean;
  /**
   * Set where a retry loop awaits an attempt still in flight
   * (dump/in-flight.ts): how many attempts failed before it (null: not
   * known, some were not recorded), what the last failed with, and whether
   * every one failed with it (null: not all could be read).
   */
  attempt?: {
    failed: number | null;
    last: FailedWith | null;
    same: boolean | null;
  };
}

export type CombinatorName =
  'Promise.all' | 'Promise.allSettled' | 'Promise.any' | 'Promise.race';

/** What a stuck leaf is, discriminated on `kind`. */
export type LeafKind =
  | 'promise'
  | 'timer'
  | 'immediate'
  | 'socket'
  | 'server'
  | 'child-process'
  /** A `worker_threads` Worker still running. */
  | 'worker'
  /** A generator a runner drives, suspended at a `yield`. */
  | 'generator';

/**
 * A thing that never settled, with the logical stack (root first) that waits on
 * it.
 */
export interface Leaf {
  kind: LeafKind;
  /**
   * One line, in plain words, saying what the leaf is (never a program value).
   * For sockets, servers and child processes: addresses, ports, HTTP methods,
   * status codes, byte counts and states (`HTTP GET to 127.0.0.1:4000: no
   * response yet (0 bytes read)`), and a child's executable with the shape of
   * its arguments (`node tools/serve.js --port … --token=…`).
   */
  what: string;
  /**
   * Where the leaf was created (the `new Promise`, the `setTimeout` call), if
   * known.
   */
  createdAt: Frame | null;
  /**
   * Logical stack from just below the test body down to the frame that created
   * the leaf.
   */
  path: Frame[];
  /**
   * Milliseconds between the start of the test and the creation of the leaf.
   */
  ageMs: number;
  /** For timers: the delay in ms and whether it repeats. */
  timer?: {delayMs: number; repeat: boolean; firesInMs?: number};
  /**
   * True when the async chain was broken by a callback we could not trace back
   * to the test.
   */
  detached: boolean;
  /** Detached because its stack was cut at this many frames (`maxFrames`). */
  cut?: number;
  /**
   * Set when the leaf is awaited directly as one input of a combinator
   * (`Promise.all([p])`).
   */
  input?: {name: CombinatorName; index: number | null};
  /**
   * True for a promise whose branch continues below it (its executor started
   * the work it waits on): it is shown, but it is not a stuck branch of its
   * own.
   */
  waiting?: boolean;
  /**
   * With {@link waiting}: the branches below it are timers only, timeouts on
   * it, and something else keeps its resolve function (its waker): what is
   * stuck is its own wait (a reply nobody sends), a branch of its own.
   */
  heldElsewhere?: boolean;
  /**
   * For an input of a combinator that waits on the branch drawn under another
   * input of the same combinator (one DataLoader batch settles both loads):
   * that input's index. One hang: drawn and counted once, there.
   */
  waitsWithInput?: number;
  /**
   * For a promise (timer, handle) more than one branch waits on, not as
   * inputs of one combinator (a memoizer's in-flight promise returned to a
   * second caller, which awaits it): a number its leaves share, and no other
   * leaf of the dump. One thing stuck: each branch is drawn, the thing counted
   * once.
   */
  shared?: number;
  /**
   * For a leaf of a promise several branches wait on ({@link shared}), when
   * what that promise waits on was found and drawn under another of its
   * leaves (dump/fed.ts): one hang, drawn and counted there.
   */
  waitsWithShared?: true;
  /**
   * For a promise drawn under a socket, server, child process or timer, as
   * work its callbacks made (the commands a client sends when its socket
   * connects), that handle's kind when the waker search found it keeping the
   * promise's resolve function: the promise waits on it (on the reply it
   * would bring). One hang, counted at the handle.
   */
  waitsOnAbove?: LeafKind;
  /**
   * For a promise fed by a timer or handle drawn at the very node it is
   * (made by the one call the promise is drawn at:
   * `await promisify(execFile)('cat')`), which it cannot be drawn under:
   * that handle's kind. One hang, counted at the handle.
   */
  waitsOnBeside?: LeafKind;
  /**
   * For a promise fed by a timer or handle drawn under another input of a
   * combinator above both (node-redis's handshake commands, one input of a
   * `Promise.race` whose other waits for the socket to close, the socket
   * drawn there): that handle's kind, the combinator and the input. One
   * hang, counted at the handle.
   */
  waitsOnUnder?: {kind: LeafKind; combinator: CombinatorName; index: number};
  /**
   * For a handle that feeds a promise a pool's queue keeps: the resource of
   * that pool it belongs to, which the pool keeps in a collection, and in
   * none named for free ones (mysql2's socket reaches the pool through a
   * `PoolConnection` in `_allConnections`, not in `_freeConnections`;
   * pg-pool's `Client` in `_clients`, not in `_idle`, keeps its socket;
   * workerpool's `WorkerHandler` in `workers` keeps its thread:
   * wakers/lent.ts).
   */
  lent?: {
    /**
     * `is`: the handle is the resource; `reaches`: the handle reaches the
     * pool through the resource; `kept`: the resource keeps the handle.
     */
    via: 'is' | 'reaches' | 'kept';
    member: string;
    holder: string;
    in: string;
    /**
     * The pool's collections of the same class, of free resources as far as
     * the heap shows, that do not keep it (may be none).
     */
    notIn: string[];
  };
  /**
   * True for a one-shot timer shorter than the timeout, still to fire: the
   * branch is busy (a slow step, a retry's pause), not stuck. It is shown, but
   * not counted as a stuck branch.
   */
  busy?: boolean;
  /**
   * A timer whose callback does nothing (an empty function: grpc's
   * `setInterval(() => {}, …)` that keeps the process alive while calls are
   * pending): it settles nothing, and is set aside when something else is
   * stuck (dump/aside.ts markInert).
   */
  inert?: true;
  /**
   * True for a timer or handle in a branch of its own (not traced back to the
   * test, or only to a line it has passed) that the waker search found
   * settling none of the stuck promises, beside branches that are stuck (a
   * server's heartbeat, a pool's reaper, the socket of a response nobody
   * reads): shown, not counted.
   */
  aside?: boolean;
  /**
   * Why a leaf is aside, when not for the reason above: `deadlock`, a timer
   * or handle whose only promise found fed is a deadlocked wait (the held
   * connection's socket, whose error would give it back to its pool): the
   * deadlock is what hangs; `above`, what is drawn under such a leaf (its
   * connection's server side), which says nothing of it; `dropped`, a
   * promise only a library's `.then()` whose result is dropped waits on,
   * found settling none of the stuck promises (dump/aside.ts).
   */
  asideWith?: 'deadlock' | 'above' | 'dropped';
  /**
   * For a one-shot timer under a promise that waits on it beside a stuck
   * branch, whose callback keeps that promise's resolve or reject function
   * (a library's timeout: p-timeout, opossum, tarn's acquire timeout): it can
   * end the wait when it fires, after the test's timeout. `at`: where that
   * promise was created. Shown, not counted as a stuck branch. `by:
   * 'rejection'`: a promise that can only reject the `Promise.race` it is an
   * input of, beside a stuck input (dump/race-exits.ts).
   */
  guards?: {at: Frame | null; by?: 'rejection'};
  /**
   * True for an HTTP server that is listening with no request waiting for a
   * response: it waits on nothing, and what it would serve is shown where it
   * waits. It is shown, but not counted as a stuck branch.
   */
  idle?: boolean;
  /**
   * For a one-shot timer set again and again along one logical stack during the
   * test (a retry or polling loop that never succeeds, a live-lock): how many
   * times, this one included (`exact` is false when some timers were not
   * recorded, so the count is a lower bound), and the function that loops, at
   * its line. `retry`: its attempts are known to have failed (a promise
   * rejected); without it, it may be a poll.
   */
  loop?: {count: number; at: Frame; exact: boolean; retry?: true};
  /**
   * For a promise: what could still settle it, found at the dump from what
   * keeps its resolve function alive (a heap snapshot). Absent when it was not
   * searched or nothing was found.
   */
  waker?: Waker;
  /**
   * For a promise whose waker was not looked for in this dump (a limit skipped
   * the search): why, in the same words for every leaf skipped for that
   * reason.
   */
  wakerSkipped?: WakerSkip;
}

export type {Waker, WakerKind, WakerSkip} from './waker-types';

/**
 * A task dump of one Root (a test or hook body): every branch still pending at
 * dump time.
 */
export interface TaskDump {
  kind: typeof DUMP_KIND;
  version: typeof DUMP_VERSION;
  /**
   * `test`, the hook type (`beforeAll`, `afterEach`, ...), or `traced` for a
   * {@link traced} call.
   */
  rootType:
    'test' | 'beforeAll' | 'beforeEach' | 'afterAll' | 'afterEach' | 'traced';
  /**
   * Full name of the test (describe blocks and test joined by ` › `), or the
   * hook's describe block.
   */
  rootName: string;
  /** Where the test or hook body is defined, when known. */
  rootFrame: Frame | null;
  /** Test file, relative to `rootDir`. */
  testPath: string;
  /** Milliseconds from the start of the root to the dump. */
  elapsedMs: number;
  /** The timeout that fired, when the dump was taken on a timeout. */
  timeoutMs: number | null;
  leaves: Leaf[];
  /**
   * Promises, timers and other handles created while stack capture was over
   * its budget (their position is unknown).
   */
  unrecorded: number;
  /**
   * True for a callback-style test or hook (it takes `done`), which ends only
   * when `done` is called.
   */
  waitsForDone: boolean;
  /**
   * Set when Jest's fake timers were installed at the dump, with their clock.
   */
  fakeTimers?: FakeClock;
  /** For a hook: the tests that failed because it hung. */
  affects?: string[];
  /**
   * For a concurrent test: the tests running with it, whose pending work this
   * dump also shows.
   */
  sharedWith?: string[];
  /**
   * Set when the test or hook did not wait but blocked the event loop
   * (synchronous code that never returned): then `leaves` is empty and this
   * says where it was running.
   */
  blocked?: BlockedStack;
  /**
   * Set when the search for what could settle each promise (see {@link Waker})
   * failed: why. (A search a limit skipped says so on each leaf instead, in
   * {@link Leaf.wakerSkipped}.)
   */
  wakerNote?: string;
  /**
   * Set when nothing is pending under the Root: servers of the test file
   * that were closed and wait for connections to end before they emit
   * 'close', which a listener waits for (dump/closing.ts).
   */
  closing?: ClosingServer[];
}

/** A closed server still waiting for its connections to end. */
export interface ClosingServer {
  /** Its state, as a server leaf says it (never an address of a client). */
  what: string;
  /** Where its `listen()` was called, when this file's ledger knows. */
  listenAt: Frame | null;
}

/** Jest's fake clock at a dump: its time, and the fake timers waiting on it. */
export interface FakeClock {
  kind: 'modern' | 'legacy';
  /** The fake time, in ms. */
  nowMs: number;
  /** Fake timers not run yet. */
  pending: number;
  /**
   * Fake time until the next one is due (0 when overdue), or null with none
   * pending.
   */
  nextDueInMs: number | null;
}

/**
 * Where a test or hook was running when the watchdog stopped it for blocking
 * the event loop.
 */
export interface BlockedStack {
  /** How long the event loop had not turned when the stack was read, in ms. */
  blockedMs: number;
  /**
   * The synchronous call stack, from just below the test or hook body down to
   * the running frame.
   */
  stack: Frame[];
  /**
   * The stack was read in a callback of Node's `async_hooks` (an
   * AsyncLocalStorage's, say), run as the code below made a promise or
   * another async resource: that callback's frames are left out.
   */
  makingResource?: boolean;
  /**
   * The test runner was not below the blocked code on its stack: an `await`
   * resumed that code (in the microtask queue), or a callback called it.
   */
  resumed?: boolean;
}

/** A node of the merged tree: a frame shared by one or more branches. */
export interface TreeNode {
  frame: Frame | null;
  /** Text shown for synthetic nodes (combinators, broken chains). */
  label?: string;
  children: TreeNode[];
  leaves: Leaf[];
}
