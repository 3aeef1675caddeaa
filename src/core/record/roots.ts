/**
 * Roots: traced scopes (a test or hook body, a `traced()` call). Everything
 * made while a Root is active belongs to it.
 */
import {now} from '../clock';
import {rec} from './state';
import {Stamp} from './stamp';
import {fetchRequestObjects} from './fetch-requests';
import {outlivingObjects} from './outliving';
import type {Root} from './types';

function newRoot(id: number, parent: Root | null): Root {
  return {
    id,
    startedAt: now(),
    promises: new Map(),
    foreign: new Map(),
    timers: new Map(),
    handles: new Map(),
    unrecorded: 0,
    prunedTimers: 0,
    closed: false,
    parent,
    children: new Set(),
    label: undefined,
  };
}

/**
 * Stands for "no test or hook running" (module load, between tests). Promises
 * made then are stamped, within the same budget, but never listed: a Root
 * only meets them when it awaits one, and then can say where it was made.
 */
export const AMBIENT: Root = newRoot(0, null);

/** Roots created and not yet closed. */
const live = new Set<Root>();
let nextRootId = 1;

/**
 * Creates a Root. It records nothing until it is {@link enterRoot entered}.
 * With a parent, it is nested in it: a dump of the parent includes it, and
 * leaving it re-enters the parent.
 *
 * @example
 * // The low-level way to what `traced()` does (use `traced()` unless you need
 * // the parts):
 * import {
 *   closeRoot, createPositionMapper, createRoot, enterRoot, leaveRoot,
 *   renderDump, startRecording, takeDump,
 * } from 'jest-taskdump';
 * const stop = startRecording();
 * const root = createRoot();
 * enterRoot(root);
 * const work = startWork(); // promises and timers created now belong to `root`
 * leaveRoot(root);
 * setTimeout(() => {
 *   const dump = takeDump(root, {
 *     rootType: 'traced', rootName: 'startWork', testPath: __filename,
 *     rootDir: process.cwd(), timeoutMs: null, waitsForDone: false,
 *     mapPosition: createPositionMapper(undefined),
 *     isMachinery: () => false, isRunner: () => false, now: now(),
 *   });
 *   console.log(renderDump(dump));
 *   closeRoot(root);
 *   stop();
 * }, 1000);
 */
export function createRoot(parent: Root | null = null): Root {
  const root = newRoot(
    nextRootId++,
    parent !== null && !parent.closed ? parent : null,
  );
  root.parent?.children.add(root);
  live.add(root);
  return root;
}

/**
 * Makes `root` the active Root: promises and timers made from now on belong
 * to it.
 *
 * @example
 * enterRoot(root);
 * const pending = client.connect(); // recorded under `root`
 * leaveRoot(root);
 */
export function enterRoot(root: Root): void {
  rec.ambientOpen = false;
  rec.pending = null;
  rec.active = root.closed ? null : root;
}

/**
 * The test file has loaded (jest-circus's `run_start`, after its describe
 * blocks ran): promises made outside any Root are no longer recorded. Until
 * the first test or hook only jest-circus's own work runs (its dispatch of
 * each event, and in a run in band Jest's reporters), never handed to a test:
 * some 30 stacks a file that no dump would read.
 *
 * @example
 * closeAmbient(); // in the run_start handler
 */
export function closeAmbient(): void {
  rec.ambientOpen = false;
}

/**
 * Makes `root` the active Root at the next timer made, and leaves it when
 * the body is over; until then new work belongs to no Root. A test's Root is
 * made in jest-circus's event handler, before circus calls the body: the rest
 * of its dispatch of the event and the promise it wraps the body in are its
 * own work, not the test's, and would each cost a stack. Circus makes that
 * promise, and in its executor sets the body's timeout timer (`timeoutMs`,
 * which the timer shows), just before it calls the body (Jest 29 and 30).
 * When that promise settles, the body has returned, or its promise settled,
 * or `done` was called: what circus does next (its reactions, its dispatch of
 * the end event) is not recorded either.
 *
 * A timer made earlier (a callback of the test before) starts the Root
 * early, as `enterRoot` would have; one whose delay is not `timeoutMs` starts
 * it without an end: it is left when it is closed, as before.
 *
 * @example
 * enterRootAtNextTimer(root, 5000); // in the test_fn_start handler
 */
export function enterRootAtNextTimer(root: Root, timeoutMs = -1): void {
  rec.ambientOpen = false;
  rec.active = null;
  forgetBodies();
  rec.pending = root.closed ? null : root;
  rec.pendingTimeout = timeoutMs;
}

/** No Root waits for its timer, and no body's end is watched. */
export function forgetBodies(): void {
  rec.pending = null;
  rec.lastInit = null;
  rec.body = null;
  rec.bodyRoot = null;
}

/**
 * A timer is made (`timer`, still in its constructor, its delay set): a Root
 * waiting for it becomes active.
 */
export function startPendingRoot(timer: object): void {
  const root = rec.pending;
  const wrapper = rec.lastInit;
  rec.pending = null;
  rec.lastInit = null;
  if (root === null || root.closed) return;
  rec.active = root;
  const delay = (timer as {_idleTimeout?: unknown})._idleTimeout;
  if (wrapper !== null && delay === rec.pendingTimeout) {
    rec.body = wrapper;
    rec.bodyRoot = root;
  }
}

/** The promise circus wrapped the body in has settled: the Root is left. */
export function endBody(): void {
  const root = rec.bodyRoot;
  rec.body = null;
  rec.bodyRoot = null;
  if (root !== null) leaveRoot(root);
}

/**
 * Stops attributing new work to `root` (if it is the active one); its parent
 * becomes active again.
 *
 * @example
 * enterRoot(root);
 * try { started = startWork(); } finally { leaveRoot(root); }
 */
export function leaveRoot(root: Root): void {
  if (rec.pending === root) rec.pending = null;
  if (rec.bodyRoot === root) {
    rec.body = null;
    rec.bodyRoot = null;
  }
  if (rec.active === root)
    rec.active =
      root.parent !== null && !root.parent.closed ? root.parent : null;
}

/** The active Root, if any. */
export function activeRoot(): Root | null {
  return rec.active;
}

/** Every Root created and not yet closed (for dumps on demand). */
export function liveRoots(): Root[] {
  return [...live];
}

/**
 * Ends `root`. Its pending promises stay stamped, as made outside any Root: a
 * later test that awaits one (a server started in `beforeAll`) can still say
 * where it was made. What waited on them under `root` is forgotten.
 *
 * @example
 * const dump = takeDump(root, context);
 * closeRoot(root); // nothing of `root` is kept after this
 */
export function closeRoot(root: Root): void {
  for (const child of [...root.children]) closeRoot(child);
  leaveRoot(root);
  root.closed = true;
  root.parent?.children.delete(root);
  live.delete(root);
  for (const [p, c] of root.promises) {
    c.owner = AMBIENT;
    c.waits = undefined;
    c.moreWaits = 0;
    Stamp.setRoot(p, AMBIENT);
  }
  root.promises.clear();
  root.foreign.clear();
  root.timers.clear();
  root.handles.clear();
}

/**
 * The recorder's own objects that refer to promises, timers and handles
 * (Roots and their maps): a search of the heap for what keeps a promise alive
 * must not count them.
 */
export function recorderObjects(): object[] {
  const out: object[] = [
    AMBIENT,
    rec,
    ...fetchRequestObjects(),
    ...outlivingObjects(),
  ];
  for (const r of live) out.push(r, r.promises, r.foreign, r.timers, r.handles);
  return out;
}
