/**
 * Every sentence the wakers say, in one place: the recognisers find facts in
 * the heap (a class, a property path, an event name, a timer's delay, a
 * stream's state) and hand them here as data; the words come from here. Every
 * sentence must be true of what it describes; where the evidence is partial it
 * says what is known and stops. Never a value of the program: only names
 * (classes, properties, variables, event names) and the plugin's own numbers.
 */
import type {Frame, Waker} from '../types';
import {duration} from '../words';
import type {ObjectState} from './state';

/** A place in the source: `src/a.ts:3:7`. */
export interface At {
  file: string;
  line: number;
  column: number;
}

export function article(cls: string): string {
  return `${/^[AEIOU]/.test(cls) ? 'an' : 'a'} ${cls}`;
}

/** `'ready'`, or `an event` when the name is not one to print. */
export function eventLabel(event: string | null, named: RegExp): string {
  return event !== null && named.test(event) ? `'${event}'` : 'an event';
}

/** A function by its name and where it is defined: `flush at src/a.ts:3:7`. */
export function functionWords(name: string | null, at: At | null): string {
  return `${name ?? 'a function'}${at !== null ? ` at ${at.file}:${at.line}:${at.column}` : ''}`;
}

export const ORPHANED: Waker = {
  kind: 'none',
  what: 'nothing can settle it: its resolve and reject functions are gone (orphaned)',
};

/** Kept, but by nothing with a name (a plain object in a local). */
export function keptUnnamed(by: string[], fn: 'resolve' | 'reject'): Waker {
  // V8 names a function made by `bind()` `native_bind`.
  const holder = (n: string): string =>
    n === 'native_bind' ? 'a bound function' : article(n);
  return {
    kind: 'object',
    what: `its ${fn} function is still kept${by.length > 0 ? ` (by ${by.map(holder).join(', ')})` : ''}, and nothing has called it`,
  };
}

/** The same waker, said of the reject function. */
export function asReject(w: Waker): Waker {
  const say = (s: string): string =>
    s.replace(/its resolve function/g, 'its reject function');
  return {
    ...w,
    what: say(w.what),
    ...(w.short !== undefined ? {short: say(w.short)} : {}),
  };
}

/**
 * After a waker whose resolve and reject functions only objects unreachable
 * from the garbage collector's roots keep (no code that can still run can call
 * them).
 */
export const UNREACHED =
  '; only objects that nothing running can reach keep what can settle it';

/** After a waker found from the reject function, with no resolve function. */
export const ONLY_REJECT =
  '; its resolve function is gone, so it can only be rejected';

/**
 * A promise that follows another: resolved with it (`called`), handed to its
 * `then` (`then`), resolved with a thenable that has not called back
 * (`thenable`); `inner` is the waker of the promise followed, if found.
 */
export function followsWaker(
  how: 'called' | 'then' | 'thenable',
  inner: Waker | undefined,
): Waker {
  const head =
    how === 'called'
      ? 'its resolve function was called with another promise, which has not settled'
      : how === 'then'
        ? "it follows another promise (its resolve function was passed to that one's then()), which has not settled"
        : 'its resolve function was called with a thenable, which has not settled it';
  return {
    kind: inner?.kind ?? 'object',
    what: inner !== undefined ? `${head}: ${inner.what}` : head,
    short:
      inner?.short ??
      (how === 'thenable'
        ? 'resolved with a thenable'
        : 'follows another promise'),
  };
}

/**
 * What keeps the holder, after the holder: a deferred's owner; `further`, an
 * object further up that keeps it in turn (a pool that keeps its queue).
 */
export function itselfKept(place: string, further?: string): string {
  return `, itself kept ${place}${further !== undefined ? ` and, further up, ${further}` : ''}`;
}

export function timerWaker(
  api: 'setTimeout' | 'setInterval',
  delay: number | null,
  left: number | null,
): {waker: Waker; place: string} {
  const timer = `${api}${delay !== null ? ` of ${delay} ms` : ''}`;
  return {
    waker: {
      kind: 'timer',
      what: `settles when a ${timer} fires${left !== null ? ` (in ${duration(left)})` : ''}`,
      short: `settles when a ${timer} fires`,
    },
    place: `by a ${timer}${left !== null ? ` (fires in ${duration(left)})` : ''}`,
  };
}

export const FAKE_TIMER: {waker: Waker; place: string} = {
  waker: {
    kind: 'timer',
    fake: true,
    what: "settles when a fake timer fires: Jest's fake clock has to be advanced to it (see below)",
    short: 'settles when a fake timer fires',
  },
  place: "by a fake timer, which fires only when Jest's fake clock is advanced",
};

export const FAKE_TICK: {waker: Waker; place: string} = {
  waker: {
    kind: 'timer',
    fake: true,
    what: "settles when a faked process.nextTick (or queueMicrotask) callback runs: Jest's fake clock runs them only when told to (jest.runAllTicks(), or advancing the clock)",
    short: 'settles when a faked process.nextTick callback runs',
  },
  place:
    "by a faked process.nextTick callback, which Jest's fake clock runs only when told to (jest.runAllTicks(), or advancing it)",
};

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

/**
 * A pipe's destination: `names` from the first source to it; `source` says
 * what the first source lacks, when its state was read.
 */
export function pipeWaker(
  names: string[],
  source: {cls: string; state: ObjectState; where: string} | undefined,
): Waker {
  const short = `waits for the pipe ${names.join(' → ')} to finish`;
  return {
    kind: 'stream',
    what: `${short}: ${source !== undefined ? `${streamName(source.cls, source.state)}${source.where}: ${streamState(source.state, 'end', source.cls)}` : 'its source has not ended'}`,
    short,
  };
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
  const state = o !== undefined ? happened(o, rawEvent) : null;
  const kind =
    cls === 'EventEmitter'
      ? 'an EventEmitter'
      : `${article(cls)} (an EventEmitter)`;
  const emitted =
    state ??
    (once
      ? 'not emitted since its listener was added'
      : 'not emitted in a way that settles it');
  return {
    kind: 'event',
    what: `waits for ${event} on ${kind}: ${emitted}`,
    short: `waits for ${event} on ${cls === 'EventEmitter' ? kind : article(cls)}`,
  };
}

/** `in \`lock\` of src/cache.ts`. */
export function variablePlace(variable: string, file: string | null): string {
  return `in \`${variable}\`${file ? ` of ${file}` : ''}`;
}

/**
 * Kept through a variable of a function's scope, the last resort of a search
 * (scopes.ts): `kept through \`events.drain[0]\`, where \`events\` is a
 * variable of a call of queue$1 (node_modules/async/dist/async.js)`.
 */
export function keptInScope(
  fn: 'resolve' | 'reject',
  path: string,
  owner: string,
  file: string | null,
): Waker {
  const variable = path.replace(/[.[].*$/, '');
  const call = `a call of ${owner !== '' && IDENTIFIER_LIKE.test(owner) ? owner : 'a function'}${file !== null ? ` (${file})` : ''}`;
  return {
    kind: 'object',
    what: `its ${fn} function is kept through \`${path}\`, where \`${variable}\` is a variable of ${call}, and nothing has called it`,
    short: `kept through \`${path}\``,
  };
}

const IDENTIFIER_LIKE = /^[A-Za-z_$][\w$.]{0,60}$/;

/**
 * After a lock's waiter whose holder is not known, when a call of the same
 * function is suspended past this wait further up its branch (reentry.ts).
 */
export function reenteredWords(outer: Frame, inner: Frame): string {
  return `; further up this branch, ${outer.name} at ${outer.file}:${outer.line}:${outer.column} is another call of the same function, suspended past this wait (line ${inner.line}): if that call holds what this one waits for, this is a deadlock`;
}

export function variableWaker(
  place: string,
  through: string | undefined,
): Waker {
  return {
    kind: 'variable',
    what: `its resolve function is kept ${place}${through ? ` (by ${through})` : ''}, and nothing has called it`,
    short: `kept ${place}`,
  };
}

/**
 * An object of the program keeping it: `in Pool.waiting[0]`, with where its
 * class is and the events it has listeners of.
 */
export function objectWaker(
  cls: string,
  path: string,
  through: string | undefined,
  at: Frame | undefined,
  listening: string[],
): {waker: Waker; place: string} {
  const place = `in ${cls}${path}`;
  const where =
    at !== undefined || listening.length > 0
      ? ` (${[at !== undefined ? `class ${cls} at ${at.file}:${at.line}:${at.column}` : null, listening.length > 0 ? `an EventEmitter with listeners of ${listening.map(e => `'${e}'`).join(', ')}` : null].filter(x => x !== null).join('; ')})`
      : '';
  return {
    waker: {
      kind: 'object',
      what: `its resolve function is kept ${place}${through ? ` (by ${through})` : ''}${where}`,
      short: `kept ${place}`,
      ...(at ? {at} : {}),
    },
    place: `${place}${where}`,
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

/** What a stream still lacks, from its state (never its data). */
function streamState(
  o: ObjectState,
  event: string | null,
  cls: string,
): string {
  const r = o.readable;
  const w = o.writable;
  // Node's own readables end when the other side says so.
  if ((cls === 'Socket' || cls === 'TLSSocket') && r?.ended !== true)
    return `the other side has not ended it (${o.bytesRead ?? 0} bytes read)`;
  if (cls === 'IncomingMessage' && o.complete !== true)
    return 'the message body has not ended';
  if (o.destroyed === true) return 'it was destroyed without ending';
  const parts: string[] = [];
  // A Transform pushes its end once its writable side has finished.
  const unended = o.transform === true && w !== undefined && w.ended !== true;
  // A chunk handed to the stream's own `write()` or `transform()` that has
  // not called back: nothing written after it gets through, nor the end.
  const stalled =
    w?.writing === true
      ? o.transform === true
        ? 'transform()'
        : 'write()'
      : null;
  if (r !== undefined && event !== 'finish') {
    if (r.ended !== true)
      parts.push(
        `end never pushed${unended ? `, and end() was never called on it (a Transform pushes its end when its writable side finishes)` : stalled !== null ? '' : ' (push(null) was not called)'}`,
      );
    else if (r.endEmitted !== true)
      parts.push(
        `ended, but not read to the end (${r.length ?? 0} bytes buffered${r.flowing !== true ? ', nothing reads it' : ''}): 'end' comes after the last chunk is read`,
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
    if (w.ended !== true) parts.push('end() was never called on it');
    else if (w.finished !== true)
      parts.push(
        `end() was called, ${w.length ?? 0} byte${w.length === 1 ? '' : 's'} still to write`,
      );
  }
  if (stalled !== null)
    parts.push(`its ${stalled} has not called back for the chunk it was given`);
  return parts.length > 0 ? parts.join('; ') : 'still open';
}

/**
 * After a lock's waker, when no stuck branch holds the lock and what it
 * records in a Map (`Pool._resourceLoans`: what it lent) is referred to by
 * nothing but the lock.
 */
export function lentOnlyToItself(cls: string, property: string): string {
  return `; nothing but the ${cls} refers to what ${cls}.${property} (a Map) holds`;
}
