/**
 * What a socket, server or child process opened under a test is doing, in one
 * line, at dump time. Dumps are printed in CI logs: addresses, ports, methods,
 * status codes, byte counts and states are shown; URL paths, query strings,
 * headers, bodies and argument values never are.
 *
 * Everything here reads fields Node keeps on its own objects (the same in Node
 * 18.19 and 20):
 * - a client socket carrying an HTTP request has it in `socket._httpMessage` (a
 *   `ClientRequest`), whose `res` is the `IncomingMessage` once the response
 *   headers came; a keep-alive socket back in its agent's pool has
 *   `_httpMessage === null`;
 * - an HTTP server keeps its connections' parsers in a list under the symbol
 *   `http.server.connections` (what `closeAllConnections()` uses); a
 *   connection's socket carries the `ServerResponse` it is answering in
 *   `_httpMessage`;
 * - a client socket carrying an HTTP/2 session: http2.ts;
 * - a child process keeps `spawnfile`, `spawnargs`, `pid`, `exitCode`,
 *   `signalCode`.
 */
import {describeUdp, isUdpSocket} from './udp';
import fs from 'node:fs';
import type {ClientRequest, IncomingMessage, ServerResponse} from 'node:http';
import {bytesReadBefore, openServerSockets} from './record';
import {commandShape} from './command-shape';
import {stdinWait} from './child-stdin';
import {
  clientStreamsWords,
  serverStreams,
  serverStreamsWords,
  sessionOf,
} from './http2';
import {describeWorker} from './worker-thread';

/** What {@link describeHandle} needs to know about the run. */
export interface HandleContext {
  /** Paths in a child's arguments are shown relative to it. */
  rootDir: string;
}

type Http = typeof import('node:http');
type Tls = typeof import('node:tls');
// Loaded at the first dump that meets a handle, not with the recorder (most
// runs never dump).
let httpModule: Http | undefined;
let tlsModule: Tls | undefined;
const http = (): Http => (httpModule ??= require('node:http') as Http);
const tls = (): Tls => (tlsModule ??= require('node:tls') as Tls);

/**
 * One line for a socket, server or child process that is still open, or null
 * when it has closed or waits on nothing (a keep-alive socket back in its
 * agent's pool, a response that arrived and was read, a child that exited and
 * closed its output). Never throws.
 *
 * @example
 * describeHandle('socket', req.socket, {rootDir});
 * // 'HTTP GET to 127.0.0.1:4000: response headers received (status 200),
 * // body not ended after 1360 bytes of the response read, headers included'
 */
export function describeHandle(
  kind: 'socket' | 'server' | 'child-process' | 'worker',
  h: object,
  ctx: HandleContext,
): string | null {
  try {
    if (kind === 'worker') return describeWorker(h);
    if (kind === 'socket') return describeSocket(h as Record<string, unknown>);
    if (kind === 'server') return describeServer(h as Record<string, unknown>);
    return describeChild(h as Record<string, unknown>, ctx);
  } catch {
    return `${kind}, state unknown`;
  }
}

function describeSocket(o: Record<string, unknown>): string | null {
  if (isUdpSocket(o)) return describeUdp(o);
  if (o.destroyed === true) return null;
  const message = o._httpMessage;
  const to =
    typeof o.remoteAddress === 'string'
      ? ` to ${o.remoteAddress}:${o.remotePort}`
      : '';
  const read = typeof o.bytesRead === 'number' ? o.bytesRead : 0;
  // Set to null by the agent when the response is done and the socket goes
  // back to the pool (unref'd, waiting for the next request): nothing waits on
  // it. Null too once the connection was upgraded (a WebSocket's), handed over
  // to what reads it now.
  if (message === null && 'parser' in o) {
    if (!handedOver(o)) return null;
    const ws = webSocketOf(o) === undefined ? '' : ': a WebSocket';
    return `socket${to} (upgraded from HTTP${ws}), open, ${read} bytes read`;
  }
  const h2 = sessionOf(o);
  if (h2?.side === 'client') {
    if (o.connecting === true) return `HTTP/2 session${to}, still connecting`;
    // A session with no stream waiting waits on nothing.
    const streams = clientStreamsWords(h2.session);
    return streams === null ? null : `HTTP/2 session${to}: ${streams}`;
  }
  if (message instanceof http().ClientRequest) {
    const req = message as ClientRequest & {
      protocol?: string;
      res?: IncomingMessage | null;
      upgradeOrConnect?: boolean;
    };
    if (req.upgradeOrConnect !== true) return describeRequest(req, o, to, read);
    const upgraded = `${protocolOf(req)} ${methodOf(req)}`;
    return `socket${to} (upgraded from ${upgraded}), ${o.connecting === true ? 'still connecting' : `open, ${read} bytes read`}`;
  }
  const kind = o.encrypted === true ? 'TLS socket' : 'socket';
  if (o.connecting === true) return `${kind}${to}, still connecting`;
  if (handshaking(o))
    return `${kind}${to}, open, TLS handshake not done (${read} bytes read)`;
  return `${kind}${to}, open, ${read} bytes read`;
}

/**
 * Where a server listens, from its own `address()`: `127.0.0.1:4000`,
 * `[::]:4000`, a pipe's path; null when it does not say.
 */
export function serverAddress(server: object): string | null {
  const read = (server as {address?: unknown}).address;
  const a = (typeof read === 'function' ? read.call(server) : null) as
    {address?: string; family?: unknown; port?: number} | string | null;
  if (typeof a === 'string') return a;
  if (a === null || a === undefined || a.port === undefined) return null;
  const host =
    a.family === 'IPv6' || a.family === 6 ? `[${a.address}]` : a.address;
  return `${host}:${a.port}`;
}

/**
 * Whether an HTTP client's socket with no request on it is read by someone
 * (an upgraded connection's new owner, a WebSocket): one back in its agent's
 * pool has no 'data' listener.
 */
function handedOver(o: Record<string, unknown>): boolean {
  const count = o.listenerCount as ((e: string) => unknown) | undefined;
  return typeof count === 'function' && Number(count.call(o, 'data')) > 0;
}

/**
 * The WebSocket of the `ws` package a socket carries (ws keeps it on the
 * socket under its symbol `websocket`), or undefined.
 */
export function webSocketOf(socket: object): object | undefined {
  const key = Object.getOwnPropertySymbols(socket).find(
    s => s.description === 'websocket',
  );
  const ws =
    key === undefined ? undefined : (socket as Record<symbol, unknown>)[key];
  return typeof ws === 'object' && ws !== null ? ws : undefined;
}

/**
 * The socket a TLS socket was made over (`tls.connect({socket})`: its TLS
 * wrap's `_parentWrap`), or undefined.
 */
export function transportUnder(socket: object): object | undefined {
  const s = socket as {encrypted?: unknown; _handle?: unknown};
  if (s.encrypted !== true) return undefined;
  const wrap = (s._handle as {_parentWrap?: unknown} | null | undefined)
    ?._parentWrap;
  return typeof wrap === 'object' && wrap !== null ? wrap : undefined;
}

/**
 * Whether a TLS socket is connected and its handshake is not done (no
 * `'secureConnect'` yet: the server has not answered its hello, or not all
 * of it).
 */
function handshaking(o: Record<string, unknown>): boolean {
  return (
    o.encrypted === true &&
    o.connecting !== true &&
    o._secureEstablished === false
  );
}

function describeRequest(
  req: ClientRequest & {res?: IncomingMessage | null},
  socket: Record<string, unknown>,
  to: string,
  read: number,
): string | null {
  let where = to;
  if (where === '') {
    // Not connected yet: the host it was asked for (an address, never a path or
    // a query).
    const host = (req as {host?: unknown}).host;
    const socketPath = (req as {socketPath?: unknown}).socketPath;
    if (typeof socketPath === 'string') where = ` to ${socketPath}`;
    else if (typeof host === 'string' && /^[\w.:[\]-]+$/.test(host))
      where = ` to ${host}`;
  }
  const head = `${protocolOf(req)} ${methodOf(req)}${where}`;
  if (socket.connecting === true) return `${head}: still connecting`;
  // Bytes of this request's response: a reused keep-alive socket had read
  // earlier ones.
  const bytes = Math.max(0, read - bytesReadBefore(req));
  const res = req.res;
  if (res === null || res === undefined) {
    if (handshaking(socket))
      return `${head}: TLS handshake not done, no response yet (${bytes} bytes read)`;
    if (req.writableEnded !== true)
      return `${head}: request not ended (end() not called), no response yet`;
    return `${head}: no response yet (${bytes} bytes read)`;
  }
  const status =
    typeof res.statusCode === 'number' ? ` (status ${res.statusCode})` : '';
  if (res.complete !== true)
    return `${head}: response headers received${status}, body not ended after ${bytes} bytes of the response read, headers included`;
  if (res.readableEnded === true) return null;
  // The whole body arrived, but 'end' is emitted only once it is read.
  if (res.readableFlowing === null)
    return `${head}: response received in full${status}, but nothing reads its body`;
  if (res.readableFlowing === false)
    return `${head}: response received in full${status}, but its body stream is paused`;
  return `${head}: response received in full${status}, body not ended`;
}

function protocolOf(req: object): string {
  return (req as {protocol?: unknown}).protocol === 'https:' ? 'HTTPS' : 'HTTP';
}

/** The request method, when it is a method (a token), else `request`. */
export function methodOf(req: object): string {
  const m = (req as {method?: unknown}).method;
  return typeof m === 'string' && /^[A-Za-z-]{1,24}$/.test(m) ? m : 'request';
}

function describeServer(o: Record<string, unknown>): string | null {
  const open = typeof o._connections === 'number' ? o._connections : 0;
  // Closed, but `close()` calls back only once every connection has ended: a
  // server whose close is awaited waits on them.
  const closing = o.listening !== true;
  if (closing && open === 0) return null;
  const a = closing ? null : serverAddress(o);
  const at = a === null ? '' : ` on ${a}`;
  const state = closing
    ? ' closed, waiting for its connections to end'
    : ` listening${at}`;
  const connections = connectionsOf(o);
  if (connections === undefined) {
    const h2 = serverStreams(serverSocketsOf(o));
    return h2 === undefined
      ? `${o instanceof tls().Server ? 'TLS server' : 'server'}${state}, ${countConnections(open)}`
      : `HTTP/2 server${state}, ${countConnections(open)}: ${serverStreamsWords(h2)}`;
  }
  const kind = o instanceof tls().Server ? 'HTTPS server' : 'HTTP server';
  const unanswered = new Map<string, number>();
  const unfinished = new Map<string, number>();
  let bodyPending = 0;
  let busy = 0;
  for (const parser of connections) {
    const res = (parser as {socket?: {_httpMessage?: unknown}} | null)?.socket
      ?._httpMessage;
    if (!(res instanceof http().ServerResponse) || res.writableEnded) continue;
    busy++;
    const req = (res as ServerResponse & {req?: IncomingMessage}).req;
    const method = req !== undefined ? methodOf(req) : 'request';
    if (res.headersSent) {
      const k = `${method}${typeof res.statusCode === 'number' ? ` status ${res.statusCode}` : ''}`;
      unfinished.set(k, (unfinished.get(k) ?? 0) + 1);
    } else {
      unanswered.set(method, (unanswered.get(method) ?? 0) + 1);
      if (req !== undefined && req.complete !== true) bodyPending++;
    }
  }
  if (busy === 0)
    return `${kind}${state}, ${open === 0 ? 'no connection open' : `${countConnections(open)}, no request waiting for a response`}`;
  const parts: string[] = [];
  const n = (m: Map<string, number>): number =>
    [...m.values()].reduce((x, y) => x + y, 0);
  if (unanswered.size > 0) {
    const body =
      bodyPending === 0
        ? ''
        : n(unanswered) === 1
          ? ', its body not fully received'
          : `; ${bodyPending} with the request body not fully received`;
    parts.push(
      `${plural(n(unanswered), 'request')} not answered (${groups(unanswered, true)}${body})`,
    );
  }
  if (unfinished.size > 0)
    parts.push(
      `${plural(n(unfinished), 'response')} not ended (${groups(unfinished, false)})`,
    );
  const others = open - busy;
  return `${kind}${state}: ${parts.join(', ')}${others > 0 ? `; ${others} more connection${others === 1 ? '' : 's'} open` : ''}`;
}

/** The server-side sockets Node published that a server still has open. */
export function serverSocketsOf(server: object): object[] {
  return openServerSockets().filter(
    s => (s as {server?: unknown}).server === server,
  );
}

/**
 * The parsers of an HTTP server's connections, or undefined for a server that
 * is not HTTP.
 */
export function connectionsOf(server: object): unknown[] | undefined {
  const key = Object.getOwnPropertySymbols(server).find(
    s => s.description === 'http.server.connections',
  );
  if (key === undefined) return undefined;
  const list = (server as Record<symbol, {all?: () => unknown}>)[key];
  const all = typeof list?.all === 'function' ? list.all() : undefined;
  return Array.isArray(all) ? all : undefined;
}

function countConnections(n: number): string {
  return n === 0
    ? 'no connection open'
    : `${n} connection${n === 1 ? '' : 's'} open`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** `GET`, `2× GET, POST`; for one response, `GET, status 200`. */
function groups(m: Map<string, number>, requests: boolean): string {
  if (!requests && m.size === 1 && [...m.values()][0] === 1)
    return [...m.keys()][0].replace(' status', ', status');
  return [...m].map(([k, c]) => `${c > 1 ? `${c}× ` : ''}${k}`).join(', ');
}

function describeChild(
  o: Record<string, unknown>,
  ctx: HandleContext,
): string | null {
  const pid = typeof o.pid === 'number' ? o.pid : undefined;
  const args = Array.isArray(o.spawnargs)
    ? (o.spawnargs as unknown[])
        .slice(1)
        .filter((a): a is string => typeof a === 'string')
    : [];
  const cwds = [
    ...(pid !== undefined ? [childCwd(pid)] : []),
    process.cwd(),
  ].filter((d): d is string => d !== undefined);
  const shape =
    typeof o.spawnfile === 'string'
      ? commandShape(o.spawnfile, args, {rootDir: ctx.rootDir, cwds})
      : 'process';
  const head = `child process ${shape} (pid ${pid ?? '?'})`;
  if (o.exitCode === null && o.signalCode === null)
    return `${head}, still running${o.killed === true ? ' (a kill signal was sent)' : ''}${stdinWait(o)}`;
  // Exited, but an output pipe has not reached its end: a process it started
  // holds it open, and the child's 'close' waits for it. (Output that ended but
  // was never read is not shown: nothing holds it.)
  const open = ['stdout', 'stderr'].filter(k => {
    const s = o[k] as
      | {destroyed?: boolean; _readableState?: {ended?: boolean}}
      | null
      | undefined;
    return (
      s !== null &&
      typeof s === 'object' &&
      s.destroyed !== true &&
      s._readableState?.ended === false
    );
  });
  if (open.length === 0) return null;
  const how =
    typeof o.signalCode === 'string'
      ? `exited by ${o.signalCode}`
      : `exited with code ${o.exitCode}`;
  return `${head}, ${how}, but its ${open.join(' and ')} ${open.length === 1 ? 'is' : 'are'} still open`;
}

/**
 * Where a running child process works (Linux's /proc), for the relative paths
 * in its arguments.
 */
function childCwd(pid: number): string | undefined {
  try {
    return fs.readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return undefined;
  }
}
