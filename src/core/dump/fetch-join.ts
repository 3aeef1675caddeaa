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
  BODY_WHAT,
  FETCH_WHAT,
  READ_WHATS,
  atUndiciEntry,
  bodyPull,
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
  /** Pending reads of a whole response's body (`text()`, `json()`). */
  private readonly bodies = new Set<Leaf>();
  /** Pending reads of a web stream's reader, and whether undici pulls. */
  private readonly reads = new Set<Leaf>();
  private pulled = false;
  private readonly sockets: Array<FetchSocket & {handle: object}> = [];

  constructor(
    private readonly sites: (c: Capture) => Site[],
    private readonly frames: FrameMaker,
  ) {}

  /**
   * Whether a socket is one of `fetch()`'s whose request is over, idle in
   * undici's pool: nothing waits on it, it is no leaf. So is one connected
   * with no request ever sent on it (undici connects again for a request
   * queued on a socket it destroyed, and that request was aborted before it
   * was sent: a retry's attempt given `AbortSignal.timeout()`); one still
   * connecting may carry the request a `fetch()` waits for.
   */
  idle(handle: object, capture: Capture): boolean {
    if (fetchConnect(this.sites(capture)) === undefined) return false;
    const state = fetchSocketState(handle);
    return (
      state === 'done' ||
      (state === undefined &&
        (handle as {connecting?: unknown}).connecting === false)
    );
  }

  /**
   * Notes a socket's leaves: one undici connected, its request waiting for
   * the response or its response's body being read, may be joined.
   */
  socket(
    handle: object,
    capture: Capture,
    walked: Leaf[],
    leaf: FetchSocket['leaf'],
  ): void {
    const connect = fetchConnect(this.sites(capture));
    const state = fetchSocketState(handle);
    if (connect === undefined || state === undefined || state === 'done')
      return;
    const via = this.frames.frame(connect, name(connect));
    if (via === null) return;
    const made = fetchRequestMadeIn(handle);
    const call =
      made === undefined ? undefined : fetchCallOrder(made, this.sites);
    this.sockets.push({
      handle,
      state,
      walked,
      via,
      leaf,
      ...(call !== undefined ? {call} : {}),
    });
  }

  /**
   * Notes a pending promise's leaves: undici's work, a `fetch()`, or a read
   * of a response's whole body.
   */
  promise(c: Capture, leaves: readonly Leaf[], what: string): void {
    const sites = this.sites(c);
    // undici's read of the body it pulls is made under a reader's read():
    // asked first.
    if (bodyPull(sites)) {
      this.pulled = true;
      for (const l of leaves) this.work.add(l);
    } else if (what === BODY_WHAT)
      for (const l of leaves) {
        atUndiciEntry(l);
        this.bodies.add(l);
      }
    else if (READ_WHATS.has(what)) for (const l of leaves) this.reads.add(l);
    else if (fetchWork(sites)) for (const l of leaves) this.work.add(l);
    else if (what === FETCH_WHAT)
      for (const l of leaves) {
        atUndiciEntry(l);
        this.calls.set(l, c.seq);
      }
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
      // A read of a web stream is one of a body only as far as undici is
      // pulling a body (someone reads one) and no whole-body read is pending.
      this.bodies.size === 0 && this.pulled ? this.reads : this.bodies,
    );
    for (const {socket, leaf} of moved) {
      for (const l of socket.walked) handleOf.delete(l);
      handleOf.set(leaf, socket.handle);
    }
  }
}
