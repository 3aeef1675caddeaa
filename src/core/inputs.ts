/**
 * Where a leaf is an input of a combinator, and which of several leaves a
 * branch that feeds them all is drawn under (dump/fed.ts; the waker search
 * keeps several only then, wakers/index.ts).
 */
import type {Frame, Leaf} from './types';

/**
 * Of several promises one branch feeds, the one to draw it under: when all
 * are inputs of one combinator (their paths alike up to their inputs' frames,
 * each a different index: the loads a `Promise.all` waits on, which one
 * DataLoader batch settles), the first input. Else undefined: nothing says
 * which.
 */
export function hostOf(promises: Leaf[]): Leaf | undefined {
  const inputs = promises.map(inputOf);
  const first = inputs[0];
  if (first === undefined) return undefined;
  const same = inputs.every(
    (i, k) =>
      i !== undefined &&
      i.depth === first.depth &&
      sameFrames(promises[k].path, promises[0].path, first.depth),
  );
  const indices = new Set(inputs.map(i => i?.index));
  if (!same || indices.size !== promises.length) return undefined;
  let host = 0;
  inputs.forEach((i, k) => {
    if (i!.index < inputs[host]!.index) host = k;
  });
  return promises[host];
}

/**
 * One promise several inputs of one combinator wait on (a cache that hands
 * the same in-flight promise to two callers, `Promise.all([p, p])`): one
 * thing stuck, drawn and counted under the first input; the others wait on
 * what it waits on. `leaves`: the leaves of one promise, one per branch.
 */
export function markSameWait(leaves: Leaf[]): void {
  if (leaves.length < 2) return;
  const host = hostOf(leaves);
  const index = host === undefined ? undefined : inputOf(host)?.index;
  if (index === undefined) return;
  for (const l of leaves) if (l !== host) l.waitsWithInput = index;
}

/**
 * Inputs of one combinator that one timer settles (wakers/same-timer.ts): one
 * thing stuck, drawn and counted under the input the timer is drawn under
 * (else the first); the others wait on what it waits on, their own `↳` line
 * (the same timer) left out.
 */
export function markSameTimer(leaves: Leaf[]): void {
  const first = hostOf(leaves);
  if (first === undefined) return;
  const host = leaves.find(l => l.waiting === true) ?? first;
  const index = inputOf(host)?.index;
  if (index === undefined) return;
  for (const l of leaves) {
    if (l === host) continue;
    l.waitsWithInput = index;
    delete l.waker;
  }
}

/**
 * The leaves of one promise (timer, handle) that several branches wait on,
 * other than as inputs of one combinator ({@link markSameWait}): marked with
 * `id`, to be counted as one thing stuck.
 */
export function markShared(leaves: Leaf[], id: number): void {
  const apart = leaves.filter(l => l.waitsWithInput === undefined);
  if (apart.length < 2) return;
  for (const l of apart) l.shared = id;
}

/**
 * For the leaf of what `leaf` waits on, drawn below it (the server's side of
 * a client's connection): of one thing when `leaf` is ({@link markShared}),
 * each copy drawn under a copy of it, counted once.
 */
export function sharedBelow(leaf: Leaf): Pick<Leaf, 'shared'> {
  return leaf.shared === undefined ? {} : {shared: -leaf.shared};
}

/**
 * Where `leaf` is an input of a combinator, innermost first: the depth in its
 * path of that input's frame (its path's length when the leaf is the input
 * itself), and its index.
 */
export function inputOf(
  leaf: Leaf,
): {depth: number; index: number} | undefined {
  if (leaf.input !== undefined)
    return leaf.input.index === null
      ? undefined
      : {depth: leaf.path.length, index: leaf.input.index};
  for (let d = leaf.path.length - 1; d >= 0; d--) {
    const c = leaf.path[d].combinator;
    if (c !== undefined)
      return c.index === null ? undefined : {depth: d, index: c.index};
  }
  return undefined;
}

/** Whether the first `n` frames of `a` and `b` are the very same frames. */
function sameFrames(a: Frame[], b: Frame[], n: number): boolean {
  if (a.length < n || b.length < n) return false;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}
