/**
 * The promises waiting on a pending promise, up its chain: what V8 runs when
 * it settles (an `await` resumed, a `.then` callback, an adoption, a
 * combinator), and whether anything waits on the end of that chain.
 *
 * A chain whose every end nothing waits on (a call nobody awaits, a `.then()`
 * whose result is dropped) is not how the Root waits: the work it does when
 * the promise settles is what settles something else, a promise the Root
 * does wait on. The waker search looks for that other promise's resolve
 * function kept by these promises' reactions (wakers/promise-feeds.ts); the
 * dump then draws the chain under it, one hang drawn once (dump/fed.ts).
 */
import type {Capture} from '../record';
import {FOREIGN} from './calls';
import type {WaitGraph} from './graph';
import type {Walker} from './walk';

/** Promises of one chain looked at, at most. */
const MAX_CHAIN = 32;

/** A pending promise's chain (see the module comment). */
export interface Chain {
  /** The pending promises, the leaf's own first. */
  promises: object[];
  /**
   * True when every way up ends in a promise nothing waits on, each step of
   * the way known.
   */
  unawaited: boolean;
}

/** The chain of the pending promise of `leaf` (see the module comment). */
export function chainOf(g: WaitGraph, walker: Walker, leaf: Capture): Chain {
  const promises: object[] = [];
  const seen = new Set<Capture>();
  let known = true;
  let ends = 0;
  const visit = (x: Capture): void => {
    if (seen.has(x) || promises.length >= MAX_CHAIN) {
      if (!seen.has(x)) known = false;
      return;
    }
    seen.add(x);
    const p = x.awaits !== undefined ? x.self : g.promiseOf.get(x);
    if (p !== undefined) promises.push(p);
    const waiters = walker.waitersOf(x);
    if (waiters.length === 0) {
      if (x.moreWaits > 0 || walker.madeByRunner(x)) known = false;
      else ends++;
      return;
    }
    for (const w of waiters) {
      const next = stepUp(g, walker, w);
      if (next === undefined) known = false;
      else visit(next);
    }
  };
  visit(leaf);
  return {promises, unawaited: known && ends > 0};
}

/** The capture whose promise waits through the subscription `w`. */
function stepUp(g: WaitGraph, walker: Walker, w: Capture): Capture | undefined {
  switch (g.waitKind(w)) {
    case 'then':
      return w;
    case 'adopt':
      return g.promiseContext(w.context);
    case 'input':
      return g.combinatorOf(w)?.comb;
    case 'await': {
      const call = walker.calls.callOfWait(w);
      return call === FOREIGN ? undefined : call;
    }
    default:
      return undefined;
  }
}
