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

// The request's socket through a WeakRef: held strongly, our map would be
// a path from the socket to whatever its request's callbacks keep, which
// the waker search would name as what keeps a promise.
const socketOf = new WeakMap<object, WeakRef<object>>();
const states = new WeakMap<object, FetchSocketState>();

type Message = {request?: unknown; socket?: unknown} | null;

const isObject = (v: unknown): v is object =>
  typeof v === 'object' && v !== null;

function onSendHeaders(message: unknown): void {
  const {request, socket} = (message as Message) ?? {};
  if (!isObject(request) || !isObject(socket)) return;
  socketOf.set(request, new WeakRef(socket));
  states.set(socket, 'awaiting-headers');
}

function moved(to: FetchSocketState): (message: unknown) => void {
  return message => {
    const request = (message as Message)?.request;
    const socket = isObject(request)
      ? socketOf.get(request)?.deref()
      : undefined;
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

/**
 * The channels, kept for good: Node's bundled undici loads at the first
 * `fetch()`, after this subscribes, and Node 20 can lose a subscription to a
 * channel only a subscriber made once it is let go of (record/io.ts,
 * loadPublishers). Held here, the channel is the one undici gets.
 */
let channels: Array<ReturnType<typeof diagnostics.channel>> | undefined;

/** Subscribes to undici's channels; returns the function that stops it. */
export function recordFetchRequests(): () => void {
  channels ??= CHANNELS.map(([name]) => diagnostics.channel(name));
  CHANNELS.forEach(([, fn], i) => channels?.[i].subscribe(fn));
  return () => {
    CHANNELS.forEach(([, fn], i) => channels?.[i].unsubscribe(fn));
  };
}
