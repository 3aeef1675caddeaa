/**
 * A branch that ended in a callback, continued through what ran it: a timer,
 * a socket or a request of Node's callback APIs (fs, connect, DNS) of the
 * Root (where it was made), a promise of the Root whose reaction the callback
 * was (a `.then` callback, an `await` resumed, the `then` of a thenable, a
 * promise being resolved), or another Root's or an ended file's work.
 */
import {
  type Capture,
  Stamp,
  handleRootOf,
  requestApi,
  requestMadeAt,
  requestMadeOutside,
  requestWithAsyncId,
} from '../record';
import {file, isNode, name} from '../stack/sites';
import {isOwn} from '../machinery';
import {isYieldedCall} from '../stack/downlevel';
import type {Frame} from '../types';
import {type FunctionStart, viaEventFrame, viaFrame} from '../dump/frames';
import {ownerOf, triggerIdOf} from '../node-symbols';
import {contextLeftByEarlierFile, ledgerIndex} from '../leftovers';
import {type EntryIndex, entryOfContext} from '../ledger-chains';
import type {WaitGraph} from './graph';
import {
  type Branch,
  type WalkOptions,
  below,
  isProgramSite,
  findLastIndex,
  isTimerObject,
  timerApi,
} from './branch';
import type {Walker} from './walk';

/** Continues branches through callbacks (see the module comment). */
export class Contexts {
  /** The file's ledger, indexed once a dump (null: none open). */
  private ledger: EntryIndex | null | undefined;

  constructor(
    private readonly w: Walker,
    private readonly g: WaitGraph,
    private readonly opts: WalkOptions,
  ) {}

  /** How many {@link through}s are under way, one inside another. */
  private depth = 0;

  /**
   * A branch that ended in a callback, continued through what ran it: a timer
   * or a socket of the Root, a `.then` of a promise of the Root. A loop of
   * callbacks each made by the one before (a client reconnecting every few
   * milliseconds: hundreds of rounds in one test) is followed round by round,
   * one walk inside another, to {@link MAX_NEST} rounds; past them, on
   * through the timers and handles that made one another to the first round,
   * whose own walk goes on from there (the rounds between are the same code:
   * a loop's path is drawn to its first pass anyway, dump/retry.ts).
   */
  through(
    c: Capture,
    path: Frame[],
    ctx = c.context,
    callback?: FunctionStart,
  ): Branch[] {
    this.depth++;
    try {
      if (this.depth > MAX_NEST) {
        const first = this.firstRound(c, ctx);
        if (first !== undefined)
          return this.w.stack.walk(first, 1).map(b => below(b, path));
      }
      return this.throughOnce(c, path, ctx, callback);
    } finally {
      this.depth--;
    }
  }

  /**
   * The first of a chain of the Root's timers, handles and callback requests
   * each made in the callback of the one before (through the ticks they
   * queued), back from `ctx` (undefined: `ctx` is none).
   */
  private firstRound(c: Capture, ctx: object | undefined): Capture | undefined {
    let first: Capture | undefined;
    let at = ctx;
    for (let hops = 0; at !== undefined && hops < MAX_ROUNDS; hops++) {
      const made =
        this.g.timers.get(at) ??
        this.g.handleAt(at)?.record.capture ??
        this.requestAt(at)?.capture;
      if (made === c) break;
      if (made === undefined) {
        // A `process.nextTick` callback: on through what queued it.
        const trigger = triggerIdOf(at);
        const by =
          trigger === undefined
            ? undefined
            : (this.g.byAsyncId(trigger) ?? requestWithAsyncId(trigger));
        if (by === undefined || by === at) break;
        at = by;
        continue;
      }
      first = made;
      at = made.context;
    }
    return first;
  }

  private throughOnce(
    c: Capture,
    path: Frame[],
    ctx: object | undefined,
    callback?: FunctionStart,
  ): Branch[] {
    if (ctx === undefined) return [{path, reach: 'detached'}];
    const timer = this.g.timers.get(ctx);
    if (timer !== undefined && timer !== c)
      return this.throughMaker(timer, `${timerApi(ctx)} callback`, path);
    if (isTimerObject(ctx)) return [{path, reach: 'foreign'}];
    const request = this.requestAt(ctx);
    if (request !== undefined && request.capture !== c)
      return this.throughMaker(
        request.capture,
        `${request.api} callback`,
        path,
      );
    // A request made while no Root was active (in an earlier test's timer's
    // callback, between tests): on through what it was made in.
    const outside = request === undefined ? requestMadeOutside(ctx) : undefined;
    if (outside !== undefined && outside !== ctx)
      return this.through(c, path, outside, callback);
    // A native handle is the context of its socket's callbacks, and stays so
    // after the socket let go of it (its 'close').
    const owner = ownerOf(ctx);
    const io = this.g.handleAt(ctx)?.record;
    // A handle another Root recorded: work an earlier test left running (a
    // client reconnecting from its socket's 'close').
    if (io === undefined && handleRootOf(owner ?? ctx) !== undefined)
      return [{path, reach: 'foreign'}];
    if (io !== undefined && io.capture !== c) {
      return this.w.stack
        .walk(io.capture, 1)
        .map(b =>
          below(b, [
            viaEventFrame(
              b.path[b.path.length - 1],
              `${io.kind} event`,
              callback,
            ),
            ...path,
          ]),
        );
    }
    // A `process.nextTick` callback (a TickObject, which nothing records): on
    // through the timer or socket of the Root whose callback made it.
    const trigger = io === undefined ? triggerIdOf(ctx) : undefined;
    const made =
      trigger === undefined
        ? undefined
        : (this.g.byAsyncId(trigger) ?? requestWithAsyncId(trigger));
    if (made !== undefined && made !== ctx)
      return this.through(c, path, made, callback);
    if (io === undefined) {
      // A timer or handle of the file's ledger: another Root's, an earlier
      // file's, or one made between tests (on through what made it).
      this.ledger ??= ledgerIndex() ?? null;
      const entry =
        this.ledger === null ? undefined : entryOfContext(ctx, this.ledger);
      if (
        (entry?.root != null && !this.g.ours(entry.root)) ||
        contextLeftByEarlierFile(ctx)
      )
        return [{path, reach: 'foreign'}];
      if (
        entry?.root === null &&
        entry.context !== undefined &&
        entry.context !== ctx
      )
        return this.through(c, path, entry.context, callback);
    }
    const p = this.g.promiseContext(ctx);
    if (p === undefined || p === c) {
      // A promise of another Root: work an earlier test left running.
      const other = Stamp.capture(ctx);
      if (other !== undefined && other !== c) return [{path, reach: 'foreign'}];
      // A callback of a connection a server of this process accepted.
      return [
        acceptedSocket(owner)
          ? {path, reach: 'detached', connection: owner!}
          : {path, reach: 'detached'},
      ];
    }
    if (p.awaits === undefined) {
      // A promise being resolved (a job of V8's for an async function that
      // returned a promise): what waits on it waits on this.
      return this.w.up(p).map(b => below(b, path));
    }
    switch (this.g.waitKind(p)) {
      case 'then':
        return this.throughThen(p, path);
      case 'wrapper':
        // The `then` of a thenable an async function awaits.
        return this.w.stack
          .walk(p, 0)
          .map(b =>
            below(b, [
              viaFrame(b.path[b.path.length - 1], 'then of a thenable'),
              ...path,
            ]),
          );
      default: {
        // Made in the run resumed from an `await`, by frames that do not
        // show the function (Node's, or a stack cut short): the function
        // waits where that run is suspended now, not at `p`, which is over.
        const now =
          path.length === 0 && this.g.waitKind(p) === 'await'
            ? this.g.laterAwait(p)
            : undefined;
        return this.w.upWait(now ?? p).map(b => below(b, path));
      }
    }
  }

  /**
   * A callback's branch, continued through what made the timer or request
   * that ran it (`made`), with a frame that says so (`setTimeout callback`).
   */
  private throughMaker(made: Capture, via: string, path: Frame[]): Branch[] {
    return this.w.stack.walk(made, 1).map(b => {
      const setter = b.path[b.path.length - 1];
      // The setter's own frame adds nothing when it is an anonymous function
      // at the same place.
      const parent =
        setter !== undefined && setter.name === '<anonymous>'
          ? {...b, path: b.path.slice(0, -1)}
          : b;
      return below(parent, [viaFrame(setter, via), ...path]);
    });
  }

  /**
   * The request of Node's callback APIs (fs, connect, DNS) whose callback
   * ran with `ctx`, made under the Root: the first of a chain of requests
   * each made in the one before's callback (`readFile`'s open, read and
   * close) that the program made, with the API it called (`fs.readFile`).
   */
  private requestAt(ctx: object): {capture: Capture; api: string} | undefined {
    let at = ctx;
    let request = requestMadeAt(at);
    for (let hops = 0; request !== undefined && hops < 16; hops++) {
      if (!this.g.ours(request.owner)) return undefined;
      // Node's frames, then the program's frame that called them.
      const sites = this.g.sites(request);
      const node = sites.findIndex(s => isNode(s));
      const mine =
        node === -1
          ? -1
          : sites.findIndex((s, k) => k > node && isProgramSite(s, this.opts));
      if (mine !== -1)
        return {capture: request, api: requestApi(at, name(sites[mine - 1]))};
      const before: Capture | undefined =
        request.context === undefined
          ? undefined
          : requestMadeAt(request.context);
      if (before === undefined)
        return {capture: request, api: requestApi(at, '')};
      at = request.context!;
      request = before;
    }
    return undefined;
  }

  /** A branch made in the callback of `p`'s `.then`. */
  private throughThen(p: Capture, path: Frame[]): Branch[] {
    return this.w.up(p).map(b => {
      // A down-levelled async function resumed by its helper's `.then`: it
      // is the function of the parent's path with the same generator, now at
      // a later `yield`.
      const gen = path[0] !== undefined ? this.w.genOf.get(path[0]) : undefined;
      let same =
        gen === undefined
          ? -1
          : findLastIndex(b.path, f => this.w.genOf.get(f) === gen);
      // Or the call whose helper made `p` after the body yielded (an `await`
      // of a settled promise or a plain value), its body not on the stack.
      const last = b.path.length - 1;
      if (
        same < 0 &&
        gen !== undefined &&
        isYieldedCall(this.w.genOf.get(b.path[last]))
      )
        same = last;
      if (same >= 0) {
        // At its later `yield`, as what the call was to its caller (a
        // combinator's input, not awaited).
        const call = b.path[same];
        const resumed: Frame = {...path[0], name: call.name};
        if (call.combinator !== undefined) resumed.combinator = call.combinator;
        if (call.notAwaited === true) resumed.notAwaited = true;
        this.w.genOf.set(resumed, gen!);
        return {
          path: [...b.path.slice(0, same), resumed, ...path.slice(1)],
          reach: b.reach,
          ...(b.connection === undefined ? {} : {connection: b.connection}),
          ...(b.cut === undefined ? {} : {cut: b.cut}),
        };
      }
      // A `.then` of Node's own (web streams pulling a source, undici
      // reading a body): not the program's, no frame of it to show.
      if (this.thenOfNode(p)) return below(b, path);
      return below(b, [
        viaFrame(b.path[b.path.length - 1], '.then callback'),
        ...path,
      ]);
    });
  }

  /** Whether Node's code (not the program's) called the `.then` of `p`. */
  private thenOfNode(p: Capture): boolean {
    const first = this.g
      .sites(p)
      .find(s => file(s) !== null && !isOwn(file(s)!));
    return first !== undefined && isNode(first);
  }
}

/** Whether `o` is a socket a server accepted (Node sets its `server`). */
function acceptedSocket(o: object | undefined): boolean {
  const server = (o as {server?: unknown} | undefined)?.server;
  return typeof server === 'object' && server !== null;
}

/** Rounds of a loop of callbacks followed one walk inside another, at most. */
const MAX_NEST = 100;

/** Rounds skipped back to a loop's first, at most. */
const MAX_ROUNDS = 100_000;
