/**
 * Worker threads and sockets recorded under a Root, while they are open: a
 * later test may wait on a thread an earlier test or a hook started (a pool
 * made once per file), or send a request on a keep-alive socket an earlier
 * test opened, and its dump asks the waker search whether that thread or
 * socket feeds what it waits on. Held weakly; at most MAX_HANDLES, those
 * closed dropped first.
 */
import {isOpen} from '../open-state';
import type {HandleRecord, Root} from './types';

interface Noted {
  ref: WeakRef<object>;
  record: HandleRecord;
  root: Root;
}

const handles: Noted[] = [];
const MAX_HANDLES = 64;

/**
 * Whether a noted handle is still open (a Worker's thread runs, a socket not
 * destroyed).
 */
function open(h: object | undefined, record: HandleRecord): h is object {
  return (
    h !== undefined &&
    (record.kind === 'worker' || record.kind === 'socket') &&
    isOpen({kind: record.kind, object: h})
  );
}

/** Notes a Worker or socket recorded under `root`. */
export function noteOutliving(
  handle: object,
  record: HandleRecord,
  root: Root,
): void {
  if (handles.length >= MAX_HANDLES) {
    const alive = handles.filter(h => open(h.ref.deref(), h.record));
    handles.splice(0, handles.length, ...alive.slice(-(MAX_HANDLES - 1)));
  }
  handles.push({ref: new WeakRef(handle), record, root});
}

/**
 * The worker threads and sockets recorded under Roots other than `family`'s
 * that are still open, with their records.
 */
export function handlesOutside(
  family: ReadonlySet<Root>,
): Array<[object, HandleRecord]> {
  const out: Array<[object, HandleRecord]> = [];
  for (const {ref, record, root} of handles) {
    const h = ref.deref();
    if (open(h, record) && !family.has(root)) out.push([h, record]);
  }
  return out;
}

/** What the registry keeps, for the waker search to leave out. */
export function outlivingObjects(): object[] {
  return [handles, ...handles];
}
