/**
 * The walk out of one handle for the feeds search (wakers/feeds.ts): its
 * references, a few hops, its listeners and an arrow's `this` stepped with
 * what they listen on, a callback and its own scope one step; which subjects
 * it keeps itself, which it reaches, and the way to the first.
 */
import {edgeNamed} from '../heap';
import type {WakerContext} from './context';
import {
  abortListeners,
  emitterListeners,
  sessionStreams,
} from './listener-steps';
import {carriesFeed} from './feed-edges';

/** Timers' classes in the heap. */
const TIMERS = new Set(['Timeout', 'Immediate']);

/** References followed out of a handle. */
const HOPS = 4;

/** How the feeds search picks among subjects a handle reaches. */
export interface Picks {
  /** The one subject (or the inputs of one combinator) of those found. */
  pick: (found: Set<number>) => number[];
  /** Those reached besides `subject`, not one wait with it. */
  pickBesides: (subject: number, rest: Set<number>) => number[];
}

/** What one handle reaches (see {@link reached}). */
export interface Reach {
  subjects: number[];
  besides: number[];
  /** How near the first subject's resolve function it reaches. */
  at: number;
  /** The way from the handle to what keeps the first subject. */
  path: number[];
}

/**
 * What the handle `start` keeps or reaches of the subjects (`owners`: for a
 * node, the subjects whose resolve function it keeps). Subjects under the
 * handle's own branch go into `below`.
 */
export function reached(
  cx: WakerContext,
  {node: start, traced}: {node: number; traced: boolean},
  owners: Map<number, Set<number>>,
  rankOf: Map<number, Map<number, number>>,
  {pick, pickBesides}: Picks,
  under: (i: number) => boolean,
  below: Set<number>,
): Reach {
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
