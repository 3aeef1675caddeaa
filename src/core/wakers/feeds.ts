/**
 * Which handle feeds a stuck promise: a timer, socket, server or child
 * process of the dump that keeps, within a few references of its own (its
 * callback, its listeners, its parser; a callback and its own scope count as
 * one), the promise's resolve function or an object the search found
 * keeping it. Its work is then what could settle the
 * promise: one hang, drawn once (dump/fed.ts). Only references going out of
 * the handle count, and not through a function's outer scopes nor a module's
 * scope (it refers to much of the program), nor through V8's own metadata.
 */
import type {Leaf} from '../types';
import type {WakerContext} from './context';
import {reached} from './handle-reach';
import {type Lent, LentReader} from './lent';

/** What one handle feeds (see {@link feedsOf}). */
export interface Fed {
  /** The one subject it feeds, or -1. */
  subject: number;
  /**
   * Other inputs of the combinator whose input `subject` is, fed alike (one
   * HTTP/2 session carries the requests a `Promise.all` waits on).
   */
  also: number[];
  /**
   * Subjects drawn under the handle, as the work its own events made (the
   * commands a client sends when its socket connects), that it keeps: what
   * would settle them comes through it.
   */
  below: number[];
  /**
   * Subjects it reaches through its listeners besides the one it keeps
   * itself, when they are inputs of one combinator (or one): node-redis's
   * socket keeps the wait for its own close, and its 'data' listener the
   * client whose queue keeps the handshake commands' resolve functions. They
   * wait on it where it is drawn (dump/fed.ts).
   */
  besides: number[];
  /**
   * The resource in use of a pool that keeps the subject's resolve function
   * that it belongs to (it reaches the pool through it, is it, or is kept
   * by it: wakers/lent.ts).
   */
  lent?: Lent;
}

/**
 * For each handle node, the index of the one subject it feeds, or -1 (none,
 * or more than one: then nothing says which). Of subjects one inside the
 * other's branch (an `acquire()` awaited inside another's critical section,
 * both kept by the inner one's timeout), the innermost is the one fed: the
 * outer waits on it. Subjects under the handle's own branch are no subject it
 * could be drawn under: they are said apart (`below`). Of handles of one kind
 * that feed one subject, those that reach the holder nearest its resolve
 * function feed it: the listeners of every thread of a pool see the pool and
 * so every task (and the search may name a holder further up through another
 * thread's objects), but the thread a task was given keeps it in its own
 * record.
 *
 * @param kept for each subject, the nodes that keep its resolve function:
 *   the function itself and the holders the search named.
 * @param inside whether subject `inner`'s leaf is in the branch that subject
 *   `outer`'s waits on.
 * @param under whether subject `i`'s leaf is in handle `k`'s own branch.
 * @param near for each subject, the objects from its resolve function up to
 *   the first holder: with `kept`, how near a handle reaches it.
 * @param inputs whether the subjects are inputs of one combinator: a handle
 *   that feeds them all feeds each (drawn under the first: dump/fed.ts).
 */
export function feedsOf(
  cx: WakerContext,
  kept: Array<number[] | undefined>,
  handles: Array<{node: number; traced: boolean; kind?: string}>,
  inside: (inner: number, outer: number) => boolean = () => false,
  under: (k: number, i: number) => boolean = () => false,
  near: Array<number[] | undefined> = [],
  inputs: (found: number[]) => boolean = () => false,
): Fed[] {
  const owners = new Map<number, Set<number>>();
  kept.forEach((nodes, i) => {
    for (const n of nodes ?? []) {
      const set = owners.get(n);
      if (set === undefined) owners.set(n, new Set([i]));
      else set.add(i);
    }
  });
  // What a handle reaches besides the one subject it keeps itself: not one
  // that waits on that one, or it on it (they are one wait: `inside`).
  const pickBesides = (subject: number, rest: Set<number>): number[] =>
    pick(
      new Set(
        [...rest].filter(j => !inside(subject, j) && !inside(j, subject)),
      ),
    );
  const pick = (found: Set<number>): number[] => {
    for (const i of found)
      if ([...found].every(j => j === i || inside(i, j))) return [i];
    const all = [...found].sort((a, b) => a - b);
    return all.length > 1 && inputs(all) ? all : [];
  };
  // How far from each subject's resolve function a node keeps it: its place
  // on the way up to the first holder (`near`), then among the holders.
  const rankOf = new Map<number, Map<number, number>>();
  kept.forEach((nodes, i) => {
    [...new Set([...(near[i] ?? []), ...(nodes ?? [])])].forEach((n, r) => {
      const m = rankOf.get(n) ?? new Map<number, number>();
      if (!m.has(i)) m.set(i, r);
      rankOf.set(n, m);
    });
  });
  const ranks: number[] = [];
  const lending = new LentReader(cx, near, kept);
  const fed = handles.map((h, k) => {
    const below = new Set<number>();
    const {subjects, besides, at, path} =
      h.node === -1 || owners.size === 0
        ? {subjects: [], besides: [], at: Infinity, path: []}
        : reached(
            cx,
            h,
            owners,
            rankOf,
            {pick, pickBesides},
            i => under(k, i),
            below,
          );
    ranks.push(at);
    const subject = subjects[0] ?? -1;
    const lent = path.length < 2 ? undefined : lending.through(path, subject);
    return {
      subject,
      also: subjects.slice(1),
      below: [...below],
      besides,
      ...(lent === undefined ? {} : {lent}),
    };
  });
  const nearest = new Map<string, number>();
  const key = (k: number): string => `${handles[k].kind}:${fed[k].subject}`;
  fed.forEach(({subject}, k) => {
    if (subject !== -1)
      nearest.set(key(k), Math.min(nearest.get(key(k)) ?? Infinity, ranks[k]));
  });
  const nearestOnly = fed.map((f, k) =>
    f.subject !== -1 && ranks[k] > (nearest.get(key(k)) ?? Infinity)
      ? {subject: -1, also: [], below: f.below, besides: []}
      : f,
  );
  return lentKeeping(lending, nearestOnly, kept.length, handles, under);
}

/**
 * Handles that feed no subject yet, that a resource in use of a pool keeping
 * one subject's resolve function keeps (pg-pool's `Client`, in `_clients`
 * and not in `_idle`, keeps its socket, which reaches the pool only far
 * out): each feeds that subject, when only one subject's pool has it.
 */
function lentKeeping(
  lending: LentReader,
  fed: Fed[],
  subjects: number,
  handles: ReadonlyArray<{node: number}>,
  under: (k: number, i: number) => boolean,
): Fed[] {
  const free = new Map<number, number>();
  fed.forEach((f, k) => {
    if (f.subject === -1 && handles[k].node !== -1)
      free.set(handles[k].node, k);
  });
  if (free.size === 0) return fed;
  const found = new Map<number, Array<{subject: number; lent: Lent}>>();
  const nodes = new Set(free.keys());
  for (let i = 0; i < subjects; i++)
    for (const [node, lent] of lending.keptBy(i, nodes)) {
      const k = free.get(node)!;
      if (!under(k, i))
        found.set(k, [...(found.get(k) ?? []), {subject: i, lent}]);
    }
  return fed.map((f, k) => {
    const one = found.get(k);
    return one?.length === 1
      ? {...f, subject: one[0].subject, lent: one[0].lent}
      : f;
  });
}

/**
 * What each handle feeds, as the pairs a report lists (handle, promise);
 * those it reaches besides the one it keeps itself, `besides`.
 */
export function feedPairs(
  fed: readonly Fed[],
  handles: ReadonlyArray<{leaf: Leaf}>,
  subjects: ReadonlyArray<{leaf: Leaf}>,
): Array<{handle: Leaf; promise: Leaf; besides?: true}> {
  return handles.flatMap((h, k) => [
    ...[
      ...(fed[k].subject === -1 ? [] : [fed[k].subject]),
      ...fed[k].also,
      ...fed[k].below,
    ].map(i => ({handle: h.leaf, promise: subjects[i].leaf})),
    ...(fed[k].subject === -1 ? [] : fed[k].besides).map(i => ({
      handle: h.leaf,
      promise: subjects[i].leaf,
      besides: true as const,
    })),
  ]);
}
