/**
 * A wait in a lock's queue inside a call of a function that is already
 * running further up the same branch, suspended past this wait (a function
 * that takes a lock, then waits, in its critical section, on another call of
 * itself). When the lock keeps nothing a branch holds (async-sema: `acquire()`,
 * and `release()` called by the holder itself), who holds it is not known;
 * this shape is said, as what it is: the outer call took this same wait (or
 * skipped it) and has not returned. Read from the leaf's path only.
 */
import type {Frame, Leaf} from '../types';

const LIBRARY = /(^|[\\/])node_modules[\\/]/;

/**
 * The innermost frame of the program on the leaf's path, and a frame further
 * up of the same named function in the same file, suspended at a later
 * position; undefined when there is none.
 */
export function reenteredAbove(
  leaf: Leaf,
): {outer: Frame; inner: Frame} | undefined {
  const path = leaf.path;
  let at = -1;
  for (let i = path.length - 1; i >= 0; i--)
    if (!LIBRARY.test(path[i].file) && !path[i].file.startsWith('node:')) {
      at = i;
      break;
    }
  if (at <= 0) return undefined;
  const inner = path[at];
  // Two anonymous functions of a file are not one function.
  if (inner.name === '<anonymous>') return undefined;
  for (let k = at - 1; k >= 0; k--) {
    const outer = path[k];
    if (
      outer.name === inner.name &&
      outer.file === inner.file &&
      (outer.line > inner.line ||
        (outer.line === inner.line && outer.column > inner.column))
    )
      return {outer, inner};
  }
  return undefined;
}
