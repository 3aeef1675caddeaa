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
 * The guess: V8 makes one combinator's wrappers one after the other, in the
 * order of its inputs; a combinator with one such input (one wrapper of that
 * constructor in a run) adopted the latest promise that same constructor
 * made before it that nothing else waits on (and no earlier guess took).
 * Code that makes the instance just before passing it (mongodb's
 * `Timeout.expires(ms)` then `Promise.race`) matches; an instance made and
 * dropped between the one passed and the combinator is taken wrongly. With
 * two or more such inputs nothing says which is which (msw makes its
 * deferreds in another order than it passes them): none is guessed, and
 * those inputs are not drawn (their timers are, where they were made).
 *
 * `await x` of an instance is the same: V8 makes a wrapper (graph.ts's
 * `wrapper`) and calls the instance's `then` in its job. The instance made
 * in the same run as the `await` (`await new Timeout(…)`) is the latest such
 * one; one made earlier (`await this.ready`) is taken only when it is the one
 * candidate. Otherwise the wrapper is `unknown`: dump/thenables.ts draws the
 * wait at the `await`, with the class and not the instance.
 */
import type {Capture} from '../record';
import {type Site, combinatorOf, fnKey, isCtor} from '../stack/sites';
import type {WaitGraph} from './graph';

/** What {@link subclassInputs} found. */
export interface SubclassInputs {
  /** The wrapper each instance is guessed to be adopted by. */
  adoptedBy: Map<Capture, Capture>;
  /**
   * Wrappers of `await x` whose `then` made a subclass's promise, and that
   * no instance was guessed for, by the subclass's constructor: the wait is
   * known (at the `await`), which instance it waits on is not.
   */
  unknown: Map<Capture, Site>;
  /** The promises those `then`s made (what nothing waits on: V8's). */
  derived: Set<Capture>;
}

/** Instances of Promise subclasses V8 wraps, and their wrappers. */
export function subclassInputs(g: WaitGraph): SubclassInputs {
  const out = new Map<Capture, Capture>();
  const unknown = new Map<Capture, Site>();
  // Derived promises made in an input wrapper's job, by a subclass's
  // constructor: the wrapper, by constructor.
  const wrappers: Array<{
    wrapper: Capture;
    ctor: string;
    at: Site;
    awaited: boolean;
  }> = [];
  const derived = new Set<Capture>();
  for (const c of g.leaves) {
    const ctor = subclassCtor(g, c);
    if (ctor === undefined) continue;
    const w = g.promiseContext(c.context);
    if (w === undefined) continue;
    const awaited = isAwaitWrapper(g, w);
    if (!awaited && (w.awaits !== undefined || !isInputWrapper(g, w))) continue;
    wrappers.push({wrapper: w, ctor, at: g.sites(c)[1]!, awaited});
    derived.add(c);
  }
  if (wrappers.length === 0) return {adoptedBy: out, unknown, derived};
  wrappers.sort((a, b) => a.wrapper.seq - b.wrapper.seq);
  // Instances the program made: a frame of its below the constructor (a
  // `then`'s derived promise, made in a job of V8's, has none).
  const made = (c: Capture, ctor: string): boolean =>
    !derived.has(c) && subclassCtor(g, c) === ctor && g.sites(c).length > 2;
  const candidates = (ctor: string, before: number): Capture[] =>
    g.leaves.filter(
      c =>
        c.seq < before &&
        made(c, ctor) &&
        !out.has(c) &&
        (c.waits ?? []).every(w => w.settled) &&
        c.moreWaits === 0,
    );
  // The wrappers of one combinator's inputs are made one after the other,
  // in the inputs' order: a run of them with no instance made in between.
  for (let i = 0; i < wrappers.length;) {
    const {ctor, awaited} = wrappers[i];
    let j = i + 1;
    while (
      !awaited &&
      j < wrappers.length &&
      !wrappers[j].awaited &&
      wrappers[j].ctor === ctor &&
      !g.leaves.some(
        c =>
          c.seq > wrappers[j - 1].wrapper.seq &&
          c.seq < wrappers[j].wrapper.seq &&
          made(c, ctor),
      )
    )
      j++;
    const run = wrappers.slice(i, j);
    i = j;
    // Two or more: nothing says which instance is which input (msw passes
    // its deferreds in another order than it made them; `Promise.all([a,
    // b])` in the same).
    if (run.length > 1) continue;
    const {wrapper, at} = run[0];
    const all = candidates(ctor, wrapper.seq);
    // `await x` of an instance made in the same run (`await new Timeout()`):
    // the latest; of one made earlier (`await this.ready`), only when it is
    // the one such instance.
    const sameRun = all.filter(c => c.context === wrapper.context);
    const latest = awaited
      ? (sameRun.pop() ?? (all.length === 1 ? all[0] : undefined))
      : all.pop();
    if (latest !== undefined) out.set(latest, wrapper);
    else if (awaited) unknown.set(wrapper, at);
  }
  return {adoptedBy: out, unknown, derived};
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

/**
 * The promise V8 makes for `await x` of a thenable (a subclass's instance is
 * one), which it awaits at once (graph.ts's `wrapper`).
 */
function isAwaitWrapper(g: WaitGraph, w: Capture): boolean {
  return w.awaits !== undefined && g.waitKind(w) === 'wrapper';
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
