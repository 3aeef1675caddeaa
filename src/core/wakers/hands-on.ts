/**
 * Whether a chain nothing waits on hands its outcome on: a reaction of one of
 * its promises whose handler is a resolve or reject function of another
 * promise (a wrapper's `p.then(resolve, reject)`), or a function whose scope
 * keeps one in a variable it uses (tarn's `timeout()`: `promise.then(result
 * => { clearTimeout(t); resolve(result); })`). Such a `.then()` is how the
 * other promise waits, though its own result is dropped: its promise is no
 * bookkeeping to set aside (dump/aside.ts), whatever the other promise is
 * (a stuck one, or one nothing shows, in a chain of its own).
 *
 * So is a handler that calls a function its scope was handed, made in
 * another scope (a callback: fastq's `worker(arg).then(res => cb(null, res),
 * cb)`, a stream's `_write` calling its `cb` once a promise settles): the
 * outcome goes to whoever passed it, which may be what settles a stuck
 * promise, too far for the search back to tell.
 *
 * Only the handlers' own scopes (and the scopes around them, short of a
 * module's) are looked into, not the objects they keep: a callback that
 * keeps `this` keeps much of a library, and what that reaches is the
 * business of the search back from each stuck promise's resolve function
 * (promise-feeds.ts).
 */
import {edgeNamed} from '../heap';
import type {HeapIndex} from './heap-index';
import {reachedFrom} from './reach';

/** Scopes looked into from one handler, its own first. */
const SCOPES = 4;

/**
 * Steps forward from a handler to a resolve function it leads to (fastq's
 * takes eleven: the handler, its scope, the task's `worked`, its scope, the
 * task, its `release`, the queue's scope, the queue, its `drain`, two scopes
 * and the resolve function).
 */
const FORWARD = 12;

/** Reactions looked at on one promise (a list linked by `next`). */
const REACTIONS = 64;

/**
 * Whether a reaction of one of `chain`'s promises hands its outcome on to a
 * promise outside the chain (see the module comment).
 */
export function handsOn(ix: HeapIndex, chain: readonly number[]): boolean {
  const own = new Set(chain.flatMap(n => (n === -1 ? [] : ix.resolversOf(n))));
  const isOther = (fn: number): boolean =>
    ix.isResolverClosure(fn) && !own.has(fn);
  for (const handler of handlers(ix, chain))
    if (isOther(handler) || keepsOther(ix, handler, isOther)) return true;
  return false;
}

/**
 * Of `targets` (objects a stuck promise waits on: the stream whose write has
 * not called back), the one a reaction of `chain`'s promises hands its
 * outcome to through a function bound to it (a Writable's `_write` calling
 * its `cb`, Node's `onwrite` bound to the stream, once a promise settles:
 * `this.ready.then(() => cb(), cb)`), or -1.
 */
export function handsToTarget(
  ix: HeapIndex,
  chain: readonly number[],
  targets: ReadonlySet<number>,
): number {
  const g = ix.g;
  const boundTo = (fn: number): number => {
    if (g.type(fn) !== 'closure') return -1;
    for (let e = g.firstEdge(fn); e < g.firstEdge(fn + 1); e++) {
      const name = g.edgeName(e);
      if (
        (name === 'bound_this' ||
          (typeof name === 'string' && name.startsWith('bound_argument_'))) &&
        targets.has(g.edgeTo(e))
      )
        return g.edgeTo(e);
    }
    return -1;
  };
  for (const handler of handlers(ix, chain)) {
    const direct = boundTo(handler);
    if (direct !== -1) return direct;
    for (const value of usedValues(ix, handler, ix.scopesOf(handler, SCOPES))) {
      const to = boundTo(value);
      if (to !== -1) return to;
    }
  }
  return -1;
}

/**
 * The subjects (by index into `resolvers`, each one's resolve and reject
 * functions) whose resolve function a handler of a reaction of `chain`'s
 * promises leads to, forward through what it keeps, in at most {@link
 * FORWARD} steps: fastq's `worker(arg).then(res => cb(null, res), cb)`,
 * whose `cb` is a task's `worked`, which calls the queue's `release`, which
 * calls the `drain` that `drained()` left, which resolves its promise. The
 * search back from that resolve function (promise-feeds.ts) stops before it
 * gets there. Not `own` (the chain's own subject).
 */
export function handsToSubjects(
  ix: HeapIndex,
  chain: readonly number[],
  resolvers: ReadonlyArray<readonly number[] | undefined>,
  own: number,
): number[] {
  const subjectOf = new Map<number, number>();
  resolvers.forEach((fns, i) => {
    if (i !== own) for (const fn of fns ?? []) subjectOf.set(fn, i);
  });
  if (subjectOf.size === 0) return [];
  const targets = new Set(subjectOf.keys());
  const found = new Set<number>();
  for (const handler of handlers(ix, chain))
    for (const fn of reachedFrom(ix, handler, targets, FORWARD))
      found.add(subjectOf.get(fn)!);
  return [...found];
}

/** The values of the variables of `scopes` (`fn`'s) that `fn` uses. */
function* usedValues(
  ix: HeapIndex,
  fn: number,
  scopes: readonly number[],
): Generator<number> {
  const g = ix.g;
  for (const scope of scopes)
    for (let e = g.firstEdge(scope); e < g.firstEdge(scope + 1); e++)
      if (g.edgeType(e) === 'context' && ix.usesVariable(fn, e))
        yield g.edgeTo(e);
}

/**
 * The handler functions of the reactions of `chain`'s promises. The
 * snapshot names none of a reaction's fields: its handlers are the functions
 * it refers to, the next reaction the reaction it refers to.
 */
function* handlers(ix: HeapIndex, chain: readonly number[]): Generator<number> {
  const g = ix.g;
  for (const promise of chain) {
    if (promise === -1) continue;
    const reaction = edgeNamed(g, promise, 'reactions_or_result');
    const reactions = reaction === -1 ? [] : [reaction];
    for (let k = 0; k < reactions.length && k < REACTIONS; k++) {
      const r = reactions[k];
      if (g.name(r) !== 'system / PromiseReaction') continue;
      for (let e = g.firstEdge(r); e < g.firstEdge(r + 1); e++) {
        const to = g.edgeTo(e);
        if (g.edgeName(e) === 'map') continue;
        if (g.name(to) === 'system / PromiseReaction') reactions.push(to);
        else if (g.type(to) === 'closure') yield to;
      }
    }
  }
}

/**
 * Whether `fn`'s scopes keep, in a variable it uses, such a function, or a
 * function made in none of them (a callback it was handed).
 */
function keepsOther(
  ix: HeapIndex,
  fn: number,
  isOther: (fn: number) => boolean,
): boolean {
  const scopes = ix.scopesOf(fn, SCOPES);
  for (const to of usedValues(ix, fn, scopes))
    if (isOther(to) || handed(ix, to, scopes)) return true;
  return false;
}

/**
 * Whether `to` is a function made outside `scopes` (nor in a module's scope:
 * a module's own functions are no callback handed in), or a bound one (a
 * stream's `onwrite`, bound to the stream).
 */
function handed(ix: HeapIndex, to: number, scopes: number[]): boolean {
  const g = ix.g;
  if (g.type(to) !== 'closure' || ix.isResolverClosure(to)) return false;
  if (edgeNamed(g, to, 'bound_function') !== -1) return true;
  const made = edgeNamed(g, to, 'context');
  return (
    made !== -1 &&
    !ix.isModuleScope(made) &&
    !ix.scopesOf(to, SCOPES).some(s => scopes.includes(s))
  );
}
