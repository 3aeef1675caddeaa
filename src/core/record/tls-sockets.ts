/**
 * TLS sockets a client makes (`tls.connect()`, and so an `https` request's
 * socket, undici's for an `https:` URL): Node publishes the sockets
 * `net.connect()` makes, not these, and connects.ts's accessor on the TCP
 * handle's `onread` leaves them out (the socket's handle is its TLS wrap,
 * whose `onread` is a native property of its own class). A TLSSocket's
 * constructor assigns `_tlsOptions` first, synchronously in the caller's
 * call (`tls.connect()` makes it, then connects it): an accessor on
 * TLSSocket's prototype sees that assignment with the caller on the stack,
 * then gives the socket its own data property, so the socket looks as usual
 * (first-assignment.ts).
 *
 * A server's TLSSocket (`isServer`) is no socket of the test's: the
 * server-side socket Node publishes is the one under it (record/io.ts). It
 * is kept, weakly, for what only it knows of that connection: whether its
 * handshake is done, and what the server has written to it
 * (dump/tcp-peers.ts).
 */
import {TLSSocket} from 'node:tls';
import {trapFirstAssignment} from '../first-assignment';
import {OpenSockets} from './open-sockets';

/**
 * Calls `onSocket(socket, cutAt)` as each client TLSSocket is made (`cutAt`:
 * the function above the caller's frames, for a stack); returns the function
 * that stops it.
 */
export function interceptTlsSockets(
  onSocket: (socket: object, cutAt: (...args: never[]) => unknown) => void,
): () => void {
  const onMade = (socket: object): void => {
    const options = (socket as {_tlsOptions?: {isServer?: unknown} | null})
      ._tlsOptions;
    if (options?.isServer !== true) onSocket(socket, onMade);
    else serverSockets.add(socket);
  };
  return trapFirstAssignment([[TLSSocket.prototype, '_tlsOptions']], onMade);
}

// Server-side TLSSockets.
const serverSockets = new OpenSockets(256);

/**
 * The open server-side TLSSocket over `socket` (a socket a TLS server
 * accepted: its TLS wrap's `_parentWrap`), or undefined.
 */
export function serverTlsSocketOver(socket: object): object | undefined {
  for (const s of serverSockets.open()) {
    const wrap = (s as {_handle?: {_parentWrap?: unknown} | null})._handle;
    if (wrap?._parentWrap === socket) return s;
  }
  return undefined;
}
