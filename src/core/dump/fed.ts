/**
 * One hang, one branch: a timer, socket, server or child process drawn in a
 * branch of its own (one made in a callback that could not be traced back)
 * is moved under the promise it feeds, as what that promise waits on, when
 * the waker search found that promise's resolve function kept behind it
 * (wakers/feeds.ts). What hangs below it (the server's side of a socket's
 * connection, dump/peers.ts) moves with it. The promise then waits on the
 * branch below it: shown, not counted again.
 */
import type {Frame, Leaf, TaskDump} from '../types';

/** Moves each fed handle's branch under the promise it feeds. */
export function nestFed(
  dump: TaskDump,
  feeds: ReadonlyArray<{handle: Leaf; promise: Leaf}>,
): void {
  for (const {handle, promise} of feeds) {
    if (!handle.detached || handle === promise) continue;
    const prefix = handle.path;
    const moved = dump.leaves.filter(
      l => l.detached && startsWith(l.path, prefix),
    );
    if (!moved.includes(handle) || moved.includes(promise)) continue;
    for (const l of moved) {
      l.path = [...promise.path, ...l.path];
      l.detached = promise.detached;
    }
    promise.waiting = true;
    // Drawn in the order of the tree's paths: right after the promise.
    const rest = dump.leaves.filter(l => !moved.includes(l));
    rest.splice(rest.indexOf(promise) + 1, 0, ...moved);
    dump.leaves.splice(0, dump.leaves.length, ...rest);
  }
}

/** Whether `path` begins with the very frames of `prefix`. */
function startsWith(path: Frame[], prefix: Frame[]): boolean {
  if (path.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++)
    if (path[i] !== prefix[i]) return false;
  return true;
}
