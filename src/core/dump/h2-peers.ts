/**
 * Both ends of a local HTTP/2 connection (peers.ts joins HTTP/1 ones,
 * tcp-peers.ts other TCP ones): a client socket of the dump carrying an
 * HTTP/2 session whose other end a server of this process accepted (Node
 * publishes each server-side socket: record/io.ts). Each stream the client
 * has open that the server has not answered, or not ended the response of, is
 * drawn under the client's socket as what it waits on (by method, never by
 * path), at the function the server handed it to: its one 'request' listener
 * (a server made with a request handler), else its one 'stream' listener. The
 * server's own leaf goes when each stream it has open is drawn so.
 *
 * Only Node's own fields are read (http2.ts); nothing is called but
 * `listeners()`, the sockets' address getters and the handler's
 * `Function.prototype.toString`.
 */
import {type AnyFunction, functionPositions} from '../fn-position';
import {serverSocketsOf} from '../handles';
import {
  serverStreamState,
  serverStreams,
  sessionOf,
  streamMethod,
  streamsOf,
  waitingStreams,
} from '../http2';
import {openServerSockets} from '../record';
import type {Frame, Leaf} from '../types';
import {serverSideWhat} from '../words';
import {
  type PeerArgs,
  endKey,
  endOf,
  listenerFrame,
  nameOf,
  oneListener,
} from './peers';
import {addressOf, openedAt} from './tcp-peers';

type Obj = Record<string | symbol, unknown>;

/** A server-side socket of a local HTTP/2 server, with its session. */
interface ServerEnd {
  server: Obj;
  socket: Obj;
  session: Obj;
}

/**
 * Joins each client socket leaf of `leaves` carrying an HTTP/2 session to the
 * server side of its connection, where that is a server of this process (see
 * the module comment). `handleOf` gives the socket or server behind a leaf.
 */
export function joinH2Peers(
  ...[leaves, handleOf, ctx, frames, rootWord, madeAt]: PeerArgs
): void {
  const clients: Array<[Leaf, Obj, Obj]> = [];
  const serverLeaf = new Map<object, Leaf>();
  for (const [leaf, h] of handleOf) {
    if (leaf.kind === 'server') serverLeaf.set(h, leaf);
    if (leaf.kind !== 'socket' || leaf.waiting === true) continue;
    const s = sessionOf(h);
    if (s?.side === 'client') clients.push([leaf, h as Obj, s.session]);
  }
  // An HTTP/2 server listening with no stream waiting waits on nothing (as
  // an HTTP/1 one: peers.ts).
  for (const [server, leaf] of serverLeaf) {
    const streams = serverStreams(serverSocketsOf(server));
    if (
      (server as Obj).listening === true &&
      streams !== undefined &&
      waitingStreams(streams) === 0
    )
      leaf.idle = true;
  }
  if (clients.length === 0) return;
  const ends = new Map<string, ServerEnd>();
  for (const socket of openServerSockets() as Obj[]) {
    const s = sessionOf(socket);
    const server = socket.server;
    if (s?.side !== 'server' || typeof server !== 'object' || server === null)
      continue;
    const k = endKey(socket.remoteAddress, socket.remotePort);
    if (k !== null)
      ends.set(k, {server: server as Obj, socket, session: s.session});
  }
  // Looked up once a server (an inspector session for its position).
  const handlers = new Map<Obj, {fn: AnyFunction; frame: Frame} | null>();
  const handlerFrame = (
    server: Obj,
  ): {fn: AnyFunction; frame: Frame} | null => {
    if (!handlers.has(server)) {
      const handler = handlerOf(server);
      const frame =
        handler === null
          ? null
          : listenerFrame(
              handler.name,
              functionPositions([handler.fn])[0] ?? null,
              ctx,
              frames,
            );
      handlers.set(
        server,
        handler === null || frame === null ? null : {fn: handler.fn, frame},
      );
    }
    return handlers.get(server) ?? null;
  };
  const drawn = new Map<Obj, number>();
  for (const [client, socket, session] of clients) {
    const end = ends.get(endKey(socket.localAddress, socket.localPort) ?? '');
    if (end === undefined || end.socket.localPort !== socket.remotePort)
      continue;
    const theirs = streamsOf(end.session);
    const sides: Leaf[] = [];
    for (const [id, stream] of streamsOf(session)) {
      const other = theirs.get(id);
      const state = other === undefined ? null : serverStreamState(other);
      if (state === null) continue;
      const h = handlerFrame(end.server);
      const own = serverLeaf.get(end.server);
      sides.push({
        kind: 'server',
        what: serverSideWhat({
          server: `HTTP/2 server on ${addressOf(end.server)}`,
          outside: own === undefined ? rootWord : null,
          method: streamMethod(stream),
          status: state.status,
          answered: state.answered,
          bodyPending: false,
          handler: h === null ? null : endOf(h.fn),
          noRoute: false,
        }),
        createdAt: own?.createdAt ?? openedAt(end.server, madeAt),
        path: h === null ? [...client.path] : [...client.path, h.frame],
        ageMs: own?.ageMs ?? client.ageMs,
        detached: client.detached,
      });
    }
    if (sides.length === 0) continue;
    client.waiting = true;
    leaves.push(...sides);
    drawn.set(end.server, (drawn.get(end.server) ?? 0) + sides.length);
  }
  for (const [server, n] of drawn) {
    const own = serverLeaf.get(server);
    const waiting = serverStreams(serverSocketsOf(server));
    if (
      own === undefined ||
      (waiting !== undefined && n < waitingStreams(waiting))
    )
      continue;
    const k = leaves.indexOf(own);
    if (k >= 0) leaves.splice(k, 1);
  }
}

/** The function a server hands its streams to, with its frame's name. */
interface Handler {
  fn: AnyFunction;
  name: string;
}

/**
 * The server's one 'request' listener (`http2.createServer(handler)`: Node's
 * own 'stream' listener makes the request and response), else its one
 * 'stream' listener; null when there are several or none.
 */
function handlerOf(server: Obj): Handler | null {
  const request = oneListener(server, 'request');
  if (request !== null)
    return {fn: request, name: `'request' listener ${nameOf(request)}`};
  const stream = oneListener(server, 'stream');
  return stream === null
    ? null
    : {fn: stream, name: `'stream' listener ${nameOf(stream)}`};
}
