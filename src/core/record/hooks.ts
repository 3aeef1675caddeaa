/**
 * The promise hooks: the only part of jest-taskdump that runs for every
 * promise while tests run.
 *
 * Measured on Node 20 (see docs/cost.md): a no-op promise hook costs ≈1.3× on
 * a pure promise-churn loop, a stack capture per promise 20-55×. So a promise
 * made outside a Root costs a comparison; one made under a Root a token-bucket
 * check and, within the budget, one `Error.captureStackTrace` into a plain
 * holder. A subscription on a recorded promise (`await p`, `p.then()`, `p`
 * as a combinator's input, `p` adopted by another promise) is an edge of the
 * wait graph: it gets a capture too, cut to a few frames when it is the first
 * one in the synchronous run that made `p` (`await f()`: its callers are
 * `p`'s). CallSites are read only when a dump is taken.
 */
import {executionAsyncResource} from 'node:async_hooks';
import {AMBIENT, endBody} from './roots';
import {SHORT_FRAMES, capture, rec, take, takeAmbient} from './state';
import {Stamp} from './stamp';
import {MAX_WAITS} from './types';

/** `promiseHooks` init: a creation, or a subscription (it has a parent). */
export function onInit(
  promise: Promise<unknown>,
  parent: Promise<unknown> | undefined,
): void {
  const root = rec.active;
  if (root === null) {
    if (rec.pending !== null) rec.lastInit = promise;
    if (parent === undefined && rec.ambientOpen && takeAmbient()) {
      const c = capture(
        onInit,
        AMBIENT,
        rec.options.maxFrames,
        undefined,
        undefined,
        undefined,
      );
      Stamp.stamp(promise, AMBIENT, c);
    }
    return;
  }
  if (parent === undefined) {
    if (!take(root)) return;
    const c = capture(
      onInit,
      root,
      rec.options.maxFrames,
      executionAsyncResource(),
      undefined,
      undefined,
    );
    Stamp.stamp(promise, root, c);
    root.promises.set(promise, c);
    return;
  }
  rec.subs++;
  const target = Stamp.capture(parent);
  if (target !== undefined && target.owner === root) {
    const context = executionAsyncResource();
    const waits = target.waits;
    const frames =
      waits === undefined && context === target.context
        ? SHORT_FRAMES
        : rec.options.maxFrames;
    const s = capture(
      take(root) ? onInit : null,
      root,
      frames,
      context,
      target,
      parent,
    );
    s.self = promise;
    if (waits === undefined) target.waits = [s];
    else if (waits.length < MAX_WAITS) waits.push(s);
    else target.moreWaits++;
    Stamp.stamp(promise, root, s);
    return;
  }
  // Waits on a promise not recorded under this Root (made before it, by
  // another Root, over the budget): where it waits is what can be known.
  if (!take(root)) return;
  const context = executionAsyncResource();
  const a = capture(
    onInit,
    root,
    rec.options.maxFrames,
    context,
    target ?? null,
    parent,
  );
  a.self = promise;
  Stamp.stamp(promise, root, a);
  root.foreign.set(promise, a);
}

/**
 * `promiseHooks` settled: a settled promise is no longer part of the graph.
 * A subscription's promise keeps its mark: it is the context of the code its
 * reaction runs (an `await` resumed, a `.then` callback), which may still
 * make things.
 */
export function onSettled(promise: Promise<unknown>): void {
  if (promise === rec.body) endBody();
  const c = Stamp.capture(promise);
  if (c === undefined) return;
  c.settled = true;
  if (c.awaits !== undefined) {
    c.owner.foreign.delete(promise);
    return;
  }
  if (c.owner !== AMBIENT) c.owner.promises.delete(promise);
  Stamp.clear(promise);
}
