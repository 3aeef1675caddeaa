/**
 * What each entry of a test file's ledger (leftovers.ts) was made in: the
 * entries indexed by object and async id, the entry whose callback a context
 * was (a timer, a socket by its native handle, a tick by the async id of what
 * made it, a promise by the callback that subscribed), and the prune that
 * drops what closed but keeps, for what is open, the chain back to where it
 * began.
 */
import {isPromise} from 'node:util/types';
import type {Capture} from './record';
import {
  requestMadeAt,
  requestMadeOutside,
  requestWithAsyncId,
} from './record/requests';
import {Stamp} from './record/stamp';
import {asyncIdOf, ownerOf, triggerIdOf} from './node-symbols';
import {isOpen} from './open-state';
import type {Entry, Ledger} from './leftovers';

/** Fewest entries a ledger keeps before a prune. */
export const MIN_LIMIT = 1024;

/**
 * How far back from what is open a prune keeps what it was made in, and a
 * list traces it: 64 rounds of a client reconnecting (beyond, a loop's far
 * end is kept: {@link keepFarEnd}).
 */
export const MAX_CHAIN = 128;

/** A ledger's entries by object (and native handle) and by async id. */
export interface EntryIndex {
  byObject: Map<object, Entry>;
  byAsyncId: Map<number, Entry>;
}

/** Indexes entries for {@link entryOfContext}. */
export function indexEntries(entries: readonly Entry[]): EntryIndex {
  const byObject = new Map<object, Entry>();
  const byAsyncId = new Map<number, Entry>();
  for (const e of entries) {
    byObject.set(e.object, e);
    const id = asyncIdOf(e.object);
    if (id !== undefined) byAsyncId.set(id, e);
    // A handle's callbacks run with its native handle as their resource.
    const native = (e.object as {_handle?: unknown})._handle;
    if (typeof native === 'object' && native !== null) byObject.set(native, e);
  }
  return {byObject, byAsyncId};
}

/**
 * The entry in whose callback an entry with this `context` was made: the
 * context itself (a timer), the socket whose native handle it is (kept after
 * the socket lets go of it, on 'close'), or, for a `process.nextTick`
 * callback's TickObject, the timer or handle whose callback made the tick (a
 * client reconnecting from a tick, as ioredis does).
 */
export function entryOfContext(
  context: object,
  index: EntryIndex,
  madeBy?: number,
): Entry | undefined {
  context = walkBehind(context);
  const own = index.byObject.get(ownerOf(context) ?? context);
  if (own !== undefined) return own;
  const trigger = triggerIdOf(context) ?? madeBy;
  if (trigger === undefined) return undefined;
  const made = index.byAsyncId.get(trigger);
  if (made !== undefined) return made;
  // A tick a request's callback made (a refused connect's 'error'): on
  // through the request, to what made it (the timer whose callback connected).
  const request = requestWithAsyncId(trigger);
  return request === undefined || request === context
    ? undefined
    : entryOfContext(request, index);
}

/**
 * Walks back from a callback's context through the records it ran for,
 * calling `visit` with each (nearest first) until it returns true; returns
 * the context the walk stopped at. A promise as a callback's context (Node
 * gives a `.then` callback or an `await` resumed the reaction's promise)
 * stands for the callback that subscribed: the recorder kept its context (a
 * retry loop's timer whose callback started an attempt that, failing, sets
 * the next timer from an `await`). So does a recorded request of Node's (an
 * fs call made in the callback of another: a lock file's retry), and one made
 * while no Root was active (only its context is known: not visited). Followed
 * back to a context that is none of these.
 */
export function walkBehind(
  context: object,
  visit?: (record: Capture) => boolean,
): object {
  for (let hops = 0; hops < MAX_CHAIN; hops++) {
    const c = Stamp.capture(context) ?? requestMadeAt(context);
    if (c === undefined) {
      // A request made while no Root was active: what it was made in.
      const outside = requestMadeOutside(context);
      if (outside === undefined || outside === context) break;
      context = outside;
      continue;
    }
    if (visit?.(c) === true) break;
    const behind = c.context;
    if (behind === undefined || behind === context) break;
    context = behind;
  }
  return context;
}

/**
 * Drops entries that are closed, except those whose callback made an entry
 * that is still open (the open one is traced back through them). A chain of
 * timers without stacks (a poll that sets its next timer in its callback,
 * between tests) is shortened to its first timer that has one, so that the
 * ledger does not grow with each turn of the loop.
 */
export function prune(ledger: Ledger): void {
  // Usually everything has closed (timers that ran or were cleared): then
  // nothing is needed and there is no chain to follow.
  if (!ledger.entries.some(isOpen)) {
    ledger.entries = [];
    ledger.limit = MIN_LIMIT;
    return;
  }
  const index = indexEntries(ledger.entries);
  const needed = new Set<object>();
  const keep = (e: Entry): void => {
    // Each kept entry's own callback is needed too, up to a bound (a client
    // reconnecting makes a timer and a socket a round).
    for (let depth = 0; depth < MAX_CHAIN; depth++) {
      let context = e.context;
      let trigger = e.trigger;
      // A chain is at most as long as the ledger (no cycles: each was made in
      // the callback of one made before it).
      for (
        let hops = 0;
        context !== undefined && hops < ledger.entries.length;
        hops++
      ) {
        const parent = entryOfContext(context, index, trigger);
        if (parent === undefined || parent.at !== undefined) break;
        if (parent.context === undefined) break;
        context = parent.context;
        trigger = parent.trigger;
      }
      e.context = context;
      if (trigger === undefined) delete e.trigger;
      else e.trigger = trigger;
      if (context === undefined) return;
      const parent = entryOfContext(context, index, trigger);
      if (parent === undefined) return;
      // Linked to it for good: a tick's request (found by an async id Node
      // reuses, through a weak reference) may be gone by the next prune. A
      // promise stays, to say where it was awaited (leftover-walk.ts).
      if (!isPromise(context)) {
        e.context = parent.object;
        delete e.trigger;
      }
      if (needed.has(parent.object)) return;
      needed.add(parent.object);
      e = parent;
    }
    keepFarEnd(e, index, ledger.entries.length, needed);
  };
  for (const e of ledger.entries) if (isOpen(e)) keep(e);
  ledger.entries = ledger.entries.filter(
    e => needed.has(e.object) || isOpen(e),
  );
  ledger.limit = Math.max(MIN_LIMIT, ledger.entries.length * 2);
}

/**
 * A chain longer than a prune keeps ({@link MAX_CHAIN} back from what is
 * open) is a loop's rounds, each made in the callback of the one before: a
 * client an earlier test left reconnecting while later tests run. Whose it
 * is, is said where the chain began. Beyond `e`, the last entry kept, only
 * the entries where the chain passes from one Root to another (from the
 * later tests' rounds to those made while the test that started it ran) and
 * the one it began with are kept, each linked to the next kept as the
 * callback it was made in: the rounds between are the same callback again.
 */
function keepFarEnd(
  e: Entry,
  index: EntryIndex,
  bound: number,
  needed: Set<object>,
): void {
  let below = e;
  let at = parentEntry(e, index);
  for (let hops = 0; at !== undefined && hops < bound; hops++) {
    const next = parentEntry(at, index);
    const kept = needed.has(at.object);
    if (kept || next === undefined || at.root !== below.root) {
      if (parentEntry(below, index) !== at) {
        // Linked past the rounds between (entryOfContext finds it by object).
        below.context = at.object;
        delete below.trigger;
      }
      if (kept) return;
      needed.add(at.object);
      below = at;
    }
    at = next;
  }
}

/** The entry in whose callback `e` was made, if the ledger has it. */
function parentEntry(e: Entry, index: EntryIndex): Entry | undefined {
  return e.context === undefined
    ? undefined
    : entryOfContext(e.context, index, e.trigger);
}
