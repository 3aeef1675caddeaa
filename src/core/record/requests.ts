/**
 * Requests of Node's callback API for files (`fs.readFile(path, cb)`,
 * `fs.stat`, ...): each is an `FSReqCallback` whose `oncomplete` Node sets
 * once, synchronously in the caller's call, and whose callback runs with the
 * request as its async resource. A stack taken at that assignment says where
 * the request was made, so a branch made in the callback goes on through it
 * to the code that asked (graph/contexts.ts), as it does through a timer.
 *
 * One request may be made in another's callback (`readFile` opens, then
 * reads, then closes the file): each is recorded, and the chain is followed
 * to the first made by the program.
 *
 * The class comes from `process.binding('fs')`, which Node 20 to 24 still
 * allow; under `--pending-deprecation` it warns, so nothing is trapped then.
 * `fs/promises` makes no such requests (its promises are recorded).
 */
import {executionAsyncResource} from 'node:async_hooks';
import {trapFirstAssignment} from '../first-assignment';
import {capture, rec, take} from './state';
import type {Capture} from './types';

/** Where each request made under a Root was made. */
const made = new WeakMap<object, Capture>();

function requestPrototype(): object | undefined {
  if (
    process.execArgv.includes('--pending-deprecation') ||
    process.env.NODE_PENDING_DEPRECATION === '1'
  )
    return undefined;
  const bind = (
    process as unknown as {
      binding?: (name: string) => Record<string, {prototype?: object}>;
    }
  ).binding;
  try {
    return bind?.('fs').FSReqCallback?.prototype;
  } catch {
    return undefined;
  }
}

function onRequest(request: object): void {
  const root = rec.active;
  if (root === null || !take(root)) return;
  made.set(
    request,
    capture(
      onRequest,
      root,
      rec.options.maxFrames,
      executionAsyncResource(),
      undefined,
      undefined,
    ),
  );
}

/** Starts recording file requests; returns the function that stops it. */
export function recordRequests(): () => void {
  const proto = requestPrototype();
  if (proto === undefined) return () => {};
  return trapFirstAssignment([[proto, 'oncomplete']], onRequest);
}

/**
 * Where the request whose callback ran with `context` was made, if a Root
 * recorded it.
 */
export function requestMadeAt(context: object): Capture | undefined {
  return made.get(context);
}
