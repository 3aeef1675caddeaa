/**
 * Worker threads recorded under a Root, while they run: a later test may wait
 * on a thread an earlier test or a hook started (a pool made once per file),
 * and its dump asks the waker search whether that thread feeds what it waits
 * on. Held weakly; at most MAX_WORKERS, those that exited dropped first.
 */
import type {HandleRecord, Root} from './types';

interface Noted {
  ref: WeakRef<object>;
  record: HandleRecord;
  root: Root;
}

const workers: Noted[] = [];
const MAX_WORKERS = 64;

/** Node sets an exited Worker's `threadId` to -1. */
const running = (w: object | undefined): w is object =>
  w !== undefined && ((w as {threadId?: unknown}).threadId as number) >= 0;

/** Notes a Worker recorded under `root`. */
export function noteWorker(
  worker: object,
  record: HandleRecord,
  root: Root,
): void {
  if (workers.length >= MAX_WORKERS) {
    const alive = workers.filter(w => running(w.ref.deref()));
    workers.splice(0, workers.length, ...alive.slice(-(MAX_WORKERS - 1)));
  }
  workers.push({ref: new WeakRef(worker), record, root});
}

/**
 * The worker threads recorded under Roots other than `family`'s that are
 * still running, with their records.
 */
export function workersOutside(
  family: ReadonlySet<Root>,
): Array<[object, HandleRecord]> {
  const out: Array<[object, HandleRecord]> = [];
  for (const {ref, record, root} of workers) {
    const w = ref.deref();
    if (running(w) && !family.has(root)) out.push([w, record]);
  }
  return out;
}

/** What the registry keeps, for the waker search to leave out. */
export function workerObjects(): object[] {
  return [workers, ...workers];
}
