/**
 * Recognises timers that keep a resolve function: Node's own (`Timeout`,
 * `Immediate`, by their callback) and Jest's fake ones (an object with a
 * `callAt` or `expiry` keeping the callback, or a faked tick in the fake
 * clock's `jobs`). A timer says when it fires, from
 * its live state.
 */
import type {Waker} from '../types';
import type {WakerContext} from './context';
import type {Chain} from './heap-index';
import {LOOP_CLOCK_OFFSET} from '../clock';
import {edgeNamed} from '../heap';
import {IMMEDIATE, fakeTickWords, fakeTimerWords, timerWaker} from './words';

/**
 * The timer at `node` keeping the chain by edge `edge`: its waker, 'stop' for a
 * timer not worth naming (the dump shows it already), undefined for no timer.
 */
export function recogniseTimer(
  cx: WakerContext,
  chain: Chain,
  k: number,
  edge: string | number,
  waiting: boolean,
): {waker: Waker; place: string} | 'stop' | undefined {
  const g = cx.ix.g;
  const node = chain.nodes[k];
  const name = g.name(node);
  if (
    (edge === '_onTimeout' && name === 'Timeout') ||
    (edge === '_onImmediate' && name === 'Immediate')
  ) {
    // A promise that waits on a timer the dump shows already says so.
    if (waiting) return 'stop';
    const t = cx.states.read(node);
    // One that ran, or was cleared, keeps its callback but will not call it.
    if (t?.timerDone === true) return 'stop';
    if (name === 'Immediate') return IMMEDIATE;
    const delay =
      t?.idleTimeout !== undefined && t.idleTimeout >= 0
        ? Math.round(t.idleTimeout)
        : null;
    const left =
      delay !== null && t?.idleStart !== undefined
        ? Math.max(
            0,
            Math.round(t.idleStart + LOOP_CLOCK_OFFSET + delay - cx.now),
          )
        : null;
    const api = typeof t?.repeat === 'number' ? 'setInterval' : 'setTimeout';
    return timerWaker(api, delay, left, throughOthers(cx, chain, k));
  }
  // Jest's fake timers: a timer of @sinonjs/fake-timers (modern) or of Jest's
  // legacy ones.
  if ((edge === 'func' || edge === 'callback') && g.type(node) === 'object') {
    const t = cx.states.read(node);
    // Jest's legacy timers (`expiry`) are Jest's own.
    if (t?.expiry !== undefined) return fakeTimerWords(true);
    if (t?.callAt !== undefined) return fakeTimerWords(isJests(cx, node));
    if (edge === 'func' && isFakeJob(cx, node))
      return fakeTickWords(isJests(cx, node));
  }
  return undefined;
}

/**
 * When the timer's callback reaches the resolve function only through other
 * functions (async.js's `setTimeout(retryAttempt, …)`, whose attempt calls
 * back into what calls it), it may settle it when it fires or start more
 * work: the callback's name and those of the functions in between (unnamed
 * ones left out). Undefined when the callback is the resolve function or
 * keeps it in its own scope (`setTimeout(() => resolve(), …)`).
 */
function throughOthers(
  cx: WakerContext,
  chain: Chain,
  k: number,
): {callback: string; between: string[]} | undefined {
  const g = cx.ix.g;
  const between: string[] = [];
  let others = false;
  for (let i = 1; i < k - 1; i++) {
    const n = chain.nodes[i];
    if (g.type(n) !== 'closure') continue;
    others = true;
    const name = g.name(n);
    if (name !== '' && !between.includes(name)) between.push(name);
  }
  if (!others) return undefined;
  return {callback: g.name(chain.nodes[k - 1]), between};
}

/**
 * Whether the fake timer or job at `node` is of Jest's clock: Jest's modern
 * fake timers keep their @sinonjs/fake-timers clock as `_clock` (Jest 29 and
 * 30), a clock the test installed itself (sinon's) is kept otherwise. The
 * clock is a few steps up: the timer is in its `timers` (a Map, or an object
 * before v14), a job in its `jobs` array.
 */
function isJests(cx: WakerContext, node: number): boolean {
  const {ix} = cx;
  const g = ix.g;
  let level = [node];
  const seen = new Set(level);
  for (let depth = 0; depth < 5 && level.length > 0; depth++) {
    const next: number[] = [];
    for (const n of level)
      for (const r of ix.retainersOf(n)) {
        if (g.edgeName(r.edge) === '_clock') return true;
        if (!seen.has(r.from) && seen.size < 200) {
          seen.add(r.from);
          next.push(r.from);
        }
      }
    level = next;
  }
  return false;
}

/**
 * A job of @sinonjs/fake-timers' clock (a faked `process.nextTick` or
 * `queueMicrotask`): an element of the array its clock keeps as `jobs`, next
 * to the clock's `nextTick` and `tick` (its `now`, a small number, is no
 * object of the heap).
 */
function isFakeJob(cx: WakerContext, node: number): boolean {
  const {ix} = cx;
  const g = ix.g;
  for (const a of ix.retainersOf(node)) {
    if (g.edgeType(a.edge) !== 'element' || g.name(a.from) !== 'Array')
      continue;
    for (const c of ix.retainersOf(a.from))
      if (
        g.edgeName(c.edge) === 'jobs' &&
        edgeNamed(g, c.from, 'nextTick') !== -1 &&
        edgeNamed(g, c.from, 'tick') !== -1
      )
        return true;
  }
  return false;
}
