/**
 * Comparing leaves' paths: the very frames (a branch drawn under another
 * shares its frames), or frames alike (the same function at the same
 * position, as the same combinator's input).
 */
import type {Frame, Leaf} from '../types';

/** Whether two leaves have the same path. */
export function samePath(a: Leaf, b: Leaf): boolean {
  return a.path.length === b.path.length && startsWith(a.path, b.path);
}

/** The same position (file, line, column). */
export function samePosition(a: Frame, b: Frame): boolean {
  return a.file === b.file && a.line === b.line && a.column === b.column;
}

/** The same function at the same position. */
export function samePlace(a: Frame, b: Frame): boolean {
  return a.name === b.name && samePosition(a, b);
}

/** The same function at the same position, as the same input if any. */
export function sameFrame(a: Frame, b: Frame): boolean {
  return (
    a === b ||
    (samePlace(a, b) &&
      a.combinator?.name === b.combinator?.name &&
      a.combinator?.index === b.combinator?.index)
  );
}

/**
 * How many frames `a` and `b` begin with alike (`same`: the same function at
 * the same position unless told), at most `max`.
 */
export function sharedFrames(
  a: Frame[],
  b: Frame[],
  max: number,
  same: (x: Frame, y: Frame) => boolean = samePlace,
): number {
  let n = 0;
  while (n < max && n < a.length && n < b.length && same(a[n], b[n])) n++;
  return n;
}

/** Whether `path` begins with the very frames of `prefix`. */
export function startsWith(path: Frame[], prefix: Frame[]): boolean {
  if (path.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++)
    if (path[i] !== prefix[i]) return false;
  return true;
}
