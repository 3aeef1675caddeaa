/**
 * Whether a listener found keeping a resolve function can be said to call it.
 *
 * The search goes up from the resolve function to the first emitter whose
 * listener keeps it, by any path. A path that runs from the listener into a
 * collection (a Map, a Set, an array) and from there into another function,
 * whose scope keeps the resolve function, is a table of callbacks the
 * listener's scope can see, not one it calls: Redux Toolkit's listener
 * middleware keeps each effect in a Map, and the AbortSignal listener of one
 * effect's `take()` sees that Map through its scope; aborting the signal
 * rejects the `take()`, it does not run another effect. Such a listener is
 * not named ("waits for 'abort'" would be false); a listener whose path runs
 * through its own scope, objects' properties, bound functions, or an entry of a
 * table that keeps the resolve function itself (`pending.get(id).resolve`) is.
 */
import type {Chain} from './heap-index';
import type {WakerContext} from './context';

/**
 * Whether the listener under the emitter at `chain.nodes[k]` reaches the
 * chain's start only through another function kept in a collection.
 */
export function reachesThroughCallbackTable(
  cx: WakerContext,
  chain: Chain,
  k: number,
): boolean {
  const g = cx.ix.g;
  const isFunction = (n: number): boolean =>
    g.type(n) === 'closure' && g.name(n) !== 'native_bind';
  // The listener: the function nearest the emitter.
  let listener = -1;
  for (let i = k - 1; i > 0 && listener === -1; i--)
    if (isFunction(chain.nodes[i])) listener = i;
  if (listener === -1) return false;
  // Below it, an element of a collection, then another function above the
  // start.
  let inCollection = false;
  for (let i = listener - 1; i > 0; i--) {
    // A JS array's elements, a Map's or Set's table (slots by number).
    const edge = chain.edges[i];
    if (g.edgeType(edge) === 'element' || /^\d+$/.test(`${g.edgeName(edge)}`))
      inCollection = true;
    if (inCollection && isFunction(chain.nodes[i])) return true;
  }
  return false;
}
