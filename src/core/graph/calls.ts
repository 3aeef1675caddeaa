/**
 * The one guess of the wait graph: which call of a function a frame belongs
 * to.
 *
 * V8 names the function of each frame of a stack, never which call of it the
 * frame is (there is no call id). Where an async function was resumed, the
 * recorder knows exactly: the code runs as the reaction of the `await` it
 * resumed from (the capture's context), and that `await` was made by the same
 * call, whose frame is the deepest of its function in the stack (one above it
 * is a call the resumed one made: p-queue's `run()` starting the next task's).
 * A call's first run, up to its first `await`, is the one place left to
 * guess: the frame is in the latest call of its function made before the
 * capture along the same call path (the same callers at the same positions).
 *
 * Limits of the guess: a stack cut short compares fewer frames (two calls of
 * one function from one line of one loop, both still in their first run, are
 * one; a call made by a resumed call of the same function, whose frame is cut
 * off, reads as the resumed one); a function whose promise was not recorded
 * (over the capture budget, or made before the test) has no call to find, and
 * its frame is then read as a plain function's.
 */
import {type Capture, Stamp} from '../record';
import {type Site, fnKey, isAsync, sameCallPath} from '../stack/sites';
import {CALL_PATH_DEPTH, type WaitGraph} from './graph';

/** A call another Root recorded: work an earlier test left running. */
export const FOREIGN = 'foreign' as const;

/** How far back among a function's calls the guess looks. */
const LOOK_BACK = 64;

/** Finds calls and the promises frames made, for one dump. */
export class Calls {
  private readonly ofWait = new Map<Capture, Capture | typeof FOREIGN | null>();
  private leavesByMaker: Map<string, Capture[]> | undefined;

  constructor(private readonly g: WaitGraph) {}

  /**
   * The pending call that the frame `sites[i]` of a stack taken at `seq` runs
   * in, if it is in its first run (a sync frame of an async function).
   */
  callAt(sites: Site[], i: number, seq: number): Capture | undefined {
    const s = sites[i];
    if (s === undefined || isAsync(s)) return undefined;
    const list = this.g.calls.get(fnKey(s));
    if (list === undefined) return undefined;
    const at = lastBefore(list, seq);
    // The last frame of a stack cut short: its callers are unknown, and the
    // latest call of its function is the one.
    if (i + 1 >= sites.length) return list[at];
    for (let k = at; k >= 0 && k > at - LOOK_BACK; k--) {
      if (sameCallPath(this.g.sites(list[k]), 1, sites, i + 1, CALL_PATH_DEPTH))
        return list[k];
    }
    return undefined;
  }

  /**
   * The call whose code made the subscription `w` (its top frame): exact
   * where the call was resumed (see the module comment), else guessed. `at`:
   * the index of that frame in its stack.
   */
  callOfWait(w: Capture, at = 0): Capture | typeof FOREIGN | undefined {
    if (at !== 0) return this.findCallOfWait(w, at);
    let c = this.ofWait.get(w);
    if (c === undefined) {
      this.ofWait.set(w, null);
      c = this.findCallOfWait(w, 0) ?? null;
      this.ofWait.set(w, c);
    }
    return c ?? undefined;
  }

  /**
   * {@link callOfWait} for the frame `at` of `w`'s stack (its first user
   * frame).
   */
  private findCallOfWait(
    w: Capture,
    at: number,
  ): Capture | typeof FOREIGN | undefined {
    const sites = this.g.sites(w);
    const top = sites[at];
    if (top === undefined || isAsync(top)) return undefined;
    const resumed =
      w.context === undefined ? undefined : Stamp.capture(w.context);
    // Resumed from an `await` another Root recorded: a call an earlier test
    // started and left running (a poll that outlived its test).
    if (
      resumed !== undefined &&
      !this.g.ours(resumed.owner) &&
      resumed.awaits !== undefined &&
      this.g.sites(resumed)[0] !== undefined &&
      fnKey(this.g.sites(resumed)[0]) === fnKey(top)
    )
      return FOREIGN;
    const before = this.g.promiseContext(w.context);
    if (before !== undefined && before.awaits !== undefined) {
      if (this.g.waitKind(before) === 'await') {
        const was = this.g.sites(before)[0];
        // Resumed from an `await` of the same function: the same call, if
        // the frame is the one resumed, the deepest of that function in
        // the stack's synchronous part. One above it is a call the resumed
        // one made (p-queue's `run()` starting the next task's `run()`).
        if (
          was !== undefined &&
          fnKey(was) === fnKey(top) &&
          deepestOf(sites, fnKey(was)) === at
        )
          return this.callOfWait(before);
      }
    }
    return this.callAt(sites, at, w.seq);
  }

  /**
   * The `new Promise` (a pending leaf) that the frame `sites[i]` made, V8's
   * constructor being `sites[i - 1]`: the last one made there along the same
   * call path up to `seq`.
   */
  promiseMadeAt(sites: Site[], i: number, seq: number): Capture | undefined {
    if (this.leavesByMaker === undefined) {
      this.leavesByMaker = new Map();
      for (const leaf of this.g.leaves) {
        const maker = this.g.sites(leaf)[1];
        if (maker === undefined) continue;
        const k = fnKey(maker);
        const list = this.leavesByMaker.get(k);
        if (list === undefined) this.leavesByMaker.set(k, [leaf]);
        else list.push(leaf);
      }
    }
    const s = sites[i];
    const list = s === undefined ? undefined : this.leavesByMaker.get(fnKey(s));
    if (list === undefined) return undefined;
    const at = lastBefore(list, seq + 1);
    for (let k = at; k >= 0 && k > at - LOOK_BACK; k--) {
      if (sameCallPath(this.g.sites(list[k]), 1, sites, i, CALL_PATH_DEPTH))
        return list[k];
    }
    return undefined;
  }
}

/**
 * The index of the deepest frame of the function `key` in the synchronous
 * part of `sites` (before its first async frame), or -1.
 */
function deepestOf(sites: readonly Site[], key: string): number {
  let found = -1;
  for (let i = 0; i < sites.length && !isAsync(sites[i]); i++)
    if (fnKey(sites[i]) === key) found = i;
  return found;
}

/**
 * The index of the last capture of `list` (by seq) made before `seq`, or -1.
 */
function lastBefore(list: Capture[], seq: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid].seq < seq) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}
