/**
 * Awaits of thenables (objects with a `then` method that are not native
 * promises: a promise library's, a query builder's) that never called back.
 *
 * For `await thenable`, V8 makes a promise of its own (the wrapper, a
 * subscription on the async function's promise: graph.ts), awaits it at
 * once, and calls the thenable's `then` with that promise's resolve and
 * reject functions in a job whose context is the wrapper. When that `then`
 * made nothing still pending that the recorder saw (a library that keeps the
 * functions in its own objects, with no native promise of its own), the
 * pending wrapper is the only trace of the wait: a leaf, at the `await`.
 * When its `then` made something pending that is drawn (a native promise it
 * chains onto, a timer), that is drawn instead, through the wrapper ("then of
 * a thenable": contexts.ts); a promise it made that nothing waits on is not
 * drawn, so the wrapper still is.
 */
import type {Capture} from '../record';
import type {WaitGraph} from '../graph/graph';
import type {SubclassInputs} from '../graph/subclass-inputs';
import type {Site} from '../stack/sites';

/** A pending wrapper of `await thenable`, and the `await` on it. */
export interface ThenableWait {
  wrapper: Capture;
  /**
   * The constructor of the Promise subclass whose instance it is, when its
   * `then` made that class's promise and which instance is not known
   * (subclass-inputs.ts).
   */
  subclass?: Site;
  /** The `await` on the wrapper: where the async function waits. */
  wait: Capture;
  /** The wrapper promise itself (whose resolve function the thenable got). */
  promise: object;
}

/** The pending awaits of thenables whose `then` made nothing pending. */
export function thenableWaits(
  g: WaitGraph,
  subclasses: SubclassInputs,
): ThenableWait[] {
  const wrappers: ThenableWait[] = [];
  // An instance was guessed for it: that instance is drawn, through it.
  const adopted = new Set(subclasses.adoptedBy.values());
  for (const c of g.creations) {
    if (g.creationKind(c) !== 'call') continue;
    for (const w of c.waits ?? []) {
      if (
        w.settled ||
        w.self === undefined ||
        g.waitKind(w) !== 'wrapper' ||
        adopted.has(w)
      )
        continue;
      const wait = w.waits?.find(x => !x.settled && g.waitKind(x) === 'await');
      const subclass = subclasses.unknown.get(w);
      if (wait !== undefined)
        wrappers.push({
          wrapper: w,
          wait,
          promise: w.self,
          ...(subclass !== undefined ? {subclass} : {}),
        });
    }
  }
  if (wrappers.length === 0) return wrappers;
  const ran = contextsOfPending(g, subclasses.derived);
  // An adoption whose context is not known (Jest 29's realm: a native
  // promise of Node's realm is a thenable to the test's) may be the `then`
  // of any of them: none is said to be stuck on its own.
  if (ran.has(UNKNOWN)) return [];
  return wrappers.filter(t => !ran.has(t.wrapper));
}

const UNKNOWN = {} as Capture;

/**
 * The promises of the graph whose reaction made something still pending (a
 * promise, a subscription, a timer, a handle).
 */
function contextsOfPending(g: WaitGraph, derived: Set<Capture>): Set<Capture> {
  const out = new Set<Capture>();
  // A subclass's `then` in the wrapper's job made them; nothing waits on
  // them, and they say nothing about the instance (subclass-inputs.ts).
  const seen = new Set<Capture>(derived);
  const visit = (c: Capture): void => {
    if (seen.has(c)) return;
    seen.add(c);
    const p = g.promiseContext(c.context);
    if (p !== undefined) out.add(p);
    else if (c.awaits !== undefined && !c.settled && g.waitKind(c) === 'adopt')
      out.add(UNKNOWN);
    for (const w of c.waits ?? []) if (!w.settled) visit(w);
  };
  // A promise its `then` made that nothing waits on is drawn nowhere (the
  // job drops what `then` returns: threads.js's ObservablePromise, a `then`
  // that keeps `resolve(onFulfilled(v))` in a `new Promise` of its own):
  // the wrapper is then the only trace of the wait.
  for (const c of g.creations) if (c.waits?.some(w => !w.settled)) visit(c);
  for (const c of g.foreign) visit(c);
  for (const c of g.timers.values()) visit(c);
  for (const [, h] of g.handles) visit(h.capture);
  return out;
}
