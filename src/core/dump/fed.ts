/**
 * One hang, one branch: what feeds a stuck promise is drawn under it, as
 * what that promise waits on, when the waker search found that promise's
 * resolve function kept behind it:
 * - a timer, socket, server or child process drawn in a branch of its own
 *   (one made in a callback that could not be traced back, or one the body
 *   made at a line it has passed: {@link apart}), whose callback or listeners
 *   keep it
 *   (wakers/feeds.ts); what hangs below it (the server's side of a socket's
 *   connection, dump/peers.ts) moves with it;
 * - a promise nothing the Root runs waits on (detached, or a chain whose end
 *   is dropped: a call nobody awaits, a `.then()` whose result nobody keeps),
 *   whose chain's reactions keep it (wakers/promise-feeds.ts); a promise whose
 *   executor started it (drawn above it, waiting on it) moves with it.
 * The promise fed then waits on the branch below it: shown, not counted
 * again. "Keeps" is taken for "feeds", except where the program showed
 * otherwise: a repeating timer that has fired since the promise was made, which
 * is still pending, did not settle it however much of its keeper it reaches
 * (tarn's reaper, `setInterval(() => this.check(), 1000)`, reaches the pool
 * that keeps a pending `acquire()`'s resolve function, and only destroys idle
 * resources): it stays a branch of its own.
 */
import type {Leaf, TaskDump} from '../types';
import {hostOf, inputOf} from '../inputs';
import {TIMERS_PROMISES} from './timer-made';
import {hoistRootFrame, lineKey} from './finish';
import {passedAt, withoutCombinator} from './passed';
import {samePath, sharedFrames, startsWith} from './paths';
import {drawnUnder, waitsUnder} from './waits-under';

/**
 * Leaves the search found feeding a stuck promise of their dump (drawn under
 * it, beside its deadlock, or over their own events' work): those of another
 * Root stay in the dump ({@link dropUnfed}).
 */
const feeding = new WeakSet<Leaf>();

/**
 * Moves each feeding branch under the promise it feeds. A branch that feeds
 * several (a batch that settles each of its loads) is drawn under the first
 * when they are inputs of one combinator, and the others say that they wait
 * on what that one waits on ({@link hostOf}); else it stays where it is.
 * Returns the feeding leaves now under what they feed.
 */
export function nestFed(
  dump: TaskDump,
  feeds: ReadonlyArray<{handle: Leaf; promise: Leaf; besides?: true}>,
): Leaf[] {
  const nested: Leaf[] = [];
  const fed = new Map<Leaf, Leaf[]>();
  const besides = new Map<Leaf, Leaf[]>();
  for (const f of feeds)
    if (f.besides === true)
      besides.set(f.handle, [...(besides.get(f.handle) ?? []), f.promise]);
  feeds = feeds.filter(f => f.besides !== true);
  // Two promises each found keeping the other's resolve function (both kept
  // in one table their chains reach): nothing says which feeds which.
  const mutual = (a: Leaf, b: Leaf): boolean =>
    feeds.some(f => f.handle === b && f.promise === a);
  for (const {handle, promise} of feeds)
    if (!mutual(handle, promise))
      fed.set(handle, [...(fed.get(handle) ?? []), promise]);
  // An interval a socket's events started is the socket's keep-alive: it
  // feeds what the socket feeds through the socket (mqtt's pinger reaches the
  // client whose 'message' a promise waits for). Not a one-shot timer: a
  // greeting's timeout (nodemailer's) is how the wait may end.
  for (const [handle, promises] of [...fed])
    if (
      handle.timer?.repeat === true &&
      [...fed].some(
        ([other, theirs]) =>
          ownEventWork(other, handle) &&
          promises.every(p => theirs.includes(p)),
      )
    )
      fed.delete(handle);
  for (const [handle, all] of fed) {
    // Its own events' work, drawn under it, that it keeps: it waits on it.
    const own = all.filter(p => ownWork(handle, p, dump));
    for (const p of own) p.waitsOnAbove = handle.kind;
    if (own.length > 0) feeding.add(handle);
    const promises = all.filter(p => !own.includes(p));
    if (promises.length === 0) continue;
    const host = promises.length === 1 ? promises[0] : hostOf(promises);
    if (host?.waker?.deadlock === true) {
      besideDeadlock(dump, handle);
      feeding.add(handle);
      continue;
    }
    if (host !== undefined && besideAt(dump, handle, host)) {
      host.waitsOnBeside = handle.kind;
      feeding.add(handle);
      continue;
    }
    if (host === undefined) continue;
    const moved = nest(dump, handle, host);
    // What it reaches besides, when drawn under the one it keeps.
    if (promises.length === 1 && (moved || drawnUnder(handle, host)))
      waitsUnder(dump, handle, besides.get(handle) ?? []);
    if (!moved) continue;
    nested.push(handle);
    feeding.add(handle);
    // The promise's other branches wait on what is now drawn under it.
    if (host.shared !== undefined)
      for (const l of dump.leaves)
        if (l !== host && l.shared === host.shared) l.waitsWithShared = true;
    const index = promises.length > 1 ? inputOf(host)?.index : undefined;
    if (index === undefined) continue;
    for (const p of promises) if (p !== host) p.waitsWithInput = index;
  }
  return nested;
}

/**
 * Whether `p` is drawn under `handle`'s leaf, as work its callbacks made (the
 * commands a client sends on its socket's 'connect').
 */
function ownWork(handle: Leaf, p: Leaf, dump: TaskDump): boolean {
  return (
    p !== handle &&
    handle.kind !== 'promise' &&
    dump.leaves.includes(handle) &&
    p.detached === handle.detached &&
    p.path.length > handle.path.length &&
    startsWith(p.path, handle.path)
  );
}

/**
 * A timer or handle in a branch of its own whose one promise fed is a
 * deadlocked wait (pg-pool's held connection: its socket's error would give
 * it back to the pool): the deadlock is what hangs, not it. Set aside, and
 * the server's side of its connection drawn under it with it.
 */
function besideDeadlock(dump: TaskDump, handle: Leaf): void {
  if (
    handle.kind === 'promise' ||
    !dump.leaves.includes(handle) ||
    !apart(handle, dump)
  )
    return;
  handle.aside = true;
  handle.asideWith = 'deadlock';
  if (handle.waiting !== true) return;
  for (const l of dump.leaves)
    if (
      l.kind === 'server' &&
      l.detached === handle.detached &&
      l.path.length <= handle.path.length + 1 &&
      startsWith(l.path, handle.path)
    ) {
      l.aside = true;
      l.asideWith = 'above';
    }
}

/**
 * Whether the handle `handle` that feeds `promise` is drawn at the very node
 * the promise is, made by the one call it is drawn at (a child process
 * `promisify(execFile)(…)` spawned, whose close settles the promise it
 * returned): it cannot be drawn under it ({@link nest} draws a branch with no
 * frame of its own below the promise at the line it was made, which is the
 * promise's).
 */
function besideAt(dump: TaskDump, handle: Leaf, promise: Leaf): boolean {
  if (
    handle.kind === 'promise' ||
    handle.detached !== promise.detached ||
    !samePath(handle, promise) ||
    !dump.leaves.includes(handle) ||
    !dump.leaves.includes(promise) ||
    promise.waiting === true ||
    promise.waker?.deadlock === true
  )
    return false;
  // Another leaf at that node, or under it: which waits on which is not
  // known.
  return !dump.leaves.some(
    l =>
      l !== handle &&
      l !== promise &&
      l.detached === handle.detached &&
      startsWith(l.path, handle.path),
  );
}

/**
 * Moves `handle`'s branch under `promise`; whether it is under it now.
 */
function nest(dump: TaskDump, handle: Leaf, promise: Leaf): boolean {
  if (
    handle === promise ||
    !dump.leaves.includes(handle) ||
    !dump.leaves.includes(promise)
  )
    return false;
  // A deadlock is the whole of its wait: what it waits for is held by its own
  // branch. A handle that reaches what keeps its resolve function (the held
  // connection's socket, whose error would release it to the pool) is not
  // what it waits on.
  if (promise.waker?.deadlock === true) return false;
  if (firedSince(handle, promise, dump.elapsedMs)) return false;
  // Where the two branches part, when one call of theirs made the handle at a
  // line it has passed and waits on the promise at a later one.
  const passed =
    handle.detached === promise.detached ? passedAt(handle, promise) : -1;
  if (handle.kind !== 'promise' && !apart(handle, dump)) return false;
  // What moves: the feeding leaf's branch, from the promise waiting on it
  // whose executor started it, if there is one (below where they part).
  let prefix = handle.path;
  for (const l of dump.leaves)
    if (
      l.waiting === true &&
      l.detached === handle.detached &&
      l.path.length < prefix.length &&
      l.path.length > passed &&
      startsWith(handle.path, l.path)
    )
      prefix = l.path;
  // Not another handle made by the same calls (a pool's threads, started in
  // one loop): what that one feeds is asked of it.
  const moved = dump.leaves.filter(
    l =>
      l.detached === handle.detached &&
      startsWith(l.path, prefix) &&
      (l === handle || l.kind !== handle.kind || !samePath(l, handle)),
  );
  if (!moved.includes(handle) || moved.includes(promise)) return false;
  // Not a branch in which the promise, or one it is drawn under, is drawn
  // again (a second leaf of one promise): it would be drawn waiting on
  // itself.
  const above = new Set(
    dump.leaves
      .filter(
        l =>
          l.shared !== undefined &&
          l.detached === promise.detached &&
          (l === promise ||
            (l.waiting === true &&
              l.path.length < promise.path.length &&
              startsWith(promise.path, l.path))),
      )
      .map(l => l.shared),
  );
  if (moved.some(l => l.shared !== undefined && above.has(l.shared)))
    return false;
  // Under the promise already, as a branch it waits on: nothing to move.
  if (startsWith(prefix, promise.path) && promise.waiting === true) return true;
  // Frames the two branches share (a timer made by the calls that made the
  // promise) are drawn once, above the promise.
  const shared = sharedFrames(handle.path, promise.path, prefix.length);
  // The line the call has passed, drawn under the promise, is no input of
  // the combinator the promise's branch is in now.
  const part = handle.path[passed];
  const plain = part === undefined ? undefined : withoutCombinator(part);
  const paths = moved.map(l => [
    ...promise.path,
    ...l.path.slice(shared).map(f => (f === part ? plain! : f)),
  ]);
  // A branch with no frame of its own below the promise would be drawn beside
  // it, as a branch of its own, under a promise that says "it waits on:" over
  // nothing: it is drawn at the frame where its leaf was made, or not moved.
  if (paths.every(p => p.length === promise.path.length)) {
    const made = handle.createdAt;
    const above = promise.path[promise.path.length - 1] ?? dump.rootFrame;
    if (made === null || (above !== null && lineKey(made) === lineKey(above)))
      return false;
    for (const p of paths) p.push({...made, async: false});
  }
  moved.forEach((l, k) => {
    l.path = paths[k];
    l.detached = promise.detached;
  });
  promise.waiting = true;
  // Drawn in the order of the tree's paths: right after the promise.
  const rest = dump.leaves.filter(l => !moved.includes(l));
  rest.splice(rest.indexOf(promise) + 1, 0, ...moved);
  dump.leaves.splice(0, dump.leaves.length, ...rest);
  return true;
}

/**
 * Takes out of the dump the leaves of `earlier` (worker threads and sockets
 * another Root opened: outliving.ts) the search did not find feeding a stuck
 * promise of it, or still in a branch of their own after the search, with
 * what is drawn under them (a socket's server side): what they feed, if
 * anything, is no stuck promise of this dump. Not where they happen to be
 * drawn: a promise the test body awaits is drawn over every branch of the
 * dump, another Root's too (an earlier file's worker thread is no part of
 * what a debounced call waits on).
 */
export function dropUnfed(dump: TaskDump, earlier: readonly Leaf[]): void {
  const apartNow = earlier.filter(l => !feeding.has(l) || apart(l, dump));
  if (apartNow.length === 0) return;
  const under = (l: Leaf, e: Leaf): boolean =>
    l === e || (l.detached === e.detached && startsWith(l.path, e.path));
  const kept = dump.leaves.filter(l => !apartNow.some(e => under(l, e)));
  dump.leaves.splice(0, dump.leaves.length, ...kept);
  if (dump.rootFrame === null) dump.rootFrame = hoistRootFrame(dump.leaves);
}

/**
 * Whether a timer or handle leaf is a branch of its own, which may feed a
 * promise of another branch: not traced back, or traced back only to where it
 * was made (a line the body has passed: a child process spawned before the
 * `await` on its exit, the socket of a `fetch()` that settled while its body
 * is still awaited; a socket an async function dialled at a line it has
 * passed, now waiting on a promise at a later line: {@link passedAt}), not
 * under a promise that waits on it (whose executor made it); or made by a
 * socket's events (what the socket waits on is its other end).
 */
export function apart(leaf: Leaf, dump: TaskDump): boolean {
  // A combinator's input is what it waits on, and a `timers/promises` timer
  // stands for the promise its branch waits on.
  if (
    !leaf.detached &&
    (leaf.input !== undefined || leaf.what.startsWith(TIMERS_PROMISES))
  )
    return false;
  return (
    leaf.detached ||
    dump.leaves.some(l => ownEventWork(l, leaf)) ||
    dump.leaves.some(
      p =>
        p.kind === 'promise' &&
        p.detached === leaf.detached &&
        passedAt(leaf, p) !== -1,
    ) ||
    !dump.leaves.some(
      l =>
        l !== leaf &&
        l.waiting === true &&
        !l.detached &&
        startsWith(leaf.path, l.path),
    )
  );
}

/**
 * Whether `leaf` was made by the callbacks of the socket `socket` (its path
 * goes on from the socket's with a `socket event` frame: mqtt's keep-alive
 * pinger, set when the broker's first reply arrives): what a socket's
 * events start is no part of what it waits on (its other end).
 */
export function ownEventWork(socket: Leaf, leaf: Leaf): boolean {
  return (
    socket !== leaf &&
    socket.kind === 'socket' &&
    socket.detached === leaf.detached &&
    startsWith(leaf.path, socket.path) &&
    leaf.path[socket.path.length]?.name === 'socket event'
  );
}

/** A timer fires late, never early: one due less than this ago may not have. */
const LATE_MS = 50;

/**
 * Whether `handle` is a repeating timer that has fired since `promise` was
 * made: a leaf's age is its creation's offset from the Root's start, and an
 * interval fires every `delayMs` from its creation (`refresh()` aside).
 */
function firedSince(handle: Leaf, promise: Leaf, nowMs: number): boolean {
  const t = handle.timer;
  if (t === undefined || !t.repeat || t.delayMs <= 0) return false;
  // The first firing due after the promise was made.
  const k = Math.max(
    1,
    Math.floor((promise.ageMs - handle.ageMs) / t.delayMs) + 1,
  );
  return handle.ageMs + k * t.delayMs <= nowMs - LATE_MS;
}
