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
import {type Branch, frameOf} from './branches';
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
  const {ix} = cx;
  const fn = edgeNamed(ix.g, job, 'function');
  const at = fn === -1 ? null : ix.functionAt(fn);
  if (at === null) return false;
  const name = ix.functionName(fn);
  let lastProgram = -1;
  leaf.path.forEach((f, i) => {
    if (!/(^|[\\/])node_modules[\\/]/.test(f.file)) lastProgram = i;
  });
  return leaf.path
    .slice(lastProgram + 1)
    .some(
      f =>
        f.file === at.file &&
        f.line >= at.line &&
        (name === null
          ? f.name === '<anonymous>'
          : f.name === name || f.name.endsWith(`.${name}`)),
    );
}

/**
 * Whether the branch reached the job by a reaction that resumes it: the job
 * awaits a promise of the branch (V8's await closure, or a compiled async
 * function's step, keeps the generator in its scope).
 */
export function resumedBy(
  cx: WakerContext,
  branch: Branch,
  job: number,
): boolean {
  const g = cx.ix.g;
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
    const file = ix.scriptFile(fn);
    if (
      file !== null &&
      ix.isProgramFunction(fn) &&
      !/[\\/]node_modules[\\/]/.test(file)
    )
      return frameOf(cx, fn, leaf);
  }
  return undefined;
}
