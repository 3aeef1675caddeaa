/**
 * Wakers: what could still settle a stuck promise.
 *
 * A pending promise settles only when someone calls its resolve or reject
 * function, so what keeps those functions alive is what can wake it: a timer's
 * callback, an event listener on an emitter, a property of a deferred or of a
 * lock's queue, a variable. V8 keeps no such record while the program runs, but
 * a heap snapshot taken at the dump has it: going back from a resolve function
 * through what refers to it, nearest first (not through our own records), the
 * first thing with a name is who holds it. A promise is orphaned only when its
 * resolve and reject functions are gone; when only objects the garbage
 * collector's roots do not reach keep them (after a timeout, often the hung
 * test's own), what keeps them is still what it waits for, and a note says
 * that nothing running reaches it. A `new Promise` resolved with another one
 * says so, and what that one waits for. From the promise the other way, its
 * reactions lead to the code waiting on it (its branch); see locks.ts for who
 * holds a lock.
 *
 * This module is the search (waker-of.ts: one promise's waker; nearest.ts:
 * from an object to what keeps it);
 * heap-index.ts indexes the snapshot, state.ts reads live objects,
 * recognise.ts and the recognisers (timers.ts, events.ts, streams.ts,
 * objects.ts) name holders, locks.ts and branches.ts find who holds a lock,
 * words.ts says it all. Only names are read from the heap (classes,
 * properties, variables, event names); never a value of the program.
 */
import {now} from '../clock';
import {probeHeap} from '../heap';
import {Stopwatch} from '../stopwatch';
import {type Chain, HeapIndex} from './heap-index';
import type {WakerContext} from './context';
import {wakerOf} from './waker-of';
import {heldElsewhere} from './held-elsewhere';
import {StateReader} from './state';
import {findHolders} from './locks';
import {feedPairs, feedsOf} from './feeds';
import {runningAhead} from './running-ahead';
import {promiseFeedsOf, within} from './promise-feeds';
import {handsOn, handsToSubjects, handsToTarget} from './hands-on';
import {resumesToSubjects} from './resumes';
import {hostOf} from '../inputs';
import {fedTimeouts, guardsOf} from './guards';
import {sameTimerGroups} from './same-timer';
import type {Leaf} from '../types';
import type {WakerOptions, WakerReport, WakerSubject} from './types';

export type {
  GuardQuestion,
  WakerOptions,
  WakerReport,
  WakerSubject,
} from './types';

/**
 * Finds the waker of each subject and sets `leaf.waker`. Takes a heap snapshot:
 * about 4 µs per object in the heap. Throws only if the snapshot cannot be
 * taken or read.
 *
 * @example
 * const report = findWakers([{leaf, promise, constructed: true}], {
 *   exclude: [], rootDir, mapPosition, isMachinery, now: now(),
 * });
 * leaf.waker;
 * // {kind: 'event', what: "waits for 'ready' on a Connection (an
 * // EventEmitter): not emitted since its listener was added"}
 */
export function findWakers(
  subjects: WakerSubject[],
  options: WakerOptions,
): WakerReport {
  const started = now();
  const handles = options.handles ?? [];
  const watch = new Stopwatch();
  const feeders = subjects.filter(s => s.feeds !== undefined);
  const chains = feeders.flatMap(s => s.feeds ?? []);
  const guards = options.guards ?? [];
  const waiting = options.waiting ?? [];
  const probe = probeHeap(
    [
      ...subjects.map(s => s.promise),
      ...handles.map(h => h.handle),
      ...chains,
      ...guards.flatMap(q => [
        q.promise,
        ...q.timers.map(t => t.handle),
        ...q.beside.map(b => b.handle),
        ...(q.drawn ?? []).map(d => d.handle),
      ]),
      ...waiting,
    ],
    [
      subjects,
      ...subjects,
      ...feeders.map(s => s.feeds as object[]),
      feeders,
      handles,
      ...handles,
      guards,
      ...guards,
      ...guards.flatMap(q => [q.timers, q.beside, q.drawn ?? []]),
      ...guards.flatMap(q => [...q.timers, ...q.beside, ...(q.drawn ?? [])]),
      waiting,
      ...options.exclude,
    ],
    watch,
    options.roots,
  );
  try {
    const ix = new HeapIndex(probe, options);
    watch.lap('index');
    const cx: WakerContext = {
      ix,
      states: new StateReader(probe),
      now: options.now,
    };
    let found = 0;
    let orphaned = 0;
    const locks: Array<number[] | undefined> = [];
    const queues: Array<Chain | undefined> = [];
    const kept: Array<number[] | undefined> = [];
    const near: Array<number[] | undefined> = [];
    const resolvers: Array<number[] | undefined> = [];
    const generators: WakerReport['generators'] = [];
    subjects.forEach((s, i) => {
      const node = probe.subjects[i];
      if (node === -1) return;
      resolvers[i] = ix.resolversOf(node);
      const described = wakerOf(cx, node, s);
      const {waker, chain, queue, holders, generator} = described;
      locks[i] = chain;
      queues[i] = queue;
      kept[i] = holders;
      near[i] = described.near;
      if (generator !== undefined)
        generators.push({
          promise: s.leaf,
          frame: generator.frame,
          yields: generator.yields,
          awaits: generator.awaits,
        });
      // A promise drawn waiting on a branch below it (searched for what its
      // chain feeds) says what it waits for there.
      if (waker === undefined || s.leaf.waiting === true) return;
      s.leaf.waker = waker;
      found++;
      if (waker.kind === 'none') orphaned++;
    });
    findHolders(cx, subjects, locks, queues);
    let at = subjects.length + handles.length;
    const chainNodes = feeders.map(s =>
      (s.feeds ?? []).map(() => probe.subjects[at++]),
    );
    const guardNodes = guards.reduce(
      (n, q) =>
        n + 1 + q.timers.length + q.beside.length + (q.drawn?.length ?? 0),
      0,
    );
    const waitingNodes = waiting.map(
      (_, k) => probe.subjects[at + guardNodes + k],
    );
    const {fed: fedBy, reaching} = promiseFeedsOf(
      cx,
      resolvers,
      chainNodes,
      feeders.map(s => subjects.indexOf(s)),
      subjects.map(s => s.leaf),
      waitingNodes.filter(n => n !== -1).map(n => ix.resolversOf(n)),
    );
    // A chain no stuck promise's resolve function was found from, handing
    // its outcome to the callback of a stream a subject waits on (its
    // write() not called back): it feeds that subject.
    const streams = new Map<number, number>();
    subjects.forEach((s, i) => {
      if (s.leaf.waker?.kind !== 'stream') return;
      for (const holder of kept[i] ?? [])
        if (ix.g.type(holder) === 'object') streams.set(holder, i);
    });
    const targets = new Set(streams.keys());
    if (targets.size > 0)
      feeders.forEach((s, k) => {
        if (fedBy[k].length > 0) return;
        const to = handsToTarget(ix, chainNodes[k], targets);
        const i = to === -1 ? undefined : streams.get(to);
        if (i === undefined || subjects[i] === s) return;
        fedBy[k] = [i];
        reaching[k] = true;
      });
    // A chain that hands its outcome on to a callback (fastq's worker
    // promise, to its task's `worked`), from which one stuck promise's
    // resolve function is reached forward, too far for the search back.
    // Asked once per chain: here, and for the report's `reaching`.
    const handing: Array<boolean | undefined> = [];
    const hands = (k: number): boolean =>
      (handing[k] ??= handsOn(ix, chainNodes[k]));
    feeders.forEach((s, k) => {
      if (fedBy[k].length > 0 || !hands(k)) return;
      const found = handsToSubjects(
        ix,
        chainNodes[k],
        resolvers,
        subjects.indexOf(s),
      );
      if (found.length !== 1) return;
      fedBy[k] = found;
      reaching[k] = true;
    });
    // A chain whose promise's resolve function an async function suspended
    // at an `await` keeps (p-queue's `add()`, whose task's `run()` awaits a
    // task that never settles), and whose continuation reaches one stuck
    // promise the Root waits on (`onIdle()`'s): both wait on that `await`.
    const unawaited = new Set(feeders.map(s => subjects.indexOf(s)));
    feeders.forEach((s, k) => {
      if (fedBy[k].length > 0) return;
      const found = resumesToSubjects(ix, subjects.indexOf(s), resolvers, i =>
        unawaited.has(i),
      );
      if (found.length !== 1) return;
      fedBy[k] = found;
      reaching[k] = true;
    });
    // A chain nobody awaits whose resolve function a pool keeps by other
    // means than the queue another stuck promise waits in under it (tinypool's
    // dropped task on the pool's one thread, the awaited one queued): the
    // queued one waits on it (running-ahead.ts).
    feeders.forEach((s, k) => {
      if (fedBy[k].length > 0) return;
      const r = subjects.indexOf(s);
      const found = subjects.flatMap((_, i) =>
        i !== r && !unawaited.has(i) && runningAhead(cx, kept, near, i, r)
          ? [i]
          : [],
      );
      if (found.length !== 1) return;
      fedBy[k] = found;
      reaching[k] = true;
    });
    // A subject inside another's branch: drawn under it, or a promise whose
    // branch feeds it (found just above). Two leaves of one promise (two
    // branches wait on it): what feeds one feeds the other.
    const inside = (inner: number, outer: number): boolean =>
      probe.subjects[inner] === probe.subjects[outer] ||
      within(subjects[inner].leaf, subjects[outer].leaf) ||
      feeders.some((s, k) => s === subjects[inner] && fedBy[k].includes(outer));
    const handleNode = (k: number): number =>
      probe.subjects[subjects.length + k];
    const handleFeeds = feedsOf(
      cx,
      kept,
      handles.map((h, k) => ({
        node: handleNode(k),
        traced: !h.leaf.detached,
        kind: h.leaf.kind,
      })),
      inside,
      (k, i) => within(subjects[i].leaf, handles[k].leaf),
      near,
      found => hostOf(found.map(i => subjects[i].leaf)) !== undefined,
    );
    const fed = handleFeeds.map(f => f.subject);
    handleFeeds.forEach((f, k) => {
      if (f.lent !== undefined) handles[k].leaf.lent = f.lent;
    });
    const guarding: WakerReport['guards'] = [];
    const drawn: Array<{waiting: Leaf; node: number}> = [];
    for (const q of guards) {
      const promise = probe.subjects[at++];
      const timers = q.timers.map(() => probe.subjects[at++]);
      const beside = q.beside.map(() => probe.subjects[at++]);
      for (const _ of q.drawn ?? [])
        drawn.push({waiting: q.waiting, node: probe.subjects[at++]});
      if (promise === -1) continue;
      // What the search named keeping its resolve function, when it was
      // also a subject (the wait's own promise, as it most often is).
      const subject = probe.subjects.indexOf(promise);
      const holders =
        subject !== -1 && subject < subjects.length
          ? (kept[subject] ?? [])
          : [];
      const answers = guardsOf(
        cx,
        ix.resolversOf(promise),
        timers,
        holders,
        beside,
      );
      // Timers alone under it: timeouts on its wait only if something else
      // keeps its resolve function, its waker (heldElsewhere).
      if (q.alone === true && !heldElsewhere(cx, promise, q, answers)) continue;
      answers.forEach((yes, k) => {
        if (yes) guarding.push({timer: q.timers[k].leaf, promise: q.waiting});
      });
    }
    for (const {timer, subject} of fedTimeouts(
      cx,
      handles.map((h, k) => ({leaf: h.leaf, node: handleNode(k)})),
      fed,
      resolvers,
      kept,
    ))
      guarding.push({timer, promise: subjects[subject].leaf});
    watch.lap('search');
    return {
      found,
      orphaned,
      feeds: [
        ...feedPairs(handleFeeds, handles, subjects),
        ...feeders.flatMap((s, k) =>
          fedBy[k].map(i => ({handle: s.leaf, promise: subjects[i].leaf})),
        ),
      ],
      generators,
      guards: guarding,
      // A timer's node follows the resolve functions among what the search
      // named keeping its subject (waker-of.ts).
      sameTimer: sameTimerGroups(
        subjects,
        i => kept[i]?.find(n => !(resolvers[i] ?? []).includes(n)) ?? -1,
        drawn,
      ),
      reaching: feeders
        .filter((_, k) => reaching[k] || hands(k))
        .map(s => s.leaf),
      nodes: probe.graph.nodeCount,
      ms: Math.round(now() - started),
      phases: watch.phases,
    };
  } finally {
    probe.close();
  }
}
