/**
 * What can settle a stuck promise, as a dump says it (a leaf's `waker`), and
 * why it was not looked for: plain data, as the rest of a dump (types.ts).
 */
import type {Frame, TaskDump} from './types';

/** Why the waker of a stuck promise was not looked for. */
export interface WakerSkip {
  /**
   * `heap`: the heap was over `wakersMaxHeapMb`; `memory`: a heap snapshot
   * would need more memory than the process had free; `budget`: the test
   * process had spent its time for searches; `failed`: an earlier search in
   * this process failed, so no more are made.
   */
  reason: 'heap' | 'memory' | 'budget' | 'failed';
  /** One line, shown under the leaf. */
  what: string;
}

/**
 * What a {@link Waker} is: what keeps the resolve function of a stuck promise.
 */
export type WakerKind =
  /**
   * Nothing: the resolve and reject functions are unreachable (an orphaned
   * promise).
   */
  | 'none'
  /** A timer's callback. */
  | 'timer'
  /**
   * A listener of an event (an EventEmitter, an EventTarget such as an
   * AbortSignal).
   */
  | 'event'
  /** A listener on a stream (`finished`, `pipeline`, `once(stream, 'end')`). */
  | 'stream'
  /** A listener on a child process. */
  | 'child-process'
  /** A property of an object of the program (a deferred, a lock's queue). */
  | 'object'
  /** A variable of the program. */
  | 'variable'
  /**
   * A Jest mock's record of its calls: the resolve function, or a callback
   * keeping it, was passed to a mock (wakers/mock-calls.ts).
   */
  | 'mock'
  /** Native code (`Atomics.waitAsync()`, a binding of Node's). */
  | 'native';

/**
 * What could settle a stuck promise, in plain words: never a value of the
 * program.
 */
export interface Waker {
  kind: WakerKind;
  /**
   * One line: what keeps the resolve function, and its state (`'ready' on a
   * Connection, ...`).
   */
  what: string;
  /**
   * {@link what} in a few words, for lists (`waits for 'ready' on a
   * Connection`, `kept in Pool.waiting[0]`, `settles when a fake timer fires`).
   */
  short?: string;
  /** Where what keeps it is defined (a class, a module), when known. */
  at?: Frame;
  /**
   * For a lock, queue or deferred (`object`): the other stuck branches that
   * hold it (they refer to it while waiting on something else), each by the
   * frame where it parts from this one.
   */
  heldBy?: Frame[];
  /**
   * For a lock this branch holds itself while it waits for it (a re-entered
   * mutex, a queued job awaited by the job ahead of it): the function of this
   * branch that holds it, or null when it could not be placed.
   */
  heldHere?: Frame | null;
  /**
   * With {@link heldHere}, when what this branch holds is a pool's resources
   * in use (wakers/pool-use.ts): `the resource in use in KnexPool.used is`.
   */
  heldIn?: string;
  /**
   * For a lock whose holder's release only this waiter's queued job keeps
   * (wakers/queued-behind.ts): the function of the program that holds it,
   * or null when it could not be placed.
   */
  queuedBehind?: Frame | null;
  /**
   * True when this branch waits on what another holds, which waits on what this
   * one holds, or on what it holds itself ({@link heldHere}).
   */
  deadlock?: boolean;
  /** True when only its reject function was found: it can only reject. */
  onlyRejects?: boolean;
  /**
   * For a `timer`: one of Jest's fake timers (it fires only when the fake clock
   * is advanced).
   */
  fake?: boolean;
  /**
   * Set when this waker was not looked for in this dump, but found earlier in
   * the same test process for a leaf made the same way (same kind, same
   * frames): the test or hook it was found in. `what` then says so, and
   * carries only the short form of that finding, without the state of the
   * objects involved (which belong to the other test).
   */
  as?: {
    rootType: TaskDump['rootType'];
    rootName: string;
    testPath: string;
  };
}
