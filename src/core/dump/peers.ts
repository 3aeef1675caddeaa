/**
 * Both ends of a local connection: a client socket of the dump whose other
 * end is an HTTP server of this process (opened by this test or hook, by
 * another of the same file, or outside any: when the file loaded). The two
 * ends are one connection when the client's local address and port are the
 * server-side socket's remote ones.
 * The server's side is then drawn under the client's socket, as what it waits
 * on: the request the server has not answered (by method, never by path), and
 * the handler it went to: the server's 'request' listener, or an express
 * route's handler (`req.route`), at the function's own position. The
 * server's own leaf goes when every request it has not answered is drawn so;
 * a server with others keeps its leaf.
 *
 * What the handler started for that request, when a branch of its own, is
 * drawn under the server's side (handler-work.ts).
 *
 * Only Node's own fields are read (an HTTP server's connections list, a
 * socket's `_httpMessage`), and express's `req.route`; nothing is called but
 * `listeners()`, the sockets' address getters and the handler's
 * `Function.prototype.toString`.
 */
import type {IncomingMessage, ServerResponse} from 'node:http';
import {positionSite} from '../callsites';
import {
  type AnyFunction,
  type FunctionPosition,
  functionPositions,
} from '../fn-position';
import {connectionsOf, methodOf, serverAddress} from '../handles';
import {sharedBelow} from '../inputs';
import {openServers} from '../leftovers';
import {openServerSockets} from '../record';
import type {Capture} from '../record';
import type {Frame, Leaf} from '../types';
import {type HandlerEnd, type RootWord, serverSideWhat} from '../words';
import {type ServedRequest, joinHandlerWork, sourceEnd} from './handler-work';
import type {DumpContext} from './context';
import type {FrameMaker} from './frames';

type Obj = Record<string, unknown>;

/** A server-side socket of a local HTTP server, with its server. */
interface ServerEnd {
  server: Obj;
  socket: Obj;
}

/**
 * What each joiner of a connection's two ends is given (dump/index.ts): the
 * dump's leaves (added to, taken from), the socket or server behind each
 * leaf, the dump's context and frames, the Root's word, and where a Capture
 * made its object.
 */
export type PeerArgs = [
  leaves: Leaf[],
  handleOf: Map<Leaf, object>,
  ctx: DumpContext,
  frames: FrameMaker,
  rootWord: RootWord,
  madeAt: (c: Capture) => Frame | null,
];

/**
 * Joins each client socket leaf of `leaves` to the server side of its
 * connection, where that is a server of this process (see the module
 * comment). `handleOf` gives the socket or server behind a leaf.
 */
export function joinPeers(
  ...[leaves, handleOf, ctx, frames, rootWord, madeAt]: PeerArgs
): void {
  const serverLeaf = new Map<object, Leaf>();
  const clients: Array<[Leaf, Obj]> = [];
  for (const [leaf, h] of handleOf) {
    if (leaf.kind === 'server') serverLeaf.set(h, leaf);
    else if (leaf.kind === 'socket') clients.push([leaf, h as Obj]);
  }
  // An HTTP server listening with no request waiting waits on nothing: it is
  // no stuck branch (what would send it one is shown where it waits).
  for (const [server, leaf] of serverLeaf)
    if (
      (server as Obj).listening === true &&
      connectionsOf(server) !== undefined &&
      pendingCount(server) === 0
    )
      leaf.idle = true;
  if (clients.length === 0) return;
  // Servers other tests and hooks of the file opened, with where (the
  // recorder hands the ledger a server's Capture).
  const opened = new Map<object, Capture | undefined>();
  for (const {server, at} of openServers())
    opened.set(server, at as Capture | undefined);
  const ends = new Map<string, ServerEnd>();
  for (const server of new Set([...serverLeaf.keys(), ...opened.keys()])) {
    for (const parser of connectionsOf(server) ?? []) {
      const socket = (parser as {socket?: unknown} | null)?.socket;
      if (typeof socket !== 'object' || socket === null) continue;
      const s = socket as Obj;
      const k = endKey(s.remoteAddress, s.remotePort);
      if (k !== null) ends.set(k, {server: server as Obj, socket: s});
    }
  }
  // And any other server's of this process that Node published (one opened
  // when the test file loaded, or by another file of this worker).
  for (const s of openServerSockets() as Obj[]) {
    const server = s.server;
    if (typeof server !== 'object' || server === null) continue;
    if (connectionsOf(server) === undefined) continue; // not HTTP: tcp-peers.ts
    const k = endKey(s.remoteAddress, s.remotePort);
    if (k !== null && !ends.has(k))
      ends.set(k, {server: server as Obj, socket: s});
  }
  if (ends.size === 0) return;
  const joined: Array<{client: Leaf; end: ServerEnd; res: ServerResponse}> = [];
  for (const [leaf, socket] of clients) {
    const end = ends.get(endKey(socket.localAddress, socket.localPort) ?? '');
    if (end === undefined || end.socket.localPort !== socket.remotePort)
      continue;
    const res = pendingResponse(end.socket);
    if (res !== null) joined.push({client: leaf, end, res});
  }
  if (joined.length === 0) return;
  const handlers = joined.map(j => handlerOf(j.end.server, j.res));
  const positions = functionPositions(
    handlers.map(h => h.fn).filter((f): f is AnyFunction => f !== null),
  );
  // A server's own leaf is no branch of its own once each request it has not
  // answered is drawn under the client that sent it. When its leaf reaches
  // the Root and the one client's socket does not (made in a callback not
  // traced back, as supertest's in the server's 'listening' callback), the
  // client is drawn where the server's leaf was: the connection is to that
  // server, and that branch is the only way from the Root to it.
  const drawn = new Map<object, Array<{client: Leaf; side: Leaf}>>();
  const served: ServedRequest[] = [];
  const reword = new Map<Leaf, () => string>();
  joined.forEach(({client, end, res}, i) => {
    const h = handlers[i];
    const at = h.fn === null ? null : (positions.shift() ?? null);
    const frame = listenerFrame(h.name, at, ctx, frames);
    const own = serverLeaf.get(end.server);
    const at0 = opened.get(end.server);
    const req = (res as ServerResponse & {req?: IncomingMessage}).req;
    client.waiting = true;
    const words = {
      server: serverWords(end.server),
      outside: own === undefined ? rootWord : null,
      method: req !== undefined ? methodOf(req) : 'request',
      status:
        res.headersSent && typeof res.statusCode === 'number'
          ? res.statusCode
          : null,
      answered: res.headersSent,
      bodyPending:
        !res.headersSent && req !== undefined && req.complete !== true,
      handler: frame === null ? null : h.end,
      noRoute: h.noRoute,
    };
    const side: Leaf = {
      kind: 'server',
      what: serverSideWhat(words),
      createdAt:
        own !== undefined
          ? own.createdAt
          : at0 !== undefined
            ? madeAt(at0)
            : null,
      path: frame === null ? [...client.path] : [...client.path, frame],
      ageMs: own?.ageMs ?? client.ageMs,
      detached: client.detached,
      ...sharedBelow(client),
    };
    if (frame !== null && at !== null && pendingCount(end.server) === 1) {
      const e = sourceEnd(h.fn, at);
      const mappedEnd =
        e === null
          ? null
          : ctx.mapPosition(positionSite(e.file, e.line, e.column));
      served.push({side, frame, end: mappedEnd});
      reword.set(side, () =>
        serverSideWhat({
          ...words,
          handler: h.end === 'returned' ? 'started' : h.end,
        }),
      );
    }
    leaves.push(side);
    const pairs = drawn.get(end.server) ?? [];
    pairs.push({client, side});
    drawn.set(end.server, pairs);
  });
  // What the handlers started, under the request each serves.
  for (const side of joinHandlerWork(leaves, served))
    side.what = reword.get(side)!();
  for (const [server, pairs] of drawn) {
    const own = serverLeaf.get(server);
    if (own === undefined || pairs.length < pendingCount(server)) continue;
    const apart = pairs.filter(p => p.client.detached);
    if (!own.detached && apart.length > 0) {
      if (pairs.length > 1) continue;
      for (const l of [pairs[0].client, pairs[0].side]) {
        l.path = [...own.path, ...l.path];
        l.detached = false;
      }
    }
    const k = leaves.indexOf(own);
    if (k >= 0) leaves.splice(k, 1);
  }
}

/**
 * A listener's frame, at the function's own position (`functionPositions`),
 * source-mapped; null where that is not known.
 */
export function listenerFrame(
  name: string,
  at: FunctionPosition | null,
  ctx: DumpContext,
  frames: FrameMaker,
): Frame | null {
  if (at === null) return null;
  const mapped = ctx.mapPosition(positionSite(at.file, at.line, at.column));
  return mapped === null
    ? null
    : {
        name,
        file: frames.display(mapped.file),
        line: mapped.line,
        column: mapped.column,
        async: false,
      };
}

/** An emitter's listeners of `event` (none when it has no `listeners()`). */
export function listenersOf(emitter: Obj, event: string): unknown[] {
  const ls = (
    emitter.listeners as ((e: string) => unknown[]) | undefined
  )?.call(emitter, event);
  return Array.isArray(ls) ? ls : [];
}

/** An emitter's one listener of `event`; null with several or none. */
export function oneListener(emitter: Obj, event: string): AnyFunction | null {
  const ls = listenersOf(emitter, event);
  return ls.length === 1 && typeof ls[0] === 'function'
    ? (ls[0] as AnyFunction)
    : null;
}

/**
 * The client socket leaves not drawn waiting yet, and the server leaves, of
 * a dump's handles (`handleOf`: the socket or server behind each leaf).
 */
export function socketsAndServers(handleOf: Map<Leaf, object>): {
  clients: Array<[Leaf, Obj]>;
  serverLeaf: Map<object, Leaf>;
} {
  const clients: Array<[Leaf, Obj]> = [];
  const serverLeaf = new Map<object, Leaf>();
  for (const [leaf, h] of handleOf) {
    if (leaf.kind === 'socket' && leaf.waiting !== true)
      clients.push([leaf, h as Obj]);
    else if (leaf.kind === 'server') serverLeaf.set(h, leaf);
  }
  return {clients, serverLeaf};
}

/** `127.0.0.1|4000`; an IPv4 address mapped into IPv6 as itself. */
export function endKey(address: unknown, port: unknown): string | null {
  if (typeof address !== 'string' || typeof port !== 'number') return null;
  return `${address.replace(/^::ffff:/i, '')}|${port}`;
}

/** The response a server-side socket has not ended, or null. */
function pendingResponse(socket: Obj): ServerResponse | null {
  const res = socket._httpMessage as ServerResponse | null | undefined;
  if (typeof res !== 'object' || res === null) return null;
  if (!('writableEnded' in res) || res.writableEnded) return null;
  return 'headersSent' in res ? res : null;
}

/** Responses an HTTP server has not ended. */
function pendingCount(server: object): number {
  let n = 0;
  for (const parser of connectionsOf(server) ?? []) {
    const socket = (parser as {socket?: unknown} | null)?.socket;
    if (typeof socket === 'object' && socket !== null)
      if (pendingResponse(socket as Obj) !== null) n++;
  }
  return n;
}

/** `HTTP server on 127.0.0.1:4000`, from the server's own address. */
export function serverWords(server: Obj): string {
  const kind =
    typeof (server as {addContext?: unknown}).addContext === 'function'
      ? 'HTTPS server'
      : 'HTTP server';
  const a = serverAddress(server);
  return a === null ? kind : `${kind} on ${a}`;
}

/** The function a request went to, as far as it can be told. */
interface Handler {
  fn: AnyFunction | null;
  /** The frame's name: what the function is to the server. */
  name: string;
  end: HandlerEnd;
  /** An express app whose router matched no route (yet). */
  noRoute: boolean;
}

/**
 * The server's one 'request' listener; for an express app (a listener with
 * `handle` and `use`), the handler of the route the request matched.
 */
function handlerOf(server: Obj, res: ServerResponse): Handler {
  const none: Handler = {fn: null, name: '', end: null, noRoute: false};
  const fn = oneListener(server, 'request');
  if (fn === null) return none;
  const app = fn as unknown as Obj;
  const express =
    typeof app.handle === 'function' && typeof app.use === 'function';
  if (!express)
    return {
      fn,
      name: `'request' listener ${nameOf(fn)}`,
      end: endOf(fn),
      noRoute: false,
    };
  const req = (res as unknown as {req?: Obj}).req;
  const route = req?.route as {stack?: unknown} | undefined;
  if (route === undefined || route === null) return {...none, noRoute: true};
  const method =
    typeof req?.method === 'string' ? req.method.toLowerCase() : '';
  const layers = Array.isArray(route.stack)
    ? (route.stack as Array<Obj | null>).filter(
        l =>
          typeof l?.handle === 'function' &&
          (l.method === undefined || l.method === method),
      )
    : [];
  if (layers.length === 0) return none;
  const first = layers[0]!.handle as AnyFunction;
  if (layers.length > 1)
    return {
      fn: first,
      name: `first of ${layers.length} route handlers, ${nameOf(first)}`,
      end: null,
      noRoute: false,
    };
  return {
    fn: first,
    name: `route handler ${nameOf(first)}`,
    end: endOf(first),
    noRoute: false,
  };
}

/** A function's name as a frame shows it; a bound one's is its target's. */
export function nameOf(fn: AnyFunction): string {
  const name =
    typeof fn.name === 'string' ? fn.name.replace(/^(?:bound )+/, '') : '';
  return /^[\w$.]{1,60}$/.test(name) ? name : '<anonymous>';
}

/**
 * A plain function returned (the server called it long ago); an async one
 * may still be running.
 */
export function endOf(fn: AnyFunction): HandlerEnd {
  return Object.prototype.toString.call(fn) === '[object AsyncFunction]'
    ? 'async'
    : 'returned';
}
