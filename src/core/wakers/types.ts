/**
 * What a waker search is given and what it returns: the public types of
 * `wakers/` (re-exported by its index).
 */
import type {Frame, Leaf} from '../types';
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
  /**
   * The pending promises of its chain, when nothing the Root runs waits on
   * it: whether one feeds another subject is looked for too
   * ({@link WakerReport.feeds}).
   */
  feeds?: object[];
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
  /**
   * Promises that wait on the branches below them, with the one-shot timers
   * among those: whether a timer's callback can settle its promise (a
   * timeout on the wait) is looked for ({@link WakerReport.guards}).
   */
  guards?: GuardQuestion[];
  /**
   * The stuck promises that wait on a branch drawn below them (not subjects):
   * whether a subject's chain reaches their resolve functions too is looked
   * for ({@link WakerReport.reaching}).
   */
  waiting?: object[];
  /**
   * Objects the program's objects are reached from besides this realm's
   * global (the test's global): live objects are found by following
   * references from them where a way exists (core/heap-ways.ts).
   */
  roots?: object[];
}

/** A promise waiting on the branches below it, and the timers among them. */
export interface GuardQuestion {
  /** The promise's leaf (`waiting`). */
  waiting: Leaf;
  promise: object;
  timers: Array<{leaf: Leaf; handle: object}>;
  /**
   * The sockets, servers and child processes under it beside the timers:
   * a timer whose callback keeps one (pg's connection timeout keeps the
   * Connection, whose `stream` is the socket) can end the wait by ending it.
   */
  beside: Array<{leaf: Leaf; handle: object}>;
  /**
   * The one-shot timers drawn under it, when it is an input of a combinator:
   * other inputs whose resolve functions the same timer's callback keeps
   * wait on what it waits on ({@link WakerReport.sameTimer}).
   */
  drawn?: Array<{leaf: Leaf; handle: object}>;
  /**
   * Its timers are all that is stuck under it: whether anything but them
   * keeps its resolve function is asked too (a request's reply nobody sends,
   * under a timeout of its own). If so, that is its waker, and its wait is a
   * stuck branch of its own ({@link Leaf.heldElsewhere}).
   */
  alone?: true;
}

/** What a search found and cost. */
export interface WakerReport {
  /** Subjects given a waker. */
  found: number;
  orphaned: number;
  /**
   * Handles that keep what could settle one subject (and no other): its
   * resolve function, or an object keeping it (wakers/feeds.ts); and
   * subjects whose chain's reactions keep another subject's resolve
   * function (wakers/promise-feeds.ts): one entry for each subject found
   * nearest, several only when they are inputs of one combinator (a batch
   * settling the loads a `Promise.all` waits on: inputs.ts). `handle` is the
   * leaf that feeds. `besides`: a promise a handle reaches besides the one it
   * keeps itself (wakers/feeds.ts `Fed.besides`).
   */
  feeds: Array<{handle: Leaf; promise: Leaf; besides?: true}>;
  /**
   * Subjects whose resolve function a runner of generators keeps, with the
   * generator it drives suspended at a `yield` (wakers/generators.ts).
   */
  generators: Array<{
    promise: Leaf;
    frame: Frame;
    yields: string | null;
    awaits: boolean;
  }>;
  /**
   * Timers whose callback keeps the resolve or reject function of the
   * promise above them that waits on them (wakers/guards.ts).
   */
  guards: Array<{timer: Leaf; promise: Leaf}>;
  /**
   * Subjects whose chain's reactions keep, as far as the search for {@link
   * feeds} goes, the resolve function of another subject or of a promise of
   * {@link WakerOptions.waiting}: one alone or among several, found or not in
   * `feeds` (which keeps only a nearest one).
   */
  reaching: Leaf[];
  /**
   * Stuck promises, inputs of one combinator, that one timer settles (a
   * batch's flush, a debounce's trailing call, under real or fake timers):
   * its callback keeps their resolve functions, or it is drawn under them
   * (wakers/same-timer.ts). One group per timer, of two or more.
   */
  sameTimer: Leaf[][];
  /** Nodes of the heap snapshot. */
  nodes: number;
  ms: number;
  /** Where the time went: the snapshot's phases, indexing, searching. */
  phases: Phase[];
}
