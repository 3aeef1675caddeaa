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
 * This module is the search (nearest.ts: from an object to what keeps it);
 * heap-index.ts indexes the snapshot, state.ts reads live objects,
 * recognise.ts and the recognisers (timers.ts, events.ts, streams.ts,
 * objects.ts) name holders, locks.ts and branches.ts find who holds a lock,
 * words.ts says it all. Only names are read from the heap (classes,
 * properties, variables, event names); never a value of the program.
 */
import {now} from '../clock';
import type {Waker} from '../types';
import {probeHeap} from '../heap';
import {Stopwatch} from '../stopwatch';
import {type Chain, HeapIndex, IDENTIFIER} from './heap-index';
import type {Recognised, WakerContext} from './context';
import {StateReader} from './state';
import {nearestHolder} from './nearest';
import {findHolders} from './locks';
import {scopeHolder} from './scopes';
import {placeUpTo} from './further';
import {type SuspendedGenerator, suspendedGenerator} from './generators';
import {feedPairs, feedsOf} from './feeds';
import {nativeHeld} from './native-held';
import {pipedFrom} from './streams';
import {agentSocketsFor} from './agent-sockets';
import {followedPromise} from './follows';
import {promiseFeedsOf, within} from './promise-feeds';
import {fedTimeouts, guardsOf} from './guards';
import type {WakerOptions, WakerReport, WakerSubject} from './types';
import {fetchWaker} from './event-words';
import {
  ONLY_REJECT,
  UNREACHED,
  ORPHANED,
  asReject,
  followsWaker,
  itselfKept,
  keptUnnamed,
} from './words';

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
  const probe = probeHeap(
    [
      ...subjects.map(s => s.promise),
      ...handles.map(h => h.handle),
      ...chains,
      ...guards.flatMap(q => [
        q.promise,
        ...q.timers.map(t => t.handle),
        ...q.beside.map(b => b.handle),
      ]),
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
      ...guards.flatMap(q => [q.timers, q.beside]),
      ...guards.flatMap(q => [...q.timers, ...q.beside]),
      ...options.exclude,
    ],
    watch,
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
    const resolvers: Array<number[] | undefined> = [];
    const generators: WakerReport['generators'] = [];
    subjects.forEach((s, i) => {
      const node = probe.subjects[i];
      if (node === -1) return;
      resolvers[i] = ix.resolversOf(node);
      const {waker, chain, queue, holders, generator} = wakerOf(cx, node, s);
      locks[i] = chain;
      queues[i] = queue;
      kept[i] = holders;
      if (generator !== undefined)
        generators.push({
          promise: s.leaf,
          frame: generator.frame,
          yields: generator.yields,
        });
      if (waker === undefined) return;
      s.leaf.waker = waker;
      found++;
      if (waker.kind === 'none') orphaned++;
    });
    findHolders(cx, subjects, locks, queues);
    let at = subjects.length + handles.length;
    const chainNodes = feeders.map(s =>
      (s.feeds ?? []).map(() => probe.subjects[at++]),
    );
    const fedBy = promiseFeedsOf(
      cx,
      resolvers,
      chainNodes,
      feeders.map(s => subjects.indexOf(s)),
      subjects.map(s => s.leaf),
    );
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
      handles.map((h, k) => ({node: handleNode(k), traced: !h.leaf.detached})),
      inside,
      (k, i) => within(subjects[i].leaf, handles[k].leaf),
    );
    const fed = handleFeeds.map(f => f.subject);
    const guarding: WakerReport['guards'] = [];
    for (const q of guards) {
      const promise = probe.subjects[at++];
      const timers = q.timers.map(() => probe.subjects[at++]);
      const beside = q.beside.map(() => probe.subjects[at++]);
      if (promise === -1) continue;
      // What the search named keeping its resolve function, when it was
      // also a subject (the wait's own promise, as it most often is).
      const subject = probe.subjects.indexOf(promise);
      const holders =
        subject !== -1 && subject < subjects.length
          ? (kept[subject] ?? [])
          : [];
      guardsOf(cx, ix.resolversOf(promise), timers, holders, beside).forEach(
        (yes, k) => {
          if (yes) guarding.push({timer: q.timers[k].leaf, promise: q.waiting});
        },
      );
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
      nodes: probe.graph.nodeCount,
      ms: Math.round(now() - started),
      phases: watch.phases,
    };
  } finally {
    probe.close();
  }
}

/** A waker, and the objects that keep the resolve function (for locks). */
interface Described {
  waker?: Waker;
  /**
   * The objects of the program keeping it, nearest first (a lock, its
   * owner).
   */
  chain?: number[];
  /** The references from its resolve function up to the lock (locks.ts). */
  queue?: Chain;
  /**
   * The resolve and reject functions, and the holders named on the way up
   * (for feeds.ts).
   */
  holders?: number[];
  /** The generator a runner drives, in whose runner's scope it is kept. */
  generator?: SuspendedGenerator;
}

/** How many promises a search follows through adoptions. */
const ADOPTIONS = 3;

/**
 * The waker of the promise at `node`. Orphaned only when its resolve and
 * reject functions are gone: kept only by objects the program no longer
 * reaches (the hung test's own, after a timeout) is not orphaned, and is
 * described as any other.
 */
function wakerOf(
  cx: WakerContext,
  node: number,
  subject: WakerSubject,
  depth = 0,
): Described {
  const {ix} = cx;
  const fns = ix.resolversOf(node);
  const followed = followedPromise(cx, node, fns, subject.constructed);
  if (followed !== undefined) {
    const inner =
      followed.promise !== null && depth < ADOPTIONS
        ? wakerOf(
            cx,
            followed.promise,
            {...subject, constructed: false},
            depth + 1,
          )
        : {};
    return {waker: followsWaker(followed.how, inner.waker)};
  }
  if (fns.length === 0) {
    // A `new Promise` always had them: garbage collected, nothing can call
    // them any more.
    if (!subject.constructed) return {};
    return {waker: {...ORPHANED}};
  }
  // The resolve function says more than the reject one (events.once's 'error'
  // listener keeps only reject); one the roots reach says what can still call
  // it.
  const order = (f: number): number =>
    (ix.rooted[f] === 1 ? 0 : 2) + (ix.isResolve(f) ? 0 : 1);
  const ranked = [...fns].sort((a, b) => order(a) - order(b));
  let found: Described = {};
  for (const f of ranked) {
    found = describe(cx, f, subject);
    if (found.waker !== undefined) break;
  }
  const fetched =
    found.waker === undefined
      ? undefined
      : fetchWaker(subject.leaf.what, found.waker);
  if (fetched !== undefined) found.waker = fetched;
  // Kept by nothing the program can reach or run (only by the recorder's
  // captured stacks, which are ours): its resolve function was dropped.
  const waits = subject.leaf.waiting === true;
  if (!found.waker && !waits && subject.constructed && !ix.reachable(fns))
    return {waker: {...ORPHANED}};
  // A promise that waits on what the dump shows below it already says so.
  if (found.waker === undefined && subject.leaf.waiting !== true) {
    // Kept, but by nothing with a name (a plain object in a local of running
    // code): say so, so that it does not read as if it was not looked for.
    const f = ranked[0];
    const by = [
      ...new Set(
        [...ix.retainersOf(f)]
          .filter(r => !ix.skip(r.edge) && ix.probe.ours[r.from] !== 1)
          .map(r => ix.g.name(r.from))
          .filter(n => IDENTIFIER.test(n)),
      ),
    ].slice(0, 3);
    const which = ix.isResolve(f) ? 'resolve' : 'reject';
    found = {
      waker:
        scopeHolder(cx, f, which) ??
        nativeHeld(cx, f, which) ??
        keptUnnamed(by, which),
    };
  }
  if (found.waker !== undefined && !fns.some(f => ix.isResolve(f)))
    found.waker.what += ONLY_REJECT;
  // What the garbage collector's roots do not reach, no code that runs can:
  // said after what keeps it (the hung test's own objects, unreachable from
  // outside after a timeout, are still what it waits for).
  if (found.waker !== undefined && !fns.some(f => ix.rooted[f] === 1))
    found.waker.what += UNREACHED;
  found.holders = [...fns, ...(found.holders ?? [])];
  return found;
}

function describe(
  cx: WakerContext,
  fn: number,
  subject: WakerSubject,
): Described {
  const first = nearestHolder(cx, fn, subject);
  if (first === undefined) return {};
  if (!cx.ix.isResolve(fn)) first.waker = asReject(first.waker);
  const generator = suspendedGenerator(cx, first.chain);
  const suspended = generator?.text ?? '';
  const gen = generator !== undefined ? {generator} : {};
  if (first.waker.kind !== 'object') {
    first.waker.what += suspended;
    // What it waits on too: streams piped into it, an Agent's sockets.
    const also =
      first.waker.kind === 'stream'
        ? pipedFrom(cx, first.node)
        : first.waker.kind === 'event'
          ? agentSocketsFor(cx, first.node)
          : [];
    return {waker: first.waker, holders: [first.node, ...also], ...gen};
  }
  // A deferred, or a lock: what keeps that says more (the module, the
  // emitter, the queue), and the objects on the way are what a holder of the
  // lock refers to.
  const chain = [first.node];
  const holders = [first.node];
  const above: Recognised[] = [];
  for (let at = first.node; chain.length < CHAIN;) {
    const next = nearestHolder(cx, at, subject, new Set(chain));
    if (next === undefined) break;
    above.push(next);
    holders.push(next.node);
    if (next.waker.kind !== 'object') break;
    chain.push(next.node);
    at = next.node;
  }
  const further = above.slice(1).filter(h => h.waker.kind === 'object');
  let top = further.at(-1)?.place;
  // Objects all the way up (a library's subscribers, each kept by the next):
  // what keeps them, past any number of objects, is where the program keeps
  // them (a module's variable, a timer).
  if (above.at(-1)?.waker.kind === 'object') {
    const root = nearestHolder(cx, first.node, subject, undefined, true);
    if (root !== undefined) top = placeUpTo(cx, root.chain, root.place);
  }
  // A place found again further up (a chain of objects of one class, each
  // kept at the same index of the next) says nothing more: what keeps it
  // does.
  const again = above[0]?.place;
  if (top !== undefined && again !== undefined && top.startsWith(again)) {
    const rest = top.slice(again.length);
    top = rest.startsWith(', itself kept ')
      ? rest.slice(', itself kept '.length)
      : undefined;
  }
  if (above.length > 0) first.waker.what += itselfKept(above[0].place, top);
  first.waker.what += suspended;
  return {
    waker: first.waker,
    chain,
    queue: first.chain,
    holders,
    ...gen,
  };
}

/** How many objects up from a resolve function a search names and follows. */
const CHAIN = 6;
