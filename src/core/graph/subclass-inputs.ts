/**
 * A combinator's input that is an instance of a Promise subclass (mongodb's
 * `class Timeout extends Promise`, in `Promise.race([serverPromise,
 * timeout])`): the one guess of this kind the dump makes.
 *
 * V8 wraps such an input in a promise of its own (the input's constructor is
 * not `Promise`), which the combinator subscribes to; a job of V8's then
 * calls the input's `then` with the wrapper's resolve functions. That `then`
 * makes its derived promise with the subclass's constructor, which promise
 * hooks report as a new promise with no parent: nothing recorded says which
 * promise it was called on. What is recorded: the derived promise was made in
 * the wrapper's job (its context is the wrapper), by the subclass's
 * constructor.
 *
 * The guess: the input is the latest promise made by that same constructor
 * before the wrapper that nothing else waits on (and no other wrapper took).
 * Code that makes the subclass's instance just before racing it (mongodb's
 * `Timeout.expires(ms)` then `Promise.race`) matches; two such instances made
 * before one race, one of them raced and the other dropped, may be told
 * apart wrongly (the later one is taken).
 */
import type {Capture} from '../record';
import {combinatorOf, fnKey, isCtor} from '../stack/sites';
import type {WaitGraph} from './graph';

/** The wrapper each such input is guessed to be adopted by. */
export function subclassInputs(g: WaitGraph): Map<Capture, Capture> {
  const out = new Map<Capture, Capture>();
  // Derived promises made in an input wrapper's job, by a subclass's
  // constructor: the wrapper, by constructor.
  const wrappers: Array<{wrapper: Capture; ctor: string}> = [];
  const derived = new Set<Capture>();
  for (const c of g.leaves) {
    const ctor = subclassCtor(g, c);
    if (ctor === undefined) continue;
    const w = g.promiseContext(c.context);
    if (w === undefined || w.awaits !== undefined || !isInputWrapper(g, w))
      continue;
    wrappers.push({wrapper: w, ctor});
    derived.add(c);
  }
  if (wrappers.length === 0) return out;
  wrappers.sort((a, b) => a.wrapper.seq - b.wrapper.seq);
  const taken = new Set<Capture>();
  for (const {wrapper, ctor} of wrappers) {
    if ([...out.values()].includes(wrapper)) continue;
    let best: Capture | undefined;
    for (const c of g.leaves) {
      if (c.seq >= wrapper.seq) break;
      if (
        !derived.has(c) &&
        !taken.has(c) &&
        subclassCtor(g, c) === ctor &&
        (c.waits ?? []).every(w => w.settled) &&
        c.moreWaits === 0
      )
        best = c;
    }
    if (best === undefined) continue;
    taken.add(best);
    out.set(best, wrapper);
  }
  return out;
}

/**
 * The function key of the subclass constructor that made `c` (the frame
 * below V8's `new Promise`), if a constructor other than `Promise` made it.
 */
function subclassCtor(g: WaitGraph, c: Capture): string | undefined {
  const sites = g.sites(c);
  const below = sites[1];
  if (below === undefined || !isCtor(below)) return undefined;
  return fnKey(below);
}

/** A promise V8 made, in a combinator, of an input it then subscribes to. */
function isInputWrapper(g: WaitGraph, w: Capture): boolean {
  const top = g.sites(w)[0];
  return (
    top !== undefined &&
    combinatorOf(top) !== undefined &&
    g.creationKind(w) === 'other'
  );
}
