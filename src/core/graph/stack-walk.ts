/**
 * Reading one stack towards the Root, frame by frame: the program's frames
 * are kept, Node's and the runner's counted, V8's async frames of a
 * combinator's input read as its index. At a call of an async function the
 * walk goes on through the graph (what waits on that call) unless the rest
 * of the stack says the same; at a `new Promise` through what waits on that
 * promise; a stack cut short goes on in the stack of what it awaits; one
 * that ends in a callback, through what ran the callback (contexts.ts). A
 * stack that ends short of the runner is told apart by where the Root's body
 * is (root-body.ts).
 */
import type {Capture} from '../record';
import {isOwn, packageOf} from '../machinery';
import {isDownlevelHelper} from '../stack/downlevel';
import {
  type Site,
  callSite,
  combinatorOf,
  file,
  fnKey,
  functionStart,
  generatorOf,
  isAsync,
  isHelper,
  isNode,
  isPromiseConstructor,
  name,
} from '../stack/sites';
import type {Frame} from '../types';
import type {FrameMaker} from '../dump/frames';
import {type Calls, FOREIGN} from './calls';
import type {WaitGraph} from './graph';
import {
  type Branch,
  type WalkOptions,
  below,
  cutAt,
  derive,
  isProgramSite,
  last,
  sameLine,
  withInput,
} from './branch';
import {RootBody} from './root-body';
import type {Walker} from './walk';

/** Short subscriptions of one run followed back to a full stack, at most. */
const MAX_SHORT_HOPS = 8;

/** Walks the stacks of one dump (see the module comment). */
export class StackWalk {
  private readonly walks = new Map<Capture, Branch[][]>();
  private readonly root: RootBody;

  constructor(
    private readonly w: Walker,
    private readonly g: WaitGraph,
    private readonly calls: Calls,
    private readonly frames: FrameMaker,
    private readonly opts: WalkOptions,
  ) {
    this.root = new RootBody(g, opts);
  }

  /** The frame key of the Root's body, if found (root-body.ts). */
  bodyKey(): string | undefined {
    return this.root.bodyKey();
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
          leafward[leafward.length - 1] = withInput(prev, input);
        else first.input ??= input;
        continue;
      }
      if (isPromiseConstructor(s) && i + 1 < sites.length) {
        // The frames so far ran in the executor of a `new Promise` the frame
        // above made: when that promise is waited on, this is below it.
        const made = this.calls.promiseMadeAt(sites, i + 1, c.seq);
        if (made !== undefined && made !== c) {
          const ups = this.w.leafUp(made);
          if (ups.length > 0) {
            this.w.executorWork.add(made);
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
      if (gen !== undefined) this.w.genOf.set(frame, gen);
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
        const ups = this.w.up(call);
        if (ups.length > 0) {
          const rest = leafward.reverse();
          return ups.map(b => below(b, rest));
        }
        // A call its caller caught at once: nothing waits through it.
        if (this.w.waiters.onlyBookkept(call)) return [];
      }
    }
    const path = leafward.reverse();
    const rootKey = this.root.bodyKey();
    const callerKey = this.root.bodyCallerKey();
    // A stack cut short may still end in the test body; work of the code
    // around the Root (the caller of `traced()`) is not the Root's.
    if (
      lastUser !== undefined &&
      rootKey !== undefined &&
      fnKey(lastUser) === rootKey
    )
      return [{path, reach: 'root'}];
    if (
      lastUser !== undefined &&
      callerKey !== undefined &&
      fnKey(lastUser) === callerKey
    )
      return [{path, reach: 'foreign'}];
    // An `await` chain that ends in a function no call of which was recorded
    // under the Root began before it: work an earlier test left running (a
    // poll that outlived its test, resumed between tests). Unless the
    // promises its jobs ran in lead back to the family's own work: a call
    // that has settled since (grpc's connect, which made the socket a call
    // waits on, then returned its session).
    if (
      lastUser !== undefined &&
      isAsync(lastUser) &&
      !this.g.undercounted &&
      !this.g.calls.has(fnKey(lastUser)) &&
      this.g.begunElsewhere(c.context)
    )
      return [{path, reach: 'foreign'}];
    const rest = this.afterShort(c, lastUser);
    if (rest !== undefined) return rest.map(b => below(b, path));
    // The function the callback ran: the outermost frame of the program's
    // (an async function's own promise is made by its frame 0).
    let ran = lastUser;
    for (
      let i = Math.min(from, sites.length) - 1;
      ran === undefined && i >= 0;
      i--
    )
      if (this.isProgram(sites[i])) ran = sites[i];
    const out = this.w.contexts.through(
      c,
      path,
      c.context,
      ran === undefined ? undefined : functionStart(ran),
    );
    // Not traced back because the stack ran out, not for a callback.
    const cut = cutAt(c, sites, this.g.promiseOf.has(c));
    return cut === undefined
      ? out
      : out.map(b => (b.reach === 'detached' ? {...b, cut} : b));
  }

  /**
   * A short capture (the first `await` of a promise in the run that made it)
   * goes on in the promise's own stack, from the caller of the function it
   * ended in: the same run had the same callers.
   */
  private afterShort(c: Capture, last: Site | undefined): Branch[] | undefined {
    if (!c.short || last === undefined) return undefined;
    const key = fnKey(last);
    // The promise may itself be a short subscription of the same run (Node's
    // `fetch()` returns a `.catch()` of its own promise): on to what that
    // one awaits, until a stack that has the frame.
    let target = c.awaits;
    for (let hops = 0; target != null && hops < MAX_SHORT_HOPS; hops++) {
      if (target.context !== c.context || !this.g.ours(target.owner))
        return undefined;
      const made = this.g.sites(target);
      for (let j = 1; j + 1 < made.length; j++) {
        if (file(made[j]) === file(last) && fnKey(made[j]) === key)
          return this.walk(target, j + 1);
      }
      if (!target.short) return undefined;
      target = target.awaits;
    }
    return undefined;
  }

  /**
   * Whether the rest of a stack says what the graph says of the call at
   * `sites[i]`: one waiter, which is the function calling it there, in the
   * same run (`await f()`, `return f()`, `await f().then(g)`: see
   * {@link chainAgrees}). The stack then goes on as it is, with the frames
   * the runner or a library put between (counted on the callee's line);
   * elsewhere the graph says more (a combinator's input, several waiters, a
   * call nothing awaits, one awaited later).
   */
  private stackAgrees(call: Capture, sites: Site[], i: number): boolean {
    const waiters = this.w.waiters.of(call);
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
    if (top === undefined || fnKey(top) !== fnKey(caller)) return false;
    return kind === 'await' || this.chainAgrees(w, fnKey(caller));
  }

  /**
   * Whether what waits on the end of a `.then()` chain the function `key`
   * made is nothing further (the stack is all there is) or that function's
   * own `await` or `.then` in the same run (`await f().then(g)`). A chain
   * that is a combinator's input (`Promise.race([a, f().then(g)])`), or is
   * waited on elsewhere, waits where the graph says: not at this stack's
   * caller.
   */
  private chainAgrees(t: Capture, key: string, depth = 0): boolean {
    const waiters = this.w.waiters.of(t);
    if (t.moreWaits > 0 || waiters.length > 1 || depth > 64) return false;
    if (waiters.length === 0) return true;
    const w = waiters[0];
    const kind = this.g.waitKind(w);
    if ((kind !== 'await' && kind !== 'then') || w.context !== t.context)
      return false;
    const top = this.g.sites(w).find(s => this.isProgram(s));
    if (top === undefined || fnKey(top) !== key) return false;
    return kind === 'await' || this.chainAgrees(w, key, depth + 1);
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
      at !== null && this.g.waitKind(w) === 'await'
        ? derive(at, 'async', () => ({...at, async: true}))
        : at;
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
      ? derive(call, `async ${frame.async}`, () => ({
          ...call,
          async: frame.async,
        }))
      : frame;
  }

  /** A frame of the program's (not Node's, the runner's or a native one). */
  private isProgram(s: Site | undefined): boolean {
    return isProgramSite(s, this.opts);
  }
}
