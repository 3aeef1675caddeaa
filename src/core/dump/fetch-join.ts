/**
 * What a dump notes of Node's `fetch()` while it makes leaves, to join each
 * pending `fetch()` to the socket carrying its request afterwards
 * (dump/fetch-sockets.ts): the sockets undici connected, undici's own
 * promises, and the order of each `fetch()` promise's capture.
 */
import {type Capture, fetchRequestMadeIn, fetchSocketState} from '../record';
import {type Site, name} from '../stack/sites';
import type {Leaf} from '../types';
import type {FrameMaker} from './frames';
import {
  FETCH_WHAT,
  type FetchSocket,
  fetchCallOrder,
  fetchConnect,
  fetchWork,
  placeFetchSockets,
} from './fetch-sockets';

export class FetchJoin {
  /** Promises of undici's own work in a `fetch()`. */
  private readonly work = new Set<Leaf>();
  /** The order of each pending `fetch()` promise's capture. */
  private readonly calls = new Map<Leaf, number>();
  private readonly sockets: Array<FetchSocket & {handle: object}> = [];

  constructor(
    private readonly sites: (c: Capture) => Site[],
    private readonly frames: FrameMaker,
  ) {}

  /**
   * Whether a socket is one of `fetch()`'s whose request is over, idle in
   * undici's pool: nothing waits on it, it is no leaf.
   */
  idle(handle: object, capture: Capture): boolean {
    return (
      fetchConnect(this.sites(capture)) !== undefined &&
      fetchSocketState(handle) === 'done'
    );
  }

  /**
   * Notes a socket's leaves: one undici connected, its request waiting for
   * the response, may be joined.
   */
  socket(
    handle: object,
    capture: Capture,
    walked: Leaf[],
    leaf: FetchSocket['leaf'],
  ): void {
    const connect = fetchConnect(this.sites(capture));
    if (connect === undefined || fetchSocketState(handle) === 'reading-body')
      return;
    const via = this.frames.frame(connect, name(connect));
    if (via === null) return;
    const made = fetchRequestMadeIn(handle);
    const call =
      made === undefined ? undefined : fetchCallOrder(made, this.sites);
    this.sockets.push({
      handle,
      walked,
      via,
      leaf,
      ...(call !== undefined ? {call} : {}),
    });
  }

  /** Notes a pending promise's leaves: undici's work, or a `fetch()`. */
  promise(c: Capture, leaves: readonly Leaf[], what: string): void {
    if (fetchWork(this.sites(c))) for (const l of leaves) this.work.add(l);
    else if (what === FETCH_WHAT)
      for (const l of leaves) this.calls.set(l, c.seq);
  }

  /**
   * Draws each joined socket under its `fetch()` in `leaves`, and keeps
   * `handleOf` (leaf to handle) in step.
   */
  place(leaves: Leaf[], handleOf: Map<Leaf, object>): void {
    const moved = placeFetchSockets(
      leaves,
      this.sockets,
      this.work,
      this.calls,
    );
    for (const {socket, leaf} of moved) {
      for (const l of socket.walked) handleOf.delete(l);
      handleOf.set(leaf, socket.handle);
    }
  }
}
