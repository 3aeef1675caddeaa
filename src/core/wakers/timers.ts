/**
 * Recognises timers that keep a resolve function: Node's own (`Timeout`,
 * `Immediate`, by their callback) and Jest's fake ones (an object with a
 * `callAt` or `expiry` keeping the callback, or a faked tick in the fake
 * clock's `jobs`). A timer says when it fires, from
 * its live state.
 */
import type {Waker} from '../types';
import type {WakerContext} from './context';
import {edgeNamed} from '../heap';
import {FAKE_TICK, FAKE_TIMER, timerWaker} from './words';

/**
 * The timer at `node` keeping the chain by edge `edge`: its waker, 'stop' for a
 * timer not worth naming (the dump shows it already), undefined for no timer.
 */
export function recogniseTimer(
  cx: WakerContext,
  node: number,
  edge: string | number,
  waiting: boolean,
): {waker: Waker; place: string} | 'stop' | undefined {
  const g = cx.ix.g;
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
    const delay =
      t?.idleTimeout !== undefined && t.idleTimeout >= 0
        ? Math.round(t.idleTimeout)
        : null;
    const left =
      delay !== null && t?.idleStart !== undefined
        ? Math.max(0, Math.round(t.idleStart + delay - cx.now))
        : null;
    const api = typeof t?.repeat === 'number' ? 'setInterval' : 'setTimeout';
    return timerWaker(api, delay, left);
  }
  // Jest's fake timers: a timer of @sinonjs/fake-timers (modern) or of Jest's
  // legacy ones.
  if ((edge === 'func' || edge === 'callback') && g.type(node) === 'object') {
    const t = cx.states.read(node);
    if (t !== undefined && (t.callAt !== undefined || t.expiry !== undefined))
      return FAKE_TIMER;
    if (edge === 'func' && isFakeJob(cx, node)) return FAKE_TICK;
  }
  return undefined;
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
