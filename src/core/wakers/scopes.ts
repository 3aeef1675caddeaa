/**
 * The last resort of a search that named no holder: a variable of a
 * function's scope (not a module's) that keeps a resolve function through
 * objects of its own (async's queue keeps a drain listener in `events.drain`,
 * a variable of the call of `queue` that made it). A scope's variables are
 * not named as holders otherwise: the waiting code's own locals keep what it
 * waits on, and a timer or listener further up says more (recognise.ts). Here
 * nothing else was found, and the path from the variable down says where the
 * function that would settle it was put.
 *
 * Only a variable whose path goes through an object or array counts (a
 * resolve function in a variable of the executor's own scope, or only in
 * closures, says nothing).
 */
import type {Waker} from '../types';
import {IDENTIFIER} from './heap-code';
import type {WakerContext} from './context';
import {keptInScope} from './words';

/** How many objects the search looks at, at most. */
const LIMIT = 2_000;
/** How deep (edges from the resolve function). */
const DEPTH = 8;

const PROPERTY = /^[A-Za-z_$][\w$]{0,39}$/;

/** Nodes the search does not go past. */
const PAST = new Set([
  'system / NativeContext',
  'system / PromiseReaction',
  'system / PromiseCapability',
  'Promise',
]);

/** Edges that say nothing of who holds an object. */
const NOT_HELD = new Set(['map', '__proto__', 'prototype']);

/**
 * The waker that names the nearest scope variable keeping `fn` through an
 * object, or undefined.
 */
export function scopeHolder(
  cx: WakerContext,
  fn: number,
  which: 'resolve' | 'reject',
): Waker | undefined {
  const {ix} = cx;
  const g = ix.g;
  // For each node reached: the edge it was reached by (from the node above),
  // and its depth.
  const down = new Map<number, number>([[fn, -1]]);
  const depth = new Map<number, number>([[fn, 0]]);
  const queue = [fn];
  for (let head = 0; head < queue.length && queue.length < LIMIT; head++) {
    const node = queue[head];
    const d = depth.get(node)!;
    if (d >= DEPTH) continue;
    for (const {from, edge} of ix.retainersOf(node)) {
      // Not through V8's metadata, nor a prototype.
      const name = g.edgeName(edge);
      if (ix.skip(edge) || NOT_HELD.has(String(name))) continue;
      // Reached again, as near, by another edge: the one whose name sorts
      // first is kept, so that the path does not change with the heap's
      // order from run to run (redux-toolkit's `entry.effect` and
      // `entry.predicate`, two listeners closing over one scope).
      if (down.has(from)) {
        const was = down.get(from)!;
        if (
          depth.get(from) === d + 1 &&
          was !== -1 &&
          String(name) < String(g.edgeName(was))
        )
          down.set(from, edge);
        continue;
      }
      if (
        ix.probe.ours[from] === 1 ||
        g.type(from) === 'synthetic' ||
        g.type(from) === 'code'
      )
        continue;
      down.set(from, edge);
      depth.set(from, d + 1);
      if (
        g.name(from) === 'system / Context' &&
        g.edgeType(edge) === 'context' &&
        typeof name === 'string' &&
        IDENTIFIER.test(name) &&
        name !== 'this' &&
        !ix.isModuleScope(from)
      ) {
        const path = pathDown(cx, from, down);
        if (path !== undefined) {
          const owner = ix.ownerOf(from);
          const fnName = owner === -1 ? '' : g.name(owner);
          return keptInScope(which, path, fnName, ix.scriptOf(from));
        }
        // A closure's own variable (not through an object): on up.
      }
      // Not past the realm, nor up through a promise to the code waiting on
      // it (its reactions keep that code's scopes, which can call nothing).
      if (PAST.has(g.name(from))) continue;
      queue.push(from);
    }
  }
  return undefined;
}

/**
 * `events.drain[0]`: from the variable down to the first function on the way
 * (what keeps the resolve function, in its scope or as it), when the way goes
 * through an object or array; undefined otherwise.
 */
function pathDown(
  cx: WakerContext,
  scope: number,
  down: Map<number, number>,
): string | undefined {
  const g = cx.ix.g;
  let path = '';
  let objects = 0;
  let from = scope;
  for (let e = down.get(scope)!, first = true; e !== -1; first = false) {
    const name = g.edgeName(e);
    const type = g.edgeType(e);
    const below = g.edgeTo(e);
    if (first) path = String(name);
    else if (type === 'element') path += `[${name}]`;
    else if (type === 'property' && typeof name === 'string')
      path += PROPERTY.test(name) ? `.${name}` : '[…]';
    // A Map's or Set's entries are in its hash table, an internal edge: a
    // value under some key (not shown: a key may be data), a member.
    else if (name === 'table' && g.type(from) === 'object')
      path +=
        g.name(from) === 'Map'
          ? '.get(…)'
          : g.name(from) === 'Set'
            ? '[…]'
            : '';
    if (g.type(below) === 'closure') break;
    if (
      (g.type(below) === 'object' && g.name(below) !== 'system / Context') ||
      g.type(below) === 'array'
    )
      objects++;
    from = below;
    e = down.get(below) ?? -1;
  }
  return objects > 0 ? path : undefined;
}
