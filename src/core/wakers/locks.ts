/**
 * Locks, queues and deferreds: which other stuck branches hold the object a
 * waiter's resolve function is kept in, and which of those hold each other (a
 * deadlock). A branch is the async functions suspended on a promise (found
 * from its reactions); it holds an object its functions refer to directly (an
 * argument, `this`, a local, a function that closes over it) while it waits on
 * something else.
 */
import type {Frame, Leaf} from '../types';
import {edgeNamed} from '../heap';
import type {WakerContext} from './context';
import type {WakerSubject} from './types';

/**
 * For subjects kept by an object (a lock's queue, a deferred): the other stuck
 * branches that hold that object, and deadlocks. Sets `heldBy` and `deadlock`
 * on their wakers.
 */
export function findHolders(
  cx: WakerContext,
  subjects: WakerSubject[],
  holders: Array<number | undefined>,
): void {
  if (!holders.some(h => h !== undefined)) return;
  const probe = cx.ix.probe;
  const branches = subjects.map((_, i) =>
    probe.subjects[i] === -1 ? [] : suspendedOn(cx, probe.subjects[i]),
  );
  const heldBy: number[][] = subjects.map(() => []);
  // Where each holding branch parts from the waiting one: its outermost
  // function not shared.
  const partsAt = new Map<string, number>();
  subjects.forEach((s, i) => {
    const h = holders[i];
    if (h === undefined || s.leaf.waker === undefined) return;
    const mine = new Set(branches[i]);
    subjects.forEach((_, j) => {
      if (j === i || holders[j] === h) return;
      // Only the functions where the other branch parts from this one (not
      // the test body both are in): what they refer to, they hold.
      const own = branches[j].filter(gen => !mine.has(gen));
      if (referencesOf(cx, own).has(h)) {
        heldBy[i].push(j);
        if (own.length > 0) partsAt.set(`${i}>${j}`, own[own.length - 1]);
      }
    });
  });
  // A cycle of "waits on what that one holds" is a deadlock.
  const inCycle = (start: number): boolean => {
    const seen = new Set<number>();
    const stack = [...heldBy[start]];
    while (stack.length > 0) {
      const j = stack.pop()!;
      if (j === start) return true;
      if (seen.has(j)) continue;
      seen.add(j);
      stack.push(...heldBy[j]);
    }
    return false;
  };
  subjects.forEach((s, i) => {
    if (heldBy[i].length === 0 || s.leaf.waker === undefined) return;
    s.leaf.waker.heldBy = heldBy[i]
      .map(
        j =>
          partingFrame(s.leaf, subjects[j].leaf) ??
          generatorFrame(cx, partsAt.get(`${i}>${j}`)),
      )
      .filter((f): f is Frame => f !== undefined);
    if (inCycle(i)) s.leaf.waker.deadlock = true;
  });
}

/** A suspended function as a frame: its name, where it is defined. */
function generatorFrame(
  cx: WakerContext,
  gen: number | undefined,
): Frame | undefined {
  const fn = gen === undefined ? -1 : edgeNamed(cx.ix.g, gen, 'function');
  if (fn === -1) return undefined;
  const at = cx.ix.functionAt(fn);
  if (at === null) return undefined;
  return {
    name: cx.ix.functionName(fn) ?? '<anonymous>',
    ...at,
    async: true,
  };
}

/**
 * The async functions suspended on a promise, and on theirs, and so on
 * (generator objects).
 */
function suspendedOn(cx: WakerContext, promise: number): number[] {
  const {ix} = cx;
  const g = ix.g;
  const out: number[] = [];
  const seen = new Set<number>([promise]);
  const queue = [promise];
  while (queue.length > 0 && seen.size < 4000) {
    const n = queue.shift()!;
    const name = g.name(n);
    for (let e = g.firstEdge(n); e < g.firstEdge(n + 1); e++) {
      const to = g.edgeTo(e);
      const en = g.edgeName(e);
      const type = g.edgeType(e);
      if (seen.has(to) || type === 'weak' || en === 'map') continue;
      const follow =
        (name === 'Promise' && en === 'reactions_or_result') ||
        (name === 'system / PromiseReaction' && type === 'hidden') ||
        (name === 'system / PromiseCapability' && en === 'promise') ||
        (g.type(n) === 'closure' && en === 'context') ||
        (name === 'system / Context' &&
          (en === 'extension' || type === 'hidden')) ||
        // Async functions compiled to generators (tslib's and Babel's
        // helpers): the reaction's handler closes over the generator and over
        // the resolve function of the helper's promise.
        (name === 'system / Context' &&
          type === 'context' &&
          (g.name(to) === 'Generator' || ix.isResolverClosure(to))) ||
        (name === 'Generator' && type === 'hidden' && g.name(to) === 'Promise');
      if (!follow) continue;
      seen.add(to);
      if (g.name(to) === 'Generator') out.push(to);
      queue.push(to);
    }
  }
  return out;
}

/**
 * What a branch's suspended functions refer to: their `this`, arguments and
 * locals, what functions among those close over, and the properties of the
 * objects met (a few hops; not a module's top-level scope, which every
 * function of the module shares).
 */
function referencesOf(cx: WakerContext, generators: number[]): Set<number> {
  const {ix} = cx;
  const g = ix.g;
  const out = new Set<number>();
  const visit = (n: number, depth: number): void => {
    const name = g.name(n);
    const type = g.type(n);
    for (let e = g.firstEdge(n); e < g.firstEdge(n + 1); e++) {
      const to = g.edgeTo(e);
      const en = g.edgeName(e);
      const et = g.edgeType(e);
      if (
        et === 'weak' ||
        en === 'map' ||
        en === '__proto__' ||
        out.has(to) ||
        ix.probe.ours[to] === 1
      )
        continue;
      const follow =
        (name === 'Generator' &&
          (en === 'receiver' ||
            en === 'parameters_and_registers' ||
            (en === 'context' && !ix.isModuleScope(to)))) ||
        (type === 'array' && (et === 'internal' || et === 'element')) ||
        (type === 'closure' && en === 'context' && !ix.isModuleScope(to)) ||
        (name === 'system / Context' && et === 'context') ||
        (type === 'object' &&
          (et === 'property' || et === 'element') &&
          !name.startsWith('system /') &&
          name !== 'Generator');
      if (!follow) continue;
      out.add(to);
      if (depth < 4) visit(to, depth + 1);
    }
  };
  for (const gen of generators) visit(gen, 0);
  return out;
}

/**
 * The frame where branch `other` parts from `leaf`'s (or its last), to name it:
 * the first of the program's own frames from there on, if any (a library's
 * helper frames say little).
 */
function partingFrame(leaf: Leaf, other: Leaf): Frame | undefined {
  const key = (f: Frame): string =>
    `${f.name}@${f.file}:${f.line}#${f.combinator?.index ?? ''}`;
  let from = other.path.length;
  for (let i = 0; i < other.path.length; i++) {
    if (i >= leaf.path.length || key(leaf.path[i]) !== key(other.path[i])) {
      from = i;
      break;
    }
  }
  const rest = other.path.slice(
    Math.min(from, Math.max(0, other.path.length - 1)),
  );
  return rest.find(f => !/(^|[\\/])node_modules[\\/]/.test(f.file)) ?? rest[0];
}
