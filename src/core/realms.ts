/**
 * Realms of test files that have ended.
 *
 * Jest runs each test file in a vm context of its own, and loads the file's
 * modules (its node_modules too) there: their async functions make promises
 * of that realm, their callbacks are functions of that realm. What such code
 * still does after its file ended (a client's retry loop, a reconnect timer)
 * runs while a later file's tests run, and the recorder, which knows only the
 * active Root, files it under the running test. Where the dump cannot trace a
 * branch to the test's body, the realm says whose it is: an object whose
 * prototype chain ends at an ended file's `Object.prototype` was made by that
 * file's code. Nothing here runs on the hot path: a file's realm is noted at
 * its teardown, and asked about at a dump.
 *
 * What such code makes through Node's own API in the main realm (a Timeout,
 * a socket) is told by its callback where it has one of that code
 * ({@link endedFileWork}); else the dump asks about the callback that made
 * it where it can (contexts.ts). Not covered: a Timeout of
 * `timers/promises`, whose callback is Node's.
 */
import {AsyncResource} from 'node:async_hooks';
import {types} from 'node:util';

/** `Object.prototype` of each ended file's realm. */
const ended = new WeakSet<object>();

/** Longest prototype chain followed (a class hierarchy is far shorter). */
const MAX_DEPTH = 32;

/**
 * The realm's own `Object.prototype`, read from an object literal made in it
 * (a test may replace its global `Object`).
 */
export function realmOf(makeObject: () => unknown): object | null {
  const o = makeObject();
  if (typeof o !== 'object' || o === null) return null;
  return Object.getPrototypeOf(o) as object | null;
}

/** Notes that the file whose realm this is has ended (its teardown). */
export function endRealm(objectPrototype: object | null): void {
  if (objectPrototype !== null) ended.add(objectPrototype);
}

/**
 * Whether `o` (an object or a function) was made by code of a test file that
 * has ended. Proxies are not looked into (their trap would run).
 */
export function madeByEndedFile(o: unknown): boolean {
  if ((typeof o !== 'object' && typeof o !== 'function') || o === null)
    return false;
  let at: object | null = o;
  for (let depth = 0; at !== null && depth < MAX_DEPTH; depth++) {
    if (types.isProxy(at)) return false;
    const up = Object.getPrototypeOf(at) as object | null;
    if (up === null) return ended.has(at);
    at = up;
  }
  return false;
}

/**
 * The callback a context runs, if it has one: a Node Timeout's or
 * Immediate's, or a `queueMicrotask()` callback's (Node runs it in an
 * AsyncResource that keeps it as `callback`: mongodb's monitor schedules its
 * next check so).
 */
export function callbackOf(context: object): unknown {
  const t = context as {
    _onTimeout?: unknown;
    _onImmediate?: unknown;
    callback?: unknown;
  };
  if (Object.hasOwn(t, '_onImmediate')) return t._onImmediate;
  if (Object.hasOwn(t, '_onTimeout')) return t._onTimeout;
  return context instanceof AsyncResource && Object.hasOwn(t, 'callback')
    ? t.callback
    : undefined;
}

/**
 * Whether the callback that runs with `context` (a timer, an immediate, a
 * `queueMicrotask()` resource), or `context` itself (a promise), is an ended
 * file's code: what an earlier file left running, whichever way its chain
 * reached the running test (ioredis's reconnect timer, set in its refused
 * socket's 'close' listener, whose connect began in a `process.nextTick`).
 * Nothing of what an earlier file left running is missed then, even where no
 * object of it was seen open (a retry loop whose attempt began between the
 * files, its promises unrecorded).
 */
export function endedFileWork(context: object): boolean {
  return madeByEndedFile(context) || madeByEndedFile(callbackOf(context));
}
