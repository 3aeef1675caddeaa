/**
 * A handle made at a line a call has passed: the call's branch in the dump
 * shows it waiting at a later line (an async function that dialled a socket
 * at its line 70 and now waits at line 73 on a promise the socket's data
 * would settle). The handle is then no part of that call's wait at the line
 * it was made: it is a branch of its own, which may feed the promise
 * (dump/fed.ts).
 */
import type {Frame, Leaf} from '../types';

/**
 * The depth at which `handle`'s branch leaves `promise`'s at a line of the
 * same call that `promise`'s branch shows further on (a socket an async
 * function dialled at its line 70, while it waits at line 73 on a promise the
 * socket's data would settle), or -1: then the handle was made at a line that
 * call has passed, and is no part of its wait now.
 */
export function passedAt(handle: Leaf, promise: Leaf): number {
  const [a, b] = [handle.path, promise.path];
  let d = 0;
  while (d < a.length && d < b.length && a[d] === b[d]) d++;
  const [x, y] = [a[d], b[d]];
  return x !== undefined &&
    y !== undefined &&
    x.name === y.name &&
    x.file === y.file &&
    x.line < y.line &&
    x.combinator?.index === y.combinator?.index
    ? d
    : -1;
}

/** `f` drawn as no input of a combinator (a copy; frames are shared). */
export function withoutCombinator(f: Frame): Frame {
  const {combinator: _, ...rest} = f;
  return rest;
}
