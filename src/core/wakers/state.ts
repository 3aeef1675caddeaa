/**
 * The state of the live objects a waker depends on (a timer, an emitter, a
 * stream, a signal), read in each object's own realm and returned as plain
 * data: whether an event already happened, how long a timer has left, what a
 * stream still lacks. Kept apart from the heap walk because it runs code in the
 * program's realm, under a budget.
 */
import type {HeapProbe} from '../heap';

/**
 * Data properties are read as they are; a getter is called only for names Node
 * defines as getters on its own objects (`aborted`, `remoteAddress`,
 * `bytesRead`, `listening`, `closed`, `destroyed`, and the flags of a stream's
 * state), so a getter of the program runs only if it has one of those names.
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
  closed?: boolean;
  destroyed?: boolean;
  complete?: boolean;
  readable?: {
    ended?: boolean;
    endEmitted?: boolean;
    length?: number;
    flowing?: boolean | null;
  };
  writable?: {
    ended?: boolean;
    finished?: boolean;
    length?: number;
    /** A chunk handed to its `_write` (`_transform`) not called back yet. */
    writing?: boolean;
  };
  /** A Transform stream (it has a `_transform`). */
  transform?: boolean;
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
  const o = this;
  const r = data(o, '_readableState', false);
  const w = data(o, '_writableState', false);
  const state = s => s && typeof s === 'object' ? {ended: bool(data(s, 'ended', true)), endEmitted: bool(data(s, 'endEmitted', true)), finished: bool(data(s, 'finished', true)), length: num(data(s, 'length', true)), flowing: data(s, 'flowing', true) === null ? null : bool(data(s, 'flowing', true)), writing: bool(data(s, 'writing', true))} : undefined;
  const exit = data(o, 'exitCode', false);
  const signal = data(o, 'signalCode', false);
  const repeat = data(o, '_repeat', false);
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
    closed: bool(data(o, 'closed', true)),
    destroyed: bool(data(o, 'destroyed', true)),
    complete: bool(data(o, 'complete', false)),
    readable: state(r),
    writable: state(w),
    transform: typeof data(o, '_transform', false) === 'function',
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
