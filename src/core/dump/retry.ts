/**
 * Retry loops, recognised from what was recorded: a one-shot timer armed in
 * the reaction to a failed attempt. The recorder keeps, for each timer, the
 * async resource whose callback was running when it was set (its context):
 * the promise of an `await` that resumed, of a `.then`/`.catch` whose
 * callback ran. When that subscription's promise rejected, the timer was
 * armed by the code that handled the failure: the function resumed in its
 * `catch` (directly, or after more `await`s of its own), or the rejection
 * handler. That code is the retry loop, and the failure is the attempt's.
 *
 * An attempt that catches its own failure and returns it (cockatiel's
 * `invoke`, fulfilled with `{error}`; a `[err, value]` pair) counts as
 * failed when the value it fulfilled with keeps an error in an own data
 * property (settled.ts `carried`); so does a fetch that fulfilled with a
 * Response of an error's status (openai's client retrying a 503).
 *
 * A callback that got its error from anything but a promise (an I/O callback
 * called with an error) leaves nothing recorded that says it failed: its
 * timer is not called a retry.
 */
import {displayPath} from '../callsites';
import {type Capture, isTimerPending} from '../record';
import {timerApi} from '../graph/walk';
import type {WaitGraph} from '../graph/graph';
import {file, firstOwnSite, fnKey, isNode, name} from '../stack/sites';
import type {Frame} from '../types';
import type {FailedWith} from '../words';
import type {DumpContext} from './context';
import type {FrameMaker} from './frames';
import {type Reason, type State, SettledReader} from './settled';
import {samePlace, samePosition} from './paths';

/** `await`s of one function followed back from a timer, at most. */
const MAX_STEPS = 8;

/**
 * Earlier pauses of a loop looked at, at most (the latest ones): each costs
 * reading what its attempt was rejected with (about 0.5 ms). Past it, the
 * count is unknown.
 */
const MAX_EARLIER = 64;

/** What a dump says of a retry loop. */
export interface RetryFacts {
  /**
   * The code that handled the failure: where the function resumed in its
   * `catch` awaited the attempt, or the rejection handler.
   */
  at: Frame;
  /**
   * Failed attempts along this timer's stack in the Root, this one included;
   * null when some timers were not recorded (the count is unknown).
   */
  attempts: number | null;
  /** Attempts counted (a lower bound when `attempts` is null). */
  counted: number;
  /** What the last attempt failed with, when it could be read. */
  last: FailedWith | null;
  /**
   * True when every counted attempt failed with what the last did, false
   * when one is known to have failed otherwise, null when not all are known.
   */
  same: boolean | null;
}

/** Recognises retry loops in one dump (see the module comment). */
export class Retries {
  private readonly states = new Map<object, State>();
  private readonly reasons = new Map<object, Reason | null>();
  private readonly reader = new SettledReader();
  private readonly failed = new Map<Capture, Capture | null>();
  private readonly failedViaHelper = new Map<Capture, Capture | null>();
  /** States that could not be read (no inspector, over its budget). */
  private unread = 0;
  /** Fired one-shot timers: the first `seq` set in each context's run. */
  private firedByContext: Map<object, number> | undefined;

  constructor(
    private readonly g: WaitGraph,
    private readonly frames: FrameMaker,
    private readonly ctx: DumpContext,
  ) {}

  /**
   * The retry loop a pending one-shot timer belongs to, or null when it was
   * not armed after a failed attempt. `earlier`: the timers that already ran
   * along the same logical stack (the loop's earlier pauses).
   */
  of(timer: Capture, earlier: readonly Capture[]): RetryFacts | null {
    let helper = false;
    let attempt = this.failedAttempt(timer, false);
    // A `catch` that calls a helper which awaits, then sleeps (the AWS SDK's
    // refreshRetryTokenForRetry): what the helper's call was made in is what
    // follows the failure, in its `catch` or after it; taken for a retry only
    // when an earlier pause of the same stack was armed the same way, a loop.
    if (attempt === null && earlier.length > 0) {
      attempt = this.failedAttempt(timer, true);
      if (
        attempt !== null &&
        !earlier.some(t => this.failedAttempt(t, true) !== null)
      )
        attempt = null;
      helper = true;
    }
    if (attempt === null || this.pausedSince(attempt, timer)) return null;
    const at =
      this.g.waitKind(attempt) === 'await'
        ? this.where(attempt)
        : (this.handler(timer) ?? this.where(attempt));
    if (at === null) return null;
    const last = this.failure(attempt);
    let counted = 1;
    let differs = false;
    let unknown = false;
    const unread = this.unread;
    const over = earlier.length > MAX_EARLIER;
    for (const t of over ? earlier.slice(-MAX_EARLIER) : earlier) {
      const a = this.failedAttempt(t, helper);
      if (a === null) continue;
      counted++;
      const f = this.failure(a);
      if (f === null || last === null) unknown = true;
      else if (!sameFailure(f, last)) differs = true;
    }
    return {
      at,
      // An earlier pause whose attempt could not be read may be one more.
      attempts:
        this.g.undercounted || over || this.unread > unread ? null : counted,
      counted,
      last,
      same: differs ? false : unknown ? null : true,
    };
  }

  /**
   * The subscription whose rejection the timer was armed in reaction to:
   * followed back through the `await`s of one function (a `catch` block that
   * awaits before it sleeps), up to the one whose promise rejected; with
   * `helper`, through those of one more function, whose first run the first
   * one's call was made in (a helper the `catch` called).
   */
  private failedAttempt(timer: Capture, helper: boolean): Capture | null {
    const cache = helper ? this.failedViaHelper : this.failed;
    let found = cache.get(timer);
    if (found !== undefined) return found;
    found = null;
    let context = timer.context;
    let fn: string | null = null;
    let calls = helper ? 2 : 1;
    for (let i = 0; i < MAX_STEPS; i++) {
      const s = this.g.promiseContext(context);
      if (s === undefined || s.awaits === undefined || s.awaited === undefined)
        break;
      const top = firstOwnSite(this.g.sites(s));
      if (top === undefined) break;
      const k = fnKey(top);
      if (k !== fn && --calls < 0) break;
      fn = k;
      const state = this.state(s.awaited);
      const kind = this.g.waitKind(s);
      if (state === 'rejected') {
        // The code resumed in its `catch`, or a rejection handler.
        if (kind === 'await' || kind === 'then') found = s;
        break;
      }
      // An attempt that caught its failure and returned it (cockatiel's
      // `{error}`), or a fetch answered with an error's status, awaited or
      // handled by a `.then` callback (fetch-retry's): the pause after it is
      // the loop's. Or a fulfilled `await` of the same function: its `catch`
      // went on.
      if (state !== 'fulfilled' || (kind !== 'await' && kind !== 'then')) break;
      if (this.reason(s.awaited) !== null) {
        found = s;
        break;
      }
      if (kind !== 'await') break;
      // Unless a timer set in the run that made this `await` has fired: a
      // pause that ended, and what came after it is the next attempt (its
      // request's timeout is no pause).
      if (this.firedBefore(s.context, s.seq)) break;
      context = s.context;
    }
    cache.set(timer, found);
    return found;
  }

  /**
   * Whether a pause armed in reaction to the failure `attempt` has fired
   * before `timer` was set: a one-shot timer set between the two whose own
   * walk back (directly, or through a helper the `catch` called) reaches the
   * same failure. `timer` was then set by the next attempt (its request's
   * timeout), not as the pause.
   */
  private pausedSince(attempt: Capture, timer: Capture): boolean {
    for (const [t, c] of this.g.timers) {
      if (c.seq <= attempt.seq || c.seq >= timer.seq) continue;
      if (isTimerPending(t) || timerApi(t) !== 'setTimeout') continue;
      if (
        this.failedAttempt(c, false) === attempt ||
        this.failedAttempt(c, true) === attempt
      )
        return true;
    }
    return false;
  }

  /**
   * Whether a one-shot timer set while `context`'s callback ran, before the
   * capture `seq`, has fired.
   */
  private firedBefore(context: object | undefined, seq: number): boolean {
    if (context === undefined) return false;
    let by = this.firedByContext;
    if (by === undefined) {
      by = this.firedByContext = new Map();
      for (const [t, c] of this.g.timers) {
        if (isTimerPending(t) || timerApi(t) !== 'setTimeout') continue;
        if (c.context === undefined) continue;
        const first = by.get(c.context);
        if (first === undefined || c.seq < first) by.set(c.context, c.seq);
      }
    }
    const first = by.get(context);
    return first !== undefined && first < seq;
  }

  private state(p: object): State {
    let s = this.states.get(p);
    if (s === undefined) {
      s = this.reader.state(p);
      this.states.set(p, s);
      if (s === null) this.unread++;
    }
    return s;
  }

  /** Why an attempt failed: its rejection, or the error its value carries. */
  private reason(p: object): Reason | null {
    let r = this.reasons.get(p);
    if (r === undefined) this.reasons.set(p, (r = this.read(p)));
    return r;
  }

  private read(p: object): Reason | null {
    return this.state(p) === 'fulfilled'
      ? this.reader.carried(p)
      : this.reader.reason(p);
  }

  /** Ends the inspector session, if one was opened. */
  close(): void {
    this.reader.close();
  }

  /**
   * The rejection handler that armed the timer: the outermost frame of the
   * program on its stack (a promise's reaction runs with nothing below it).
   */
  private handler(timer: Capture): Frame | null {
    const sites = this.g.sites(timer);
    for (let i = sites.length - 1; i >= 0; i--) {
      const x = sites[i];
      const f = file(x);
      if (f === null || isNode(x) || this.ctx.isMachinery(f)) continue;
      return this.frames.frame(x, name(x));
    }
    return null;
  }

  /** The frame that awaited (or chained on) the failed attempt. */
  private where(s: Capture): Frame | null {
    for (const x of this.g.sites(s)) {
      const f = file(x);
      if (f === null || isNode(x) || this.ctx.isMachinery(f)) continue;
      return this.frames.frame(x, name(x));
    }
    return null;
  }

  /** What a failed attempt's promise rejected with, as far as it is known. */
  private failure(s: Capture): FailedWith | null {
    const reason = s.awaited === undefined ? null : this.reason(s.awaited);
    if (reason === null) return null;
    if (reason.type !== 'object') return {kind: reason.type, error: false};
    if (reason.status !== undefined)
      return {kind: 'Response', status: reason.status, error: false};
    const {carrier} = reason;
    return {
      kind: reason.cls ?? 'an object',
      ...(reason.code !== undefined ? {code: reason.code} : {}),
      error: true,
      ...thrownAt(reason.frames, this.ctx.rootDir, this.ctx.isMachinery),
      ...(carrier !== undefined
        ? {
            carrier: {
              key: carrier.key,
              kind: carrier.cls ?? 'an object',
              ...thrownAt(carrier.frames, this.ctx.rootDir, () => false),
            },
          }
        : {}),
    };
  }
}

/**
 * Where an error was thrown, from its stack's lines: its first frame, when
 * that is the project's (outside node_modules); when it is a library's, that
 * frame, and the first of the project's after it as the call it came out of
 * (`from`). An `async` frame is a caller suspended at an `await`, not where it
 * was thrown, so it is only ever `from` (the AWS SDK's errors reach the
 * test's `await s3.send()`). V8 writes `at async`, which Jest's stack
 * formatter drops; the frames after Node's microtask loop
 * (`processTicksAndRejections`) are such callers too.
 */
export function thrownAt(
  lines: readonly string[],
  rootDir: string,
  isMachinery: (file: string) => boolean,
): {at?: string; inLibrary?: true; from?: string} {
  let library: string | undefined;
  let awaiting = false;
  for (const l of lines) {
    const m = POSITION.exec(l);
    if (m === null) continue;
    const f = m[1];
    if (f === 'node:internal/process/task_queues') awaiting = true;
    if (f.startsWith('node:') || isMachinery(f)) continue;
    const at = `${displayPath(f, rootDir)}:${m[2]}:${m[3]}`;
    const project = !/[\\/]node_modules[\\/]/.test(f);
    if (project && library !== undefined)
      return {at: library, inLibrary: true, from: at};
    if (project && !awaiting && !/^\s*at async /.test(l)) return {at};
    if (!project) library ??= at;
  }
  return library === undefined ? {} : {at: library, inLibrary: true};
}

// `at f (file:1:2)`, `at file:1:2`, `at async f (file:1:2)`.
const POSITION = /(?:\(|^at (?:async )?)([^()\s][^()]*):(\d+):(\d+)\)?$/;

function sameFailure(a: FailedWith, b: FailedWith): boolean {
  return (
    a.kind === b.kind &&
    a.code === b.code &&
    a.status === b.status &&
    a.error === b.error &&
    a.at === b.at
  );
}

/**
 * A retry loop's path drawn once: a loop of callbacks (each attempt started
 * from the previous pause's timer) goes back through every attempt to the
 * first, passing again and again through the frame that sets the pause. The
 * path is cut at its first pass through the frame that set the pending timer
 * (its last frame); a path that passes there once is left as it is. A pass
 * drawn as the timer's hop (`setTimeout callback` at the place the callback
 * was set: a connection retried from its socket's 'close') counts too, and
 * gives way to the frame that set the pending timer.
 */
export function firstPass(path: readonly Frame[]): Frame[] {
  const last = path[path.length - 1];
  if (last === undefined) return [...path];
  const first = path.findIndex(f => samePosition(f, last));
  if (samePlace(path[first], last)) return path.slice(0, first + 1);
  return [...path.slice(0, first), last];
}
