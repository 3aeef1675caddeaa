/**
 * What a lock's methods made that is no release, where the waiting branch
 * keeps it (locks.ts takes such a function for one otherwise): the lock's own
 * library code keeping it as it runs, V8's wrapper of a `.finally()`
 * callback, a function the branch called on its way to the wait. Each rule
 * says what a release is not; a release the program really holds that looks
 * like one of these is missed (docs/limits.md).
 */
import type {Leaf} from '../types';
import {edgeNamed} from '../heap';
import {type Branch, framesOf} from './branches';
import type {WakerContext} from './context';

/**
 * Whether the function `fn` a lock's method made, kept by branch `b` (reached
 * from `from`), is not a release the branch holds (see above).
 */
export function notARelease(
  cx: WakerContext,
  b: Branch,
  fn: number,
  from: number,
  lock: number[],
  leaf: Leaf,
): boolean {
  return (
    keptByLibraryOfLock(cx, b, fn, lock) ||
    isFinallyCallback(cx, b, from) ||
    calledOnTheWayIn(cx, fn, from, leaf)
  );
}

/**
 * Whether a function a lock's method made is kept, where the branch keeps it,
 * by the lock's own library as it runs: a local of one of its functions
 * (directly or through objects: the scope belongs to its package), or the
 * function itself, suspended at an `await` (reached from its generator).
 * Such a function is the library's own machinery (TanStack Query's
 * `addSignalProperty`, kept by its `fetch` while that awaits the query
 * function; MobX's `dispose`, kept by the promise
 * `when()` returned): the branch waits in the library's code, it has not been
 * handed a release. A lock of the program's own files is not judged so (its
 * class and the code that takes it are often one file).
 */
function keptByLibraryOfLock(
  cx: WakerContext,
  b: Branch,
  fn: number,
  lock: number[],
): boolean {
  const {ix} = cx;
  const g = ix.g;
  const library = packageName(ix.packageOf(lock[0]));
  if (library === null) return false;
  // Up through the objects keeping it (a library's options object) to the
  // code that keeps those.
  let below = fn;
  let at = b.parent.get(fn) ?? -1;
  for (let k = 0; k < 4 && at !== -1 && g.type(at) === 'object'; k++) {
    if (g.name(at) === 'system / Context' || g.name(at) === 'Generator') break;
    below = at;
    at = b.parent.get(at) ?? -1;
  }
  if (at === -1) return false;
  if (g.name(at) === 'system / Context')
    return packageName(ix.scriptOf(at)) === library;
  if (g.name(at) === 'Generator' && edgeNamed(g, at, 'function') === below) {
    const where = ix.functionAt(below);
    return packageName(where?.file ?? null) === library;
  }
  return false;
}

/**
 * Whether a function is kept, where the branch keeps it, by the scope `at`
 * of V8's own wrapper of a `.finally()` callback, which a reaction on the
 * stuck chain keeps: the lock's code reacting to the promise (a cache that
 * forgets an entry when its load settles), as a `.then()` callback is.
 */
function isFinallyCallback(cx: WakerContext, b: Branch, at: number): boolean {
  const {ix} = cx;
  const g = ix.g;
  if (g.name(at) !== 'system / Context') return false;
  const wrapper = b.parent.get(at);
  if (wrapper === undefined || wrapper === -1) return false;
  const reaction = b.parent.get(wrapper);
  return (
    g.type(wrapper) === 'closure' &&
    reaction !== undefined &&
    reaction !== -1 &&
    g.name(reaction) === 'system / PromiseReaction' &&
    ix.functionAt(wrapper) === null
  );
}

/**
 * Whether a function the branch keeps as a value (`from`: not a suspended
 * call of it) is one the branch called on its way to this wait: its frames
 * are on the leaf's path. That function made the wait (a listener
 * middleware's `api.condition`, which queues a taker and races it with a
 * signal); calling it again would queue another waiter, not give anything
 * back.
 */
function calledOnTheWayIn(
  cx: WakerContext,
  fn: number,
  from: number,
  leaf: Leaf,
): boolean {
  if (cx.ix.g.name(from) === 'Generator') return false;
  const isCall = framesOf(cx, fn);
  return isCall !== null && leaf.path.some(isCall);
}

/** `node_modules/@scope/name` of a path under `node_modules`, else null. */
function packageName(file: string | null): string | null {
  const m =
    file === null
      ? null
      : /(?:^|[\\/])node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/.exec(file);
  return m === null ? null : m[1];
}
