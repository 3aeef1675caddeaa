/**
 * Listener records: emitters that keep each listener in an object of its own
 * (eventemitter3's `{fn, context, once}`) under the event's name in their
 * `_events`, alone or in an array, where Node's keep the function. Known by
 * shape, not by the package: such a record is no holder to name, but part
 * of the emitter's listener (events.ts names the emitter and the event).
 */
import type {HeapGraph} from '../heap';
import type {HeapIndex} from './heap-index';

/**
 * Whether `n` is a listener record in an emitter's `_events`: an object with
 * a function `fn` and a `once` flag, kept under an event's name by an object
 * an emitter keeps as `_events` (or in an array kept there). `once` says
 * whether its flag is true (the emitter drops it when it emits the event).
 */
export function listenerRecord(
  ix: HeapIndex,
  n: number,
): {once: boolean} | undefined {
  const g = ix.g;
  if (g.type(n) !== 'object') return undefined;
  let fn = false;
  let once: boolean | undefined;
  for (let e = g.firstEdge(n); e < g.firstEdge(n + 1); e++) {
    if (g.edgeType(e) !== 'property') continue;
    const name = g.edgeName(e);
    if (name === 'fn') fn = g.type(g.edgeTo(e)) === 'closure';
    else if (name === 'once') once = isTrue(g, g.edgeTo(e));
  }
  if (!fn || once === undefined) return undefined;
  return inEvents(ix, n, 2) ? {once} : undefined;
}

/**
 * Whether an object keeps `n` under a property and is kept as `_events`
 * (`levels`: through so many arrays and objects at most).
 */
function inEvents(ix: HeapIndex, n: number, levels: number): boolean {
  const g = ix.g;
  for (const r of ix.retainersOf(n)) {
    const type = g.edgeType(r.edge);
    if (type === 'property' && g.edgeName(r.edge) === '_events') return true;
    if (
      levels > 0 &&
      (type === 'property' || type === 'element') &&
      (g.type(r.from) === 'object' || g.type(r.from) === 'array') &&
      inEvents(ix, r.from, levels - 1)
    )
      return true;
  }
  return false;
}

/**
 * Whether `n` is `true` (a boolean is an Oddball in the snapshot, whose first
 * hidden edge is its string).
 */
export function isTrue(g: HeapGraph, n: number): boolean {
  if (g.name(n) !== 'system / Oddball') return false;
  for (let e = g.firstEdge(n); e < g.firstEdge(n + 1); e++)
    if (g.name(g.edgeTo(e)) === 'true' && g.type(g.edgeTo(e)) === 'string')
      return true;
  return false;
}
