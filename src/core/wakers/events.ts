/**
 * Recognises listeners that keep a resolve function: on an EventEmitter (by
 * its `_events`: a function there, or a record of eventemitter3's shape,
 * listener-records.ts; a writable stream's `end(cb)` too, kept in its state
 * until 'finish'), on a jsdom EventTarget (`_eventListeners`), on Node's
 * EventTarget (an AbortSignal: `kEvents`). Names the event and the emitter,
 * and from the emitter's live state whether the event already happened.
 * Emitters that are streams or child processes are described by streams.ts.
 */
import type {Waker} from '../types';
import {edgeNamed} from '../heap';
import type {Chain} from './heap-index';
import {type Recognised, type WakerContext, EVENT_NAME} from './context';
import {END_EVENTS, describeStreamOrProcess} from './streams';
import {listenerRecord} from './listener-records';
import {
  abortWaker,
  domEventWaker,
  emitterWaker,
  eventTargetWaker,
  listenerPlace,
  targetListenerPlace,
} from './event-words';
import {eventLabel} from './words';
import {inputWords} from './stream-words';
import {reachesThroughCallbackTable} from './listener-reach';
import {
  ENDING,
  META,
  endEvent,
  eventLeads,
  leads,
  listenerIsStart,
  otherEvent,
} from './event-choice';

/** What an emitter of component-emitter's is called. */
const COMPONENT = 'component-emitter';

/**
 * The listener at the top of `chain` (`chain.nodes[k]` keeps what is below by
 * edge `edge`), or undefined if it is none. `down` is the search so far (what
 * it reached, by which edge), to tell which of an emitter's listeners leads to
 * the resolve function.
 */
export function recogniseListener(
  cx: WakerContext,
  chain: Chain,
  k: number,
  edge: string | number,
  down: Map<number, number> | undefined,
): Recognised | undefined {
  const g = cx.ix.g;
  const node = chain.nodes[k];
  const name = g.name(node);
  if (reachesThroughCallbackTable(cx, chain, k)) return undefined;
  if (edge === '_events' && k >= 2) {
    const met = cx.ix.via(chain, k - 2);
    // Listeners that share what they close over (events.once's for the event
    // and for 'error', an async iterator's for 'line' and 'close') all lead
    // here; the search met one first, in the heap's order, which changes from
    // run to run (so does the order of `_events`, a dictionary). When it met
    // 'error' (it only rejects) another that leads here is named; on an
    // emitter that is no stream, also when it met an event that ends it (the
    // first by name). Nor is an emitter's own 'newListener' or
    // 'removeListener' named: a Worker's (Node's) closes over the Worker, and
    // so leads to whatever its other listeners keep.
    let raw: string | null =
      met === 'error' && down !== undefined
        ? (otherEvent(cx, chain, k, down, false) ?? met)
        : typeof met === 'string'
          ? met
          : null;
    if (raw !== null && META.has(raw) && down !== undefined)
      raw =
        otherEvent(cx, chain, k, down, false) ??
        (eventLeads(cx, chain, k, down, 'error') ? 'error' : raw);
    // On a stream, a listener of what its end emits that leads here too says
    // more than one of 'data' (a reader collecting chunks until 'end'); not
    // when the listener met is the resolve function itself
    // (`req.on('response', resolve)`): that event settles it, and a stream's
    // own listeners (Node's, on an HTTP/2 stream) lead here through the
    // stream.
    if (
      raw !== null &&
      !END_EVENTS.has(raw) &&
      down !== undefined &&
      !listenerIsStart(cx, chain, k)
    ) {
      const s = cx.states.read(node);
      if (s?.readable !== undefined || s?.writable !== undefined)
        raw = endEvent(cx, chain, k, down) ?? raw;
    }
    let label = eventLabel(raw, EVENT_NAME);
    const stream = describeStreamOrProcess(cx, node, raw, label);
    if (stream === undefined && raw !== null && ENDING.has(raw) && down) {
      // When the listener met is the resolve function itself (or Node's
      // once() wrapper of it: `server.close(resolve)`), that event settles
      // it: another is named only if its listener calls it too (an
      // iterator's 'line'), not one that merely leads there (a server's
      // 'connection' listener, through the server).
      const direct = listenerIsStart(cx, chain, k);
      raw = otherEvent(cx, chain, k, down, true, '', direct) ?? raw;
      label = eventLabel(raw, EVENT_NAME);
    }
    const waker =
      stream ??
      emitterWaker(
        label,
        name,
        cx.states.read(node),
        raw,
        // A listener added with once() sits in a bound onceWrapper (Node's),
        // or in a record whose `once` is true (eventemitter3's): it is gone
        // once emitted.
        chain.nodes
          .slice(0, k)
          .some(
            n =>
              (g.type(n) === 'closure' && g.name(n) === 'native_bind') ||
              listenerRecord(cx.ix, n)?.once === true,
          ),
      );
    if (stream === undefined) waker.what += readInput(cx, node);
    return {waker, place: listenerPlace(label, name)};
  }
  if (edge === '_writableState' && k >= 3) {
    // `stream.end(cb)`: Node keeps `cb` in its state's kOnFinished list, and
    // calls it on 'finish' (or with the error that ends it first).
    const list = cx.ix.via(chain, k - 2);
    if (typeof list === 'string' && list.includes('kOnFinished')) {
      const label = eventLabel('finish', EVENT_NAME);
      const waker = describeStreamOrProcess(cx, node, 'finish', label);
      if (waker !== undefined)
        return {waker, place: listenerPlace(label, name)};
    }
  }
  if (edge === 'listenerTree' && k >= 2) {
    const event = treeEvent(cx, chain, k, down);
    if (event !== undefined) {
      const label = eventLabel(event, TREE_EVENT);
      return {
        waker: emitterWaker(label, name, undefined, event, false),
        place: listenerPlace(label, name),
      };
    }
  }
  if (edge === '_callbacks' && k >= 2) {
    // component-emitter's (socket.io's, superagent's): listeners by `$` and
    // the event's name. events.once() adds one for 'error' too, met first or
    // not: another that leads here is named.
    const met = cx.ix.via(chain, k - 2);
    if (typeof met === 'string' && met.startsWith('$')) {
      let raw = met.slice(1);
      if ((raw === 'error' || META.has(raw)) && down !== undefined)
        raw = otherEvent(cx, chain, k, down, false, '$') ?? raw;
      const label = eventLabel(raw, EVENT_NAME);
      return {
        waker: emitterWaker(label, name, undefined, raw, false, COMPONENT),
        place: listenerPlace(label, name),
      };
    }
  }
  if (edge === '_eventListeners' && k >= 2) {
    // jsdom's EventTarget: listeners by event type, on the element's
    // implementation object.
    const event = cx.ix.via(chain, k - 2);
    const e = eventLabel(typeof event === 'string' ? event : null, EVENT_NAME);
    const cls = name.replace(/Impl$/, '');
    return {
      waker: domEventWaker(e, cls),
      place: listenerPlace(e, cls),
    };
  }
  if (typeof edge === 'string' && edge.includes('kEvents')) {
    return {
      waker: eventTarget(cx, node, chain, k, down),
      place: targetListenerPlace(name),
    };
  }
  return undefined;
}

/** An event name of a wildcard listener tree: `order.*.paid`. */
const TREE_EVENT = /^[\w:*-]+(\.[\w:*-]+)*$/;

/**
 * The event of a listener in EventEmitter2's wildcard tree (`listenerTree`:
 * one level of objects per part of the event name, the listeners under
 * `_listeners`) that leads to the resolve function: the one on the chain, or,
 * when that is `'error'` (which only rejects), another one that leads there
 * too (the search met one path only). Undefined when the chain is not in such
 * a tree.
 */
function treeEvent(
  cx: WakerContext,
  chain: Chain,
  k: number,
  down: Map<number, number> | undefined,
): string | undefined {
  const {ix} = cx;
  const g = ix.g;
  const parts: string[] = [];
  let j = k - 2;
  for (; j >= 0 && ix.via(chain, j) !== '_listeners'; j--) {
    const part = ix.via(chain, j);
    if (typeof part !== 'string') return undefined;
    parts.push(part);
  }
  if (j < 0 || parts.length === 0) return undefined;
  const event = parts.join('.');
  if (event !== 'error' || down === undefined) return event;
  // Other events of the tree whose listeners lead to the resolve function.
  const target = chain.nodes[0];
  const leads = (listeners: number): boolean => {
    if (down.has(listeners) || ix.leadsTo(listeners, target)) return true;
    for (let e = g.firstEdge(listeners); e < g.firstEdge(listeners + 1); e++)
      if (g.edgeType(e) === 'element' && down.has(g.edgeTo(e))) return true;
    return false;
  };
  const found: string[] = [];
  const walk = (node: number, path: string[]): void => {
    if (found.length > 0 || path.length > 8) return;
    for (let e = g.firstEdge(node); e < g.firstEdge(node + 1); e++) {
      const name = g.edgeName(e);
      if (g.edgeType(e) !== 'property' || typeof name !== 'string') continue;
      const to = g.edgeTo(e);
      if (name === '_listeners') {
        const ev = path.join('.');
        if (path.length > 0 && ev !== 'error' && leads(to)) found.push(ev);
      } else if (g.type(to) === 'object' && g.name(to) === 'Object')
        walk(to, [...path, name]);
    }
  };
  walk(chain.nodes[k - 1], []);
  return found[0] ?? event;
}

/**
 * An EventTarget (an AbortSignal) holding the resolve function in a listener.
 */
function eventTarget(
  cx: WakerContext,
  node: number,
  chain: Chain,
  k: number,
  down: Map<number, number> | undefined,
): Waker {
  const g = cx.ix.g;
  const cls = g.name(node);
  // Its listeners: a Map (kEvents) from event name to a list; the map's table
  // holds each key just before its value.
  let event: string | null = null;
  const table = chain.nodes[k - 2];
  const list = chain.nodes[k - 3];
  if (table !== undefined && list !== undefined) {
    const entries = tableEntries(cx, table);
    event = entries.find(([, value]) => value === list)?.[0] ?? null;
    // A Node EventTarget (a MessagePort) has on(): events.once() adds an
    // 'error' listener there too, which only rejects. Another that leads
    // here is named.
    if (event === 'error' && down !== undefined)
      event =
        entries.find(
          ([key, value]) =>
            key !== 'error' && leads(cx, value, chain.nodes[0], down),
        )?.[0] ?? event;
  }
  const e = eventLabel(event, EVENT_NAME);
  const o = cx.states.read(node);
  if (o?.aborted !== undefined) return abortWaker(e, o.aborted);
  return eventTargetWaker(e, cls);
}

/** The string keys of a Map's table, each with the value after it. */
function tableEntries(
  cx: WakerContext,
  table: number,
): Array<[string, number]> {
  const g = cx.ix.g;
  const at = new Map<number, number>();
  for (let e = g.firstEdge(table); e < g.firstEdge(table + 1); e++)
    at.set(Number(g.edgeName(e)), g.edgeTo(e));
  const out: Array<[string, number]> = [];
  for (const [i, key] of at) {
    const value = at.get(i + 1);
    if (g.type(key) === 'string' && value !== undefined)
      out.push([g.name(key), value]);
  }
  return out;
}

/**
 * The events an EventEmitter has listeners of (but Node's bookkeeping ones),
 * sorted.
 */
export function listenedEvents(cx: WakerContext, node: number): string[] {
  const g = cx.ix.g;
  const events = edgeNamed(g, node, '_events');
  if (events === -1) return [];
  const out: string[] = [];
  for (let e = g.firstEdge(events); e < g.firstEdge(events + 1); e++) {
    const name = g.edgeName(e);
    if (
      g.edgeType(e) !== 'property' ||
      typeof name !== 'string' ||
      !EVENT_NAME.test(name) ||
      name.startsWith('__') ||
      ['newListener', 'removeListener', 'error'].includes(name)
    )
      continue;
    const to = g.edgeTo(e);
    if (
      g.type(to) === 'closure' ||
      g.type(to) === 'object' ||
      g.type(to) === 'array'
    )
      out.push(name);
  }
  // Sorted: an emitter's `_events` is a dictionary, listed in the order of a
  // hash that differs from one process to the next.
  return out.sort();
}

/**
 * Of an emitter whose `input` is a readable stream (a readline Interface):
 * what that stream lacks to end (its lines, and its 'close', come from it);
 * nothing when it is none.
 */
function readInput(cx: WakerContext, node: number): string {
  const input = edgeNamed(cx.ix.g, node, 'input');
  const o = input === -1 ? undefined : cx.states.read(input);
  return o?.readable === undefined || o.readable.endEmitted === true
    ? ''
    : inputWords(cx.ix.g.name(input), o);
}
