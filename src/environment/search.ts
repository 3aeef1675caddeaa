/**
 * The waker search at a timeout (core/wakers/), as a test process can
 * afford it: once per cause (waker-cache.ts; and once in the run when the
 * reporter is ours: search-share.ts), within a time budget that grows
 * with the hung tests (search-budget.ts), and only when it fits in memory
 * (search-memory.ts). A leaf a limit kept from being searched says so, in the
 * same words each time; a search that fails leaves the dump as it was, with
 * one line saying so, and is the process's last.
 *
 * Its state is per test process: Jest loads the environment once per worker,
 * and the same hang in the next test file is the same cause.
 */
import {now} from '../core/clock';
import {
  type DumpContext,
  type LeafSource,
  addGenerators,
  nestFed,
} from '../core/dump';
import {isMachinery, isSharedWithJest} from '../core/machinery';
import {recorderObjects} from '../core/record';
import {ledgerObjects} from '../core/leftovers';
import type {Leaf, TaskDump} from '../core/types';
import {
  type GuardQuestion,
  type WakerSubject,
  findWakers,
} from '../core/wakers';
import {states} from './state';
import {readMemory} from './search-memory';
import {searchFailed, skipOf, skipReason, state} from './search-limits';
import {type Lookup, leafSignature, originOf} from './waker-cache';
import {SearchShare} from './search-share';
import {HANDOFF_VARIABLE} from '../reporter/handoff';
import {phasesLine} from '../core/stopwatch';
import {dropUnfed} from '../core/dump/fed';
import {markAside, unmarkAlone} from '../core/dump/aside';
import {unjoinLent} from '../core/dump/tcp-peers';
import {hoistRootFrame} from '../core/dump/finish';
import {besideTimeouts, markTimeouts} from '../core/dump/guards';
import {markRaceExits} from '../core/dump/race-exits';
import {markSameTimer} from '../core/inputs';
import {guardQuestions} from './search-timeouts';
import {reusable, reuseFindings} from './search-reuse';
import {type Handle, subjectsOf} from './search-subjects';

// Tests may fake or replace these; keep the real ones.
/** `JEST_TASKDUMP_DEBUG=1`: each search's phases on stderr. */
const DEBUG = process.env.JEST_TASKDUMP_DEBUG === '1';

/** What the search needs from the environment's options. */
export interface SearchOptions {
  rootDir: string;
  /** The project: explanations are reused within one only. */
  project?: string;
  /** `wakersMaxHeapMb`. */
  maxHeapMb: number;
  /** `wakersBudgetPercent`. */
  budgetPercent: number;
  /**
   * Objects the program's objects are reached from (the test's global), for
   * reading live objects cheaply (core/heap-ways.ts).
   */
  roots?: object[];
}

/**
 * Objects and functions of the runner, for the waker search: never holders of
 * the program's. A package Jest shares with programs (p-limit, yocto-queue) is
 * the program's there: a queue of the program's limiter that keeps a resolve
 * function is where the program waits.
 */
function heldByRunner(file: string): boolean {
  return isMachinery(file) && !isSharedWithJest(file);
}

/**
 * Looks for what could settle each stuck promise of a dump (see
 * core/wakers/), taken at the timeout, before any hook has cleaned up.
 * Sets `leaf.waker` (found, or reused from an earlier test) or
 * `leaf.wakerSkipped`; a failed search sets `dump.wakerNote` instead. The
 * worker threads another Root started are in the dump after it only where
 * the search found them feeding a stuck promise.
 */
export function searchWakers(
  dump: TaskDump,
  sources: Map<Leaf, LeafSource>,
  ctx: DumpContext,
  options: SearchOptions,
): void {
  const earlier = earlierLeaves(sources);
  try {
    searchAll(dump, sources, ctx, options);
  } finally {
    dropUnfed(dump, earlier);
    unmarkAlone(dump);
    markRaceExits(dump);
  }
}

/**
 * The leaves of worker threads another Root started. In a function of its
 * own: a local of the search's frame would keep the last promise of `sources`
 * reachable from the stack while the heap snapshot is taken.
 */
function earlierLeaves(sources: Map<Leaf, LeafSource>): Leaf[] {
  const out: Leaf[] = [];
  for (const [leaf, s] of sources)
    if ('handle' in s && s.earlier === true) out.push(leaf);
  return out;
}

function searchAll(
  dump: TaskDump,
  sources: Map<Leaf, LeafSource>,
  ctx: DumpContext,
  options: SearchOptions,
): void {
  if (dump.timeoutMs !== null) state.budget.addHang(dump.timeoutMs);
  // A promise that waits on a branch the dump shows below it (a timer, a
  // socket) is explained by it.
  const {subjects, handles, waiting, dropped} = subjectsOf(dump, sources);
  const guards = guardQuestions(dump, sources);
  // The map would keep the promises alive in the snapshot: the subjects carry
  // them now.
  sources.clear();
  if (subjects.length === 0) {
    searchFeeds(dump, {subjects: waiting, handles, guards}, ctx, options);
    return;
  }
  // Kept, they would keep what their reactions refer to reachable from this
  // frame during the snapshot: only their promises are handed on, in an
  // array the search excludes, and only to ask whether a chain only a
  // dropped `.then()` waits on reaches one (dump/aside.ts).
  const waitingPromises = dropped.length > 0 ? waiting.map(w => w.promise) : [];
  waiting.length = 0;
  const known = subjects.map(s =>
    state.cache.lookup(s.leaf, dump.testPath, options.project),
  );
  // Causes no process of the run has searched yet are this one's to search;
  // for the others, what the process searching them finds.
  const share = new SearchShare(process.env[HANDOFF_VARIABLE]);
  const mine = new Map<string, Leaf>();
  const theirs = new Map<number, string>();
  for (const [i, k] of known.entries()) {
    if (k.kind !== 'unknown') continue;
    const {leaf} = subjects[i];
    const key = SearchShare.keyOf(options.project ?? '', leafSignature(leaf));
    if (share.claim(key) === 'mine') mine.set(key, leaf);
    else theirs.set(i, key);
  }
  // A process with a cause of its own to search searches all of its dump (the
  // snapshot costs the same), and waits for no one: two processes each waiting
  // for the other's cause would wait out WAIT_MS.
  if (mine.size === 0) {
    for (const [i, key] of theirs) {
      const found = share.await(key);
      if (found?.origin === undefined || found.waker === undefined) continue;
      const {leaf} = subjects[i];
      state.cache.adopt(
        leaf,
        {
          waker: found.waker,
          origin: found.origin,
          fedBy: found.fedBy,
          timeouts: found.timeouts,
          settlesNone: found.settlesNone,
        },
        options.project,
      );
      known[i] = state.cache.lookup(leaf, dump.testPath, options.project);
    }
  }
  // Others wait for this process's finding: publish one, or that there is
  // none, whatever happens.
  const publish = (): void => {
    for (const [key, leaf] of mine)
      share.publish(key, state.cache.finding(leaf, options.project) ?? {});
  };
  try {
    searchOrReuse(
      dump,
      {subjects, handles, guards, dropped, waiting: waitingPromises},
      known,
      ctx,
      options,
    );
  } finally {
    publish();
  }
}

/** What one search asks (see {@link subjectsOf}, {@link guardQuestions}). */
interface Questions {
  subjects: WakerSubject[];
  handles: Handle[];
  guards: GuardQuestion[];
  /** Subjects only a library's dropped `.then()` waits on (dump/aside.ts). */
  dropped?: Leaf[];
  /** The promises of the stuck promises that are no subjects (waiting). */
  waiting?: object[];
}

function searchOrReuse(
  dump: TaskDump,
  {subjects, handles, guards, dropped = [], waiting = []}: Questions,
  known: Lookup[],
  ctx: DumpContext,
  options: SearchOptions,
): void {
  const reuse = (): void =>
    reuseFindings(dump, {subjects, handles, guards, dropped}, known);
  if (reusable(known, handles)) {
    reuse();
    return;
  }
  const memory = readMemory();
  const reason = skipReason(memory, options);
  if (reason !== null) {
    reuse();
    const skip = skipOf(reason, options.maxHeapMb);
    known.forEach((k, i) => {
      if (k.kind === 'unknown') subjects[i].leaf.wakerSkipped = skip;
    });
    return;
  }
  // The leaves it could reuse are searched too: the snapshot costs the same,
  // and what is found for them checks what was reused (waker-cache.ts).
  const started = now();
  try {
    const report = findWakers(subjects, {
      handles,
      guards,
      waiting,
      ...searchContext(ctx, options),
    });
    if (DEBUG)
      process.stderr.write(
        `[jest-taskdump ${process.pid}] waker search of ${report.nodes} objects: ${phasesLine(report.phases)}\n`,
      );
    const settlesNone = dropped.filter(l => !report.reaching.includes(l));
    state.cache.record(
      // A promise drawn waiting on a branch below it gets no waker (it was
      // searched for what it feeds): none to hand on to one made by the
      // same calls that waits on nothing drawn.
      subjects.map(s => s.leaf).filter(l => l.waiting !== true),
      originOf(dump),
      options.project,
      report.feeds,
      report.guards,
      settlesNone,
    );
    unjoinLent(dump.leaves);
    const nested = nestFed(
      dump,
      besideTimeouts(dump, report.feeds, report.guards),
    );
    markAside(
      dump,
      handles.map(h => h.leaf).filter(l => !nested.includes(l)),
      settlesNone,
    );
    markTimeouts(dump, report.guards);
    for (const group of report.sameTimer) markSameTimer(group);
    if (dump.rootFrame === null && report.feeds.length > 0)
      dump.rootFrame = hoistRootFrame(dump.leaves);
    addGenerators(dump, report.generators);
  } catch (e) {
    // All or nothing: no `↳` line from a search that did not finish.
    for (const s of subjects) delete s.leaf.waker;
    unholdAll(guards);
    searchFailed(dump, e);
  } finally {
    state.budget.spend(now() - started, memory.heapUsedMb);
    subjects.length = 0;
    handles.length = 0;
    guards.length = 0;
    waiting.length = 0;
  }
}

/** What every search of a test process is given about where it runs. */
function searchContext(ctx: DumpContext, options: SearchOptions) {
  return {
    // The environment's own state too: its running tests' functions keep
    // what their scopes keep, and no path of the program's goes through it.
    exclude: [...recorderObjects(), ...ledgerObjects(), states],
    rootDir: options.rootDir,
    mapPosition: ctx.mapPosition,
    isMachinery: heldByRunner,
    now: ctx.now,
    roots: options.roots,
  };
}

/**
 * What a search that did not finish set on the promises it asked about
 * alone (wakers/held-elsewhere.ts), taken back.
 */
function unholdAll(guards: readonly GuardQuestion[]): void {
  for (const q of guards)
    if (q.waiting.heldElsewhere === true) {
      delete q.waiting.heldElsewhere;
      delete q.waiting.waker;
    }
}

/**
 * Every stuck promise waits on a branch drawn below it, so none is searched
 * for itself; what is left to ask is whether a timer drawn in a branch of its
 * own (a rate limiter's storage expiry, set by a call the body has returned
 * from) feeds one of them, and whether a timer below one of them is a
 * timeout on its wait (testing-library's `waitFor`: its poll loop and its
 * timeout, both below it). One that feeds is drawn under it; one that feeds
 * none is set aside (shown, not counted), as after any search. Those
 * promises' own wakers are not shown: the branch below them says what they
 * wait on. Not cached: the question is about the timers, asked again in each
 * dump that has one. Within the same limits as any search; a failure leaves
 * the dump as it was, with its line.
 */
function searchFeeds(
  dump: TaskDump,
  {subjects: waiting, handles, guards}: Questions,
  ctx: DumpContext,
  options: SearchOptions,
): void {
  try {
    if (
      waiting.length === 0 ||
      (!guards.some(q => q.timers.length > 0) &&
        !handles.some(h => h.leaf.kind === 'timer'))
    )
      return;
    const memory = readMemory();
    if (skipReason(memory, options) !== null) return;
    const started = now();
    const before = waiting.map(s => s.leaf.waker);
    try {
      const report = findWakers(waiting, {
        handles,
        guards,
        ...searchContext(ctx, options),
      });
      const nested = nestFed(
        dump,
        besideTimeouts(dump, report.feeds, report.guards),
      );
      markAside(
        dump,
        handles.map(h => h.leaf).filter(l => !nested.includes(l)),
      );
      // A timer found feeding one that is a timeout on it (an abort).
      markTimeouts(dump, report.guards);
    } catch (e) {
      unholdAll(guards);
      searchFailed(dump, e);
    } finally {
      waiting.forEach((s, i) => {
        // Kept where its wait is its own (wakers/held-elsewhere.ts).
        if (s.leaf.heldElsewhere === true) return;
        if (before[i] === undefined) delete s.leaf.waker;
        else s.leaf.waker = before[i];
      });
      state.budget.spend(now() - started, memory.heapUsedMb);
    }
  } finally {
    waiting.length = 0;
    handles.length = 0;
    guards.length = 0;
  }
}
