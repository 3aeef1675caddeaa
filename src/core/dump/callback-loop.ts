/**
 * Loops of callbacks: a pending one-shot timer whose callback is a function
 * that is on the timer's own logical path. When it fires, the code that set
 * it runs again: a poll (`setTimeout(matchTime, 1000)` inside `matchTime`),
 * or a retry of a callback API (async.js's `retry` sets
 * `setTimeout(retryAttempt, …)` in the callback its attempt called). Nothing
 * recorded says whether an attempt failed (a callback's error is an
 * argument, and arguments are never read), so such a loop is said as a loop,
 * not as a retry.
 *
 * The callback is matched to a frame of the path by its name and its file
 * (V8's `[[FunctionLocation]]`, read through the inspector only for a named
 * callback whose name is on the path): two functions of one name in one file
 * are taken for one (`positionOf` says where a function is, for a test).
 * An anonymous callback (`setTimeout(() => poll())`) is not matched: the
 * loop is then found, if at all, by how many timers its stack set before
 * (dump/timer-made.ts).
 */
import {displayPath} from '../callsites';
import {
  type AnyFunction,
  type FunctionPosition,
  functionPositions,
} from '../fn-position';
import type {Frame} from '../types';
import {samePlace, samePosition} from './paths';

/** What a dump says of a loop of callbacks. */
export interface CallbackLoop {
  /** The function that runs again when the timer fires (its first frame). */
  at: Frame;
  /**
   * Times it ran along the path, this run included. A lower bound when the
   * path does not reach back to the loop's first run.
   */
  count: number;
}

/**
 * The loop the pending timer belongs to, given its callback and the path from
 * the Root to where it was set; null when its callback is not on that path.
 */
export function callbackLoop(
  callback: unknown,
  path: readonly Frame[],
  rootDir: string,
  firedBefore: (fn: AnyFunction) => boolean,
  positionOf: (fn: AnyFunction) => FunctionPosition | null = fn =>
    functionPositions([fn])[0] ?? null,
): CallbackLoop | null {
  if (typeof callback !== 'function') return null;
  const fn = callback as AnyFunction;
  const name = ownName(fn);
  if (name === null) return null;
  const first = path.findIndex(f => lastSegment(f.name) === name);
  if (first < 0) return null;
  // Entered from a timer's callback itself, the first run may have been
  // another closure of the same code (nock's wrapper `cb`, made for each
  // timer it sets): a loop only if a timer that fired had this very one.
  if (TIMER_HOP.test(path[first - 1]?.name ?? '') && !firedBefore(fn))
    return null;
  const where = positionOf(fn);
  if (where === null) return null;
  const file = displayPath(where.file, rootDir);
  const at = path.find(f => lastSegment(f.name) === name && f.file === file);
  if (at === undefined) return null;
  // Each run once: a function may be on a path at more than one line (an
  // `await`, then the call that set the timer).
  const count = path.filter(f => samePlace(f, at)).length;
  return {at, count};
}

/** The frame a path crosses a timer by (graph/contexts.ts). */
const TIMER_HOP = /^(setTimeout|setInterval|setImmediate) callback$/;

/**
 * A function's own name, as V8 names its frames: none for an anonymous or a
 * bound function (`bound f` runs `f`, whose frame is `f`'s).
 */
function ownName(fn: AnyFunction): string | null {
  let name: unknown;
  try {
    name = Object.getOwnPropertyDescriptor(fn, 'name')?.value;
  } catch {
    return null;
  }
  if (typeof name !== 'string' || name === '' || name.startsWith('bound '))
    return null;
  return name;
}

/**
 * A loop's path drawn once: each run of the loop's function started from the
 * previous run's timer, so the path passes through it again and again. Cut
 * before its second run, the frames of that hop (where the first run set its
 * timer, at the place the pending one was set) give way to the frame that
 * set the pending one.
 */
export function oneRun(path: readonly Frame[], at: Frame): Frame[] {
  const runs: number[] = [];
  path.forEach((f, i) => {
    if (samePlace(f, at)) runs.push(i);
  });
  const last = path[path.length - 1];
  if (runs.length < 2 || last === undefined) return [...path];
  const once = path.slice(0, runs[1]);
  while (once.length > 0 && samePosition(once[once.length - 1], last))
    once.pop();
  once.push(last);
  return once;
}

/** `Scheduler.matchTime` → `matchTime`; `async run` → `run`. */
function lastSegment(frameName: string): string {
  const plain = frameName.replace(/^async /, '');
  const dot = plain.lastIndexOf('.');
  return dot < 0 ? plain : plain.slice(dot + 1);
}
