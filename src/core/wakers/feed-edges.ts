/**
 * Which references can carry a feed, the one test of wakers/feeds.ts (going
 * out of a handle) and wakers/promise-feeds.ts (going back from a resolve
 * function): not V8's metadata (a hidden class, a prototype or constructor,
 * a scope's outer scope or native context, code, the snapshot's synthetic
 * roots), nor Node's own bookkeeping links: the timers of one duration are a
 * list (`_idlePrev`, `_idleNext`), and each timer would reach its neighbours,
 * and their callbacks, in one step; and a promise's or resource's
 * `AsyncLocalStorage` store (`kResourceStore`), which every async step of a
 * test shares (Jest's keeps the test, and so the test's function and its
 * module's variables).
 */
import type {HeapGraph} from '../heap';

const NOT_CARRIED = new Set([
  'map',
  '__proto__',
  'prototype',
  'constructor',
  'previous',
  'native_context',
  '_idlePrev',
  '_idleNext',
  '<symbol kResourceStore>',
]);

/**
 * Whether `edge`, between a node and `other` (the node it leads to, or the
 * one it comes from when going back), can carry a feed.
 */
export function carriesFeed(
  g: HeapGraph,
  edge: number,
  other: number,
): boolean {
  const type = g.type(other);
  return (
    type !== 'code' &&
    type !== 'synthetic' &&
    !NOT_CARRIED.has(g.edgeName(edge) as string)
  );
}
