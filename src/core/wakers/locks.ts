/**
 * Locks, queues and pools: who holds the lock a waiter's resolve function is
 * queued in, and deadlocks.
 *
 * A branch holds a lock when it keeps what gives the lock back: a function the
 * lock's own methods made that refers to the lock (async-mutex's `release`, a
 * hand-written `() => this.release()`, p-queue's running job), or an object
 * the lock records in a Map of its own (generic-pool's borrowed resource).
 * Referring to the lock is not holding it: a waiter refers to it too, to call
 * `acquire`. A branch is the code that waits on a stuck promise: the async
 * functions (native, or compiled to generators) suspended on it and on theirs,
 * with their locals. When the waiter's own branch holds its lock, the branch
 * waits for itself; when two branches each hold what the other waits for, they
 * deadlock. When no stuck branch holds it, what is known is said (nothing but
 * the lock refers to what it lent) and no more.
 */
import type {Frame, Leaf} from '../types';
import {edgeNamed} from '../heap';
import {type Branch, holderFrame, walkBranch} from './branches';
import {notARelease} from './not-releases';
import type {WakerContext} from './context';
import type {WakerSubject} from './types';
import {
  jobFrame,
  onTheWayIn,
  reactionJobs,
  resumedBy,
  runningJobs,
} from './jobs';
import {lentOnlyToItself, reenteredWords} from './words';
import {reenteredAbove} from './reentry';
import {releaseOfKey, waiterKey} from './lock-keys';
import type {Chain} from './heap-index';
import {queuedBehind} from './queued-behind';
import {recordJobs} from './record-jobs';
import {type InUse, inUseOf, inUsePlace} from './pool-use';

/**
 * For subjects whose resolve function an object keeps (`chains[i]`: those
 * objects, nearest first): which stuck branch holds the lock, and deadlocks.
 * Sets `heldBy`, `heldHere` and `deadlock` on their wakers.
 */
export function findHolders(
  cx: WakerContext,
  subjects: WakerSubject[],
  chains: Array<number[] | undefined>,
  queues: ReadonlyArray<Chain | undefined> = [],
): void {
  const {ix} = cx;
  const nodes = ix.probe.subjects;
  const locks = chains.map(c =>
    c === undefined || c.length === 0 ? undefined : lockOf(cx, c),
  );
  if (!locks.some(l => l !== undefined)) return;
  // A branch does not reach through a lock into what it keeps (its queue of
  // waiters, the releases it keeps for itself).
  const avoid = new Set<number>();
  for (const l of locks) for (const n of l ?? []) avoid.add(n);
  const branches = new Map<number, Branch>();
  const branchOf = (j: number): Branch => {
    let b = branches.get(j);
    if (b === undefined) {
      b = walkBranch(cx, nodes[j], avoid);
      branches.set(j, b);
    }
    return b;
  };
  // A function of the lock's that waits on the branch (a reaction of its
  // own on the promise) is the lock's code, not a release the branch keeps;
  // but a running job of the lock (jobs.ts) holds its slot by waiting on the
  // branch: it gives the slot back when the branch settles.
  const holds = (
    b: Branch,
    t: number,
    jobs: Set<number>,
    lock: number[],
    leaf: Leaf,
  ): boolean => {
    const from = b.parent.get(t);
    if (from === undefined) return false;
    if (jobs.has(t)) return resumedBy(cx, b, t);
    if (from !== -1 && notARelease(cx, b, t, from, lock, leaf)) return false;
    return from === -1 || ix.g.name(from) !== 'system / PromiseReaction';
  };
  const heldBy: number[][] = subjects.map(() => []);
  // Waiters on one lock share its releases, and what is said of its loans.
  const tokensByLock = new Map<number, Tokens>();
  const lentAlone = new Map<number, boolean>();
  const lentOnlyTo = (lock: number[], entries: Set<number>): boolean => {
    let alone = lentAlone.get(lock[0]);
    if (alone === undefined) {
      alone = onlyThrough(cx, entries, lock);
      lentAlone.set(lock[0], alone);
    }
    return alone;
  };
  // The running jobs that hold slots of the queue a subject waits in (jobs.ts),
  // when every one of them waits on a stuck branch: a job that waits on
  // anything else may still give its slot back.
  const stuckJobs = (i: number): Set<number> => {
    const jobs = [
      ...runningJobs(cx, ix.resolversOf(nodes[i]), locks[i] ?? []),
      ...reactionJobs(cx, locks[i] ?? []),
      ...recordJobs(cx, locks[i] ?? []),
    ].filter(t => !onTheWayIn(cx, t, subjects[i].leaf));
    const stuck = jobs.every(t =>
      subjects.some((_, j) => nodes[j] !== -1 && resumedBy(cx, branchOf(j), t)),
    );
    return new Set(stuck ? jobs : []);
  };
  subjects.forEach((s, i) => {
    const lock = locks[i];
    const waker = s.leaf.waker;
    if (lock === undefined || waker === undefined || nodes[i] === -1) return;
    let tokens = tokensByLock.get(lock[0]);
    if (tokens === undefined) {
      tokens = tokensOf(cx, lock);
      tokensByLock.set(lock[0], tokens);
    }
    // A keyed lock's releases of other keys give this one nothing back.
    const queue = queues[i];
    const key = queue === undefined ? null : waiterKey(cx, queue);
    const ofKey = (t: number): boolean =>
      key === null || releaseOfKey(cx, t, key);
    const jobs = new Set([...stuckJobs(i)].filter(ofKey));
    const all = [...[...tokens.all].filter(ofKey), ...jobs];
    // A pool whose every resource in use this branch keeps: it waits for
    // itself to give one back.
    if (key === null && tokens.inUse.length > 0) {
      const mine = branchOf(i);
      const kept = tokens.inUse.map(u =>
        u.tokens.find(t => holds(mine, t, jobs, lock, s.leaf)),
      );
      if (kept.every(t => t !== undefined)) {
        waker.heldHere = holderFrame(cx, mine, kept[0]!, s.leaf) ?? null;
        waker.heldIn = inUsePlace(tokens.inUse);
        waker.deadlock = true;
        return;
      }
    }
    if (all.length === 0) {
      const re = reenteredAbove(s.leaf);
      if (re !== undefined) waker.what += reenteredWords(re.outer, re.inner);
      return;
    }
    const mine = branchOf(i);
    const own = all.find(t => holds(mine, t, jobs, lock, s.leaf));
    if (own !== undefined) {
      waker.heldHere =
        (jobs.has(own) ? jobFrame(cx, own, s.leaf) : undefined) ??
        holderFrame(cx, mine, own, s.leaf) ??
        null;
      waker.deadlock = true;
      return;
    }
    const behind =
      queue === undefined ? undefined : queuedBehind(cx, queue, all, s.leaf);
    if (behind !== undefined) {
      waker.queuedBehind = behind.holder;
      waker.deadlock = true;
      return;
    }
    subjects.forEach((_, j) => {
      if (j === i || nodes[j] === -1) return;
      const theirs = branchOf(j);
      if (all.some(t => holds(theirs, t, jobs, lock, subjects[j].leaf)))
        heldBy[i].push(j);
    });
    if (
      heldBy[i].length === 0 &&
      tokens.lent !== null &&
      lentOnlyTo(lock, tokens.lent.entries)
    )
      waker.what += lentOnlyToItself(
        ix.g.name(tokens.lent.holder),
        tokens.lent.property,
      );
    else if (heldBy[i].length === 0) {
      const re = reenteredAbove(s.leaf);
      if (re !== undefined) waker.what += reenteredWords(re.outer, re.inner);
    }
  });
  // A cycle of "waits on what that one holds" is a deadlock.
  const inCycle = (start: number): boolean => {
    const seen = new Set<number>();
    const stack = [...heldBy[start]];
    while (stack.length > 0) {
      const j = stack.pop()!;
      if (j === start) return true;
      if (seen.has(j)) continue;
      seen.add(j);
      stack.push(...heldBy[j]);
    }
    return false;
  };
  subjects.forEach((s, i) => {
    if (heldBy[i].length === 0 || s.leaf.waker === undefined) return;
    // Two branches that part from this one at one frame are said once.
    const seen = new Set<string>();
    s.leaf.waker.heldBy = heldBy[i]
      .map(j => partingFrame(s.leaf, subjects[j].leaf))
      .filter((f): f is Frame => {
        if (f === undefined) return false;
        const k = `${f.name}@${f.file}:${f.line}:${f.column}`;
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
      });
    if (inCycle(i)) s.leaf.waker.deadlock = true;
  });
}

/**
 * The lock of a waiter: the objects keeping its resolve function from the
 * same package (or file) as the nearest one (a Semaphore and its Mutex, a
 * pool's queues and the Pool), not the program's objects that own the lock.
 */
function lockOf(cx: WakerContext, chain: number[]): number[] {
  const from = cx.ix.packageOf(chain[0]);
  const out = [chain[0]];
  for (const n of chain.slice(1)) {
    if (from === null) break;
    // Or a subclass of one of its classes another package defines (pg's
    // BoundPool, pg-pool's Pool).
    if (cx.ix.packageOf(n) !== from && !cx.ix.inheritsFrom(n, from)) break;
    out.push(n);
  }
  return out;
}

/** What gives a lock back (see the top of this file). */
interface Tokens {
  all: Set<number>;
  /** The objects a Map of the lock records (and which Map), if any. */
  lent: {holder: number; property: string; entries: Set<number>} | null;
  /** A pool's resources in use (pool-use.ts). */
  inUse: InUse[];
}

/**
 * The releases of a lock: functions made by a method of one of its objects
 * (a context of that method's call on their scope chain refers to the
 * object), and objects of the program's classes recorded in a Map one of its
 * objects keeps.
 */
function tokensOf(cx: WakerContext, lock: number[]): Tokens {
  const {ix} = cx;
  const g = ix.g;
  const all = new Set<number>();
  // Contexts of a method's call on a lock object (they refer to it), then the
  // contexts inside them, and the functions made in any of those.
  const methods = new Map(lock.map(n => [n, ix.methodsOf(n)]));
  const contexts: number[] = [];
  for (const n of lock) {
    for (const r of ix.retainersOf(n)) {
      if (
        g.edgeType(r.edge) !== 'context' ||
        g.name(r.from) !== 'system / Context'
      )
        continue;
      const owner = ix.ownerOf(r.from);
      if (owner !== -1 && methods.get(n)!.has(owner)) contexts.push(r.from);
    }
  }
  for (const fn of ix.closuresWithin(contexts, 6)) all.add(fn);
  let lent: Tokens['lent'] = null;
  for (const n of lock) {
    for (let e = g.firstEdge(n); e < g.firstEdge(n + 1); e++) {
      const map = g.edgeTo(e);
      const name = g.edgeName(e);
      if (
        g.edgeType(e) !== 'property' ||
        typeof name !== 'string' ||
        g.name(map) !== 'Map'
      )
        continue;
      const table = edgeNamed(g, map, 'table');
      const entries = new Set<number>();
      for (
        let f = table === -1 ? 0 : g.firstEdge(table);
        f < (table === -1 ? 0 : g.firstEdge(table + 1));
        f++
      ) {
        const entry = g.edgeTo(f);
        if (g.type(entry) === 'object' && ix.isProgramClass(entry))
          entries.add(entry);
      }
      if (entries.size === 0) continue;
      for (const x of entries) all.add(x);
      lent ??= {holder: n, property: name, entries};
    }
  }
  return {all, lent, inUse: inUseOf(cx, lock)};
}

/**
 * Whether nothing the roots reach keeps `entries` but through the lock's
 * objects: nothing else refers to them, or only garbage does.
 */
function onlyThrough(
  cx: WakerContext,
  entries: Set<number>,
  lock: number[],
): boolean {
  const reached = cx.ix.reachedFrom([0], new Set(lock));
  return ![...entries].some(n => reached[n] === 1);
}

/**
 * The frame where branch `other` parts from `leaf`'s (or its last), to name it:
 * the first of the program's own frames from there on, if any (a library's
 * helper frames say little).
 */
function partingFrame(leaf: Leaf, other: Leaf): Frame | undefined {
  const key = (f: Frame): string =>
    `${f.name}@${f.file}:${f.line}#${f.combinator?.index ?? ''}`;
  let from = other.path.length;
  for (let i = 0; i < other.path.length; i++) {
    if (i >= leaf.path.length || key(leaf.path[i]) !== key(other.path[i])) {
      from = i;
      break;
    }
  }
  const rest = other.path.slice(
    Math.min(from, Math.max(0, other.path.length - 1)),
  );
  return rest.find(f => !/(^|[\\/])node_modules[\\/]/.test(f.file)) ?? rest[0];
}
