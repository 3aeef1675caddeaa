/**
 * Both ends of a local TCP connection that is not HTTP (peers.ts and
 * h2-peers.ts join those):
 * a client socket of the dump whose other end a server of this process
 * accepted (Node publishes each server-side socket: record/io.ts). The
 * server's side is drawn under the client's socket, as what it waits on: how
 * much the server has written to the connection, at the server's one
 * 'connection' listener. When the server has no other connection open, what
 * its connection's callbacks are stuck on (a branch traced back through the
 * server: `server event`) is that connection's, and moves under it: one hang,
 * one branch. The server's own leaf goes when every connection it has open is
 * drawn so.
 *
 * Only Node's own fields are read (a socket's addresses, `bytesWritten`,
 * `server`); nothing is called but `listeners()` and the address getters.
 */
import {Server as TlsServer} from 'node:tls';
import {
  type AnyFunction,
  type FunctionPosition,
  functionPositions,
} from '../fn-position';
import {connectionsOf, serverAddress} from '../handles';
import {sharedBelow} from '../inputs';
import {sessionOf} from '../http2';
import {openServers} from '../leftovers';
import {openServerSockets, serverTlsSocketOver} from '../record';
import type {Capture} from '../record';
import type {Frame, Leaf} from '../types';
import {tcpSideWhat} from '../words';
import {startsWith} from './paths';
import {moveConnectionWork} from './connection-work';
import {type FunctionStart, eventCallbackOf} from './frames';
import {
  type PeerArgs,
  endKey,
  endOf,
  listenerFrame,
  nameOf,
  oneListener,
  socketsAndServers,
} from './peers';

type Obj = Record<string, unknown>;

/** Each server's side drawn, with the client socket it is drawn under. */
const sides = new WeakMap<Leaf, Leaf>();

/**
 * Joins each client socket leaf of `leaves` to the server side of its
 * connection, when a server of this process that is not an HTTP server
 * accepted it (see the module comment). `handleOf` gives the socket or server
 * behind a leaf.
 */
export function joinTcpPeers(
  ...[leaves, handleOf, ctx, frames, rootWord, madeAt]: PeerArgs
): void {
  const {clients, serverLeaf} = socketsAndServers(handleOf);
  if (clients.length === 0) return;
  // The server-side sockets of servers that are not HTTP ones, by the
  // client's end (its address and port).
  const ends = new Map<string, Obj>();
  const openCount = new Map<object, number>();
  for (const s of openServerSockets() as Obj[]) {
    const server = s.server as Obj | undefined;
    if (typeof server !== 'object' || server === null) continue;
    if (connectionsOf(server) !== undefined) continue;
    // An HTTP/2 connection: h2-peers.ts.
    if (sessionOf(s) !== undefined) continue;
    openCount.set(server, (openCount.get(server) ?? 0) + 1);
    const k = endKey(s.remoteAddress, s.remotePort);
    if (k !== null) ends.set(k, s);
  }
  const joined: Array<{client: Leaf; end: Obj; server: Obj}> = [];
  for (const [client, socket] of clients) {
    const end = ends.get(endKey(socket.localAddress, socket.localPort) ?? '');
    if (end === undefined || end.localPort !== socket.remotePort) continue;
    joined.push({client, end, server: end.server as Obj});
  }
  if (joined.length === 0) return;
  // A TLS server's connection: the TLSSocket over the socket it accepted,
  // and whether its handshake is done (its listener has not run before).
  const tlsEnds = joined.map(j =>
    j.server instanceof TlsServer
      ? {socket: serverTlsSocketOver(j.end) as Obj | undefined}
      : undefined,
  );
  const listeners = joined.map((j, i) => {
    const tls = tlsEnds[i];
    if (tls === undefined) return oneListener(j.server, 'connection');
    return tls.socket?._secureEstablished === true
      ? oneListener(j.server, 'secureConnection')
      : null;
  });
  const known = listeners.filter((f): f is AnyFunction => f !== null);
  const positions = functionPositions(known);
  // Where each listener starts, as compiled (before the source map).
  const generatedStarts = new Map<AnyFunction, FunctionPosition>();
  known.forEach((f, i) => {
    const p = positions[i];
    if (p !== null && p !== undefined) generatedStarts.set(f, p);
  });
  const drawn = new Map<object, number>();
  joined.forEach(({client, end, server}, i) => {
    const fn = listeners[i];
    const at = fn === null ? null : (positions.shift() ?? null);
    const tls = tlsEnds[i];
    const event = tls === undefined ? 'connection' : 'secureConnection';
    const frame =
      fn === null
        ? null
        : listenerFrame(`'${event}' listener ${nameOf(fn)}`, at, ctx, frames);
    const own = serverLeaf.get(server);
    const written = (tls === undefined ? end : tls.socket)?.bytesWritten;
    const side: Leaf = {
      kind: 'server',
      what: tcpSideWhat({
        server: `${tls === undefined ? 'server' : 'TLS server'} on ${addressOf(server)}`,
        outside: own === undefined ? rootWord : null,
        written: typeof written === 'number' ? written : 0,
        handler: frame === null || fn === null ? null : endOf(fn),
        tls:
          tls === undefined
            ? undefined
            : {handshaken: tls.socket?._secureEstablished === true},
      }),
      createdAt: own?.createdAt ?? openedAt(server, madeAt),
      path: frame === null ? [...client.path] : [...client.path, frame],
      ageMs: own?.ageMs ?? client.ageMs,
      detached: client.detached,
      ...sharedBelow(client),
    };
    client.waiting = true;
    sides.set(side, client);
    leaves.push(side);
    drawn.set(server, (drawn.get(server) ?? 0) + 1);
    // The server's only connection: what its 'connection' listener waits on
    // is this connection's.
    const start = at === null ? undefined : generatedStarts.get(fn!);
    if (own !== undefined && openCount.get(server) === 1 && start !== undefined)
      if (moveServerWork(leaves, own, side, start)) side.waiting = true;
    // What its callbacks of this connection (its 'data') are stuck on.
    for (const socket of [end, tls?.socket])
      if (socket !== undefined && moveConnectionWork(leaves, side, socket))
        side.waiting = true;
  });
  for (const [server, n] of drawn) {
    const own = serverLeaf.get(server);
    if (own === undefined || n < (openCount.get(server) ?? 0)) continue;
    const k = leaves.indexOf(own);
    if (k >= 0) leaves.splice(k, 1);
  }
}

/**
 * Takes back the server's side drawn under a client socket that a pool keeps
 * lent (wakers/lent.ts sets `lent` on it): the promise it is found feeding
 * waits for the pool to get it back, not for what it reads. Whether the
 * socket itself waits on its server (a query sent and not answered) or is
 * idle (its last answer read) is not seen; the side said it was waited on.
 * A side the server's own stuck work moved under (`waiting`) stays: that
 * work is the connection's.
 */
export function unjoinLent(leaves: Leaf[]): void {
  for (let i = leaves.length - 1; i >= 0; i--) {
    const client = sides.get(leaves[i]);
    if (client?.lent === undefined || leaves[i].waiting === true) continue;
    leaves.splice(i, 1);
    delete client.waiting;
  }
}

/**
 * Moves the leaves traced back through `server`'s 'connection' listener
 * (their path goes on from the server's with a `server event` frame that ran
 * the function starting at `listener`) under `side`; whether any moved.
 */
function moveServerWork(
  leaves: Leaf[],
  server: Leaf,
  side: Leaf,
  listener: FunctionPosition,
): boolean {
  let moved = false;
  for (const l of leaves) {
    if (l === server || l === side || l.detached !== server.detached) continue;
    if (!startsWith(l.path, server.path)) continue;
    const via = l.path[server.path.length];
    if (via?.name !== 'server event') continue;
    const ran = eventCallbackOf(via);
    if (ran === undefined || !sameFunction(ran, listener)) continue;
    l.path = [...side.path, ...l.path.slice(server.path.length + 1)];
    l.detached = side.detached;
    moved = true;
  }
  return moved;
}

/**
 * Whether a frame's function start (V8's: its `function` keyword, name or
 * first parameter) and a function's `[[FunctionLocation]]` (its parameters)
 * are one function: one file and line, the location not before the start.
 */
function sameFunction(start: FunctionStart, fn: FunctionPosition): boolean {
  return (
    start.file === fn.file &&
    start.line === fn.line &&
    start.column <= fn.column
  );
}

/** `127.0.0.1:4000`, from the server's own address. */
export function addressOf(server: Obj): string {
  return serverAddress(server) ?? 'an unknown address';
}

/**
 * Where a server another test or hook of the file opened was opened (the
 * ledger keeps its Capture), or null.
 */
export function openedAt(
  server: object,
  madeAt: (c: Capture) => Frame | null,
): Frame | null {
  const at = openServers().find(o => o.server === server)?.at;
  return at === undefined ? null : madeAt(at as Capture);
}
