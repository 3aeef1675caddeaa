/**
 * The last step of a dump: where the Root is suspended, the leaves in their
 * order, the dump's own fields.
 */
import {displayPath} from '../callsites';
import type {Root} from '../record';
import {
  DUMP_KIND,
  DUMP_VERSION,
  type Frame,
  type Leaf,
  type TaskDump,
} from '../types';
import type {DumpContext} from './context';

/**
 * The dump of `leaves`: where the Root is suspended, leaves in order. The
 * worker threads and sockets another Root (or the file's load) opened,
 * `earlier`, are in it only if the waker search finds them feeding a stuck
 * promise (fed.ts): they say nothing of where this Root is suspended.
 */
export function finish(
  root: Root,
  ctx: DumpContext,
  leaves: Leaf[],
  earlier: ReadonlySet<Leaf> = new Set(),
): TaskDump {
  const shared = hoistRootFrame(leaves, earlier);
  sortLeaves(leaves);
  return {
    kind: DUMP_KIND,
    version: DUMP_VERSION,
    rootType: ctx.rootType,
    rootName: ctx.rootName,
    rootFrame: shared,
    testPath: displayPath(ctx.testPath, ctx.rootDir),
    elapsedMs: Math.round(ctx.now - root.startedAt),
    timeoutMs: ctx.timeoutMs,
    leaves,
    unrecorded: root.unrecorded,
    waitsForDone: ctx.waitsForDone,
    ...(ctx.fakeTimers ? {fakeTimers: ctx.fakeTimers} : {}),
    ...(ctx.affects && ctx.affects.length > 0 ? {affects: ctx.affects} : {}),
    ...(ctx.sharedWith && ctx.sharedWith.length > 0
      ? {sharedWith: ctx.sharedWith}
      : {}),
  };
}

/**
 * When every branch leaves the test body at the same line, that is where the
 * Root is suspended: shown on the Root's line, not in each branch. Taken off
 * the leaves' paths, and returned (null when they leave it at several
 * lines). Again after the waker search, which may have moved a branch made at
 * an earlier line under the promise it feeds (fed.ts).
 */
export function hoistRootFrame(
  leaves: Leaf[],
  except: ReadonlySet<Leaf> = new Set(),
): Frame | null {
  const attached = leaves.filter(
    l => !l.detached && l.path.length > 0 && !except.has(l),
  );
  const first = attached[0]?.path[0];
  const firstKey = first !== undefined ? lineKey(first) : '';
  const shared =
    first !== undefined && attached.every(l => lineKey(l.path[0]) === firstKey)
      ? preferAwait(attached.map(l => l.path[0]))
      : null;
  if (shared !== null) for (const l of attached) l.path = l.path.slice(1);
  return shared;
}

/**
 * Sorts leaves by their paths' positions, in `localeCompare`'s order
 * (stable).
 */
function sortLeaves(leaves: Leaf[]): void {
  // Keys made once per frame (not per leaf, nor per comparison: sorting 10 000
  // leaves compares ~140 000 times).
  const positions = new Map<string, Map<number | string, string>>();
  const keyOf = (f: Frame): string => {
    let byLine = positions.get(f.file);
    if (byLine === undefined) positions.set(f.file, (byLine = new Map()));
    const at =
      f.line >>> 0 === f.line &&
      f.line < 0x4000000 &&
      f.column >>> 0 === f.column &&
      f.column < 0x4000000
        ? f.line * 0x4000000 + f.column
        : `${f.line}:${f.column}`;
    let k = byLine.get(at);
    if (k === undefined)
      byLine.set(at, (k = `${f.file}:${f.line}:${f.column}`));
    return k;
  };
  // Paths of the same frames (most, in a big dump) have the same key: neither
  // joined nor collated. The keys of frames shared with the path before (the
  // same objects) are that path's.
  let before: {path: Frame[]; keys: string[]} = {path: [], keys: []};
  const sorted = leaves.map(l => {
    const keys: string[] = new Array(l.path.length);
    for (let i = 0; i < keys.length; i++)
      keys[i] =
        l.path[i] === before.path[i] ? before.keys[i] : keyOf(l.path[i]);
    before = {path: l.path, keys};
    return {l, keys, k: undefined as string | undefined};
  });
  const sameKeys = (a: string[], b: string[]): boolean =>
    a.length === b.length && a.every((k, i) => k === b[i]);
  sorted.sort((a, b) =>
    sameKeys(a.keys, b.keys)
      ? 0
      : (collator ??= new Intl.Collator()).compare(
          (a.k ??= a.keys.join('>')),
          (b.k ??= b.keys.join('>')),
        ),
  );
  for (let n = 0; n < sorted.length; n++) leaves[n] = sorted[n].l;
}

/**
 * Frames of one function at one line are one node: a stack taken before the
 * first `await` points at the call, one taken after points at the `await`,
 * on the same line.
 */
export function lineKey(f: Frame): string {
  return `${f.name}@${f.file}:${f.line}`;
}

/**
 * Of frames that are one node, the one at the `await` (an async frame), else
 * the first.
 */
export function preferAwait(frames: Frame[]): Frame {
  return frames.find(f => f.async) ?? frames[0];
}

// `localeCompare`'s order, without building a collator per comparison. Made
// at the first dump that sorts: the first collator of a process loads ICU's
// collation data (about 6 ms on Node 20), which a run without a dump never
// needs.
let collator: Intl.Collator | undefined;
