/**
 * Promises that wait on themselves. A chain of pending promises with no leaf
 * in it, whose last link waits on its first, never settles: a lock made of a
 * promise chain (`this.last = this.last.then(task)`) entered again from
 * inside its own task is one (the inner task's `.then()` waits on the
 * `.catch()` of the outer one, which waits on the outer task, which awaits
 * the inner one). The walk from leaves up never meets it, so the dump would
 * say that nothing is pending.
 *
 * What each pending promise waits on, read from the graph: a subscription
 * (`.then()`, `await`, a combinator's input) on the promise it was made on,
 * or on the promise its callback returned once it ran (V8's adoption, whose
 * job runs with the adopting promise as its context); an async function's
 * promise on what its pending `await`s wait on (which call an `await` is in
 * is the graph's one guess, graph/calls.ts); a combinator on its inputs. A
 * `new Promise` waits on
 * nothing recorded: no cycle goes through one.
 *
 * Looked for only when the dump has no leaf (dump/index.ts): a cycle beside
 * stuck branches is left unsaid (docs/limits.md).
 */
import type {Capture} from '../record';
import type {WaitGraph} from '../graph/graph';
import type {Branch, Walker} from '../graph/walk';
import {
  type Site,
  combinatorOf,
  file,
  firstOwnSite,
  isNode,
  name,
} from '../stack/sites';
import type {Frame, Leaf} from '../types';
import type {FrameMaker} from './frames';

/** Cycles drawn in one dump, at most. */
const MAX_CYCLES = 4;

/** The leaves of the cycles of pending promises in the graph, if any. */
export function cycleLeaves(
  g: WaitGraph,
  walker: Walker,
  frames: FrameMaker,
  startedAt: number,
): Leaf[] {
  const down = downEdges(g, walker);
  const out: Leaf[] = [];
  for (const cycle of findCycles(down)) {
    if (out.length >= MAX_CYCLES) break;
    // Drawn at the member something outside the cycle waits on (the test's
    // own `await`): the way the test reaches it.
    const inCycle = new Set(cycle);
    let at = -1;
    let branches: Branch[] = [];
    for (let k = 0; k < cycle.length && at === -1; k++) {
      const outside = walker.waiters.of(cycle[k]).filter(w => !inCycle.has(w));
      branches = outside.flatMap(w =>
        walker.upWait(w).filter(b => b.reach === 'root'),
      );
      if (branches.length > 0) at = k;
    }
    if (at === -1) continue;
    const order = [...cycle.slice(at), ...cycle.slice(0, at)];
    const entry = order[0];
    const what = cycleWords(g, frames, order);
    for (const b of branches)
      out.push({
        kind: 'promise',
        what: 'promise, never settled',
        path: [...b.path],
        createdAt: madeAt(g, frames, entry),
        ageMs: Math.round(entry.at - startedAt),
        detached: false,
        waker: {kind: 'object', what, deadlock: true},
      });
  }
  return out;
}

/** For each pending promise, what it waits on (see the module comment). */
function downEdges(g: WaitGraph, walker: Walker): Map<Capture, Capture[]> {
  const down = new Map<Capture, Capture[]>();
  const add = (from: Capture, to: Capture | null | undefined): void => {
    if (to == null || to.settled || from.settled) return;
    const list = down.get(from);
    if (list === undefined) down.set(from, [to]);
    else if (!list.includes(to)) list.push(to);
  };
  const adopted = new Set<Capture>();
  for (const w of g.pendingWaits()) {
    if (w.settled) continue;
    const kind = g.waitKind(w);
    if (kind === 'adopt') {
      // Resolved with `w.awaits`: the promise whose job adopts it.
      const by = g.promiseContext(w.context);
      if (by !== undefined) {
        add(by, w.awaits);
        adopted.add(by);
      }
      continue;
    }
    if (kind === 'await') {
      const call = walker.calls.callOfWait(w);
      if (call !== undefined && typeof call === 'object') add(call, w);
    } else if (kind === 'input') {
      // A combinator waits on its inputs.
      const comb = g.combinatorOf(w)?.comb;
      if (comb !== undefined) add(comb, w);
    }
  }
  for (const w of g.pendingWaits())
    // A `.then()` whose callback ran waits on what it returned, not on the
    // promise it was made on.
    if (!w.settled && !adopted.has(w) && g.waitKind(w) !== 'adopt')
      add(w, w.awaits);
  return down;
}

/** Each elementary cycle once (by a depth-first walk), in waiting order. */
function findCycles(down: Map<Capture, Capture[]>): Capture[][] {
  const out: Capture[][] = [];
  const done = new Set<Capture>();
  const onPath = new Map<Capture, number>();
  const path: Capture[] = [];
  const visit = (start: Capture): void => {
    // Iterative: a chain of thousands of `.then()`s is no stack overflow.
    const stack: Array<{c: Capture; next: number}> = [{c: start, next: 0}];
    onPath.set(start, 0);
    path.push(start);
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const edges = down.get(top.c) ?? [];
      if (top.next < edges.length) {
        const to = edges[top.next++];
        const at = onPath.get(to);
        if (at !== undefined) {
          if (out.length < MAX_CYCLES) out.push(path.slice(at));
        } else if (!done.has(to)) {
          onPath.set(to, path.length);
          path.push(to);
          stack.push({c: to, next: 0});
        }
        continue;
      }
      stack.pop();
      path.pop();
      onPath.delete(top.c);
      done.add(top.c);
    }
  };
  for (const c of down.keys())
    if (!done.has(c) && out.length < MAX_CYCLES) visit(c);
  return out;
}

/**
 * The cycle in words, from the promise the test reaches: each link by the
 * code that made it (never a value).
 */
function cycleWords(
  g: WaitGraph,
  frames: FrameMaker,
  order: readonly Capture[],
): string {
  const links = order.slice(1).map(c => linkWords(g, frames, c));
  return `it waits on itself, a deadlock: it waits on ${[...links, 'this promise'].join(', which waits on ')}`;
}

function linkWords(g: WaitGraph, frames: FrameMaker, c: Capture): string {
  const f = madeAt(g, frames, c);
  const at = f === null ? '' : ` at ${place(f)}`;
  if (c.awaits === undefined) {
    const top = g.sites(c)[0];
    const comb = top === undefined ? undefined : combinatorOf(top);
    if (g.creationKind(c) === 'combinator' && comb !== undefined)
      return `a ${comb}()${at}`;
    return `the call of ${f?.name ?? 'an async function'}${f === null ? '' : ` (${place(f)})`}`;
  }
  switch (g.waitKind(c)) {
    case 'input': {
      const found = g.combinatorOf(c);
      return found === undefined
        ? `an input of a combinator${at}`
        : `its input [${c.subAt - found.comb.subAt - 1}]`;
    }
    case 'await':
      return `an await${f === null ? '' : ` in ${f.name}${at}`}`;
    case 'then':
      return `a .${thenMethod(g.sites(c))}()${f === null ? '' : ` in ${f.name}${at}`}`;
    default:
      return `a promise${at}`;
  }
}

/**
 * Which method made a subscription: V8's `then`, under `catch` or `finally`
 * when one of those called it (frames before the program's).
 */
function thenMethod(sites: readonly Site[]): string {
  let out = 'then';
  for (const s of sites) {
    if (file(s) !== null && !isNode(s)) break;
    const m = /(?:^|\.)(catch|finally)$/.exec(name(s));
    if (m !== null) out = m[1];
  }
  return out;
}

/** Where the program made `c`: its first frame of the program's. */
function madeAt(g: WaitGraph, frames: FrameMaker, c: Capture): Frame | null {
  const s = firstOwnSite(g.sites(c));
  return s === undefined ? null : frames.frame(s, name(s));
}

function place(f: Frame): string {
  return `${f.file}:${f.line}:${f.column}`;
}
