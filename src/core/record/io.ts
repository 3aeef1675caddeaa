/**
 * Timers, sockets, servers, child processes and worker threads made under a
 * Root: leaves of the wait graph, and the context of what their callbacks
 * make.
 */
import {executionAsyncResource} from 'node:async_hooks';
import diagnostics from 'node:diagnostics_channel';
import {noteOpened} from '../leftovers';
import {trapFirstAssignment} from '../first-assignment';
import {interceptConnects} from './connects';
import {interceptTlsSockets} from './tls-sockets';
import {OpenSockets} from './open-sockets';
import {recordRequests} from './requests';
import {recordFetchRequests} from './fetch-requests';
import {capture, leafFrames, rec, take, takeAmbient} from './state';
import {AMBIENT, startPendingRoot} from './roots';
import type {HandleKind, Root} from './types';
import {noteOutliving} from './outliving';

function onTimerCreated(timer: object): void {
  if (rec.pending !== null) startPendingRoot(timer);
  const root = rec.active;
  if (root === null || !take(root)) {
    // Still in the test file's ledger: a timer a callback sets again, between
    // tests, is traced back through the timer whose callback it was.
    noteOpened('timer', timer, undefined, root);
    return;
  }
  const c = capture(
    onTimerCreated,
    root,
    leafFrames(),
    executionAsyncResource(),
    undefined,
    undefined,
  );
  if (root.timers.size >= 4096) pruneTimers(root);
  root.timers.set(timer, c);
  noteOpened('timer', timer, c, root);
}

function pruneTimers(root: Root): void {
  for (const timer of root.timers.keys()) {
    if ((timer as {_destroyed?: boolean})._destroyed === true) {
      root.timers.delete(timer);
      root.prunedTimers++;
    }
  }
}

/** True when a timer/immediate recorded by a Root will still run. */
export function isTimerPending(timer: object): boolean {
  const t = timer as {
    _destroyed?: boolean;
    _onTimeout?: unknown;
    _onImmediate?: unknown;
  };
  if (t._destroyed === true) return false;
  if ('_onImmediate' in t) return t._onImmediate !== null;
  return t._onTimeout !== null;
}

// Timeout and Immediate assign their callback property once, in their
// constructors: seen with the user's call on the stack
// (../first-assignment.ts).
function interceptTimers(): () => void {
  const t = setTimeout(() => {}, 0);
  const i = setImmediate(() => {});
  clearTimeout(t);
  clearImmediate(i);
  const targets: Array<[object, string]> = [
    [Object.getPrototypeOf(t), '_onTimeout'],
    [Object.getPrototypeOf(i), '_onImmediate'],
  ];
  return trapFirstAssignment(targets, onTimerCreated);
}

// Node publishes, synchronously in the user's call, each socket it connects,
// each server that starts listening and each child process it spawns. Nothing
// runs when there are no subscribers, and these are rare events, so each gets
// a stack.
const HANDLE_CHANNELS: Array<[string, HandleKind, string]> = [
  ['net.client.socket', 'socket', 'socket'],
  // A dgram Socket, as it is made (before it is bound): udp.ts reads it.
  ['udp.socket', 'socket', 'socket'],
  ['tracing:net.server.listen:asyncStart', 'server', 'server'],
  ['child_process', 'child-process', 'process'],
  ['worker_threads', 'worker', 'worker'],
];

// Set while jest-taskdump makes a worker of its own (the watchdog thread):
// not the program's.
let making = false;

/** Runs `make` (which makes a Worker of jest-taskdump's) unrecorded. */
export function unrecorded<T>(make: () => T): T {
  making = true;
  try {
    return make();
  } finally {
    making = false;
  }
}

// Sockets already noted: net.connect() publishes its socket, then connects it
// (seen again by connects.ts).
const sockets = new WeakSet<object>();

function onHandle(
  kind: HandleKind,
  field: string,
  message: unknown,
  cutAt: (...args: never[]) => unknown = onHandle,
): void {
  const root = rec.active;
  const handle = (message as Record<string, unknown> | null)?.[field];
  if (typeof handle !== 'object' || handle === null || making) return;
  if (kind === 'socket') {
    if (sockets.has(handle)) return;
    sockets.add(handle);
  }
  // Between tests (a leftover's work): in the file's ledger, without a stack.
  if (root === null) {
    noteOpened(kind, handle, undefined, null);
    // A worker thread or socket the file made as it loaded (a pool made at
    // module scope, as most projects make it): a test may wait on it.
    if (
      (kind === 'worker' || kind === 'socket') &&
      rec.ambientOpen &&
      takeAmbient()
    ) {
      const c = capture(
        cutAt,
        AMBIENT,
        leafFrames(),
        executionAsyncResource(),
        undefined,
        undefined,
      );
      noteOutliving(handle, {kind, capture: c}, AMBIENT);
    }
    return;
  }
  if (root.handles.has(handle)) return;
  const c = capture(
    cutAt,
    root,
    leafFrames(),
    executionAsyncResource(),
    undefined,
    undefined,
  );
  root.handles.set(handle, {kind, capture: c});
  handleRoots.set(handle, root.id);
  if (kind === 'worker' || kind === 'socket')
    noteOutliving(handle, {kind, capture: c}, root);
  noteOpened(kind, handle, c, root);
}

// The Root each handle was recorded in, by id (a Root would keep every
// promise of its test alive as long as a socket it made stays open): what a
// callback of an earlier test's socket makes is that test's work.
const handleRoots = new WeakMap<object, number>();

/** The id of the Root `handle` was recorded in, if any. */
export function handleRootOf(handle: object): number | undefined {
  return handleRoots.get(handle);
}

// A keep-alive socket reused for another request has read the earlier
// responses: a dump counts the bytes of this one from what the socket had
// read when the request was sent (Node publishes this once the request is
// written, before its response can arrive).
const readBeforeRequest = new WeakMap<object, number>();

function onRequestStart(message: unknown): void {
  const req = (
    message as {
      request?: {reusedSocket?: unknown; socket?: {bytesRead?: unknown} | null};
    } | null
  )?.request;
  if (
    rec.active === null ||
    typeof req !== 'object' ||
    req === null ||
    req.reusedSocket !== true
  )
    return;
  const read = req.socket?.bytesRead;
  if (typeof read === 'number') readBeforeRequest.set(req, read);
}

/**
 * Bytes the socket of an HTTP client request had read before it was sent (0
 * for a new socket).
 */
export function bytesReadBefore(request: object): number {
  return readBeforeRequest.get(request) ?? 0;
}

// Server-side sockets the process's servers accepted (Node publishes each):
// a dump joins a client's socket to the other end of its connection when
// that end is in this process too (dump/tcp-peers.ts).
const serverSockets = new OpenSockets(256);

/**
 * The ports of each server-side socket's connection, read when it was
 * accepted (from its handle: a destroyed socket no longer says them).
 */
const connectionEnds = new WeakMap<object, {local: number; remote: number}>();

function onServerSocket(message: unknown): void {
  const socket = (message as {socket?: unknown} | null)?.socket;
  if (typeof socket !== 'object' || socket === null) return;
  const local = portOf(socket, 'getsockname');
  const remote = portOf(socket, 'getpeername');
  if (local !== undefined && remote !== undefined)
    connectionEnds.set(socket, {local, remote});
  serverSockets.add(socket);
}

/**
 * A port of a socket's connection, from its handle (as Node's `localPort`
 * and `remotePort` getters do, without their cache on the socket).
 */
function portOf(
  socket: object,
  method: 'getsockname' | 'getpeername',
): number | undefined {
  try {
    const handle = (socket as {_handle?: Record<string, unknown> | null})
      ._handle;
    const read = handle?.[method];
    if (typeof read !== 'function') return undefined;
    const out: {port?: unknown} = {};
    read.call(handle, out);
    return typeof out.port === 'number' ? out.port : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether `client`, a socket of this process, is connected to a server-side
 * socket of this process that is destroyed (an `afterAll`'s
 * `closeAllConnections()`): it reads the end of its connection a moment
 * later.
 */
export function peerDestroyed(client: object): boolean {
  const local = portOf(client, 'getsockname');
  const remote = portOf(client, 'getpeername');
  if (local === undefined || remote === undefined) return false;
  for (const s of serverSockets.all()) {
    const ends = connectionEnds.get(s);
    if (ends !== undefined && ends.remote === local && ends.local === remote)
      return (s as {destroyed?: unknown}).destroyed === true;
  }
  return false;
}

/** The server-side sockets of this process's servers that are still open. */
export function openServerSockets(): object[] {
  return [...serverSockets.open()];
}

// Node 20's diagnostics_channel can lose a subscription: a channel object
// made by a subscriber alone is held weakly once unsubscribed, and if it is
// collected just before a module makes that channel again, its late finalizer
// deletes the module's new channel from the registry, so a later subscribe
// makes a third object that the module never publishes to (seen on a second
// test file in one worker: no request start, so a reused keep-alive socket
// counted every earlier response). The modules that publish make and keep
// their channels when they load, so they load first; net and child_process
// are loaded by every Jest worker already, worker_threads by the watchdog;
// http and dgram are not (about 4 ms, once).
function loadPublishers(): void {
  for (const m of [
    'node:net',
    'node:child_process',
    'node:http',
    'node:worker_threads',
    'node:dgram',
  ])
    require(m);
}

function subscribeHandles(): () => void {
  loadPublishers();
  const subs = HANDLE_CHANNELS.map(([name, kind, field]) => {
    const fn = (message: unknown): void => onHandle(kind, field, message);
    diagnostics.subscribe(name, fn);
    return () => diagnostics.unsubscribe(name, fn);
  });
  diagnostics.subscribe('http.client.request.start', onRequestStart);
  subs.push(() =>
    diagnostics.unsubscribe('http.client.request.start', onRequestStart),
  );
  diagnostics.subscribe('net.server.socket', onServerSocket);
  subs.push(() => diagnostics.unsubscribe('net.server.socket', onServerSocket));
  return () => subs.forEach(off => off());
}

/**
 * Starts recording timers, handles and file requests; returns the function
 * that stops it.
 */
export function recordIo(): () => void {
  const untimers = interceptTimers();
  const unhandles = subscribeHandles();
  const unsockets = interceptConnects((socket, cutAt) =>
    onHandle('socket', 'socket', {socket}, cutAt),
  );
  const untls = interceptTlsSockets((socket, cutAt) =>
    onHandle('socket', 'socket', {socket}, cutAt),
  );
  const unrequests = recordRequests();
  const unfetches = recordFetchRequests();
  return () => {
    untimers();
    unhandles();
    unsockets();
    untls();
    unrequests();
    unfetches();
  };
}
