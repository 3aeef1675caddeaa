/**
 * An async function suspended at an `await`, as what settles a promise whose
 * resolve function its scope keeps, and what else its continuation reaches:
 * p-queue's `add()` makes a promise whose `resolve` the task's `run()` keeps;
 * `run()` awaits the task (which never settles), and after it calls `resolve`
 * and `this._next()`, which calls the `_resolveIdle` that `onIdle()` left. The
 * promise `add()` made and the one `onIdle()` made wait on one thing: the
 * `await` in `run()`.
 *
 * Forward from the suspended function only through the variables it uses
 * (reach.ts), at most {@link FORWARD} steps: what is not found by then is
 * not said.
 */
import {edgeNamed} from '../heap';
import type {HeapIndex} from './heap-index';
import {reachedFrom} from './reach';

/** Scopes around the one that keeps the resolve function, looked into. */
const SCOPES = 4;

/**
 * Steps forward from the suspended function (p-queue's take nine: `run`,
 * its scope, `add()`'s, the queue, its `_resolveIdle`, that function's
 * scope, and the resolve function of `onIdle()`'s promise).
 */
const FORWARD = 12;

/** Suspended functions looked at from one promise, at most. */
const SUSPENDED = 16;

/**
 * The subjects (by index into `resolvers`, each one's resolve and reject
 * functions), other than `own` and those `skip` rules out, whose resolve
 * function the continuation of an async function reaches, when that function
 * is suspended at an `await` and uses a variable that keeps `own`'s resolve
 * or reject function (see the module comment).
 */
export function resumesToSubjects(
  ix: HeapIndex,
  own: number,
  resolvers: ReadonlyArray<readonly number[] | undefined>,
  skip: (subject: number) => boolean,
): number[] {
  const subjectOf = new Map<number, number>();
  resolvers.forEach((fns, i) => {
    if (i !== own && !skip(i)) for (const fn of fns ?? []) subjectOf.set(fn, i);
  });
  if (subjectOf.size === 0) return [];
  const targets = new Set(subjectOf.keys());
  const found = new Set<number>();
  for (const fn of suspendedKeeping(ix, resolvers[own] ?? []))
    for (const to of reachedFrom(ix, fn, targets, FORWARD))
      found.add(subjectOf.get(to)!);
  return [...found];
}

/**
 * The functions of the async functions suspended at an `await` whose scope
 * (or one around it) keeps one of `fns` in a variable they use.
 */
function suspendedKeeping(ix: HeapIndex, fns: readonly number[]): number[] {
  const g = ix.g;
  const found = new Set<number>();
  for (const fn of fns)
    for (const r of ix.retainersOf(fn)) {
      if (g.edgeType(r.edge) !== 'context' || ix.isModuleScope(r.from))
        continue;
      let scopes = [r.from];
      for (let k = 0; k < SCOPES && scopes.length > 0; k++) {
        const inner: number[] = [];
        for (const scope of scopes)
          for (const q of ix.retainersOf(scope)) {
            const name = g.edgeName(q.edge);
            if (name === 'previous' && g.name(q.from) === 'system / Context')
              inner.push(q.from);
            else if (name === 'context' && g.name(q.from) === 'Generator') {
              const f = edgeNamed(g, q.from, 'function');
              if (
                f !== -1 &&
                ix.usesVariable(f, r.edge) &&
                awaiting(ix, q.from) &&
                found.size < SUSPENDED
              )
                found.add(f);
            }
          }
        scopes = inner;
      }
    }
  return [...found];
}

/**
 * Whether generator object `gen` is an async function's suspended at an
 * `await`: the scope of the `await`'s resume functions keeps it.
 */
function awaiting(ix: HeapIndex, gen: number): boolean {
  for (const r of ix.retainersOf(gen))
    if (
      ix.g.edgeName(r.edge) === 'extension' &&
      ix.g.name(r.from) === 'system / Context'
    )
      return true;
  return false;
}
