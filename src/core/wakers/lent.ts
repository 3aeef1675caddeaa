/**
 * A pool's resource in use, and the handle it keeps. A stuck promise's
 * resolve function is kept in a pool's queue (mysql2's
 * `Pool._connectionQueue`, pg-pool's `_pendingQueue`, workerpool's
 * `taskQueue`); the pool keeps its resources in collections (`_allConnections`,
 * `_clients`, `workers`), the free ones in another (`_freeConnections`,
 * `_idle`). A resource of the first, in none named for free ones, is in use:
 * when a handle of the dump (its socket, its thread) reaches the pool through
 * it, or it keeps that handle, the handle is what the promise waits on,
 * drawn under it (one hang, one branch), and says how it belongs to the
 * pool.
 *
 * What is said is only what the heap shows: which object, which of the
 * pool's collections keeps it, and which collections of free ones of the
 * same class do not (one that keeps others of its class, or an empty one
 * named for free ones: `free`, `idle`, `available`). A free list of another
 * class (generic-pool's `Deque` beside its `Set`) is not compared, and a
 * resource it keeps may be said in use; a resource that neither reaches a
 * handle of the dump nor is reached from one is not said.
 */
import type {HeapGraph} from '../heap';
import type {Leaf} from '../types';
import type {WakerContext} from './context';

/** How a handle belongs to a pool's lent resource (Leaf.lent). */
export type Lent = NonNullable<Leaf['lent']>;

/**
 * A resource one of a pool's collections keeps, and none named for free
 * ones: with the collections of free ones of the same class that do not.
 */
export interface LentItem {
  member: number;
  in: string;
  notIn: string[];
}

/** References followed from a pool's collection to a resource. */
const HOPS = 4;

/** How deep in a collection its items' elements are, at most. */
const ELEMENT_DEPTH = 2;

/** References followed from a resource to a handle it keeps. */
const HANDLE_HOPS = 3;

/** Objects visited from one collection or resource, at most. */
const BUDGET = 500;

/** Edges a collection keeps its items through. */
const ITEM_EDGES = new Set(['property', 'element', 'internal', 'hidden']);

/** Names of a pool's list of what it has free. */
const FREE_NAME = /free|idle|avail/i;

/** Native collections. */
const NATIVE = new Set(['Array', 'Set', 'Map']);

/** Classes too common to name a pool or a resource. */
const PLAIN = new Set(['Object', 'Array', 'Map', 'Set', 'system / Context']);

/**
 * The lent resources of the holders of each subject's resolve function,
 * asked once per search.
 */
export class LentReader {
  private readonly items = new Map<string, LentItem[]>();

  /**
   * @param near for each subject, the objects from its resolve function up
   *   to the first holder.
   * @param kept for each subject, its resolve function and the holders the
   *   search named, nearest first: each holder's waiters' side is the way up
   *   to it (`near` and the holders before it), not a collection of
   *   resources; the holders after it are its own holders.
   */
  constructor(
    private readonly cx: WakerContext,
    private readonly near: ReadonlyArray<readonly number[] | undefined>,
    private readonly kept: ReadonlyArray<readonly number[] | undefined>,
  ) {}

  /**
   * What `path` (the objects from a handle up to what it met keeping subject
   * `i`'s resolve function, the handle first) reaches its holders through,
   * when that is a resource one of them lent: the nearest such holder's.
   */
  through(path: readonly number[], i: number): Lent | undefined {
    const on = new Set(path);
    for (const [holder, items] of this.lending(i)) {
      // Words only, for a handle already found feeding: said where the pool
      // has a list of free ones it is not in.
      const item = items.find(x => on.has(x.member) && x.notIn.length > 0);
      if (item !== undefined)
        return this.said(
          holder,
          item,
          item.member === path[0] ? 'is' : 'reaches',
        );
    }
    return undefined;
  }

  /**
   * Which of `handles` (heap nodes) a resource lent by one of subject `i`'s
   * holders keeps, with the words for it: the nearest holder's that keeps
   * any.
   */
  keptBy(i: number, handles: ReadonlySet<number>): Map<number, Lent> {
    const out = new Map<number, Lent>();
    const g = this.cx.ix.g;
    for (const [holder, items] of this.lending(i)) {
      for (const item of items)
        for (const h of reachedWithin(g, item.member, handles, HANDLE_HOPS))
          if (!out.has(h)) out.set(h, this.said(holder, item, 'kept'));
      if (out.size > 0) return out;
    }
    return out;
  }

  private said(holder: number, item: LentItem, via: Lent['via']): Lent {
    const g = this.cx.ix.g;
    return {
      via,
      member: g.name(item.member),
      holder: g.name(holder),
      in: item.in,
      notIn: item.notIn,
    };
  }

  /** Subject `i`'s holders, each with what it lent. */
  private *lending(i: number): Generator<[number, LentItem[]]> {
    const kept = this.kept[i] ?? [];
    const waiters = new Set(
      (this.near[i] ?? []).filter(n => !kept.includes(n)),
    );
    for (const holder of kept) {
      if (waiters.has(holder)) continue;
      const key = `${i}:${holder}`;
      let items = this.items.get(key);
      if (items === undefined) {
        items = lentItems(this.cx, holder, waiters);
        this.items.set(key, items);
      }
      yield [holder, items];
      waiters.add(holder);
    }
  }
}

/**
 * What `holder` (a pool) keeps in use: each resource in a collection of its,
 * none named for free ones, with which lists of free ones it is not in.
 * `chain`: the way up to the holder from a waiter, whose collection is the
 * queue of waiters, not one of resources.
 */
export function lentItems(
  cx: WakerContext,
  holder: number,
  chain: ReadonlySet<number>,
): LentItem[] {
  const g = cx.ix.g;
  if (g.type(holder) !== 'object' || PLAIN.has(g.name(holder))) return [];
  const props: Array<{name: string; to: number}> = [];
  // A pool queues its waiters: one of its collections keeps the way to the
  // resolve function as an item (not an emitter's listeners, `_events`).
  let queues = false;
  // The holder is not looked into again from its items.
  const stop = new Set([holder]);
  for (let e = g.firstEdge(holder); e < g.firstEdge(holder + 1); e++) {
    const to = g.edgeTo(e);
    if (g.edgeType(e) !== 'property' || cx.ix.skip(e)) continue;
    const name = String(g.edgeName(e));
    if (chain.has(to)) {
      // The way up passes through it: a queue if it keeps that way as an
      // item (mysql2's `RingQueue`, workerpool's `FIFOQueue` of tasks).
      if (name !== '_events' && itemsOf(g, to, chain, stop).waiters === 'item')
        queues = true;
      continue;
    }
    props.push({name, to});
  }
  const kind = (n: number): string => `${g.type(n)}:${g.name(n)}`;
  const out: LentItem[] = [];
  const seen = new Set<number>();
  // Not the waiters' queue (pg-pool's `_pendingQueue` of records that keep
  // the resolve functions).
  const items = new Map(props.map(p => [p.to, itemsOf(g, p.to, chain, stop)]));
  const collections = props.filter(p => items.get(p.to)!.waiters === 'no');
  if (
    props.some(p => p.name !== '_events' && items.get(p.to)!.waiters === 'item')
  )
    queues = true;
  // What a collection named for free resources keeps is not lent.
  const free = collections.filter(b => FREE_NAME.test(b.name));
  for (const a of collections) {
    const others = collections.filter(
      b => b.to !== a.to && kind(b.to) === kind(a.to),
    );
    for (const member of items.get(a.to)!.found) {
      if (seen.has(member)) continue;
      seen.add(member);
      // Not in another: not reached from it at all, however wrapped (pg-pool
      // keeps its idle clients in records of their own).
      const one = new Set([member]);
      const keeps = (b: {to: number}): boolean =>
        reachedWithin(g, b.to, one, HOPS + 1).length > 0;
      if (free.some(keeps)) continue;
      // Said not in a list of such resources only, as far as can be seen:
      // one that keeps others of the class, or is empty and named for free
      // ones (an empty `forkArgs` is no list of idle workers).
      const notIn = others
        .filter(b => !keeps(b) && freeList(g, b, g.name(member), chain))
        .map(b => b.name);
      // With no list of free ones, a member of a pool that queues its
      // waiters, kept in an array or a Set of its own (workerpool's
      // `workers`, beside its `taskQueue`): not a field that merely holds
      // an object with an array inside.
      if (notIn.length === 0 && !(queues && NATIVE.has(g.name(a.to)))) continue;
      out.push({member, in: a.name, notIn});
    }
  }
  return out;
}

/**
 * The objects of a class of the program's own that the collection `from`
 * keeps as items (through an array's or a table's element at most {@link
 * ELEMENT_DEPTH} references down, then at most {@link HOPS} in all), nearest
 * first; and whether it keeps one of
 * `chain` on the way (an item of the waiters' queue, or the queue itself).
 */
function itemsOf(
  g: HeapGraph,
  from: number,
  chain: ReadonlySet<number>,
  stop: ReadonlySet<number> = new Set(),
): {found: Set<number>; waiters: 'no' | 'direct' | 'item'} {
  const found = new Set<number>();
  let waiters: 'no' | 'direct' | 'item' = chain.has(from) ? 'direct' : 'no';
  const seen = new Set<number>([from]);
  // Each node with whether an element was passed on the way to it, and
  // whether it is in an item (looked into for the waiters' way only: a
  // queue's task that keeps a promise that keeps the resolve function).
  let level: Array<[number, boolean, boolean]> = [[from, false, false]];
  for (let depth = 1; depth <= HOPS && level.length > 0; depth++) {
    const next: Array<[number, boolean, boolean]> = [];
    for (const [n, passed, inItem] of level) {
      if (!container(g, n)) continue;
      for (let e = g.firstEdge(n); e < g.firstEdge(n + 1); e++) {
        const to = g.edgeTo(e);
        const et = g.edgeType(e);
        if (!ITEM_EDGES.has(et) || seen.has(to) || stop.has(to)) continue;
        seen.add(to);
        const item = passed || et === 'element';
        if (chain.has(to)) {
          if (waiters !== 'item') waiters = item ? 'item' : 'direct';
          continue;
        }
        if (seen.size >= BUDGET) continue;
        if (inItem) next.push([to, true, true]);
        else if (item && g.type(to) === 'object' && !PLAIN.has(g.name(to))) {
          // An item: what it refers to is its own, not the collection's.
          found.add(to);
          next.push([to, true, true]);
        }
        // A collection keeps its items near: in itself (an array, a Set's
        // table) or in an array of its own (mysql2's `RingQueue._list`), not
        // further down another object's properties (an `agent`'s sockets).
        else if (item || depth < ELEMENT_DEPTH) next.push([to, item, false]);
      }
    }
    level = next;
  }
  return {found, waiters};
}

/**
 * Whether the collection `b` is a list of free resources of class `cls`, as
 * far as the heap shows: it keeps one, or keeps nothing and is named so.
 */
function freeList(
  g: HeapGraph,
  b: {name: string; to: number},
  cls: string,
  chain: ReadonlySet<number>,
): boolean {
  const {found} = itemsOf(g, b.to, chain);
  if (found.size === 0) return FREE_NAME.test(b.name);
  const seen = new Set<number>(found);
  let level = [...found];
  for (let depth = 0; depth <= 1 && level.length > 0; depth++) {
    const next: number[] = [];
    for (const n of level) {
      if (g.type(n) === 'object' && g.name(n) === cls) return true;
      for (let e = g.firstEdge(n); e < g.firstEdge(n + 1); e++) {
        const to = g.edgeTo(e);
        if (g.edgeType(e) !== 'property' || seen.has(to)) continue;
        seen.add(to);
        next.push(to);
      }
    }
    level = next;
  }
  return false;
}

/** Which of `targets` are `hops` references or fewer from `from`. */
function reachedWithin(
  g: HeapGraph,
  from: number,
  targets: ReadonlySet<number>,
  hops: number,
): number[] {
  const out: number[] = [];
  const seen = new Set<number>([from]);
  let level = [from];
  for (let depth = 1; depth <= hops && level.length > 0; depth++) {
    const next: number[] = [];
    for (const n of level) {
      if (!container(g, n)) continue;
      for (let e = g.firstEdge(n); e < g.firstEdge(n + 1); e++) {
        const to = g.edgeTo(e);
        if (!ITEM_EDGES.has(g.edgeType(e)) || seen.has(to)) continue;
        seen.add(to);
        if (targets.has(to)) out.push(to);
        else if (seen.size < BUDGET) next.push(to);
      }
    }
    level = next;
  }
  return out;
}

/** Whether what `n` refers to is data (not a function's, nor V8's). */
function container(g: HeapGraph, n: number): boolean {
  const type = g.type(n);
  return (
    type !== 'closure' &&
    type !== 'code' &&
    type !== 'string' &&
    g.name(n) !== 'system / Context'
  );
}
