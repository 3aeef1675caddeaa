/**
 * The state of the live objects a waker depends on (a timer, an emitter, a
 * stream, a signal), read in each object's own realm and returned as plain
 * data: whether an event already happened, how long a timer has left, what a
 * stream still lacks. Kept apart from the heap walk because it runs code in the
 * program's realm, under a budget.
 */
import type {HeapProbe} from '../heap';

/**
 * An HTTP client request (a ClientRequest: it has a `method`, a `path` and a
 * `socket` that is null until it gets one), read from its data properties and
 * its Agent's and socket's.
 */
export interface RequestState {
  /** It has a socket (`socket` is not null). */
  socket: boolean;
  /**
   * Waiting in its Agent's queue (`agent.requests[name]`, where the Agent puts
   * a request when the sockets it may open are all open): how many requests
   * are ahead of it, the Agent's sockets in use for the same name (server)
   * and `maxSockets`, its open sockets in all and `maxTotalSockets` (null:
   * no limit).
   */
  queued?: {
    ahead: number;
    inUse: number;
    maxSockets: number | null;
    open: number | null;
    maxTotalSockets: number | null;
  };
  /** Its socket's `connecting`. */
  connecting?: boolean;
  /** Its socket was destroyed. */
  destroyed?: boolean;
  /** Its socket is a TLS socket (`encrypted`). */
  tls?: boolean;
  /** Its TLS socket's `_secureEstablished`: the handshake completed. */
  secure?: boolean;
  /**
   * Bytes read from the server by a TLS socket's own TCP handle (its
   * `ssl._parent`, the handle its TLSWrap wraps): a TLS socket's `bytesRead`
   * counts only what was decrypted, never the handshake.
   */
  tcpBytesRead?: number;
}

/**
 * Data properties are read as they are; a getter is called only for names Node
 * defines as getters on its own objects (`aborted`, `remoteAddress`,
 * `bytesRead`, `listening`, `closed`, `destroyed`, and the flags of a stream's
 * state), so a getter of the program runs only if it has one of those names.
 * The entries of an Agent's queues are read as data properties too.
 */
export interface ObjectState {
  aborted?: boolean;
  pid?: number;
  exitCode?: number | null;
  signalCode?: string | null;
  spawnfile?: boolean;
  connecting?: boolean;
  remoteAddress?: boolean;
  bytesRead?: number;
  listening?: boolean;
  /** A net.Server's `_connections`: connections open to it. */
  connections?: number;
  closed?: boolean;
  destroyed?: boolean;
  complete?: boolean;
  /** A readline Interface's (or any object's) `paused`, a data property. */
  paused?: boolean;
  /**
   * A WebSocket's (ws's) `_readyState`: 0 connecting, 1 open, 2 closing, 3
   * closed.
   */
  readyState?: number;
  request?: RequestState;
  readable?: {
    ended?: boolean;
    endEmitted?: boolean;
    length?: number;
    flowing?: boolean | null;
    /** Chunks are objects: `length` counts them, not bytes. */
    objectMode?: boolean;
    /** How many streams it is piped to. */
    pipes?: number;
  };
  writable?: {
    ended?: boolean;
    finished?: boolean;
    length?: number;
    /** Chunks are objects: `length` counts them, not bytes. */
    objectMode?: boolean;
    /** A chunk handed to its `_write` (`_transform`) not called back yet. */
    writing?: boolean;
    /** Its `_final` was called (after end(), all written). */
    finalCalled?: boolean;
    /** Its `_final` called back (or it had none): 'finish' is next. */
    prefinished?: boolean;
  };
  /**
   * The function its end waits for once all is written: `final` (its
   * `_final`), or `flush` (a Transform's `_flush`, which Node's own
   * `_final` calls).
   */
  ender?: 'final' | 'flush';
  /** A Transform stream (it has a `_transform`). */
  transform?: boolean;
  /**
   * A Transform whose `transform()` called back, but whose callback Node
   * holds until its readable side is read (its `kCallback`): `writing` stays
   * true, and nothing is stuck in it.
   */
  writeHeld?: boolean;
  idleTimeout?: number;
  idleStart?: number;
  /**
   * A Timeout or Immediate that ran (once, for a one-shot) or was cleared:
   * it will not fire again.
   */
  timerDone?: boolean;
  repeat?: number | null;
  callAt?: number;
  expiry?: number;
}

const STATE_READER = `function () {
  const data = (o, key, getter) => {
    for (let p = o; p !== null && p !== undefined; p = Object.getPrototypeOf(p)) {
      const d = Object.getOwnPropertyDescriptor(p, key);
      if (d === undefined) continue;
      if ('value' in d) return d.value;
      return getter && typeof d.get === 'function' ? d.get.call(o) : undefined;
    }
    return undefined;
  };
  const num = v => (typeof v === 'number' ? v : undefined);
  const bool = v => (typeof v === 'boolean' ? v : undefined);
  const obj = v => v !== null && typeof v === 'object';
  const o = this;
  const r = data(o, '_readableState', false);
  const w = data(o, '_writableState', false);
  const pipes = s => { const p = data(s, 'pipes', true); return Array.isArray(p) ? p.length : obj(p) ? 1 : undefined; };
  const state = s => s && typeof s === 'object' ? {ended: bool(data(s, 'ended', true)), endEmitted: bool(data(s, 'endEmitted', true)), finished: bool(data(s, 'finished', true)), length: num(data(s, 'length', true)), flowing: data(s, 'flowing', true) === null ? null : bool(data(s, 'flowing', true)), writing: bool(data(s, 'writing', true)), finalCalled: bool(data(s, 'finalCalled', true)), prefinished: bool(data(s, 'prefinished', true)), objectMode: bool(data(s, 'objectMode', true)), pipes: pipes(s)} : undefined;
  const exit = data(o, 'exitCode', false);
  const signal = data(o, 'signalCode', false);
  const repeat = data(o, '_repeat', false);
  const own = (a, key) => {
    const d = Object.getOwnPropertyDescriptor(a, key);
    return d !== undefined && 'value' in d ? d.value : undefined;
  };
  const finite = v => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  const count = (table, name) => {
    const list = obj(table) ? own(table, name) : undefined;
    return Array.isArray(list) ? num(own(list, 'length')) ?? 0 : 0;
  };
  const request = () => {
    const socket = data(o, 'socket', false);
    if (typeof data(o, 'method', false) !== 'string' || typeof data(o, 'path', false) !== 'string' || (socket !== null && !obj(socket))) return undefined;
    if (obj(socket)) {
      const handle = data(socket, 'ssl', false);
      const tcp = obj(handle) ? data(handle, '_parent', false) : undefined;
      const tls = data(socket, 'encrypted', false) === true;
      return {socket: true, connecting: bool(data(socket, 'connecting', false)), destroyed: bool(data(socket, 'destroyed', true)), tls, secure: bool(data(socket, '_secureEstablished', false)), tcpBytesRead: tls && obj(tcp) ? num(data(tcp, 'bytesRead', true)) : undefined};
    }
    const agent = data(o, 'agent', false);
    const requests = obj(agent) ? data(agent, 'requests', false) : undefined;
    const names = obj(requests) ? Object.keys(requests).slice(0, 1000) : [];
    for (const name of names) {
      const list = own(requests, name);
      const length = Array.isArray(list) ? Math.min(num(own(list, 'length')) ?? 0, 100000) : 0;
      for (let i = 0; i < length; i++) {
        if (own(list, String(i)) !== o) continue;
        return {socket: false, queued: {ahead: i, inUse: count(data(agent, 'sockets', false), name), maxSockets: finite(data(agent, 'maxSockets', false)), open: num(data(agent, 'totalSocketCount', false)) ?? null, maxTotalSockets: finite(data(agent, 'maxTotalSockets', false))}};
      }
    }
    return {socket: false};
  };
  const transform = typeof data(o, '_transform', false) === 'function';
  const final = data(o, '_final', false);
  const ender = typeof final !== 'function' ? undefined : transform && typeof data(o, '_flush', false) === 'function' && data(final, 'name', false) === 'final' ? 'flush' : 'final';
  const held = transform && Object.getOwnPropertySymbols(o).some(k => {
    if (k.description !== 'kCallback') return false;
    const d = Object.getOwnPropertyDescriptor(o, k);
    return d !== undefined && typeof d.value === 'function';
  });
  return {
    aborted: bool(data(o, 'aborted', true)),
    pid: num(data(o, 'pid', false)),
    exitCode: exit === null ? null : num(exit),
    signalCode: signal === null ? null : typeof signal === 'string' ? signal : undefined,
    spawnfile: typeof data(o, 'spawnfile', false) === 'string',
    connecting: bool(data(o, 'connecting', false)),
    remoteAddress: typeof data(o, 'remoteAddress', true) === 'string',
    bytesRead: num(data(o, 'bytesRead', true)),
    listening: bool(data(o, 'listening', true)),
    connections: num(data(o, '_connections', false)),
    closed: bool(data(o, 'closed', true)),
    destroyed: bool(data(o, 'destroyed', true)),
    complete: bool(data(o, 'complete', false)),
    paused: bool(data(o, 'paused', false)),
    readyState: num(data(o, '_readyState', false)),
    request: request(),
    readable: state(r),
    writable: state(w),
    transform,
    ender,
    writeHeld: held,
    idleTimeout: num(data(o, '_idleTimeout', false)),
    idleStart: num(data(o, '_idleStart', false)),
    timerDone: bool(data(o, '_destroyed', false)),
    repeat: repeat === null ? null : num(repeat),
    callAt: num(data(o, 'callAt', false)),
    expiry: num(data(o, 'expiry', false)),
  };
}`;

/**
 * Objects whose state a search reads at most (each read walks the heap once).
 */
const STATE_READS = 32;

/** Reads and remembers the states of the live objects behind nodes. */
export class StateReader {
  /** States read so far. */
  private readonly states = new Map<number, ObjectState | undefined>();

  constructor(private readonly probe: HeapProbe) {}

  /**
   * The state of the live object behind a node (see STATE_READER), or
   * undefined. V8 finds an object by its snapshot id by walking the heap: each
   * distinct object costs a walk, so states are remembered, and at most
   * STATE_READS objects are read per search.
   */
  read(node: number): ObjectState | undefined {
    if (!this.states.has(node)) {
      if (this.states.size >= STATE_READS) return undefined;
      const s = this.probe.read(node, STATE_READER);
      this.states.set(
        node,
        s !== null && typeof s === 'object' ? (s as ObjectState) : undefined,
      );
    }
    return this.states.get(node);
  }
}
