/**
 * What a wait on a stream says of the stream (words only; streams.ts reads
 * the pipes and states): what it still lacks to end or finish, from its live
 * state (never its data), the stage of a pipe that holds a chunk it has not
 * called back for, and what a wait for 'drain' waits on.
 */
import type {Frame, Waker} from '../types';
import type {ObjectState} from './state';
import {type At, article, functionWords} from './words';

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
        ? `${stageName(source.cls, source.state, names)}${source.where}: ${streamState(source.state, 'end', source.cls)}`
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

/**
 * After an emitter's waker, of an emitter that reads a stream (a readline
 * Interface's `input`): what that stream lacks to end, which ends the
 * emitter's events too.
 */
export function inputWords(cls: string, o: ObjectState): string {
  return `; its input is ${streamName(cls, o)}: ${streamState(o, 'end', cls)}`;
}

/**
 * A wait for 'drain' on a stream: Node emits it once what was written is
 * all handed on, after a write() that returned false. What holds it: a
 * write() that has not called back, or (a Transform, a Duplex) a readable
 * side that nothing reads, since a Transform takes more only as what it
 * pushed is read.
 */
export function drainWaker(cls: string, o: ObjectState, where: string): Waker {
  const short = `waits for 'drain' on ${streamName(cls, o)}${where}`;
  const w = o.writable!;
  const parts = [`${chunks(w)} still to write`];
  const stalled = stalledCall(o);
  const r = o.readable;
  if (stalled !== null)
    parts.push(`its ${stalled} has not called back for the chunk it was given`);
  else if (r !== undefined && r.flowing !== true && (r.length ?? 0) > 0)
    parts.push(
      `its readable side holds ${chunks(r)}${unread(r)}${o.writeHeld === true ? ": Node holds its transform()'s callback until what it pushed is read" : ''}`,
    );
  return {kind: 'stream', what: `${short}: ${parts.join('; ')}`, short};
}

/** Where a stream of the program is defined: ` (class RowSource at …)`. */
export function streamClassWhere(at: Frame): string {
  return ` (class ${at.name} at ${at.file}:${at.line}:${at.column})`;
}

/** ` (made with read() at src/a.ts:3:7)`. */
export function streamMadeWith(method: string, at: At | null): string {
  return ` (made with ${functionWords(`${method}()`, at)})`;
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

/**
 * A pipe's first stage: a stream of Node's own class by its class too (`the
 * PassThrough (a Duplex stream)`), the first of several of that class.
 */
function stageName(cls: string, o: ObjectState, names: string[]): string {
  if (!NODE_STREAMS.has(cls)) return streamName(cls, o);
  const first = names.filter(n => n === cls).length > 1 ? ', the first' : '';
  return `the ${cls} (${streamType(o)}${first})`;
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
    return "its state is not a Node stream's (another library's streams keep their own), so what it lacks is not said";
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
  // A Duplex whose finish waits while its readable side is not read (a
  // pipeline of parsers, pumpify's, nobody reads the output of): what fills
  // up there is what holds the writes back.
  if (
    event === 'finish' &&
    w?.ended === true &&
    w.finished === false &&
    r !== undefined &&
    r.flowing !== true &&
    (r.length ?? 0) > 0
  )
    parts.push(`its readable side holds ${chunks(r)}${unread(r)}`);
  return parts.length > 0 ? parts.join('; ') : 'still open';
}
