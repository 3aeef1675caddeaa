/**
 * The sentences of the wakers about events: a listener on an emitter or an
 * EventTarget, an abort signal, a child process (with words.ts and
 * stream-words.ts, every sentence the wakers say; the same rules: true of
 * what it describes, never a value of the program).
 */
import type {Waker} from '../types';
import type {ObjectState} from './state';
import {article} from './words';
import {requestLacks} from './request-words';

export function listenerPlace(event: string, cls: string): string {
  return `by a listener of ${event} on ${article(cls)}`;
}

export function targetListenerPlace(cls: string): string {
  return `by a listener on ${article(cls)}`;
}

/** jsdom's EventTarget (an element's implementation object). */
export function domEventWaker(event: string, cls: string): Waker {
  return {
    kind: 'event',
    what: `waits for ${event} on ${article(cls)} (a DOM EventTarget): not dispatched since its listener was added`,
    short: `waits for ${event} on ${article(cls)}`,
  };
}

export function abortWaker(event: string, aborted: boolean): Waker {
  return aborted
    ? {
        kind: 'event',
        what: `waits for ${event} on an AbortSignal that was aborted before the listener was added: it fires once, never again`,
        short: `waits for ${event} on an AbortSignal that was aborted before the listener was added`,
      }
    : {
        kind: 'event',
        what: `waits for ${event} on an AbortSignal: nothing aborted it`,
        short: `waits for ${event} on an AbortSignal`,
      };
}

/**
 * What a `fetch()` promise, or a read of its response's body, waits for, in
 * place of the AbortSignal listener found keeping its resolve function
 * ({@link fetchAbortWaker}); likewise a `read()` of a web stream's reader
 * (a response's body read as it comes: eventsource's); undefined for any
 * other promise or waker.
 */
export function fetchWaker(leafWhat: string, found: Waker): Waker | undefined {
  if (
    leafWhat.startsWith('read() promise') &&
    found.kind === 'event' &&
    found.what.startsWith("waits for 'abort' on an AbortSignal")
  )
    return streamReadWaker(!found.what.endsWith('nothing aborted it'));
  const part = leafWhat.startsWith('fetch() promise')
    ? 'headers'
    : leafWhat.startsWith('consumeBody() promise')
      ? 'body'
      : undefined;
  if (
    part === undefined ||
    found.kind !== 'event' ||
    !found.what.startsWith("waits for 'abort' on an AbortSignal")
  )
    return undefined;
  return fetchAbortWaker(!found.what.endsWith('nothing aborted it'), part);
}

/**
 * Node's fetch() promise, or a read of its response's body (`text()`,
 * `json()`: undici's `consumeBody`), kept by the listener of its AbortSignal
 * (fetch() makes one when it is given none): it settles when the response's
 * headers come, or the body's end, and aborting would reject it. It does not
 * wait for an abort.
 */
export function fetchAbortWaker(
  aborted: boolean,
  part: 'headers' | 'body' = 'headers',
): Waker {
  const abort = `an 'abort' of its AbortSignal would reject it, and ${aborted ? 'it was aborted before the listener was added' : 'nothing aborted it'}`;
  return part === 'headers'
    ? {
        kind: 'event',
        what: `no response has come: fetch() settles when its headers do; ${abort}`,
        short: 'no response has come',
      }
    : {
        kind: 'event',
        what: `the response's body has not ended: a read of all of it (text(), json()) settles when it does; ${abort}`,
        short: "the response's body has not ended",
      };
}

/**
 * A `read()` of a web stream's reader kept by a listener of an AbortSignal
 * (a `fetch()` body's stream, which an abort errors): what settles a read is
 * the stream's source, and the listener is said as what else keeps it.
 */
export function streamReadWaker(aborted: boolean): Waker {
  return {
    kind: 'event',
    what: `a read of a web stream: it settles when the stream's source gives it more, or closes or errors the stream; a listener of 'abort' on an AbortSignal keeps it too, and ${aborted ? 'that signal was aborted before the listener was added' : 'nothing aborted that signal'}`,
    short: 'a read of a web stream, waiting for more of it',
  };
}

export function eventTargetWaker(event: string, cls: string): Waker {
  return {
    kind: 'event',
    what: `waits for ${event} on ${article(cls)}: not dispatched since its listener was added`,
    short: `waits for ${event} on ${article(cls)}`,
  };
}

export function childProcessWaker(
  event: string,
  pid: number,
  exit: {code: number | null; signal: string | null} | null,
): Waker {
  const short = `waits for ${event} of a child process`;
  if (exit === null)
    return {
      kind: 'child-process',
      what: `${short} (pid ${pid}): still running`,
      short,
    };
  const how =
    exit.signal !== null
      ? `killed by ${exit.signal}`
      : `with code ${exit.code}`;
  // Its end's events came before the listener was added; any other (a
  // 'message') may never have come.
  const ended = /^'(exit|close|disconnect)'$/.test(event);
  return {
    kind: 'child-process',
    what: `${short} (pid ${pid}): it has exited already (${how}), so the event will not come${ended ? ' again' : ''}`,
    short,
  };
}

export function emitterWaker(
  event: string,
  cls: string,
  o: ObjectState | undefined,
  rawEvent: string | null,
  once: boolean,
  family = 'EventEmitter',
): Waker {
  const state =
    o === undefined
      ? null
      : (happened(o, rawEvent) ??
        (o.request !== undefined ? requestLacks(o.request, rawEvent) : null));
  // A stream is named as one (an HTTP/2 request's ClientHttp2Stream).
  const of =
    family === 'EventEmitter' && o !== undefined
      ? (streamKind(o) ?? family)
      : family;
  const kind = cls === of ? article(of) : `${article(cls)} (${article(of)})`;
  const emitted =
    state ??
    (once
      ? 'not emitted since its listener was added'
      : 'not emitted since its listener was added, or emitted without settling it');
  return {
    kind: 'event',
    what: `waits for ${event} on ${kind}: ${emitted}`,
    short: `waits for ${event} on ${cls === of ? kind : article(cls)}`,
  };
}

/** `Duplex stream` for an object with both of a stream's states, and so on. */
function streamKind(o: ObjectState): string | undefined {
  const r = o.readable !== undefined;
  const w = o.writable !== undefined;
  if (r && w) return 'Duplex stream';
  if (r) return 'Readable stream';
  return w ? 'Writable stream' : undefined;
}

/**
 * For Node's own emitters: whether the event already happened, from their
 * state.
 */
function happened(o: ObjectState, event: string | null): string | null {
  if (
    (event === 'connect' || event === 'ready') &&
    o.connecting === false &&
    o.remoteAddress === true
  ) {
    return 'it is connected already: the event came before the listener was added, and will not come again';
  }
  if (event === 'open' && o.readyState !== undefined && o.readyState >= 1)
    return 'it is open already: the event came before the listener was added, and will not come again';
  if (event === 'listening' && o.listening === true)
    return 'it is listening already: the event came before the listener was added';
  if (event === 'close' && (o.closed === true || o.destroyed === true))
    return 'it is closed already: the event came before the listener was added';
  // A net.Server closed (not listening) with connections still open: Node
  // emits 'close' once the last one ends (what `server.close(cb)` waits on).
  if (
    event === 'close' &&
    o.listening === false &&
    o.connections !== undefined &&
    o.connections > 0
  )
    return `it stopped listening, and emits it once its ${o.connections === 1 ? 'one open connection ends' : `${o.connections} open connections end`}`;
  return null;
}
