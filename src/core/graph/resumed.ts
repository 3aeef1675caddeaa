/**
 * Where an async function waits now, found from an `await` it resumed from:
 * the runs of one function, each resumed from the `await` the one before
 * made, end at its pending `await`.
 */
import type {Capture} from '../record';
import {fnKey} from '../stack/sites';
import type {WaitGraph} from './graph';

/** Settled `await`s followed back from a pending one, at most. */
const MAX_RESUMED = 64;

/** Pending `await`s of one dump's graph, by the `await` they resumed from. */
export class ResumedRuns {
  /** Pending subscriptions by the promise whose callback made them. */
  private readonly waitsIn = new Map<Capture, Capture[]>();

  constructor(
    private readonly g: WaitGraph,
    waits: readonly Capture[],
  ) {
    for (const w of waits)
      for (const by of this.resumedFrom(w)) {
        const list = this.waitsIn.get(by);
        if (list === undefined) this.waitsIn.set(by, [w]);
        else list.push(w);
      }
  }

  /**
   * Where the run of an async function resumed from its `await` `p` waits
   * now: the last pending `await` of the same function made in that run, if
   * any (none while the run is still going), or in a run resumed from an
   * `await` of that run that has settled since, and so on (`await a; await
   * b;` after `p`: the function waits at `b`).
   */
  laterAwait(p: Capture): Capture | undefined {
    const list = this.waitsIn.get(p);
    return list === undefined ? undefined : list[list.length - 1];
  }

  /**
   * The `await`s whose resumed runs led to the pending `await` `w` of the
   * same function: the one whose run made it, the one whose run made that
   * one (settled, as it resumed), and so on back.
   */
  private resumedFrom(w: Capture): Capture[] {
    const out: Capture[] = [];
    const top = this.g.sites(w)[0];
    if (top === undefined || this.g.waitKind(w) !== 'await') return out;
    const key = fnKey(top);
    let by = this.g.promiseContext(w.context);
    const first = by === undefined ? undefined : this.g.sites(by)[0];
    if (first === undefined || fnKey(first) !== key) return out;
    for (let hops = 0; by !== undefined && hops < MAX_RESUMED; hops++) {
      out.push(by);
      if (!by.settled || by.awaits === undefined) break;
      const back = this.g.promiseContext(by.context);
      const at = back === undefined ? undefined : this.g.sites(back)[0];
      if (
        back === undefined ||
        this.g.waitKind(back) !== 'await' ||
        at === undefined ||
        fnKey(at) !== key
      )
        break;
      by = back;
    }
    return out;
  }
}
