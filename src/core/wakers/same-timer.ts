/**
 * One timer, several stuck inputs of one combinator: a batcher whose first
 * load's executor set the flush timer that settles every load queued after
 * it, a debounce whose last call set the one timer left, which settles every
 * call's promise, a batch under fake timers nobody advances. Each input's
 * `↳` line names "a timer", and the dump would count one timer as many
 * stuck branches. The snapshot says which timer: a subject whose waker is a
 * timer's callback keeping its resolve function (the timer's node, after its
 * resolve functions among what the search named keeping it), and an input
 * of the same combinator with that timer drawn under it.
 */
import type {Leaf} from '../types';
import type {WakerSubject} from './types';

/**
 * The groups of two or more leaves one timer settles: subjects whose waker
 * says the timer settles them (`timerOf`: the timer's node, or -1), and the
 * promises with that timer drawn under them (`drawn`). Whether they are
 * inputs of one combinator is the dump's to say (inputs.ts).
 */
export function sameTimerGroups(
  subjects: readonly WakerSubject[],
  timerOf: (i: number) => number,
  drawn: ReadonlyArray<{waiting: Leaf; node: number}>,
): Leaf[][] {
  const byTimer = new Map<number, Leaf[]>();
  const add = (node: number, leaf: Leaf): void => {
    const group = byTimer.get(node);
    if (group === undefined) byTimer.set(node, [leaf]);
    else if (!group.includes(leaf)) group.push(leaf);
  };
  subjects.forEach((s, i) => {
    const w = s.leaf.waker;
    if (w?.kind !== 'timer' || !w.what.startsWith('settles when a')) return;
    const node = timerOf(i);
    if (node !== -1) add(node, s.leaf);
  });
  for (const {waiting, node} of drawn)
    if (node !== -1 && byTimer.has(node)) add(node, waiting);
  return [...byTimer.values()].filter(g => g.length > 1);
}
