/**
 * Retry loops of connections: a one-shot timer set by the events of a
 * socket of the Root that has failed (its 'close' or 'error' listener, as a
 * client reconnecting does: ioredis, mqtt, amqplib), the socket destroyed
 * with an error (Node keeps it as `socket.errored`). Each attempt is a
 * socket made at the same place (the same logical stack): those that failed,
 * and with what, say how many attempts failed. Only the error's code, its
 * system call and the address it was about are read (never its message).
 *
 * A socket that closed without an error (the server hung up cleanly, or the
 * client destroyed it itself on a timeout of its own) says nothing of a
 * failure: its timer is left to the other readings (a loop, busy).
 */
import {type Capture, Stamp} from '../record';
import type {WaitGraph} from '../graph/graph';
import {isTimerObject} from '../graph/branch';
import {triggerIdOf} from '../node-symbols';

/** What a failed connection failed with: `connect ECONNREFUSED 127.0.0.1:1`. */
export interface SocketFailure {
  /** The system call (`connect`, `getaddrinfo`, `read`), if known. */
  syscall: string | null;
  /** The error's code (`ECONNREFUSED`). */
  code: string;
  /** The address and port, or the host name, it was about, if known. */
  address: string | null;
}

/** A retry loop of connections, as far as the sockets recorded say. */
export interface SocketRetry {
  /**
   * The failed sockets of the loop: the timer's own, the one whose events set
   * the timer that made it, and so on back.
   */
  attempts: number;
  /**
   * False when the chain back was cut (a timer or socket not recorded): the
   * loop may have failed more often.
   */
  exact: boolean;
  /** What the last of them (the timer's own socket) failed with. */
  last: SocketFailure;
  /** True when every one of them failed with what the last did. */
  same: boolean;
}

/** Promise reactions followed back from one callback to its cause, at most. */
const MAX_REACTIONS = 64;

/** Attempts followed back, at most. */
const MAX_ATTEMPTS = 1000;

/**
 * The connection retry loop the timer made at `c` belongs to, or null when
 * its callback's context is no failed socket of the Root (see the module
 * comment). Its attempts are counted back along the loop: the failed socket
 * whose event set this timer, the timer whose callback made that socket, the
 * failed socket whose event set that timer, and so on (not other clients'
 * sockets made at the same place).
 */
export function socketRetry(g: WaitGraph, c: Capture): SocketRetry | null {
  let made = madeIn(g, c.context);
  if (made?.kind !== 'socket') return null;
  const last = failureOf(made.object);
  if (last === null) return null;
  let attempts = 0;
  let same = true;
  let exact = !g.undercounted;
  const seen = new Set<object>();
  while (made?.kind === 'socket' && attempts < MAX_ATTEMPTS) {
    if (seen.has(made.object)) break;
    seen.add(made.object);
    const f = failureOf(made.object);
    if (f === null) break;
    attempts++;
    if (!sameFailure(f, last)) same = false;
    // The timer whose callback made this socket, and what set that timer.
    const by = madeIn(g, made.capture.context);
    if (by?.kind !== 'timer') {
      // The first attempt: made by the program, not by a timer of the loop.
      const ctx = made.capture.context;
      if (by === undefined && ctx !== undefined && isTimerObject(ctx))
        exact = false;
      break;
    }
    made = madeIn(g, by.capture.context);
  }
  if (attempts >= MAX_ATTEMPTS) exact = false;
  return {attempts, exact, last, same};
}

interface Made {
  kind: 'socket' | 'timer';
  object: object;
  capture: Capture;
}

/**
 * The recorded socket or timer whose callback ran with `ctx`: a socket's
 * native handle (or the socket itself), a timer, or a `process.nextTick`
 * callback's TickObject made in one of their callbacks (a socket's 'close'
 * is emitted from one, and a client connects from one).
 */
function madeIn(g: WaitGraph, ctx: object | undefined): Made | undefined {
  for (let hops = 0; ctx !== undefined && hops < 4; hops++) {
    ctx = beforeReactions(g, ctx);
    if (ctx === undefined || Stamp.capture(ctx) !== undefined) return undefined;
    const timer = g.timers.get(ctx);
    if (timer !== undefined)
      return {kind: 'timer', object: ctx, capture: timer};
    const handle = g.handleAt(ctx);
    if (handle !== undefined)
      return handle.record.kind === 'socket'
        ? {
            kind: 'socket',
            object: handle.object,
            capture: handle.record.capture,
          }
        : undefined;
    // A tick Node queued to emit a socket's 'error' or 'close' (its
    // emitErrorCloseNT, given the socket): that socket's event. Its trigger
    // is the connect request, which nothing recorded names.
    const socket = tickedFor(g, ctx);
    if (socket !== undefined) return socket;
    const trigger = triggerIdOf(ctx);
    const next = trigger === undefined ? undefined : g.byAsyncId(trigger);
    if (next === ctx) return undefined;
    ctx = next;
  }
  return undefined;
}

/**
 * When a promise's reaction ran with `ctx` (code resumed after an `await`, a
 * `.then` callback), what ran before it, where it subscribed, is the cause:
 * followed back to the first context that is none (got's retry timer, set
 * after `await calculateDelay()` in a function its request's 'error'
 * listener started; its next socket, made after the `await`s of the request
 * it starts). Undefined past {@link MAX_REACTIONS}.
 */
function beforeReactions(g: WaitGraph, ctx: object): object | undefined {
  let at: object | undefined = ctx;
  for (let n = 0; at !== undefined && n <= MAX_REACTIONS; n++) {
    const reaction = g.promiseContext(at);
    if (reaction === undefined) return at;
    at = reaction.context;
  }
  return undefined;
}

/** The recorded socket a `process.nextTick` callback was given, if any. */
function tickedFor(g: WaitGraph, ctx: object): Made | undefined {
  const args = (ctx as {args?: unknown}).args;
  if (
    !Array.isArray(args) ||
    typeof (ctx as {callback?: unknown}).callback !== 'function'
  )
    return undefined;
  for (const a of args) {
    if (typeof a !== 'object' || a === null) continue;
    const handle = g.handleAt(a);
    if (handle?.record.kind === 'socket')
      return {
        kind: 'socket',
        object: handle.object,
        capture: handle.record.capture,
      };
  }
  return undefined;
}

/** What a destroyed socket failed with, or null (none known). */
export function failureOf(socket: object): SocketFailure | null {
  let error: unknown;
  try {
    const s = socket as {destroyed?: unknown; errored?: unknown};
    if (s.destroyed !== true) return null;
    error = s.errored;
  } catch {
    return null;
  }
  if (typeof error !== 'object' || error === null) return null;
  const e = error as Record<string, unknown>;
  const own = (k: string): unknown =>
    Object.getOwnPropertyDescriptor(e, k)?.value;
  const code = own('code');
  if (typeof code !== 'string' || !/^E[A-Z0-9_]+$/.test(code)) return null;
  const syscall = own('syscall');
  const address = own('address');
  const port = own('port');
  const hostname = own('hostname');
  return {
    syscall: typeof syscall === 'string' ? syscall : null,
    code,
    address:
      typeof address === 'string'
        ? typeof port === 'number'
          ? `${address}:${port}`
          : address
        : typeof hostname === 'string'
          ? hostname
          : null,
  };
}

function sameFailure(a: SocketFailure, b: SocketFailure): boolean {
  return (
    a.code === b.code && a.syscall === b.syscall && a.address === b.address
  );
}

/** `connect ECONNREFUSED 127.0.0.1:6379`. */
export function failureWords(f: SocketFailure): string {
  return [f.syscall, f.code, f.address].filter(x => x !== null).join(' ');
}
