/**
 * A promise whose executor set a timer and kept its resolve function
 * somewhere else (an RPC call: `new Promise((resolve, reject) => { const t =
 * setTimeout(() => reject(new Error('timed out')), 10_000);
 * pending.set(id, r => { clearTimeout(t); resolve(r); }); })`): the timer is
 * all that is stuck below it, and the dump drew it as the branch's leaf ("1
 * timer"). What hangs is the reply nobody sends; the timer is a timeout on
 * that wait. Asked only of such a promise (GuardQuestion.alone).
 */
import type {WakerKind} from '../types';
import type {WakerContext} from './context';
import type {GuardQuestion} from './types';
import {wakerOf} from './waker-of';

/** Kinds of waker that name no keeper but a timer, or none at all. */
const NOT_ELSEWHERE = new Set<WakerKind>(['none', 'timer']);

/**
 * Whether something besides `q`'s timers keeps the resolve function of its
 * promise (node `promise`), when at least one of them is a timeout on it
 * (`timeouts`, guardsOf's answers): if so, sets that waker on its leaf and
 * marks the leaf {@link Leaf.heldElsewhere}.
 */
export function heldElsewhere(
  cx: WakerContext,
  promise: number,
  q: GuardQuestion,
  timeouts: readonly boolean[],
): boolean {
  if (!timeouts.some(Boolean)) return false;
  const {waker} = wakerOf(cx, promise, {
    leaf: q.waiting,
    promise: q.promise,
    constructed: true,
  });
  if (waker === undefined || NOT_ELSEWHERE.has(waker.kind)) return false;
  q.waiting.waker = waker;
  q.waiting.heldElsewhere = true;
  return true;
}
