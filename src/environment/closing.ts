/**
 * What is closing at a file's end, so that its list of what was left open
 * waits for it (leaks.ts): read from Node's fields, live.
 */
import {peerDestroyed} from '../core/record';

/**
 * Whether an object on the list is told to close and has not yet: a child
 * sent a kill signal, a socket ended or being destroyed on our side, a server
 * that stopped listening; or a client socket (or a request's) whose other
 * end, a socket a server of this process accepted, is destroyed (an
 * `afterAll`'s `closeAllConnections()`): it reads the end of its connection
 * a moment later, on a busy machine more than the list's quiet 50 ms.
 */
export function closing(o: object): boolean {
  const x = o as Record<string, unknown>;
  if (x.killed === true) return true;
  if (x.writableEnded === true && x.destroyed !== true) return true;
  if ('listening' in x && x.listening === false) return true;
  const socket =
    typeof x.socket === 'object' && x.socket !== null ? x.socket : o;
  return (
    (socket as {destroyed?: unknown}).destroyed !== true &&
    peerDestroyed(socket)
  );
}
