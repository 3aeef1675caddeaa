/**
 * An AbortController a callback keeps is there to be aborted: what its
 * signal's listeners do is what the callback can do. cross-fetch's timeout,
 * `setTimeout(() => controller.abort(), ms)`: node-fetch rejects the fetch in
 * the signal's 'abort' listener. For wakers/feeds.ts, the listener functions
 * of the controller's signal, one step with the controller. Only a
 * controller: any other emitter a callback keeps may emit nothing (a client's
 * heartbeat keeps the client, whose 'message' listeners it cannot call).
 */
import type {HeapGraph} from '../heap';

/** Steps from the signal's listener Map to a Listener record's callback. */
const DEPTH = 8;

/** The functions listening on `controller`'s signal, if it is a controller. */
export function abortListeners(g: HeapGraph, controller: number): number[] {
  if (g.name(controller) !== 'AbortController') return [];
  // `#signal` (Node 20), `Symbol(kSignal)` (earlier).
  const signal = edgeMatching(g, controller, /^#signal$|kSignal/);
  const events = signal === -1 ? -1 : edgeMatching(g, signal, /kEvents/);
  if (events === -1) return [];
  // The Map, its table, each event's list of Listener records (linked by
  // `next`), each record's `callback`: no function is entered.
  const out: number[] = [];
  const seen = new Set<number>([events]);
  let level = [events];
  for (let d = 0; d < DEPTH && level.length > 0; d++) {
    const next: number[] = [];
    for (const n of level)
      for (let e = g.firstEdge(n); e < g.firstEdge(n + 1); e++) {
        const to = g.edgeTo(e);
        const type = g.type(to);
        if (seen.has(to) || g.edgeName(e) === 'previous') continue;
        seen.add(to);
        if (type === 'closure') out.push(to);
        else if (type === 'object' || type === 'array' || type === 'hidden')
          if (!NOT_ENTERED.has(`${g.edgeName(e)}`)) next.push(to);
      }
    level = next;
  }
  return out;
}

/** V8's metadata, not a listener's. */
const NOT_ENTERED = new Set(['map', '__proto__', 'constructor']);

/** The node a property whose name matches `re` leads to (a symbol's). */
function edgeMatching(g: HeapGraph, node: number, re: RegExp): number {
  for (let e = g.firstEdge(node); e < g.firstEdge(node + 1); e++) {
    const name = g.edgeName(e);
    if (typeof name === 'string' && re.test(name)) return g.edgeTo(e);
  }
  return -1;
}
