/**
 * A stuck promise queued in an object behind work that object runs and
 * nobody awaits: tinypool's task the test started and dropped
 * (`pool.run(…).catch(() => {})`) runs on the pool's one thread, and the
 * task the test awaits waits in the pool's queue for that thread. The queued
 * one waits on the dropped one: one hang, drawn under the queued one.
 *
 * What the heap shows, and all that is asked: the waiter's resolve function
 * is kept as an item of a queue (an array's element, in the queue or in an
 * array of its own: tinypool's `ArrayTaskQueue.tasks`), under an object the
 * dropped promise's resolve function is kept under too (the pool), by way of
 * something other than that queue (the thread's record of its tasks). It
 * is asked only of a chain nothing the test runs waits on, for which nothing
 * else was found to feed (wakers/index.ts): whether the dropped work is what
 * the queue waits for is not known beyond that (a queue of requests behind
 * a request in flight reads alike).
 */
import type {HeapGraph} from '../heap';
import type {WakerContext} from './context';

/**
 * Whether subject `w` is queued under a holder that subject `r`'s resolve
 * function is kept under too, not in the same queue.
 *
 * @param kept for each subject, its resolve function and the holders the
 *   search named, nearest first.
 * @param near for each subject, the objects from its resolve function up to
 *   the first holder.
 */
export function runningAhead(
  cx: WakerContext,
  kept: ReadonlyArray<readonly number[] | undefined>,
  near: ReadonlyArray<readonly number[] | undefined>,
  w: number,
  r: number,
): boolean {
  const g = cx.ix.g;
  const kw = kept[w] ?? [];
  const kr = kept[r] ?? [];
  const common = kw.find(n => g.type(n) === 'object' && kr.includes(n));
  if (common === undefined) return false;
  const wayW = new Set([
    ...(near[w] ?? []),
    ...kw.slice(0, kw.indexOf(common)),
  ]);
  const wayR = new Set([
    ...(near[r] ?? []),
    ...kr.slice(0, kr.indexOf(common)),
  ]);
  wayW.delete(common);
  wayR.delete(common);
  const queue = [...wayW].find(
    n => g.type(n) !== 'closure' && keepsAsItem(g, n, wayW),
  );
  return queue !== undefined && !wayR.has(queue);
}

/**
 * Whether `n` keeps a node of `way` as an element, in itself or in an array
 * it refers to.
 */
function keepsAsItem(
  g: HeapGraph,
  n: number,
  way: ReadonlySet<number>,
): boolean {
  const elementOf = (m: number): boolean => {
    for (let e = g.firstEdge(m); e < g.firstEdge(m + 1); e++)
      if (g.edgeType(e) === 'element' && way.has(g.edgeTo(e))) return true;
    return false;
  };
  if (elementOf(n)) return true;
  for (let e = g.firstEdge(n); e < g.firstEdge(n + 1); e++) {
    const to = g.edgeTo(e);
    if (
      g.edgeType(e) === 'property' &&
      g.type(to) !== 'closure' &&
      elementOf(to)
    )
      return true;
  }
  return false;
}
