/**
 * Whether what a test file's ledger noted is still open, read from Node's own
 * fields at the moment asked (leftovers.ts prunes by it, leftover-list.ts
 * lists by it).
 */
import type {OpenedKind} from './leftovers';
import {threadRuns} from './worker-thread';
import {isUdpSocket, udpOpen} from './udp';

/** What is read: the kind noted and the object itself. */
interface Noted {
  kind: OpenedKind;
  object: object;
}

/** Whether a timer entry is an Immediate (a Timeout has `_onTimeout`). */
export function isImmediate(e: Noted): boolean {
  return e.kind === 'timer' && '_onImmediate' in e.object;
}

/**
 * Whether an entry may still be open: a timer not run (or an interval not
 * cleared), a socket not destroyed, a server listening or with connections, a
 * child running or with output open, a watcher not closed. Reads Node's own
 * fields; when unsure, open.
 */
export function isOpen(e: Noted): boolean {
  const o = e.object as Record<string, unknown>;
  switch (e.kind) {
    case 'timer':
      return o._destroyed !== true && o._onTimeout !== null;
    case 'socket':
      return isUdpSocket(o) ? udpOpen(o) : o.destroyed !== true;
    case 'server':
      return (
        o.listening === true ||
        (typeof o._connections === 'number' && o._connections > 0)
      );
    case 'child-process':
      return (
        (o.exitCode === null && o.signalCode === null) ||
        ['stdout', 'stderr'].some(k => {
          const s = o[k] as {destroyed?: boolean} | null | undefined;
          return s !== null && s !== undefined && s.destroyed !== true;
        })
      );
    case 'worker':
      return threadRuns(o);
    case 'watcher':
      return o._handle !== null && o._handle !== undefined;
    default:
      return true;
  }
}
