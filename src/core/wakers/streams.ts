/**
 * Describes emitters that are more than emitters: a child process (whether it
 * exited), a stream (what it still lacks to end or finish, from its live state)
 * and a stream of a pipe (the stage whose write() holds a chunk it has not
 * called back for, if one does; else what its first source lacks: a pipe ends
 * when its source does).
 */
import type {Waker} from '../types';
import {edgeNamed} from '../heap';
import type {WakerContext} from './context';
import {childProcessWaker} from './event-words';
import {
  type PipeStage,
  drainWaker,
  pipeWaker,
  stalledCall,
  streamClassWhere,
  streamMadeWith,
  streamWaker,
} from './stream-words';

/** The pipes between streams (see pipesIn), found once a search. */
const pipesOf = new WeakMap<WakerContext, Pipes>();

/**
 * The events a stream's end emits, which its state says most about: 'readable'
 * too (a stream's async iterator waits for it; a readable stream emits it once
 * more as it ends). Not 'data', 'drain', 'connect': ending would not emit them.
 */
export const END_EVENTS = new Set([
  'end',
  'finish',
  'close',
  'error',
  'prefinish',
  'readable',
]);

/**
 * The waker of a listener of `event` (`label` as printed) on `node`, if `node`
 * is a child process or a stream; undefined for a plain emitter.
 */
export function describeStreamOrProcess(
  cx: WakerContext,
  node: number,
  event: string | null,
  label: string,
): Waker | undefined {
  const g = cx.ix.g;
  const cls = g.name(node);
  const o = cx.states.read(node);
  if (o === undefined) return undefined;
  if (o.pid !== undefined && o.exitCode !== undefined && o.spawnfile === true) {
    const signal = typeof o.signalCode === 'string' ? o.signalCode : null;
    const exited = o.exitCode !== null || signal !== null;
    return childProcessWaker(
      label,
      o.pid,
      exited ? {code: o.exitCode, signal} : null,
    );
  }
  if (o.readable === undefined && o.writable === undefined) return undefined;
  // (Node's fields: another library's state is not read.)
  if (
    event === 'drain' &&
    typeof o.writable?.ended === 'boolean' &&
    typeof o.writable.finished === 'boolean'
  )
    return drainWaker(cls, o, streamWhere(cx, node));
  // Said of a wait for what the stream's end emits (or for no event in
  // particular): a socket's 'connect', a 'drain', a 'data' are said as an
  // emitter's events.
  if (event !== null && !END_EVENTS.has(event)) return undefined;
  const from = pipedFrom(cx, node);
  // (Once each: streams piped in a ring meet again.)
  const stages = [...new Set([...from, node, ...pipedInto(cx, node)])];
  // A stage whose write() or transform() holds a chunk it has not called back
  // for holds the pipe up, the first source's end with it: said of a wait on
  // a destination, and on a stream piped into a stage stuck that way (of a
  // stream stuck itself, its state says so).
  const stalled = stages.filter(n => {
    const s = cx.states.read(n);
    return s !== undefined && stalledCall(s) !== null;
  });
  if (from.length === 0 && stalled.every(n => n === node))
    return streamWaker(cls, o, streamWhere(cx, node), event);
  return pipeWaker(
    (stalled.length > 0 ? stages : [...from, node]).map(n => g.name(n)),
    from.length > 0 ? pipeStage(cx, from[0]) : undefined,
    stalled.map(n => pipeStage(cx, n)!),
  );
}

/** A stream as a stage of a pipe, if its state was read. */
function pipeStage(cx: WakerContext, node: number): PipeStage | undefined {
  const state = cx.states.read(node);
  return state === undefined
    ? undefined
    : {cls: cx.ix.g.name(node), state, where: streamWhere(cx, node)};
}

/**
 * Where a stream of the program is defined: its class, or the
 * `read`/`write`/`transform` it was made with (`new Readable({read()
 * {...}})`); nothing for Node's own.
 */
function streamWhere(cx: WakerContext, node: number): string {
  const ix = cx.ix;
  const at = ix.isProgramClass(node) ? ix.classAt(node) : undefined;
  if (at !== undefined) return streamClassWhere(at);
  const stdio = childStdio(cx, node);
  if (stdio !== undefined) return stdio;
  for (const key of ['_read', '_write', '_transform', '_writev']) {
    const fn = edgeNamed(ix.g, node, key);
    if (fn !== -1 && ix.g.type(fn) === 'closure' && ix.isProgramFunction(fn))
      return streamMadeWith(key.slice(1), ix.functionAt(fn));
  }
  return '';
}

/** A child process's standard streams, by the property that holds each. */
const STDIO = new Set(['stdin', 'stdout', 'stderr']);

/**
 * ` piped from the stdout of child process pid 4318` (` piped to the stdin
 * …`) for the pipe a child process's standard stream is read or written
 * through (what ends it is that child); undefined for any other stream.
 */
function childStdio(cx: WakerContext, node: number): string | undefined {
  const {ix} = cx;
  for (const {from, edge} of ix.retainersOf(node)) {
    const which = ix.g.edgeName(edge);
    if (
      typeof which !== 'string' ||
      !STDIO.has(which) ||
      ix.g.name(from) !== 'ChildProcess'
    )
      continue;
    const pid = cx.states.read(from)?.pid;
    const child =
      typeof pid === 'number' ? `child process pid ${pid}` : 'a child process';
    return ` piped ${which === 'stdin' ? 'to' : 'from'} the ${which} of ${child}`;
  }
  return undefined;
}

/** Which stream pipes into each stream, and the first each one pipes into. */
interface Pipes {
  from: Map<number, number>;
  to: Map<number, number>;
}

/** The pipes between the streams of the snapshot, found once a search. */
function pipesIn(cx: WakerContext): Pipes {
  let pipes = pipesOf.get(cx);
  if (pipes !== undefined) return pipes;
  const g = cx.ix.g;
  // Which stream owns each ReadableState, and which state pipes into each
  // stream.
  const owner = new Map<number, number>();
  const into = new Map<number, number>();
  for (let i = 0; i < g.nodeCount; i++) {
    const state = g.name(i) === 'ReadableState';
    for (let e = g.firstEdge(i); e < g.firstEdge(i + 1); e++) {
      const name = g.edgeName(e);
      if (name === '_readableState') owner.set(g.edgeTo(e), i);
      else if (state && name === 'pipes') {
        // Node's: an array of the streams it is piped into; readable-stream
        // 3's (winston's logger, piped into its transports): the one
        // stream itself, an array from the second on.
        const to = g.edgeTo(e);
        if (g.type(to) === 'object' && g.name(to) !== 'Array') into.set(to, i);
        else
          for (let f = g.firstEdge(to); f < g.firstEdge(to + 1); f++)
            if (g.edgeType(f) === 'element') into.set(g.edgeTo(f), i);
      }
    }
  }
  pipes = {from: new Map(), to: new Map()};
  for (const [dest, state] of into) {
    const source = owner.get(state);
    if (source === undefined) continue;
    pipes.from.set(dest, source);
    if (!pipes.to.has(source)) pipes.to.set(source, dest);
  }
  pipesOf.set(cx, pipes);
  return pipes;
}

/** The streams a walk from `start` along `next` reaches, 16 at most. */
function along(start: number, next: Map<number, number>): number[] {
  const out: number[] = [];
  for (
    let at = next.get(start);
    at !== undefined && at !== start && !out.includes(at) && out.length < 16;
    at = next.get(at)
  )
    out.push(at);
  return out;
}

/**
 * Streams piped into `dest`, from the first source on
 * (`a.pipe(b).pipe(dest)`: [a, b]): what a wait for `dest` to end waits on
 * too, so a handle that reaches one of them feeds it (wakers/feeds.ts: the
 * socket whose response a fetch()'s body is piped from).
 */
export function pipedFrom(cx: WakerContext, dest: number): number[] {
  return along(dest, pipesIn(cx).from).reverse();
}

/**
 * Streams `source` pipes into, to the last (`source.pipe(b).pipe(c)`: [b,
 * c]); of a stream piped into several, the first.
 */
function pipedInto(cx: WakerContext, source: number): number[] {
  return along(source, pipesIn(cx).to);
}
