/**
 * What a waker search asks about a dump: its stuck promises, and the timers
 * and handles drawn in branches of their own, which may feed one of them.
 */
import type {LeafSource} from '../core/dump';
import {apart} from '../core/dump/fed';
import {startsWith} from '../core/dump/paths';
import type {Leaf, TaskDump} from '../core/types';
import type {WakerSubject} from '../core/wakers';

/** A timer or handle of a branch of its own: which promise does it feed? */
/**
 * A handle whose leaf is a branch of its own; `earlier` when another Root (or
 * the file's load) opened it (a pool's thread): in the dump only if found
 * feeding a stuck promise.
 */
export type Handle = {leaf: Leaf; handle: object; earlier?: true};

/**
 * The promises to search, and the handles of branches of their own (a
 * socket, an interval; see {@link apart}), whose search says whether they
 * feed a promise of another branch; and the stuck promises that wait on a
 * branch drawn below them (`waiting`: explained by it, not searched for
 * themselves, but a timer of a branch of its own may feed one); and the
 * subjects only a library's dropped `.then()` waits on (`dropped`: set aside
 * if found feeding none, dump/aside.ts). In a
 * function of its own: a local of the search's frame would keep the last
 * promise reachable from the stack while the heap snapshot is taken.
 */
export function subjectsOf(
  dump: TaskDump,
  sources: Map<Leaf, LeafSource>,
): {
  subjects: WakerSubject[];
  handles: Handle[];
  waiting: WakerSubject[];
  dropped: Leaf[];
} {
  const subjects: WakerSubject[] = [];
  const dropped: Leaf[] = [];
  const handles: Handle[] = [];
  const waitingSubjects: WakerSubject[] = [];
  // A promise waiting on the branch below it (its executor started it) is no
  // subject, but what its settling runs is that branch's too: when the
  // branch is one nothing the Root runs waits on (detached, or through a
  // call nobody awaits), the chain above that promise feeds what the
  // branch's leaves feed. (Not for any chain with a dropped end: a
  // `new Promise(async …)` drops its executor's promise, and the chain
  // through its other ends, awaited, would then be searched too.)
  const waiting: Array<[Leaf, object[]]> = [];
  for (const [leaf, s] of sources) {
    if (leaf.waiting !== true || !('promise' in s)) continue;
    if (!dump.leaves.includes(leaf)) continue;
    if (s.feeds !== undefined) waiting.push([leaf, s.feeds]);
    if (leaf.kind === 'promise' && leaf.busy !== true)
      waitingSubjects.push({
        leaf,
        promise: s.promise,
        constructed: s.constructed,
      });
  }
  const feedsOf = (leaf: Leaf, own: object[] | undefined): object[] => {
    // Or one whose own chain nothing waits on either (graphql-ws's release
    // promise, under the subscription whose end completes the iterator).
    const unawaited =
      leaf.detached || leaf.path.some(f => f.notAwaited) || own !== undefined;
    const above = waiting.flatMap(([w, feeds]) =>
      unawaited && w.detached === leaf.detached && startsWith(leaf.path, w.path)
        ? feeds
        : [],
    );
    return above.length === 0 ? (own ?? []) : [...(own ?? []), ...above];
  };
  for (const [leaf, s] of sources) {
    if ('handle' in s) {
      if (leaf.busy !== true && dump.leaves.includes(leaf) && apart(leaf, dump))
        handles.push(
          s.earlier === true
            ? {leaf, handle: s.handle, earlier: true}
            : {leaf, handle: s.handle},
        );
    } else if (
      leaf.kind === 'promise' &&
      leaf.waiting !== true &&
      // The same promise as another input's: searched there.
      leaf.waitsWithInput === undefined
    ) {
      const feeds = dump.leaves.includes(leaf) ? feedsOf(leaf, s.feeds) : [];
      if (s.dropsThen === true && s.feeds !== undefined) dropped.push(leaf);
      subjects.push({
        leaf,
        promise: s.promise,
        constructed: s.constructed,
        ...(feeds.length > 0 ? {feeds} : {}),
      });
    }
  }
  // A waiting promise with nothing searched below it to carry its chain (a
  // read of a fetch() body over the socket it comes on): searched itself,
  // for what it feeds.
  for (const [w, feeds] of waiting) {
    const carried = subjects.some(
      x => x.leaf.detached === w.detached && startsWith(x.leaf.path, w.path),
    );
    const s = sources.get(w);
    if (carried || s === undefined || !('promise' in s)) continue;
    subjects.push({
      leaf: w,
      promise: s.promise,
      constructed: s.constructed,
      feeds,
    });
  }
  return {subjects, handles, waiting: waitingSubjects, dropped};
}
