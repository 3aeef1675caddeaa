/**
 * What is shown beside the stuck branches and not counted: timers, worker
 * threads and promises in branches of their own that the waker search found
 * settling none of the stuck promises, when something else is stuck.
 */
import type {Leaf, TaskDump} from '../types';
import {isStuckLeaf, stuckLeaves} from '../tree';
import {apart, ownEventWork} from './fed';
import {startsWith} from './paths';
import {webSocketClientOf} from './upgrade-peers';

/**
 * After a waker search that looked for what `searched` (timers and handles in
 * branches of their own) feed, less those found feeding one ({@link
 * nestFed}): the timers still apart feed none of the stuck promises, as far
 * as it found, and are set aside (shown, not counted), when something else is
 * stuck (a server's heartbeat, a pool's reaper), and so are the worker
 * threads (a pool's idle thread): what a worker settles comes in a message,
 * whose listener is in this heap. Not a socket, server or child process: what
 * they would settle is across a connection or a process, which a heap does
 * not show (a server whose handler hangs is what its client waits on).
 *
 * And the server's end of an open WebSocket (upgrade-peers.ts) whose
 * client's socket is so apart: a connection open between messages is no wait
 * by itself.
 *
 * And the promises in `dropped`: stuck promises that only a library's
 * `.then()` whose result is dropped waits on (graph/chain.ts: nats's
 * transport keeps `closed().then(…)` on a promise of its own, made in the
 * call the test awaits), which the search found feeding none of the stuck
 * promises: the program's bookkeeping, not how the test waits.
 */
export function markAside(
  dump: TaskDump,
  searched: readonly Leaf[],
  dropped: readonly Leaf[] = [],
): void {
  const handles = searched.filter(
    l =>
      (l.kind === 'timer' || l.kind === 'worker') &&
      l.busy !== true &&
      dump.leaves.includes(l) &&
      apart(l, dump) &&
      !underWaiting(l, dump),
  );
  const promises = dropped.filter(
    l =>
      l.kind === 'promise' &&
      l.shared === undefined &&
      dump.leaves.includes(l) &&
      isStuckLeaf(l),
  );
  // The server's end of an open WebSocket whose client's socket is in a
  // branch of its own that nothing found waits on.
  const connections = dump.leaves.filter(l => {
    const client = webSocketClientOf(l);
    return (
      client !== undefined &&
      l.waiting !== true &&
      dump.leaves.includes(client) &&
      apart(client, dump) &&
      !underWaiting(client, dump)
    );
  });
  const aside = [...handles, ...promises, ...connections];
  const others = stuckLeaves(dump).filter(l => !aside.includes(l));
  if (aside.length === 0 || others.length === 0) return;
  for (const l of [...handles, ...connections]) l.aside = true;
  for (const l of promises) {
    l.aside = true;
    l.asideWith = 'dropped';
  }
}

/**
 * Takes back what {@link markAside} set aside when nothing else is stuck any
 * more: the leaves of another Root that made something else stuck when it
 * ran (an earlier file's socket, in the same worker) were left out after the
 * search (fed.ts dropUnfed). A koa handler's awaited job, drawn under the
 * server's side, read `aside`, under a header of nothing pending.
 */
export function unmarkAlone(dump: TaskDump): void {
  if (stuckLeaves(dump).length > 0) return;
  for (const l of dump.leaves) {
    if (l.aside !== true) continue;
    if (l.asideWith !== undefined && l.asideWith !== 'dropped') continue;
    delete l.aside;
    delete l.asideWith;
  }
}

/**
 * Whether `leaf` is drawn under a promise of its branch that waits on it (a
 * timer its executor set, in a branch not traced back): a stuck promise is
 * shown waiting on it. Not a socket's own work (its keep-alive timer), drawn
 * under the socket the promise waits on.
 */
function underWaiting(leaf: Leaf, dump: TaskDump): boolean {
  return (
    dump.leaves.some(
      l =>
        l !== leaf &&
        l.kind === 'promise' &&
        l.waiting === true &&
        l.detached === leaf.detached &&
        startsWith(leaf.path, l.path),
    ) && !dump.leaves.some(l => ownEventWork(l, leaf))
  );
}

/**
 * Sets aside the timers whose callbacks do nothing ({@link Leaf.inert}) when
 * something else is stuck: nothing can wait on them. With nothing else
 * stuck, such a timer is still what the test or hook left pending (a `done`
 * test's), and stays counted. Needs no waker search.
 */
export function markInert(dump: TaskDump): void {
  const stuck = stuckLeaves(dump);
  const inert = stuck.filter(l => l.inert === true);
  if (inert.length === 0 || inert.length === stuck.length) return;
  for (const l of inert) l.aside = true;
}

/**
 * A promise drawn waiting on the branches below it (its executor made them)
 * when each of them is an HTTP server listening with no request waiting:
 * that server is not what it waits for (a `listen()` callback that never
 * calls `resolve`), and the promise is the stuck branch, searched for what
 * could settle it, instead of a dump that says nothing is stuck.
 */
export function unwaitOverIdle(dump: TaskDump): void {
  for (const l of dump.leaves) {
    if (l.waiting !== true || l.kind !== 'promise') continue;
    const under = dump.leaves.filter(
      u =>
        u !== l &&
        u.detached === l.detached &&
        u.path.length >= l.path.length &&
        startsWith(u.path, l.path),
    );
    if (under.length > 0 && under.every(u => u.idle === true)) delete l.waiting;
  }
}
