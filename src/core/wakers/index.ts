/**
 * Wakers: what could still settle a stuck promise.
 *
 * A pending promise settles only when someone calls its resolve or reject
 * function, so what keeps those functions alive is what can wake it: a timer's
 * callback, an event listener on an emitter, a property of a deferred or of a
 * lock's queue, a variable. V8 keeps no such record while the program runs, but
 * a heap snapshot taken at the dump has it: going back from a resolve function
 * through what refers to it, nearest first (not through our own records), the
 * first thing with a name is who holds it. When nothing the garbage collector's
 * roots reach holds it, nothing can ever settle the promise: it is orphaned.
 * From the promise the other way, its reactions lead to the async functions
 * suspended on it (its branch); see locks.ts for who holds a lock.
 *
 * This module is the search; heap-index.ts indexes the snapshot, the
 * recognisers (timers.ts, events.ts, streams.ts, objects.ts) name holders,
 * words.ts says it. Only names are read from the heap (classes, properties,
 * variables, event names); never a value of the program.
 */
import type {Waker} from '../types';
import {probeHeap} from '../heap';
import {type Chain, HeapIndex, IDENTIFIER} from './heap-index';
import type {Recognised, WakerContext} from './context';
import {StateReader} from './state';
import {RANK_ERROR, rankOf, recognise} from './recognise';
import {findHolders} from './locks';
import type {WakerOptions, WakerReport, WakerSubject} from './types';
import {ORPHANED, itselfKept, keptUnnamed, unrootedWaker} from './words';

export type {WakerOptions, WakerReport, WakerSubject} from './types';

/** How far a search for what keeps an object goes (retainers visited). */
const HOLDER_SEARCH_LIMIT = 20_000;

/**
 * Finds the waker of each subject and sets `leaf.waker`. Takes a heap snapshot:
 * about 4 µs per object in the heap. Throws only if the snapshot cannot be
 * taken or read.
 *
 * @example
 * const report = findWakers([{leaf, promise, constructed: true}], {
 *   exclude: [], rootDir, mapPosition, isMachinery, now: performance.now(),
 * });
 * leaf.waker;
 * // {kind: 'event', what: "waits for 'ready' on a Connection (an
 * // EventEmitter): not emitted since its listener was added"}
 */
export function findWakers(
  subjects: WakerSubject[],
  options: WakerOptions,
): WakerReport {
  const started = performance.now();
  const probe = probeHeap(
    subjects.map(s => s.promise),
    [subjects, ...subjects, ...options.exclude],
  );
  try {
    const cx: WakerContext = {
      ix: new HeapIndex(probe, options),
      states: new StateReader(probe),
      now: options.now,
    };
    let found = 0;
    let orphaned = 0;
    const holders: Array<number | undefined> = [];
    subjects.forEach((s, i) => {
      const node = probe.subjects[i];
      if (node === -1) return;
      const {waker, holder} = wakerOf(cx, node, s);
      holders[i] = holder;
      if (waker === undefined) return;
      s.leaf.waker = waker;
      found++;
      if (waker.kind === 'none') orphaned++;
    });
    findHolders(cx, subjects, holders);
    return {
      found,
      orphaned,
      nodes: probe.graph.nodeCount,
      ms: Math.round(performance.now() - started),
    };
  } finally {
    probe.close();
  }
}

/**
 * The waker of the promise at `node`, and the holder object it waits on (for
 * locks).
 */
function wakerOf(
  cx: WakerContext,
  node: number,
  subject: WakerSubject,
): {waker?: Waker; holder?: number} {
  const {ix} = cx;
  const fns = ix.resolversOf(node);
  if (fns.length === 0) {
    // A `new Promise` always had them: garbage collected, nothing can call
    // them any more.
    if (!subject.constructed) return {};
    return {waker: {...ORPHANED}};
  }
  // The resolve function says more than the reject one (events.once's 'error'
  // listener keeps only reject); one the roots reach says what can still call
  // it.
  const order = (f: number): number =>
    (ix.rooted[f] === 1 ? 0 : 2) + (ix.isResolve(f) ? 0 : 1);
  const ranked = [...fns].sort((a, b) => order(a) - order(b));
  const rooted = ix.rooted[ranked[0]] === 1;
  let found: {waker?: Waker; holder?: number} = {};
  for (const f of ranked) {
    found = describe(cx, f, subject);
    if (found.waker !== undefined || ix.rooted[f] === 1) break;
  }
  if (rooted) return found;
  // Only garbage keeps them: say what it is, and that nothing else refers to
  // it.
  return {waker: unrootedWaker(found.waker)};
}

function describe(
  cx: WakerContext,
  fn: number,
  subject: WakerSubject,
): {waker?: Waker; holder?: number} {
  const {ix} = cx;
  const first = nearestHolder(cx, fn, subject);
  if (first === undefined) {
    // Kept, but by nothing with a name (a plain object in a local of running
    // code): say so, so that it does not read as if it was not looked for.
    if (ix.rooted[fn] !== 1 || subject.leaf.waiting === true) return {};
    const by = [
      ...new Set(
        [...ix.retainersOf(fn)]
          .filter(r => !ix.skip(r.edge) && ix.probe.ours[r.from] !== 1)
          .map(r => ix.g.name(r.from))
          .filter(n => IDENTIFIER.test(n)),
      ),
    ].slice(0, 3);
    return {waker: keptUnnamed(by)};
  }
  // A deferred, or a lock: what keeps that says more (the module, the
  // emitter, the queue).
  if (first.waker.kind === 'object') {
    const second = nearestHolder(cx, first.node, subject);
    if (second !== undefined) first.waker.what += itselfKept(second.place);
  }
  return {
    waker: first.waker,
    holder: first.waker.kind === 'object' ? first.node : undefined,
  };
}

/**
 * What keeps `start`, nearest first: breadth first through its retainers
 * until one is a timer, an emitter, an object of the program or a module's
 * variable.
 */
function nearestHolder(
  cx: WakerContext,
  start: number,
  subject: WakerSubject,
): (Recognised & {node: number}) | undefined {
  const {ix} = cx;
  const g = ix.g;
  const down = new Map<number, number>([[start, -1]]);
  const queue = [start];
  const depthOf = [0];
  // Of the holders at the nearest depth, the one that says most (the heap's
  // order of objects is the order they were made in, which varies from run to
  // run).
  let best:
    (Recognised & {node: number; rank: number; depth: number}) | undefined;
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
      if (found !== undefined) {
        const rank = rankOf(found);
        if (
          best === undefined ||
          rank < best.rank ||
          (rank === best.rank &&
            depth === best.depth &&
            found.place < best.place)
        )
          best = {node, ...found, rank, depth};
        continue;
      }
    }
    for (const {from, edge} of ix.retainersOf(node)) {
      if (down.has(from) || ix.skip(edge) || ix.probe.ours[from] === 1)
        continue;
      const name = g.edgeName(edge);
      if (
        name === 'map' ||
        name === '__proto__' ||
        name === 'prototype' ||
        g.type(from) === 'synthetic'
      )
        continue;
      down.set(from, edge);
      queue.push(from);
      depthOf.push(depth + 1);
    }
  }
  if (best === undefined) return undefined;
  return {node: best.node, waker: best.waker, place: best.place};
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
