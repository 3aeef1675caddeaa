/**
 * What a connection's server side is stuck on: a branch that began in a
 * callback of a socket a server of this process accepted (its 'data': a
 * WebSocket's message handler, a protocol's request handler) could not be
 * traced back to the test (nothing records those sockets), and is drawn
 * apart, "async chain broken by a callback". Which socket is known
 * (graph/contexts.ts): once a joiner draws that connection's server side
 * under its client (tcp-peers.ts, upgrade-peers.ts), such a branch moves
 * under that side, as what it waits on: one hang, one branch.
 */
import type {Leaf} from '../types';

/** The accepted socket each such leaf's branch began in. */
const began = new WeakMap<Leaf, object>();

/** Notes that `leaf`'s branch began in a callback of `socket`. */
export function noteConnectionWork(leaf: Leaf, socket: object): void {
  began.set(leaf, socket);
}

/**
 * Moves the detached leaves whose branch began in a callback of `socket`
 * under `side` (the server's side of that connection); whether any moved.
 */
export function moveConnectionWork(
  leaves: readonly Leaf[],
  side: Leaf,
  socket: object,
): boolean {
  let moved = false;
  for (const l of leaves) {
    if (l === side || !l.detached || began.get(l) !== socket) continue;
    l.path = [...side.path, ...l.path];
    l.detached = side.detached;
    began.delete(l);
    moved = true;
  }
  return moved;
}
