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
  /**
   * Timers, sockets, servers and child processes of the dump: whether one
   * feeds a subject is looked for too ({@link WakerReport.feeds}).
   */
  handles?: Array<{leaf: Leaf; handle: object}>;
}

/** What a search found and cost. */
export interface WakerReport {
  /** Subjects given a waker. */
  found: number;
  orphaned: number;
  /**
   * Handles that keep what could settle one subject (and no other): its
   * resolve function, or an object keeping it (wakers/feeds.ts).
   */
  feeds: Array<{handle: Leaf; promise: Leaf}>;
  /** Nodes of the heap snapshot. */
  nodes: number;
  ms: number;
  /** Where the time went: the snapshot's phases, indexing, searching. */
  phases: Phase[];
}
