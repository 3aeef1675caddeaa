/**
 * Listener tables kept beside an emitter rather than in it: a WeakMap keyed
 * by the emitter, whose value is a Map from an event's name to the listeners
 * of that event (a Set or an array of functions). emittery keeps its
 * listeners so (`eventsMap`, a WeakMap of `Map<eventName, Set<listener>>`).
 * A resolve function kept by a listener there waits for that event on the
 * key: the event is named (only a name shaped like one is printed), the
 * emitter by its class.
 */
import type {Chain} from './heap-index';
import {IDENTIFIER} from './heap-code';
import {type Recognised, type WakerContext, EVENT_NAME} from './context';
import {emitterWaker, listenerPlace} from './event-words';
import {weakEntryBelow} from './weak-maps';
import {eventLabel} from './words';

/**
 * The listener of a table of the shape above that the chain goes through
 * below `chain.nodes[k]`, the WeakMap; undefined when it is none.
 */
export function recogniseListenerTable(
  cx: WakerContext,
  chain: Chain,
  k: number,
  edge: string | number,
): Recognised | undefined {
  const {ix} = cx;
  const g = ix.g;
  const node = chain.nodes[k];
  if (
    edge !== 'table' ||
    g.type(node) !== 'object' ||
    g.name(node) !== 'WeakMap'
  )
    return undefined;
  const entry = weakEntryBelow(ix, chain, k);
  // The entry's value is the Map, by its table; the listeners below it.
  if (entry === undefined || entry.key === -1 || entry.at < 3) return undefined;
  const map = chain.nodes[entry.at];
  if (g.type(map) !== 'object' || g.name(map) !== 'Map') return undefined;
  if (ix.via(chain, entry.at - 1) !== 'table') return undefined;
  const index = Number(ix.via(chain, entry.at - 2));
  const listeners = chain.nodes[entry.at - 2];
  if (!Number.isInteger(index) || !isListeners(cx, listeners)) return undefined;
  // A Map's table keeps each key just before its value.
  const event = stringAt(cx, chain.nodes[entry.at - 1], index - 1);
  const emitter = entry.key;
  const cls = g.name(emitter);
  if (event === null || g.type(emitter) !== 'object' || !IDENTIFIER.test(cls))
    return undefined;
  const label = eventLabel(event, EVENT_NAME);
  return {
    // Whether it was emitted since is not known: emittery's own state is not
    // read.
    waker: emitterWaker(label, cls, undefined, event, false, cls),
    place: listenerPlace(label, cls),
  };
}

/** What a table keeps an event's listeners in: a Set, an array, a function. */
function isListeners(cx: WakerContext, node: number): boolean {
  const g = cx.ix.g;
  if (g.type(node) === 'closure') return true;
  const name = g.name(node);
  return (
    (g.type(node) === 'object' && name === 'Set') ||
    g.type(node) === 'array' ||
    (g.type(node) === 'object' && name === 'Array')
  );
}

/** The string at element `i` of a table (a Map's), or null. */
function stringAt(cx: WakerContext, table: number, i: number): string | null {
  const g = cx.ix.g;
  for (let e = g.firstEdge(table); e < g.firstEdge(table + 1); e++) {
    if (Number(g.edgeName(e)) !== i) continue;
    const to = g.edgeTo(e);
    const t = g.type(to);
    return t === 'string' ||
      t === 'concatenated string' ||
      t === 'sliced string'
      ? g.name(to)
      : null;
  }
  return null;
}
