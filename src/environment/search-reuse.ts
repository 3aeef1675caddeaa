/**
 * A dump whose every leaf's cause was found before (waker-cache.ts), or whose
 * search is skipped: what was found for leaves like its own is taken as
 * theirs, with what that finding said of the handles feeding them, the
 * timers that are timeouts above them, and the chains only a dropped
 * `.then()` waits on that settle none (set aside, dump/aside.ts).
 */
import {markAside} from '../core/dump/aside';
import {nestFed} from '../core/dump/fed';
import {plainClient} from '../core/dump/outliving';
import {besideTimeouts, markTimeouts} from '../core/dump/guards';
import type {Leaf, TaskDump} from '../core/types';
import type {GuardQuestion, WakerSubject} from '../core/wakers';
import type {Handle} from './search-subjects';
import {reusedTimeouts} from './search-timeouts';
import {type Lookup, handleSignature, mustSearch} from './waker-cache';

/**
 * Whether the findings `known` (one per subject) can be reused for a dump
 * with `handles`, rather than searched: every subject's is known, none asks
 * to be checked ({@link mustSearch}), and every handle is one a finding
 * reused can name. A thread or socket another Root opened (a hook's, the
 * file's load) is not one, made by other calls, nor is a thread of this
 * test's that no reused finding was fed by (found where the pool's thread
 * was another Root's): what it feeds is asked of the heap, within the
 * budget. A client's socket a hook opened that no HTTP client used (a
 * database connection) is: made by the same calls for every test of the
 * file, it is named by a finding of one it feeds ({@link handleSignature}).
 */
export function reusable(
  known: readonly Lookup[],
  handles: readonly Handle[],
): boolean {
  if (known.some(k => k.kind === 'unknown')) return false;
  const fedBy = new Set(
    known.flatMap(k => (k.kind === 'known' ? k.fedBy : [])),
  );
  const unplaced = handles.some(
    h =>
      (h.earlier === true &&
        !(h.leaf.kind === 'socket' && plainClient(h.handle))) ||
      (h.leaf.kind === 'worker' && !fedBy.has(handleSignature(h.leaf))),
  );
  return (
    !unplaced &&
    !mustSearch(known.map(k => (k.kind === 'known' ? k.waker : undefined)))
  );
}

/** Applies the findings `known` (one per subject) to `dump`. */
export function reuseFindings(
  dump: TaskDump,
  q: {
    subjects: readonly WakerSubject[];
    handles: readonly Handle[];
    guards: readonly GuardQuestion[];
    dropped: readonly Leaf[];
  },
  known: readonly Lookup[],
): void {
  const {subjects, handles, guards, dropped} = q;
  // (Not onto a promise drawn waiting on a branch below it: findWakers.)
  known.forEach((k, i) => {
    if (
      k.kind === 'known' &&
      k.waker !== undefined &&
      subjects[i].leaf.waiting !== true
    )
      subjects[i].leaf.waker = k.waker;
  });
  const timeouts = reusedTimeouts(subjects, guards, known);
  nestFed(
    dump,
    besideTimeouts(dump, reusedFeeds(subjects, handles, known), timeouts),
  );
  markTimeouts(dump, timeouts);
  markAside(
    dump,
    [],
    subjects
      .filter((s, i) => {
        const k = known[i];
        return dropped.includes(s.leaf) && k.kind === 'known' && k.settlesNone;
      })
      .map(s => s.leaf),
  );
}

/**
 * What feeds the leaves whose finding is reused: a handle in a branch of its
 * own made by the same calls as one found feeding a leaf of that signature.
 */
function reusedFeeds(
  subjects: readonly WakerSubject[],
  handles: readonly Handle[],
  known: readonly Lookup[],
): Array<{handle: Leaf; promise: Leaf}> {
  const out: Array<{handle: Leaf; promise: Leaf}> = [];
  known.forEach((k, i) => {
    if (k.kind !== 'known' || k.fedBy.length === 0) return;
    for (const {leaf} of handles)
      if (k.fedBy.includes(handleSignature(leaf)))
        out.push({handle: leaf, promise: subjects[i].leaf});
  });
  return out;
}
