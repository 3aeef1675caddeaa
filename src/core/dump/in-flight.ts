/**
 * A retry loop whose timeout fell while an attempt was in flight: the
 * attempt's wait is what the dump draws (a request not answered, a socket),
 * and the loop around it, with the attempts that failed before, is said on
 * the frame where the loop awaits it.
 *
 * Recorded, not guessed: the loop's function awaits the attempt (`w`,
 * pending) in the run resumed from its `await` of the pause (`p`), and that
 * run was the one in which the function, resumed in its `catch` from the
 * failed attempt, set the pause's one-shot timer (`t`, fired) and awaited it.
 * The timer's context is that failed attempt's `await`, so dump/retry.ts
 * reads the loop from it as it does for a pause still pending (what the
 * attempts failed with, how many). A loop of callbacks (the next attempt
 * started from the timer's callback) is not followed: its attempt's `await`
 * runs in no `await` of the pause.
 */
import {type Capture, isTimerPending} from '../record';
import {timerApi} from '../graph/walk';
import type {WaitGraph} from '../graph/graph';
import {type Site, callSite, firstOwnSite, fnKey, name} from '../stack/sites';
import {sameLine} from '../graph/branch';
import type {Frame, Leaf} from '../types';
import type {FrameMaker} from './frames';
import type {RetryFacts, Retries} from './retry';

/** An attempt in flight: where the loop awaits it, and the loop's facts. */
export interface InFlight {
  /** The frame of the loop's `await` of the attempt (file, line, name). */
  at: Frame;
  facts: RetryFacts;
}

/**
 * The attempts in flight of the Root's retry loops (see the module comment).
 * `firedBefore`: the one-shot timers that fired along a timer's logical
 * stack (its loop's earlier pauses).
 */
export function attemptsInFlight(
  g: WaitGraph,
  retries: Retries,
  frames: FrameMaker,
  firedBefore: (c: Capture) => readonly Capture[],
): InFlight[] {
  // Fired one-shot timers by the context they were set in.
  const fired = new Map<object, Capture[]>();
  for (const [t, c] of g.timers) {
    if (isTimerPending(t) || timerApi(t) !== 'setTimeout') continue;
    if (c.context === undefined) continue;
    const list = fired.get(c.context);
    if (list === undefined) fired.set(c.context, [c]);
    else list.push(c);
  }
  if (fired.size === 0) return [];
  const out: InFlight[] = [];
  const seen = new Set<Capture>();
  // Pending `await`s by function and line: a place more than one call waits
  // at is no one loop's (another call's first attempt, a second loop).
  const at = new Map<string, number>();
  const waits = g.pendingWaits().filter(w => {
    if (w.settled || g.waitKind(w) !== 'await') return false;
    const top = firstOwnSite(g.sites(w));
    if (top === undefined) return false;
    const k = placeKey(top);
    at.set(k, (at.get(k) ?? 0) + 1);
    return true;
  });
  for (const w of waits) {
    const p = g.promiseContext(w.context);
    if (p === undefined || seen.has(p) || g.waitKind(p) !== 'await') continue;
    const top = firstOwnSite(g.sites(w));
    const paused = firstOwnSite(g.sites(p));
    if (top === undefined || paused === undefined) continue;
    if (fnKey(top) !== fnKey(paused) || at.get(placeKey(top)) !== 1) continue;
    // The pause's timer: the last one set in the run that awaited it, after
    // the promise awaited was made (in its executor, or by timers/promises
    // with it) and before that `await`. An attempt's own timeout, set before
    // the attempt's promise, is none.
    const pause = p.awaits;
    if (pause == null || p.context === undefined) continue;
    let t: Capture | undefined;
    for (const c of fired.get(p.context) ?? [])
      if (
        c.seq > pause.seq &&
        c.seq < p.seq &&
        (t === undefined || c.seq > t.seq)
      )
        t = c;
    if (t === undefined) continue;
    const earlier = firedBefore(t).filter(c => c.seq < t.seq);
    const facts = retries.of(t, earlier);
    if (facts === null) continue;
    const frame = frames.frame(top, name(top));
    // The attempt in flight is awaited where the failed one was: a loop, not
    // a next step after a failure caught (`try { await a() } catch {}; await
    // sleep(); await b()`).
    if (frame === null || !sameLine(frame, facts.at)) continue;
    seen.add(p);
    out.push({at: frame, facts});
  }
  return out;
}

/** A frame's function and line. */
function placeKey(s: Site): string {
  return `${fnKey(s)}:${callSite(s).getLineNumber() ?? ''}`;
}

/**
 * Marks, on each leaf's path, the frame where a retry loop awaits an attempt
 * in flight: the same function at the same line of the same file.
 */
export function markInFlight(leaves: readonly Leaf[], found: InFlight[]): void {
  if (found.length === 0) return;
  const marked = new Map<Frame, Frame>();
  for (const leaf of leaves) {
    leaf.path = leaf.path.map(f => {
      const done = marked.get(f);
      if (done !== undefined) return done;
      const hit = found.find(x => sameLine(x.at, f));
      if (hit === undefined) return f;
      const {facts} = hit;
      const g: Frame = {
        ...f,
        attempt: {failed: facts.attempts, last: facts.last, same: facts.same},
      };
      marked.set(f, g);
      return g;
    });
  }
}
