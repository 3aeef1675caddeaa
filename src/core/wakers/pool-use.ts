/**
 * A pool's resources in use, as what gives its waiters something back
 * (locks.ts): each resource a collection of the pool keeps that is in none of
 * its lists of free ones (lent.ts: tarn's `used`, beside `free`), with what
 * the pool's record of it wraps (tarn's `Resource.obj`: the connection the
 * program was handed, which it gives back with `release(connection)`). A
 * branch that keeps one holds it.
 */
import type {WakerContext} from './context';
import {lentItems} from './lent';

/** A resource in use: its record and what it wraps, and where it is kept. */
export interface InUse {
  tokens: number[];
  /** `KnexPool.used`. */
  place: string;
}

/**
 * The resources in use of the pool whose objects are `lock` (nearest the
 * waiter first), when the waiter is in its queue: the nearest object that
 * keeps the waiter's resolve function (tarn's `PendingOperation`, pg-pool's
 * `PendingItem`) is an item of a collection of the pool. A promise kept
 * further up by such a waiter (a transaction's own promise, kept by the
 * query that waits in the pool's queue) waits for no resource.
 */
export function inUseOf(cx: WakerContext, lock: number[]): InUse[] {
  const g = cx.ix.g;
  const out: InUse[] = [];
  for (const n of lock) {
    if (n === lock[0] || !queuedIn(cx, n, lock[0])) continue;
    const others = new Set(lock.filter(m => m !== n));
    for (const item of lentItems(cx, n, others)) {
      // Said in use only where the pool has a list of free ones it is not
      // in; not what a queue of waiters keeps (a destroy() waiting on what
      // `used` keeps sees tarn's `pendingAcquires` as another collection).
      if (item.notIn.length === 0 || WAITERS.test(item.in)) continue;
      out.push({
        tokens: [item.member, ...wrapped(cx, item.member, lock)],
        place: `${g.name(n)}.${item.in}`,
      });
    }
  }
  return out;
}

/** `the resource in use in KnexPool.used`, `the 2 resources in use in …`. */
export function inUsePlace(inUse: InUse[]): string {
  const places = [...new Set(inUse.map(u => u.place))].join(' and ');
  return inUse.length === 1
    ? `the resource in use in ${places} is`
    : `the ${inUse.length} resources in use in ${places} are`;
}

/** Names of a pool's queues of waiters. */
const WAITERS = /pending|waiting|queue/i;

/** Objects that carry data, no resource of their own. */
const PLAIN = new Set(['Object', 'Array', 'Map', 'Set']);

/**
 * What a pool's record of a resource wraps: the objects its properties refer
 * to that are not of the pool's own package (tarn's `Resource.obj`), and no
 * promise nor deferred (tarn's `Resource.deferred`, a plain object that keeps
 * one). A plain object only when it is the one such
 * object (a resource the program made as an object literal), not one of
 * several (options beside the resource).
 */
function wrapped(cx: WakerContext, member: number, lock: number[]): number[] {
  const {ix} = cx;
  const g = ix.g;
  const own = new Set(lock.map(n => ix.packageOf(n)));
  const found: number[] = [];
  for (let e = g.firstEdge(member); e < g.firstEdge(member + 1); e++) {
    const to = g.edgeTo(e);
    if (
      g.edgeType(e) !== 'property' ||
      g.edgeName(e) === '__proto__' ||
      g.type(to) !== 'object' ||
      g.name(to).startsWith('system /') ||
      ix.isPromise(to) ||
      own.has(ix.packageOf(to)) ||
      keepsPromise(cx, to)
    )
      continue;
    found.push(to);
  }
  return found.length === 1 ? found : found.filter(n => !PLAIN.has(g.name(n)));
}

/** Whether an object keeps a promise as a property (a deferred). */
function keepsPromise(cx: WakerContext, n: number): boolean {
  const g = cx.ix.g;
  for (let e = g.firstEdge(n); e < g.firstEdge(n + 1); e++)
    if (g.edgeType(e) === 'property' && cx.ix.isPromise(g.edgeTo(e)))
      return true;
  return false;
}

/** Edges a collection keeps its items through. */
const ITEM_EDGES = new Set(['element', 'internal', 'hidden']);

/**
 * Whether `item` is an item of a collection `pool` keeps as a property: an
 * element of it, or of its table (a Set's, a Map's), two references down at
 * most.
 */
function queuedIn(cx: WakerContext, pool: number, item: number): boolean {
  const g = cx.ix.g;
  for (let e = g.firstEdge(pool); e < g.firstEdge(pool + 1); e++) {
    if (g.edgeType(e) !== 'property') continue;
    let level = [g.edgeTo(e)];
    for (let depth = 0; depth < 2 && level.length > 0; depth++) {
      const next: number[] = [];
      for (const c of level)
        for (let f = g.firstEdge(c); f < g.firstEdge(c + 1); f++) {
          if (!ITEM_EDGES.has(g.edgeType(f))) continue;
          if (g.edgeTo(f) === item && g.edgeType(f) === 'element') return true;
          if (g.type(g.edgeTo(f)) !== 'closure') next.push(g.edgeTo(f));
        }
      level = next;
    }
  }
  return false;
}
