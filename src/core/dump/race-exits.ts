/**
 * Ways out of a race. A promise that is itself an input of a `Promise.race`
 * and whose resolve function is gone (only its reject function is kept) can
 * only end the race with an error: Redux Toolkit's `createAsyncThunk` races
 * the payload with a promise the thunk's AbortSignal rejects. Beside an input
 * that is stuck, it is how the wait ends if that one never settles, as a
 * timeout is (dump/guards.ts): one hang, shown, said to be a way out, and not
 * counted as a stuck branch of its own.
 *
 * Only an input itself: under a `.then()` or an async function that awaits it,
 * a rejection may be caught and turned into a value.
 */
import type {Capture} from '../record';
import type {WaitGraph} from '../graph/graph';
import type {Leaf, TaskDump} from '../types';
import {stuckLeaves} from '../tree';
import {raceSiblings} from './guards';

/** Leaves whose promise's one waiter is a `Promise.race`'s input. */
const inputs = new WeakSet<Leaf>();

/**
 * Notes the leaves of a pending promise whose one waiter is an input of a
 * `Promise.race` (the promise handed to it as it is).
 */
export function noteRaceInput(
  g: WaitGraph,
  waiters: readonly Capture[],
  leaves: readonly Leaf[],
): void {
  if (waiters.length !== 1) return;
  const w = waiters[0];
  if (
    w.moreWaits === 0 &&
    g.waitKind(w) === 'input' &&
    g.combinatorOf(w)?.name === 'Promise.race'
  )
    for (const l of leaves) inputs.add(l);
}

/**
 * Marks the race inputs that can only reject their race (the waker search
 * found their reject function, not their resolve), beside another input that
 * is stuck.
 */
export function markRaceExits(dump: TaskDump): void {
  for (const l of dump.leaves) {
    if (
      !inputs.has(l) ||
      l.waker?.onlyRejects !== true ||
      l.waiting === true ||
      l.guards !== undefined ||
      l.aside === true
    )
      continue;
    if (stuckLeaves({leaves: raceSiblings(dump, l)}).length > 0)
      l.guards = {at: l.createdAt, by: 'rejection'};
  }
}
