/**
 * Both ends of a local connection an HTTP server upgraded (a WebSocket's;
 * peers.ts joins the HTTP/1 ones still carrying requests, tcp-peers.ts plain
 * TCP ones): a client socket of the dump whose other end a local HTTP server
 * accepted and handed to its 'upgrade' listener (Node frees that socket's
 * parser: the server no longer counts it among its connections). What the
 * server's side is:
 * - the client's upgrade request not answered yet (`wss.handleUpgrade` never
 *   called, or not called back): that request, at the server's one
 *   'upgrade' listener;
 * - a WebSocket of the `ws` package on it (ws keeps it on the socket): that
 *   WebSocket, open, at its one 'message' listener, or with nothing listening
 *   for its messages;
 * - else the socket, taken over by the 'upgrade' listener: what the server
 *   has written to it.
 *
 * Only Node's and ws's own fields are read (a socket's `parser`,
 * `_httpMessage`, `bytesWritten`, ws's symbol); nothing is called but
 * `listeners()`, the sockets' address getters and the listener's
 * `Function.prototype.toString`.
 */
import {type AnyFunction, functionPositions} from '../fn-position';
import {connectionsOf, methodOf, webSocketOf} from '../handles';
import {openServerSockets} from '../record';
import type {Leaf} from '../types';
import {serverSideWhat, upgradedSideWhat} from '../words';
import {
  type PeerArgs,
  endKey,
  endOf,
  listenerFrame,
  listenersOf,
  nameOf,
  oneListener,
  serverWords,
  socketsAndServers,
} from './peers';
import {openedAt} from './tcp-peers';
import {moveConnectionWork} from './connection-work';

type Obj = Record<string, unknown>;

/**
 * The server's end of each WebSocket drawn with nothing of the server's
 * stuck under it, with the client's socket it is drawn under. An open
 * WebSocket is no wait by itself (a connection kept open between messages):
 * when the search finds no stuck promise waiting on the client's socket, the
 * side is set aside (aside.ts).
 */
const openSockets = new WeakMap<Leaf, Leaf>();

/** The client's socket of an open WebSocket's server end (see above). */
export function webSocketClientOf(side: Leaf): Leaf | undefined {
  return openSockets.get(side);
}

/**
 * Joins each client socket leaf of `leaves` to the server's side of its
 * connection, where a local HTTP server upgraded it (see the module
 * comment).
 */
export function joinUpgradePeers(
  ...[leaves, handleOf, ctx, frames, rootWord, madeAt]: PeerArgs
): void {
  const {clients, serverLeaf} = socketsAndServers(handleOf);
  if (clients.length === 0) return;
  // The server-side sockets of HTTP servers that have no parser any more.
  const ends = new Map<string, Obj>();
  for (const s of openServerSockets() as Obj[]) {
    const server = s.server;
    if (typeof server !== 'object' || server === null) continue;
    if (connectionsOf(server) === undefined || s.parser !== null) continue;
    const k = endKey(s.remoteAddress, s.remotePort);
    if (k !== null) ends.set(k, s);
  }
  if (ends.size === 0) return;
  const drawn = new Map<Obj, number>();
  for (const [client, socket] of clients) {
    const end = ends.get(endKey(socket.localAddress, socket.localPort) ?? '');
    if (end === undefined || end.localPort !== socket.remotePort) continue;
    const server = end.server as Obj;
    const own = serverLeaf.get(server);
    const outside = own === undefined ? rootWord : null;
    const words = serverWords(server);
    const side = sideOf(socket, end);
    const at =
      side.fn === null ? null : (functionPositions([side.fn])[0] ?? null);
    const frame =
      side.fn === null
        ? null
        : listenerFrame(`${side.listener} ${nameOf(side.fn)}`, at, ctx, frames);
    const handler = frame === null || side.fn === null ? null : endOf(side.fn);
    const what =
      side.request !== undefined
        ? serverSideWhat({
            server: words,
            outside,
            method: `upgrade ${side.request}`,
            status: null,
            answered: false,
            bodyPending: false,
            handler,
            noRoute: false,
          })
        : upgradedSideWhat({
            server: words,
            outside,
            webSocket: side.webSocket,
            listeners: side.listeners,
            handler,
            written:
              typeof end.bytesWritten === 'number' ? end.bytesWritten : 0,
          });
    client.waiting = true;
    const leaf: Leaf = {
      kind: 'server',
      what,
      createdAt: own?.createdAt ?? openedAt(server, madeAt),
      path: frame === null ? [...client.path] : [...client.path, frame],
      ageMs: own?.ageMs ?? client.ageMs,
      detached: client.detached,
    };
    leaves.push(leaf);
    // What the server's callbacks of this connection are stuck on.
    if (moveConnectionWork(leaves, leaf, end)) leaf.waiting = true;
    else if (side.webSocket) openSockets.set(leaf, client);
    drawn.set(server, (drawn.get(server) ?? 0) + 1);
  }
  // A server with no request waiting and each connection it has open drawn
  // under its client: no branch of its own.
  for (const [server, n] of drawn) {
    const own = serverLeaf.get(server);
    if (own?.idle !== true || n < Number(server._connections)) continue;
    const k = leaves.indexOf(own);
    if (k >= 0) leaves.splice(k, 1);
  }
}

/** What the server's end of an upgraded connection is, and its listener. */
interface UpgradedSide {
  /** The client's request not answered yet, by method. */
  request?: string;
  /** Whether a WebSocket of ws is on the server's end. */
  webSocket: boolean;
  /** The listener's event, for its frame's name. */
  listener: string;
  fn: AnyFunction | null;
  /** How many listeners that event has. */
  listeners: number;
}

function sideOf(client: Obj, end: Obj): UpgradedSide {
  const server = end.server as Obj;
  const request = client._httpMessage;
  if (typeof request === 'object' && request !== null) {
    const [fn, n] = one(server, 'upgrade');
    return {
      request: methodOf(request),
      webSocket: false,
      listener: "'upgrade' listener",
      fn,
      listeners: n,
    };
  }
  const ws = webSocketOf(end) as Obj | undefined;
  if (ws !== undefined) {
    const [fn, n] = one(ws, 'message');
    return {webSocket: true, listener: "'message' listener", fn, listeners: n};
  }
  const [fn, n] = one(server, 'upgrade');
  return {webSocket: false, listener: "'upgrade' listener", fn, listeners: n};
}

/** An emitter's one listener of `event`, and how many it has. */
function one(emitter: Obj, event: string): [AnyFunction | null, number] {
  return [oneListener(emitter, event), listenersOf(emitter, event).length];
}
