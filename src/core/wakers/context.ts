/**
 * What every part of a waker search shares: the indexed heap, the live states
 * read so far, and the time of the dump. One per search.
 */
import type {Waker} from '../types';
import type {HeapIndex} from './heap-index';
import type {StateReader} from './state';

export interface WakerContext {
  readonly ix: HeapIndex;
  readonly states: StateReader;
  /** `performance.now()` at the dump, for timers. */
  readonly now: number;
}

/** A holder a recogniser named: its waker, and how it holds (for ranking). */
export interface Recognised {
  waker: Waker;
  /** `by a timer`, `in Pool.waiting[0] (class Pool at …)`. */
  place: string;
  /**
   * A variable of one of Node's own modules (`stderr` of
   * node:internal/bootstrap/switches/is_main_thread), of the test runner's,
   * or of a script outside rootDir or not known: not a place of the
   * program's, and from Node's a path reaches much of a process.
   */
  notProgram?: true;
}

/** Event and property names printed as they are; others are not named. */
export const EVENT_NAME = /^[\w:.-]{1,40}$/;
