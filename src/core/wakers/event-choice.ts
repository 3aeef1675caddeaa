/**
 * Which of an emitter's events to name, when the search met one of several
 * listeners that all lead to the resolve function (listeners share what they
 * close over: events.once()'s for the event and for 'error', an async
 * iterator's for 'line' and 'close'): what the met listener is, and which
 * others lead there, or call it.
 */
import type {Chain} from './heap-index';
import type {WakerContext} from './context';
import {END_EVENTS} from './streams';

/**
 * The events an EventEmitter emits about its own listeners: what they lead to,
 * they lead to through the emitter.
 */
export const META = new Set(['newListener', 'removeListener']);

/**
 * Of the events of the emitter at `chain.nodes[k]` other than 'error' whose
 * listeners lead to what the search started from, the first (with
 * `notEnding`: of those that do not end it, the first by name).
 */
export function otherEvent(
  cx: WakerContext,
  chain: Chain,
  k: number,
  down: Map<number, number>,
  notEnding: boolean,
  prefix = '',
  direct = false,
): string | undefined {
  const g = cx.ix.g;
  const events = chain.nodes[k - 1];
  const reaching: string[] = [];
  for (let e = g.firstEdge(events); e < g.firstEdge(events + 1); e++) {
    const key = g.edgeName(e);
    const to = g.edgeTo(e);
    const name =
      typeof key === 'string' && key.startsWith(prefix)
        ? key.slice(prefix.length)
        : undefined;
    if (
      name === undefined ||
      name === 'error' ||
      META.has(name) ||
      (notEnding && ENDING.has(name)) ||
      g.edgeType(e) !== 'property'
    )
      continue;
    if (
      direct
        ? callsStart(cx, to, chain.nodes[0])
        : leads(cx, to, chain.nodes[0], down)
    )
      reaching.push(name);
  }
  // Met 'error': the first in `_events`' order, as the stream words expect.
  return notEnding ? reaching.sort()[0] : reaching[0];
}

/**
 * Whether the emitter's listeners of `event` lead to what the search started
 * from.
 */
export function eventLeads(
  cx: WakerContext,
  chain: Chain,
  k: number,
  down: Map<number, number>,
  event: string,
): boolean {
  const g = cx.ix.g;
  const events = chain.nodes[k - 1];
  for (let e = g.firstEdge(events); e < g.firstEdge(events + 1); e++)
    if (g.edgeName(e) === event && g.edgeType(e) === 'property')
      return leads(cx, g.edgeTo(e), chain.nodes[0], down);
  return false;
}

/**
 * Of the events a stream's end emits, the first (in END_EVENTS' order) whose
 * listener leads to what the search started from.
 */
export function endEvent(
  cx: WakerContext,
  chain: Chain,
  k: number,
  down: Map<number, number>,
): string | undefined {
  const g = cx.ix.g;
  const events = chain.nodes[k - 1];
  const reaching = new Set<string>();
  for (let e = g.firstEdge(events); e < g.firstEdge(events + 1); e++) {
    const name = g.edgeName(e);
    if (
      typeof name !== 'string' ||
      name === 'error' ||
      !END_EVENTS.has(name) ||
      g.edgeType(e) !== 'property'
    )
      continue;
    if (leads(cx, g.edgeTo(e), chain.nodes[0], down)) reaching.add(name);
  }
  return [...END_EVENTS].find(e => reaching.has(e));
}

/**
 * Whether the listener the search met (under the emitter's `_events` at
 * `chain.nodes[k - 1]`) is what it started from itself, or Node's once()
 * wrapper of it (`server.close(resolve)` listens for 'close' with `resolve`):
 * that event settles it, whatever its other listeners share.
 */
export function listenerIsStart(
  cx: WakerContext,
  chain: Chain,
  k: number,
): boolean {
  const g = cx.ix.g;
  for (let j = 1; j < k - 1; j++) {
    const n = chain.nodes[j];
    const wrapper =
      g.type(n) === 'closure'
        ? g.name(n) === 'native_bind'
        : g.type(n) === 'array' || g.name(n) === 'Object';
    if (!wrapper) return false;
  }
  return true;
}

/**
 * Whether a listener of `to` (a function, or an array of them) keeps `start`
 * in a variable of its own scope (or the one around it) that it uses: it
 * calls it.
 */
function callsStart(cx: WakerContext, to: number, start: number): boolean {
  const {ix} = cx;
  const g = ix.g;
  for (const fn of listenersIn(cx, to)) {
    if (g.type(fn) !== 'closure') continue;
    for (const scope of ix.scopesOf(fn, 2))
      for (let e = g.firstEdge(scope); e < g.firstEdge(scope + 1); e++)
        if (
          g.edgeTo(e) === start &&
          g.edgeType(e) === 'context' &&
          ix.usesVariable(fn, e)
        )
          return true;
  }
  return false;
}

/** Whether listeners `to` (a function, or an array of them) lead to `start`. */
export function leads(
  cx: WakerContext,
  to: number,
  start: number,
  down: Map<number, number>,
): boolean {
  const g = cx.ix.g;
  return (
    down.has(to) ||
    (g.type(to) === 'array' && listenersIn(cx, to).some(f => down.has(f))) ||
    cx.ix.leadsTo(to, start)
  );
}

/** The listeners of an emitter's entry: the one, or each of an array. */
function listenersIn(cx: WakerContext, to: number): number[] {
  const g = cx.ix.g;
  if (g.type(to) !== 'array') return [to];
  const out: number[] = [];
  for (let e = g.firstEdge(to); e < g.firstEdge(to + 1); e++)
    out.push(g.edgeTo(e));
  return out;
}

/** Events that end an emitter's life rather than carry what it makes. */
export const ENDING = new Set(['close', 'end', 'finish', 'exit']);
