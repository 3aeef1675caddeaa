/**
 * Recording: the only part of jest-taskdump that runs while tests run.
 *
 * Measured on Node 20 (see ../../docs/cost.md): a no-op promise hook costs
 * ≈1.3× on a pure promise-churn loop, while capturing a stack for every new
 * promise costs 20-55×. So the hot path does constant-time work only: a
 * comparison, a token-bucket check and, for the few promises that get a stack,
 * one `Error.captureStackTrace` into a plain holder. CallSites are resolved and
 * formatted only when a dump is taken.
 */
import {promiseHooks} from 'node:v8';
import {executionAsyncResource} from 'node:async_hooks';
import diagnostics from 'node:diagnostics_channel';
import {noteOpened} from './leftovers';

// Tests replace globals (fake timers, mocked Error); capture the real ones at
// load.
const {captureStackTrace} = Error;
const {now} = performance;
const perf = performance;

/** A stack recorded for something that may turn out to be a stuck leaf. */
export interface Capture {
  /**
   * Holds V8's raw stack (`holder.stack` is formatted lazily, at dump time).
   */
  readonly holder: {stack?: unknown};
  /** Order of creation, shared by promises and timers. */
  readonly seq: number;
  /** `performance.now()` at creation. */
  readonly at: number;
  /**
   * The async resource (Timeout, Immediate) whose callback was running, if any.
   */
  readonly context: object | undefined;
  /** Value of the subscription counter when this capture was taken. */
  readonly subAt: number;
  /**
   * Subscription-counter values of each `.then`/`await`/combinator on this
   * promise.
   */
  subscriptions: number[] | undefined;
  /**
   * Set on captures taken at a subscription (`await p`, `p.then()`) rather than
   * at a creation: the capture of `p` when it had one (created before the test,
   * by another test, or long before this `await`), or null when `p` was never
   * recorded.
   */
  awaits?: Capture | null;
  /**
   * The promise a subscription waits on. V8 never settles the promise an
   * `await` makes, so a dump asks this one whether it is still pending. Dropped
   * with the Root.
   */
  awaited?: object;
  /** The Root (or {@link AMBIENT}) this capture was taken under. */
  owner: Root;
}

/** A traced scope: everything created while it is active belongs to it. */
export interface Root {
  readonly id: number;
  readonly startedAt: number;
  /** Pending promises that got a stack, by promise. Settling removes them. */
  readonly promises: Map<object, Capture>;
  /** Timers and immediates created under this Root. */
  readonly timers: Map<object, Capture>;
  /** Sockets, servers and child processes opened under this Root. */
  readonly handles: Map<object, HandleRecord>;
  /** Promises created while over the capture budget. */
  unrecorded: number;
  /**
   * Timers that had run and were dropped from {@link timers} to bound its size.
   */
  prunedTimers: number;
  closed: boolean;
  /**
   * The Root that was active when this one was entered (a `traced()` call
   * inside a test).
   */
  readonly parent: Root | null;
  /**
   * Open Roots entered while this one was active; a dump of this Root includes
   * theirs.
   */
  readonly children: Set<Root>;
  /** What the Root stands for, for dumps taken on demand (a signal). */
  label: {type: string; name: string; testPath?: string} | undefined;
}

/** What kind of I/O handle a {@link HandleRecord} is. */
export type HandleKind = 'socket' | 'server' | 'child-process';

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
  /** Stack captures allowed in a burst. */
  captureBurst: number;
}

// Measured (bench/, Node 20, 2 cores): a capture costs ≈2.5 µs at 16 frames,
// 3.5 µs at 32, 5.7 µs at 64. 24 frames reach the test body from any reasonable
// depth. Each test or file starts with a full burst; under sustained churn the
// rate bounds the cost to ≈1.5% (5 000 captures/s × 3 µs) and the rest is
// sampled (a dump says how much was not recorded).
export const DEFAULT_RECORDER_OPTIONS: RecorderOptions = {
  maxFrames: 24,
  capturesPerSecond: 5_000,
  captureBurst: 5_000,
};

// Marks promises that have a Capture, without a property anyone can see: a
// private field added through the return-override trick is invisible to
// reflection and proxies.
class Identity {
  constructor(o: object) {
    return o;
  }
}
class Stamp extends Identity {
  #root: Root | undefined;
  #capture: Capture | undefined;
  static stamp(o: object, root: Root, capture: Capture): void {
    const s = new Stamp(o) as unknown as Stamp;
    s.#root = root;
    s.#capture = capture;
  }
  static root(o: object): Root | undefined {
    return #root in o ? (o as unknown as Stamp).#root : undefined;
  }
  static capture(o: object): Capture | undefined {
    return #capture in o ? (o as unknown as Stamp).#capture : undefined;
  }
  static setRoot(o: object, root: Root): void {
    if (#root in o) (o as unknown as Stamp).#root = root;
  }
  static clear(o: object): void {
    (o as unknown as Stamp).#root = undefined;
    (o as unknown as Stamp).#capture = undefined;
  }
  // The constructor is only reached through `stamp`.
  private constructor(o: object) {
    super(o);
  }
}

/**
 * Stands for "no test or hook running" (module load, between tests). Promises
 * created then are stamped, within the same budget, but never listed: a Root
 * only meets them when it awaits one, and then can say where it was created.
 */
export const AMBIENT: Root = newRoot(0, null);

/** Roots created and not yet closed. */
const live = new Set<Root>();

function newRoot(id: number, parent: Root | null): Root {
  return {
    id,
    startedAt: now.call(perf),
    promises: new Map(),
    timers: new Map(),
    handles: new Map(),
    unrecorded: 0,
    prunedTimers: 0,
    closed: false,
    parent,
    children: new Set(),
    label: undefined,
  };
}

/**
 * A first `await`/`.then` on a promise of the same Root more than this many
 * captures after its creation marks a stored promise (a deferred, a lock, a
 * cached result): the place that awaits it is recorded too. Async calls are
 * awaited right after their creation.
 */
const STALE_DISTANCE = 64;

let options: RecorderOptions = DEFAULT_RECORDER_OPTIONS;
let active: Root | null = null;
// Promises made outside any Root are recorded only while the test file loads
// (module-level state, promises made in describe blocks): between tests, only
// Jest's own machinery runs.
let ambientOpen = false;
// Where `.then` callbacks come from. Under Jest, Node's async_hooks track
// promises: a callback runs with its derived promise as the execution resource,
// whose trigger id is the id of the promise it was chained on. A fixed ring,
// indexed by that id, remembers the capture of each recorded promise something
// was chained on, so a dump can follow a leaf made in a `.then` callback back
// to it after it settled. Cleared with each Root.
const RING = 1 << 14;
const ringIds = new Float64Array(RING).fill(-1);
const ringCaptures: Array<Capture | undefined> = new Array(RING).fill(
  undefined,
);
let asyncIdKey: symbol | undefined;
let triggerIdKey: symbol | undefined;

function findAsyncIdKeys(): void {
  if (asyncIdKey !== undefined) return;
  for (const sym of Object.getOwnPropertySymbols(Promise.resolve())) {
    if (sym.description === 'async_id_symbol') asyncIdKey = sym;
    if (sym.description === 'trigger_async_id_symbol') triggerIdKey = sym;
  }
}

/**
 * The capture of the promise a `.then` callback's derived promise was chained
 * on, if recorded.
 */
export function chainedOn(derived: object): Capture | undefined {
  if (triggerIdKey === undefined) return undefined;
  const id = (derived as Record<symbol, unknown>)[triggerIdKey];
  if (typeof id !== 'number') return undefined;
  return ringIds[id & (RING - 1)] === id
    ? ringCaptures[id & (RING - 1)]
    : undefined;
}

// The last promise made with a parent, and the capture its chain leads to.
let lastChild: object | undefined;
let lastChildOf: Capture | undefined;
let nextRootId = 1;
let seq = 0;
// Counts every `.then`/`await`/combinator subscription. A combinator subscribes
// to its inputs in index order right after creating its own promise, so the
// difference between an input's subscription and the combinator's `subAt` is
// the input's index.
let subscriptionCounter = 0;
let tokens = DEFAULT_RECORDER_OPTIONS.captureBurst;
let lastRefill = 0;
let skippedSinceRefill = 0;
let users = 0;
let stopHooks: (() => void) | undefined;
let restoreTimers: (() => void) | undefined;

function capture(skip: (...args: never[]) => unknown, owner: Root): Capture {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = options.maxFrames;
  const holder = {};
  captureStackTrace(holder, skip);
  Error.stackTraceLimit = limit;
  return {
    holder,
    seq: ++seq,
    subAt: subscriptionCounter,
    at: now.call(perf),
    context: executionAsyncResource(),
    subscriptions: undefined,
    owner,
  };
}

// Called only when the bucket is empty; reads the clock once per 256 skipped
// promises.
function refill(): boolean {
  if ((++skippedSinceRefill & 255) !== 0) return false;
  const t = now.call(perf);
  tokens = Math.min(
    options.captureBurst,
    tokens + ((t - lastRefill) * options.capturesPerSecond) / 1000,
  );
  lastRefill = t;
  return tokens >= 1;
}

function onInit(
  promise: Promise<unknown>,
  parent: Promise<unknown> | undefined,
): void {
  const root = active;
  if (root === null) {
    if (parent === undefined && ambientOpen) captureAmbient(promise);
    return;
  }
  if (parent !== undefined) {
    subscriptionCounter++;
    let c = Stamp.capture(parent);
    // A promise derived from the one made just before (`p.then(a).then(b)`, or
    // the wrapper V8 makes to `await` a promise of another realm, whose parent
    // is the awaiting function's own promise): it belongs to the same chain.
    const derived = c === undefined && parent === lastChild;
    if (derived) c = lastChildOf;
    lastChild = promise;
    lastChildOf = c;
    if (derived && c !== undefined && c.owner === root) {
      // A subscription to the chain (`Promise.all([load().then(parse)])`)
      // counts as one to its head, to tell a combinator's inputs by (a long
      // chain made in a loop adds a bounded few).
      const subs = (c.subscriptions ??= []);
      if (subs.length < 64) subs.push(subscriptionCounter);
      return;
    }
    if (c !== undefined && c.owner === root) {
      if (asyncIdKey !== undefined) {
        const id = (parent as unknown as Record<symbol, unknown>)[asyncIdKey];
        if (typeof id === 'number') {
          ringIds[id & (RING - 1)] = id;
          ringCaptures[id & (RING - 1)] = c;
        }
      }
      const subs = (c.subscriptions ??= []);
      subs.push(subscriptionCounter);
      // A second waiter, or a late first one: a stored promise. Record where it
      // is awaited.
      if (subs.length === 1 && seq - c.seq <= STALE_DISTANCE) return;
    }
    if (!take(root)) return;
    const a = capture(onInit, root);
    a.awaits = c ?? null;
    a.awaited = parent;
    Stamp.stamp(promise, root, a);
    root.promises.set(promise, a);
    return;
  }
  if (!take(root)) return;
  const c = capture(onInit, root);
  Stamp.stamp(promise, root, c);
  root.promises.set(promise, c);
}

// One token of the capture budget, if there is one.
function take(root: Root): boolean {
  if (tokens < 1 && !refill()) {
    root.unrecorded++;
    return false;
  }
  tokens--;
  return true;
}

function captureAmbient(promise: Promise<unknown>): void {
  if (tokens < 1 && !refill()) return;
  tokens--;
  Stamp.stamp(promise, AMBIENT, capture(onInit, AMBIENT));
}

function onSettled(promise: Promise<unknown>): void {
  const root = Stamp.root(promise);
  if (root === undefined) return;
  if (root !== AMBIENT) root.promises.delete(promise);
  Stamp.clear(promise);
}

function onTimerCreated(timer: object): void {
  const root = active;
  if (root === null || !take(root)) {
    // Still in the test file's ledger: a timer a callback sets again, between
    // tests, is traced back through the timer whose callback it was.
    noteOpened('timer', timer, undefined, root);
    return;
  }
  const c = capture(onTimerCreated, root);
  if (root.timers.size >= 4096) pruneTimers(root);
  root.timers.set(timer, c);
  noteOpened('timer', timer, c, root);
}

function pruneTimers(root: Root): void {
  for (const timer of root.timers.keys()) {
    if ((timer as {_destroyed?: boolean})._destroyed === true) {
      root.timers.delete(timer);
      root.prunedTimers++;
    }
  }
}

// Node publishes, synchronously in the user's call, each socket it connects,
// each server that starts listening and each child process it spawns. Nothing
// runs when there are no subscribers, and these are rare events, so each gets a
// stack.
const HANDLE_CHANNELS: Array<[string, HandleKind, string]> = [
  ['net.client.socket', 'socket', 'socket'],
  ['tracing:net.server.listen:asyncStart', 'server', 'server'],
  ['child_process', 'child-process', 'process'],
];

function onHandle(kind: HandleKind, field: string, message: unknown): void {
  const root = active;
  const handle = (message as Record<string, unknown> | null)?.[field];
  if (
    root === null ||
    typeof handle !== 'object' ||
    handle === null ||
    root.handles.has(handle)
  )
    return;
  const c = capture(onHandle, root);
  root.handles.set(handle, {kind, capture: c});
  noteOpened(kind, handle, c, root);
}

// A keep-alive socket reused for another request has read the earlier
// responses: a dump counts the bytes of this one from what the socket had read
// when the request was sent (Node publishes this once the request is written,
// before its response can arrive).
const readBeforeRequest = new WeakMap<object, number>();

function onRequestStart(message: unknown): void {
  const req = (
    message as {
      request?: {reusedSocket?: unknown; socket?: {bytesRead?: unknown} | null};
    } | null
  )?.request;
  if (
    active === null ||
    typeof req !== 'object' ||
    req === null ||
    req.reusedSocket !== true
  )
    return;
  const read = req.socket?.bytesRead;
  if (typeof read === 'number') readBeforeRequest.set(req, read);
}

/**
 * Bytes the socket of an HTTP client request had read before it was sent (0 for
 * a new socket).
 */
export function bytesReadBefore(request: object): number {
  return readBeforeRequest.get(request) ?? 0;
}

function subscribeHandles(): () => void {
  const subs = HANDLE_CHANNELS.map(([name, kind, field]) => {
    const fn = (message: unknown): void => onHandle(kind, field, message);
    diagnostics.subscribe(name, fn);
    return () => diagnostics.unsubscribe(name, fn);
  });
  diagnostics.subscribe('http.client.request.start', onRequestStart);
  subs.push(() =>
    diagnostics.unsubscribe('http.client.request.start', onRequestStart),
  );
  return () => subs.forEach(off => off());
}

// Timeout and Immediate assign their callback property once, in their
// constructors. An accessor on the prototype sees that assignment (with the
// user's call on the stack) and replaces itself with an ordinary own data
// property, so the object looks as usual.
function interceptTimers(): () => void {
  const t = setTimeout(() => {}, 0);
  const i = setImmediate(() => {});
  clearTimeout(t);
  clearImmediate(i);
  const targets: Array<[object, string]> = [
    [Object.getPrototypeOf(t), '_onTimeout'],
    [Object.getPrototypeOf(i), '_onImmediate'],
  ];
  const installed: Array<[object, string]> = [];
  for (const [proto, key] of targets) {
    if (Object.getOwnPropertyDescriptor(proto, key) !== undefined) continue;
    Object.defineProperty(proto, key, {
      configurable: true,
      enumerable: false,
      get: () => undefined,
      set(this: object, value: unknown) {
        Object.defineProperty(this, key, {
          value,
          writable: true,
          enumerable: true,
          configurable: true,
        });
        onTimerCreated(this);
      },
    });
    installed.push([proto, key]);
  }
  return () => {
    for (const [proto, key] of installed)
      delete (proto as Record<string, unknown>)[key];
  };
}

/**
 * Starts recording (idempotent, reference counted): one call per environment.
 * Returns the function that stops it.
 *
 * @example
 * const stop = startRecording({maxFrames: 32});
 * try { await runWithRoots(); } finally { stop(); }
 */
export function startRecording(opts?: Partial<RecorderOptions>): () => void {
  // A later user (a `traced()` call inside a test) keeps the options already in
  // force.
  if (users === 0 || opts !== undefined) {
    ambientOpen = true;
    options = {...DEFAULT_RECORDER_OPTIONS, ...opts};
    tokens = options.captureBurst;
    lastRefill = now.call(perf);
  }
  if (users++ === 0) {
    stopHooks = promiseHooks.createHook({
      init: onInit,
      settled: onSettled,
    }) as () => void;
    const untimers = interceptTimers();
    const unhandles = subscribeHandles();
    restoreTimers = () => {
      untimers();
      unhandles();
    };
  }
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    if (--users === 0) {
      stopHooks?.();
      restoreTimers?.();
      stopHooks = restoreTimers = undefined;
      active = null;
    }
  };
}

/**
 * Creates a Root. It records nothing until it is {@link enterRoot entered}.
 * With a parent, it is nested in it: a dump of the parent includes it, and
 * leaving it re-enters the parent.
 *
 * @example
 * // The low-level way to what `traced()` does (use `traced()` unless you need
 * // the parts):
 * import {
 *   closeRoot, createPositionMapper, createRoot, enterRoot, leaveRoot,
 *   renderDump, startRecording, takeDump,
 * } from 'jest-taskdump';
 * const stop = startRecording();
 * const root = createRoot();
 * enterRoot(root);
 * const work = startWork(); // promises and timers created now belong to `root`
 * leaveRoot(root);
 * setTimeout(() => {
 *   const dump = takeDump(root, {
 *     rootType: 'traced', rootName: 'startWork', testPath: __filename,
 *     rootDir: process.cwd(), timeoutMs: null, waitsForDone: false,
 *     mapPosition: createPositionMapper(undefined),
 *     isMachinery: () => false, isRunner: () => false, now: performance.now(),
 *   });
 *   console.log(renderDump(dump));
 *   closeRoot(root);
 *   stop();
 * }, 1000);
 */
export function createRoot(parent: Root | null = null): Root {
  const root = newRoot(
    nextRootId++,
    parent !== null && !parent.closed ? parent : null,
  );
  root.parent?.children.add(root);
  live.add(root);
  return root;
}

/**
 * Makes `root` the active Root: promises and timers created from now on belong
 * to it.
 *
 * @example
 * enterRoot(root);
 * const pending = client.connect(); // recorded under `root`
 * leaveRoot(root);
 */
export function enterRoot(root: Root): void {
  findAsyncIdKeys();
  ambientOpen = false;
  active = root.closed ? null : root;
}

/**
 * Stops attributing new work to `root` (if it is the active one); its parent
 * becomes active again.
 *
 * @example
 * enterRoot(root);
 * try { started = startWork(); } finally { leaveRoot(root); }
 */
export function leaveRoot(root: Root): void {
  if (active === root)
    active = root.parent !== null && !root.parent.closed ? root.parent : null;
}

/** The active Root, if any. */
export function activeRoot(): Root | null {
  return active;
}

/** Every Root created and not yet closed (for dumps on demand). */
export function liveRoots(): Root[] {
  return [...live];
}

/**
 * Ends `root`. Its pending promises stay stamped, as made outside any Root: a
 * later test that awaits one (a server started in `beforeAll`) can still say
 * where it was created.
 *
 * @example
 * const dump = takeDump(root, context);
 * closeRoot(root); // nothing of `root` is kept after this
 */
export function closeRoot(root: Root): void {
  for (const child of [...root.children]) closeRoot(child);
  leaveRoot(root);
  root.closed = true;
  root.parent?.children.delete(root);
  live.delete(root);
  for (const [p, c] of root.promises) {
    c.owner = AMBIENT;
    c.subscriptions = undefined;
    c.awaited = undefined;
    Stamp.setRoot(p, AMBIENT);
  }
  root.promises.clear();
  root.timers.clear();
  root.handles.clear();
  if (root.parent === null) {
    ringIds.fill(-1);
    ringCaptures.fill(undefined);
  }
  lastChild = lastChildOf = undefined;
}

/**
 * The recorder's own objects that refer to promises, timers and handles (Roots,
 * their maps, the ring of chained captures): a search of the heap for what
 * keeps a promise alive must not count them. Forgets the last chained promise
 * it remembers (a hint only).
 */
export function recorderObjects(): object[] {
  lastChild = lastChildOf = undefined;
  const out: object[] = [ringCaptures, AMBIENT];
  for (const r of live) out.push(r, r.promises, r.timers, r.handles);
  return out;
}

/** True when a timer/immediate recorded by a Root will still run. */
export function isTimerPending(timer: object): boolean {
  const t = timer as {
    _destroyed?: boolean;
    _onTimeout?: unknown;
    _onImmediate?: unknown;
  };
  if (t._destroyed === true) return false;
  if ('_onImmediate' in t) return t._onImmediate !== null;
  return t._onTimeout !== null;
}
