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

/** The same function at the same position, as the same input if any. */
export function sameFrame(a: Frame, b: Frame): boolean {
  return (
    a === b ||
    (a.file === b.file &&
      a.line === b.line &&
      a.column === b.column &&
      a.name === b.name &&
      a.combinator?.name === b.combinator?.name &&
      a.combinator?.index === b.combinator?.index)
  );
}

/**
 * How many frames `a` and `b` begin with alike (the same function at the same
 * position), at most `max`.
 */
export function sharedFrames(a: Frame[], b: Frame[], max: number): number {
  let n = 0;
  while (
    n < max &&
    n < a.length &&
    n < b.length &&
    a[n].file === b[n].file &&
    a[n].line === b[n].line &&
    a[n].column === b[n].column &&
    a[n].name === b[n].name
  )
    n++;
  return n;
}

/** Whether `path` begins with the very frames of `prefix`. */
export function startsWith(path: Frame[], prefix: Frame[]): boolean {
  if (path.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++)
    if (path[i] !== prefix[i]) return false;
  return true;
}
