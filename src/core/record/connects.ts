/**
 * Sockets connected by `new net.Socket().connect()` (pg's, mysql's): Node
 * publishes the sockets `net.connect()` makes ('net.client.socket'), not
 * these. Every connect() gives its socket a native handle (a TCP or Pipe
 * wrap), makes the socket the handle's owner, then sets the handle's `onread`,
 * synchronously in the caller's call: an accessor on those handles'
 * prototypes, which passes each assignment on to Node's own (the handle keeps
 * it inside), sees it with the caller on the stack.
 *
 * `onread` is set on other handles too, each of which is left out: a socket
 * made around a handle it was given (a server's accepted connection, a
 * child's stdio) sets it in its constructor, before `_pendingData`, the last
 * field that constructor makes; a destroyed socket sets it to a no-op.
 *
 * The handle classes come from `process.binding()` (bindings.ts): nothing is
 * trapped under `--pending-deprecation` (net.connect()'s sockets are still
 * published).
 */
import {trapInheritedAssignment} from '../first-assignment';
import {ownerOf} from '../node-symbols';
import {bindingPrototypes} from './bindings';

/** The native handles connect() sets the `onread` of. */
const HANDLES = [
  ['tcp_wrap', 'TCP'],
  ['pipe_wrap', 'Pipe'],
] as const;

/**
 * Calls `onSocket(socket, cutAt)` in each connect() of a socket Node made
 * without a handle (`cutAt`: the function above the caller's frames, for a
 * stack); returns the function that stops it.
 */
export function interceptConnects(
  onSocket: (socket: object, cutAt: (...args: never[]) => unknown) => void,
): () => void {
  const seen = new WeakSet<object>();
  return trapInheritedAssignment(
    bindingPrototypes(HANDLES, 'onread'),
    (handle, setter) => {
      if (seen.has(handle)) return;
      seen.add(handle);
      const socket = ownerOf(handle) as
        {destroyed?: unknown; _handle?: unknown} | undefined;
      if (
        socket === undefined ||
        socket._handle !== handle ||
        socket.destroyed === true ||
        !Object.prototype.hasOwnProperty.call(socket, '_pendingData')
      )
        return;
      onSocket(socket, setter);
    },
  );
}
