/**
 * What a waker search is given and what it returns: the public types of
 * `wakers/` (re-exported by its index).
 */
import type {Leaf} from '../types';
import type {Phase} from '../stopwatch';
import type {IndexOptions} from './heap-index';

/** A stuck promise whose waker is looked for. */
export interface WakerSubject {
  leaf: Leaf;
  promise: object;
  /**
   * True for a `new Promise` (it had resolve functions from the start; none
   * left: orphaned).
   */
  constructed: boolean;
}

/** What the search needs to know about where it runs. */
export interface WakerOptions extends IndexOptions {
  /**
   * Objects of the recorder that refer to the subjects: paths through them do
   * not count.
   */
  exclude: object[];
  /** `performance.now()` at the dump, for timers. */
  now: number;
}

/** What a search found and cost. */
export interface WakerReport {
  /** Subjects given a waker. */
  found: number;
  orphaned: number;
  /** Nodes of the heap snapshot. */
  nodes: number;
  ms: number;
  /** Where the time went: the snapshot's phases, indexing, searching. */
  phases: Phase[];
}
