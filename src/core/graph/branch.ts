/**
 * A branch of the wait graph, from the Root down to a node, and what the
 * walks share to make one.
 */
import {type Capture, leafFrames, promiseFrames} from '../record';
import {type Site, file, isNode} from '../stack/sites';
import type {CombinatorName, Frame} from '../types';

export type Reach =
  /** At the Root's body (the test or hook). */
  | 'root'
  /** In a callback that could not be traced back to the body. */
  | 'detached'
  /** In work another test or the code around the Root started. */
  | 'foreign'
  /** In the runner's own work. */
  | 'machinery';

/** A way up from a node to the Root. */
export interface Branch {
  /** Root first. Frames are shared between branches: never changed. */
  readonly path: readonly Frame[];
  readonly reach: Reach;
  /** The branch ends at a combinator: what is added below is its input. */
  readonly input?: {name: CombinatorName; index: number | null};
  /** What is added below is a call nothing awaits. */
  readonly notAwaited?: boolean;
  /**
   * A detached branch that began in a callback of a socket a server of this
   * process accepted (its 'data'): that socket, whose connection's other end
   * the dump may draw (dump/connection-work.ts).
   */
  readonly connection?: object;
  /**
   * A detached branch whose stack ran out before the Root: the frames kept
   * (the capture's limit), not a callback, are why it was not traced back.
   */
  readonly cut?: number;
}

/** Where the walk runs: which files are the runner's or its machinery's. */
export interface WalkOptions {
  isMachinery(file: string): boolean;
  isRunner(file: string): boolean;
  /** Absolute path of the test file, if known. */
  testPath?: string;
}

/** A frame of the program's (not Node's, the runner's or a native one). */
export function isProgramSite(s: Site | undefined, opts: WalkOptions): boolean {
  const f = s === undefined ? null : file(s);
  return f !== null && !isNode(s!) && !opts.isMachinery(f);
}

/** Walks one dump's wait graph (see the module comment). */

/**
 * `frames` (root first) added below a branch; the first of them is the
 * branch's combinator input, if it ends at one.
 */
export function below(b: Branch, frames: readonly Frame[]): Branch {
  if (frames.length === 0) return b;
  let first = frames[0];
  if (b.input !== undefined) first = withInput(first, b.input);
  if (b.notAwaited === true)
    first = derive(first, 'not awaited', () => ({...first, notAwaited: true}));
  // A copy and pushes, not spreads: there is one per branch.
  const path = b.path.slice();
  path.push(first);
  for (let i = 1; i < frames.length; i++) path.push(frames[i]);
  if (b.connection === undefined && b.cut === undefined)
    return {path, reach: b.reach};
  return {
    path,
    reach: b.reach,
    ...(b.connection !== undefined ? {connection: b.connection} : {}),
    ...(b.cut !== undefined ? {cut: b.cut} : {}),
  };
}

/**
 * The generator of a down-levelled body's frame (see stack/downlevel.ts):
 * the walk marks frames one by one, and a frame derived from one (below)
 * keeps its mark, so that a body resumed later is still joined to it.
 */
export const generatorMarks = new WeakMap<Frame, string>();

/**
 * Frames made from another (with a combinator's input, not awaited...), by
 * what was added: once for each, as frames are shared between branches and
 * never changed (every leaf under a combinator's input of one index, in
 * 10 000 calls alike, has one frame there).
 */
const derived = new WeakMap<Frame, Map<string, Frame>>();

/** The frame `make` makes from `f`, once per `f` and `what`. */
export function derive(f: Frame, what: string, make: () => Frame): Frame {
  let byWhat = derived.get(f);
  if (byWhat === undefined) derived.set(f, (byWhat = new Map()));
  let out = byWhat.get(what);
  if (out === undefined) {
    byWhat.set(what, (out = make()));
    const gen = generatorMarks.get(f);
    if (gen !== undefined) generatorMarks.set(out, gen);
  }
  return out;
}

/** `f` as a combinator's input. */
export function withInput(
  f: Frame,
  input: NonNullable<Branch['input']>,
): Frame {
  return derive(f, `${input.name} ${input.index}`, () => ({
    ...f,
    combinator: input,
  }));
}

export function last(b: Branch): Frame | undefined {
  return b.path[b.path.length - 1];
}

/** Frames of one function at one line (the tree's one node). */
export function sameLine(a: Frame | undefined, b: Frame): boolean {
  return (
    a !== undefined &&
    a.name === b.name &&
    a.file === b.file &&
    a.line === b.line
  );
}

export function findLastIndex<T>(
  a: readonly T[],
  f: (x: T) => boolean,
): number {
  for (let i = a.length - 1; i >= 0; i--) if (f(a[i])) return i;
  return -1;
}

/**
 * Whether `o` is a Node Timeout or Immediate: its callback is a property of
 * its own (a socket has an `_onTimeout` method, on its prototype).
 */
export function isTimerObject(o: object): boolean {
  return Object.hasOwn(o, '_onTimeout') || Object.hasOwn(o, '_onImmediate');
}

/** `setTimeout`, `setInterval` or `setImmediate`, for a timer object. */
export function timerApi(o: object): string {
  if ('_onImmediate' in o) return 'setImmediate';
  return typeof (o as {_repeat?: unknown})._repeat === 'number'
    ? 'setInterval'
    : 'setTimeout';
}

/**
 * The frames `c`'s stack kept when they were all it could keep (its stack
 * went on below them), else undefined: promises and subscriptions keep
 * `maxFrames`, timers and handles more (record/state.ts `leafFrames`).
 */
export function cutAt(
  c: Capture,
  sites: readonly Site[],
  isPromise: boolean,
): number | undefined {
  if (c.short) return undefined;
  const limit =
    isPromise || c.awaits !== undefined ? promiseFrames() : leafFrames();
  return sites.length >= limit ? limit : undefined;
}
