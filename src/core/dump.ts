/**
 * Taking a dump: from a Root's raw captures to a plain {@link TaskDump}.
 *
 * Each stuck leaf is explained by the stack V8 recorded when it was created.
 * Frames of the leaf's own machinery (`new Promise`, Node's internals) say
 * *what* it is; the frames below it, up to the Root marker, are the branch.
 * Three things the raw stack cannot say are recovered from the recorder's
 * bookkeeping:
 * - which input of a `Promise.all`/`race`/... a branch is, when it was created
 *   before the combinator ran (synchronously): from the order of subscriptions;
 * - how a leaf created in a timer callback was reached: from the timer's own
 *   stack;
 * - that a leaf belongs to another test: its timer was created under another
 *   Root.
 */
import {inspect} from 'node:util';
import type {Capture, HandleRecord, Root} from './record';
import {AMBIENT, chainedOn, isTimerPending} from './record';
import {
  type CallSite,
  type Position,
  type PositionMapper,
  displayPath,
  readAllCallSites,
  readCallSites,
  withKnownFile,
} from './callsites';
import {isOwn, packageOf} from './machinery';
import {describeHandle} from './handles';
import {
  type CombinatorName,
  DUMP_KIND,
  DUMP_VERSION,
  type FakeClock,
  type Frame,
  type Leaf,
  type TaskDump,
} from './types';

/**
 * The promise behind a leaf, for what comes after the dump (the waker search).
 * Never part of a dump.
 */
export interface LeafSource {
  promise: object;
  /**
   * True for a `new Promise` (as opposed to an async function's or a
   * combinator's promise).
   */
  constructed: boolean;
}

/** Everything {@link takeDump} needs to know about where it runs. */
export interface DumpContext {
  rootType: TaskDump['rootType'];
  rootName: string;
  /** Absolute path of the test file. */
  testPath: string;
  rootDir: string;
  timeoutMs: number | null;
  waitsForDone: boolean;
  mapPosition: PositionMapper;
  /**
   * True for files of the test runner and of jest-taskdump itself (their frames
   * are skipped).
   */
  isMachinery: (file: string) => boolean;
  /**
   * True for files of the code that calls test and hook bodies: a stack
   * reaching it reached the Root.
   */
  isRunner: (file: string) => boolean;
  /** `performance.now()` at the dump. */
  now: number;
  /** Jest's fake timers, when the test installed them. */
  fakeTimers?: FakeClock | null;
  /** Tests that failed because of this Root (a hook's). */
  affects?: string[];
  /**
   * Concurrent tests that share this Root (their pending work is in the dump
   * too).
   */
  sharedWith?: string[];
}

const COMBINATORS: Record<string, CombinatorName> = {
  all: 'Promise.all',
  allSettled: 'Promise.allSettled',
  any: 'Promise.any',
  race: 'Promise.race',
};
const SIGNATURE_DEPTH = 4;
const MAX_TIMER_HOPS = 8;
/**
 * One-shot timers set at one place before the pending one, for a live-lock (a
 * loop that ran 4 times or more).
 */
const LOOP_MIN = 3;
/**
 * Stacks cut short by the frame limit, continued through the stacks of the
 * functions on them.
 */
const MAX_STITCHES = 16;

/**
 * A frame of a recorded stack, as a number: what it says is kept in the
 * parallel arrays of the dump being taken ({@link frames}), read from V8 only
 * when first asked for. Each CallSite method is a call into V8 (60-100 ns; 400
 * ns for the first position), and a dump of 10 000 leaves has some 100 000
 * frames: an object for each, kept until the dump ends, is what the garbage
 * collector then spends its time copying.
 */
type Site = number;

interface FrameTable {
  /** How many frames there are (the arrays have room for more). */
  count: number;
  site: CallSite[];
  file: Array<string | null | undefined>;
  /**
   * The function name; set up front for a down-levelled async function (its
   * outer function's).
   */
  name: Array<string | undefined>;
  /** {@link fnKey}, set up front for a down-levelled async function. */
  fn: Array<string | undefined>;
  /**
   * For a down-levelled async function's generator body: which generator (where
   * it is defined).
   */
  gen: Map<Site, string>;
  /** {@link combinatorOf} of the native frames that have one. */
  comb: Map<Site, CombinatorName>;
  pos: Float64Array;
  /** KNOWN_* and IS_* bits. */
  bits: Int32Array;
  /**
   * {@link functionKey}s by file, then line and column: one string per
   * function, not per frame.
   */
  functionKeys: Map<string | null, Map<number | string, string>>;
}

const KNOWN_ASYNC = 1;
const IS_ASYNC = 2;
const KNOWN_CTOR = 4;
const IS_CTOR = 8;
/**
 * A frame of a down-levelling helper that drives a generator body (never
 * shown).
 */
const IS_HELPER = 16;
const KNOWN_POS = 32;
const KNOWN_COMB = 64;
const IS_COMB = 128;

// Arrays made at their size, not grown one frame at a time: growing arrays of
// 100 000 elements is itself measurable, and so is making one (typed arrays
// cost least).
function newTable(capacity = 64): FrameTable {
  return {
    count: 0,
    site: new Array(capacity),
    file: new Array(capacity),
    name: new Array(capacity),
    fn: new Array(capacity),
    gen: new Map(),
    comb: new Map(),
    pos: new Float64Array(capacity),
    bits: new Int32Array(capacity),
    functionKeys: new Map(),
  };
}

/**
 * The frames of the dump being taken (takeDump sets it, and puts back the one
 * before).
 */
let frames: FrameTable = newTable();

/** Makes room for `n` more frames. */
function reserve(n: number): void {
  const t = frames;
  if (t.count + n <= t.site.length) return;
  const bigger = newTable(Math.max(t.count + n, t.site.length * 2));
  for (let s = 0; s < t.count; s++) {
    bigger.site[s] = t.site[s];
    bigger.file[s] = t.file[s];
    bigger.name[s] = t.name[s];
    bigger.fn[s] = t.fn[s];
  }
  bigger.pos.set(t.pos);
  bigger.bits.set(t.bits);
  bigger.count = t.count;
  bigger.functionKeys = t.functionKeys;
  bigger.gen = t.gen;
  bigger.comb = t.comb;
  frames = bigger;
}

function newSite(site: CallSite): Site {
  reserve(1);
  frames.site[frames.count] = site;
  return frames.count++;
}

const callSite = (s: Site): CallSite => frames.site[s];

function file(s: Site): string | null {
  let f = frames.file[s];
  if (f === undefined)
    frames.file[s] = f = frames.site[s].getFileName() ?? null;
  return f;
}

function name(s: Site): string {
  let n = frames.name[s];
  if (n === undefined)
    frames.name[s] = n = frames.site[s].getFunctionName() ?? '';
  return n;
}

function isAsync(s: Site): boolean {
  let b = frames.bits[s];
  if ((b & KNOWN_ASYNC) === 0)
    frames.bits[s] = b |=
      KNOWN_ASYNC | (frames.site[s].isAsync() ? IS_ASYNC : 0);
  return (b & IS_ASYNC) !== 0;
}

function isCtor(s: Site): boolean {
  let b = frames.bits[s];
  if ((b & KNOWN_CTOR) === 0)
    frames.bits[s] = b |=
      KNOWN_CTOR | (frames.site[s].isConstructor() ? IS_CTOR : 0);
  return (b & IS_CTOR) !== 0;
}

const isHelper = (s: Site): boolean => (frames.bits[s] & IS_HELPER) !== 0;

interface Combinator {
  name: CombinatorName;
  capture: Capture;
  /** Index of the capture in creation order. */
  at: number;
  /**
   * Subscriptions with a counter in (subAt, end) are this combinator's inputs.
   */
  end: number;
  caller: Site | undefined;
}

// Helpers that run async functions compiled to generators: TypeScript's
// `__awaiter` (target below ES2017), Babel's and swc's `asyncToGenerator`
// (`asyncGeneratorStep`, `_next`). Names only helpers have, and names that are
// helpers' only next to `Generator.next`.
const DOWNLEVEL_HELPERS = new Set([
  '__awaiter',
  'asyncGeneratorStep',
  '_next',
  '_throw',
  '_asyncToGenerator',
  '_async_to_generator',
]);
const DOWNLEVEL_HELPERS_NEAR_NEXT = new Set([
  ...DOWNLEVEL_HELPERS,
  'step',
  'fulfilled',
  'rejected',
]);

/**
 * True for a frame of a down-levelling helper (they are emitted into the user's
 * files).
 */
function isDownlevelHelper(s: Site): boolean {
  return file(s) !== null && DOWNLEVEL_HELPERS.has(name(s));
}

/**
 * V8's `Generator.prototype.next` (native): how down-levelled async functions
 * run their bodies.
 */
function isGeneratorNext(s: Site): boolean {
  return file(s) === null && name(s) === 'next';
}

function isHelperNearNext(s: Site): boolean {
  return file(s) !== null && DOWNLEVEL_HELPERS_NEAR_NEXT.has(name(s));
}

// ES5 state machines: TypeScript's `__generator` (tslib's, or emitted into the
// file with target ES5) runs the body from its `step`, called by the anonymous
// function `verb` made for the generator's `next` (or `throw`, `return`).
// Neither frame is the user's; together they are what `Generator.next` is to a
// native generator, and are read as one such frame.
const ES5_VERBS = new Set(['next', 'throw', 'return']);

/**
 * Whether `[k]` and `[k + 1]` are `__generator`'s `step` and the generator's
 * `next` (or `throw`, `return`).
 */
function isStateMachineStep(sites: Site[], k: number, end: number): boolean {
  const s = sites[k];
  if (k + 1 >= end || name(s) !== 'step') return false;
  const f = file(s);
  const verb = sites[k + 1];
  if (
    f === null ||
    file(verb) !== f ||
    name(verb) !== '' ||
    !ES5_VERBS.has(callSite(verb).getMethodName() ?? '')
  )
    return false;
  // Then, in the same file, `__awaiter`'s `fulfilled` or `rejected` (a resumed
  // body), or its executor, the `new Promise` and `__awaiter` (the body's first
  // run), unless the stack was cut short by the frame limit there.
  const a = k + 2;
  if (a >= end) return true;
  if (file(sites[a]) !== f) return false;
  if (name(sites[a]) === 'fulfilled' || name(sites[a]) === 'rejected')
    return true;
  if (name(sites[a]) !== '') return false;
  const p = sites[a + 1];
  if (a + 1 >= end) return true;
  if (!isPromiseConstructor(p)) return false;
  return (
    a + 2 >= end ||
    (file(sites[a + 2]) === f && name(sites[a + 2]) === '__awaiter')
  );
}

/**
 * `sites` with each ES5 state machine's `step` and `next` (see {@link
 * isStateMachineStep}) as one frame that reads as V8's `Generator.next`, or
 * `sites` itself if there is none.
 */
function foldStateMachineSteps(sites: Site[]): Site[] {
  let out: Site[] | undefined;
  for (let k = 0; k < sites.length; k++) {
    if (
      name(sites[k]) === 'step' &&
      isStateMachineStep(sites, k, sites.length)
    ) {
      out ??= sites.slice(0, k);
      const next = newSite(callSite(sites[k + 1]));
      frames.file[next] = null;
      frames.name[next] = 'next';
      out.push(next);
      k++;
    } else if (out !== undefined) out.push(sites[k]);
  }
  return out ?? sites;
}

/**
 * Where an async function compiled to a generator was called from, in a stack
 * read from the leaf: `[k]` is the helper's `new Promise`, `[fn]` the function
 * itself. Returns the index of `fn` and whether the wrapper is one we know by
 * name.
 */
function downlevelCall(
  sites: Site[],
  k: number,
): {fn: number; named: boolean} | undefined {
  const p = sites[k];
  if (!isPromiseConstructor(p)) return undefined;
  // Rootward: `__awaiter`, or the wrapper (anonymous, then maybe `_foo`), then
  // `foo`.
  let x = k + 1;
  const w = sites[x];
  if (w === undefined || file(w) === null) return undefined;
  let named = false;
  if (name(w) === '__awaiter') {
    x++;
    named = true;
  } else if (name(w) === '') {
    x++;
    const under = sites[x];
    if (
      under !== undefined &&
      name(under).length > 1 &&
      name(under).startsWith('_') &&
      sites[x + 1] !== undefined &&
      name(sites[x + 1]) === name(under).slice(1)
    ) {
      x++;
      named = true;
    }
  } else return undefined;
  const fn = sites[x];
  if (fn === undefined || file(fn) === null || isDownlevelHelper(fn))
    return undefined;
  return {fn: x, named};
}

/**
 * The generator body above the helper's `new Promise` at `[k]`, if the helper's
 * frames are there.
 */
function downlevelBody(sites: Site[], k: number): number | undefined {
  // Leafward: the executor (anonymous), then `_next` and `asyncGeneratorStep`
  // (Babel, swc) or nothing (TypeScript), then V8's `next` (a native frame),
  // then the body.
  let b = k - 1;
  if (b < 0 || name(sites[b]) !== '' || file(sites[b]) === null)
    return undefined;
  b--;
  while (b >= 0 && isHelperNearNext(sites[b])) b--;
  if (b < 1 || file(sites[b]) !== null || name(sites[b]) !== 'next')
    return undefined;
  return b - 1;
}

const wrapperKey = (s: Site): string => `${file(s)}:${position(s)}`;

/**
 * The generator function a body frame runs in: its file and where it starts.
 */
const genKey = (s: Site): string => functionKey(s);

/**
 * Marks generator bodies resumed by a down-levelling helper (`[b]`, then
 * `next`, then `fulfilled` or `_next`...), and the helper's frames after
 * `next`.
 */
function markResumedBodies(sites: Site[]): void {
  for (let b = 0; b + 2 < sites.length; b++) {
    const next = sites[b + 1];
    if (
      file(next) !== null ||
      name(next) !== 'next' ||
      !isHelperNearNext(sites[b + 2])
    )
      continue;
    if (file(sites[b]) !== null) frames.gen.set(sites[b], genKey(sites[b]));
    for (let h = b + 2; h < sites.length && isHelperNearNext(sites[h]); h++)
      frames.bits[sites[h]] |= IS_HELPER;
  }
}

/**
 * An async function compiled to a generator is, on the stack, its generator
 * body (at the `yield` that was its `await`), the helper that drives it
 * (`Generator.next`, the executor, `asyncGeneratorStep`/`_next`, `new Promise`,
 * `__awaiter` or the wrapper `_foo`), then the function itself. Such a run
 * becomes one frame: the function's name at the body's position, as a native
 * async function's frame would be. The stack of the helper's own `new Promise`
 * (the function's promise) starts at the function, as a native async function's
 * does. An anonymous wrapper (swc's) is recognised once a full run through it
 * was seen (`wrappers`). Bodies run by regenerator (no native generators) are
 * not recognised.
 */
function collapseDownlevelled(sites: Site[], wrappers: Set<string>): Site[] {
  for (let k = 0; k < sites.length; k++) {
    const call = downlevelCall(sites, k);
    if (call === undefined) continue;
    const fn = sites[call.fn];
    const rest = (): Site[] =>
      collapseDownlevelled(sites.slice(call.fn + 1), wrappers);
    if (k === 0) {
      // The function's own promise: its stack starts at the function.
      if (call.named || wrappers.has(wrapperKey(sites[1])))
        return [fn, ...rest()];
      continue;
    }
    const body = downlevelBody(sites, k);
    if (body === undefined) continue;
    const merged = newSite(callSite(sites[body]));
    frames.name[merged] = name(fn);
    frames.fn[merged] = fnKey(fn);
    frames.gen.set(merged, genKey(sites[body]));
    return [...sites.slice(0, body), merged, ...rest()];
  }
  return sites;
}

/**
 * Notes the anonymous wrappers of full down-levelled runs in `sites` (see
 * {@link collapseDownlevelled}).
 */
function learnWrappers(sites: Site[], wrappers: Set<string>): void {
  for (let k = 1; k < sites.length; k++) {
    const call = downlevelCall(sites, k);
    if (
      call !== undefined &&
      !call.named &&
      downlevelBody(sites, k) !== undefined
    )
      wrappers.add(wrapperKey(sites[k + 1]));
  }
}

function isNode(s: Site): boolean {
  const f = file(s);
  return f !== null && f.startsWith('node:');
}

function combinatorOf(s: Site): CombinatorName | undefined {
  const b = frames.bits[s];
  if ((b & KNOWN_COMB) !== 0)
    return (b & IS_COMB) !== 0 ? frames.comb.get(s) : undefined;
  let c: CombinatorName | undefined;
  if (file(s) !== null) c = undefined;
  else if (callSite(s).isPromiseAll?.()) c = 'Promise.all';
  else
    c =
      COMBINATORS[name(s).startsWith('Promise.') ? name(s).slice(8) : name(s)];
  frames.bits[s] |= KNOWN_COMB | (c != null ? IS_COMB : 0);
  if (c != null) frames.comb.set(s, c);
  return c ?? undefined;
}

/** The function a frame is in (its file and where the function starts). */
function fnKey(s: Site): string {
  let k = frames.fn[s];
  if (k === undefined) frames.fn[s] = k = functionKey(s);
  return k;
}

/**
 * `file:line:column` of where the function of a frame starts (the same string
 * for all its frames).
 */
function functionKey(s: Site): string {
  const f = file(s);
  const line = callSite(s).getEnclosingLineNumber?.();
  const column = callSite(s).getEnclosingColumnNumber?.();
  let byPlace = frames.functionKeys.get(f);
  if (byPlace === undefined) frames.functionKeys.set(f, (byPlace = new Map()));
  const place =
    typeof line === 'number' &&
    typeof column === 'number' &&
    line >>> 0 === line &&
    column >>> 0 === column &&
    line < 0x4000000 &&
    column < 0x4000000
      ? line * 0x4000000 + column
      : `${line}:${column}`;
  let k = byPlace.get(place);
  if (k === undefined) byPlace.set(place, (k = `${f}:${line}:${column}`));
  return k;
}

/**
 * The frame's source offset (`getPosition`: a third of the cost of a line and a
 * column).
 */
function position(s: Site): number {
  if ((frames.bits[s] & KNOWN_POS) === 0) {
    const site = callSite(s);
    frames.pos[s] =
      typeof site.getPosition === 'function'
        ? site.getPosition()
        : site.getLineNumber()! * 1e5 + site.getColumnNumber()!;
    frames.bits[s] |= KNOWN_POS;
  }
  return frames.pos[s];
}

/**
 * Whether two stacks are the same call path for `depth` frames from `i` and `j`
 * (no strings made).
 */
function sameCallPath(
  a: Site[],
  i: number,
  b: Site[],
  j: number,
  depth: number,
): boolean {
  for (let k = 0; k < depth; k++) {
    const x = a[i + k];
    const y = b[j + k];
    if (x === undefined || y === undefined) return x === y;
    // `Generator.next` where a stack of down-levelled calls was cut short: the
    // paths agree as far as they can be compared.
    if (isGeneratorNext(x) || isGeneratorNext(y)) return true;
    if (
      file(x) !== file(y) ||
      position(x) !== position(y) ||
      isAsync(x) !== isAsync(y)
    )
      return false;
  }
  return true;
}

/**
 * Takes the dump of everything still pending under `root` (and the Roots nested
 * in it). Pure but for reading stacks; costs nothing until it is called.
 *
 * @example
 * // The low-level way to what `traced()` does (use `traced()` unless you need
 * // the parts):
 * import {
 *   closeRoot, createPositionMapper, createRoot, enterRoot, leaveRoot,
 *   renderDump, startRecording, takeDump,
 * } from 'jest-taskdump';
 * const stop = startRecording();
 * const root = createRoot();
 * enterRoot(root);
 * const work = startWork(); // promises and timers created now belong to `root`
 * leaveRoot(root);
 * setTimeout(() => {
 *   const dump = takeDump(root, {
 *     rootType: 'traced', rootName: 'startWork', testPath: __filename,
 *     rootDir: process.cwd(), timeoutMs: null, waitsForDone: false,
 *     mapPosition: createPositionMapper(undefined),
 *     isMachinery: () => false, isRunner: () => false, now: performance.now(),
 *   });
 *   console.log(renderDump(dump));
 *   closeRoot(root);
 *   stop();
 * }, 1000);
 */
export function takeDump(
  root: Root,
  ctx: DumpContext,
  sources?: Map<Leaf, LeafSource>,
): TaskDump {
  // A dump's frames live as long as the dump (a context callback might take
  // another).
  const outer = frames;
  frames = newTable();
  try {
    return new Dump(root, ctx, sources).take();
  } finally {
    frames = outer;
  }
}

/** What a capture's stack says, root first (see {@link Dump.branchOf}). */
interface Branch {
  /** Root first. */
  path: Frame[];
  createdAt: Frame | null;
  /**
   * Node's API that made the leaf (`once (node:events)`), when it was Node's.
   */
  origin: string | null;
  /**
   * Name of the user function whose own promise this is (async calls), if it is
   * one.
   */
  fn: string | null;
  /**
   * Set when the capture is a subscription made by a combinator: which input it
   * is.
   */
  input: {name: CombinatorName; index: number | null} | null;
  /**
   * 'root': reached the test body; 'detached': chain broken; 'foreign': another
   * test's; 'machinery': Jest's own.
   */
  reach: 'root' | 'detached' | 'foreign' | 'machinery';
}

/**
 * A stack walked towards the Root: the user's frames, leaf first, and where it
 * ended.
 */
interface Walked {
  leafward: Frame[];
  reach: Branch['reach'];
  /**
   * Set when the walk went on through a combinator's own branch (see {@link
   * Dump.walk}).
   */
  rerooted?: boolean;
}

type Input = {comb: Combinator; index: number};

/**
 * A capture's execution resource: a timer of the Root, a Timeout, a handle's, a
 * `.then` callback's derived promise.
 */
interface Context {
  timer: Capture | undefined;
  isTimer: boolean;
  io: HandleRecord | undefined;
  /**
   * The capture of the promise a `.then` callback was chained on (null: not
   * asked for yet).
   */
  on: Capture | undefined | null;
}

/**
 * One dump being taken. A class rather than closures made in takeDump: its
 * methods are compiled and optimized once for all dumps, where closures made
 * anew for each dump start cold (interpreted, then optimized again) every time.
 *
 * The pending captures are worked on by their index in creation order (`all`),
 * their stacks in `stackOf`: a Map from 30 000 captures costs a cache miss or
 * two per lookup.
 */
class Dump {
  readonly ctx: DumpContext;
  /** Stacks of captures not in `all` (timers, handles, awaited promises). */
  readonly sitesOf = new Map<Capture, Site[]>();
  /**
   * Anonymous wrappers of down-levelled functions (see {@link
   * collapseDownlevelled}).
   */
  readonly wrappers = new Set<string>();
  /**
   * The Root and the Roots nested in it (`traced()` calls inside a test) are
   * one family.
   */
  readonly family = new Set<Root>();
  readonly timers = new Map<object, Capture>();
  readonly handles: Array<[object, HandleRecord]> = [];
  readonly handleByResource = new Map<unknown, HandleRecord>();
  /** The family's pending promise captures, in creation order. */
  readonly all: Capture[];
  stackOf: Site[][] = [];
  seqs: Float64Array = new Float64Array(0);
  readonly leafCaptures: number[] = [];
  readonly awaitCaptures: Capture[] = [];
  /**
   * Sorted by subAt, for a binary search from a subscription to its combinator.
   */
  readonly combinators: Combinator[] = [];
  combinatorSubAt: Float64Array = new Float64Array(0);
  combinatorEnd: Float64Array = new Float64Array(0);
  /**
   * Async calls by function and call path; one call path can be taken many
   * times (a loop, `items.map(f)`), so each key keeps its captures in creation
   * order (indices in `all`). `anyInput`: whether any of them is a combinator's
   * input (most are not, and then which call a frame is in does not matter to
   * the combinators).
   */
  readonly functions = new Map<string, {calls: number[]; anyInput?: boolean}>();
  rootKey: string | undefined = undefined;
  callerKey: string | undefined = undefined;
  /** {@link inputOf} by index in `all` (null: none). */
  private inputs: Array<Input | null | undefined> = [];
  /**
   * 1 for a `new Promise` leaf whose branch's frame says which combinator input
   * it is.
   */
  ownInput: Uint8Array = new Uint8Array(0);
  /**
   * Leaves (`new Promise`) by the function that made them, in creation order
   * (see promiseMadeAt).
   */
  private leavesByMaker: Map<string, number[]> | undefined = undefined;
  private anyLeafInput: boolean | undefined = undefined;
  private readonly combinatorBranches = new Map<
    Combinator,
    Branch | undefined
  >();
  /**
   * Subscriptions of combinators to `.then()` promises that a `new Promise`
   * stands for (see linkDerivedInputs).
   */
  private readonly derivedAwaits = new Set<Capture>();
  readonly displayPaths = new Map<string, string>();
  /**
   * Frames of down-levelled generator bodies, by generator (see
   * markResumedBodies).
   */
  readonly genOf = new WeakMap<Frame, string>();
  readonly mapKnown: (site: CallSite, file: string) => Position | null;
  /**
   * Where each combinator was called, shown: read (never changed) once per
   * input of it.
   */
  private readonly callerFrames = new Map<Site, Frame | null>();
  // The branch above a timer, socket or `.then` callback, and the rest of a
  // stack cut short, are the same for every leaf made below them (thousands,
  // made in one callback or one loop): each is walked once, by how many hops or
  // stitches led to it. Callers only read them.
  private readonly parents = new Map<Capture, Branch[]>();
  private readonly contexts = new Map<object, Context>();
  private stitches: Walked[][] = [];
  readonly leaves: Leaf[] = [];
  /**
   * Timer leaves by where they were set (`timers/promises` makes its promise at
   * the same place).
   */
  readonly timersAt = new Map<string, Leaf[]>();
  /**
   * Counts are lower bounds, and absences prove nothing, when some promises or
   * timers were not recorded (over the capture budget) or were pruned (a Root
   * keeps at most 4096 timers).
   */
  readonly undercounted: boolean;
  /**
   * The promise of each pending capture, kept only when the caller asked for
   * the leaves' sources.
   */
  readonly promiseOf: Map<Capture, object> | undefined;
  /**
   * One-shot timers of the family that already fired (or were cleared), counted
   * by the logical stack they were set along (see {@link firedBefore}); made
   * when first needed.
   */
  private firedAlong: Map<string, number> | undefined = undefined;

  constructor(
    readonly root: Root,
    ctx0: DumpContext,
    readonly sources: Map<Leaf, LeafSource> | undefined,
  ) {
    // Asked for every frame of every stack, about a few files: answered once
    // per file.
    this.ctx = {
      ...ctx0,
      isMachinery: memoByFile(ctx0.isMachinery),
      isRunner: memoByFile(ctx0.isRunner),
    };
    this.mapKnown = withKnownFile(this.ctx.mapPosition);
    const gather = (r: Root): void => {
      this.family.add(r);
      r.children.forEach(gather);
    };
    gather(root);
    let undercounted = false;
    for (const r of this.family)
      if (r.unrecorded > 0 || r.prunedTimers > 0) undercounted = true;
    this.undercounted = undercounted;
    const pending: Capture[] = [];
    const promiseOf = (this.promiseOf =
      sources !== undefined ? new Map<Capture, object>() : undefined);
    for (const r of this.family) {
      for (const [t, c] of r.timers) this.timers.set(t, c);
      for (const h of r.handles) this.handles.push(h);
      if (promiseOf === undefined)
        for (const c of r.promises.values()) pending.push(c);
      else {
        for (const [p, c] of r.promises) {
          pending.push(c);
          promiseOf.set(c, p);
        }
      }
    }
    this.all = pending.sort((a, b) => a.seq - b.seq);
    this.seqs = new Float64Array(this.all.length);
    for (let i = 0; i < this.all.length; i++) this.seqs[i] = this.all[i].seq;
    for (const [h, record] of this.handles) {
      this.handleByResource.set(h, record);
      const native = (h as {_handle?: unknown})._handle;
      if (native !== null && typeof native === 'object')
        this.handleByResource.set(native, record);
    }
  }

  take(): TaskDump {
    this.readAll();
    this.classify();
    this.linkCombinators();
    this.linkDerivedInputs();
    this.collect();
    return finish(this.root, this.ctx, this.leaves);
  }

  ours(r: Root): boolean {
    return this.family.has(r);
  }

  /**
   * The stack a dump works with, from the Sites `start` to `end` (excluded)
   * read for one capture; `driven`: they have a `Generator.next` frame.
   */
  prepare(start: Site, end: Site, driven: boolean): Site[] {
    // Node runs promise hooks through its own dispatcher; its frame is not the
    // user's.
    let first = start;
    while (
      first < end &&
      file(first) !== null &&
      file(first)!.startsWith('node:internal/promise_hooks')
    )
      first++;
    let s: Site[] = new Array(end - first);
    for (let k = first; k < end; k++) s[k - first] = k;
    // Down-levelled code runs its bodies through `Generator.next` (a native
    // frame); its functions' own promises start with `new Promise` then
    // `__awaiter` or the wrapper. ES5 state machines run their bodies through
    // two frames of `__generator` instead.
    const folded = foldStateMachineSteps(s);
    if (folded !== s) {
      s = folded;
      driven = true;
    }
    if (
      driven ||
      (s.length > 2 &&
        file(s[0]) === null &&
        (name(s[1]) === '__awaiter' || this.wrappers.size > 0))
    )
      s = collapseDownlevelled(s, this.wrappers);
    if (driven) markResumedBodies(s);
    return s;
  }

  /**
   * A capture's index in `all` (found by its `seq`, which no other capture
   * has), or -1.
   */
  ordinal(c: Capture): number {
    const {seqs} = this;
    let lo = 0;
    let hi = seqs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (seqs[mid] < c.seq) lo = mid + 1;
      else hi = mid;
    }
    return lo < seqs.length && this.all[lo] === c ? lo : -1;
  }

  read(c: Capture): Site[] {
    const at = this.ordinal(c);
    if (at >= 0) return this.stackOf[at];
    let s = this.sitesOf.get(c);
    if (s === undefined) {
      const start = register(readCallSites(c.holder));
      this.sitesOf.set(
        c,
        (s = this.prepare(
          start,
          frames.count,
          hasGeneratorNext(start, frames.count),
        )),
      );
    }
    return s;
  }

  /**
   * Reads every stack (V8 builds its CallSites then, ~0.3 µs a frame), all in
   * one go.
   */
  readAll(): void {
    const all = this.all;
    const stacks = readAllCallSites(all, c => c.holder);
    let total = 0;
    for (const sites of stacks) total += sites.length;
    reserve(total);
    // The Sites of all[i] are starts[i] to starts[i + 1] (excluded).
    const starts = new Int32Array(all.length + 1);
    for (let i = 0; i < all.length; i++) starts[i] = register(stacks[i]);
    starts[all.length] = frames.count;
    stacks.length = 0;
    const driven = new Uint8Array(all.length);
    for (let i = 0; i < all.length; i++)
      driven[i] = hasGeneratorNext(starts[i], starts[i + 1]) ? 1 : 0;
    // swc's wrapper is anonymous: it is known by the full runs through it
    // (first pass).
    const range = (start: Site, end: Site): Site[] =>
      Array.from({length: end - start}, (_, k) => start + k);
    for (let i = 0; i < all.length; i++)
      if (driven[i] === 1)
        learnWrappers(range(starts[i], starts[i + 1]), this.wrappers);
    this.stackOf = new Array(all.length);
    for (let i = 0; i < all.length; i++)
      this.stackOf[i] = this.prepare(starts[i], starts[i + 1], driven[i] === 1);
    this.inputs = new Array(all.length);
    this.ownInput = new Uint8Array(all.length);
    this.stitches = new Array(all.length);
  }

  /**
   * Sorts the pending promise captures into leaves, combinators and function
   * promises.
   */
  classify(): void {
    const {all} = this;
    for (let at = 0; at < all.length; at++) {
      const c = all[at];
      const sites = this.stackOf[at];
      const top = sites[0];
      if (top === undefined) continue;
      if (this.rootKey === undefined) this.findRoot(sites);
      if (c.awaits !== undefined) {
        this.awaitCaptures.push(c);
      } else if (isCtor(top) && name(top) === 'Promise') {
        this.leafCaptures.push(at);
      } else if (combinatorOf(top) !== undefined) {
        this.combinators.push({
          name: combinatorOf(top)!,
          capture: c,
          at,
          end: Infinity,
          caller: sites[1],
        });
      } else if (file(top) !== null) {
        const k = fnKey(top);
        const list = this.functions.get(k);
        if (list === undefined) this.functions.set(k, {calls: [at]});
        else list.calls.push(at);
      }
    }
  }

  /**
   * Where the Root's body is: the function that the runner called, in the first
   * stack that reaches the runner.
   */
  private findRoot(sites: Site[]): void {
    const {ctx} = this;
    let runnerAt = -1;
    for (let k = 0; k < sites.length; k++) {
      const f = file(sites[k]);
      if (f !== null && ctx.isRunner(f)) {
        runnerAt = k;
        break;
      }
    }
    if (
      runnerAt > 0 &&
      file(sites[runnerAt - 1]) !== null &&
      !ctx.isMachinery(file(sites[runnerAt - 1])!)
    ) {
      this.rootKey = fnKey(sites[runnerAt - 1]);
      // The code that called the Root's body (user code for `traced()`, Jest's
      // for tests).
      const caller = sites
        .slice(runnerAt)
        .find(
          s =>
            file(s) !== null &&
            !isNode(s) &&
            !ctx.isRunner(file(s)!) &&
            !ctx.isMachinery(file(s)!),
        );
      if (caller !== undefined) this.callerKey = fnKey(caller);
    }
  }

  /** Where each combinator's inputs end. */
  linkCombinators(): void {
    const {all, combinators} = this;
    // A combinator's inputs are the subscriptions made right after it, before
    // anything else was created: find, for each, the next creation that is not
    // a combinator (one pass back).
    const nextCreation: Array<Capture | undefined> = new Array(all.length);
    let following: Capture | undefined;
    for (let i = all.length - 1; i >= 0; i--) {
      const c = all[i];
      nextCreation[i] = following;
      if (
        c.awaits === undefined &&
        combinatorOf(this.stackOf[i][0]) === undefined
      )
        following = c;
    }
    for (const comb of combinators) {
      const first = comb.capture.subscriptions?.[0];
      const later = nextCreation[comb.at];
      comb.end = Math.min(
        first ?? Infinity,
        later !== undefined ? later.subAt + 1 : Infinity,
      );
    }
    combinators.sort((a, b) => a.capture.subAt - b.capture.subAt);
    this.combinatorSubAt = new Float64Array(combinators.length);
    this.combinatorEnd = new Float64Array(combinators.length);
    for (let i = 0; i < combinators.length; i++) {
      this.combinatorSubAt[i] = combinators[i].capture.subAt;
      this.combinatorEnd[i] = combinators[i].end;
    }
  }

  /**
   * An input made by `.then()` (`Promise.all([delay(10).then(parse)])`) is not
   * recorded, only the combinator's subscription to it is, with no known
   * parent. When it is chained on a pending `new Promise` of this dump, that
   * promise stands for the input.
   */
  linkDerivedInputs(): void {
    if (this.combinators.length === 0) return;
    for (const c of this.awaitCaptures) {
      if (c.awaits !== null || c.awaited === undefined) continue;
      const on = chainedOn(c.awaited);
      if (on === undefined || !this.ours(on.owner)) continue;
      const at = this.ordinal(on);
      if (
        at < 0 ||
        !isNewPromise(this.stackOf[at]) ||
        this.inputAt(at) !== undefined
      )
        continue;
      const comb = this.combinatorAt(c.subAt);
      if (comb === undefined) continue;
      // The subscription is the combinator's own: made from inside it.
      const sites = this.read(c);
      let i = 0;
      while (
        i < sites.length &&
        (isNode(sites[i]) || file(sites[i]) === null) &&
        combinatorOf(sites[i]) === undefined
      )
        i++;
      if (sites[i] === undefined || combinatorOf(sites[i]) !== comb.name)
        continue;
      this.inputs[at] = {comb, index: c.subAt - comb.capture.subAt - 1};
      this.derivedAwaits.add(c);
    }
  }

  /**
   * The combinator (still pending) whose subscription to its inputs produced
   * counter value `sub`.
   */
  combinatorAt(sub: number): Combinator | undefined {
    const {combinators} = this;
    // The innermost combinator made before `sub` whose inputs reach it: the
    // last one with a smaller subAt, walking back over any whose inputs ended
    // earlier.
    let lo = 0;
    let hi = combinators.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.combinatorSubAt[mid] < sub) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo - 1; i >= 0 && i >= lo - 64; i--)
      if (sub < this.combinatorEnd[i]) return combinators[i];
    return undefined;
  }

  inputOf(c: Capture): Input | undefined {
    if (c.subscriptions === undefined) return undefined;
    for (const s of c.subscriptions) {
      const best = this.combinatorAt(s);
      if (best !== undefined)
        return {comb: best, index: s - best.capture.subAt - 1};
    }
    return undefined;
  }

  /**
   * {@link inputOf} `all[at]`, asked for again and again as frames of its call
   * are walked.
   */
  inputAt(at: number): Input | undefined {
    let input = this.inputs[at];
    if (input === undefined)
      this.inputs[at] = input = this.inputOf(this.all[at]) ?? null;
    return input ?? undefined;
  }

  toFrame(s: Site, shown: string): Frame | null {
    const f = file(s);
    const pos =
      f !== null
        ? this.mapKnown(callSite(s), f)
        : this.ctx.mapPosition(callSite(s));
    if (pos === null) return null;
    let display = this.displayPaths.get(pos.file);
    if (display === undefined)
      this.displayPaths.set(
        pos.file,
        (display = displayPath(pos.file, this.ctx.rootDir)),
      );
    return {
      name: shown || '<anonymous>',
      file: display,
      line: pos.line,
      column: pos.column,
      async: isAsync(s),
    };
  }

  callerFrame(s: Site): Frame | null {
    let f = this.callerFrames.get(s);
    if (f === undefined) this.callerFrames.set(s, (f = this.toFrame(s, '')));
    return f;
  }

  /**
   * The logical stack of a capture, root first. `start` is the first frame that
   * can be the user's: 1 for creations (frame 0 is `new Promise`, the timer
   * setter, or the async function itself), 0 for subscriptions (frame 0 is the
   * function that awaits).
   */
  branchOf(c: Capture, hops: number, sites = this.read(c)): Branch {
    const start = c.awaits !== undefined ? 0 : 1;
    const fn =
      start === 1 &&
      sites[0] !== undefined &&
      file(sites[0]) !== null &&
      !isNode(sites[0]) &&
      !isCtor(sites[0])
        ? name(sites[0]) || '<anonymous>'
        : null;
    // Node's internals above the user's call say which API made the leaf.
    let i = start;
    let origin: string | null = null;
    while (
      i < sites.length &&
      (isNode(sites[i]) || file(sites[i]) === null) &&
      combinatorOf(sites[i]) === undefined
    ) {
      if (isNode(sites[i]) && name(sites[i]))
        origin = `${name(sites[i])} (${file(sites[i])})`;
      i++;
    }
    // A subscription made inside a combinator: the combinator's input.
    let input: Branch['input'] = null;
    const comb0 = sites[i] !== undefined ? combinatorOf(sites[i]) : undefined;
    if (comb0 !== undefined && c.awaits !== undefined) {
      const comb = this.combinatorAt(c.subAt);
      input = {
        name: comb0,
        index:
          comb !== undefined && comb.name === comb0
            ? c.subAt - comb.capture.subAt - 1
            : null,
      };
      i++;
    }
    const walked = this.walk(sites, i, c.seq);
    let reach = walked.reach;
    const path = walked.leafward.reverse();
    const createdAt = path[path.length - 1] ?? null;
    if (
      reach === 'detached' &&
      walked.rerooted !== true &&
      c.context !== undefined &&
      hops < MAX_TIMER_HOPS
    ) {
      const known = this.contextOf(c.context);
      const {timer, isTimer, io} = known;
      if (timer !== undefined)
        return {
          ...throughTimer(path, this.parentBranch(timer, hops + 1), c.context),
          createdAt,
          origin,
          fn,
          input,
        };
      if (isTimer) reach = 'foreign';
      // Made in an I/O callback of a socket or server opened under the Root
      // (its native handle is the execution resource): continue through the
      // place that opened it.
      if (io !== undefined) {
        const parent = this.parentBranch(io.capture, hops + 1);
        const at = parent.path[parent.path.length - 1];
        const via: Frame = {
          ...(at ?? {name: '', file: '', line: 0, column: 0, async: false}),
          name: `${io.kind} event`,
          async: true,
        };
        return {
          path: [...parent.path, via, ...path],
          createdAt,
          origin,
          fn,
          input,
          reach: parent.reach,
        };
      }
      // Made in a `.then` callback: continue through the promise it was chained
      // on.
      if (known.on === null)
        known.on = isPromiseLike(c.context) ? chainedOn(c.context) : undefined;
      const on = known.on;
      if (on !== undefined && this.ours(on.owner)) {
        const parent = this.parentBranch(on, hops + 1);
        // A down-levelled async function resumed by its helper's `.then`: it is
        // the function of the parent's path with the same generator, now at a
        // later `yield`.
        const gen = path[0] !== undefined ? this.genOf.get(path[0]) : undefined;
        const same =
          gen === undefined
            ? -1
            : findLastIndex(parent.path, f => this.genOf.get(f) === gen);
        if (same >= 0) {
          const resumed: Frame = {...path[0], name: parent.path[same].name};
          this.genOf.set(resumed, gen!);
          return {
            path: [...parent.path.slice(0, same), resumed, ...path.slice(1)],
            createdAt: path.length === 1 ? resumed : createdAt,
            origin,
            fn,
            input,
            reach: parent.reach,
          };
        }
        const at = parent.path[parent.path.length - 1];
        const via: Frame = {
          ...(at ?? {name: '', file: '', line: 0, column: 0, async: false}),
          name: '.then callback',
          async: true,
        };
        return {
          path: [...parent.path, via, ...path],
          createdAt,
          origin,
          fn,
          input,
          reach: parent.reach,
        };
      }
    }
    return {path, createdAt, origin, fn, input, reach};
  }

  /**
   * What the callback a capture was taken in tells (the same for all captures
   * taken in one).
   */
  contextOf(context: object): Context {
    let known = this.contexts.get(context);
    if (known === undefined) {
      const timer = this.timers.get(context);
      // Only what the first capture taken in it needed is asked for (`on`: not
      // yet, null).
      known =
        timer !== undefined
          ? {timer, isTimer: false, io: undefined, on: null}
          : {
              timer,
              isTimer: isTimerObject(context),
              io: this.handleByResource.get(context),
              on: null,
            };
      this.contexts.set(context, known);
    }
    return known;
  }

  parentBranch(c: Capture, hops: number): Branch {
    let byHops = this.parents.get(c);
    if (byHops === undefined) this.parents.set(c, (byHops = []));
    return (byHops[hops] ??= this.branchOf(c, hops));
  }

  stitched(fn: number, depth: number): Walked {
    const byDepth = (this.stitches[fn] ??= []);
    return (byDepth[depth] ??= this.walk(
      this.stackOf[fn],
      1,
      this.seqs[fn],
      depth,
    ));
  }

  /**
   * Of the calls with this key, the last one made before `seq` (the one this
   * stack is in), as an index in `all`, or -1.
   */
  callBefore(
    sites: Site[],
    at: number,
    seq: number,
    depth = SIGNATURE_DEPTH,
    inputsOnly = false,
  ): number {
    const fn = this.functions.get(fnKey(sites[at]));
    if (fn === undefined) return -1;
    const list = fn.calls;
    if (
      inputsOnly &&
      !(fn.anyInput ??= list.some(i => this.inputAt(i) !== undefined))
    )
      return -1;
    const {seqs} = this;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (seqs[list[mid]] < seq) lo = mid + 1;
      else hi = mid;
    }
    // The latest call of this function before `seq` made along the same call
    // path (the nearest one, but for a recursion or a sibling call on another
    // path).
    for (let k = lo - 1; k >= 0 && k >= lo - 64; k--) {
      if (
        depth === 0 ||
        sameCallPath(this.stackOf[list[k]], 1, sites, at + 1, depth)
      )
        return list[k];
    }
    return -1;
  }

  /**
   * Walks a stack from frame `from` towards the Root, collecting the user's
   * frames (leaf first).
   */
  walk(sites: Site[], from: number, seq: number, depth = 0): Walked {
    const {ctx} = this;
    const leafward: Frame[] = [];
    // Frames of functions that had not yet awaited: site index, then the path's
    // length with them.
    const syncFrames: number[] = [];
    let reach: Branch['reach'] = 'detached';
    // Set when the previous (leafward) frame's function is a combinator input:
    // this frame is then shown at the combinator call, so that sibling inputs
    // merge under it.
    let combinatorCaller: Frame | null | undefined;
    // The function that called the combinator: frames between an input and it
    // (a callback of `items.map(f)`) are left out, so that all inputs hang
    // under one combinator node.
    let callerFn: string | undefined;
    let lastUserSite: Site | undefined;
    let hidden = 0;
    let hiddenIn: Set<string> | undefined;
    for (let i = from; i < sites.length; i++) {
      const s = sites[i];
      const f = file(s);
      if (f !== null && ctx.isRunner(f)) {
        reach = leafward.length === 0 ? 'machinery' : 'root';
        break;
      }
      const comb = combinatorOf(s);
      if (comb !== undefined) {
        const prev = leafward[leafward.length - 1];
        if (prev !== undefined)
          prev.combinator = {
            name: comb,
            index: callSite(s).getPromiseIndex?.() ?? null,
          };
        continue;
      }
      if (isHelper(s) || isDownlevelHelper(s)) continue;
      if (f === null || isNode(s) || ctx.isMachinery(f)) {
        // Node's and the runner's frames between two shown frames are counted,
        // not shown.
        if (leafward.length > 0 && f !== null && !isOwn(f)) {
          hidden++;
          (hiddenIn ??= new Set()).add(packageOf(f));
        }
        continue;
      }
      if (
        callerFn !== undefined &&
        fnKey(s) !== callerFn &&
        i + 1 < sites.length &&
        !isAsync(s)
      )
        continue;
      callerFn = undefined;
      const frame = this.toFrame(s, name(s));
      if (frame === null) continue;
      const gen = frames.gen.size > 0 ? frames.gen.get(s) : undefined;
      if (gen !== undefined) this.genOf.set(frame, gen);
      if (combinatorCaller !== undefined) {
        if (combinatorCaller !== null && combinatorCaller.file === frame.file) {
          frame.line = combinatorCaller.line;
          frame.column = combinatorCaller.column;
        }
        combinatorCaller = undefined;
      }
      // Below a resumed `await` the frames hidden are the event loop's
      // (microtasks, timers), not a caller of the frame above.
      if (hidden > 0 && !isAsync(s)) {
        leafward[leafward.length - 1].via = {
          frames: hidden,
          packages: [...hiddenIn!],
        };
      }
      hidden = 0;
      hiddenIn?.clear();
      leafward.push(frame);
      lastUserSite = s;
      if (!isAsync(s)) syncFrames.push(i, leafward.length);
      // Is this function's own promise an input of a combinator created before
      // it ran? Or the `new Promise` it made, when this frame is the one below
      // V8's constructor?
      if (this.combinators.length > 0 && !isAsync(s)) {
        const fn = this.callBefore(sites, i, seq, SIGNATURE_DEPTH, true);
        let input = fn >= 0 ? this.inputAt(fn) : undefined;
        let made = false;
        if (
          input === undefined &&
          i > 0 &&
          isPromiseConstructor(sites[i - 1])
        ) {
          const p = this.promiseMadeAt(sites, i, seq);
          input = p >= 0 ? this.inputAt(p) : undefined;
          if (input !== undefined) {
            made = true;
            // The leaf is that promise: the frame says which input it is.
            if (this.seqs[p] === seq) this.ownInput[p] = 1;
          }
        }
        const callerKey =
          input !== undefined &&
          input.comb.caller !== undefined &&
          file(input.comb.caller) !== null
            ? fnKey(input.comb.caller)
            : undefined;
        // A call still running when the combinator was made (on its stack,
        // along the same call path) cannot have handed it its own promise: that
        // is a subscription right after the inputs' (`return Promise.all(...)`
        // awaited by the callers), not an input. A recursion's inner call is
        // another call.
        if (
          input !== undefined &&
          !made &&
          this.runningAt(input.comb, sites, i)
        )
          input = undefined;
        if (input !== undefined) {
          frame.combinator = {name: input.comb.name, index: input.index};
          // Made where the combinator is not called from (an argument made by
          // the caller's caller, or a `new Promise` the caller made itself):
          // the rest of the branch is the combinator's own, so that all its
          // inputs hang under one node.
          if (
            callerKey !== undefined &&
            ((made && fnKey(s) === callerKey) ||
              !this.calledFrom(sites, i + 1, callerKey))
          ) {
            const parent = this.combinatorBranch(input.comb);
            if (parent !== undefined) {
              for (let k = parent.path.length - 1; k >= 0; k--)
                leafward.push(parent.path[k]);
              return {leafward, reach: parent.reach, rerooted: true};
            }
          }
          combinatorCaller =
            input.comb.caller !== undefined
              ? this.callerFrame(input.comb.caller)
              : null;
          if (input.comb.caller !== undefined)
            callerFn = fnKey(input.comb.caller);
        }
      }
    }
    // A stack cut short by the frame limit may still end in the test body.
    if (
      reach === 'detached' &&
      lastUserSite !== undefined &&
      this.rootKey !== undefined &&
      fnKey(lastUserSite) === this.rootKey
    )
      reach = 'root';
    // Work of the code around the Root (the caller of `traced()`, after it
    // returned) is not the Root's.
    if (
      reach === 'detached' &&
      lastUserSite !== undefined &&
      this.callerKey !== undefined &&
      fnKey(lastUserSite) === this.callerKey
    )
      reach = 'foreign';
    // An `await` chain that ends in a function no call of which was recorded
    // under the Root began before it: work an earlier test left running (a poll
    // that outlived its test).
    if (
      reach === 'detached' &&
      lastUserSite !== undefined &&
      isAsync(lastUserSite) &&
      !this.undercounted &&
      !this.functions.has(fnKey(lastUserSite))
    )
      reach = 'foreign';
    // A stack cut short by the frame limit (it ends in neither Node's nor the
    // runner's frames, as whole stacks do) goes on in the stack of the
    // outermost function on it that had not awaited yet: its own promise's
    // stack starts where that function was called.
    const last = sites[sites.length - 1];
    if (
      reach === 'detached' &&
      depth < MAX_STITCHES &&
      last !== undefined &&
      !isAsync(last) &&
      (file(last) === null || (!isNode(last) && !ctx.isMachinery(file(last)!)))
    ) {
      for (let j = syncFrames.length - 2; j >= 0; j -= 2) {
        const at = syncFrames[j];
        const length = syncFrames[j + 1];
        // Its callers in this stack may be cut short: the latest call of it is
        // the one.
        const fn = this.callBefore(sites, at, seq, 0);
        if (fn < 0 || this.seqs[fn] >= seq) continue;
        const rest = this.stitched(fn, depth + 1);
        leafward.length = length;
        leafward.push(...rest.leafward);
        return {leafward, reach: rest.reach, rerooted: rest.rerooted};
      }
    }
    return {leafward, reach};
  }

  /**
   * Whether the call at `sites[i]` is on the stack of `comb` (running when it
   * was made).
   */
  runningAt(comb: Combinator, sites: Site[], i: number): boolean {
    const made = this.stackOf[comb.at];
    const key = fnKey(sites[i]);
    for (let j = 1; j < made.length; j++) {
      const m = made[j];
      if (file(m) === null || isAsync(m) || fnKey(m) !== key) continue;
      if (sameCallPath(made, j + 1, sites, i + 1, SIGNATURE_DEPTH)) return true;
    }
    return false;
  }

  /** Whether a frame from `from` on is in the function `key`. */
  calledFrom(sites: Site[], from: number, key: string): boolean {
    for (let k = from; k < sites.length; k++)
      if (file(sites[k]) !== null && fnKey(sites[k]) === key) return true;
    return false;
  }

  /**
   * The branch of a combinator itself (where it was called), or undefined while
   * it is being walked.
   */
  combinatorBranch(comb: Combinator): Branch | undefined {
    if (this.combinatorBranches.has(comb))
      return this.combinatorBranches.get(comb);
    this.combinatorBranches.set(comb, undefined);
    const b = this.parentBranch(comb.capture, 0);
    const usable = b.path.length > 0 ? b : undefined;
    this.combinatorBranches.set(comb, usable);
    return usable;
  }

  /**
   * The `new Promise` (a leaf, by index in `all`) that `sites[i]` made, V8's
   * constructor being `sites[i - 1]`: the last one made at that place along the
   * same call path up to `seq`, or -1.
   */
  promiseMadeAt(sites: Site[], i: number, seq: number): number {
    // Most dumps have no `new Promise` among any combinator's inputs.
    if (
      !(this.anyLeafInput ??= this.leafCaptures.some(
        at => this.inputAt(at) !== undefined,
      ))
    )
      return -1;
    if (this.leavesByMaker === undefined) {
      this.leavesByMaker = new Map();
      for (const at of this.leafCaptures) {
        const maker = this.stackOf[at][1];
        if (maker === undefined || file(maker) === null) continue;
        const k = fnKey(maker);
        const list = this.leavesByMaker.get(k);
        if (list === undefined) this.leavesByMaker.set(k, [at]);
        else list.push(at);
      }
    }
    const list = this.leavesByMaker.get(fnKey(sites[i]));
    if (list === undefined) return -1;
    const {seqs} = this;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (seqs[list[mid]] <= seq) lo = mid + 1;
      else hi = mid;
    }
    for (let k = lo - 1; k >= 0 && k >= lo - 64; k--)
      if (sameCallPath(this.stackOf[list[k]], 1, sites, i, SIGNATURE_DEPTH))
        return list[k];
    return -1;
  }

  push(
    c: Capture,
    make: (
      b: Branch,
    ) => Omit<Leaf, 'path' | 'createdAt' | 'ageMs' | 'detached'> | null,
    createdAt?: Frame | null,
    sites?: Site[],
  ): Leaf | undefined {
    const b = this.branchOf(c, 0, sites);
    if (b.reach === 'machinery' || b.reach === 'foreign') return;
    if (b.path.length === 0 && b.reach !== 'root') return;
    const made = make(b);
    if (made === null) return;
    // `made` is a fresh literal: completed in place, in the order the fields
    // are shown (a copy by spread costs a call into V8's runtime for each of 10
    // 000 leaves).
    const leaf = made as Leaf;
    leaf.path = b.path;
    leaf.createdAt = createdAt !== undefined ? createdAt : b.createdAt;
    leaf.ageMs = round(c.at - this.root.startedAt);
    leaf.detached = b.reach !== 'root';
    if (b.input !== null) leaf.input = b.input;
    this.leaves.push(leaf);
    return leaf;
  }

  /**
   * The logical stack a capture was taken along, as a key: the positions of its
   * frames outside Node, the runner and the machinery, up to the Root.
   */
  stackKey(c: Capture): string {
    const {ctx} = this;
    let k = '';
    for (const s of this.read(c)) {
      const f = file(s);
      if (f === null || isNode(s)) continue;
      if (ctx.isRunner(f)) break;
      if (!ctx.isMachinery(f)) k += `${f}:${position(s)}>`;
    }
    return k;
  }

  /**
   * A loop that keeps setting one-shot timers (a retry, a poll) is live, yet
   * never gets anywhere. Its timers are set along one logical stack each time
   * round: the timers of this Root that already fired (or were cleared),
   * counted by that stack, say how often.
   */
  firedBefore(c: Capture): number {
    let along = this.firedAlong;
    if (along === undefined) {
      along = this.firedAlong = new Map();
      for (const [t, tc] of this.timers) {
        if (isTimerPending(t) || timerApi(t) !== 'setTimeout') continue;
        const k = this.stackKey(tc);
        along.set(k, (along.get(k) ?? 0) + 1);
      }
    }
    return along.get(this.stackKey(c)) ?? 0;
  }

  /**
   * Makes the first timer leaf set at `at` that is no combinator's input yet
   * the input `input`.
   */
  timerAsInput(at: string, input: NonNullable<Branch['input']>): void {
    const t = this.timersAt.get(at)?.find(l => l.input === undefined);
    if (t !== undefined) t.input = input;
  }

  /**
   * Makes the leaves: pending timers, open handles, stored promises awaited,
   * stuck promises.
   */
  collect(): void {
    const {ctx, all, sources} = this;
    const rootWord =
      ctx.rootType === 'test'
        ? 'test'
        : ctx.rootType === 'traced'
          ? 'call'
          : 'hook';
    for (const [timer, c] of this.timers) {
      if (!isTimerPending(timer)) continue;
      const leaf = this.push(c, b => {
        const t = timer as {_idleTimeout?: number; _repeat?: number | null};
        const api = timerApi(timer);
        if (api === 'setImmediate')
          return {
            kind: 'immediate',
            what: 'setImmediate callback, not run yet',
          };
        // An unref'd timer that Node made for another API (a socket's idle
        // timeout) is that API's business, not something the test waits on.
        const internal =
          b.origin !== null && !/\(node:timers(\/promises)?\)$/.test(b.origin);
        if (
          internal &&
          typeof (timer as {hasRef?: () => boolean}).hasRef === 'function' &&
          !(timer as {hasRef: () => boolean}).hasRef()
        )
          return null;
        const delayMs = typeof t._idleTimeout === 'number' ? t._idleTimeout : 0;
        const repeat = typeof t._repeat === 'number';
        const via = b.origin?.includes('node:timers/promises')
          ? 'timers/promises '
          : '';
        // Timers are armed when set (intervals re-armed when they fire): time
        // left from there.
        const since = ctx.now - c.at;
        const firesInMs = Math.max(
          0,
          Math.round(
            repeat && delayMs > 0
              ? delayMs - (since % delayMs)
              : delayMs - since,
          ),
        );
        if (repeat) {
          // An interval that keeps firing is a poll: how often it ran says it
          // is not idle.
          const ran = delayMs > 0 ? Math.floor(since / delayMs) : 0;
          return {
            kind: 'timer',
            what: `${via}setInterval every ${delayMs} ms, ${ran > 0 ? `ran ${ran} time${ran === 1 ? '' : 's'}, ` : ''}still active, next in ${duration(firesInMs)}`,
            timer: {delayMs, repeat, firesInMs},
          };
        }
        const timeout =
          ctx.timeoutMs !== null
            ? `the ${rootWord} timeout is ${duration(ctx.timeoutMs)}`
            : null;
        // The same logical stack set LOOP_MIN timers before this one: the loop
        // is why it never ends. It is shown at the function that loops: the one
        // resumed each time round (the outermost frame below the `await`s of
        // its callers).
        const earlier = this.firedBefore(c);
        const resumed = b.path.findIndex(
          (f, i) => !f.async && i > 0 && b.path[i - 1].async,
        );
        if (earlier >= LOOP_MIN && resumed >= 0) {
          const f = b.path[resumed];
          return {
            kind: 'timer',
            what: `loop in ${f.name} at ${f.file}:${f.line} ran ${this.undercounted ? 'at least ' : ''}${earlier + 1} times in this ${rootWord}; now sleeping ${delayMs} ms (setTimeout, fires in ${duration(firesInMs)})`,
            timer: {delayMs, repeat, firesInMs},
            loop: {count: earlier + 1, at: f, exact: !this.undercounted},
          };
        }
        // Shorter than the timeout: set after the wait began (a slow step, a
        // retry's pause), it is not what the test has waited on all along.
        const busy = timeout !== null && delayMs < ctx.timeoutMs!;
        return {
          kind: 'timer',
          what: `${via}setTimeout ${delayMs} ms, fires in ${duration(firesInMs)}${timeout === null ? '' : busy ? `: busy, not stuck (${timeout})` : `; ${timeout}`}`,
          timer: {delayMs, repeat, firesInMs},
          ...(busy ? {busy: true} : {}),
        };
      });
      if (leaf?.kind === 'timer' && leaf.createdAt !== null) {
        const at = key(leaf.createdAt);
        const list = this.timersAt.get(at);
        if (list === undefined) this.timersAt.set(at, [leaf]);
        else list.push(leaf);
      }
    }

    for (const [handle, {kind, capture}] of this.handles) {
      const what = describeHandle(kind, handle, ctx);
      if (what !== null) this.push(capture, () => ({kind, what}));
    }

    // Stored promises: where they are awaited says more than where they were
    // made. By index in `all`: 1 for a leaf.
    const leafState = new Uint8Array(all.length);
    for (const at of this.leafCaptures) leafState[at] = 1;
    // A leaf's first await soon after its creation is not recorded (it is an
    // async call's own, most of the time): a leaf awaited by more than the
    // recorded subscriptions keeps its own branch too, where it was created, so
    // that no waiter is left out.
    const traced = new Uint32Array(all.length);
    const ours = (r: Root): boolean => this.ours(r);
    for (const c of this.awaitCaptures) {
      if (this.derivedAwaits.has(c)) continue;
      const target = c.awaits ?? null;
      // An async call or combinator of this test: its own leaves already
      // explain it.
      const targetAt =
        target !== null && ours(target.owner) ? this.ordinal(target) : -1;
      if (
        target !== null &&
        ours(target.owner) &&
        (targetAt < 0 || leafState[targetAt] === 0)
      )
        continue;
      // V8 never settles the promise an `await` makes: ask the awaited one
      // (after the test above, which is free: this costs a `util.inspect`).
      if (c.awaited !== undefined && !isPending(c.awaited)) continue;
      const made = target !== null ? this.branchOf(target, 0) : null;
      if (targetAt >= 0) traced[targetAt]++;
      // Not recorded, but chained on a promise of this test: a `.then()` made
      // in it.
      const chained =
        target === null && c.awaited !== undefined
          ? chainedOn(c.awaited)
          : undefined;
      const derived = chained !== undefined && ours(chained.owner);
      const leaf = this.push(
        c,
        () => ({
          kind: 'promise',
          what: derived
            ? 'awaits a promise made by .then(), .catch() or .finally() in this test, never settled'
            : awaitedWhat(target, made, ours),
        }),
        made?.createdAt ?? null,
      );
      if (leaf !== undefined && c.awaited !== undefined)
        sources?.set(leaf, {
          promise: c.awaited,
          constructed: target !== null && isNewPromise(this.read(target)),
        });
    }
    for (const at of this.leafCaptures) {
      const awaits = all[at].subscriptions?.length ?? 0;
      if (traced[at] > 0 && traced[at] >= awaits) continue;
      const untraced =
        traced[at] > 0
          ? `; ${awaits - traced[at]} of its ${awaits} awaits (or .then calls) not traced to where they wait`
          : '';
      const input = this.inputAt(at);
      const leaf = this.push(
        all[at],
        b => {
          if (
            input !== undefined &&
            b.input === null &&
            this.ownInput[at] !== 1
          )
            b.input = {name: input.comb.name, index: input.index};
          // `timers/promises` makes a promise and a Timeout at the same place:
          // the timer says more, and stands for it (as the same combinator
          // input).
          if (
            b.origin?.includes('node:timers/promises') &&
            b.createdAt &&
            this.timersAt.has(key(b.createdAt))
          ) {
            if (b.input !== null) this.timerAsInput(key(b.createdAt), b.input);
            return null;
          }
          return {
            kind: 'promise',
            what: `${b.origin ? `${shortOrigin(b.origin)} promise` : 'promise'}, never settled${untraced}`,
          };
        },
        undefined,
        this.stackOf[at],
      );
      const promise = this.promiseOf?.get(all[at]);
      if (leaf !== undefined && promise !== undefined)
        sources?.set(leaf, {promise, constructed: true});
    }
  }
}

/** Makes Sites of a stack's CallSites; returns where they start. */
function register(sites: CallSite[]): Site {
  reserve(sites.length);
  const t = frames;
  const start = t.count;
  for (let k = 0; k < sites.length; k++) t.site[start + k] = sites[k];
  t.count += sites.length;
  return start;
}

function hasGeneratorNext(start: Site, end: Site): boolean {
  for (let k = start; k < end; k++) if (isGeneratorNext(k)) return true;
  return false;
}

/**
 * Continues a branch created in a timer callback through the place that set the
 * timer.
 */
function throughTimer(
  path: Frame[],
  parent: Branch,
  timer: object,
): Pick<Branch, 'path' | 'reach'> {
  const api = timerApi(timer);
  const setter = parent.path[parent.path.length - 1];
  const via: Frame = {
    ...(setter ?? {name: '', file: '', line: 0, column: 0, async: false}),
    name: `${api} callback`,
    async: true,
  };
  // The setter's own frame adds nothing when it is an anonymous function at the
  // same place.
  const before =
    setter !== undefined && setter.name === '<anonymous>'
      ? parent.path.slice(0, -1)
      : parent.path;
  return {path: [...before, via, ...path], reach: parent.reach};
}

/**
 * The dump of `leaves`: which wait on others, where the Root is suspended, in
 * their order.
 */
function finish(root: Root, ctx: DumpContext, leaves: Leaf[]): TaskDump {
  // Keyed by file, name and line, a frame's lineKey is built once, not once per
  // leaf.
  const lineKeys = new Map<string, Map<string, Map<number, string>>>();
  const lineKeyOf = (f: Frame): string => {
    let byName = lineKeys.get(f.file);
    if (byName === undefined) lineKeys.set(f.file, (byName = new Map()));
    let byLine = byName.get(f.name);
    if (byLine === undefined) byName.set(f.name, (byLine = new Map()));
    let k = byLine.get(f.line);
    if (k === undefined) byLine.set(f.line, (k = lineKey(f)));
    return k;
  };
  markWaiting(leaves, lineKeyOf);

  // When every branch leaves the test body at the same line, that is where the
  // Root is suspended: show it on the Root's line instead of repeating it in
  // each branch.
  const attached = leaves.filter(l => !l.detached && l.path.length > 0);
  const first = attached[0]?.path[0];
  const firstKey = first !== undefined ? lineKeyOf(first) : '';
  const shared =
    first !== undefined &&
    attached.every(l => lineKeyOf(l.path[0]) === firstKey)
      ? preferAwait(attached.map(l => l.path[0]))
      : null;
  if (shared !== null) for (const l of attached) l.path = l.path.slice(1);
  sortLeaves(leaves);
  return {
    kind: DUMP_KIND,
    version: DUMP_VERSION,
    rootType: ctx.rootType,
    rootName: ctx.rootName,
    rootFrame: shared,
    testPath: displayPath(ctx.testPath, ctx.rootDir),
    elapsedMs: round(ctx.now - root.startedAt),
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
 * A promise whose branch continues below it (its executor set a timer whose
 * callback created the rest) waits on that rest: it is not a stuck branch of
 * its own. Paths are compared as chains of node ids (one id per distinct
 * prefix), not as strings. A promise waits on a branch that goes on from its
 * own path through its executor (an anonymous function in its file, from its
 * line on), not on one that merely shares the path (a call made on the same
 * line of the test before it).
 */
function markWaiting(leaves: Leaf[], lineKeyOf: (f: Frame) => string): void {
  // Node ids by parent id, then by the frame's lineKey.
  const prefixIds = new Map<number, Map<string, number>>();
  let ids = 0;
  const nextFrames = new Map<number, Frame[]>();
  const lastIds: number[] = new Array(leaves.length);
  // The node ids along the path before: a path that starts with the very Frame
  // objects of the one before (their common callers, walked once) has the same
  // ids there, found without a key.
  const along: number[] = [];
  let before: Frame[] = [];
  for (let n = 0; n < leaves.length; n++) {
    const l = leaves[n];
    const path = l.path;
    let id = 0;
    let same = 0;
    const common = Math.min(before.length, path.length);
    while (same < common && path[same] === before[same]) same++;
    for (let i = 0; i < path.length; i++) {
      let next: number;
      if (i < same) next = along[i];
      else {
        let under = prefixIds.get(id);
        if (under === undefined) prefixIds.set(id, (under = new Map()));
        // Inputs of one combinator are distinct nodes, as in the tree.
        const index = path[i].combinator?.index;
        const k =
          index == null ? lineKeyOf(path[i]) : `${lineKeyOf(path[i])}#${index}`;
        let found = under.get(k);
        if (found === undefined) under.set(k, (found = ++ids));
        next = along[i] = found;
      }
      if (i < path.length - 1) {
        const list = nextFrames.get(next);
        if (list === undefined) nextFrames.set(next, [path[i + 1]]);
        else if (list.length < 8) list.push(path[i + 1]);
      }
      id = next;
    }
    lastIds[n] = id;
    before = path;
  }
  for (let n = 0; n < leaves.length; n++) {
    const l = leaves[n];
    if (l.kind !== 'promise' || l.path.length === 0 || l.input !== undefined)
      continue;
    const after = nextFrames.get(lastIds[n]);
    const c = l.createdAt;
    if (
      after !== undefined &&
      after.some(
        f =>
          c === null ||
          (f.file === c.file &&
            f.line >= c.line &&
            (f.line === c.line ||
              f.name === '<anonymous>' ||
              f.name.endsWith('callback'))),
      )
    )
      l.waiting = true;
  }
}

/**
 * Sorts leaves by their paths' positions, in `localeCompare`'s order (stable).
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
    if (k === undefined) byLine.set(at, (k = key(f)));
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
      : collator.compare(
          (a.k ??= a.keys.join('>')),
          (b.k ??= b.keys.join('>')),
        ),
  );
  for (let n = 0; n < sorted.length; n++) leaves[n] = sorted[n].l;
}

function findLastIndex<T>(a: T[], f: (x: T) => boolean): number {
  for (let i = a.length - 1; i >= 0; i--) if (f(a[i])) return i;
  return -1;
}

function memoByFile(f: (file: string) => boolean): (file: string) => boolean {
  const known = new Map<string, boolean>();
  return file => {
    let v = known.get(file);
    if (v === undefined) known.set(file, (v = f(file)));
    return v;
  };
}

/** `850 ms`, `59.7 s`. */
export function duration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function round(ms: number): number {
  return Math.round(ms);
}

function key(f: Frame): string {
  return `${f.file}:${f.line}:${f.column}`;
}

/**
 * Frames of one function at one line are one node: a stack taken before the
 * first `await` points at the call, one taken after points at the `await`, on
 * the same line.
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

// `localeCompare`'s order, without building a collator per comparison.
const collator = new Intl.Collator();

/** What a subscription leaf waits on, in words. */
function awaitedWhat(
  target: Capture | null,
  made: {fn: string | null; origin: string | null} | null,
  ours: (r: Root) => boolean,
): string {
  const what = made?.origin
    ? `${shortOrigin(made.origin)} promise`
    : made?.fn
      ? `promise of ${made.fn}()`
      : 'promise';
  if (target === null)
    return 'awaits a promise created before this test (not recorded), never settled';
  if (ours(target.owner)) return `${what}, never settled`;
  if (target.owner === AMBIENT)
    return `${what} created outside this test, never settled`;
  return `${what} created by another test or hook, never settled`;
}

/**
 * Whether a promise (of any realm) is still pending. JavaScript has no query
 * for it; `util.inspect` shows the state, and with depth 0, no custom
 * inspection and no string contents, it formats nothing of the program's values
 * beyond the first level.
 */
export function isPending(p: object): boolean {
  return inspect(p, {
    depth: 0,
    customInspect: false,
    maxStringLength: 0,
    maxArrayLength: 0,
    breakLength: Infinity,
  }).includes('<pending>');
}

function isNewPromise(sites: Site[]): boolean {
  return sites[0] !== undefined && isPromiseConstructor(sites[0]);
}

/** V8's frame of `new Promise` (native). */
function isPromiseConstructor(s: Site): boolean {
  return file(s) === null && name(s) === 'Promise' && isCtor(s);
}

function isPromiseLike(o: object): boolean {
  return typeof (o as {then?: unknown}).then === 'function';
}

function isTimerObject(o: object): boolean {
  return '_onTimeout' in o || '_onImmediate' in o;
}

function timerApi(o: object): string {
  if ('_onImmediate' in o) return 'setImmediate';
  return typeof (o as {_repeat?: unknown})._repeat === 'number'
    ? 'setInterval'
    : 'setTimeout';
}

function shortOrigin(origin: string): string {
  // "once (node:events)" -> "events.once()"
  const m = /^(.+) \(node:(.+)\)$/.exec(origin);
  return m ? `${m[2]}.${m[1]}()` : origin;
}
