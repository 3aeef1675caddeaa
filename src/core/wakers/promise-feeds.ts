/**
 * Which stuck promise a chain nothing waits on feeds: a pending promise whose
 * reactions (an `await` that will resume, a `.then` callback) keep, a few
 * references away, another stuck promise's resolve function. DataLoader's
 * `batchPromise.then(values => batch.callbacks[i].resolve(...))`, a pool's
 * `create().then(() => this._dispense())`: when the first settles, the code
 * that runs is what settles the second, so the second waits on it (one hang,
 * drawn once: dump/fed.ts). The search goes back from each resolve function
 * through what refers to it, nearest first, as far as {@link DEPTH}
 * references; from a function's scope to the scopes inside it, whose functions
 * can call what it keeps. A function is reached from its scope only when it
 * uses the variable the search came by (closure-uses.ts); a module's scope
 * (which refers to much of the program) only through one of its variables.
 */
import type {WakerContext} from './context';
import {carriesFeed} from './feed-edges';
import {hostOf} from '../inputs';
import type {Leaf} from '../types';

/** References followed back from a resolve function. */
const DEPTH = 10;

/** Objects visited back from one resolve function, at most. */
const VISITS = 20_000;

/** Subjects whose resolve functions are searched back from, at most. */
const SUBJECTS = 64;

/**
 * For each feeder (a list of promise nodes: a chain nothing waits on), the
 * indices of the subjects it feeds: none, or those found nearest, not one of
 * its own. Two or more at the same distance only when they are inputs of one
 * combinator (a batch that settles each of the loads a `Promise.all` waits
 * on, drawn once: inputs.ts); else nothing says which, and none is kept.
 * And for each feeder, whether it reaches any subject's resolve function but
 * its own, or one of `others` (stuck promises that are no subjects): one it
 * may feed, said or not.
 *
 * @param resolvers each subject's resolve and reject functions.
 * @param own for each feeder, the subject it is (its leaf's), or -1.
 * @param leaves each subject's leaf.
 * @param others the resolve and reject functions of other stuck promises.
 */
export function promiseFeedsOf(
  cx: WakerContext,
  resolvers: Array<number[] | undefined>,
  feeders: number[][],
  own: number[],
  leaves: Leaf[],
  others: number[][] = [],
): {fed: number[][]; reaching: boolean[]} {
  if (feeders.length === 0) return {fed: [], reaching: []};
  // A promise on two chains (a pool's creation, on the chain of the connect
  // it awaits too) is the feeder's whose own leaf it is nearest: the other
  // chain feeds through that one, which it feeds (drawn under it).
  const feederOf = new Map<number, number>();
  const stepOf = new Map<number, number>();
  feeders.forEach((nodes, k) => {
    nodes.forEach((n, step) => {
      if (n === -1 || (stepOf.get(n) ?? Infinity) < step) return;
      feederOf.set(n, k);
      stepOf.set(n, step);
    });
  });
  const best = feeders.map(() => ({depth: Infinity, subjects: [] as number[]}));
  const reaching = feeders.map(() => false);
  resolvers.slice(0, SUBJECTS).forEach((fns, i) => {
    if (fns === undefined || fns.length === 0) return;
    for (const [k, depth] of reachedBack(cx, fns, feederOf)) {
      if (own[k] === i) continue;
      reaching[k] = true;
      const b = best[k];
      if (depth < b.depth) best[k] = {depth, subjects: [i]};
      else if (depth === b.depth && !b.subjects.includes(i)) b.subjects.push(i);
    }
  });
  for (const fns of others.slice(0, SUBJECTS))
    if (fns.length > 0 && reaching.includes(false))
      for (const k of reachedBack(cx, fns, feederOf).keys()) reaching[k] = true;
  const fed = best.map(({subjects: found}) =>
    found.length === 1 || hostOf(found.map(i => leaves[i])) !== undefined
      ? found
      : [],
  );
  return {fed, reaching};
}

/** The feeders reached back from `fns`, each at its nearest depth. */
function reachedBack(
  cx: WakerContext,
  fns: number[],
  feederOf: Map<number, number>,
): Map<number, number> {
  const {ix} = cx;
  const g = ix.g;
  const found = new Map<number, number>();
  const seen = new Set<number>(fns);
  // A function keeps only the variables of its scope it uses
  // (closure-uses.ts), though V8 keeps them in one scope with those it does:
  // each scope is stepped back from through the variable it was reached by
  // (carried into the scopes inside it), and again through another one.
  const scopeVias = new Map<number, Set<number>>();
  let level: Array<[node: number, via: number]> = fns.map(f => [f, -1]);
  for (let depth = 1; depth <= DEPTH && level.length > 0; depth++) {
    const next: Array<[number, number]> = [];
    for (const [node, via] of level) {
      for (const {from, edge} of ix.retainersOf(node)) {
        if (seen.size >= VISITS) continue;
        if (ix.skip(edge) || ix.probe.ours[from] === 1) continue;
        const scope = g.name(from) === 'system / Context';
        // A function's scope to the scopes inside it: the code of a function
        // made in it (p-map's worker, an async function started in its
        // executor) can call what that scope keeps.
        const inner =
          g.edgeName(edge) === 'previous' &&
          scope &&
          g.name(node) === 'system / Context';
        if (!inner && !carriesFeed(g, edge, from)) continue;
        if (ix.isAsyncStore(from)) continue;
        // A module's scope refers to much of the program: entered only
        // through a variable of it, and left only to the functions that use
        // that variable (a callback calling the module's `flushQueue()`,
        // which empties the module's `queue` of resolve functions).
        if (
          scope &&
          ix.isModuleScope(from) &&
          (inner || g.edgeType(edge) !== 'context')
        )
          continue;
        if (
          via !== -1 &&
          g.edgeName(edge) === 'context' &&
          g.type(from) === 'closure' &&
          !ix.usesVariable(from, via)
        )
          continue;
        const variable = inner ? via : edge;
        if (seen.has(from)) {
          // A scope reached again through another variable: its functions
          // that use that one are asked too.
          const vias = scopeVias.get(from);
          if (vias === undefined || variable === -1 || vias.has(variable))
            continue;
          vias.add(variable);
        } else {
          seen.add(from);
          if (scope && variable !== -1)
            scopeVias.set(from, new Set([variable]));
        }
        const k = feederOf.get(from);
        if (k !== undefined) {
          if (!found.has(k)) found.set(k, depth);
          continue;
        }
        next.push([from, scope ? variable : -1]);
      }
    }
    level = next;
  }
  return found;
}

/**
 * Whether `inner` is in the branch `outer` waits on: its path goes on from
 * the promise's, frame for frame.
 */
export function within(inner: Leaf, outer: Leaf): boolean {
  const p = inner.path;
  const q = outer.path;
  return (
    inner !== outer &&
    inner.detached === outer.detached &&
    q.length < p.length &&
    q.every((f, k) => p[k] === f)
  );
}
