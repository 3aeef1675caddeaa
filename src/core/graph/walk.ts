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
import {isOwn, packageOf} from '../machinery';
import {type Capture, Stamp} from '../record';
import {isDownlevelHelper, isDownlevelWait} from '../stack/downlevel';
import {
  type Site,
  callSite,
  combinatorOf,
  file,
  fnKey,
  generatorOf,
  isAsync,
  isHelper,
  isNode,
  isPromiseConstructor,
  name,
} from '../stack/sites';
import type {CombinatorName, Frame} from '../types';
import {type FrameMaker, viaFrame} from '../dump/frames';
import {type Calls, FOREIGN} from './calls';
import type {WaitGraph} from './graph';

/** Where a branch ends. */
export type Reach =
  /** At the Root's body (the test or hook). */
  | 'root'
  /** In a callback that could not be traced back to the body. */
  | 'detached'
  /** In work another test or the code around the Root started. */
  | 'foreign'
  /** In the runner's own work. */
  | 'machinery';

/** A way up from a node to the Root. */
export interface Branch {
  /** Root first. Frames are shared between branches: never changed. */
  readonly path: readonly Frame[];
  readonly reach: Reach;
  /** The branch ends at a combinator: what is added below is its input. */
  readonly input?: {name: CombinatorName; index: number | null};
  /** What is added below is a call nothing awaits. */
  readonly notAwaited?: boolean;
}

/** Where the walk runs: which files are the runner's or its machinery's. */
export interface WalkOptions {
  isMachinery(file: string): boolean;
  isRunner(file: string): boolean;
}

/** Most branches kept for one node (a promise awaited in many places). */
const MAX_BRANCHES = 16;

const MACHINERY: Branch[] = [{path: [], reach: 'machinery'}];

/** Walks one dump's wait graph (see the module comment). */
export class Walker {
  /** Leaves whose executor made something the dump shows below them. */
  readonly executorWork = new Set<Capture>();
  /** Promises that adopted another (resolved with a pending promise). */
  readonly adopting = new Set<Capture>();
  private readonly ups = new Map<Capture, Branch[]>();
  private readonly leafUps = new Map<Capture, Branch[]>();
  private readonly waitUps = new Map<Capture, Branch[]>();
  private readonly walks = new Map<Capture, Branch[][]>();
  private readonly genOf = new WeakMap<Frame, string>();
  /** The function of the Root's body, and of the code that called it. */
  private rootKey: string | undefined;
  private callerKey: string | undefined;
  private rootFound = false;
  private rootSearched = false;

  constructor(
    private readonly g: WaitGraph,
    private readonly calls: Calls,
    private readonly frames: FrameMaker,
    private readonly opts: WalkOptions,
  ) {}

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
    const waiters = this.waitersOf(p);
    out = [];
    for (const w of waiters) {
      // The runner awaits what the Root's body returned: where the body made
      // it is where it waits.
      let ups: Branch[];
      if (this.isRunnerWait(w))
        ups = this.walk(p, p.awaits !== undefined ? 0 : 1);
      else {
        const between = this.returnedBy(p, w);
        ups = this.upWait(w).map(b => below(b, between));
      }
      for (const b of ups) if (out.length < MAX_BRANCHES) out.push(b);
    }
    // Waiters not traced (see readWait): where it was made says what is known.
    if (out.length > 0) {
      // traced
    } else if (p.awaits !== undefined) out = this.upWait(p);
    else if (this.g.creationKind(p) === 'new-promise' && waiters.length === 0)
      out = [];
    else {
      out = this.walk(p, 1);
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

  /**
   * The plain functions that returned `p` to the code waiting on it in the
   * same synchronous run (`await withTimeout(...)`, `await sleep(10)`): the
   * frames of `p`'s stack between where it was made and the waiter's line.
   */
  private returnedBy(p: Capture, w: Capture): Frame[] {
    if (w.context !== p.context) return [];
    const kind = this.g.waitKind(w);
    if (kind !== 'await' && kind !== 'then') return [];
    const ws = this.g.sites(w);
    const top = ws.find(s => file(s) !== null && !isNode(s));
    if (top === undefined) return [];
    const ps = this.g.sites(p);
    const from = p.awaits !== undefined ? 0 : 1;
    const line = callSite(top).getLineNumber();
    for (let j = from + 1; j < ps.length; j++) {
      const s = ps[j];
      if (file(s) !== file(top) || fnKey(s) !== fnKey(top)) continue;
      if (callSite(s).getLineNumber() !== line) return [];
      const out: Frame[] = [];
      for (let k = j - 1; k >= from; k--) {
        const f = file(ps[k]);
        if (f === null || isNode(ps[k]) || this.opts.isMachinery(f)) continue;
        if (isHelper(ps[k]) || isDownlevelHelper(ps[k])) continue;
        const frame = this.frames.frame(ps[k], name(ps[k]));
        if (frame !== null) out.push(frame);
      }
      return out;
    }
    return [];
  }

  /**
   * The program's frames of a creation's stack below its own (a callback
   * that called the function which made it), root first.
   */
  private callbackFrames(c: Capture): Frame[] {
    const sites = this.g.sites(c);
    const out: Frame[] = [];
    for (let k = 1; k < sites.length; k++) {
      const s = sites[k];
      // V8's async frames below a callback are what awaits its chain.
      if (isAsync(s) || (file(s) !== null && this.opts.isRunner(file(s)!)))
        break;
      if (!this.isProgram(s) || isHelper(s) || isDownlevelHelper(s)) continue;
      const f = this.frames.frame(s, name(s));
      if (f !== null) out.push(f);
    }
    return out.reverse();
  }

  /**
   * The frame where a subscription waits (`s`, its top frame of the
   * program's): at the call that made what it awaits when that is on the
   * same line (`await f()`), as a stack taken before the `await` shows it.
   */
  private waitFrame(w: Capture, s: Site): Frame | null {
    const at = this.frames.frame(s, name(s));
    // The function suspends at its `await` right after this capture.
    const frame =
      at !== null && this.g.waitKind(w) === 'await' ? {...at, async: true} : at;
    const target = w.awaits;
    if (frame === null || target == null || target.awaits !== undefined)
      return frame;
    const caller = this.g.sites(target)[1];
    if (
      caller === undefined ||
      file(caller) !== file(s) ||
      fnKey(caller) !== fnKey(s)
    )
      return frame;
    const call = this.frames.frame(caller, name(s));
    return call !== null && call.line === frame.line
      ? {...call, async: frame.async}
      : frame;
  }

  /**
   * Whether the rest of a stack says what the graph says of the call at
   * `sites[i]`: one waiter, which is the function calling it there, in the
   * same run (`await f()`, `return f()`). The stack then goes on as it is,
   * with the frames the runner or a library put between (counted on the
   * callee's line); elsewhere the graph says more (a combinator's input,
   * several waiters, a call nothing awaits, one awaited later).
   */
  private stackAgrees(call: Capture, sites: Site[], i: number): boolean {
    const waiters = this.waitersOf(call);
    if (waiters.length !== 1 || call.moreWaits > 0) return false;
    let next = i + 1;
    while (next < sites.length && !this.isProgram(sites[next])) next++;
    const caller = sites[next];
    if (caller === undefined) return false;
    const w = waiters[0];
    const kind = this.g.waitKind(w);
    if (kind === 'adopt') {
      const by = this.g.promiseContext(w.context);
      if (by === undefined || by.awaits !== undefined) return false;
      const fn = this.g.sites(by)[0];
      return fn !== undefined && fnKey(fn) === fnKey(caller);
    }
    if ((kind !== 'await' && kind !== 'then') || w.context !== call.context)
      return false;
    const top = this.g.sites(w).find(s => this.isProgram(s));
    return top !== undefined && fnKey(top) === fnKey(caller);
  }

  /**
   * A short capture (the first `await` of a promise in the run that made it)
   * goes on in the promise's own stack, from the caller of the function it
   * ended in: the same run had the same callers.
   */
  private afterShort(c: Capture, last: Site | undefined): Branch[] | undefined {
    const target = c.awaits;
    if (!c.short || last === undefined || target == null) return undefined;
    if (target.context !== c.context || !this.g.ours(target.owner))
      return undefined;
    const made = this.g.sites(target);
    const key = fnKey(last);
    for (let j = 1; j + 1 < made.length; j++) {
      if (file(made[j]) === file(last) && fnKey(made[j]) === key)
        return this.walk(target, j + 1);
    }
    return undefined;
  }

  /** A frame of the program's (not Node's, the runner's or a native one). */
  private isProgram(s: Site | undefined): boolean {
    const f = s === undefined ? null : file(s);
    return f !== null && !isNode(s!) && !this.opts.isMachinery(f);
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

  /**
   * The branches of a `new Promise` leaf. One that is itself a combinator's
   * input hangs at the frame that made it (`[1] sleep`), where what its
   * executor started hangs too.
   */
  leafUp(leaf: Capture): Branch[] {
    let out = this.leafUps.get(leaf);
    if (out === undefined) {
      const sites = this.g.sites(leaf);
      const maker =
        sites[1] === undefined
          ? null
          : this.frames.frame(sites[1], name(sites[1]));
      out = this.up(leaf).map(b =>
        b.input !== undefined &&
        maker !== null &&
        !this.opts.isMachinery(file(sites[1]) ?? '')
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
    const from = this.g.creationKind(c) === 'call' ? 0 : 1;
    for (const s of this.g.sites(c).slice(from)) {
      const f = file(s);
      if (f === null || isNode(s)) continue;
      return this.opts.isRunner(f) || this.opts.isMachinery(f);
    }
    return false;
  }

  /** The subscriptions on `p` that wait on it (not V8's wrappers, not dead). */
  waitersOf(p: Capture): Capture[] {
    const out: Capture[] = [];
    for (const w of p.waits ?? []) {
      if (w.settled) continue;
      const kind = this.g.waitKind(w);
      if (kind === 'wrapper') continue;
      if (kind === 'input' && this.g.combinatorOf(w) === undefined) continue;
      out.push(w);
    }
    return out;
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
        if (by === undefined) return [];
        this.adopting.add(by);
        if (by.awaits !== undefined) {
          // A `.then` callback returned it: the callback's frames that made
          // it are below the chain.
          const made = w.awaits;
          const frames =
            made != null &&
            made.awaits === undefined &&
            made.context === by.self
              ? this.callbackFrames(made)
              : [];
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
          made.context === by.context
        )
          return this.walk(made, 1);
        // An async function that returned it (`return fetch()`): shown.
        const fn = this.g.sites(by)[0];
        const frame = fn === undefined ? null : this.frames.frame(fn, name(fn));
        return this.up(by).map(b => (frame === null ? b : below(b, [frame])));
      }
      case 'then':
        if (this.isDownlevelled(w)) return this.madeBranches(w);
        // A `.then()` chain waits where what waits on its end waits.
        return this.waitersOf(w).length > 0 ? this.up(w) : this.walk(w, 0);
      case 'wrapper':
        return [];
      case 'bare':
        return this.throughContext(w, []);
      default:
        if (this.isDownlevelled(w)) return this.madeBranches(w);
        return this.walk(w, 0);
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
      const made = this.walk(target, 1);
      if (made.some(b => b.path.length > 0)) return made;
    }
    return this.walk(w, 0);
  }

  /** A combinator that is input of another, as a frame: where it was made. */
  private combinatorFrame(comb: Capture, combName: string): Frame {
    const at = this.g.sites(comb)[1];
    const f = at === undefined ? null : this.frames.frame(at, combName);
    return f ?? {name: combName, file: '', line: 0, column: 0, async: false};
  }

  /**
   * A capture's stack walked from frame `from` towards the Root (0 for a
   * subscription: its top frame is where it waits; 1 for a creation: its top
   * frame is the constructor, the timer's setter or the function itself).
   */
  walk(c: Capture, from: number): Branch[] {
    let byFrom = this.walks.get(c);
    if (byFrom === undefined) this.walks.set(c, (byFrom = []));
    let out = byFrom[from];
    if (out === undefined) {
      byFrom[from] = [];
      out = byFrom[from] = this.readWalk(c, from);
    }
    return out;
  }

  private readWalk(c: Capture, from: number): Branch[] {
    const first: {input?: Branch['input']} = {};
    const out = this.walkFrames(c, from, first);
    // The stack began in an input of a combinator (V8's async frame, before
    // any frame of the program's): what is added below is that input.
    return first.input === undefined
      ? out
      : out.map(b => (b.input === undefined ? {...b, input: first.input} : b));
  }

  private walkFrames(
    c: Capture,
    from: number,
    first: {input?: Branch['input']},
  ): Branch[] {
    const {opts} = this;
    const sites = this.g.sites(c);
    const leafward: Frame[] = [];
    let lastUser: Site | undefined;
    let hidden = 0;
    let hiddenIn: Set<string> | undefined;
    for (let i = from; i < sites.length; i++) {
      const s = sites[i];
      const f = file(s);
      if (f !== null && opts.isRunner(f)) {
        return [
          {
            path: leafward.reverse(),
            // Nothing of the program's between the runner and what made it:
            // the runner's own, but for the Root's body (an async function
            // the runner called).
            reach:
              leafward.length === 0 &&
              c.awaits === undefined &&
              from <= 1 &&
              !(this.g.promiseOf.has(c) && this.g.creationKind(c) === 'call')
                ? 'machinery'
                : 'root',
          },
        ];
      }
      const comb = combinatorOf(s);
      if (comb !== undefined) {
        // V8's async frame of an input (`Promise.all (index 0)`).
        const prev = leafward[leafward.length - 1];
        const input = {
          name: comb,
          index: callSite(s).getPromiseIndex?.() ?? null,
        };
        if (prev !== undefined)
          leafward[leafward.length - 1] = {...prev, combinator: input};
        else first.input ??= input;
        continue;
      }
      if (isPromiseConstructor(s) && i + 1 < sites.length) {
        // The frames so far ran in the executor of a `new Promise` the frame
        // above made: when that promise is waited on, this is below it.
        const made = this.calls.promiseMadeAt(sites, i + 1, c.seq);
        if (made !== undefined && made !== c) {
          const ups = this.leafUp(made);
          if (ups.length > 0) {
            this.executorWork.add(made);
            // Node's own maker (timers/promises) is not shown.
            const maker = this.isProgram(sites[i + 1])
              ? this.frames.frame(sites[i + 1], name(sites[i + 1]))
              : null;
            const rest = leafward.reverse();
            return ups.map(b =>
              below(
                b,
                maker === null || sameLine(last(b), maker)
                  ? rest
                  : [maker, ...rest],
              ),
            );
          }
        }
        continue;
      }
      if (isHelper(s) || isDownlevelHelper(s)) continue;
      if (f === null || isNode(s) || opts.isMachinery(f)) {
        // Node's and the runner's frames between two shown frames are
        // counted, not shown.
        if (leafward.length > 0 && f !== null && !isOwn(f)) {
          hidden++;
          (hiddenIn ??= new Set()).add(packageOf(f));
        }
        continue;
      }
      const frame =
        leafward.length === 0 && c.awaits !== undefined
          ? this.waitFrame(c, s)
          : this.frames.frame(s, name(s));
      if (frame === null) continue;
      const gen = generatorOf(s);
      if (gen !== undefined) this.genOf.set(frame, gen);
      // Below a resumed `await` the frames hidden are the event loop's
      // (microtasks, timers), not a caller of the frame above.
      if (hidden > 0 && !isAsync(s)) {
        const prev = leafward[leafward.length - 1];
        leafward[leafward.length - 1] = {
          ...prev,
          via: {frames: hidden, packages: [...hiddenIn!]},
        };
      }
      hidden = 0;
      hiddenIn?.clear();
      leafward.push(frame);
      lastUser = s;
      // A call of an async function: what waits on it is what waits here.
      const call =
        leafward.length === 1 && c.awaits !== undefined
          ? this.calls.callOfWait(c, i)
          : this.calls.callAt(sites, i, c.seq);
      if (call === FOREIGN)
        return [{path: leafward.reverse(), reach: 'foreign'}];
      if (
        call !== undefined &&
        call !== c &&
        !this.stackAgrees(call, sites, i)
      ) {
        const ups = this.up(call);
        if (ups.length > 0) {
          const rest = leafward.reverse();
          return ups.map(b => below(b, rest));
        }
      }
    }
    const path = leafward.reverse();
    this.findRootOnce();
    // A stack cut short may still end in the test body; work of the code
    // around the Root (the caller of `traced()`) is not the Root's.
    if (
      lastUser !== undefined &&
      this.rootKey !== undefined &&
      fnKey(lastUser) === this.rootKey
    )
      return [{path, reach: 'root'}];
    if (
      lastUser !== undefined &&
      this.callerKey !== undefined &&
      fnKey(lastUser) === this.callerKey
    )
      return [{path, reach: 'foreign'}];
    // An `await` chain that ends in a function no call of which was recorded
    // under the Root began before it: work an earlier test left running (a
    // poll that outlived its test, resumed between tests).
    if (
      lastUser !== undefined &&
      isAsync(lastUser) &&
      !this.g.undercounted &&
      !this.g.calls.has(fnKey(lastUser))
    )
      return [{path, reach: 'foreign'}];
    const rest = this.afterShort(c, lastUser);
    if (rest !== undefined) return rest.map(b => below(b, path));
    return this.throughContext(c, path);
  }

  /**
   * A branch that ended in a callback, continued through what ran it: a timer
   * or a socket of the Root, a `.then` of a promise of the Root.
   */
  private throughContext(c: Capture, path: Frame[]): Branch[] {
    const ctx = c.context;
    if (ctx === undefined) return [{path, reach: 'detached'}];
    const timer = this.g.timers.get(ctx);
    if (timer !== undefined && timer !== c) {
      const api = timerApi(ctx);
      return this.walk(timer, 1).map(b => {
        const setter = b.path[b.path.length - 1];
        // The setter's own frame adds nothing when it is an anonymous
        // function at the same place.
        const parent =
          setter !== undefined && setter.name === '<anonymous>'
            ? {...b, path: b.path.slice(0, -1)}
            : b;
        return below(parent, [viaFrame(setter, `${api} callback`), ...path]);
      });
    }
    if (isTimerObject(ctx)) return [{path, reach: 'foreign'}];
    const io = this.g.handleByResource.get(ctx);
    if (io !== undefined && io.capture !== c) {
      return this.walk(io.capture, 1).map(b =>
        below(b, [
          viaFrame(b.path[b.path.length - 1], `${io.kind} event`),
          ...path,
        ]),
      );
    }
    const p = this.g.promiseContext(ctx);
    if (p === undefined || p === c) {
      // A promise of another Root: work an earlier test left running.
      const other = Stamp.capture(ctx);
      return [
        {
          path,
          reach: other !== undefined && other !== c ? 'foreign' : 'detached',
        },
      ];
    }
    if (p.awaits === undefined) {
      // A promise being resolved (a job of V8's for an async function that
      // returned a promise): what waits on it waits on this.
      return this.up(p).map(b => below(b, path));
    }
    switch (this.g.waitKind(p)) {
      case 'then':
        return this.throughThen(p, path);
      case 'wrapper':
        // The `then` of a thenable an async function awaits.
        return this.walk(p, 0).map(b =>
          below(b, [
            viaFrame(b.path[b.path.length - 1], 'then of a thenable'),
            ...path,
          ]),
        );
      default:
        return this.upWait(p).map(b => below(b, path));
    }
  }

  /** A branch made in the callback of `p`'s `.then`. */
  private throughThen(p: Capture, path: Frame[]): Branch[] {
    return this.up(p).map(b => {
      // A down-levelled async function resumed by its helper's `.then`: it
      // is the function of the parent's path with the same generator, now at
      // a later `yield`.
      const gen = path[0] !== undefined ? this.genOf.get(path[0]) : undefined;
      const same =
        gen === undefined
          ? -1
          : findLastIndex(b.path, f => this.genOf.get(f) === gen);
      if (same >= 0) {
        const resumed: Frame = {...path[0], name: b.path[same].name};
        this.genOf.set(resumed, gen!);
        return {
          path: [...b.path.slice(0, same), resumed, ...path.slice(1)],
          reach: b.reach,
        };
      }
      return below(b, [
        viaFrame(b.path[b.path.length - 1], '.then callback'),
        ...path,
      ]);
    });
  }

  /**
   * Where the Root's body is: the function the runner called, in the first
   * stack that reaches the runner; and the code that called that.
   */
  private findRootOnce(): void {
    if (this.rootSearched) return;
    this.rootSearched = true;
    for (const c of this.g.creations) {
      this.findRoot(this.g.sites(c));
      if (this.rootFound) return;
    }
  }

  private findRoot(sites: Site[]): void {
    if (this.rootFound) return;
    const {opts} = this;
    let runnerAt = -1;
    for (let k = 0; k < sites.length; k++) {
      const f = file(sites[k]);
      if (f !== null && opts.isRunner(f)) {
        runnerAt = k;
        break;
      }
    }
    const body = sites[runnerAt - 1];
    const bodyFile = body === undefined ? null : file(body);
    if (runnerAt > 0 && bodyFile !== null && !opts.isMachinery(bodyFile)) {
      this.rootFound = true;
      this.rootKey = fnKey(body);
      const caller = sites.slice(runnerAt).find(s => {
        const f = file(s);
        return (
          f !== null && !isNode(s) && !opts.isRunner(f) && !opts.isMachinery(f)
        );
      });
      if (caller !== undefined) this.callerKey = fnKey(caller);
    }
  }
}

/**
 * `frames` (root first) added below a branch; the first of them is the
 * branch's combinator input, if it ends at one.
 */
export function below(b: Branch, frames: readonly Frame[]): Branch {
  if (frames.length === 0) return b;
  let first = frames[0];
  if (b.input !== undefined) first = {...first, combinator: b.input};
  if (b.notAwaited === true) first = {...first, notAwaited: true};
  return {path: [...b.path, first, ...frames.slice(1)], reach: b.reach};
}

function last(b: Branch): Frame | undefined {
  return b.path[b.path.length - 1];
}

/** Frames of one function at one line (the tree's one node). */
function sameLine(a: Frame | undefined, b: Frame): boolean {
  return (
    a !== undefined &&
    a.name === b.name &&
    a.file === b.file &&
    a.line === b.line
  );
}

function findLastIndex<T>(a: readonly T[], f: (x: T) => boolean): number {
  for (let i = a.length - 1; i >= 0; i--) if (f(a[i])) return i;
  return -1;
}

function isTimerObject(o: object): boolean {
  return '_onTimeout' in o || '_onImmediate' in o;
}

/** `setTimeout`, `setInterval` or `setImmediate`, for a timer object. */
export function timerApi(o: object): string {
  if ('_onImmediate' in o) return 'setImmediate';
  return typeof (o as {_repeat?: unknown})._repeat === 'number'
    ? 'setInterval'
    : 'setTimeout';
}
