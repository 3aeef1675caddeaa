/**
 * The running jobs of a limiter (p-limit, p-queue, a hand-written
 * `limit(fn)`): its queue keeps, for each call waiting, the function that will
 * run it (p-limit's `run.bind(null, fn, resolve)`, a closure over the call's
 * resolve function); a call of that same function already running, suspended
 * on what it awaits, is a running job. It holds a slot of the limiter without
 * keeping any release: it gives the slot back when what it awaits settles. A
 * branch whose promise the job awaits holds that slot (locks.ts asks, walking
 * the branch: the job is reached by a reaction that resumes it).
 *
 * Limits: a job is known by its function only (the same code, bound or made
 * again for each call); a limiter whose queue keeps the resolve functions
 * themselves, not a function that runs the call, has no jobs here (its
 * releases, tokens in locks.ts, say who holds it).
 */
import type {Frame, Leaf} from '../types';
import {edgeNamed} from '../heap';
import {type Branch, frameOf, framesOf, isProjectCode} from './branches';
import type {WakerContext} from './context';

/**
 * The async functions (native, or compiled to generators) running the same
 * code as a function that keeps one of `resolvers` to call it when it runs (a
 * function `bind()` made with it among its arguments: its target; a closure
 * over a scope that holds it), for the same limiter: that very function, or
 * one whose scopes are the entry's, or refer to one of `lock`'s objects (a
 * class's queue, made again for each call).
 */
export function runningJobs(
  cx: WakerContext,
  resolvers: readonly number[],
  lock: readonly number[],
): Set<number> {
  const {ix} = cx;
  const g = ix.g;
  const entries = new Set<number>();
  const addBound = (bound: number): void => {
    const target = edgeNamed(g, bound, 'bound_function');
    if (target !== -1) entries.add(target);
  };
  for (const f of resolvers) {
    for (const r of ix.retainersOf(f)) {
      const from = r.from;
      const name = g.name(from);
      if (name === 'native_bind' && g.type(from) === 'closure') addBound(from);
      else if (name === '(bound arguments)') {
        for (const b of ix.retainersOf(from))
          if (g.name(b.from) === 'native_bind') addBound(b.from);
      } else if (
        name === 'system / Context' &&
        g.edgeType(r.edge) === 'context'
      ) {
        for (const c of ix.retainersOf(from))
          if (
            g.edgeName(c.edge) === 'context' &&
            g.type(c.from) === 'closure' &&
            !ix.isResolverClosure(c.from)
          )
            entries.add(c.from);
      }
    }
  }
  const jobs = new Set<number>();
  if (entries.size === 0) return jobs;
  const anchors = new Set<number>();
  for (const e of entries) for (const c of scopesOf(cx, e)) anchors.add(c);
  const lockObjects = new Set(lock);
  const sameLimiter = (fn: number): boolean =>
    entries.has(fn) ||
    scopesOf(cx, fn).some(
      c => anchors.has(c) || [...refersTo(cx, c)].some(o => lockObjects.has(o)),
    );
  for (const e of entries) {
    const shared = edgeNamed(g, e, 'shared');
    if (shared === -1) continue;
    for (const r of ix.retainersOf(shared)) {
      const fn = r.from;
      if (g.type(fn) !== 'closure' || g.edgeName(r.edge) !== 'shared') continue;
      if (!sameLimiter(fn)) continue;
      for (const q of ix.retainersOf(fn))
        if (g.edgeName(q.edge) === 'function' && g.name(q.from) === 'Generator')
          jobs.add(q.from);
    }
  }
  return jobs;
}

/** How many scopes deep, inside the lock's, a handler's function may be. */
const INNER_SCOPES = 3;

/**
 * The running jobs of a limiter whose jobs are reactions, not async functions
 * (throat: `.then(onFulfill, onReject)` on each job's promise, `onFulfill`
 * giving the slot back): the reactions whose handler is a function of the
 * lock's own code, one that closes over a scope keeping one of `lock`'s
 * objects in a variable (not a module's top level, not `this`) and is defined
 * in the file of the lock's class.
 */
export function reactionJobs(
  cx: WakerContext,
  lock: readonly number[],
): Set<number> {
  const {ix} = cx;
  const g = ix.g;
  const jobs = new Set<number>();
  const ctor = lock.length === 0 ? -1 : ix.constructorOf(lock[0]);
  const file = ctor === -1 ? null : ix.scriptFile(ctor);
  if (file === null) return jobs;
  const scopes: number[] = [];
  // Not the waiter's own record (a pool's `PendingOperation` for this one
  // waiter, in a bigger lock): a reaction closing over it is how the waiter
  // itself is settled (a creation's `.then(r => pending.resolve(r))`), no
  // job holding a slot.
  const own = lock.length > 1 && !isCollection(cx, lock[0]) ? lock[0] : -1;
  for (const n of lock) {
    if (n === own) continue;
    for (const r of ix.retainersOf(n))
      if (
        g.edgeType(r.edge) === 'context' &&
        g.edgeName(r.edge) !== 'this' &&
        g.name(r.from) === 'system / Context' &&
        !ix.isModuleScope(r.from)
      )
        scopes.push(r.from);
  }
  for (const fn of ix.closuresWithin(scopes, INNER_SCOPES + 1)) {
    if (ix.scriptFile(fn) !== file) continue;
    for (const q of ix.retainersOf(fn))
      if (
        g.name(q.from) === 'system / PromiseReaction' &&
        g.edgeType(q.edge) === 'hidden' &&
        !queuedIn(cx, promiseOf(cx, q.from), file)
      )
        jobs.add(q.from);
  }
  return jobs;
}

/** Whether a heap object is a collection (many waiters' place). */
export function isCollection(cx: WakerContext, n: number): boolean {
  return COLLECTIONS.has(cx.ix.g.name(n));
}

const COLLECTIONS = new Set(['Array', 'Map', 'Set']);

/** The promise whose list of reactions holds `reaction`, or -1. */
function promiseOf(cx: WakerContext, reaction: number): number {
  const g = cx.ix.g;
  for (let n = reaction, k = 0; k < 64; k++) {
    let up = -1;
    for (const r of cx.ix.retainersOf(n)) {
      const name = g.name(r.from);
      if (
        g.edgeName(r.edge) === 'reactions_or_result' &&
        cx.ix.isPromise(r.from)
      )
        return r.from;
      if (name === 'system / PromiseReaction') up = r.from;
    }
    if (up === -1) return -1;
    n = up;
  }
  return -1;
}

/**
 * Whether a promise waits in the lock's queue itself (its resolve function
 * kept by an object of a class of the lock's file): its reactions are a
 * waiter's, not a running job's.
 */
function queuedIn(cx: WakerContext, promise: number, file: string): boolean {
  if (promise === -1) return false;
  const {ix} = cx;
  for (const f of ix.resolversOf(promise))
    for (const r of ix.retainersOf(f)) {
      if (ix.skip(r.edge) || ix.g.type(r.from) !== 'object') continue;
      const ctor = ix.constructorOf(r.from);
      if (ctor !== -1 && ix.scriptFile(ctor) === file) return true;
    }
  return false;
}

/** The scopes a function closes over, nearest first, short of a module's. */
function scopesOf(cx: WakerContext, fn: number): number[] {
  const {ix} = cx;
  const out: number[] = [];
  let c = edgeNamed(ix.g, fn, 'context');
  while (
    c !== -1 &&
    out.length < 8 &&
    ix.g.name(c) === 'system / Context' &&
    !ix.isModuleScope(c)
  ) {
    out.push(c);
    c = edgeNamed(ix.g, c, 'previous');
  }
  return out;
}

/** What a scope's variables (`this` included) refer to. */
function* refersTo(cx: WakerContext, scope: number): Generator<number> {
  const g = cx.ix.g;
  for (let e = g.firstEdge(scope); e < g.firstEdge(scope + 1); e++)
    if (g.edgeType(e) === 'context') yield g.edgeTo(e);
}

/**
 * Whether the job's function is shown on the leaf's path below its last
 * frame of the program (not under node_modules): the lock's own code on the
 * way to its queue (an async `acquire`), not a job that waits on the branch.
 */
export function onTheWayIn(cx: WakerContext, job: number, leaf: Leaf): boolean {
  const fn = edgeNamed(cx.ix.g, job, 'function');
  const isCall = fn === -1 ? null : framesOf(cx, fn);
  if (isCall === null) return false;
  let lastProgram = -1;
  leaf.path.forEach((f, i) => {
    if (!/(^|[\\/])node_modules[\\/]/.test(f.file)) lastProgram = i;
  });
  return leaf.path.slice(lastProgram + 1).some(isCall);
}

/**
 * Whether the branch reached the job by a reaction that resumes it: the job
 * awaits a promise of the branch (V8's await closure, or a compiled async
 * function's step, keeps the generator in its scope), or is a reaction of
 * the branch's ({@link reactionJobs}).
 */
export function resumedBy(
  cx: WakerContext,
  branch: Branch,
  job: number,
): boolean {
  const g = cx.ix.g;
  if (g.name(job) === 'system / PromiseReaction') return branch.parent.has(job);
  let n = branch.parent.get(job) ?? -1;
  if (n !== -1 && g.name(n) === 'system / Context')
    n = branch.parent.get(n) ?? -1;
  if (n !== -1 && g.type(n) === 'closure') n = branch.parent.get(n) ?? -1;
  return n !== -1 && g.name(n) === 'system / PromiseReaction';
}

/**
 * The program's function a job runs, as a frame (where the leaf's path shows
 * it): the first function of the program (not under node_modules) among the
 * job's arguments and locals (p-limit's `run(fn, resolve, ...args)`).
 */
export function jobFrame(
  cx: WakerContext,
  job: number,
  leaf: Leaf,
): Frame | undefined {
  const {ix} = cx;
  const g = ix.g;
  const registers = edgeNamed(g, job, 'parameters_and_registers');
  if (registers === -1) return undefined;
  for (let e = g.firstEdge(registers); e < g.firstEdge(registers + 1); e++) {
    const fn = g.edgeTo(e);
    if (g.type(fn) !== 'closure' || ix.isResolverClosure(fn)) continue;
    if (isProjectCode(cx, fn)) return frameOf(cx, fn, leaf);
  }
  return undefined;
}
