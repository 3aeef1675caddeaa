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
import {file, isNode, isPromiseConstructor, name} from '../stack/sites';
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
  /**
   * True when, besides, every end is a `.then()` (or `.catch()`,
   * `.finally()`) whose result is dropped, called by code outside the test
   * file: a library's reaction to the promise (nats's
   * `transport.closed().then(…)`), not the test's own (a `done` test's
   * `p.then(done)`, the only way it waits).
   */
  dropsThen: boolean;
}

/** The chain of the pending promise of `leaf` (see the module comment). */
export function chainOf(
  g: WaitGraph,
  walker: Walker,
  leaf: Capture,
  testPath?: string,
): Chain {
  const promises: object[] = [];
  const seen = new Set<Capture>();
  let known = true;
  let ends = 0;
  let thens = 0;
  const visit = (x: Capture): void => {
    if (seen.has(x) || promises.length >= MAX_CHAIN) {
      if (!seen.has(x)) known = false;
      return;
    }
    seen.add(x);
    const p = x.awaits !== undefined ? x.self : g.promiseOf.get(x);
    if (p !== undefined) promises.push(p);
    const waiters = walker.waiters.of(x);
    // A Promise subclass's instance, a combinator's input: its chain goes on
    // through the wrapper V8 made of it (subclass-inputs.ts).
    const wrapper = waiters.length === 0 ? walker.subclassInput(x) : undefined;
    if (wrapper !== undefined) {
      visit(wrapper);
      return;
    }
    // The `then` of a thenable, called by V8's job for an `await` of it with
    // the await's functions (execa's child process, awaited by the test):
    // its result is dropped, and its callbacks settle that `await`.
    const awaiting = waiters.length === 0 ? thenableAwait(g, x) : undefined;
    if (awaiting !== undefined) {
      visit(awaiting);
      return;
    }
    // A `.then` made in a `new Promise` executor, whose result nothing
    // keeps (`promise.then(r => { clearTimeout(t); resolve(r) })`): what
    // its callback settles is that promise, nothing waits on its own. The
    // chain goes on through it (tarn's `timeout()` around a pending
    // create, whose chain ends in the `.then` that hands the resource on).
    const outer = waiters.length === 0 ? executorOf(g, walker, x) : undefined;
    if (outer !== undefined && !seen.has(outer)) {
      visit(outer);
      return;
    }
    if (waiters.length === 0) {
      if (x.moreWaits > 0 || walker.madeByRunner(x)) known = false;
      else {
        ends++;
        if (
          testPath !== undefined &&
          g.waitKind(x) === 'then' &&
          calledBy(g, x) !== testPath
        )
          thens++;
      }
      return;
    }
    for (const w of waiters) {
      const next = stepUp(g, walker, w);
      if (next === undefined) known = false;
      else visit(next);
    }
  };
  visit(leaf);
  const unawaited = known && ends > 0;
  return {promises, unawaited, dropsThen: unawaited && thens === ends};
}

/**
 * For the `.then` a thenable's `then` calls with the functions V8's job for
 * an `await` of it passed (the job's context is the await's promise, a
 * wrapper: graph.ts), that await. Only a `.then` the thenable's `then`
 * itself calls, the one frame of the program on its stack
 * (`result.then.apply(result, args)`): anything else that `then` starts
 * (a pool's own `.then().catch()`) runs in that job too.
 */
function thenableAwait(g: WaitGraph, x: Capture): Capture | undefined {
  if (x.awaits === undefined || g.waitKind(x) !== 'then') return undefined;
  const sites = g.sites(x);
  // A `.then` made in a `new Promise` executor, run in that job too, has one
  // frame of the program on its short stack as well (tarn's `timeout()`
  // around a pending create, under knex's `then`): that executor's
  // ({@link executorOf}).
  if (sites.some(isPromiseConstructor)) return undefined;
  const program = sites.filter(s => file(s) !== null && !isNode(s));
  if (program.length !== 1) return undefined;
  const p = g.promiseContext(x.context);
  if (p === undefined || p === x) return undefined;
  if (g.waitKind(p) === 'wrapper') return p;
  // A thenable an async function returns (`return db('users').first()`), or
  // a promise's executor resolves with: V8's job calls its `then` with the
  // functions that settle that promise, the job's context. Only a frame of a
  // `then` method itself: a `.then` that code resumed in some other job
  // calls is not the thenable's.
  const kind = g.creationKind(p);
  return THEN_METHOD.test(name(program[0])) &&
    (kind === 'call' || kind === 'new-promise')
    ? p
    : undefined;
}

/**
 * The promise whose `new Promise` executor subscribed `x` (a `.then`, or the
 * `.catch` on it), that executor's own frames the only ones between them,
 * and the promise made there known; else undefined. A subscription made in
 * the run that subscribed its target has a short stack (record/hooks.ts):
 * the target's, made there too, says the rest.
 */
function executorOf(
  g: WaitGraph,
  walker: Walker,
  x: Capture,
): Capture | undefined {
  if (x.moreWaits > 0) return undefined;
  let k: Capture | undefined = x;
  for (let hops = 0; k !== undefined && hops < 3; hops++) {
    if (g.waitKind(k) !== 'then') return undefined;
    const sites = g.sites(k);
    const i = sites.findIndex(isPromiseConstructor);
    // `then` (and `catch`) frames, then the executor's, then V8's
    // constructor, then the frame that made the promise.
    if (i >= 1 && i <= 4 && i + 1 < sites.length) {
      const made = walker.calls.promiseMadeAt(sites, i + 1, k.seq);
      return made === x ? undefined : made;
    }
    k = k.awaits ?? undefined;
  }
  return undefined;
}

/** A thenable's own `then` method, as its frame is named. */
const THEN_METHOD = /(^|\.)then$/;

/**
 * The file of the program's frame that made a subscription (V8's and Node's
 * frames above it skipped): undefined when none is known, which is never the
 * test file.
 */
function calledBy(g: WaitGraph, w: Capture): string | undefined {
  for (const s of g.sites(w)) {
    const f = file(s);
    if (f !== null && !isNode(s)) return f;
  }
  return undefined;
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
