/**
 * Promises a handle reaches besides the one it keeps itself and is drawn
 * under (wakers/feeds.ts `Fed.besides`): where they part from its branch at
 * another input of a combinator above both, they wait on it there. One hang,
 * counted at the handle.
 */
import type {CombinatorName, Leaf, TaskDump} from '../types';
import {hostOf} from '../inputs';
import {sameFrame, sharedFrames, startsWith} from './paths';

/**
 * Promises a handle drawn under the one promise it keeps reaches too (inputs
 * of one combinator, or one): when each parts from the handle's branch at
 * another input of a combinator above both, it waits on the handle there
 * (node-redis's handshake commands, in a `Promise.race` whose other input
 * waits for the socket they are written on to close).
 */
export function waitsUnder(
  dump: TaskDump,
  handle: Leaf,
  promises: Leaf[],
): void {
  const all = promises.filter(p => dump.leaves.includes(p) && !p.waiting);
  if (all.length === 0 || (all.length > 1 && hostOf(all) === undefined)) return;
  const parts = all.map(p => partingInput(p, handle));
  if (parts.some(i => i === undefined)) return;
  all.forEach((p, k) => {
    p.waitsOnUnder = {kind: handle.kind, ...parts[k]!};
  });
}

/** Whether `handle` is drawn under `promise`, which waits on it. */
export function drawnUnder(handle: Leaf, promise: Leaf): boolean {
  return (
    promise.waiting === true &&
    handle.detached === promise.detached &&
    handle.path.length > promise.path.length &&
    startsWith(handle.path, promise.path)
  );
}

/**
 * Where `p`'s branch parts from `handle`'s, when at two inputs of one
 * combinator: the name of that combinator and the index of `handle`'s input.
 */
function partingInput(
  p: Leaf,
  handle: Leaf,
): {combinator: CombinatorName; index: number} | undefined {
  if (p.detached !== handle.detached) return undefined;
  const n = sharedFrames(p.path, handle.path, Infinity, sameFrame);
  const a = p.path[n]?.combinator;
  const b = handle.path[n]?.combinator;
  if (
    n === 0 ||
    a === undefined ||
    b === undefined ||
    a.name !== b.name ||
    b.index === null ||
    a.index === b.index
  )
    return undefined;
  return {combinator: b.name, index: b.index};
}
