/**
 * The leaves of a dump: what never settled, each with the branches that wait
 * on it. A pending `new Promise` (or Node's own, `events.once()`), a timer, a
 * socket, server or child process, a promise made outside the Root and
 * awaited in it. Async calls, combinators and `.then()` chains are never
 * leaves: they are the branches above them.
 */
import {describeHandle, transportUnder} from '../handles';
import {noteConnectionWork} from './connection-work';
import {outlivingHandles, plainClient} from './outliving';
import {type Capture, AMBIENT, isTimerPending} from '../record';
import {
  file,
  isNode,
  isPromiseConstructor,
  name,
  originOf,
} from '../stack/sites';
import type {Leaf, LeafKind} from '../types';
import type {Frame} from '../types';
import type {WaitGraph} from '../graph/graph';
import {type Branch, type Walker} from '../graph/walk';
import {type Chain, chainOf} from '../graph/chain';
import {
  type RootWord,
  THENABLE_WHAT,
  awaitedWhat,
  promiseWhat,
  subclassWhat,
} from '../words';
import type {FrameMaker} from './frames';
import type {DumpContext} from './context';
import {isPending} from './pending';
import {thenableWaits} from './thenables';
import {Retries, firstPass} from './retry';
import {oneRun} from './callback-loop';
import type {LeafSource} from './sources';
import {nativeMade} from './native-made';
import {type InFlight, attemptsInFlight, markInFlight} from './in-flight';
import {FetchJoin} from './fetch-join';
import {noteRaceInput} from './race-exits';
import {undiciPackageOrigin} from './fetch-sockets';
import {markSameWait, markShared} from '../inputs';

export type {HandleSource, LeafSource, PromiseSource} from './sources';

import {type Made, TimerMade} from './timer-made';
import {CreatedAt, madeOnPath} from './created-at';
import {endedFileWork} from '../realms';

/** Makes the leaves of one dump (see the module comment). */
export class LeafMaker {
  readonly leaves: Leaf[] = [];
  /** The timer or handle behind each timer, socket, server... leaf. */
  readonly handleOf = new Map<Leaf, object>();
  /**
   * Worker threads another Root started, for the waker search only (see
   * {@link handles}).
   */
  readonly earlier = new Set<Leaf>();
  /** Timer leaves by where they were set (see {@link promises}). */
  private readonly timersAt = new Map<string, Leaf[]>();
  /** Where each capture was made, as said on its leaf. */
  readonly createdAt: CreatedAt;
  readonly rootWord: RootWord;
  private readonly retries: Retries;
  private readonly timerMade: TimerMade;
  private readonly fetches: FetchJoin;

  constructor(
    private readonly g: WaitGraph,
    private readonly walker: Walker,
    private readonly frames: FrameMaker,
    private readonly ctx: DumpContext,
    private readonly startedAt: number,
    private readonly sources: Map<Leaf, LeafSource> | undefined,
  ) {
    this.rootWord =
      ctx.rootType === 'test'
        ? 'test'
        : ctx.rootType === 'traced'
          ? 'call'
          : 'hook';
    this.retries = new Retries(g, frames, ctx);
    this.timerMade = new TimerMade(g, walker, ctx, this.retries, this.rootWord);
    this.fetches = new FetchJoin(c => g.sites(c), frames);
    this.createdAt = new CreatedAt(g, frames, ctx);
  }

  /**
   * A leaf for each branch of `c` that reaches something worth showing; with
   * `foreign`, one another Root's work made too (a socket a hook opened).
   */
  private add(
    c: Capture,
    branches: readonly Branch[],
    made: Made,
    madeBy: Capture | null,
    foreign = false,
  ): Leaf[] {
    const out: Leaf[] = [];
    for (const b of branches) {
      const createdAt = madeBy === null ? null : this.createdAt.of(madeBy, b);
      if (b.reach === 'machinery' || (b.reach === 'foreign' && !foreign))
        continue;
      if (b.path.length === 0 && b.reach !== 'root') continue;
      const leaf: Leaf = {
        kind: made.kind,
        what: made.what,
        ...(made.timer ? {timer: made.timer} : {}),
        ...(made.busy ? {busy: true} : {}),
        ...(made.inert ? {inert: true} : {}),
        ...(made.loop ? {loop: made.loop} : {}),
        ...(made.waiting ? {waiting: true} : {}),
        path: b.path as Frame[],
        createdAt: madeOnPath(made.kind, createdAt, b.path),
        ageMs: Math.round(c.at - this.startedAt),
        detached: b.reach !== 'root',
        ...(b.cut !== undefined && b.reach !== 'root' ? {cut: b.cut} : {}),
        ...(b.input !== undefined ? {input: b.input} : {}),
      };
      if (b.connection !== undefined) noteConnectionWork(leaf, b.connection);
      this.leaves.push(leaf);
      out.push(leaf);
    }
    if (made.kind === 'promise') markSameWait(out);
    markShared(out, c.seq);
    return out;
  }

  /**
   * Where retry loops await an attempt in flight, read with the timers
   * (while what settled promises hold can be read).
   */
  private inFlight: InFlight[] = [];

  /** Pending timers and immediates. */
  timers(): void {
    this.inFlight = attemptsInFlight(this.g, this.retries, this.frames, c =>
      this.timerMade.firedBefore(c),
    );
    for (const [timer, c] of this.g.timers) {
      if (!isTimerPending(timer)) continue;
      const made = this.timerMade.of(timer, c);
      if (made === null) continue;
      const branches = this.walker.walk(c, 1);
      // An ended file's timer (its callback that file's code), not traced
      // here: what that file left running, however its chain reached here.
      if (endedFileWork(timer) && branches.every(b => b.reach !== 'root'))
        continue;
      const leaves = this.add(c, branches, made, c);
      for (const leaf of leaves) this.handleOf.set(leaf, timer);
      // A retry loop of callbacks goes back through every attempt: once.
      if (made.retry === true)
        for (const l of leaves) l.path = firstPass(l.path);
      const again = made.again;
      if (again !== undefined)
        for (const l of leaves) l.path = oneRun(l.path, again);
      const at = leaves[0]?.createdAt ?? null;
      if (at === null || leaves.length === 0) continue;
      const k = key(at);
      const list = this.timersAt.get(k);
      if (list === undefined) this.timersAt.set(k, [...leaves]);
      else list.push(...leaves);
    }
  }

  /** Says, on the leaves' paths, where a loop awaits an attempt in flight. */
  markAttempts(): void {
    markInFlight(this.leaves, this.inFlight);
  }

  /** Releases what the dump read of the program (an inspector session). */
  close(): void {
    this.retries.close();
  }

  /**
   * Open sockets, servers, child processes and worker threads. For a dump
   * with a waker search, also those another Root opened that this one may
   * wait on (outliving.ts), as {@link earlier} leaves: the search asks
   * whether they feed a stuck promise, and those that feed none are taken
   * out of the dump after it.
   */
  handles(): void {
    const earlier =
      this.sources === undefined
        ? []
        : outlivingHandles(this.g.family, this.rootWord, this.ctx);
    const before = new Map(earlier.map(([h, , what]) => [h, what]));
    const all = [...this.g.handles, ...earlier];
    // A socket a TLS socket of the dump runs over (STARTTLS, `tls.connect({
    // socket })`): that TLS socket carries what waits on it.
    const carried = new Set(all.map(([h]) => transportUnder(h)));
    for (const [handle, {kind, capture}] of all) {
      if (carried.has(handle)) continue;
      const what = before.has(handle)
        ? before.get(handle)
        : describeHandle(kind, handle, this.ctx);
      if (what === null || what === undefined) continue;
      if (
        kind === 'socket' &&
        !before.has(handle) &&
        this.fetches.idle(handle, capture)
      )
        continue;
      const leaves = this.add(
        capture,
        this.walker.walk(capture, 1),
        {kind: kind as LeafKind, what},
        capture,
        before.has(handle) && kind === 'socket' && plainClient(handle),
      );
      for (const leaf of leaves) this.handleOf.set(leaf, handle);
      if (before.has(handle)) {
        for (const leaf of leaves) this.earlier.add(leaf);
        continue;
      }
      if (kind === 'socket')
        this.fetches.socket(handle, capture, leaves, {
          kind: 'socket',
          what,
          createdAt: null,
          ageMs: Math.round(capture.at - this.startedAt),
          detached: false,
        });
    }
  }

  /**
   * The socket of each pending `fetch()`, under it (after {@link promises}).
   */
  fetchSocket(): void {
    this.fetches.place(this.leaves, this.handleOf);
    if (this.sources === undefined) return;
    // undici's own promises no more drawn are nothing the search asks about
    // (a timer found feeding one would be drawn under a promise not drawn).
    const drawn = new Set(this.leaves);
    for (const l of [...this.sources.keys()])
      if (!drawn.has(l)) this.sources.delete(l);
  }

  /** Promises made outside the Root and awaited in it, still pending. */
  foreign(): void {
    for (const w of this.g.foreign) {
      // V8 never settles the promise an `await` makes: ask the awaited one.
      if (w.awaited === undefined || !isPending(w.awaited)) continue;
      const target = w.awaits ?? null;
      // Not recorded: made before the Root, unless the budget ran out in it.
      const where =
        target === null
          ? this.g.undercounted
            ? 'unknown'
            : 'unrecorded'
          : target.owner === AMBIENT
            ? 'outside'
            : 'other-root';
      const made = target === null ? null : this.made(target);
      // An empty path is the runner's own `await` of something of its own.
      const leaves = this.add(
        w,
        this.walker.up(w).filter(b => b.path.length > 0),
        {kind: 'promise', what: awaitedWhat(where, made, this.rootWord)},
        target,
      );
      for (const leaf of leaves)
        this.sources?.set(leaf, {
          promise: w.awaited,
          constructed:
            target !== null && isPromiseConstructor(this.g.sites(target)[0]),
        });
    }
  }

  /** Awaits of thenables that never called back (see thenables.ts). */
  thenables(): void {
    for (const t of thenableWaits(this.g, this.walker.subclasses())) {
      const what =
        t.subclass === undefined
          ? THENABLE_WHAT
          : subclassWhat(name(t.subclass) || '(anonymous class)');
      const leaves = this.add(
        t.wrapper,
        this.walker.upWait(t.wait),
        {kind: 'promise', what},
        null,
      );
      for (const leaf of leaves)
        this.sources?.set(leaf, {promise: t.promise, constructed: true});
    }
  }

  /** Who made a promise: Node's API, or a function of the program. */
  private made(c: Capture): {origin: string | null; fn: string | null} {
    const sites = this.g.sites(c);
    const top = sites[0];
    const fn =
      top !== undefined &&
      file(top) !== null &&
      !isNode(top) &&
      !isPromiseConstructor(top)
        ? name(top) || '<anonymous>'
        : null;
    return {origin: originOf(sites), fn};
  }

  /** Pending `new Promise`s, through what waits on them. */
  promises(): void {
    const {walker} = this;
    // Walked first: a leaf's executor work and adoptions are known once every
    // branch has been walked.
    const branches = this.g.leaves.map(c => walker.leafUp(c));
    this.g.leaves.forEach((c, i) => {
      if (walker.adopting.has(c)) return;
      let bs = branches[i];
      const createdAt = this.createdAt.of(c);
      // Nothing waits on it: not why anything hangs, unless a waiter may have
      // gone unrecorded.
      if (bs.length === 0) {
        if (!this.g.undercounted || walker.waiters.onlyNodes(c)) return;
        bs = walker.walk(c, 1);
      }
      const origin = this.createdAt.originOf(c);
      // `timers/promises` makes a promise and a Timeout at the same place: the
      // timer says more, and stands for it (as the same combinator input).
      if (origin?.includes('node:timers/promises') && createdAt !== null) {
        const timers = this.timersAt.get(key(createdAt));
        if (timers !== undefined) {
          // Where the combinator waits is where the timer is drawn.
          // (the input's index is the branch's, or its last frame's: the
          // program's frame that called Node's).
          bs.forEach((b, k) => {
            const t = timers[k];
            const input =
              b.input ?? b.path[b.path.length - 1]?.combinator ?? undefined;
            if (
              t !== undefined &&
              input !== undefined &&
              t.input === undefined
            ) {
              if (b.input !== undefined) t.input = b.input;
              t.path = [...b.path];
              t.detached = b.reach !== 'root';
            }
          });
          return;
        }
      }
      const named = origin ?? undiciPackageOrigin(this.g.sites(c)) ?? null;
      const made: Made = {kind: 'promise', what: promiseWhat(named)};
      if (walker.executorWork.has(c)) made.waiting = true;
      const native = nativeMade(this.g.sites(c)[0]);
      if (native !== undefined && origin === null && native.what !== undefined)
        made.what = native.what;
      const leaves = this.add(c, bs, made, c);
      noteRaceInput(this.g, walker.waiters.of(c), leaves);
      this.fetches.promise(c, leaves, made.what);
      // No resolve function of JavaScript settles it: nothing to search for.
      if (native !== undefined) {
        for (const leaf of leaves) leaf.waker = native.waker;
        return;
      }
      const promise = this.g.promiseOf.get(c);
      if (promise === undefined || this.sources === undefined) return;
      const chain = this.chainOf(c, leaves);
      for (const leaf of leaves)
        this.sources.set(leaf, {
          promise,
          constructed: true,
          ...(chain !== undefined
            ? {feeds: chain.promises, dropsThen: chain.dropsThen}
            : {}),
        });
    });
  }

  /**
   * The chain of a leaf nothing the Root runs waits on (detached, or every
   * end of its chain dropped), for the waker search to place it.
   */
  private chainOf(c: Capture, leaves: Leaf[]): Chain | undefined {
    if (leaves.length === 0) return undefined;
    const chain = chainOf(this.g, this.walker, c, this.ctx.testPath);
    return chain.unawaited || leaves.every(l => l.detached) ? chain : undefined;
  }
}

function key(f: Frame): string {
  return `${f.file}:${f.line}:${f.column}`;
}
