/**
 * The socket of Node's own `fetch()`. Node's bundled undici connects it from
 * its dispatcher, in a job after `fetch()` returned: no frame of the program
 * is on its stack, and the callback it runs in is whichever the last one was
 * (the listen callback a test awaited before, a hook's), so the walk up from
 * it either finds nothing or a place that did not make it. When the Root has
 * one `fetch()` still waiting for its response and one such socket whose
 * request waits for its response (record/fetch-requests.ts), the socket is
 * what that `fetch()` waits on: it is drawn under it (and the server's side
 * of a local connection under the socket, dump/peers.ts), one branch for one
 * hang, in place of undici's own promise of the request. With more of
 * either, which socket carries which request is not recorded, and nothing is
 * moved. A socket whose request is over, idle in undici's pool, is no leaf
 * (dump/leaves.ts).
 */
import {isOwn} from '../machinery';
import {type Site, file, name} from '../stack/sites';
import type {Frame, Leaf} from '../types';
import {promiseWhat} from '../words';
import {startsWith} from './fed';

/** Where Node's bundled undici is. */
const UNDICI = 'node:internal/deps/undici/';

/** How a pending `fetch()` promise reads (dump/leaves.ts). */
const FETCH_WHAT = promiseWhat('fetch (node:internal/deps/undici/undici)');

/**
 * What a stack holds of undici's (ours skipped): whether a frame of the
 * program is on it, undici's first frame, and whether undici's `fetching`
 * is.
 */
function undiciOn(sites: readonly Site[]): {
  program: boolean;
  first: Site | undefined;
  fetching: boolean;
} {
  let program = false;
  let first: Site | undefined;
  let fetching = false;
  for (const s of sites) {
    const f = file(s);
    if (f === null || isOwn(f)) continue;
    if (!f.startsWith('node:')) program = true;
    else if (f.startsWith(UNDICI)) {
      first ??= s;
      if (name(s) === 'fetching') fetching = true;
    }
  }
  return {program, first, fetching};
}

/**
 * When a socket's stack is Node's `fetch()`'s only (and ours), the frame of
 * undici's that connected it; else undefined.
 */
export function fetchConnect(sites: readonly Site[]): Site | undefined {
  const {program, first} = undiciOn(sites);
  return program ? undefined : first;
}

/**
 * Whether a promise was made by undici's own work for a `fetch()` (its
 * dispatch's promise), not the one `fetch()` returns: undici names its steps
 * after the Fetch standard's, and that work runs under `fetching` within the
 * call, or after it returned with no frame of the program under it.
 */
export function fetchWork(sites: readonly Site[]): boolean {
  const {program, first, fetching} = undiciOn(sites);
  return fetching || (first !== undefined && !program);
}

/**
 * Draws the one socket of `sockets` under the one pending `fetch()` of
 * `leaves`, if there is one of each (see the module comment): the socket's
 * leaves as walked are replaced by one under the `fetch()`, through `via`
 * (undici's frame that connected it), and the `fetch()` waits on it. Returns
 * the socket's new leaf, or undefined when nothing moved.
 */
export function placeFetchSocket(
  leaves: Leaf[],
  sockets: ReadonlyArray<{
    walked: Leaf[];
    via: Frame;
    leaf: Omit<Leaf, 'path'>;
  }>,
  work: ReadonlySet<Leaf>,
): Leaf | undefined {
  const fetches = leaves.filter(
    l =>
      l.kind === 'promise' &&
      l.what === FETCH_WHAT &&
      l.waiting !== true &&
      !work.has(l),
  );
  if (fetches.length !== 1 || sockets.length !== 1) return undefined;
  const [waiting] = fetches;
  const {walked, via, leaf} = sockets[0];
  const socket: Leaf = {
    ...leaf,
    path: [...waiting.path, via],
    detached: waiting.detached,
  };
  // undici's own promises of that request (its dispatch's, made in fetch()
  // or after it returned, {@link fetchWork}), but one drawn waiting on
  // something below it: the same wait as the socket's.
  const dispatch = leaves.filter(
    l =>
      l !== waiting &&
      l.kind === 'promise' &&
      work.has(l) &&
      !(
        l.waiting === true &&
        leaves.some(
          o =>
            o !== l &&
            o.path.length > l.path.length &&
            startsWith(o.path, l.path),
        )
      ),
  );
  const rest = leaves.filter(l => !walked.includes(l) && !dispatch.includes(l));
  rest.splice(rest.indexOf(waiting) + 1, 0, socket);
  leaves.splice(0, leaves.length, ...rest);
  waiting.waiting = true;
  return socket;
}
