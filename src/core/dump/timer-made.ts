/**
 * What a pending timer is to the Root, in one line: an immediate; an
 * interval and how often it ran; a retry loop (a one-shot timer armed in
 * reaction to a failed attempt: dump/retry.ts); a loop that keeps setting
 * one-shot timers along one logical stack (a poll, a live-lock); a one-shot
 * timer that fires before the timeout (busy) or after it. An unref'd timer
 * Node made for another API is none of its business.
 */
import {type Capture, isTimerPending} from '../record';
import {file, isNode, originOf, position} from '../stack/sites';
import type {Frame, Leaf} from '../types';
import type {WaitGraph} from '../graph/graph';
import {type Walker, timerApi} from '../graph/walk';
import {
  type RootWord,
  IMMEDIATE_WHAT,
  intervalWhat,
  callbackLoopWhat,
  loopWhat,
  retryWhat,
  socketRetryWhat,
  timeoutWhat,
} from '../words';
import type {DumpContext} from './context';
import type {Retries} from './retry';
import {callbackLoop} from './callback-loop';
import {undiciTimer} from './fetch-sockets';
import {failureWords, socketRetry} from './socket-retry';

/** How a timer `timers/promises` made begins its words. */
export const TIMERS_PROMISES = 'timers/promises ';

/**
 * One-shot timers set at one place before the pending one, for a live-lock
 * (a loop that ran 4 times or more).
 */
const LOOP_MIN = 3;

export type Made = Pick<Leaf, 'kind' | 'what'> &
  Partial<Pick<Leaf, 'timer' | 'busy' | 'loop' | 'waiting' | 'inert'>> & {
    retry?: true;
    /** A loop of callbacks (dump/callback-loop.ts): drawn once. */
    again?: Frame;
  };

/** Says what each pending timer of one dump is (see the module comment). */
export class TimerMade {
  private firedAlong: Map<string, Capture[]> | undefined;

  constructor(
    private readonly g: WaitGraph,
    private readonly walker: Walker,
    private readonly ctx: DumpContext,
    private readonly retries: Retries,
    private readonly rootWord: RootWord,
  ) {}

  /**
   * What the pending `timer`, made at `c`, is to the Root (null: none of
   * its business).
   */
  of(timer: object, c: Capture): Made | null {
    const made = this.made(timer, c);
    // A callback that does nothing settles nothing: a timer kept only to
    // keep the process alive (grpc's `setInterval(() => {}, …)` while calls
    // are pending) is no wait (dump/aside.ts markInert).
    return made !== null &&
      made.kind === 'timer' &&
      doesNothing((timer as {_onTimeout?: unknown})._onTimeout)
      ? {...made, inert: true}
      : made;
  }

  private made(timer: object, c: Capture): Made | null {
    const t = timer as {_idleTimeout?: number; _repeat?: number | null};
    const api = timerApi(timer);
    if (api === 'setImmediate')
      return {kind: 'immediate', what: IMMEDIATE_WHAT};
    // An unref'd timer Node made for another API (a socket's idle timeout),
    // or the undici package (the same as Node's bundled one's), is that API's
    // business, not something the test waits on.
    const sites = this.g.sites(c);
    const origin = originOf(sites);
    const internal =
      (origin !== null && !/\(node:timers(\/promises)?\)$/.test(origin)) ||
      undiciTimer(sites);
    const hasRef = (timer as {hasRef?: () => boolean}).hasRef;
    if (internal && typeof hasRef === 'function' && !hasRef.call(timer))
      return null;
    // Node keeps a delay as given (2032.15, a jittered backoff's).
    const delayMs =
      typeof t._idleTimeout === 'number' ? Math.round(t._idleTimeout) : 0;
    const repeat = typeof t._repeat === 'number';
    const via = origin?.includes('node:timers/promises') ? TIMERS_PROMISES : '';
    // Timers are armed when set (intervals re-armed when they fire).
    const since = this.ctx.now - c.at;
    const firesInMs = Math.max(
      0,
      Math.round(
        repeat && delayMs > 0 ? delayMs - (since % delayMs) : delayMs - since,
      ),
    );
    const timer_ = {delayMs, repeat, firesInMs};
    if (repeat) {
      const ran = delayMs > 0 ? Math.floor(since / delayMs) : 0;
      return {
        kind: 'timer',
        what: intervalWhat(via, delayMs, ran, firesInMs),
        timer: timer_,
      };
    }
    const timeoutMs = this.ctx.timeoutMs;
    const timeout =
      timeoutMs === null ? null : {ms: timeoutMs, root: this.rootWord};
    // Armed after a failed attempt, by the code that handled it: a retry.
    const fired = this.firedBefore(c);
    const retry = this.retries.of(c, fired);
    if (retry !== null) {
      const {at, attempts, counted, last, same} = retry;
      return {
        kind: 'timer',
        what: retryWhat(at, attempts, last, same, delayMs, firesInMs, timeout),
        timer: timer_,
        loop: {count: counted, at, exact: attempts !== null, retry: true},
        retry: true,
      };
    }
    const path = this.walker.walk(c, 1)[0]?.path ?? [];
    // Set by the events of a socket that failed: a connection retried.
    const setter = path[path.length - 1];
    const sockets = setter === undefined ? null : socketRetry(this.g, c);
    if (sockets !== null && setter !== undefined) {
      const {attempts, exact, last, same} = sockets;
      return {
        kind: 'timer',
        what: socketRetryWhat(
          setter,
          attempts,
          exact,
          failureWords(last),
          same,
          delayMs,
          firesInMs,
          timeout,
        ),
        timer: timer_,
        loop: {count: attempts, at: setter, exact, retry: true},
        retry: true,
      };
    }
    // Its callback is a function on its own path: that code runs again.
    const again = callbackLoop(
      (timer as {_onTimeout?: unknown})._onTimeout,
      path,
      this.ctx.rootDir,
      fn => this.firedWith(fn, timer),
    );
    if (again !== null) {
      const exact = !this.g.undercounted;
      return {
        kind: 'timer',
        what: callbackLoopWhat(
          again.at,
          again.count,
          exact,
          this.rootWord,
          delayMs,
          firesInMs,
          timeout,
        ),
        timer: timer_,
        loop: {count: again.count, at: again.at, exact},
        again: again.at,
      };
    }
    // The same logical stack set LOOP_MIN timers before this one: the loop is
    // why it never ends, shown at the function that loops (the outermost
    // frame below the `await`s of its callers).
    const earlier = fired.length;
    if (earlier >= LOOP_MIN) {
      // The innermost function suspended at an `await`: it is resumed each
      // time round.
      let resumed = -1;
      for (let i = path.length - 1; i >= 0 && resumed < 0; i--)
        if (path[i].async) resumed = i;
      if (resumed >= 0) {
        const f = path[resumed];
        const exact = !this.g.undercounted;
        return {
          kind: 'timer',
          what: loopWhat(
            f,
            earlier + 1,
            exact,
            this.rootWord,
            delayMs,
            firesInMs,
          ),
          timer: timer_,
          loop: {count: earlier + 1, at: f, exact},
        };
      }
    }
    const busy = timeoutMs !== null && delayMs < timeoutMs;
    return {
      kind: 'timer',
      what: timeoutWhat(via, delayMs, firesInMs, timeout, busy),
      timer: timer_,
      ...(busy ? {busy: true} : {}),
    };
  }

  /**
   * One-shot timers of the family that already fired (or were cleared),
   * counted by the logical stack they were set along: a loop that keeps
   * setting them (a retry, a poll) is live, yet never gets anywhere.
   */
  firedBefore(c: Capture): readonly Capture[] {
    let along = this.firedAlong;
    if (along === undefined) {
      along = this.firedAlong = new Map();
      for (const [t, tc] of this.g.timers) {
        if (isTimerPending(t) || timerApi(t) !== 'setTimeout') continue;
        const k = this.stackKey(tc);
        const list = along.get(k);
        if (list === undefined) along.set(k, [tc]);
        else list.push(tc);
      }
    }
    return along.get(this.stackKey(c)) ?? [];
  }

  /**
   * Whether a timer of the Root other than `timer` fired with `fn` as its
   * callback (Node keeps a fired timer's callback; a cleared one's is gone).
   */
  private firedWith(fn: unknown, timer: object): boolean {
    for (const t of this.g.timers.keys())
      if (
        t !== timer &&
        !isTimerPending(t) &&
        (t as {_onTimeout?: unknown})._onTimeout === fn
      )
        return true;
    return false;
  }

  /** A capture's logical stack as a key: its user frames, up to the Root. */
  private stackKey(c: Capture): string {
    let k = '';
    for (const s of this.g.sites(c)) {
      const f = file(s);
      if (f === null || isNode(s)) continue;
      if (this.ctx.isRunner(f)) break;
      if (!this.ctx.isMachinery(f)) k += `${f}:${position(s)}>`;
    }
    return k;
  }
}

/**
 * Whether `fn` is a function literal with an empty body (`() => {}`,
 * `function () {}`), read from its source (`Function.prototype.toString`,
 * never called). A native or bound function is not.
 */
export function doesNothing(fn: unknown): boolean {
  if (typeof fn !== 'function') return false;
  let source: string;
  try {
    source = Function.prototype.toString.call(fn);
  } catch {
    return false;
  }
  return EMPTY.test(source);
}

const EMPTY =
  /^(?:async\s*)?(?:function\s*[\w$]*\s*\([^()]*\)|\([^()]*\)\s*=>|[\w$]+\s*=>)\s*\{\s*\}$/;
