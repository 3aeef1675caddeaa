/**
 * Walking the wait graph from a node up to the Root.
 *
 * The branches of a pending promise are those of what waits on it: each
 * subscription says where it waits (its stack's top frame, the function at
 * its `await` or `.then` call), and the call that made it (see calls.ts)
 * says what waits in turn: that call's own promise, and so on up to the test
 * body, whose promise the runner awaits. A combinator's input continues
 * through the combinator, with its index; a promise adopted by another (a
 * `new Promise` resolved with it, an async function returning it) through the
 * one adopting it. Where a stack has no async function to go on from (plain
 * functions, a callback), its frames are read one by one, and where it ends
 * in a callback, the branch goes on through what ran the callback: the timer
 * or socket that was set, the `.then` whose callback it was.
 *
 * Branches are memoized by node: every leaf below one node shares its
 * branches, frame objects included (the tree merges them by identity first).
 */
import type {Capture} from '../record';
import {isSharedWithJest} from '../machinery';
import {isDownlevelWait} from '../stack/downlevel';
import {file, isNode, name} from '../stack/sites';
import type {Frame} from '../types';
import type {FrameMaker} from '../dump/frames';
import type {Calls} from './calls';
import type {WaitGraph} from './graph';
import {
  type Branch,
  type WalkOptions,
  below,
  generatorMarks,
  last,
  sameLine,
} from './branch';
import {Contexts} from './contexts';
import {StackWalk} from './stack-walk';
import {type SubclassInputs, subclassInputs} from './subclass-inputs';
import {Between} from './between';
import {Waiters} from './waiters';

export {below, timerApi, type Branch, type Reach} from './branch';

/** Most branches kept for one node (a promise awaited in many places). */
const MAX_BRANCHES = 16;

const MACHINERY: Branch[] = [{path: [], reach: 'machinery'}];

/** Walks one dump's wait graph (see the module comment). */
export class Walker {
  /** Leaves whose executor made something the dump shows below them. */
  readonly executorWork = new Set<Capture>();
  /** Promises that adopted another (resolved with a pending promise). */
  readonly adopting = new Set<Capture>();
  /** Down-levelled generator bodies' frames, by generator. */
  readonly genOf = generatorMarks;
  readonly stack: StackWalk;
  readonly between: Between;
  readonly contexts: Contexts;
  /** Which subscriptions wait on each promise (waiters.ts). */
  readonly waiters: Waiters;
  private readonly ups = new Map<Capture, Branch[]>();
  private readonly leafUps = new Map<Capture, Branch[]>();
  private readonly waitUps = new Map<Capture, Branch[]>();
  /** {@link subclassInputs}, made at the first question. */
  private subclassFound: SubclassInputs | undefined;

  constructor(
    private readonly g: WaitGraph,
    readonly calls: Calls,
    private readonly frames: FrameMaker,
    private readonly opts: WalkOptions,
  ) {
    this.stack = new StackWalk(this, g, calls, frames, opts);
    this.between = new Between(g, frames, opts);
    this.contexts = new Contexts(this, g, opts);
    this.waiters = new Waiters(g, () => this.stack.bodyKey(), opts.testPath);
  }

  /** A capture's stack walked towards the Root (see stack-walk.ts). */
  walk(c: Capture, from: number): Branch[] {
    return this.stack.walk(c, from);
  }

  /**
   * The ways a pending promise (the capture standing for it) is waited on,
   * up to the Root. A promise nothing waits on: where it was made, for a call
   * or a chain (`void work()`); nothing, for a `new Promise`.
   */
  up(p: Capture): Branch[] {
    let out = this.ups.get(p);
    if (out !== undefined) return out;
    this.ups.set(p, []); // a cycle (none is known) ends here
    if (p.awaits === undefined && this.madeByRunner(p)) {
      out = MACHINERY;
      this.ups.set(p, out);
      return out;
    }
    const end = this.runEnd(p);
    if (end !== p) {
      out = this.up(end);
      this.ups.set(p, out);
      return out;
    }
    const waiters = this.waiters.of(p);
    out = [];
    for (const w of waiters) {
      // The runner awaits what the Root's body returned: where the body made
      // it is where it waits.
      let ups: Branch[];
      if (this.isRunnerWait(w))
        ups = this.stack.walk(p, p.awaits !== undefined ? 0 : 1);
      else {
        const between = this.between.returnedBy(p, w);
        ups = this.upWait(w).map(b => below(b, between));
        // A subscription made over the capture budget has no stack: only the
        // callback it ran in, if any, says where it waits. Where that does not
        // lead to the Root, where it waits is unknown, which is no sign of a
        // chain broken by a callback.
        if (w.holder === null) ups = ups.filter(b => b.reach !== 'detached');
      }
      for (const b of ups) if (out.length < MAX_BRANCHES) out.push(b);
    }
    // Waiters not traced (see readWait): where it was made says what is known.
    if (out.length > 0) {
      // traced
    } else if (p.awaits !== undefined) out = this.upWait(p);
    else if (this.subclassInput(p) !== undefined)
      // A Promise subclass's instance, a combinator's input (the guess of
      // subclass-inputs.ts): where the wrapper V8 made of it waits.
      out = this.up(this.subclassInput(p)!);
    else if (this.g.creationKind(p) === 'new-promise' && waiters.length === 0)
      out = [];
    // Caught at once by what made it, and waited on no other way: its maker's
    // bookkeeping.
    else if (this.waiters.onlyBookkept(p)) out = [];
    else {
      out = this.stack.walk(p, 1);
      // A call nothing waits on (`void work()`), when every subscription was
      // recorded: its frame says so.
      const alone =
        waiters.length === 0 &&
        p.moreWaits === 0 &&
        (p.waits ?? []).every(w => w.settled) &&
        this.g.creationKind(p) === 'call';
      if (alone) out = out.map(b => ({...b, notAwaited: true}));
    }
    this.ups.set(p, out);
    return out;
  }

  /** The input wrapper a Promise subclass's instance is guessed adopted by. */
  subclassInput(p: Capture): Capture | undefined {
    return this.subclasses().adoptedBy.get(p);
  }

  /** What subclass-inputs.ts found in this graph. */
  subclasses(): SubclassInputs {
    return (this.subclassFound ??= subclassInputs(this.g));
  }

  /**
   * The branches of a `new Promise` leaf. One that is itself a combinator's
   * input hangs at the frame that made it (`[1] sleep`), where what its
   * executor started hangs too.
   */
  leafUp(leaf: Capture): Branch[] {
    let out = this.leafUps.get(leaf);
    if (out === undefined) {
      const sites = this.g.sites(leaf);
      // Node's own maker (`events.once`) is not shown: the program's frame
      // that called it is.
      let at = 1;
      while (sites[at] !== undefined && isNode(sites[at])) at++;
      const maker =
        sites[at] === undefined
          ? null
          : this.frames.frame(sites[at], name(sites[at]));
      out = this.up(leaf).map(b =>
        b.input !== undefined &&
        maker !== null &&
        !this.opts.isMachinery(file(sites[at]) ?? '')
          ? below(b, [maker])
          : b,
      );
      this.leafUps.set(leaf, out);
    }
    return out;
  }

  /** Whether the code that made a promise is the runner's (Jest's own). */
  madeByRunner(c: Capture): boolean {
    // An async function's own promise is made by the function (frame 0);
    // anything else by the frame below V8's or Node's.
    // A package Jest shares with programs (p-limit) is the runner's only
    // where the runner called it: its frames decide nothing.
    const from = this.g.creationKind(c) === 'call' ? 0 : 1;
    for (const s of this.g.sites(c).slice(from)) {
      const f = file(s);
      if (f === null || isNode(s) || isSharedWithJest(f)) continue;
      return this.opts.isRunner(f) || this.opts.isMachinery(f);
    }
    return false;
  }

  /** Where a subscription waits, up to the Root. */
  upWait(w: Capture): Branch[] {
    let out = this.waitUps.get(w);
    if (out !== undefined) return out;
    this.waitUps.set(w, []);
    out = this.readWait(w);
    this.waitUps.set(w, out);
    return out;
  }

  private readWait(w: Capture): Branch[] {
    switch (this.g.waitKind(w)) {
      case 'input': {
        const found = this.g.combinatorOf(w);
        if (found === undefined) return [];
        const input = {
          name: found.name,
          index: w.subAt - found.comb.subAt - 1,
        };
        return this.up(found.comb).map(b =>
          b.input === undefined
            ? {...b, input}
            : // A combinator that is itself an input: a frame of its own.
              {
                ...below(b, [this.combinatorFrame(found.comb, found.name)]),
                input,
              },
        );
      }
      case 'adopt': {
        // Without Node's promise contexts (no async hook tracks promises) the
        // promise adopting it is unknown: the target's own stack says more.
        const by = this.g.promiseContext(w.context);
        // Made in the call's own run, its promise handed back: Node's
        // `fetch()` under Jest's vm realm (its promise, another realm's, is
        // the one the program holds), where what waits on it waits.
        if (by === undefined)
          return this.waiters.of(w).length > 0 ? this.up(w) : [];
        this.adopting.add(by);
        if (by.awaits !== undefined) {
          // A `.then` callback returned it: the callback's frames that made
          // it are below the chain.
          const made = w.awaits;
          const frames =
            made != null &&
            made.awaits === undefined &&
            made.context === by.self
              ? this.between.callbackFrames(made)
              : [];
          // Or the run of an async function resumed from its `await` `by`,
          // in which an async function it called returned it (`return
          // fetch()` in a library): what waits is where that run is
          // suspended now, not `by`, which is over.
          const later =
            this.g.waitKind(by) === 'await' ? this.g.laterAwait(by) : undefined;
          if (later !== undefined)
            return this.upWait(later).map(b =>
              below(
                b,
                frames.length > 0 && sameLine(last(b), frames[0])
                  ? frames.slice(1)
                  : frames,
              ),
            );
          return this.up(by).map(b => below(b, frames));
        }
        // Made in the run of the call that returned it: its own stack goes
        // up through that call.
        // A call of the program's (Node's own, `events.once`, is not shown).
        if (this.g.creationKind(by) !== 'call') return this.up(by);
        const made = w.awaits;
        if (
          made != null &&
          made.awaits === undefined &&
          made.context === by.context &&
          // After the call began: not a promise an earlier call made (a
          // memoizer's cached promise, returned by a second call).
          made.seq > by.seq
        )
          return this.stack.walk(made, 1);
        // An async function that returned it (`return fetch()`): shown.
        const fn = this.g.sites(by)[0];
        const frame = fn === undefined ? null : this.frames.frame(fn, name(fn));
        return this.up(by).map(b => (frame === null ? b : below(b, [frame])));
      }
      case 'then':
        if (this.isDownlevelled(w)) return this.madeBranches(w);
        // A `.then()` chain waits where what waits on its end waits.
        return this.waiters.of(w).length > 0
          ? this.up(w)
          : this.stack.walk(w, 0);
      case 'wrapper':
        return [];
      case 'bare':
        return this.contexts.through(w, []);
      default: {
        if (this.isDownlevelled(w)) return this.madeBranches(w);
        const own = this.stack.walk(w, 0);
        // An `await` in the run that made what it awaits has a stack cut
        // short (record/hooks.ts): where that reaches nothing (Node's own
        // async generator, `fs.promises.watch`, whose frames are hidden and
        // whose call is no promise of a function), the stack that made the
        // promise, in the same run, goes on through the same callers.
        const target = w.awaits;
        if (
          target != null &&
          target.awaits === undefined &&
          target.context === w.context &&
          own.every(b => b.reach === 'detached' && b.path.length === 0)
        ) {
          const made = this.stack.walk(target, 1);
          if (made.some(b => b.reach !== 'detached')) return made;
        }
        return own;
      }
    }
  }

  /**
   * The last link of a run of `.then()`s each waited on by the next only,
   * in the same place (`items.reduce((p, x) => p.then(…), start)` over
   * thousands of items): what waits on the run's end waits on each link,
   * found without a recursion per link (a stack overflow, past a few
   * thousand).
   */
  private runEnd(p: Capture): Capture {
    // A link's own way up, when nothing above it is traced, is nothing more
    // (upWait of a `.then()` asks `up` again): only runs of `.then()`s.
    if (
      p.awaits === undefined ||
      this.g.waitKind(p) !== 'then' ||
      this.isDownlevelled(p)
    )
      return p;
    let x = p;
    for (;;) {
      const ws = this.waiters.of(x);
      if (ws.length !== 1 || x.moreWaits > 0) return x;
      const w = ws[0];
      if (
        w.holder === null ||
        this.ups.has(w) ||
        this.g.waitKind(w) !== 'then' ||
        this.isDownlevelled(w) ||
        this.isRunnerWait(w) ||
        this.waiters.of(w).length === 0 ||
        this.between.returnedBy(x, w).length > 0
      )
        return x;
      x = w;
    }
  }

  /** A subscription a down-levelling helper made for a body's `yield`. */
  private isDownlevelled(w: Capture): boolean {
    return isDownlevelWait(this.g.sites(w));
  }

  /**
   * Where a down-levelled body waits: in the stack of the promise it awaits
   * (the body was running when it made it), or where the helper subscribed.
   */
  private madeBranches(w: Capture): Branch[] {
    const target = w.awaits;
    if (target != null && target.awaits === undefined) {
      const made = this.stack.walk(target, 1);
      if (made.some(b => b.path.length > 0)) return made;
    }
    return this.stack.walk(w, 0);
  }

  /** A combinator that is input of another, as a frame: where it was made. */
  private combinatorFrame(comb: Capture, combName: string): Frame {
    const at = this.g.sites(comb)[1];
    const f = at === undefined ? null : this.frames.frame(at, combName);
    return f ?? {name: combName, file: '', line: 0, column: 0, async: false};
  }

  /** Whether a subscription is the runner's own (circus awaiting a body). */
  private isRunnerWait(w: Capture): boolean {
    for (const s of this.g.sites(w)) {
      const f = file(s);
      if (f === null || isNode(s)) continue;
      return this.opts.isRunner(f);
    }
    return false;
  }
}
