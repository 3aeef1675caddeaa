/** Asking a promise of any realm whether it is still pending. */
import {inspect} from 'node:util';

/**
 * Whether a promise (of any realm) is still pending. JavaScript has no query
 * for it; `util.inspect` shows the state, and with depth 0, no custom
 * inspection and no string contents, it formats nothing of the program's
 * values beyond the first level.
 */
export function isPending(p: object): boolean {
  return inspect(p, {
    depth: 0,
    customInspect: false,
    maxStringLength: 0,
    maxArrayLength: 0,
    breakLength: Infinity,
  }).includes('<pending>');
}
