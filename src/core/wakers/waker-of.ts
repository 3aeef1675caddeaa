/**
 * The waker of one stuck promise (see index.ts): it follows what the promise
 * was resolved with, else goes up from its resolve function to the nearest
 * holder with a name, and from a deferred or lock further up to what keeps
 * that; with the objects on the way, for the lock and feed questions.
 */
import type {Waker} from '../types';
import {type Chain, IDENTIFIER} from './heap-index';
import type {Recognised, WakerContext} from './context';
import {nearestHolder} from './nearest';
import {scopeHolder} from './scopes';
import {placeUpTo} from './further';
import {
  type SuspendedGenerator,
  drivingGenerator,
  suspendedGenerator,
} from './generators';
import {nativeHeld} from './native-held';
import {pipedFrom} from './streams';
import {agentSocketsFor} from './agent-sockets';
import {followedPromise} from './follows';
import {fetchWaker} from './event-words';
import type {WakerSubject} from './types';
import {
  ONLY_REJECT,
  UNREACHED,
  ORPHANED,
  asReject,
  followsWaker,
  itselfKept,
  keptUnnamed,
  nodeRequest,
} from './words';

/** A waker, and the objects that keep the resolve function (for locks). */
export interface Described {
  waker?: Waker;
  /**
   * The objects of the program keeping it, nearest first (a lock, its
   * owner).
   */
  chain?: number[];
  /** The references from its resolve function up to the lock (locks.ts). */
  queue?: Chain;
  /**
   * The resolve and reject functions, and the holders named on the way up
   * (for feeds.ts).
   */
  holders?: number[];
  /**
   * The objects from the resolve function up to the first holder, that one
   * included: how near a handle reaches it (feeds.ts).
   */
  near?: number[];
  /** The generator a runner drives, in whose runner's scope it is kept. */
  generator?: SuspendedGenerator;
}

/** How many promises a search follows through adoptions. */
const ADOPTIONS = 3;

/**
 * The waker of the promise at `node`. Orphaned only when its resolve and
 * reject functions are gone: kept only by objects the program no longer
 * reaches (the hung test's own, after a timeout) is not orphaned, and is
 * described as any other.
 */
export function wakerOf(
  cx: WakerContext,
  node: number,
  subject: WakerSubject,
  depth = 0,
): Described {
  const {ix} = cx;
  const fns = ix.resolversOf(node);
  const followed = followedPromise(cx, node, fns, subject.constructed);
  if (followed !== undefined) {
    const inner =
      followed.promise !== null && depth < ADOPTIONS
        ? wakerOf(
            cx,
            followed.promise,
            {...subject, constructed: false},
            depth + 1,
          )
        : {};
    return {waker: followsWaker(followed.how, inner.waker)};
  }
  if (fns.length === 0) {
    // A `new Promise` always had them: garbage collected, nothing can call
    // them any more.
    if (!subject.constructed) return {};
    return {waker: {...ORPHANED}};
  }
  // The resolve function says more than the reject one (events.once's 'error'
  // listener keeps only reject); one the roots reach says what can still call
  // it.
  const order = (f: number): number =>
    (ix.rooted[f] === 1 ? 0 : 2) + (ix.isResolve(f) ? 0 : 1);
  const ranked = [...fns].sort((a, b) => order(a) - order(b));
  let found: Described = {};
  for (const f of ranked) {
    found = describe(cx, f, subject);
    if (found.waker !== undefined) break;
  }
  const fetched =
    found.waker === undefined
      ? undefined
      : fetchWaker(subject.leaf.what, found.waker);
  if (fetched !== undefined) found.waker = fetched;
  // Kept by nothing the program can reach or run (only by the recorder's
  // captured stacks, which are ours): its resolve function was dropped.
  const waits = subject.leaf.waiting === true;
  if (!found.waker && !waits && subject.constructed && !ix.reachable(fns))
    return {waker: {...ORPHANED}};
  // A promise that waits on what the dump shows below it already says so.
  if (found.waker === undefined && subject.leaf.waiting !== true) {
    // Kept, but by nothing with a name (a plain object in a local of running
    // code): say so, so that it does not read as if it was not looked for.
    const f = ranked[0];
    const by = [
      ...new Set(
        [...ix.retainersOf(f)]
          .filter(r => !ix.skip(r.edge) && ix.probe.ours[r.from] !== 1)
          .map(r => ix.g.name(r.from))
          .filter(n => IDENTIFIER.test(n)),
      ),
    ].slice(0, 3);
    const which = ix.isResolve(f) ? 'resolve' : 'reject';
    found = {
      waker:
        scopeHolder(cx, f, which) ??
        nativeHeld(cx, f, which) ??
        nodeRequest(by) ??
        keptUnnamed(by, which),
    };
    // A runner of generators keeping it in a scope of its own (redux-saga's
    // newTask()): the generator its runner drives is what it waits for.
    const generator = drivingGenerator(cx, f);
    if (generator !== undefined) {
      found.waker!.what += generator.text;
      found.generator = generator;
    }
  }
  if (found.waker !== undefined && !fns.some(f => ix.isResolve(f))) {
    found.waker.what += ONLY_REJECT;
    found.waker.onlyRejects = true;
  }
  // What the garbage collector's roots do not reach, no code that runs can:
  // said after what keeps it (the hung test's own objects, unreachable from
  // outside after a timeout, are still what it waits for).
  if (found.waker !== undefined && !fns.some(f => ix.rooted[f] === 1))
    found.waker.what += UNREACHED;
  found.holders = [...fns, ...(found.holders ?? [])];
  return found;
}

function describe(
  cx: WakerContext,
  fn: number,
  subject: WakerSubject,
): Described {
  const first = nearestHolder(cx, fn, subject);
  if (first === undefined) return {};
  if (!cx.ix.isResolve(fn)) first.waker = asReject(first.waker);
  const generator =
    suspendedGenerator(cx, first.chain) ?? drivingGenerator(cx, fn);
  const suspended = generator?.text ?? '';
  const gen = generator !== undefined ? {generator} : {};
  if (first.waker.kind !== 'object') {
    first.waker.what += suspended;
    // What it waits on too: streams piped into it, an Agent's sockets.
    const also =
      first.waker.kind === 'stream'
        ? pipedFrom(cx, first.node)
        : first.waker.kind === 'event'
          ? agentSocketsFor(cx, first.node)
          : [];
    return {
      waker: first.waker,
      holders: [first.node, ...also],
      near: first.chain.nodes,
      ...gen,
    };
  }
  // A deferred, or a lock: what keeps that says more (the module, the
  // emitter, the queue), and the objects on the way are what a holder of the
  // lock refers to.
  const chain = [first.node];
  const holders = [first.node];
  const above: Recognised[] = [];
  for (let at = first.node; chain.length < CHAIN;) {
    const next = nearestHolder(cx, at, subject, new Set(chain));
    if (next === undefined) break;
    above.push(next);
    holders.push(next.node);
    if (next.waker.kind !== 'object') break;
    chain.push(next.node);
    at = next.node;
  }
  const further = above.slice(1).filter(h => h.waker.kind === 'object');
  let top = further.at(-1)?.place;
  // Objects all the way up (a library's subscribers, each kept by the next):
  // what keeps them, past any number of objects, is where the program keeps
  // them (a module's variable, a timer).
  // Not a variable of Node's or the runner's (the cached `stderr` stream of
  // Node's bootstrap reaches a pool of worker threads): no place of the
  // program's, nothing more said.
  if (above.at(-1)?.waker.kind === 'object') {
    const root = nearestHolder(cx, first.node, subject, undefined, true);
    if (root !== undefined && root.notProgram !== true)
      top = placeUpTo(cx, root.chain, root.place);
  }
  // A place found again further up (a chain of objects of one class, each
  // kept at the same index of the next) says nothing more: what keeps it
  // does.
  const again = above[0]?.place;
  if (top !== undefined && again !== undefined && top.startsWith(again)) {
    const rest = top.slice(again.length);
    top = rest.startsWith(', itself kept ')
      ? rest.slice(', itself kept '.length)
      : undefined;
  }
  if (above.length > 0) first.waker.what += itselfKept(above[0].place, top);
  first.waker.what += suspended;
  return {
    waker: first.waker,
    chain,
    queue: first.chain,
    holders,
    near: first.chain.nodes,
    ...gen,
  };
}

/** How many objects up from a resolve function a search names and follows. */
const CHAIN = 6;
