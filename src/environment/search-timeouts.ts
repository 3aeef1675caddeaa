/**
 * The waker search's questions about timeouts on a wait (core/dump/guards.ts,
 * core/wakers/guards.ts): which timers to ask about, and the answers a reused
 * finding carries (waker-cache.ts).
 */
import type {LeafSource} from '../core/dump';
import {
  handlesBeside,
  timeoutCandidates,
  timersAlone,
  timersUnderInput,
} from '../core/dump/guards';
import type {Leaf, TaskDump} from '../core/types';
import type {GuardQuestion, WakerSubject} from '../core/wakers';
import {type Lookup, handleSignature, isAbove} from './waker-cache';

/**
 * The timeouts above the leaves whose finding is reused: a timer under a
 * promise above such a leaf, made by the same calls as one found to be a
 * timeout on a promise above a leaf of that signature.
 */
export function reusedTimeouts(
  subjects: readonly WakerSubject[],
  guards: readonly GuardQuestion[],
  known: readonly Lookup[],
): Array<{timer: Leaf; promise: Leaf}> {
  const out: Array<{timer: Leaf; promise: Leaf}> = [];
  known.forEach((k, i) => {
    if (k.kind !== 'known' || k.timeouts.length === 0) return;
    for (const q of guards)
      if (isAbove(q.waiting, subjects[i].leaf))
        for (const {leaf} of q.timers)
          if (k.timeouts.includes(handleSignature(leaf)))
            out.push({timer: leaf, promise: q.waiting});
  });
  return out;
}

/**
 * The promises that wait on the branches below them with one-shot timers
 * among those, beside a branch that is stuck: is a timer a timeout on the
 * wait (dump/guards.ts)? In a function of its own: a local of the search's
 * frame would keep the promises reachable from the stack while the heap
 * snapshot is taken.
 */
export function guardQuestions(
  whole: TaskDump,
  sources: Map<Leaf, LeafSource>,
): GuardQuestion[] {
  // Another Root's leaves (an earlier file's worker thread) are under a
  // promise the body awaits only by where they are drawn: the search says
  // whether they feed one (dump/fed.ts dropUnfed), and no timer is a timeout
  // beside them.
  const dump: TaskDump = {
    ...whole,
    leaves: whole.leaves.filter(l => {
      const s = sources.get(l);
      return s === undefined || !('handle' in s) || s.earlier !== true;
    }),
  };
  const out: GuardQuestion[] = [];
  for (const [waiting, s] of sources) {
    if (!('promise' in s) || !dump.leaves.includes(waiting)) continue;
    const handleOf = (leaf: Leaf): Array<{leaf: Leaf; handle: object}> => {
      const t = sources.get(leaf);
      return t !== undefined && 'handle' in t ? [{leaf, handle: t.handle}] : [];
    };
    const timers = timeoutCandidates(dump, waiting).flatMap(handleOf);
    const drawn = timersUnderInput(dump, waiting).flatMap(handleOf);
    const alone =
      timers.length === 0 ? timersAlone(dump, waiting).flatMap(handleOf) : [];
    if (alone.length > 0) {
      out.push({
        waiting,
        promise: s.promise,
        timers: alone,
        beside: [],
        drawn,
        alone: true,
      });
      continue;
    }
    if (timers.length === 0 && drawn.length === 0) continue;
    const beside =
      timers.length === 0 ? [] : handlesBeside(dump, waiting).flatMap(handleOf);
    out.push({waiting, promise: s.promise, timers, beside, drawn});
  }
  return out;
}
