/**
 * The words of a server's side of a local connection, drawn under the
 * client's socket that waits on it (dump/peers.ts, tcp-peers.ts,
 * upgrade-peers.ts, h2-peers.ts): what the server has not answered or
 * written, and what its handler did.
 */
import type {HandlerEnd, RootWord} from './words';

/**
 * The server's side of a connection a client of the Root waits on: the
 * request it has not answered (or whose response it has not ended), by
 * method, never by path.
 */
export function serverSideWhat(side: {
  server: string;
  outside: RootWord | null;
  method: string;
  status: number | null;
  answered: boolean;
  bodyPending: boolean;
  handler: HandlerEnd;
  noRoute: boolean;
}): string {
  const where = outsideWords(side.outside);
  const state = side.answered
    ? `the response to the ${side.method} is not ended${side.status === null ? '' : ` (status ${side.status})`}`
    : `the ${side.method} is not answered${side.bodyPending ? ', its body not fully received' : ''}`;
  const handler = side.noRoute
    ? '; it reached no route of the express app: a middleware has neither answered it nor passed it on'
    : side.handler === 'returned'
      ? `; its handler returned without ${side.answered ? 'ending the response' : 'answering it'}`
      : side.handler === 'async'
        ? `; its handler, an async function, has not ${side.answered ? 'ended the response' : 'answered it'}`
        : side.handler === 'started'
          ? `; its handler returned, and what it started has not ${side.answered ? 'ended the response' : 'answered it'}`
          : '';
  return `${side.server}${where}: ${state}${handler}`;
}

/**
 * The server's end of a local connection it upgraded (dump/upgrade-peers.ts):
 * a WebSocket of ws, and what listens for its messages; else what the
 * server's 'upgrade' listener has written to it.
 */
export function upgradedSideWhat(side: {
  server: string;
  outside: RootWord | null;
  webSocket: boolean;
  /** How many listeners the event has ('message', or 'upgrade'). */
  listeners: number;
  handler: HandlerEnd;
  written: number;
}): string {
  const where = outsideWords(side.outside);
  if (side.webSocket) {
    const listening =
      side.listeners === 0
        ? '; nothing listens for its messages'
        : side.handler === 'async'
          ? "; its 'message' listener is an async function"
          : '';
    return `${side.server}${where}: it upgraded this connection to a WebSocket, open on its end${listening}`;
  }
  const written =
    side.written === 0
      ? 'nothing'
      : `${side.written} byte${side.written === 1 ? '' : 's'}`;
  return `${side.server}${where}: its 'upgrade' listener took this connection over; it has written ${written} to it in all, and it is still open`;
}

/**
 * The server's side of a local TCP connection (dump/tcp-peers.ts): what it
 * has written to it, and its 'connection' listener.
 */
export function tcpSideWhat(side: {
  server: string;
  outside: RootWord | null;
  written: number;
  handler: HandlerEnd;
  /**
   * A TLS server's connection: whether its handshake is done (what it wrote
   * is then what the program wrote, after it; the listener, its
   * 'secureConnection' one).
   */
  tls?: {handshaken: boolean};
}): string {
  const where = outsideWords(side.outside);
  if (side.tls?.handshaken === false)
    return `${side.server}${where}: the TLS handshake of this connection is not done`;
  const since = side.tls === undefined ? '' : ' since the TLS handshake';
  const written =
    side.written === 0
      ? `it has written nothing to this connection${since}`
      : `it has written ${side.written} byte${side.written === 1 ? '' : 's'} to this connection${since}, which is still open`;
  const event = side.tls === undefined ? 'connection' : 'secureConnection';
  const handler =
    side.handler === 'returned'
      ? `; its '${event}' listener returned`
      : side.handler === 'async'
        ? `; its '${event}' listener is an async function`
        : '';
  return `${side.server}${where}: ${written}${handler}`;
}

/** ` (started outside this test)` for a server the Root did not start. */
function outsideWords(outside: RootWord | null): string {
  return outside === null ? '' : ` (started outside this ${outside})`;
}
