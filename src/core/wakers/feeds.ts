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
import {edgeNamed} from '../heap';
import type {Leaf} from '../types';
import type {WakerContext} from './context';
import {
  abortListeners,
  emitterListeners,
  sessionStreams,
} from './listener-steps';
import {carriesFeed} from './feed-edges';
import {type Lent, LentReader} from './lent';

/** Timers' classes in the heap. */
const TIMERS = new Set(['Timeout', 'Immediate']);

/** References followed out of a handle. */
const HOPS = 4;

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

function reached(
  cx: WakerContext,
  {node: start, traced}: {node: number; traced: boolean},
  owners: Map<number, Set<number>>,
  rankOf: Map<number, Map<number, number>>,
  {
    pick,
    pickBesides,
  }: {
    pick: (found: Set<number>) => number[];
    pickBesides: (subject: number, rest: Set<number>) => number[];
  },
  under: (i: number) => boolean,
  below: Set<number>,
): {subjects: number[]; besides: number[]; at: number; path: number[]} {
  // Subjects under the handle go apart.
  const one = (found: Set<number>): number[] => {
    const rest = new Set<number>();
    for (const i of found) (under(i) ? below : rest).add(i);
    return rest.size === 0 ? [] : pick(rest);
  };
  const {ix} = cx;
  const g = ix.g;
  // The handle may be what the search named itself: the emitter whose event
  // an events.once() waits for (a child process's 'exit'). A timer only when
  // its branch was traced back (made by the calls that made the promise, as
  // mongoose's buffering timeout): one is named for what its callback keeps
  // however far out, scopes included.
  const timer = TIMERS.has(g.name(start));
  const seen = new Set<number>([start]);
  // How each node was first met, for the way to what keeps a subject.
  const parent = new Map<number, number>();
  const from = (node: number, by: number): void => {
    seen.add(node);
    parent.set(node, by);
  };
  const metAt = new Map<number, number>();
  const outer = new Set<number>();
  // Scopes entered from callbacks, with the callbacks (closure-uses.ts).
  const scopeOf = new Map<number, number[]>();
  let level = [start];
  const found = new Set<number>();
  // For each subject, the nearest to its resolve function of what was met.
  const at = new Map<number, number>();
  const meet = (node: number): void => {
    for (const [k, r] of rankOf.get(node) ?? [])
      at.set(k, Math.min(at.get(k) ?? Infinity, r));
  };
  const add = (node: number): void => {
    for (const k of owners.get(node) ?? []) {
      found.add(k);
      if (!metAt.has(k)) metAt.set(k, node);
    }
  };
  // Listeners one step with what they listen on (listener-steps.ts).
  const stepListeners = (node: number): void => {
    const steps = abortListeners(g, node);
    if (!timer)
      steps.push(...emitterListeners(g, node), ...sessionStreams(g, node));
    for (const f of steps)
      if (!seen.has(f)) {
        from(f, node);
        meet(f);
        add(f);
        level.push(f);
      }
  };
  meet(start);
  const self = owners.get(start);
  let subjects: number[] | undefined;
  if (self !== undefined && (traced || !timer)) {
    // Of several it keeps that are not one wait, those it keeps nearest
    // their resolve functions (a socket's 'close' listener keeps a close
    // wait's; the client kept further up keeps its commands' too).
    let i = one(self);
    if (i.length === 0 && self.size > 1)
      i = one(nearestOf(start, self, rankOf));
    // Only what its own work waits on keeps it: what keeps that may be
    // further out. (What it reaches still says how near.)
    if (i.length > 0 || [...self].some(k => !under(k))) subjects = i;
  }
  for (let hop = 0; hop < HOPS && level.length > 0; hop++) {
    const next: number[] = [];
    for (const node of level) {
      const by = scopeOf.get(node);
      for (let e = g.firstEdge(node); e < g.firstEdge(node + 1); e++) {
        const to = g.edgeTo(e);
        if (by !== undefined && !by.some(fn => ix.usesVariable(fn, e)))
          continue;
        if (
          seen.has(to) &&
          g.edgeName(e) === 'context' &&
          g.type(node) === 'closure' &&
          scopeOf.has(to) &&
          !ix.skip(e)
        ) {
          // Another callback of the same scope: what it uses counts too.
          scopeOf.get(to)!.push(node);
          level.push(to);
          continue;
        }
        if (seen.has(to) || ix.skip(e) || ix.probe.ours[to] === 1) continue;
        if (!carriesFeed(g, e, to) || ix.isAsyncStore(to)) continue;
        // A callback that refers to nothing of its own has the module's scope
        // as its context, and that refers to much of the program.
        if (g.name(to) === 'system / Context' && ix.isModuleScope(to)) continue;
        from(to, node);
        meet(to);
        stepListeners(to);
        if (owners.has(to)) add(to);
        else if (g.edgeName(e) === 'context' && g.type(node) === 'closure') {
          // A callback and its own scope are one step: what a callback refers
          // to is its scope's (node-schedule's timer runs a callback whose
          // scope keeps the job that emits 'run', through another's). Not a
          // scope that encloses one already entered, reached through a
          // function it keeps: that is an outer scope of the callback.
          if (outer.has(to)) continue;
          addOuterScopes(g, to, outer);
          // Of its scope, only the variables the callback uses (V8 keeps
          // those of every closure of the call in one scope).
          scopeOf.set(to, [node]);
          level.push(to);
          // The object whose method made the callback (an arrow's `this`,
          // kept in the method's scope: `socket.on('data', d =>
          // this.receive(d))`) is the callback's own too.
          const self = outerThis(cx, to);
          if (self === -1 || seen.has(self) || ix.probe.ours[self] === 1)
            continue;
          from(self, to);
          meet(self);
          // An emitter's listeners are its own (RedisSocket's 'data'
          // listener, the client's, that its socket's re-emits to).
          stepListeners(self);
          if (owners.has(self)) add(self);
          else next.push(self);
        } else next.push(to);
      }
    }
    level = next;
  }
  // What it reaches besides what it keeps itself, when that is all one wait.
  const besides =
    subjects === undefined || subjects.length !== 1
      ? []
      : pickBesides(
          subjects[0],
          new Set([...self!, ...found].filter(i => i !== subjects![0])),
        ).filter(i => !under(i));
  subjects ??= one(found);
  // The way from the handle to what keeps the first subject, that last.
  const path: number[] = [];
  const met = subjects.length > 0 ? metAt.get(subjects[0]) : undefined;
  for (let n = met; n !== undefined && path.length < 64; n = parent.get(n))
    path.unshift(n);
  return {
    subjects,
    besides,
    at: Math.min(Infinity, ...subjects.map(i => at.get(i) ?? Infinity)),
    path: path[0] === start ? path : [],
  };
}

/**
 * Of the subjects `node` keeps, those it keeps nearest their resolve
 * functions (`rankOf`: how far up from it).
 */
function nearestOf(
  node: number,
  subjects: Set<number>,
  rankOf: Map<number, Map<number, number>>,
): Set<number> {
  const ranks = rankOf.get(node);
  const rank = (i: number): number => ranks?.get(i) ?? Infinity;
  const min = Math.min(...[...subjects].map(rank));
  return new Set([...subjects].filter(i => rank(i) === min));
}

/**
 * The `this` an outer scope of `ctx` (not a module's) keeps, the nearest: the
 * receiver of the method an arrow function was made in; -1 if none.
 */
function outerThis(cx: WakerContext, ctx: number): number {
  const g = cx.ix.g;
  for (
    let at = ctx, k = 0;
    at !== -1 && k < 8 && !cx.ix.isModuleScope(at);
    at = edgeNamed(g, at, 'previous'), k++
  ) {
    const self = edgeNamed(g, at, 'this');
    if (self !== -1 && g.type(self) === 'object') return self;
  }
  return -1;
}

/** The scopes enclosing the scope `ctx` (its `previous` chain), into `out`. */
function addOuterScopes(
  g: WakerContext['ix']['g'],
  ctx: number,
  out: Set<number>,
): void {
  for (
    let prev = edgeNamed(g, ctx, 'previous'), k = 0;
    prev !== -1 && !out.has(prev) && k < 64;
    prev = edgeNamed(g, prev, 'previous'), k++
  )
    out.add(prev);
}
