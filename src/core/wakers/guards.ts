/**
 * Timeouts on a wait. A promise whose executor both starts the work it waits
 * on and sets a timer whose callback keeps the promise's resolve or reject
 * function in its own scope (p-timeout, opossum's `timeout`, tarn's acquire
 * timeout, `new Promise((resolve, reject) => { setTimeout(() =>
 * reject(new Error('timed out')), ms); work().then(resolve); })`), or an
 * object the waker search named keeping that function (nodemailer's greeting
 * timeout: `this`, the connection whose `_connectCallback` leads to it), waits
 * on whichever comes first: that timer is a way out of the wait, not a second
 * thing stuck. Whether the callback keeps it is read from the heap: the
 * callback itself, a bound function's target or arguments, the arguments
 * `setTimeout` passes, or a variable of the callback's scope or of the scopes
 * around it, short of a module's (whose variables belong to every function of
 * the module), or a listener on the signal of an AbortController there. A
 * callback that keeps the socket (server, child process) the wait is stuck on
 * beside it, or an object whose property it is, can end that wait by ending
 * it (pg's and mysql2's connection timeouts). What a scope keeps is what some
 * function of it uses, not necessarily the callback: "can settle it", never
 * "will".
 */
import {arrayElements, edgeNamed} from '../heap';
import {abortListeners} from './listener-steps';
import type {Leaf} from '../types';
import type {WakerContext} from './context';

/** Scopes looked at, from the callback's own outwards. */
const SCOPES = 4;

/**
 * For each timer node, whether its callback keeps one of `resolvers` (the
 * resolve and reject functions of the promise it may guard), or one of
 * `holders` (the objects the search named keeping them), within reach of its
 * own code; or keeps one of `ends` (the sockets, servers and child processes
 * that wait stuck beside it under that promise), or an object whose property
 * is one: its callback can end what the promise waits on (pg's connection
 * timeout, `() => { con.stream.destroy(…) }`; mysql2's, a method bound to the
 * connection).
 *
 * @example
 * guardsOf(cx, ix.resolversOf(promiseNode), [timeoutNode, intervalNode]);
 * // [true, false]
 */
export function guardsOf(
  cx: WakerContext,
  resolvers: readonly number[],
  timers: readonly number[],
  holders: readonly number[] = [],
  ends: readonly number[] = [],
): boolean[] {
  const wanted = new Set(resolvers);
  // The timers themselves are no holders of it for this question: a callback
  // that refers to its own timer (to clear it) would read as a timeout.
  for (const h of holders) if (!timers.includes(h)) wanted.add(h);
  const ending = new Set(ends.filter(n => n !== -1));
  return timers.map(
    t =>
      t !== -1 &&
      resolvers.length > 0 &&
      keeps(
        cx,
        t,
        v =>
          wanted.has(v) || endsHere(cx, v, ending) || deferredOf(cx, v, wanted),
      ),
  );
}

/**
 * The timers found feeding a subject (`fed[k]`: the subject handle `k`
 * feeds, -1 for none) that are timeouts on its wait: drawn under that promise
 * only after the search (dump/fed.ts), so no question was asked of them
 * before it (nodemailer's greeting timeout, set by its socket's events). The
 * sockets, servers and child processes found feeding the same subject are
 * what such a timer may end (pg's connection timeout).
 */
export function fedTimeouts(
  cx: WakerContext,
  handles: ReadonlyArray<{leaf: Leaf; node: number}>,
  fed: readonly number[],
  resolvers: ReadonlyArray<number[] | undefined>,
  kept: ReadonlyArray<number[] | undefined>,
): Array<{timer: Leaf; subject: number}> {
  const out: Array<{timer: Leaf; subject: number}> = [];
  handles.forEach(({leaf, node}, k) => {
    const i = fed[k];
    const settles = i === -1 ? undefined : resolvers[i];
    if (leaf.kind !== 'timer' || settles === undefined) return;
    const ends = handles.flatMap((o, j) =>
      fed[j] === i && o.leaf.kind !== 'timer' ? [o.node] : [],
    );
    if (guardsOf(cx, settles, [node], kept[i] ?? [], ends)[0])
      out.push({timer: leaf, subject: i});
  });
  return out;
}

/**
 * Whether `v` is a deferred of the promise: an object (not a function) with
 * one of its settle functions as a property (`{promise, resolve, reject}`,
 * undici's own for `fetch()`, which the 'abort' listener it adds keeps).
 */
function deferredOf(cx: WakerContext, v: number, wanted: Set<number>): boolean {
  const g = cx.ix.g;
  if (g.type(v) !== 'object') return false;
  for (let e = g.firstEdge(v); e < g.firstEdge(v + 1); e++)
    if (
      g.edgeType(e) === 'property' &&
      wanted.has(g.edgeTo(e)) &&
      cx.ix.isResolverClosure(g.edgeTo(e))
    )
      return true;
  return false;
}

/** Whether `v` is one of `ends`, or has one as a property. */
function endsHere(cx: WakerContext, v: number, ends: Set<number>): boolean {
  if (ends.size === 0) return false;
  if (ends.has(v)) return true;
  const g = cx.ix.g;
  for (let e = g.firstEdge(v); e < g.firstEdge(v + 1); e++)
    if (g.edgeType(e) === 'property' && ends.has(g.edgeTo(e))) return true;
  return false;
}

function keeps(
  cx: WakerContext,
  timer: number,
  wanted: (node: number) => boolean,
): boolean {
  const g = cx.ix.g;
  if (g.name(timer) !== 'Timeout') return false;
  const callback = edgeNamed(g, timer, '_onTimeout');
  if (callback === -1) return false;
  // `setTimeout(reject, ms, error)`, `setTimeout(done, ms, reject)`.
  if (arrayElements(g, edgeNamed(g, timer, '_timerArgs')).some(wanted))
    return true;
  const fns = [callback];
  // `setTimeout(reject.bind(null, error), ms)`,
  // `setTimeout(this.onTimeout.bind(this), ms)`.
  for (let e = g.firstEdge(callback); e < g.firstEdge(callback + 1); e++) {
    const name = String(g.edgeName(e));
    if (name === 'bound_function' || name.startsWith('bound_argument'))
      fns.push(g.edgeTo(e));
    else if (name === 'bound_this' && wanted(g.edgeTo(e))) return true;
  }
  for (const fn of fns) {
    if (wanted(fn)) return true;
    if (g.type(fn) === 'closure' && inScope(cx, fn, wanted)) return true;
  }
  return false;
}

/**
 * Whether a variable of `fn`'s scope, or of one around it, is wanted; or an
 * AbortController there has a listener on its signal that is, or keeps, one
 * (`setTimeout(() => controller.abort(), ms)`: wakers/listener-steps.ts); or
 * a function there keeps one in its own scopes (a timer helper's callback
 * calling the function it was given: postgres.js's `timer(connectTimedOut,
 * seconds)`, whose `done` keeps `fn`, which keeps the connection's socket).
 */
function inScope(
  cx: WakerContext,
  fn: number,
  wanted: (node: number) => boolean,
  further = true,
): boolean {
  const g = cx.ix.g;
  for (const ctx of cx.ix.scopesOf(fn, SCOPES))
    for (let e = g.firstEdge(ctx); e < g.firstEdge(ctx + 1); e++) {
      if (g.edgeType(e) !== 'context') continue;
      const v = g.edgeTo(e);
      if (wanted(v)) return true;
      if (!further) continue;
      if (
        g.type(v) === 'closure' &&
        !cx.ix.isResolverClosure(v) &&
        inScope(cx, v, wanted, false)
      )
        return true;
      for (const l of abortListeners(g, v))
        if (wanted(l) || inScope(cx, l, wanted, false)) return true;
    }
  return false;
}
