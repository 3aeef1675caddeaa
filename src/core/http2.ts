/**
 * What a socket carrying an HTTP/2 session (`node:http2`'s `connect()`, a
 * server's connection, grpc-js) is doing, read at dump time from Node's own
 * objects (Node 18.19 to 24):
 * - the socket keeps its session in an own property: the string key
 *   `"undefined"` in Node 20 (core.js sets `socket[kSession]` with a symbol
 *   its module never defines), a `session` symbol elsewhere; found by the
 *   value's class, `ClientHttp2Session` or `ServerHttp2Session`;
 * - a session keeps its open streams in the `streams` Map of its `state`
 *   symbol's object, by stream id; one connection's two ends number a stream
 *   alike;
 * - a client stream keeps the headers it sent (`sentHeaders`, of which only
 *   `:method` is read: never a path); a server stream says whether it has
 *   responded (`headersSent`) and ended (`writableEnded`).
 */

type Obj = Record<string | symbol, unknown>;

/** A session's side: the client's (`connect()`) or a server's. */
export type SessionSide = 'client' | 'server';

const SESSION_CLASSES: Record<string, SessionSide> = {
  ClientHttp2Session: 'client',
  ServerHttp2Session: 'server',
};

/** The HTTP/2 session a socket carries, with its side, or undefined. */
export function sessionOf(
  socket: object,
): {session: Obj; side: SessionSide} | undefined {
  const o = socket as Obj;
  for (const key of [
    ...Object.keys(o),
    ...Object.getOwnPropertySymbols(o),
  ] as Array<string | symbol>) {
    const v = o[key];
    if (typeof v !== 'object' || v === null) continue;
    const side = SESSION_CLASSES[(v as object).constructor?.name ?? ''];
    if (side !== undefined) return {session: v as Obj, side};
  }
  return undefined;
}

/** The streams a session has open (not destroyed), by id. */
export function streamsOf(session: Obj): Map<number, Obj> {
  const out = new Map<number, Obj>();
  const key = Object.getOwnPropertySymbols(session).find(
    s => s.description === 'state',
  );
  const streams =
    key === undefined ? undefined : (session[key] as Obj)?.streams;
  // Node's own SafeMap, of its primordials: not `instanceof Map` here.
  if (Object.prototype.toString.call(streams) !== '[object Map]') return out;
  for (const [id, s] of Map.prototype.entries.call(
    streams as Map<unknown, unknown>,
  ))
    if (
      typeof id === 'number' &&
      typeof s === 'object' &&
      s !== null &&
      (s as Obj).destroyed !== true
    )
      out.set(id, s as Obj);
  return out;
}

/** A client stream's method, when it is a method (a token), else `request`. */
export function streamMethod(stream: Obj): string {
  const m = (stream.sentHeaders as Obj | undefined)?.[':method'];
  return typeof m === 'string' && /^[A-Za-z-]{1,24}$/.test(m) ? m : 'request';
}

/**
 * The streams of a client session that still wait (their response not read
 * to its end), by method: `1 stream open (GET)`; null when none waits (the
 * session then waits on nothing).
 */
export function clientStreamsWords(session: Obj): string | null {
  const methods = new Map<string, number>();
  let n = 0;
  for (const s of streamsOf(session).values()) {
    if (s.readableEnded === true) continue;
    n++;
    const m = streamMethod(s);
    methods.set(m, (methods.get(m) ?? 0) + 1);
  }
  if (n === 0) return null;
  const by = [...methods]
    .map(([m, k]) => (k === 1 ? m : `${k} ${m}`))
    .join(', ');
  return `${n} stream${n === 1 ? '' : 's'} open (${by})`;
}

/**
 * A server stream not ended: not answered (no `respond()`), or its response
 * not ended; null when it has ended its side. (Whether the request's body came
 * in full is not said: a stream's readable side ends only once read.)
 */
export function serverStreamState(
  stream: Obj,
): {answered: boolean; status: number | null} | null {
  if (stream.writableEnded === true) return null;
  const answered = stream.headersSent === true;
  const status = (stream.sentHeaders as Obj | undefined)?.[':status'];
  return {
    answered,
    status: answered && typeof status === 'number' ? status : null,
  };
}

/** What an HTTP/2 server has not done on its connections. */
export interface ServerStreams {
  /** Streams it has not answered. */
  unanswered: number;
  /** Streams answered whose response it has not ended, by status. */
  unfinished: Map<number | null, number>;
}

/**
 * The streams an HTTP/2 server has open on the connections given (its
 * server-side sockets); undefined when none carries an HTTP/2 session (no
 * HTTP/2 server, or no connection).
 */
export function serverStreams(sockets: object[]): ServerStreams | undefined {
  let sessions = 0;
  const out: ServerStreams = {unanswered: 0, unfinished: new Map()};
  for (const socket of sockets) {
    const s = sessionOf(socket);
    if (s?.side !== 'server') continue;
    sessions++;
    for (const stream of streamsOf(s.session).values()) {
      const state = serverStreamState(stream);
      if (state === null) continue;
      if (!state.answered) out.unanswered++;
      else
        out.unfinished.set(
          state.status,
          (out.unfinished.get(state.status) ?? 0) + 1,
        );
    }
  }
  return sessions === 0 ? undefined : out;
}

/** How many streams are waiting on the server. */
export function waitingStreams(s: ServerStreams): number {
  return s.unanswered + [...s.unfinished.values()].reduce((a, b) => a + b, 0);
}

/**
 * `1 stream not answered, 1 response not ended (status 200)`, or `no stream
 * waiting`.
 */
export function serverStreamsWords(s: ServerStreams): string {
  const parts: string[] = [];
  const plural = (n: number, w: string): string =>
    `${n} ${w}${n === 1 ? '' : 's'}`;
  if (s.unanswered > 0)
    parts.push(`${plural(s.unanswered, 'stream')} not answered`);
  const n = waitingStreams(s) - s.unanswered;
  if (n > 0) {
    const statuses = [...s.unfinished.keys()]
      .filter(k => k !== null)
      .map(k => `status ${k}`)
      .join(', ');
    parts.push(
      `${plural(n, 'response')} not ended${statuses === '' ? '' : ` (${statuses})`}`,
    );
  }
  return parts.length === 0 ? 'no stream waiting' : parts.join(', ');
}
