/**
 * A `Promise.race()` of nothing. A race settles with its first input; given
 * an empty list (a filtered list of requests that came out empty) it never
 * settles, and nothing is below it: no leaf for the walk up to start from.
 * A pending race none of whose inputs is pending is one, when every
 * subscription was recorded (a race with a pending input has a pending input
 * subscription; one with a settled input has settled).
 *
 * Looked for only when the dump has no leaf (dump/index.ts), as rings of
 * promises are (dump/cycles.ts).
 */
import type {Capture} from '../record';
import type {WaitGraph} from '../graph/graph';
import type {Walker} from '../graph/walk';
import {combinatorOf, name} from '../stack/sites';
import type {Leaf} from '../types';
import type {FrameMaker} from './frames';

/** The leaves of pending `Promise.race()`s of no input. */
export function emptyRaceLeaves(
  g: WaitGraph,
  walker: Walker,
  frames: FrameMaker,
  startedAt: number,
): Leaf[] {
  if (g.undercounted) return [];
  const withInputs = new Set<Capture>();
  for (const w of g.pendingWaits())
    if (!w.settled && g.waitKind(w) === 'input') {
      const comb = g.combinatorOf(w)?.comb;
      if (comb !== undefined) withInputs.add(comb);
    }
  const out: Leaf[] = [];
  for (const c of g.combinators) {
    const top = g.sites(c)[0];
    if (
      c.settled ||
      withInputs.has(c) ||
      top === undefined ||
      combinatorOf(top) !== 'Promise.race'
    )
      continue;
    const maker = g.sites(c)[1];
    const createdAt =
      maker === undefined ? null : frames.frame(maker, name(maker));
    for (const b of walker.up(c))
      if (b.reach === 'root')
        out.push({
          kind: 'promise',
          what: 'Promise.race() promise, never settled',
          path: [...b.path],
          createdAt,
          ageMs: Math.round(c.at - startedAt),
          detached: false,
          waker: {
            kind: 'object',
            what: 'it races no input: a Promise.race() of an empty list never settles',
            short: 'a Promise.race() of no input',
          },
        });
  }
  return out;
}
