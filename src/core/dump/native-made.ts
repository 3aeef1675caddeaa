/**
 * Promises native code made and settles (stack/sites.ts `madeNatively`):
 * `Atomics.waitAsync()`'s, and a binding's of Node's (`fs.promises`' requests,
 * whose promise the binding makes and resolves from C++). No function of
 * JavaScript can settle them, so the waker search, which looks for what keeps
 * a promise's resolve function, would call them orphaned: what settles them
 * is said here instead, from where they were made. `Promise.withResolvers()`
 * is no such promise: its resolve function is the program's, and searched.
 */
import {type Site, callSite, file, name} from '../stack/sites';
import type {Waker} from '../types';

/**
 * What settles a promise made natively under the frame `top`, and what to
 * call the promise when nothing else names it; undefined for any other
 * promise.
 *
 * @example
 * nativeMade(site); // for `await fs.promises.readFile(fifo)`:
 * // {waker: {kind: 'native', what: "made by Node's file-system binding in
 * //   open (node:internal/fs/promises): it settles when that request
 * //   returns from libuv's thread pool, and it has not", …}}
 */
export function nativeMade(
  top: Site | undefined,
): {waker: Waker; what?: string} | undefined {
  if (top === undefined) return undefined;
  const f = file(top);
  if (f === null)
    return name(top) === 'waitAsync'
      ? {
          what: 'Atomics.waitAsync() promise, never settled',
          waker: {
            kind: 'native',
            what: 'settles when Atomics.notify() wakes this wait on its shared memory, or when the timeout given to Atomics.waitAsync() passes, if one was given',
            short: 'waits for Atomics.notify()',
          },
        }
      : undefined;
  if (!f.startsWith('node:')) return undefined;
  const fn = callSite(top).getFunctionName() ?? 'a function';
  const module = f.slice('node:'.length);
  if (module.startsWith('internal/fs/'))
    return {
      waker: {
        kind: 'native',
        what: `made by Node's file-system binding in ${fn} (${f}): it settles when that request returns from libuv's thread pool, and it has not`,
        short: `a file-system request (${fn}) not returned`,
      },
    };
  return {
    waker: {
      kind: 'native',
      what: `made by a binding of Node's in ${fn} (${f}): it settles when Node's native side completes that request, and it has not`,
      short: `a request of Node's (${fn}) not completed`,
    },
  };
}
