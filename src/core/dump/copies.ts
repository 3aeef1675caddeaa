/**
 * A chain not traced back to the body that waits only on what the body's own
 * branches wait on (nats's `dialLoop` keeps `connectPromise.then().catch()
 * .finally()`, which nothing awaits, beside the `await` that the test's
 * `connect()` is in): each of its leaves is a second leaf of one promise,
 * timer or handle ({@link Leaf.shared}) already drawn under the body. Such a
 * chain says nothing the body's branches do not: it is left out, and the
 * body's leaves are no longer said to be waited on by another branch.
 */
import type {Leaf, TaskDump} from '../types';
import {frameKey} from '../tree';

/** Leaves out such chains (see the module comment); returns their leaves. */
export function dropCopies(dump: TaskDump): Set<Leaf> {
  const traced = new Set<number>();
  for (const l of dump.leaves)
    if (!l.detached && l.shared !== undefined) traced.add(l.shared);
  const dropped = new Set<Leaf>();
  if (traced.size === 0) return dropped;
  // The chains not traced back, by the frame they start at.
  const chains = new Map<string, Leaf[]>();
  for (const l of dump.leaves) {
    if (!l.detached || l.path.length === 0) continue;
    const k = frameKey(l.path[0]);
    chains.set(k, [...(chains.get(k) ?? []), l]);
  }
  for (const leaves of chains.values())
    if (leaves.every(l => l.shared !== undefined && traced.has(l.shared)))
      for (const l of leaves) dropped.add(l);
  if (dropped.size === 0) return dropped;
  const kept = dump.leaves.filter(l => !dropped.has(l));
  dump.leaves.splice(0, dump.leaves.length, ...kept);
  const count = new Map<number, number>();
  for (const l of kept)
    if (l.shared !== undefined)
      count.set(l.shared, (count.get(l.shared) ?? 0) + 1);
  for (const l of kept)
    if (l.shared !== undefined && count.get(l.shared) === 1) {
      delete l.shared;
      delete l.waitsWithShared;
    }
  return dropped;
}
