/**
 * The sentences a dump says of its leaves, in one place: the facts come from
 * the wait graph and the runtime as data, the words from here. Every sentence
 * must be true of what it describes; where the evidence is partial, it says
 * what is known and stops.
 */
import type {FailedWith, Frame} from './types';

export type {FailedWith} from './types';

/** `850 ms`, `59.7 s`. */
export function duration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** "test", "hook" or "call": what the Root is, in a sentence. */
export type RootWord = 'test' | 'hook' | 'call';

/**
 * `events.once()` for Node's API `once (node:events)`; `fetch()` for a global
 * Node implements in an internal module (`fetch
 * (node:internal/bootstrap/web/exposed-window-or-worker)`): the name the
 * program called.
 */
export function shortOrigin(origin: string): string {
  const m = /^(.+) \(node:(.+)\)$/.exec(origin);
  if (!m) return origin;
  const api = PUBLIC_OF[m[2]];
  if (api !== undefined) return `${api}.${m[1].replace(/^_/, '')}()`;
  return m[2].startsWith('internal/') ? `${m[1]}()` : `${m[2]}.${m[1]}()`;
}

/**
 * Node's internal modules that are a public one's functions, each as its
 * own name (`_watch` of `internal/fs/promises` is `fs/promises.watch()`).
 */
const PUBLIC_OF: Partial<Record<string, string>> = {
  'internal/fs/promises': 'fs/promises',
};

/**
 * A pending promise the Root made: `promise`, `events.once() promise`. An
 * origin that is Node's runner of the event loop's jobs (a promise Node made
 * in a callback of its own, with no frame of the program under it) is no API
 * the program called: no "processTicksAndRejections() promise".
 */
export function promiseWhat(origin: string | null): string {
  const named = origin !== null && !LOOP_RUNNERS.test(origin);
  return `${named ? `${shortOrigin(origin)} promise` : 'promise'}, never settled`;
}

const LOOP_RUNNERS =
  /^(processTicksAndRejections|runNextTicks|processImmediate|processTimers|listOnTimeout) \(node:/;

/** Where a promise awaited by the Root was made, when not under it. */
export type MadeWhere =
  /** Not recorded at all (before the recorder saw it, over the budget). */
  | 'unrecorded'
  /** Outside any test or hook (module load, a describe block). */
  | 'outside'
  /** By another test or hook of the file. */
  | 'other-root'
  /** Not recorded, and some of the Root's work was not either (budget). */
  | 'unknown';

/**
 * What a promise made elsewhere and awaited here is, in words; `root`: what
 * awaits it (an `afterAll` hook's is "outside this hook").
 */
export function awaitedWhat(
  where: MadeWhere,
  made: {origin: string | null; fn: string | null} | null,
  root: RootWord = 'test',
): string {
  if (where === 'unrecorded')
    return `awaits a promise created before this ${root} (not recorded), never settled`;
  if (where === 'unknown')
    return `awaits a promise that was not recorded (made before this ${root}, or while stack capture was over its budget), never settled`;
  const what = made?.origin
    ? `${shortOrigin(made.origin)} promise`
    : made?.fn
      ? `promise of ${made.fn}()`
      : 'promise';
  return where === 'outside'
    ? `${what} created outside this ${root}, never settled`
    : `${what} created by another test or hook, never settled`;
}

/**
 * An `await` of an object with a `then` method that is not a native promise
 * (a promise library's, a query builder's): V8 called its `then`, and the
 * promise V8 made for the `await` never settled. Not "its then() has not
 * called back": it may have, with another thenable that has not.
 */
export const THENABLE_WHAT = 'thenable (not a native promise), never settled';

/**
 * Said of `await x` where `x` is an instance of a Promise subclass that was
 * not told apart from others of its class (graph/subclass-inputs.ts): the
 * wait is known, the instance is not.
 */
export function subclassWhat(cls: string): string {
  return `promise of the Promise subclass ${cls}, never settled (which instance is not known)`;
}

/**
 * Said of a branch of its own (a timer or handle not traced back to the
 * test) that the waker search found settling none of the stuck promises:
 * shown, not counted as stuck.
 */
export const ASIDE = 'no stuck promise found waiting on it';

/**
 * Why a promise is aside when only a library's dropped `.then()` waits on it
 * (dump/aside.ts).
 */
export const ASIDE_DROPPED =
  'nothing waits on it but a `.then()` whose result is dropped, and no stuck promise was found waiting on that';

/** Why a leaf is aside when the one promise it feeds is a deadlocked wait. */
export const ASIDE_DEADLOCK =
  'the one stuck promise found waiting on it is a deadlocked wait, which waits on its own branch';

/** The same, in a dump's header. */
export const ASIDE_DEADLOCK_SHORT =
  'only a deadlocked wait found waiting on it';

/** `setImmediate callback, not run yet`. */
export const IMMEDIATE_WHAT = 'setImmediate callback, not run yet';

/** A repeating timer: how often it ran says it is not idle. */
export function intervalWhat(
  via: string,
  delayMs: number,
  ran: number,
  firesInMs: number,
): string {
  const times = ran > 0 ? `ran ${ran} time${ran === 1 ? '' : 's'}, ` : '';
  return `${via}setInterval every ${delayMs} ms, ${times}still active, next in ${duration(firesInMs)}`;
}

/**
 * A one-shot timer. Shorter than the timeout (`busy`): set after the wait
 * began (a slow step, a retry's pause), it is not what the Root has waited on
 * all along.
 */
export function timeoutWhat(
  via: string,
  delayMs: number,
  firesInMs: number,
  timeout: {ms: number; root: RootWord} | null,
  busy: boolean,
): string {
  const limit =
    timeout === null
      ? null
      : `the ${timeout.root} timeout is ${duration(timeout.ms)}`;
  const tail =
    limit === null ? '' : busy ? `: busy, not stuck (${limit})` : `; ${limit}`;
  return `${via}setTimeout ${delayMs} ms, fires in ${duration(firesInMs)}${tail}`;
}

/** A one-shot timer set again and again along one logical stack. */
export function loopWhat(
  at: Frame,
  count: number,
  exact: boolean,
  root: RootWord,
  delayMs: number,
  firesInMs: number,
): string {
  return `loop in ${at.name} at ${at.file}:${at.line} ran ${exact ? '' : 'at least '}${count} times in this ${root}; now sleeping ${delayMs} ms (setTimeout, fires in ${duration(firesInMs)})`;
}

/**
 * A one-shot timer whose callback is a function on its own path
 * (dump/callback-loop.ts): when it fires, that function runs again.
 */
export function callbackLoopWhat(
  at: Frame,
  count: number,
  exact: boolean,
  root: RootWord,
  delayMs: number,
  firesInMs: number,
  timeout: {ms: number; root: RootWord} | null,
): string {
  const times = `${exact ? '' : 'at least '}${count} time${count === 1 && exact ? '' : 's'}`;
  const limit =
    timeout !== null && delayMs >= timeout.ms
      ? `; the ${timeout.root} timeout is ${duration(timeout.ms)}`
      : '';
  return `loop in ${at.name} at ${at.file}:${at.line}: ran ${times} in this ${root}, and runs again when this setTimeout of ${delayMs} ms fires (in ${duration(firesInMs)})${limit}`;
}

function failedWith(f: FailedWith): string {
  if (f.status !== undefined) return `an HTTP ${f.status} response`;
  if (!f.error) return `a thrown ${f.kind} (not an Error)`;
  const thrown = (e: {
    kind: string;
    code?: string;
    at?: string;
    inLibrary?: true;
    from?: string;
  }): string => {
    const kind = e.code === undefined ? e.kind : `${e.kind} ${e.code}`;
    return e.at === undefined
      ? kind
      : `${kind} thrown ${e.inLibrary === true ? 'in' : 'at'} ${e.at}${e.from !== undefined ? ` (called from ${e.from})` : ''}`;
  };
  const c = f.carrier;
  return c === undefined
    ? thrown(f)
    : `${thrown(f)}, carried in the \`${c.key}\` of ${thrown(c)}`;
}

/**
 * How many attempts of a retry loop failed (null: not known), and with what:
 * `3 attempts failed, each with TypeError`.
 */
function attemptsFailed(
  attempts: number | null,
  last: FailedWith | null,
  same: boolean | null,
): string {
  let failed: string;
  if (attempts === null)
    failed = last === null ? 'the last attempt failed' : 'the last attempt';
  else if (attempts === 1) failed = '1 attempt failed';
  else failed = `${attempts} attempts failed`;
  if (last !== null) {
    const error = failedWith(last);
    if (attempts === null) failed += ` failed with ${error}`;
    else if (attempts === 1) failed += `, with ${error}`;
    else if (same === true) failed += `, each with ${error}`;
    else if (same === false)
      failed += `, the last with ${error} (not every one with it)`;
    else failed += `, the last with ${error}`;
  }
  return failed;
}

/**
 * Where a retry loop awaits an attempt still in flight (dump/in-flight.ts):
 * which attempt it is, and how those before it failed.
 */
export function attemptWords(a: NonNullable<Frame['attempt']>): string {
  const which =
    a.failed === null
      ? 'a later attempt of a retry loop'
      : `attempt ${a.failed + 1} of a retry loop`;
  return `${which}: ${attemptsFailed(a.failed, a.last, a.same)}`;
}

/**
 * A one-shot timer armed in reaction to a failed attempt, by the code that
 * handled the failure (dump/retry.ts): a retry loop, with how many attempts
 * failed (when every timer was recorded) and what they failed with.
 */
export function retryWhat(
  at: Frame,
  attempts: number | null,
  last: FailedWith | null,
  same: boolean | null,
  delayMs: number,
  firesInMs: number,
  timeout: {ms: number; root: RootWord} | null,
): string {
  const failed = attemptsFailed(attempts, last, same);
  const limit =
    timeout !== null && delayMs >= timeout.ms
      ? `; the ${timeout.root} timeout is ${duration(timeout.ms)}`
      : '';
  return `retry loop in ${at.name} at ${at.file}:${at.line}: ${failed}; next attempt after setTimeout ${delayMs} ms, fires in ${duration(firesInMs)}${limit}`;
}

/**
 * A one-shot timer set by the events of a socket that failed, other sockets
 * made at its place having failed before it (dump/socket-retry.ts): a
 * connection retried, with how many attempts failed and with what.
 */
export function socketRetryWhat(
  at: Frame,
  attempts: number,
  exact: boolean,
  failure: string,
  same: boolean,
  delayMs: number,
  firesInMs: number,
  timeout: {ms: number; root: RootWord} | null,
): string {
  const n = `${exact ? '' : 'at least '}${attempts}`;
  const failed =
    attempts === 1 && exact
      ? `1 connection failed, with ${failure}`
      : same
        ? `${n} connections failed, each with ${failure}`
        : `${n} connections failed, the last with ${failure} (not every one with it)`;
  const limit =
    timeout !== null && delayMs >= timeout.ms
      ? `; the ${timeout.root} timeout is ${duration(timeout.ms)}`
      : '';
  return `retry loop in ${at.name} at ${at.file}:${at.line}: ${failed}; next attempt after setTimeout ${delayMs} ms, fires in ${duration(firesInMs)}${limit}`;
}

/** How the handler of a request a local server has not answered ended. */
export type HandlerEnd =
  /** A plain function: it returned, and nothing it did has answered. */
  | 'returned'
  /** An async function: it may still be running (its branch is its own). */
  | 'async'
  /**
   * A plain function: it returned, and what it started has not answered
   * (that work is drawn under the request: dump/handler-work.ts).
   */
  | 'started'
  /** Not known (several handlers, or none found). */
  | null;

/** `` `yield take(…)` ``, or `its \`yield\`` when what it calls is unknown. */
/** `its \`yield\``, `\`yield take(…)\``; `'await'`: `an \`await\``. */
function yieldWords(yields: string | null): string {
  return yields === 'await'
    ? 'an `await`'
    : yields === null
      ? 'its `yield`'
      : `\`yield ${yields}(…)\``;
}

/**
 * What a generator a runner drives is suspended at (a leaf of its own: the
 * promise of its task waits on it).
 */
export function generatorWhat(yields: string | null): string {
  return `generator, suspended at ${yieldWords(yields)}`;
}

/** The end of a waker's line: the generator in the holder's scope. */
export function suspendedWords(
  name: string | null,
  holder: string | null,
  yields: string | null,
  at: Frame,
): string {
  return `; the generator${name !== null ? ` ${name}` : ''} in the scope of ${holder ?? 'that function'} is suspended at ${yieldWords(yields)}, ${at.file}:${at.line}:${at.column}`;
}

export {serverSideWhat, tcpSideWhat, upgradedSideWhat} from './side-words';
