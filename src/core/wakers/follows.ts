/**
 * A `new Promise` that follows another one: resolved with a promise or a
 * thenable, or handed to another promise's `then`. What keeps the other one's
 * resolve function is then what could settle it (wakers/index.ts).
 */
import {edgeNamed} from '../heap';
import type {WakerContext} from './context';

/**
 * Whether a `new Promise` follows another one: its resolve function was
 * called with a promise or a thenable (V8 then hands a second pair of
 * functions to that one's `then`, or, with no promise hooks on, links the two
 * promises directly), or it was handed to another promise's `then`. The
 * promise followed, when it is one (null for a thenable).
 */
export function followedPromise(
  cx: WakerContext,
  node: number,
  fns: number[],
  constructed: boolean,
): {how: 'called' | 'then' | 'thenable'; promise: number | null} | undefined {
  const {ix} = cx;
  const g = ix.g;
  // The promise whose reactions hold `reaction` (a list, newest first).
  const promiseOf = (reaction: number): number | null => {
    let at = reaction;
    for (let hops = 0; hops < 64; hops++) {
      let next = -1;
      for (const r of ix.retainersOf(at)) {
        if (ix.isPromise(r.from)) return r.from;
        if (g.name(r.from) === 'system / PromiseReaction') next = r.from;
      }
      if (next === -1) return null;
      at = next;
    }
    return null;
  };
  // An async function's promise resolved with the promise it returned is how
  // V8 runs `return p`: what keeps that one's functions says it.
  if (!constructed) return undefined;
  const contexts = new Set(fns.map(f => edgeNamed(g, f, 'context')));
  for (const f of fns) {
    for (const r of ix.retainersOf(f)) {
      if (g.name(r.from) !== 'system / PromiseReaction') continue;
      return {
        how: contexts.size > 1 ? 'called' : 'then',
        promise: promiseOf(r.from),
      };
    }
  }
  for (const r of ix.retainersOf(node)) {
    if (g.name(r.from) !== 'system / PromiseReaction') continue;
    return {how: 'called', promise: promiseOf(r.from)};
  }
  if (contexts.size > 1) return {how: 'thenable', promise: null};
  return undefined;
}
