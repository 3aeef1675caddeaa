/**
 * Which subscriptions on a promise wait on it: the edges a branch goes up
 * through. V8's wrappers and settled subscriptions are none, and a
 * `.then()`/`.catch()` chain whose end nothing waits on is one only when
 * nothing else waits (a library's bookkeeping beside its caller's `await`:
 * one hang, one branch). Memoized per dump.
 */
import type {Capture} from '../record';
import {isDownlevelWait} from '../stack/downlevel';
import {file, fnKey, isNode, isPromiseConstructor, name} from '../stack/sites';
import type {WaitGraph} from './graph';

/** V8's `then` (Node's `PromisePrototypeThen` is it). */
const THEN = /^(Promise\.)?then$/;

/** Node's runners of the event loop's jobs and callbacks. */
const LOOP_RUNNER =
  /^(processTicksAndRejections|runNextTicks|runMicrotasks|processImmediate|processTimers|listOnTimeout)$/;

/** The waiters of each promise of one dump's graph. */
export class Waiters {
  private readonly lists = new Map<Capture, Capture[]>();
  /** Promises with a `.catch()` of their maker's bookkeeping. */
  private readonly bookkept = new Set<Capture>();
  /** Node's promises only a `.then()` of Node's waits on (nodeBridge). */
  private readonly bridged = new Set<Capture>();

  constructor(
    private readonly g: WaitGraph,
    /** The key of the Root body's function (stack/sites.ts `fnKey`). */
    private readonly bodyKey: () => string | undefined,
    /** Absolute path of the test file. */
    private readonly testPath: string | undefined,
  ) {}

  /**
   * Whether nothing waits on `p` but its maker's bookkeeping (see {@link
   * ownBookkeeping}): no branch goes through it.
   */
  onlyBookkept(p: Capture): boolean {
    return (
      this.of(p).length === 0 && (this.bookkept.has(p) || this.bridged.has(p))
    );
  }

  /**
   * Whether `p` is Node's promise that only Node's own code waits on (see
   * {@link nodeBridge}): not the program's, however few of its waiters were
   * recorded.
   */
  onlyNodes(p: Capture): boolean {
    return this.of(p).length === 0 && this.bridged.has(p);
  }

  /**
   * The subscriptions on `p` that wait on it (not V8's wrappers, not dead).
   * A `.then()`/`.catch()` chain whose end nothing waits on (a library's
   * bookkeeping: generic-pool's `promise.catch(onTimeout)`) is no way the
   * Root waits on `p` when something else waits on it: one hang, one branch.
   * Alone, it is the only way known (a `done` test's `p.then(done)`).
   */
  of(p: Capture): Capture[] {
    let out = this.lists.get(p);
    if (out !== undefined) return out;
    out = [];
    let dangling = 0;
    const live = (p.waits ?? []).filter(w => {
      if (w.settled) return false;
      const kind = this.g.waitKind(w);
      if (kind === 'wrapper') return false;
      return kind !== 'input' || this.g.combinatorOf(w) !== undefined;
    });
    // Waited on by Node's own `.then()`s only: no way the Root waits. Beside
    // another waiter they are left as they were, that waiter's way.
    if (
      live.length > 0 &&
      p.moreWaits === 0 &&
      live.every(w => this.nodeBridge(p, w))
    ) {
      this.bridged.add(p);
      this.lists.set(p, out);
      return out;
    }
    for (const w of live) {
      if (this.dangles(w)) {
        if (this.ownBookkeeping(p, w)) {
          this.bookkept.add(p);
          continue;
        }
        dangling++;
      }
      out.push(w);
    }
    if (dangling > 0 && dangling < out.length)
      out = out.filter(w => !this.dangles(w));
    this.lists.set(p, out);
    return out;
  }

  /**
   * Whether the chain nothing waits on `w` (see {@link dangles}) is the
   * bookkeeping of the function that made the `new Promise` `p`, in the same
   * run, before it handed `p` back: a `.catch()`, as fastq's `push` does
   * (`p.catch(noop); return p`, so that a rejection its caller drops is not
   * unhandled). Its caller's waiting, or not, is what says where `p` is
   * waited on. Or of a function that called, in the same run, the one that
   * made it (ioredis's constructor, `this.connect().catch(noop)`: a
   * connection started, which its commands wait on in ways of their own;
   * undici's `fetching`, `mainFetch(…).catch(…)`, inside Node's `fetch()`).
   * Not a `.then()`, which may hand `p`'s outcome on to functions it was
   * given (a thenable's `then(resolve, reject)`: its chain's end is dropped,
   * its callbacks settle what awaits it), nor the Root body's own, nor, but
   * for the maker's, one in the test file (its helpers' work is the test's).
   */
  private ownBookkeeping(p: Capture, w: Capture): boolean {
    if (w.context !== p.context) return false;
    const kind = this.g.creationKind(p);
    if (kind !== 'new-promise' && kind !== 'call') return false;
    const sites = this.g.sites(w);
    const k = sites.findIndex(s => file(s) !== null);
    const by = sites[k];
    // V8's `catch` calls `then`: its frame is just above the one that called
    // it.
    if (
      by === undefined ||
      k < 1 ||
      file(sites[k - 1]) !== null ||
      name(sites[k - 1]) !== 'catch'
    )
      return false;
    const key = fnKey(by);
    if (key === this.bodyKey()) return false;
    const made = this.g.sites(p);
    // The function that made the `new Promise`.
    let at = 1;
    while (made[at] !== undefined && isNode(made[at])) at++;
    if (kind === 'new-promise' && made[at] !== undefined)
      if (fnKey(made[at]) === key) return true;
    // Or one that called it, in the same run, outside the test file (whose
    // own helpers' calls are the test's: `void start().catch(log)`).
    if (file(by) === this.testPath) return false;
    for (let i = 1; i < made.length; i++)
      if (fnKey(made[i]) === key) return true;
    return false;
  }

  /**
   * Whether `w` is Node's own `.then()` on a promise Node made, its chain's
   * end dropped: a promise handed on as a callback inside Node (undici's
   * `fetchFinale` waiting, through `finished()`, for the body stream of a
   * response nobody reads to close; `Readable.fromWeb()` and `pipeTo()`
   * watching their reader's `closed`). What the program waits on, if
   * anything, is another promise the callback would settle, drawn as its own
   * leaf (as `finished()`'s, when the `.then()` was made in the executor of
   * Node's `new Promise`; a read of the stream). Its stack's `then` is
   * Node's call (frames of Node's functions under it, before any of the
   * program's), not V8's job adopting a promise (`then` with at most the
   * loop's runner under it), and the promise's maker is Node's. Not told
   * apart: a callback of the program's that Node hands on so
   * (`stream.finished(webStream, done)`), whose wait is then not drawn.
   */
  private nodeBridge(p: Capture, w: Capture): boolean {
    if (w.moreWaits > 0 || (w.waits ?? []).some(x => !x.settled)) return false;
    const sites = this.g.sites(w);
    const top = sites[0];
    if (top === undefined || file(top) !== null || !THEN.test(name(top)))
      return false;
    const maker = this.g.sites(p).find(s => file(s) !== null);
    if (maker === undefined || !isNode(maker)) return false;
    let called = false;
    for (let i = 1; i < sites.length; i++) {
      const s = sites[i];
      // In the executor of a `new Promise` of Node's (`stream/promises`'
      // `finished()`): that promise stands for it, a leaf of its own.
      if (isPromiseConstructor(s))
        return called && sites[i + 1] !== undefined && isNode(sites[i + 1]);
      if (file(s) === null) continue;
      if (!isNode(s)) return called;
      if (!LOOP_RUNNER.test(name(s))) called = true;
    }
    return called;
  }

  /**
   * Whether a subscription is a `.then()` chain whose end nothing waits on,
   * every subscription on the way recorded.
   */
  private dangles(w: Capture, depth = 0): boolean {
    if (this.g.waitKind(w) !== 'then' || isDownlevelWait(this.g.sites(w)))
      return false;
    if (w.moreWaits > 0 || depth > 64) return false;
    for (const x of w.waits ?? [])
      if (!x.settled && !this.dangles(x, depth + 1)) return false;
    return true;
  }
}
