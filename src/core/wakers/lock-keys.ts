/**
 * Keyed locks: one object with a queue per key (async-lock's
 * `queues[key]`). Two branches may each hold one key and wait for the other's
 * (an AB/BA deadlock); taking every release of the object for one lock would
 * say a waiter's lock is held by its own branch, which holds the other key.
 * A waiter's key is the property a plain object of the lock keeps its queue
 * under; a release belongs to that key when a string variable of its scopes
 * is the key (async-lock's `done`, made in `acquire(key, …)`). The key is
 * compared, never shown (it is a value of the program). A release whose
 * scopes keep no string is not told apart.
 */
import type {Chain} from './heap-index';
import type {WakerContext} from './context';

/** Scopes of a release looked at, from its own outwards. */
const SCOPES = 4;

const STRINGS = new Set(['string', 'concatenated string', 'sliced string']);

/**
 * The key a waiter is queued under: the name of the property by which a
 * plain object just below the lock (the nearest holder, at the top of
 * `chain`) keeps its queue; null when the chain has no such object, or the
 * object keeps the function itself.
 */
export function waiterKey(cx: WakerContext, chain: Chain): string | null {
  const g = cx.ix.g;
  const k = chain.nodes.length - 1;
  if (k < 2) return null;
  const table = chain.nodes[k - 1];
  if (g.type(table) !== 'object' || g.name(table) !== 'Object') return null;
  // What it keeps under the key is a queue, not the function itself (a
  // deferred's `{resolve, reject}`, tarn's `PendingOperation.deferred`).
  if (g.type(chain.nodes[k - 2]) === 'closure') return null;
  const e = chain.edges[k - 2];
  const name = g.edgeName(e);
  return g.edgeType(e) === 'property' && typeof name === 'string' ? name : null;
}

/**
 * Whether the release `fn` may belong to the key `key`: a string variable of
 * its scopes is the key, or none of its scopes keeps a string.
 */
export function releaseOfKey(
  cx: WakerContext,
  fn: number,
  key: string,
): boolean {
  const {ix} = cx;
  const g = ix.g;
  // A running job of the lock (jobs.ts): its handlers are the release.
  if (g.name(fn) === 'system / PromiseReaction') {
    const handlers: number[] = [];
    for (let e = g.firstEdge(fn); e < g.firstEdge(fn + 1); e++)
      if (g.type(g.edgeTo(e)) === 'closure') handlers.push(g.edgeTo(e));
    return (
      handlers.length === 0 || handlers.some(h => releaseOfKey(cx, h, key))
    );
  }
  if (g.type(fn) !== 'closure') return true;
  let strings = 0;
  for (const ctx of ix.scopesOf(fn, SCOPES))
    for (let e = g.firstEdge(ctx); e < g.firstEdge(ctx + 1); e++) {
      const to = g.edgeTo(e);
      if (g.edgeType(e) !== 'context' || !STRINGS.has(g.type(to))) continue;
      strings++;
      if (g.name(to) === key) return true;
    }
  return strings === 0;
}
