/**
 * Timeouts on a wait, in the dump. A promise that waits on the branches below
 * it (its executor started them) may have set a timer among them whose
 * callback can settle it: a timeout (p-timeout, opossum, tarn's acquire
 * timeout). Beside another stuck branch under the same promise, that timer is
 * how the wait ends if the other never does: one hang, so it is shown, said
 * to be a timeout, and not counted as a stuck branch of its own. Which timers
 * are timeouts is read from the heap (wakers/guards.ts); this module asks the
 * question and marks the answer.
 */
import type {Leaf, TaskDump} from '../types';
import {inputOf} from '../inputs';
import {stuckLeaves} from '../tree';
import {startsWith} from './paths';

/**
 * The timers that may be timeouts on the wait of `waiting`: one-shot real
 * timers under it, still to fire after the test's timeout, beside a stuck
 * branch under it that is no such timer, or under another input of a
 * `Promise.race` it is an input of. Empty when there is none of either.
 */
export function timeoutCandidates(dump: TaskDump, waiting: Leaf): Leaf[] {
  const under = leavesUnder(dump, waiting);
  const timers = under.filter(candidate);
  const stuck = new Set(stuckLeaves({leaves: under}));
  const others = under.filter(l => stuck.has(l) && !timers.includes(l));
  if (others.length > 0 || waiting.heldElsewhere === true) return timers;
  // An input of a race that only a timer settles (`Promise.race([query,
  // timeout(ms)])`) is a timeout on the race's wait on the other inputs.
  return timers.length > 0 &&
    stuckLeaves({leaves: raceSiblings(dump, waiting)}).length > 0
    ? timers
    : [];
}

/**
 * The timers under `waiting` when they are all that is stuck under it (and
 * it is no input of a race): a timeout on its wait if something else keeps
 * its resolve function (a reply nobody sends), which the search is asked.
 */
export function timersAlone(dump: TaskDump, waiting: Leaf): Leaf[] {
  const under = leavesUnder(dump, waiting);
  const timers = under.filter(candidate);
  const stuck = stuckLeaves({leaves: under});
  return timers.length > 0 &&
    stuck.every(l => timers.includes(l)) &&
    raceInput(waiting) === undefined
    ? timers
    : [];
}

/**
 * The leaves under the other inputs of the `Promise.race` whose input
 * `waiting` is (by its own frame in the race, or as the input itself).
 */
export function raceSiblings(dump: TaskDump, waiting: Leaf): Leaf[] {
  const own = raceInput(waiting);
  if (own === undefined) return [];
  return dump.leaves.filter(l => {
    if (l === waiting || l.detached !== waiting.detached) return false;
    const input =
      l.path.length > own.depth
        ? l.path[own.depth].combinator
        : l.path.length === own.depth
          ? l.input
          : undefined;
    return (
      input?.name === 'Promise.race' &&
      input.index !== own.index &&
      startsWith(l.path, waiting.path.slice(0, own.depth))
    );
  });
}

/** Where `leaf` is an input of a `Promise.race`, the innermost combinator. */
function raceInput(leaf: Leaf): {depth: number; index: number} | undefined {
  const at = inputOf(leaf);
  if (at === undefined) return undefined;
  const name =
    at.depth === leaf.path.length
      ? leaf.input?.name
      : leaf.path[at.depth].combinator?.name;
  return name === 'Promise.race' ? at : undefined;
}

/**
 * The sockets, servers, child processes and worker threads under the wait of
 * `waiting` (a socket drawn waiting on its server's side included): what a
 * timer among its {@link timeoutCandidates} may end.
 */
export function handlesBeside(dump: TaskDump, waiting: Leaf): Leaf[] {
  return leavesUnder(dump, waiting).filter(
    l =>
      l.kind === 'socket' ||
      l.kind === 'server' ||
      l.kind === 'child-process' ||
      l.kind === 'worker',
  );
}

/**
 * The one-shot timers drawn under the wait of `waiting`, an input of a
 * combinator: a timer that settles other inputs too (a batch's flush, a
 * debounce's trailing call) is what they wait on (wakers/same-timer.ts).
 */
export function timersUnderInput(dump: TaskDump, waiting: Leaf): Leaf[] {
  if (inputOf(waiting) === undefined) return [];
  return leavesUnder(dump, waiting).filter(candidate);
}

function leavesUnder(dump: TaskDump, waiting: Leaf): Leaf[] {
  if (waiting.waiting !== true || waiting.detached) return [];
  return dump.leaves.filter(
    l => l !== waiting && !l.detached && startsWith(l.path, waiting.path),
  );
}

function candidate(l: Leaf): boolean {
  return (
    l.kind === 'timer' &&
    l.timer !== undefined &&
    !l.timer.repeat &&
    l.busy !== true &&
    l.loop === undefined &&
    l.guards === undefined
  );
}

/**
 * Marks the timers found to be timeouts on the promise above them, those
 * still {@link timeoutCandidates} (nothing else is stuck under a promise whose
 * only branches are timers: each is then a branch).
 */
export function markTimeouts(
  dump: TaskDump,
  found: ReadonlyArray<{timer: Leaf; promise: Leaf}>,
): void {
  const byPromise = new Map<Leaf, Leaf[]>();
  for (const {timer, promise} of found) {
    if (!dump.leaves.includes(timer) || !dump.leaves.includes(promise))
      continue;
    byPromise.set(promise, [...(byPromise.get(promise) ?? []), timer]);
  }
  for (const [promise, timers] of byPromise) {
    const allowed = timeoutCandidates(dump, promise);
    const marked = timers.filter(t => allowed.includes(t));
    for (const t of marked) t.guards = {at: promise.createdAt};
  }
}

/**
 * `feeds` less a timer's found feeding a promise at or under one it is a
 * timeout on (tarn's acquire timeout rejects the deferred its wait is on,
 * through its `.catch()`): its wait ends when it fires, a timeout on that
 * wait; drawn under the deferred, the deferred would read as waiting on it,
 * and the timer as a stuck branch.
 */
export function besideTimeouts<F extends {handle: Leaf; promise: Leaf}>(
  dump: TaskDump,
  feeds: readonly F[],
  guards: ReadonlyArray<{timer: Leaf; promise: Leaf}>,
): F[] {
  return feeds.filter(
    f =>
      !guards.some(
        g =>
          g.timer === f.handle &&
          dump.leaves.includes(g.promise) &&
          g.promise.detached === f.promise.detached &&
          startsWith(f.promise.path, g.promise.path) &&
          timeoutCandidates(dump, g.promise).includes(f.handle),
      ),
  );
}
