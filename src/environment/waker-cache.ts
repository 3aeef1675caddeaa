/**
 * Wakers found once per cause. When a service is down, every test that needs
 * it hangs at the same leaf, and a heap snapshot per test (seconds each) would
 * find the same thing each time: a leaf whose signature matches one already
 * explained in this test process reuses that explanation, and says whose it
 * is.
 *
 * The signature of a leaf is its kind, what it is (`promise, never settled`,
 * `events.once() promise, ...`, where a stored promise was created), whether
 * it is a combinator's input and at which index, and every frame from the leaf
 * up to the test body (name, position, async, combinator index, the frames of
 * Node or Jest it was called through); not the test body itself, so the same
 * hang reached from 30 tests matches. Leaves that differ in any of these are
 * made by other code, or by the same code called from elsewhere (with other
 * arguments: `once(conn, 'ready')` and `once(conn, 'close')` are two calls),
 * and are searched apart.
 *
 * What a reused explanation may say, and why it stays true:
 * - The same code made the promise and handed its resolve function on, so
 *   what keeps that function is the same code's doing: the holder's class and
 *   the property it is kept in, the event listened for and the emitter's
 *   class, a module's variable, or nothing (orphaned). That is the short form
 *   of the finding (`Waker.short`), and all that is reused.
 * - The state of what was found belongs to another object at another moment:
 *   whether the event was emitted, the signal aborted, the process exited, the
 *   timer's time left. It is not reused; the line says whose finding it is
 *   (`as for test "query 0"`), and that this leaf was not searched.
 * - Which other branch holds a lock, and a deadlock, are relations between
 *   the branches of one test: such findings are never stored, and a dump with
 *   two or more leaves kept by objects is searched again (see `mustSearch`).
 * - The same code can still hand the function on differently by data (an
 *   event name from a `test.each` table, an `if` on an argument). What is seen
 *   of that is used: a signature whose leaves were found to differ, in one
 *   search or between searches (every search also searches the leaves it
 *   could have reused, and compares), is never reused again.
 * - A leaf whose search found nothing is remembered too: later ones say
 *   nothing either, as the first did.
 * - A callback kept by a Jest mock (wakers/mock-calls.ts) is not stored: the
 *   mock is an object each test hands in, with an implementation or not.
 */
import {rootTitle} from '../core/render/title';
import {startsWith} from '../core/dump/paths';
import type {Frame, Leaf, TaskDump, Waker} from '../core/types';

/** The test or hook a waker was found in. */
export type Origin = NonNullable<Waker['as']>;

/** Signatures remembered per process, at most (each a few hundred bytes). */
const MAX_ENTRIES = 2000;

interface Entry {
  /** What was found (null: the search found nothing for such a leaf). */
  waker: Waker | null;
  origin: Origin;
  /** Leaves of this signature were found to differ: never reused. */
  ambiguous: boolean;
  /**
   * The timers and handles found feeding such a leaf (dump/fed.ts), by
   * {@link handleSignature}: one made by the same calls, in a branch of its
   * own, feeds the leaf that reuses this finding.
   */
  fedBy: string[];
  /**
   * The timers found to be timeouts on a promise above such a leaf
   * (dump/guards.ts), by {@link handleSignature}.
   */
  timeouts: string[];
  /**
   * Only a library's dropped `.then()` waits on such a leaf, and the search
   * found that chain settling no other promise: set aside (dump/aside.ts).
   */
  settlesNone: boolean;
}

/** What the cache knows of a leaf. */
export type Lookup =
  /** Never explained, or found to differ: search it. */
  | {kind: 'unknown'}
  /**
   * Explained: this waker (undefined: the search had found nothing), the
   * handles found feeding it and the timers found to be timeouts above it, by
   * {@link handleSignature}.
   */
  | {
      kind: 'known';
      waker: Waker | undefined;
      fedBy: readonly string[];
      timeouts: readonly string[];
      settlesNone: boolean;
    };

/** What a search found for leaves like one leaf, to hand to another process. */
export interface Finding {
  waker: Waker | null;
  origin: Origin;
  fedBy?: readonly string[];
  timeouts?: readonly string[];
  settlesNone?: boolean;
}

/**
 * The explanations found so far in one test process, by leaf signature.
 *
 * @example
 * const cache = new WakerCache();
 * cache.record([leaf], {rootType: 'test', rootName: 'query 0', testPath});
 * cache.lookup(sameLeafInAnotherTest, testPath);
 * // {kind: 'known', waker: {kind: 'object', what: 'as for test "query 0"
 * //   (...): kept in Client.pending', as: {...}}}
 */
export class WakerCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly max = MAX_ENTRIES) {}

  /**
   * The explanation to reuse for `leaf`, in a dump of the test file
   * `testPath` (named in the line when the finding was in another file), of
   * `project` (with `--projects`, one process runs files of several: positions
   * relative to one project's rootDir are not another's).
   */
  lookup(leaf: Leaf, testPath: string, project = ''): Lookup {
    const entry = this.entries.get(`${project}\0${leafSignature(leaf)}`);
    if (entry === undefined || entry.ambiguous) return {kind: 'unknown'};
    return {
      kind: 'known',
      waker:
        entry.waker === null
          ? undefined
          : reusedWaker(entry.waker, entry.origin, testPath),
      fedBy: entry.fedBy,
      timeouts: entry.timeouts,
      settlesNone: entry.settlesNone,
    };
  }

  /**
   * What was found for leaves like `leaf`, as found (for other test processes
   * of the run, search-share.ts); undefined when there is nothing to reuse.
   */
  finding(leaf: Leaf, project = ''): Finding | undefined {
    const entry = this.entries.get(`${project}\0${leafSignature(leaf)}`);
    if (entry === undefined || entry.ambiguous) return undefined;
    return {
      waker: entry.waker,
      origin: entry.origin,
      fedBy: entry.fedBy,
      timeouts: entry.timeouts,
      settlesNone: entry.settlesNone,
    };
  }

  /**
   * Takes what another test process of the run found for leaves like `leaf`
   * (in the test or hook `origin`), as if found here: said as that test's.
   */
  adopt(leaf: Leaf, found: Finding, project = ''): void {
    const signature = `${project}\0${leafSignature(leaf)}`;
    if (this.entries.has(signature) || this.entries.size >= this.max) return;
    if (!reusable(found.waker ?? undefined)) return;
    this.entries.set(signature, {
      waker: found.waker,
      origin: found.origin,
      ambiguous: false,
      fedBy: [...(found.fedBy ?? [])],
      timeouts: [...(found.timeouts ?? [])],
      settlesNone: found.settlesNone === true,
    });
  }

  /**
   * Records what one search found for its leaves (`leaf.waker`, or none, the
   * handles that feed them, the timers that are timeouts on a promise above
   * them, whether a chain only a dropped `.then()` waits on was found
   * settling none: `settlesNone`), in the test or hook `origin`; compares it
   * with what was recorded before.
   */
  record(
    leaves: Leaf[],
    origin: Origin,
    project = '',
    feeds: ReadonlyArray<{handle: Leaf; promise: Leaf}> = [],
    timeouts: ReadonlyArray<{timer: Leaf; promise: Leaf}> = [],
    settlesNone: readonly Leaf[] = [],
  ): void {
    for (const leaf of leaves) {
      const signature = `${project}\0${leafSignature(leaf)}`;
      const entry = this.entries.get(signature);
      const relational =
        leaf.waker?.deadlock === true || (leaf.waker?.heldBy?.length ?? 0) > 0;
      if (entry !== undefined) {
        // A relation of this test's branches says nothing of the cause's
        // code: it neither confirms nor contradicts.
        if (
          (!relational && causeOf(entry.waker) !== causeOf(leaf.waker)) ||
          entry.settlesNone !== settlesNone.includes(leaf)
        )
          entry.ambiguous = true;
        continue;
      }
      if (relational || !reusable(leaf.waker) || this.entries.size >= this.max)
        continue;
      this.entries.set(signature, {
        waker: leaf.waker ?? null,
        origin,
        ambiguous: false,
        fedBy: feeds
          .filter(f => f.promise === leaf)
          .map(f => handleSignature(f.handle)),
        timeouts: timeouts
          .filter(t => isAbove(t.promise, leaf))
          .map(t => handleSignature(t.timer)),
        settlesNone: settlesNone.includes(leaf),
      });
    }
  }
}

/**
 * Whether a dump must be searched even if every leaf's cause is known: which
 * branch holds a lock or a deferred another waits on, and a deadlock, are
 * found only by a search of this test's own branches, so a dump with two or
 * more leaves kept by objects is searched.
 */
export function mustSearch(known: Array<Waker | undefined>): boolean {
  return known.filter(w => w?.kind === 'object').length >= 2;
}

/** Whether `waiting` is a promise drawn above `leaf` (its path begins it). */
export function isAbove(waiting: Leaf, leaf: Leaf): boolean {
  return (
    waiting !== leaf &&
    leaf.detached === waiting.detached &&
    startsWith(leaf.path, waiting.path)
  );
}

/**
 * The signature of a leaf: what makes two leaves the same cause (see the top
 * of this file). Frames from the leaf up.
 */
export function leafSignature(leaf: Leaf): string {
  const input =
    leaf.input === undefined
      ? ''
      : `${leaf.input.name}[${leaf.input.index ?? ''}]`;
  return [
    leaf.kind,
    leaf.what,
    leaf.detached ? 'detached' : '',
    input,
    frameKey(leaf.createdAt),
    ...leaf.path.map(frameKey).reverse(),
  ].join('\n');
}

/**
 * The signature of a timer's or handle's leaf, for {@link Entry.fedBy}: its
 * kind and frames, not what it is (a timer's time left, a socket's bytes).
 */
export function handleSignature(leaf: Leaf): string {
  return [
    leaf.kind,
    leaf.detached ? 'detached' : '',
    ...leaf.path.map(frameKey).reverse(),
  ].join('\n');
}

function frameKey(f: Frame | null): string {
  if (f === null) return '?';
  const comb =
    f.combinator === undefined
      ? ''
      : ` ${f.combinator.name}[${f.combinator.index ?? ''}]`;
  const via =
    f.via === undefined
      ? ''
      : ` via ${f.via.frames} ${f.via.packages.join(',')}`;
  return `${f.async ? 'async ' : ''}${f.name} ${f.file}:${f.line}:${f.column}${comb}${via}`;
}

/**
 * The cause a waker names, for comparing findings: its kind and short form
 * (what keeps the resolve function), never the state of the holder; nor the
 * position in a queue (`waiters[0]`, `waiters[3]`), which depends on how many
 * waited before.
 */
function causeOf(w: Waker | null | undefined): string {
  if (w === null || w === undefined) return 'nothing found';
  if (w.kind === 'none') return 'none';
  return `${w.kind}: ${(w.short ?? w.what).replace(/\[\d+\]/g, '[]')}`;
}

/** A finding has a short form to reuse (or is `orphaned`, or nothing). */
function reusable(w: Waker | undefined): boolean {
  // A Jest mock is the test's own object, handed in by each test: another
  // test's may have an implementation, or be no mock.
  if (w?.kind === 'mock') return false;
  return w === undefined || w.kind === 'none' || w.short !== undefined;
}

/**
 * The waker a leaf gets from another's finding: its short form, said as that
 * test's (see the top of this file).
 */
export function reusedWaker(
  found: Waker,
  origin: Origin,
  testPath: string,
): Waker {
  const whose = `${rootTitle(origin)}${origin.testPath !== testPath ? ` in ${origin.testPath}` : ''}`;
  const text =
    found.kind === 'none' ? 'orphaned, nothing can settle it' : found.short!;
  return {
    kind: found.kind,
    what: `as for ${whose} (a promise made by the same calls; not searched again): ${text}`,
    ...(found.short !== undefined ? {short: found.short} : {}),
    ...(found.at !== undefined ? {at: found.at} : {}),
    ...(found.fake !== undefined ? {fake: found.fake} : {}),
    ...(found.onlyRejects === true ? {onlyRejects: true} : {}),
    as: origin,
  };
}

/** The origin of findings made for a dump. */
export function originOf(dump: TaskDump): Origin {
  return {
    rootType: dump.rootType,
    rootName: dump.rootName,
    testPath: dump.testPath,
  };
}
