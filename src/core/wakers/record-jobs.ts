/**
 * The running jobs of a limiter whose queue keeps one record object per call,
 * the waiter's resolve function in it (bottleneck's `Job`, its `_resolve`),
 * rather than a function that runs the call (jobs.ts): a call of a method of
 * that record's class, on another record of the same limiter, suspended at an
 * `await` (bottleneck's `Job.doExecute`, compiled to a generator, awaiting
 * the task). It holds a slot of the limiter without keeping any release: it
 * gives the slot back when what it awaits settles. A branch whose promise it
 * awaits holds that slot (locks.ts asks, walking the branch: the job is
 * reached by a reaction that resumes it).
 *
 * Of the same limiter: the other record keeps, by a property of its own, one
 * of the lock's objects besides the waiter's record, or an object of the
 * record's package that the waiter's record keeps so too (the limiter it was
 * scheduled on, the limiter's `Events`). Limits: a method's call is found
 * through its scope (a method that makes none, nothing in it closed over, is
 * found only as a native async method, by its receiver).
 */
import {edgeNamed} from '../heap';
import type {WakerContext} from './context';
import {isCollection} from './jobs';

/** See the module comment. `lock`: the waiter's record first. */
export function recordJobs(
  cx: WakerContext,
  lock: readonly number[],
): Set<number> {
  const {ix} = cx;
  const g = ix.g;
  const jobs = new Set<number>();
  const record = lock[0];
  if (
    record === undefined ||
    g.type(record) !== 'object' ||
    isCollection(cx, record)
  )
    return jobs;
  const ctor = ix.constructorOf(record);
  const from = ix.packageOf(record);
  if (ctor === -1 || from === null) return jobs;
  // The limiter's objects: the lock's, and those of the record's package its
  // own properties keep (the limiter it was scheduled on, its `Events`).
  const others = new Set(lock.filter(n => n !== record));
  for (let e = g.firstEdge(record); e < g.firstEdge(record + 1); e++) {
    const to = g.edgeTo(e);
    if (
      g.edgeType(e) === 'property' &&
      g.type(to) === 'object' &&
      to !== record &&
      ix.packageOf(to) === from
    )
      others.add(to);
  }
  if (others.size === 0) return jobs;
  const another = (self: number): boolean =>
    self !== -1 &&
    self !== record &&
    ix.constructorOf(self) === ctor &&
    keepsOneOf(cx, self, others);
  // The suspended calls of `fn`; `byReceiver`: only those on another record.
  const suspended = (fn: number, byReceiver = false): void => {
    for (const q of ix.retainersOf(fn))
      if (
        g.edgeName(q.edge) === 'function' &&
        g.name(q.from) === 'Generator' &&
        (!byReceiver || another(edgeNamed(g, q.from, 'receiver')))
      )
        jobs.add(q.from);
  };
  for (const shared of ix.methodsOf(record)) {
    // A native async method: suspended on another record.
    for (const r of ix.retainersOf(shared))
      if (g.edgeName(r.edge) === 'shared' && g.type(r.from) === 'closure')
        suspended(r.from, true);
    // A method's calls, by its scope: the async functions made in them (a
    // compiled one's generator) on another record.
    const info = edgeNamed(g, shared, 'name_or_scope_info');
    if (info === -1) continue;
    const calls: number[] = [];
    for (const r of ix.retainersOf(info))
      if (
        g.edgeName(r.edge) === 'scope_info' &&
        g.name(r.from) === 'system / Context' &&
        another(receiverOf(cx, r.from))
      )
        calls.push(r.from);
    for (const fn of ix.closuresWithin(calls, 2)) suspended(fn);
  }
  return jobs;
}

/** The receiver a method's scope keeps (`this`, or a compiled `_this`). */
function receiverOf(cx: WakerContext, ctx: number): number {
  const g = cx.ix.g;
  const self = edgeNamed(g, ctx, 'this');
  return self !== -1 ? self : edgeNamed(g, ctx, '_this');
}

/** Whether `node` keeps one of `objects` in a property of its own. */
function keepsOneOf(
  cx: WakerContext,
  node: number,
  objects: ReadonlySet<number>,
): boolean {
  const g = cx.ix.g;
  for (let e = g.firstEdge(node); e < g.firstEdge(node + 1); e++)
    if (g.edgeType(e) === 'property' && objects.has(g.edgeTo(e))) return true;
  return false;
}
