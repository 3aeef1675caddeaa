/**
 * The search up from an object (a resolve function, a holder already named)
 * to what keeps it, nearest first: breadth first through the snapshot's
 * retainers, skipping V8's own metadata and our records, until one is
 * recognised (recognise.ts) as a timer, an emitter, an object of the program
 * or a module's variable. Of the holders at the nearest depth, the one that
 * says most is taken.
 */
import {type HeapGraph, edgeNamed} from '../heap';
import type {Chain} from './heap-index';
import type {Recognised, WakerContext} from './context';
import {RANK_ERROR, rankOf, recognise} from './recognise';
import type {WakerSubject} from './types';

/** How far a search for what keeps an object goes (retainers visited). */
const HOLDER_SEARCH_LIMIT = 20_000;

/**
 * What keeps `start`, nearest first: breadth first through its retainers
 * until one is a timer, an emitter, an object of the program or a module's
 * variable (with `pastObjects`, a variable or a timer only: the search goes
 * on through the rest).
 */
export function nearestHolder(
  cx: WakerContext,
  start: number,
  subject: WakerSubject,
  avoid?: Set<number>,
  pastObjects = false,
): (Recognised & {node: number; chain: Chain}) | undefined {
  const {ix} = cx;
  const g = ix.g;
  const down = new Map<number, number>([[start, -1]]);
  const queue = [start];
  const depthOf = [0];
  const depthAt = new Map<number, number>([[start, 0]]);
  // The other references that reach a node at its depth (the first one seen
  // is in `down`): which comes first is the heap's order, which varies from
  // run to run, and what a node is depends on how it is reached (an emitter
  // met through its listeners, or through an object it keeps).
  const others = new Map<number, number[]>();
  // Of the holders at the nearest depth, the one that says most (the heap's
  // order of objects is the order they were made in, which varies from run to
  // run).
  let best:
    | (Recognised & {node: number; rank: number; depth: number; chain: Chain})
    | undefined;
  // Past objects, only what the program keeps things alive by: a module's
  // variable, a timer (an emitter's listener may be a cycle back to the
  // objects passed).
  const counts = (f: Recognised | 'stop' | undefined): f is Recognised =>
    f !== undefined &&
    f !== 'stop' &&
    (!pastObjects || f.waker.kind === 'variable' || f.waker.kind === 'timer');
  for (
    let head = 0;
    head < queue.length && queue.length < HOLDER_SEARCH_LIMIT;
    head++
  ) {
    const node = queue[head];
    const depth = depthOf[head];
    if (best !== undefined && depth > best.depth && best.rank < RANK_ERROR)
      break;
    if (node !== start) {
      const chain = chainTo(cx, node, down);
      const found = recognise(cx, chain, subject, down);
      if (found === 'stop') continue;
      let here = counts(found) ? {...found, chain} : undefined;
      for (const e of others.get(node) ?? []) {
        const other = alternateChain(cx, node, e, down);
        const f = recognise(cx, other, subject, down);
        if (!counts(f)) continue;
        if (here === undefined || better(f, here, depth, depth))
          here = {...f, chain: other};
      }
      if (here !== undefined) {
        const rank = rankOf(here);
        if (best === undefined || better(here, best, depth, best.depth))
          best = {node, ...here, rank, depth};
        continue;
      }
    }
    // A resource does not keep what its AsyncLocalStorage store keeps: Node
    // puts the store on every promise, socket handle and timer made in its
    // context (by name, or in a handle's out-of-object properties), and
    // Jest's keeps the test, its function and so its variables.
    if (ix.isAsyncStore(node)) continue;
    for (const {from, edge} of ix.retainersOf(node)) {
      if (
        from === start ||
        ix.skip(edge) ||
        ix.probe.ours[from] === 1 ||
        avoid?.has(from) === true
      )
        continue;
      const name = g.edgeName(edge);
      // V8's code and its metadata (feedback of call sites, constant pools)
      // keep what they saw run: no path of the program's.
      if (
        name === 'map' ||
        name === '__proto__' ||
        name === 'prototype' ||
        g.type(from) === 'synthetic' ||
        g.type(from) === 'code'
      )
        continue;
      // A function does not keep its scope's variables it does not use,
      // though V8 keeps them in one scope with those it does; nor those of
      // the scopes around it (reached through `previous`): the variable is
      // the one the search came by, further down.
      let via = down.get(node)!;
      while (via !== -1 && g.edgeName(via) === 'previous')
        via = down.get(g.edgeTo(via)) ?? -1;
      // A suspended generator's registers keep the scope it runs in: when
      // that is its function's, asked about below through its `context`,
      // not a variable it uses.
      if (
        g.type(from) === 'array' &&
        g.name(node) === 'system / Context' &&
        registersInScope(cx, from, node)
      )
        continue;
      // A generator's (an async function's) scope is its function's.
      const fn =
        name !== 'context' || via === -1
          ? -1
          : g.type(from) === 'closure'
            ? from
            : edgeNamed(g, from, 'function');
      if (fn !== -1 && g.type(fn) === 'closure' && !ix.usesVariable(fn, via))
        continue;
      if (down.has(from)) {
        if (depthAt.get(from) !== depth + 1) continue;
        // Not yet looked at: the way to it is the first by name, whatever
        // the heap's order (which of a listener's methods leads to it).
        let other = edge;
        const first = down.get(from)!;
        if (beforeWay(g, edge, first)) {
          down.set(from, edge);
          other = first;
        }
        const list = others.get(from);
        if (list === undefined) others.set(from, [other]);
        else if (list.length < MAX_OTHERS) list.push(other);
        continue;
      }
      down.set(from, edge);
      depthAt.set(from, depth + 1);
      queue.push(from);
      depthOf.push(depth + 1);
    }
  }
  if (best === undefined) return undefined;
  const {node, waker, place, chain, notProgram} = best;
  return {node, waker, place, chain, ...(notProgram ? {notProgram} : {})};
}

/** Other references to one node looked at, at most. */
const MAX_OTHERS = 8;

/**
 * Whether reference `a` comes before `b` as a way to one node: by the
 * reference's name, then by the name of what it refers to (not by their
 * place in the heap).
 */
function beforeWay(g: HeapGraph, a: number, b: number): boolean {
  const na = String(g.edgeName(a));
  const nb = String(g.edgeName(b));
  if (na !== nb) return na < nb;
  return g.name(g.edgeTo(a)) < g.name(g.edgeTo(b));
}

/**
 * Whether holder `a`, found at depth `da`, says more than `b` at `db`: a
 * better rank; at one rank, the nearer; at one depth, the first place by
 * name (an order that does not depend on the heap's).
 */
function better(a: Recognised, b: Recognised, da: number, db: number): boolean {
  const ra = rankOf(a);
  const rb = rankOf(b);
  if (ra !== rb) return ra < rb;
  if (da !== db) return da < db;
  return a.place < b.place;
}

/**
 * The chain up to `top` by reference `edge` (from `top` to a node the search
 * reached one step nearer), not by the one in `down`.
 */
function alternateChain(
  cx: WakerContext,
  top: number,
  edge: number,
  down: Map<number, number>,
): Chain {
  const below = chainTo(cx, cx.ix.g.edgeTo(edge), down);
  return {nodes: [...below.nodes, top], edges: [...below.edges, edge]};
}

/**
 * Whether `array` is the saved registers of a generator whose function's
 * scope is `scope`.
 */
function registersInScope(
  cx: WakerContext,
  array: number,
  scope: number,
): boolean {
  const g = cx.ix.g;
  for (const {from, edge} of cx.ix.retainersOf(array))
    if (
      g.edgeName(edge) === 'parameters_and_registers' &&
      edgeNamed(g, from, 'context') === scope
    )
      return true;
  return false;
}

/** The chain from the search's start up to `top` (see nearestHolder). */
function chainTo(
  cx: WakerContext,
  top: number,
  down: Map<number, number>,
): Chain {
  const nodes: number[] = [];
  const edges: number[] = [];
  for (let n = top; ;) {
    nodes.unshift(n);
    const e = down.get(n)!;
    if (e === -1) break;
    edges.unshift(e);
    n = cx.ix.g.edgeTo(e);
  }
  return {nodes, edges};
}
