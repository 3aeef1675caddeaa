/**
 * Where each socket of undici (Node's `fetch()`, and the `undici` package)
 * stands with its last request, from undici's diagnostics channels: sent and
 * waiting for the response's headers, answered and reading the body, or done
 * (the response ended, or the request failed). A dump reads it to tell the
 * socket a pending `fetch()` waits on from one idle in undici's pool
 * (dump/fetch-sockets.ts). Only the state is kept, in weak maps: never a
 * request's URL, headers or body.
 *
 * With two `fetch()`s in flight, which socket carries which is read from
 * when and where undici made each request (dump/fetch-sockets.ts): the order
 * of the last capture made then (a request made within the `fetch()` call
 * follows its promise's), and the capture of the promise whose reaction was
 * running (a request made after the call returned, in undici's own work for
 * it: a chain of captures back to the call).
 *
 * Costs while tests run: one call per request made, per request sent, per
 * response's headers and per request ended, only where undici publishes
 * (nothing when no request is made).
 */
import {executionAsyncResource} from 'node:async_hooks';
import diagnostics from 'node:diagnostics_channel';
import {Stamp} from './stamp';
import {rec} from './state';
import type {Capture} from './types';

/** Where a socket's last request stands. */
export type FetchSocketState = 'awaiting-headers' | 'reading-body' | 'done';

// The request's socket through a WeakRef: held strongly, our map would be
// a path from the socket to whatever its request's callbacks keep, which
// the waker search would name as what keeps a promise.
const socketOf = new WeakMap<object, WeakRef<object>>();
const states = new WeakMap<object, FetchSocketState>();

/** When and where undici made a request, under a Root. */
export interface RequestMade {
  /** The order of the last capture made before it (`rec.seq`). */
  seq: number;
  /** The capture of the promise whose reaction made it, if recorded. */
  context: Capture | undefined;
  /** Whether every promise the Root made until then was recorded. */
  complete: boolean;
}

/**
 * Where each request was made, and each socket's last request (under a Root
 * only). Listed among the recorder's objects (record/roots.ts): the waker
 * search goes through neither.
 */
const madeIn = new WeakMap<object, RequestMade>();
const socketMadeIn = new WeakMap<object, RequestMade>();

type Message = {request?: unknown; socket?: unknown} | null;

const isObject = (v: unknown): v is object =>
  typeof v === 'object' && v !== null;

function onCreate(message: unknown): void {
  const root = rec.active;
  if (root === null) return;
  const request = (message as Message)?.request;
  if (!isObject(request)) return;
  const c = Stamp.capture(executionAsyncResource());
  madeIn.set(request, {
    seq: rec.seq,
    context: c !== undefined && c.owner === root ? c : undefined,
    complete: root.unrecorded === 0,
  });
}

function onSendHeaders(message: unknown): void {
  const {request, socket} = (message as Message) ?? {};
  if (!isObject(request) || !isObject(socket)) return;
  socketOf.set(request, new WeakRef(socket));
  states.set(socket, 'awaiting-headers');
  const c = madeIn.get(request);
  if (c !== undefined) socketMadeIn.set(socket, c);
  else socketMadeIn.delete(socket);
}

function moved(to: FetchSocketState): (message: unknown) => void {
  return message => {
    const request = (message as Message)?.request;
    const socket = isObject(request)
      ? socketOf.get(request)?.deref()
      : undefined;
    if (socket === undefined) return;
    states.set(socket, to);
    // Answered: where its request was made is asked no more, and a
    // keep-alive socket does not keep that capture's chain of promises.
    socketMadeIn.delete(socket);
  };
}

/** undici's channels, and the state each message moves a socket to. */
const CHANNELS: Array<[string, (message: unknown) => void]> = [
  ['undici:request:create', onCreate],
  ['undici:client:sendHeaders', onSendHeaders],
  ['undici:request:headers', moved('reading-body')],
  ['undici:request:trailers', moved('done')],
  ['undici:request:error', moved('done')],
];

/** Where `socket`'s last request stands, if undici sent one on it. */
export function fetchSocketState(socket: object): FetchSocketState | undefined {
  return states.get(socket);
}

/** When and where undici made `socket`'s last request, if under a Root. */
export function fetchRequestMadeIn(socket: object): RequestMade | undefined {
  return socketMadeIn.get(socket);
}

/** This module's maps, for the recorder's list of its own objects. */
export function fetchRequestObjects(): object[] {
  return [madeIn, socketMadeIn];
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
