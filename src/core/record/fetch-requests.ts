/**
 * Where each socket of undici (Node's `fetch()`, and the `undici` package)
 * stands with its last request, from undici's diagnostics channels: sent and
 * waiting for the response's headers, answered and reading the body, or done
 * (the response ended, or the request failed). A dump reads it to tell the
 * socket a pending `fetch()` waits on from one idle in undici's pool
 * (dump/fetch-sockets.ts). Only the state is kept, in weak maps: never a
 * request's URL, headers or body.
 *
 * Costs while tests run: one call per request sent, per response's headers
 * and per request ended, only where undici publishes (nothing when no
 * request is made).
 */
import diagnostics from 'node:diagnostics_channel';

/** Where a socket's last request stands. */
export type FetchSocketState = 'awaiting-headers' | 'reading-body' | 'done';

const socketOf = new WeakMap<object, object>();
const states = new WeakMap<object, FetchSocketState>();

type Message = {request?: unknown; socket?: unknown} | null;

const isObject = (v: unknown): v is object =>
  typeof v === 'object' && v !== null;

function onSendHeaders(message: unknown): void {
  const {request, socket} = (message as Message) ?? {};
  if (!isObject(request) || !isObject(socket)) return;
  socketOf.set(request, socket);
  states.set(socket, 'awaiting-headers');
}

function moved(to: FetchSocketState): (message: unknown) => void {
  return message => {
    const request = (message as Message)?.request;
    const socket = isObject(request) ? socketOf.get(request) : undefined;
    if (socket !== undefined) states.set(socket, to);
  };
}

/** undici's channels, and the state each message moves a socket to. */
const CHANNELS: Array<[string, (message: unknown) => void]> = [
  ['undici:client:sendHeaders', onSendHeaders],
  ['undici:request:headers', moved('reading-body')],
  ['undici:request:trailers', moved('done')],
  ['undici:request:error', moved('done')],
];

/** Where `socket`'s last request stands, if undici sent one on it. */
export function fetchSocketState(socket: object): FetchSocketState | undefined {
  return states.get(socket);
}

/** Subscribes to undici's channels; returns the function that stops it. */
export function recordFetchRequests(): () => void {
  for (const [name, fn] of CHANNELS) diagnostics.subscribe(name, fn);
  return () => {
    for (const [name, fn] of CHANNELS) diagnostics.unsubscribe(name, fn);
  };
}
