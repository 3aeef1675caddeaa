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
 * either, each socket goes under the `fetch()` its request was made for, when
 * that is known ({@link fetchCallOrder}); the others stay where they were.
 * Likewise a read of a response's whole body (`text()`, `json()`) still
 * pending, with the one socket whose response's body is being read: the
 * body comes on it (and undici's read of it, a promise of its own, is that
 * wait again). A socket whose request is over, idle in undici's pool, is no
 * leaf (dump/leaves.ts).
 */
import {isOwn} from '../machinery';
import {type Capture, type RequestMade, Stamp} from '../record';
import {type Site, file, isNode, name} from '../stack/sites';
import type {Frame, Leaf} from '../types';
import {promiseWhat} from '../words';
import {startsWith} from './paths';
import {frameKey} from '../tree';

/** Where Node's bundled undici is. */
const BUNDLED = 'node:internal/deps/undici/';
/** Where the `undici` package is (its own `fetch()`, same steps). */
const PACKAGE = /[\\/]node_modules[\\/]undici[\\/]/;

/** Whether `f` is a file of undici's, Node's bundled one or the package. */
function isUndici(f: string | null): boolean {
  return f !== null && (f.startsWith(BUNDLED) || PACKAGE.test(f));
}

/** Where Node's `fetch()` promise is made, named (words.ts shortOrigin). */
const FETCH_ORIGIN = 'fetch (node:internal/deps/undici/undici)';
/** Where undici's read of a response's whole body is made. */
const BODY_ORIGIN = 'consumeBody (node:internal/deps/undici/undici)';

/** How a pending `fetch()` promise reads (dump/leaves.ts). */
export const FETCH_WHAT = promiseWhat(FETCH_ORIGIN);

/**
 * How a pending read of a response's whole body reads (`text()`, `json()`,
 * `arrayBuffer()`: undici's `consumeBody`).
 */
export const BODY_WHAT = promiseWhat(BODY_ORIGIN);

/**
 * How a pending `read()` of a web ReadableStream's reader reads, and a
 * pending step of `for await` over the stream (its async iterator's
 * `next()`, which reads with a reader of its own).
 */
export const READ_WHATS: ReadonlySet<string> = new Set(
  ['read', 'next'].map(fn =>
    promiseWhat(`${fn} (node:internal/webstreams/readablestream)`),
  ),
);

/**
 * The origin of the `undici` package's own `fetch()` promise, or of its read
 * of a response's whole body: Node's ({@link FETCH_WHAT}, {@link
 * BODY_WHAT}), the same steps of the same code, so that they read, and are
 * joined, alike. The package makes them in its `createDeferredPromise`,
 * called by `fetch` or `consumeBody`. Undefined for any other promise.
 */
export function undiciPackageOrigin(
  sites: readonly Site[],
): string | undefined {
  // (under the `Promise` constructor's frame, which has no file)
  const [made, by] = sites.filter(s => file(s) !== null);
  if (
    made === undefined ||
    by === undefined ||
    name(made) !== 'createDeferredPromise' ||
    !PACKAGE.test(file(made) ?? '') ||
    !PACKAGE.test(file(by) ?? '')
  )
    return undefined;
  return name(by) === 'fetch'
    ? FETCH_ORIGIN
    : name(by) === 'consumeBody'
      ? BODY_ORIGIN
      : undefined;
}

/**
 * Ends the path of a `fetch()` or whole-body read promise of the `undici`
 * package at the package's first frame (its exported `fetch`), as Node's own
 * is drawn at the program's call: the frames below it down to
 * `createDeferredPromise` are undici's steps, no wait of the program's.
 */
export function atUndiciEntry(leaf: Leaf): void {
  const i = leaf.path.findIndex(f => PACKAGE.test(`/${f.file}`));
  if (i < 0 || i === leaf.path.length - 1) return;
  leaf.path = leaf.path.slice(0, i + 1);
  leaf.createdAt = null;
}

/**
 * Whether a timer was set by undici itself, its top frame (below Node's
 * `setTimeout` and ours) undici's: its clock of its own timeouts (`lib/util/
 * timers.js`, refreshed every half second while any is armed), a socket's
 * keep-alive or parser timeout. Unref'd, they are undici's business, as the
 * same timers of Node's bundled undici are Node's (dump/timer-made.ts).
 */
export function undiciTimer(sites: readonly Site[]): boolean {
  const top = sites.find(s => {
    const f = file(s);
    return f !== null && !isNode(s) && !isOwn(f);
  });
  return top !== undefined && isUndici(file(top));
}

/**
 * Whether a promise was made by undici pulling a response's body into its
 * web stream (the stream's `pull`, reading the body as it comes): a reader
 * of that body is waiting for more of it.
 */
export function bodyPull(sites: readonly Site[]): boolean {
  return sites.some(s => isUndici(file(s)) && name(s) === 'pullAlgorithm');
}

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
    if (isUndici(f)) {
      first ??= s;
      if (name(s) === 'fetching') fetching = true;
    } else if (!f.startsWith('node:')) program = true;
  }
  return {program, first, fetching};
}

/**
 * When undici connected a socket (its first frame that is not Node's or ours
 * is undici's), that frame; else undefined. The program's frames under
 * undici's are the call of `fetch()` that connected it in its own run (a
 * socket's stack keeps 64 frames: undici's own are some 30).
 */
export function fetchConnect(sites: readonly Site[]): Site | undefined {
  for (const s of sites) {
    const f = file(s);
    if (f === null || isOwn(f) || (f.startsWith('node:') && !isUndici(f)))
      continue;
    return isUndici(f) ? s : undefined;
  }
  return undefined;
}

/**
 * An order within the `fetch()` call a request was made for (record/
 * fetch-requests.ts), if it can be told: after that call's promise's capture
 * and before the next call's. A request made within the call (the promise
 * whose reaction runs is none of undici's work, or none was recorded while
 * nothing the Root made went unrecorded): the last capture's then. One made
 * after the call returned, in undici's work: up from the capture of the
 * promise whose reaction made it, through the promises whose reactions made
 * each one (their contexts), all made by undici's work (a frame of undici's on
 * their stacks), to the first, made while `fetch()` ran (the program's frame
 * that called it is on its stack). Undefined when the chain is cut: a promise
 * not recorded, a stack over the budget, a first one made after the call.
 */
export function fetchCallOrder(
  made: RequestMade,
  sites: (c: Capture) => readonly Site[],
): number | undefined {
  if (made.context === undefined) return made.complete ? made.seq : undefined;
  let last: {c: Capture; program: boolean} | undefined;
  let c: Capture | undefined = made.context;
  for (let k = 0; k < 512 && c !== undefined; k++) {
    const s = sites(c);
    if (s.length === 0) return undefined;
    const on = undiciOn(s);
    if (on.first === undefined) break;
    last = {c, program: on.program};
    c = c.context === undefined ? undefined : Stamp.capture(c.context);
  }
  if (last === undefined) return made.seq;
  return last.program ? last.c.seq : undefined;
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
 * A socket of `fetch()` waiting for its response, or whose response's body
 * is being read, as leaves.ts found it.
 */
export interface FetchSocket {
  state: 'awaiting-headers' | 'reading-body';
  walked: Leaf[];
  via: Frame;
  leaf: Omit<Leaf, 'path'>;
  /** The order of the capture made in its `fetch()` call, if known. */
  call?: number;
}

/**
 * Draws each socket of `sockets` under the pending `fetch()` of `leaves` it
 * carries the request of (see the module comment): the socket's leaves as
 * walked are replaced by one under the `fetch()`, through `via` (undici's
 * frame that connected it), and the `fetch()` waits on it. With one of each,
 * that one; with more, the `fetch()` made last before the socket's call
 * capture (`fetches`: the order of each `fetch()` promise's capture), one
 * socket to one `fetch()`. Returns the sockets moved, with their new leaves.
 */
export function placeFetchSockets<S extends FetchSocket>(
  leaves: Leaf[],
  sockets: readonly S[],
  work: ReadonlySet<Leaf>,
  fetches: ReadonlyMap<Leaf, number>,
  bodies: ReadonlySet<Leaf> = new Set(),
): Array<{socket: S; leaf: Leaf}> {
  const pending = leaves.filter(
    l =>
      l.kind === 'promise' &&
      l.what === FETCH_WHAT &&
      l.waiting !== true &&
      !work.has(l),
  );
  const pairs = [
    ...pairUp(
      pending,
      sockets.filter(s => s.state === 'awaiting-headers'),
      fetches,
    ),
    ...bodyPair(
      leaves.filter(l => bodies.has(l) && l.waiting !== true),
      sockets.filter(s => s.state === 'reading-body'),
    ),
  ];
  if (pairs.length === 0) return [];
  // undici's own promises of those requests (its dispatch's, made in fetch()
  // or after it returned, {@link fetchWork}), but one drawn waiting on
  // something below it that is no `fetch()` joined here: the same wait as
  // the socket's. Above a joined `fetch()`, it is that wait again (undici's
  // async wrapper of the call, awaited where the program awaits the call).
  const joined = new Set(pairs.map(([f]) => f));
  const dispatch = leaves.filter(l => {
    if (l.kind !== 'promise' || !work.has(l)) return false;
    if (l.waiting !== true) return true;
    const below = leaves.filter(
      o =>
        o !== l && o.path.length > l.path.length && startsWith(o.path, l.path),
    );
    return below.length === 0 || below.some(o => joined.has(o));
  });
  const walked = new Set(pairs.flatMap(([, s]) => s.walked));
  const rest = leaves.filter(l => !walked.has(l) && !dispatch.includes(l));
  const moved = pairs.map(([waiting, socket]) => {
    const leaf: Leaf = {
      ...socket.leaf,
      path: [...waiting.path, socket.via],
      detached: waiting.detached,
    };
    rest.splice(rest.indexOf(waiting) + 1, 0, leaf);
    waiting.waiting = true;
    return {socket, leaf};
  });
  leaves.splice(0, leaves.length, ...rest);
  return moved;
}

/**
 * A read of a whole response's body with the socket it comes on: the one
 * read pending and the one socket of `fetch()` whose response is being read.
 * With more of either, which body comes on which socket is not recorded:
 * none is joined.
 */
function bodyPair<S extends FetchSocket>(
  reads: readonly Leaf[],
  sockets: readonly S[],
): Array<[Leaf, S]> {
  return reads.length === 1 && sockets.length === 1
    ? [[reads[0], sockets[0]]]
    : [];
}

/** Each socket with the `fetch()` it carries the request of (see above). */
function pairUp<S extends FetchSocket>(
  all: readonly Leaf[],
  sockets: readonly S[],
  fetches: ReadonlyMap<Leaf, number>,
): Array<[Leaf, S]> {
  if (all.length === 1 && sockets.length === 1) return [[all[0], sockets[0]]];
  // Calls the tree would draw at one place (`Promise.all([fetch(a),
  // fetch(b)])` on one line, no frame between them and the test's): a socket
  // under each would read as both under the last.
  const lines = (l: Leaf): string => l.path.map(frameKey).join('>');
  const count = new Map<string, number>();
  for (const l of all) count.set(lines(l), (count.get(lines(l)) ?? 0) + 1);
  const of = new Map<Leaf, S[]>();
  for (const s of sockets) {
    if (s.call === undefined) continue;
    let made: Leaf | undefined;
    let order = -1;
    for (const f of all) {
      const seq = fetches.get(f);
      if (seq !== undefined && seq < s.call && seq > order) {
        made = f;
        order = seq;
      }
    }
    if (made !== undefined) of.set(made, [...(of.get(made) ?? []), s]);
  }
  return [...of].flatMap(([f, ss]) =>
    ss.length === 1 && count.get(lines(f)) === 1
      ? [[f, ss[0]] as [Leaf, S]]
      : [],
  );
}
