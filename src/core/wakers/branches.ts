/**
 * Branches: the code that waits on a stuck promise, walked from the promise
 * through its reactions to the async functions they resume (native, or
 * compiled to generators by tslib or Babel), their promises, and so on, with
 * what that code keeps (its `this`, arguments, locals, what its closures close
 * over). locks.ts asks whether a branch keeps a lock's release, and which of
 * its functions to name for it.
 */
import type {Frame, Leaf} from '../types';
import {edgeNamed} from '../heap';
import type {WakerContext} from './context';

/**
 * The code that waits on a promise, as reached from it: `parent` maps each
 * node reached to the one it was reached from (-1 for the promise).
 */
export interface Branch {
  start: number;
  parent: Map<number, number>;
}

/** How many objects of the heap a branch's walk visits at most. */
const BRANCH_LIMIT = 20_000;
/** How many values deep a branch's walk goes (a local, its property, ...). */
const VALUE_DEPTH = 4;
/** Plain objects are looked into only this deep (their properties). */
const OBJECT_DEPTH = 2;

/**
 * Walks from a promise to the code waiting on it (its reactions, the async
 * functions they resume, the promises of those, and so on), and to what that
 * code keeps: `this`, arguments and locals, what its closures close over, and
 * the properties of plain objects among them (a few levels). Not through
 * `avoid` (the locks), a module's top-level scope (every function of the
 * module shares it), the runner's objects, or promises held as values (the
 * code waiting on those waits on something else).
 */
export function walkBranch(
  cx: WakerContext,
  promise: number,
  avoid: Set<number>,
): Branch {
  const {ix} = cx;
  const g = ix.g;
  const parent = new Map<number, number>([[promise, -1]]);
  const queue = [promise];
  const depthOf = [0];
  const push = (
    to: number,
    from: number,
    depth: number,
    asValue = false,
  ): void => {
    if (
      depth > VALUE_DEPTH ||
      parent.has(to) ||
      avoid.has(to) ||
      ix.probe.ours[to] === 1
    )
      return;
    parent.set(to, from);
    const name = g.name(to);
    const type = g.type(to);
    // Reached as a value: a promise is someone else's wait; a string, a
    // number, code are no holders of anything.
    if (
      asValue &&
      (ix.isPromise(to) || (type === 'closure' && ix.isResolverClosure(to)))
    )
      return;
    if (
      type !== 'object' &&
      type !== 'closure' &&
      type !== 'array' &&
      type !== 'hidden'
    )
      return;
    if (type === 'object' && ix.isMachineryObject(to)) return;
    // Not into a module's top-level scope, however it is reached (a suspended
    // async function's registers hold the scope it runs in).
    if (name === 'system / Context' && ix.isModuleScope(to)) return;
    queue.push(to);
    depthOf.push(depth);
  };
  for (
    let head = 0;
    head < queue.length && queue.length < BRANCH_LIMIT;
    head++
  ) {
    const n = queue[head];
    const d = depthOf[head];
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
        en === 'prototype' ||
        en === 'constructor' ||
        ix.skip(e)
      )
        continue;
      if (ix.isPromise(n)) {
        if (
          en === 'reactions_or_result' &&
          g.name(to) === 'system / PromiseReaction'
        )
          push(to, n, d);
      } else if (name === 'system / PromiseReaction') {
        if (et === 'hidden' || et === 'internal') push(to, n, d);
      } else if (name === 'system / PromiseCapability') {
        if (en === 'promise' || en === 'resolve' || en === 'reject')
          push(to, n, d);
      } else if (type === 'closure') {
        if (
          en === 'context' &&
          g.name(to) === 'system / Context' &&
          !ix.isModuleScope(to)
        )
          push(to, n, d);
      } else if (name === 'system / Context') {
        if (et === 'context')
          // A variable; a resolve function in one is the code's own promise
          // (a down-levelled async function's).
          push(
            to,
            n,
            ix.isResolverClosure(to) ? d : d + 1,
            !ix.isResolverClosure(to),
          );
        else if (et === 'hidden' || en === 'extension') push(to, n, d);
        else if (
          en === 'previous' &&
          g.name(to) === 'system / Context' &&
          !ix.isModuleScope(to)
        )
          push(to, n, d);
      } else if (name === 'Generator') {
        if (en === 'receiver') push(to, n, d + 1, true);
        else if (en === 'parameters_and_registers' || en === 'function')
          push(to, n, d);
        else if (en === 'context') {
          if (!ix.isModuleScope(to)) push(to, n, d);
        } else if (ix.isPromise(to)) push(to, n, d);
      } else if (type === 'array') {
        if (et === 'element' || et === 'internal') push(to, n, d + 1, true);
      } else if (
        type === 'object' &&
        d < OBJECT_DEPTH &&
        !name.startsWith('system /') &&
        (et === 'property' || et === 'element')
      )
        push(to, n, d + 1, true);
    }
  }
  return {start: promise, parent};
}

/**
 * A function of the project itself: the program's (not Node's, not the
 * runner's) and not under node_modules.
 */
export function isProjectCode(cx: WakerContext, fn: number): boolean {
  const file = cx.ix.scriptFile(fn);
  return (
    file !== null &&
    cx.ix.isProgramFunction(fn) &&
    !/[\\/]node_modules[\\/]/.test(file)
  );
}

/**
 * The function of a branch that holds `token`, as a frame: the first
 * function of the program (not under node_modules) at or after the one that
 * keeps it (a library's `runExclusive` is held for its caller), else before
 * it, else the one that keeps it. Its position is where the leaf's path shows
 * it, else where it is defined.
 */
export function holderFrame(
  cx: WakerContext,
  branch: Branch,
  token: number,
  leaf: Leaf,
): Frame | undefined {
  const {ix} = cx;
  const g = ix.g;
  const path: number[] = [];
  for (let n = branch.parent.get(token)!; n !== -1; n = branch.parent.get(n)!)
    path.push(n);
  // `path`: from what keeps the token back to the promise.
  const fnOf = (n: number): number =>
    g.name(n) === 'Generator'
      ? edgeNamed(g, n, 'function')
      : g.type(n) === 'closure' && !ix.isResolverClosure(n)
        ? n
        : -1;
  const isProgram = (fn: number): boolean => fn !== -1 && isProjectCode(cx, fn);
  let holder = -1;
  for (const n of path) {
    const fn = fnOf(n);
    if (fn === -1) continue;
    if (holder === -1) holder = fn;
    const after = programAfter(cx, n, isProgram);
    if (after !== -1) return frameOf(cx, after, leaf);
  }
  for (const n of path) {
    const fn = fnOf(n);
    if (fn !== -1 && isProgram(fn)) return frameOf(cx, fn, leaf);
  }
  return holder === -1 ? undefined : frameOf(cx, holder, leaf);
}

/**
 * The first function of the program that waits on `from` (it included):
 * following only promises, their reactions and the async functions they
 * resume.
 */
function programAfter(
  cx: WakerContext,
  from: number,
  isProgram: (fn: number) => boolean,
): number {
  const {ix} = cx;
  const g = ix.g;
  const seen = new Set([from]);
  const queue = [from];
  for (let head = 0; head < queue.length && queue.length < 500; head++) {
    const n = queue[head];
    const name = g.name(n);
    if (name === 'Generator') {
      const fn = edgeNamed(g, n, 'function');
      if (fn !== -1 && isProgram(fn)) return fn;
    }
    for (let e = g.firstEdge(n); e < g.firstEdge(n + 1); e++) {
      const to = g.edgeTo(e);
      const en = g.edgeName(e);
      const et = g.edgeType(e);
      if (seen.has(to) || et === 'weak' || en === 'map') continue;
      const follow =
        (en === 'reactions_or_result' &&
          ix.isPromise(n) &&
          g.name(to) === 'system / PromiseReaction') ||
        (name === 'system / PromiseReaction' &&
          (et === 'hidden' || et === 'internal')) ||
        (name === 'system / PromiseCapability' && en === 'promise') ||
        (g.type(n) === 'closure' &&
          en === 'context' &&
          !ix.isModuleScope(to)) ||
        (name === 'system / Context' &&
          (et === 'hidden' ||
            en === 'extension' ||
            (et === 'context' && ix.isResolverClosure(to)))) ||
        (name === 'Generator' && ix.isPromise(to));
      if (!follow) continue;
      seen.add(to);
      queue.push(to);
    }
  }
  return -1;
}

/**
 * A function as a frame: where the leaf's path shows it (the line it waits
 * at), else where it is defined.
 */
export function frameOf(
  cx: WakerContext,
  fn: number,
  leaf: Leaf,
): Frame | undefined {
  const at = cx.ix.functionAt(fn);
  if (at === null) return undefined;
  const shown = [...leaf.path].reverse().find(framesOf(cx, fn)!);
  return (
    shown ?? {name: cx.ix.functionName(fn) ?? '<anonymous>', ...at, async: true}
  );
}

/**
 * Whether a frame of a leaf's path is a call of `fn` (its file, a line at or
 * after where it is defined, and its name); null when where `fn` is defined
 * is not known.
 */
export function framesOf(
  cx: WakerContext,
  fn: number,
): ((f: Frame) => boolean) | null {
  const name = cx.ix.functionName(fn);
  const at = cx.ix.functionAt(fn);
  if (at === null) return null;
  return f =>
    f.file === at.file &&
    f.line >= at.line &&
    (name === null
      ? f.name === '<anonymous>'
      : f.name === name || f.name.endsWith(`.${name}`));
}
