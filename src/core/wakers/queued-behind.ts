/**
 * A waiter queued behind the release it needs: async-lock's callback API
 * re-entered (`lock.acquire(k, done => lock.acquire(k, inner => {…;
 * done()}))`). The lock's queue keeps the waiter's job; the job closes over
 * the release of the call that holds the lock; nothing else keeps that
 * release. The release can be called only once the job runs, and the job
 * runs only once the lock is released: a deadlock, whatever the lock.
 *
 * Read from the heap: the chain of references the search found from the
 * waiter's resolve function up to the lock (nearest.ts), the entry of a
 * queue (an array's element) on it, a release of the same lock and key
 * below that entry (not the entry's own: made in another call), and a walk
 * from the roots and from every stuck subject, not through the entry, that
 * does not reach that release.
 *
 * Limits: only a release on that one chain is looked at. One also kept
 * elsewhere (a timer's callback, a listener, a variable of running code) is
 * not said to be this deadlock, whether or not that keeper will ever call it.
 */
import type {Frame, Leaf} from '../types';
import {edgeNamed} from '../heap';
import {frameOf, isProjectCode} from './branches';
import type {Chain} from './heap-index';
import type {WakerContext} from './context';

/**
 * The call holding the lock whose release only jobs in the lock's queue keep,
 * as a frame (null when it is not the program's, or not placed); undefined
 * when that is not what the heap shows.
 */
export function queuedBehind(
  cx: WakerContext,
  chain: Chain,
  releases: readonly number[],
  leaf: Leaf,
): {holder: Frame | null} | undefined {
  const {ix} = cx;
  const g = ix.g;
  // `chain.edges[j]` is the edge from `nodes[j + 1]` to `nodes[j]`; the
  // queue is the array nearest the lock.
  let at = -1;
  for (let j = chain.edges.length - 1; j >= 0 && at === -1; j--)
    if (g.edgeType(chain.edges[j]) === 'element') at = j;
  if (at === -1) return undefined;
  const queue = chain.nodes[at + 1];
  const entries: number[] = [];
  for (let e = g.firstEdge(queue); e < g.firstEdge(queue + 1); e++)
    if (g.edgeType(e) === 'element') entries.push(g.edgeTo(e));
  // The waiters' own releases (made in the calls that queued them: the scope
  // of an entry that is a function, or of the functions an entry object
  // keeps, p-queue's `{run}`) are not the holder's.
  const own = new Set<number>();
  for (const n of entries) {
    const fns = g.type(n) === 'closure' ? [n] : [];
    for (let e = g.firstEdge(n); e < g.firstEdge(n + 1); e++)
      if (g.type(g.edgeTo(e)) === 'closure') fns.push(g.edgeTo(e));
    for (const f of fns) own.add(edgeNamed(g, f, 'context'));
  }
  own.delete(-1);
  const others = releases.filter(
    t => !ix.scopesOf(t, SCOPES).some(c => own.has(c)),
  );
  if (others.length === 0) return undefined;
  const around = ix.reachedFrom([0, ...ix.probe.subjects], new Set(entries));
  if (others.some(t => around[t] === 1)) return undefined;
  const behind = ix.reachedFrom(
    entries,
    new Set([queue, ...chain.nodes.slice(at + 1)]),
  );
  const held = others.filter(t => behind[t] === 1);
  if (held.length === 0) return undefined;
  for (const t of held) {
    const holder = holderOf(cx, t, leaf);
    if (holder !== undefined) return {holder};
  }
  return {holder: null};
}

/** How many scopes out a waiter's own release is made. */
const SCOPES = 6;

/**
 * The program's function whose call keeps the release in its scope (a
 * callback handed the lock's `done`): the call that was handed the lock;
 * undefined when no scope of the program's keeps it.
 */
function holderOf(
  cx: WakerContext,
  release: number,
  leaf: Leaf,
): Frame | undefined {
  const {ix} = cx;
  const g = ix.g;
  for (const r of ix.retainersOf(release)) {
    if (
      g.edgeType(r.edge) !== 'context' ||
      g.name(r.from) !== 'system / Context'
    )
      continue;
    const shared = ix.ownerOf(r.from);
    if (shared === -1) continue;
    for (const f of ix.retainersOf(shared))
      if (
        g.type(f.from) === 'closure' &&
        g.edgeName(f.edge) === 'shared' &&
        isProjectCode(cx, f.from)
      )
        return frameOf(cx, f.from, leaf);
  }
  return undefined;
}
