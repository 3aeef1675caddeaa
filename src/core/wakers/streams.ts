/**
 * Describes emitters that are more than emitters: a child process (whether it
 * exited), a stream (what it still lacks to end or finish, from its live state)
 * and a pipe's destination (what its first source lacks: a pipe ends when its
 * source does).
 */
import type {Waker} from '../types';
import {edgeNamed} from '../heap';
import type {WakerContext} from './context';
import {
  childProcessWaker,
  pipeWaker,
  streamClassWhere,
  streamMadeWith,
  streamWaker,
} from './event-words';

/** The stream piping into each stream (see pipedFrom), found once a search. */
const pipesOf = new WeakMap<WakerContext, Map<number, number>>();

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
    const exited =
      o.exitCode !== null ||
      (o.signalCode !== null && o.signalCode !== undefined);
    return childProcessWaker(label, o.pid, exited);
  }
  if (o.readable === undefined && o.writable === undefined) return undefined;
  // A socket's 'connect' or 'ready' is no stream event: said as an emitter's
  // (from its state: connected already or not).
  if (event === 'connect' || event === 'ready') return undefined;
  const from = pipedFrom(cx, node);
  if (from.length > 0) {
    const origin = cx.states.read(from[0]);
    return pipeWaker(
      [...from, node].map(n => g.name(n)),
      origin === undefined
        ? undefined
        : {
            cls: g.name(from[0]),
            state: origin,
            where: streamWhere(cx, from[0]),
          },
    );
  }
  return streamWaker(cls, o, streamWhere(cx, node), event);
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
  for (const key of ['_read', '_write', '_transform', '_writev']) {
    const fn = edgeNamed(ix.g, node, key);
    if (fn !== -1 && ix.g.type(fn) === 'closure' && ix.isProgramFunction(fn))
      return streamMadeWith(key.slice(1), ix.functionAt(fn));
  }
  return '';
}

/**
 * Streams piped into `dest`, from the first source on
 * (`a.pipe(b).pipe(dest)`: [a, b]): what a wait for `dest` to end waits on
 * too, so a handle that reaches one of them feeds it (wakers/feeds.ts: the
 * socket whose response a fetch()'s body is piped from).
 */
export function pipedFrom(cx: WakerContext, dest: number): number[] {
  const g = cx.ix.g;
  let pipes = pipesOf.get(cx);
  if (pipes === undefined) {
    // Once: which stream owns each ReadableState, and which state pipes into
    // each stream.
    const owner = new Map<number, number>();
    const into = new Map<number, number>();
    for (let i = 0; i < g.nodeCount; i++) {
      const state = g.name(i) === 'ReadableState';
      for (let e = g.firstEdge(i); e < g.firstEdge(i + 1); e++) {
        const name = g.edgeName(e);
        if (name === '_readableState') owner.set(g.edgeTo(e), i);
        else if (state && name === 'pipes') {
          const array = g.edgeTo(e);
          for (let f = g.firstEdge(array); f < g.firstEdge(array + 1); f++)
            if (g.edgeType(f) === 'element') into.set(g.edgeTo(f), i);
        }
      }
    }
    pipes = new Map(
      [...into]
        .filter(([, state]) => owner.has(state))
        .map(([d, state]) => [d, owner.get(state)!]),
    );
    pipesOf.set(cx, pipes);
  }
  const out: number[] = [];
  for (
    let at = pipes.get(dest);
    at !== undefined && !out.includes(at) && out.length < 16;
    at = pipes.get(at)
  )
    out.unshift(at);
  return out;
}
