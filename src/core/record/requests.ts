/**
 * Requests of Node's callback APIs: for files (`fs.readFile(path, cb)`,
 * `fs.stat`, ...: an `FSReqCallback`), a socket's connect (`TCPConnectWrap`,
 * `PipeConnectWrap`) and a DNS lookup (`GetAddrInfoReqWrap`). Node sets each
 * one's `oncomplete` once, synchronously in the caller's call, and runs that
 * callback with the request as its async resource. A stack taken at that
 * assignment says where the request was made, so a branch made in the
 * callback goes on through it to the code that asked (graph/contexts.ts), as
 * it does through a timer. What a callback makes with `process.nextTick` (a
 * connect's 'error') knows only the request's async id, which Node gives it
 * when it is sent and takes back once the callback ran: it is noted when
 * Node reads `oncomplete`, to call it.
 *
 * One request may be made in another's callback (`readFile` opens, then
 * reads, then closes the file): each is recorded, and the chain is followed
 * to the first made by the program.
 *
 * The classes come from `process.binding()` (bindings.ts): nothing is trapped
 * under `--pending-deprecation`.
 * `fs/promises` makes no such requests (its promises are recorded).
 */
import {executionAsyncResource} from 'node:async_hooks';
import {trapFirstAssignment} from '../first-assignment';
import {bindingPrototypes} from './bindings';
import {capture, leafFrames, rec, take} from './state';
import type {Capture} from './types';

/** Where each request made under a Root was made. */
const made = new WeakMap<object, Capture>();

/**
 * The recorded requests by async id (a `process.nextTick` made in a
 * request's callback knows only that id: a connect's 'error' is emitted from
 * one). Node gives a request its id when it is sent, after `oncomplete` is
 * set, and takes it back once the callback ran: it is read when Node reads
 * `oncomplete` to call it. The oldest half is dropped when it is full.
 */
const byAsyncId = new Map<number, WeakRef<object>>();
const MAX_BY_ID = 4096;

/** Node's request classes whose `oncomplete` is trapped, by binding. */
const CLASSES = [
  ['fs', 'FSReqCallback'],
  ['tcp_wrap', 'TCPConnectWrap'],
  ['pipe_wrap', 'PipeConnectWrap'],
  ['cares_wrap', 'GetAddrInfoReqWrap'],
] as const;

function noteId(request: {getAsyncId(): unknown}): void {
  const id = request.getAsyncId();
  if (typeof id !== 'number' || id <= 0) return;
  if (byAsyncId.size >= MAX_BY_ID) {
    let drop = MAX_BY_ID / 2;
    for (const k of byAsyncId.keys()) {
      if (drop-- === 0) break;
      byAsyncId.delete(k);
    }
  }
  byAsyncId.set(id, new WeakRef(request));
}

/**
 * Makes the request's `oncomplete` an accessor of its own that notes the
 * request's async id when Node reads it (its callback is called as it was,
 * with no frame of ours on its stack).
 */
function watchCallback(request: {getAsyncId(): unknown}): void {
  let callback = (request as {oncomplete?: unknown}).oncomplete;
  Object.defineProperty(request, 'oncomplete', {
    configurable: true,
    enumerable: true,
    get() {
      noteId(request);
      return callback;
    },
    set(value: unknown) {
      callback = value;
    },
  });
}

/**
 * Requests made while no Root was active (a callback of an earlier test's
 * timer, between tests or files: proper-lockfile's update loop, whose timer's
 * callback makes an fs request whose callback sets the next timer): only the
 * context they were made in, no stack. Their callbacks may run under a later
 * Root: what they make is traced back through it to whose work it is.
 */
const madeOutside = new WeakMap<object, object>();

function onRequest(request: object): void {
  const root = rec.active;
  if (root === null) {
    const context = executionAsyncResource();
    if (context !== undefined) madeOutside.set(request, context);
    return;
  }
  if (!take(root)) return;
  made.set(
    request,
    capture(
      onRequest,
      root,
      leafFrames(),
      executionAsyncResource(),
      undefined,
      undefined,
    ),
  );
  if (typeof (request as {getAsyncId?: unknown}).getAsyncId === 'function')
    watchCallback(request as {getAsyncId(): unknown});
}

/** Starts recording requests; returns the function that stops it. */
export function recordRequests(): () => void {
  return trapFirstAssignment(
    bindingPrototypes(CLASSES, 'oncomplete'),
    onRequest,
  );
}

/**
 * Where the request whose callback ran with `context` was made, if a Root
 * recorded it.
 */
export function requestMadeAt(context: object): Capture | undefined {
  return made.get(context);
}

/**
 * The context a request whose callback ran with `context` was made in, when
 * it was made while no Root was active.
 */
export function requestMadeOutside(context: object): object | undefined {
  return madeOutside.get(context);
}

/** The recorded request with async id `id`, if it is still known. */
export function requestWithAsyncId(id: number): object | undefined {
  return byAsyncId.get(id)?.deref();
}

/**
 * What the program asked for, for a request (`fs.readFile` from the Node
 * frame that made it; a connect; a DNS lookup).
 */
export function requestApi(request: object, nodeFrame: string): string {
  switch (request.constructor.name) {
    case 'FSReqCallback':
      return nodeFrame === '' ? 'fs' : `fs.${nodeFrame}`;
    case 'GetAddrInfoReqWrap':
      return 'dns.lookup';
    default:
      return 'connect';
  }
}
