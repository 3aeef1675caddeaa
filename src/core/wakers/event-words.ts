/**
 * The sentences of the wakers about events and streams: a listener on an
 * emitter or an EventTarget, an abort signal, a child process, a pipe, a
 * stream's state (with words.ts, every sentence the wakers say; the same
 * rules: true of what it describes, never a value of the program).
 */
import type {Frame, Waker} from '../types';
import type {ObjectState} from './state';
import {type At, article, functionWords} from './words';
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
 * ({@link fetchAbortWaker}); undefined for any other promise or waker.
 */
export function fetchWaker(leafWhat: string, found: Waker): Waker | undefined {
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
  exited: boolean,
): Waker {
  const short = `waits for ${event} of a child process`;
  return {
    kind: 'child-process',
    what: `${short} (pid ${pid}): ${exited ? 'it has exited already, so the event will not come again' : 'still running'}`,
    short,
  };
}

/** A stream as a pipe's stage: its class, state, and where it is defined. */
export interface PipeStage {
  cls: string;
  state: ObjectState;
  where: string;
}

/**
 * A wait on a stream of a pipe: `names` from the first source on (to the last
 * stage, when one is stalled); `stalled`, the stages whose write() or
 * transform() holds a chunk it has not called back for (nothing more flows,
 * so the source is not read to its end), or else `source`, what the first
 * source lacks, when its state was read.
 */
export function pipeWaker(
  names: string[],
  source: PipeStage | undefined,
  stalled: PipeStage[],
): Waker {
  const short = `waits for the pipe ${names.join(' → ')} to finish`;
  const why =
    stalled.length > 0
      ? stalled
          .map(
            s =>
              `the ${s.cls}${s.where}: its ${stalledCall(s.state)} was handed a chunk and has not called its callback, so nothing more flows`,
          )
          .join('; ')
      : source !== undefined
        ? `${streamName(source.cls, source.state)}${source.where}: ${streamState(source.state, 'end', source.cls)}`
        : 'its source has not ended';
  return {kind: 'stream', what: `${short}: ${why}`, short};
}

/**
 * `write()` or `transform()`, when a chunk handed to the stream's own write
 * (`_write`, a Transform's `_transform`) has not been called back for:
 * nothing written after it gets through, nor the end. Not a Transform whose
 * callback Node holds until its readable side is read.
 */
export function stalledCall(o: ObjectState): string | null {
  if (o.writable?.writing !== true || o.writeHeld === true) return null;
  return o.transform === true ? 'transform()' : 'write()';
}

export function streamWaker(
  cls: string,
  o: ObjectState,
  where: string,
  event: string | null,
): Waker {
  const short = `waits for ${streamName(cls, o)}${where} to ${streamGoal(event)}`;
  return {
    kind: 'stream',
    what: `${short}: ${streamState(o, event, cls)}`,
    short,
  };
}

/** Where a stream of the program is defined: ` (class RowSource at …)`. */
export function streamClassWhere(at: Frame): string {
  return ` (class ${at.name} at ${at.file}:${at.line}:${at.column})`;
}

/** ` (made with read() at src/a.ts:3:7)`. */
export function streamMadeWith(method: string, at: At | null): string {
  return ` (made with ${functionWords(`${method}()`, at)})`;
}

export function emitterWaker(
  event: string,
  cls: string,
  o: ObjectState | undefined,
  rawEvent: string | null,
  once: boolean,
): Waker {
  const state =
    o === undefined
      ? null
      : (happened(o, rawEvent) ??
        (o.request !== undefined ? requestLacks(o.request, rawEvent) : null));
  const kind =
    cls === 'EventEmitter'
      ? 'an EventEmitter'
      : `${article(cls)} (an EventEmitter)`;
  const emitted =
    state ??
    (once
      ? 'not emitted since its listener was added'
      : 'not emitted since its listener was added, or emitted without settling it');
  return {
    kind: 'event',
    what: `waits for ${event} on ${kind}: ${emitted}`,
    short: `waits for ${event} on ${cls === 'EventEmitter' ? kind : article(cls)}`,
  };
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

/** Node's own stream classes: named by their type alone. */
const NODE_STREAMS = new Set([
  'Readable',
  'Writable',
  'Duplex',
  'Transform',
  'PassThrough',
]);

/** `a Readable stream`, `a RowSource (a Readable stream)`. */
function streamName(cls: string, o: ObjectState): string {
  const type = streamType(o);
  return NODE_STREAMS.has(cls) ? type : `${article(cls)} (${type})`;
}

function streamType(o: ObjectState): string {
  const r = o.readable !== undefined;
  const w = o.writable !== undefined;
  return r && w
    ? 'a Duplex stream'
    : r
      ? 'a Readable stream'
      : 'a Writable stream';
}

function streamGoal(event: string | null): string {
  if (event === 'end' || event === 'data' || event === 'readable') return 'end';
  if (event === 'finish') return 'finish';
  if (event === 'close') return 'close';
  return 'end or close';
}

/** `3 bytes`, `2 objects` (a stream in object mode counts its chunks). */
function chunks(side: {length?: number; objectMode?: boolean}): string {
  const n = side.length ?? 0;
  const unit = side.objectMode === true ? 'object' : 'byte';
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/**
 * After end(), all written: its `_final` (a Transform's `_flush`) was called
 * and has not called back, which 'finish' waits for. Nothing when anything
 * is still to write, or a write has not called back.
 */
function endHeld(
  o: ObjectState,
  w: NonNullable<ObjectState['writable']>,
): string {
  if (
    (w.length ?? 0) !== 0 ||
    w.writing === true ||
    w.finalCalled !== true ||
    w.prefinished !== false ||
    o.ender === undefined
  )
    return '';
  return `, and its ${o.ender}() was called and has not called back ('finish' waits for it)`;
}

/**
 * Why buffered data is not read: nothing reads it, or the stream it is piped
 * to takes no more (backpressure: archiver's engine, piped into the archive
 * nobody reads).
 */
function unread(r: {flowing?: boolean | null; pipes?: number}): string {
  if (r.flowing === true) return '';
  if ((r.pipes ?? 0) > 0)
    return ', its pipe paused: the stream it is piped to takes no more';
  return ', nothing reads it';
}

/** What a stream still lacks, from its state (never its data). */
function streamState(
  o: ObjectState,
  event: string | null,
  cls: string,
): string {
  // Another library's streams (streamx's, as tar-stream's) keep their state
  // in fields of their own, some named as Node's with other meanings
  // (streamx's `ended` is Node's `finished`): a side is read only when it has
  // Node's fields.
  const r =
    typeof o.readable?.ended === 'boolean' &&
    typeof o.readable.endEmitted === 'boolean'
      ? o.readable
      : undefined;
  const w =
    typeof o.writable?.ended === 'boolean' &&
    typeof o.writable.finished === 'boolean'
      ? o.writable
      : undefined;
  // Node's own readables end when the other side says so.
  if ((cls === 'Socket' || cls === 'TLSSocket') && r?.ended !== true)
    return `the other side has not ended it (${o.bytesRead ?? 0} bytes read)`;
  if (cls === 'IncomingMessage' && o.complete !== true)
    return 'the message body has not ended';
  if (o.destroyed === true) return 'it was destroyed without ending';
  if (r === undefined && w === undefined)
    return "its state is not a Node stream's, and was not read";
  const parts: string[] = [];
  // A Transform pushes its end once its writable side has finished.
  const unended = o.transform === true && w !== undefined && w.ended === false;
  const stalled = stalledCall(o);
  if (r !== undefined && event !== 'finish') {
    if (r.ended === false)
      parts.push(
        `end never pushed${unended ? `, and end() was never called on it (a Transform pushes its end when its writable side finishes)` : stalled !== null || o.writeHeld === true ? '' : ' (push(null) was not called)'}`,
      );
    else if (r.ended === true && r.endEmitted === false)
      parts.push(
        `ended, but not read to the end (${chunks(r)} buffered${unread(r)}): 'end' comes after the last chunk is read`,
      );
  }
  if (
    w !== undefined &&
    !(unended && parts.length > 0) &&
    (event === 'finish' ||
      event === 'close' ||
      r === undefined ||
      parts.length === 0)
  ) {
    if (w.ended === false) parts.push('end() was never called on it');
    else if (w.ended === true && w.finished === false)
      parts.push(
        `end() was called, ${chunks(w)} still to write${endHeld(o, w)}`,
      );
  }
  if (stalled !== null)
    parts.push(`its ${stalled} has not called back for the chunk it was given`);
  return parts.length > 0 ? parts.join('; ') : 'still open';
}
