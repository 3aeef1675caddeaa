/**
 * Listeners that count as one step with what they listen on, for
 * wakers/feeds.ts (what a handle can reach) and wakers/guards.ts:
 * - An AbortController a callback keeps is there to be aborted: what its
 *   signal's listeners do is what the callback can do. cross-fetch's timeout,
 *   `setTimeout(() => controller.abort(), ms)`: node-fetch rejects the fetch
 *   in the signal's 'abort' listener.
 * - What a socket or server brings in runs its listeners, and they emit on the
 *   objects they keep (pg's Connection parses the socket's 'data' and emits
 *   'readyForQuery', which its Client listens for): from a socket, server or
 *   child process, an emitter's listeners are one step with it. Not from a
 *   timer: an emitter its callback keeps may emit nothing (a client's
 *   heartbeat keeps the client, whose 'message' listeners it cannot call).
 * - An HTTP/2 session (a socket keeps it) brings in what its streams emit:
 *   its open streams and their listeners are one step with it. A request's
 *   listeners are on its stream, three objects down the session's state.
 */
import {type HeapGraph, arrayElements, edgeNamed} from '../heap';
import {carriesFeed} from './feed-edges';

/** Steps from the signal's listener Map to a Listener record's callback. */
const DEPTH = 8;

/**
 * The functions listening on `controller`'s signal, if it is a controller;
 * with, for a listener that aborts another controller it keeps through a
 * WeakRef (a signal following this one: undici's Request, which `fetch()`
 * makes with a signal of its own that follows the one it was given), that
 * one's listeners too.
 */
export function abortListeners(
  g: HeapGraph,
  controller: number,
  seen = new Set<number>(),
): number[] {
  if (g.name(controller) !== 'AbortController' || seen.has(controller))
    return [];
  seen.add(controller);
  const own = signalListeners(g, controller);
  const followed: number[] = [];
  for (const l of own)
    for (const c of weaklyKept(g, l))
      followed.push(...abortListeners(g, c, seen));
  return [...own, ...followed];
}

/** The AbortControllers a function's own scope keeps through a WeakRef. */
function weaklyKept(g: HeapGraph, fn: number): number[] {
  const ctx = edgeNamed(g, fn, 'context');
  if (ctx === -1 || g.name(ctx) !== 'system / Context') return [];
  const out: number[] = [];
  for (let e = g.firstEdge(ctx); e < g.firstEdge(ctx + 1); e++) {
    if (g.edgeType(e) !== 'context') continue;
    const ref = g.edgeTo(e);
    if (g.name(ref) !== 'WeakRef' || g.type(ref) !== 'object') continue;
    const target = edgeNamed(g, ref, 'target');
    if (target !== -1 && g.name(target) === 'AbortController') out.push(target);
  }
  return out;
}

function signalListeners(g: HeapGraph, controller: number): number[] {
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
        if (seen.has(to) || !carriesFeed(g, e, to)) continue;
        seen.add(to);
        if (type === 'closure') out.push(to);
        else if (type === 'object' || type === 'array' || type === 'hidden')
          next.push(to);
      }
    level = next;
  }
  return out;
}

/** The node a property whose name matches `re` leads to (a symbol's). */
function edgeMatching(g: HeapGraph, node: number, re: RegExp): number {
  for (let e = g.firstEdge(node); e < g.firstEdge(node + 1); e++) {
    const name = g.edgeName(e);
    if (typeof name === 'string' && re.test(name)) return g.edgeTo(e);
  }
  return -1;
}

/** The functions an EventEmitter keeps in `_events` (none if it is none). */
export function emitterListeners(g: HeapGraph, emitter: number): number[] {
  if (g.type(emitter) !== 'object') return [];
  const events = edgeNamed(g, emitter, '_events');
  if (events === -1) return [];
  const out: number[] = [];
  for (let e = g.firstEdge(events); e < g.firstEdge(events + 1); e++) {
    if (g.edgeType(e) !== 'property') continue;
    const to = g.edgeTo(e);
    const type = g.type(to);
    if (type === 'closure') out.push(to);
    else if (type === 'array')
      for (const f of arrayElements(g, to))
        if (g.type(f) === 'closure') out.push(f);
  }
  return out;
}

/** Classes of HTTP/2 sessions and streams in the heap. */
const SESSIONS = new Set(['ClientHttp2Session', 'ServerHttp2Session']);
const STREAMS = new Set(['ClientHttp2Stream', 'ServerHttp2Stream']);

/**
 * The open streams of `session`, if it is an HTTP/2 session, and their
 * listeners: from its `state` symbol's object, its `streams` Map and the
 * Map's table (http2.ts reads the same live).
 */
export function sessionStreams(g: HeapGraph, session: number): number[] {
  if (g.type(session) !== 'object' || !SESSIONS.has(g.name(session))) return [];
  const state = edgeMatching(g, session, /^<symbol state>$/);
  const map = state === -1 ? -1 : edgeNamed(g, state, 'streams');
  if (map === -1) return [];
  const out: number[] = [];
  const seen = new Set<number>([map]);
  let level = [map];
  // The Map, its table, the streams in it.
  for (let d = 0; d < 3 && level.length > 0; d++) {
    const next: number[] = [];
    for (const n of level)
      for (let e = g.firstEdge(n); e < g.firstEdge(n + 1); e++) {
        const to = g.edgeTo(e);
        if (seen.has(to) || !carriesFeed(g, e, to)) continue;
        seen.add(to);
        if (STREAMS.has(g.name(to))) out.push(to, ...emitterListeners(g, to));
        else if (g.type(to) === 'array' || g.type(to) === 'hidden')
          next.push(to);
      }
    level = next;
  }
  return out;
}
