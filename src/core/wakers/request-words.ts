/**
 * The sentences about what a request of Node's own still lacks: an HTTP
 * client request's socket (queued in its Agent), connection and TLS
 * handshake; a readline question's line (with event-words.ts and words.ts,
 * the same rules: true of what it describes, never a value of the program).
 */
import type {Waker} from '../types';
import type {RequestState} from './state';

/**
 * Events of a ClientRequest that come only once it has a socket (and, but for
 * 'socket', an answer from the server).
 */
const NEED_SOCKET = new Set([
  'response',
  'socket',
  'upgrade',
  'connect',
  'information',
]);

const plural = (n: number, one: string, many = `${one}s`): string =>
  `${n} ${n === 1 ? one : many}`;

/**
 * What an HTTP client request waiting for `event` still lacks, from its state
 * (its socket, its Agent's queue); null when its state says nothing of it
 * (a request connected and sent: what it lacks is the server's answer, which
 * the state does not show).
 */
export function requestLacks(
  r: RequestState,
  event: string | null,
): string | null {
  if (event === null || !NEED_SOCKET.has(event)) return null;
  if (!r.socket) {
    const q = r.queued;
    if (q === undefined) return 'it has no socket yet';
    const ahead =
      q.ahead > 0 ? ` behind ${plural(q.ahead, 'other request')}` : '';
    // The Agent queues a request when the sockets it may open for the
    // request's server (maxSockets), or in all (maxTotalSockets), are open.
    const why =
      q.maxSockets !== null && q.inUse >= q.maxSockets
        ? `, whose ${plural(q.inUse, 'socket')} to the same server (maxSockets ${q.maxSockets}) ${q.inUse === 1 ? 'is' : 'are'} in use`
        : q.maxTotalSockets !== null &&
            q.open !== null &&
            q.open >= q.maxTotalSockets
          ? `, which has ${plural(q.open, 'socket')} open (maxTotalSockets ${q.maxTotalSockets})`
          : '';
    return `it has no socket yet: it is queued in its Agent${ahead}${why}`;
  }
  if (event === 'socket' || r.destroyed === true) return null;
  if (r.connecting === true) return 'its socket has not connected yet';
  if (r.tls === true && r.secure === false && r.connecting === false) {
    const read =
      r.tcpBytesRead !== undefined
        ? ` (${plural(r.tcpBytesRead, 'byte')} read from the server)`
        : '';
    return `its socket is connected, but its TLS handshake has not completed${read}`;
  }
  return null;
}

/**
 * A readline question (`rl.question()`, readline/promises' too): its callback
 * is kept on the Interface until a line comes, and cleared then, so while it
 * is kept, no line has come since the question was asked. Closing the
 * Interface does not call it (Node 20); a question cannot be asked of a
 * closed Interface, so a closed one was closed after.
 */
export function questionWaker(closed: boolean, paused: boolean): Waker {
  const since = 'none has come since the question was asked';
  return {
    kind: 'event',
    what: `waits for a line on a readline Interface: ${since}${closed ? ', and the Interface was closed after, which did not settle it' : paused ? ', and the Interface is paused' : ''}`,
    short: 'waits for a line on a readline Interface',
  };
}
