/**
 * The wait graph of one dump: the captures of a Root and the Roots nested in
 * it (its family), each read once and sorted by what it is.
 *
 * A creation is a `new Promise` (a leaf: something has to settle it), an
 * async function's own promise (a call), a combinator's, or Node's. A
 * subscription is an `await`, a `.then()` call, a combinator's input, a
 * promise adopting another (V8 calls `then` for it in a job of its own), or
 * the wrapper V8 makes to `await` a value that is not a native promise (a
 * thenable).
 */
import {type Capture, type HandleRecord, type Root, Stamp} from '../record';
import {isPromise} from 'node:util/types';
import {Stacks} from '../stack/read';
import {
  type Site,
  combinatorOf,
  file,
  fnKey,
  isCtor,
  isGeneratorNext,
  isNode,
  madeNatively,
  name,
  sameCallPath,
} from '../stack/sites';
import {isDownlevelHelper} from '../stack/downlevel';
import {asyncIdOf, ownerOf} from '../node-symbols';
import type {CombinatorName} from '../types';
import {ResumedRuns} from './resumed';

/** What a creation capture made. */
export type CreationKind = 'new-promise' | 'call' | 'combinator' | 'other';

/** How a subscription waits (see the module comment). */
export type WaitKind =
  'await' | 'then' | 'input' | 'adopt' | 'wrapper' | 'bare';

const THEN = /^(Promise\.)?(then|catch|finally)$/;

/** Frames compared to tell one call of a function from another. */
export const CALL_PATH_DEPTH = 4;

/** A combinator's input: the combinator's capture, and which it is. */
export interface Input {
  comb: Capture;
  name: CombinatorName;
}

/** The family's captures, sorted, with what each is. */
export class WaitGraph {
  readonly stacks = new Stacks();
  readonly family = new Set<Root>();
  /** Pending creations, in creation order. */
  readonly creations: Capture[];
  /** Pending creations by promise (for a promise a context names). */
  readonly promiseOf = new Map<Capture, object>();
  /** Async functions' pending promises by function key, in creation order. */
  readonly calls = new Map<string, Capture[]>();
  /** Combinators' pending promises, in creation order. */
  readonly combinators: Capture[] = [];
  readonly leaves: Capture[] = [];
  /** Subscriptions on promises not recorded under the family. */
  readonly foreign: Capture[] = [];
  readonly timers = new Map<object, Capture>();
  readonly handles: Array<[object, HandleRecord]> = [];
  /** Each handle and its record, by the handle and by its native handle. */
  private readonly handleByResource = new Map<
    unknown,
    {object: object; record: HandleRecord}
  >();
  /** True when some promises or timers were not recorded (over the budget). */
  readonly undercounted: boolean;
  private readonly creationKinds = new Map<Capture, CreationKind>();
  private readonly waitKinds = new Map<Capture, WaitKind>();
  /** {@link combinatorOf}, asked of each input several times. */
  private readonly inputs = new Map<Capture, Input | null>();
  /** The pending subscriptions, read with the creations. */
  private readonly waits: Capture[];
  /** {@link laterAwait}'s index, made at the first question. */
  private resumed: ResumedRuns | undefined;

  constructor(root: Root) {
    const gather = (r: Root): void => {
      this.family.add(r);
      r.children.forEach(gather);
    };
    gather(root);
    let undercounted = false;
    const creations: Capture[] = [];
    for (const r of this.family) {
      if (r.unrecorded > 0 || r.prunedTimers > 0) undercounted = true;
      for (const [p, c] of r.promises) {
        creations.push(c);
        this.promiseOf.set(c, p);
      }
      for (const c of r.foreign.values()) this.foreign.push(c);
      for (const [t, c] of r.timers) this.timers.set(t, c);
      for (const h of r.handles) this.handles.push(h);
    }
    this.undercounted = undercounted;
    this.creations = creations.sort((a, b) => a.seq - b.seq);
    this.foreign.sort((a, b) => a.seq - b.seq);
    for (const [h, record] of this.handles) {
      const entry = {object: h, record};
      this.handleByResource.set(h, entry);
      const native = (h as {_handle?: unknown})._handle;
      if (native !== null && typeof native === 'object')
        this.handleByResource.set(native, entry);
    }
    // The creations, what waits on them (each asked how it waits) and the
    // subscriptions whose callbacks made them, in one go: read one at a time,
    // each stack cost a swap of V8's formatter and its own arrays; and a
    // down-levelling helper's wrapper, which changes how a function's own
    // promise is read, may be shown by one of the others only (the
    // subscription its helper made when the body first yielded).
    this.waits = pendingWaits(this.creations, this.foreign);
    this.stacks.readAll([
      ...this.creations,
      ...this.waits,
      ...this.contextsOf(this.creations),
    ]);
    for (const c of this.creations) {
      const kind = this.creationKind(c);
      if (kind === 'new-promise') this.leaves.push(c);
      else if (kind === 'combinator') this.combinators.push(c);
      else if (kind === 'call') {
        const k = fnKey(this.stacks.of(c)[0]);
        const list = this.calls.get(k);
        if (list === undefined) this.calls.set(k, [c]);
        else list.push(c);
      }
    }
  }

  /** The pending subscriptions (and `.then()` chains on them). */
  pendingWaits(): readonly Capture[] {
    return this.waits;
  }

  ours(r: Root): boolean {
    return this.family.has(r);
  }

  /**
   * Whether the work running in `ctx` (a job's promise) began outside the
   * family: up through the context each recorded promise was made in, a
   * promise another Root recorded (an earlier test's loop, whose later
   * promises are recorded under whichever Root is active), a promise not
   * recorded (made between tests), or a chain too long to follow. One that
   * ends in no promise (a `nextTick`'s callback, a timer's) with every
   * promise the family's began in it. Settled promises are asked too: a
   * call that has returned since.
   */
  begunElsewhere(ctx: object | undefined): boolean {
    let x = ctx;
    for (let hops = 0; hops < MAX_CONTEXT_HOPS; hops++) {
      const c = x === undefined ? undefined : Stamp.capture(x);
      if (c === undefined) return x !== undefined && isPromise(x);
      if (!this.ours(c.owner)) return true;
      x = c.context;
    }
    return true;
  }

  /**
   * The handle of the Root's family whose callback ran with `ctx`: a socket
   * (server, child process) or its native handle, which stays the context of
   * its callbacks after the socket let go of it (its 'close').
   */
  handleAt(ctx: object): {object: object; record: HandleRecord} | undefined {
    const own = this.handleByResource.get(ctx);
    if (own !== undefined) return own;
    const owner = ownerOf(ctx);
    return owner === undefined ? undefined : this.handleByResource.get(owner);
  }

  private byId: Map<number, object> | undefined;

  /** The timer or handle of the Root's family whose async id is `id`. */
  byAsyncId(id: number): object | undefined {
    if (this.byId === undefined) {
      this.byId = new Map();
      for (const o of [...this.timers.keys(), ...this.handles.map(h => h[0])]) {
        const own = asyncIdOf(o);
        if (own !== undefined) this.byId.set(own, o);
      }
    }
    return this.byId.get(id);
  }

  sites(c: Capture): Site[] {
    return this.stacks.of(c);
  }

  /** What a creation made, from the top of its stack. */
  creationKind(c: Capture): CreationKind {
    let k = this.creationKinds.get(c);
    if (k === undefined) {
      const top = this.sites(c)[0];
      if (top === undefined) k = 'other';
      else if (isCtor(top) && name(top) === 'Promise') k = 'new-promise';
      else if (madeNatively(top)) k = 'new-promise';
      else if (combinatorOf(top) !== undefined)
        k = this.isInputWrapper(c) ? 'other' : 'combinator';
      else if (file(top) !== null && !isNode(top)) k = 'call';
      else k = 'other';
      this.creationKinds.set(c, k);
    }
    return k;
  }

  /**
   * Whether a promise a combinator's frame made is no combinator but the
   * wrapper it made of an input of another realm (Node's own promises, under
   * Jest's vm realm: `events.once()`, `timers/promises`): the combinator
   * subscribes to it at once, as its input. The input adopts it later, in a
   * job of V8's ('adopt' waits).
   */
  private isInputWrapper(c: Capture): boolean {
    const w = c.waits?.[0];
    if (w === undefined || w.seq !== c.seq + 1) return false;
    const sites = this.sites(w);
    const at = this.combinatorAt(sites);
    return (
      at >= 0 &&
      combinatorOf(sites[at]) === combinatorOf(this.sites(c)[0]) &&
      sameCallPath(this.sites(c), 1, sites, at + 1, CALL_PATH_DEPTH)
    );
  }

  /** How a subscription waits (see {@link WaitKind}). */
  waitKind(w: Capture): WaitKind {
    let k = this.waitKinds.get(w);
    if (k === undefined) this.waitKinds.set(w, (k = this.readWaitKind(w)));
    return k;
  }

  private readWaitKind(w: Capture): WaitKind {
    const sites = this.sites(w);
    const top = sites[0];
    if (top === undefined) return 'bare';
    if (this.combinatorAt(sites) >= 0) return 'input';
    if (file(top) === null && THEN.test(name(top))) {
      // V8's job for a promise resolved with another calls `then` with nothing
      // of the program's on the stack: the promise adopting it is the context.
      return sites.slice(1).some(s => file(s) !== null && !isNode(s))
        ? 'then'
        : 'adopt';
    }
    if (this.isWrapper(w, top)) return 'wrapper';
    // An `await` in the first run of an async generator of Node's own, run
    // by the `next()` below it (`fs.promises.watch`): no `.then` of Node's.
    if (isNode(top) && sites[1] !== undefined && isGeneratorNext(sites[1]))
      return 'await';
    return file(top) !== null && !isNode(top) && !isDownlevelHelper(top)
      ? 'await'
      : 'then';
  }

  /**
   * `await thenable` (or a plain value) in an async function makes a promise
   * derived from the function's own, then awaits it at once: a subscription
   * on the function's promise by the function itself, followed by one on it.
   */
  private isWrapper(w: Capture, top: Site): boolean {
    const target = w.awaits;
    if (target == null || target.awaits !== undefined) return false;
    if (this.creationKind(target) !== 'call') return false;
    const next = w.waits?.[0];
    return (
      next !== undefined &&
      next.seq === w.seq + 1 &&
      fnKey(top) === fnKey(this.sites(target)[0])
    );
  }

  /**
   * Where a combinator's frame is on a subscription's stack: first, or after
   * the `then` it calls on a thenable input (V8 calls it on every input).
   */
  private combinatorAt(sites: Site[]): number {
    if (sites[0] !== undefined && combinatorOf(sites[0]) !== undefined)
      return 0;
    if (
      sites[0] !== undefined &&
      sites[1] !== undefined &&
      file(sites[0]) === null &&
      THEN.test(name(sites[0])) &&
      combinatorOf(sites[1]) !== undefined
    )
      return 1;
    return -1;
  }

  /** The combinator whose input subscription `w` is (see record/state.ts). */
  combinatorOf(w: Capture): Input | undefined {
    let found = this.inputs.get(w);
    if (found === undefined)
      this.inputs.set(w, (found = this.findCombinator(w) ?? null));
    return found ?? undefined;
  }

  private findCombinator(w: Capture): Input | undefined {
    const sites = this.sites(w);
    const at = this.combinatorAt(sites);
    const kind = at < 0 ? undefined : combinatorOf(sites[at]);
    if (kind === undefined) return undefined;
    // The last combinator made before it: a combinator subscribes to its
    // inputs right after it is made, before anything else can run.
    const list = this.combinators;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid].seq < w.seq) lo = mid + 1;
      else hi = mid;
    }
    // Only pending combinators are listed: the input of one that settled (a
    // race some input won) is no waiter any more, and meets none here made at
    // its own call.
    for (let i = lo - 1; i >= 0; i--) {
      const c = list[i];
      if (c.subAt >= w.subAt) continue;
      const made = this.sites(c);
      return combinatorOf(made[0]) === kind &&
        sameCallPath(made, 1, sites, at + 1, CALL_PATH_DEPTH)
        ? {comb: c, name: kind}
        : undefined;
    }
    return undefined;
  }

  /**
   * Where the run of an async function resumed from its `await` `p` waits
   * now (resumed.ts).
   */
  laterAwait(p: Capture): Capture | undefined {
    return (this.resumed ??= new ResumedRuns(this, this.waits)).laterAwait(p);
  }

  /** The subscriptions whose callbacks made `creations`, once each. */
  private contextsOf(creations: readonly Capture[]): Capture[] {
    const out = new Set<Capture>();
    for (const c of creations) {
      const by = this.promiseContext(c.context);
      if (by !== undefined) out.add(by);
    }
    return [...out];
  }

  /** The capture a context names, when it is a promise of this family. */
  promiseContext(context: object | undefined): Capture | undefined {
    if (context === undefined) return undefined;
    const c = Stamp.capture(context);
    return c !== undefined && this.ours(c.owner) ? c : undefined;
  }
}

/** Contexts followed back by {@link WaitGraph.begunElsewhere}, at most. */
const MAX_CONTEXT_HOPS = 256;

/**
 * The subscriptions not settled on `creations` (and on those subscriptions:
 * `.then()` chains), and `foreign`: the stacks a dump reads for sure.
 */
function pendingWaits(
  creations: readonly Capture[],
  foreign: readonly Capture[],
): Capture[] {
  const out: Capture[] = [...foreign];
  const add = (c: Capture): void => {
    for (const w of c.waits ?? [])
      if (!w.settled) {
        out.push(w);
        add(w);
      }
  };
  for (const c of creations) add(c);
  for (const c of foreign) add(c);
  return out;
}
