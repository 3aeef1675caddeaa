/**
 * Taking a dump: from a Root's raw captures to a plain {@link TaskDump}.
 *
 * Each stuck leaf is explained by the stack V8 recorded when it was created. Frames of
 * the leaf's own machinery (`new Promise`, Node's internals) say *what* it is; the frames
 * below it, up to the Root marker, are the branch. Three things the raw stack cannot
 * say are recovered from the recorder's bookkeeping:
 * - which input of a `Promise.all`/`race`/... a branch is, when it was created before the
 *   combinator ran (synchronously): from the order of subscriptions;
 * - how a leaf created in a timer callback was reached: from the timer's own stack;
 * - that a leaf belongs to another test: its timer was created under another Root.
 */
import {inspect} from 'node:util';
import type {Capture, Root} from './record';
import {AMBIENT, chainedOn, isTimerPending} from './record';
import {type CallSite, type PositionMapper, displayPath, readAllCallSites, readCallSites, withKnownFile} from './callsites';
import {isOwn, packageOf} from './machinery';
import {
  type CombinatorName,
  DUMP_KIND,
  DUMP_VERSION,
  type FakeClock,
  type Frame,
  type Leaf,
  type TaskDump,
} from './types';

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
  /** True for files of the test runner and of jest-taskdump itself (their frames are skipped). */
  isMachinery: (file: string) => boolean;
  /** True for files of the code that calls test and hook bodies: a stack reaching it reached the Root. */
  isRunner: (file: string) => boolean;
  /** `performance.now()` at the dump. */
  now: number;
  /** Jest's fake timers, when the test installed them. */
  fakeTimers?: FakeClock | null;
  /** Tests that failed because of this Root (a hook's). */
  affects?: string[];
  /** Concurrent tests that share this Root (their pending work is in the dump too). */
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
/** Stacks cut short by the frame limit, continued through the stacks of the functions on them. */
const MAX_STITCHES = 16;

/**
 * A frame of a recorded stack; what it says is read from V8 only when first asked for, and
 * then kept: each CallSite method is a call into V8 (50-200 ns), and a dump of 10 000 leaves
 * has some 100 000 frames.
 */
class Site {
  private f: string | null | undefined = undefined;
  /** The function name; set up front for a down-levelled async function (its outer function's). */
  n: string | undefined = undefined;
  /** Cached {@link fnKey} and {@link position}: asked for many times per frame. */
  fn: string | undefined = undefined;
  pos: number | undefined = undefined;
  /** For a down-levelled async function's generator body: which generator (where it is defined). */
  gen: string | undefined = undefined;
  /** A frame of a down-levelling helper that drives a generator body (never shown). */
  helper = false;
  private a: boolean | undefined = undefined;
  private c: boolean | undefined = undefined;
  /** Cached {@link combinatorOf} (null: none). */
  comb: CombinatorName | null | undefined = undefined;
  constructor(readonly site: CallSite) {}
  get file(): string | null {
    if (this.f === undefined) this.f = this.site.getFileName() ?? null;
    return this.f;
  }
  get name(): string {
    if (this.n === undefined) this.n = this.site.getFunctionName() ?? '';
    return this.n;
  }
  get async(): boolean {
    if (this.a === undefined) this.a = this.site.isAsync();
    return this.a;
  }
  get ctor(): boolean {
    if (this.c === undefined) this.c = this.site.isConstructor();
    return this.c;
  }
}

interface Combinator {
  name: CombinatorName;
  capture: Capture;
  /** Index of the capture in creation order. */
  at: number;
  /** Subscriptions with a counter in (subAt, end) are this combinator's inputs. */
  end: number;
  caller: Site | undefined;
}

// Helpers that run async functions compiled to generators: TypeScript's `__awaiter` (target
// below ES2017), Babel's and swc's `asyncToGenerator` (`asyncGeneratorStep`, `_next`).
// Names only helpers have, and names that are helpers' only next to `Generator.next`.
const DOWNLEVEL_HELPERS = new Set(['__awaiter', 'asyncGeneratorStep', '_next', '_throw', '_asyncToGenerator', '_async_to_generator']);
const DOWNLEVEL_HELPERS_NEAR_NEXT = new Set([...DOWNLEVEL_HELPERS, 'step', 'fulfilled', 'rejected']);

/** True for a frame of a down-levelling helper (they are emitted into the user's files). */
function isDownlevelHelper(s: Site): boolean {
  return s.file !== null && DOWNLEVEL_HELPERS.has(s.name);
}

/** V8's `Generator.prototype.next` (native): how down-levelled async functions run their bodies. */
function isGeneratorNext(s: Site): boolean {
  return s.file === null && s.name === 'next';
}

function isHelperNearNext(s: Site): boolean {
  return s.file !== null && DOWNLEVEL_HELPERS_NEAR_NEXT.has(s.name);
}

/**
 * Where an async function compiled to a generator was called from, in a stack read from
 * the leaf: `[k]` is the helper's `new Promise`, `[fn]` the function itself. Returns the
 * index of `fn` and whether the wrapper is one we know by name.
 */
function downlevelCall(sites: Site[], k: number): {fn: number; named: boolean} | undefined {
  const p = sites[k];
  if (p.file !== null || p.name !== 'Promise' || !p.ctor) return undefined;
  // Rootward: `__awaiter`, or the wrapper (anonymous, then maybe `_foo`), then `foo`.
  let x = k + 1;
  const w = sites[x];
  if (w === undefined || w.file === null) return undefined;
  let named = false;
  if (w.name === '__awaiter') {
    x++;
    named = true;
  } else if (w.name === '') {
    x++;
    const under = sites[x];
    if (under !== undefined && under.name.length > 1 && under.name.startsWith('_') && sites[x + 1]?.name === under.name.slice(1)) {
      x++;
      named = true;
    }
  } else return undefined;
  const fn = sites[x];
  if (fn === undefined || fn.file === null || isDownlevelHelper(fn)) return undefined;
  return {fn: x, named};
}

/** The generator body above the helper's `new Promise` at `[k]`, if the helper's frames are there. */
function downlevelBody(sites: Site[], k: number): number | undefined {
  // Leafward: the executor (anonymous), then `_next` and `asyncGeneratorStep` (Babel, swc)
  // or nothing (TypeScript), then V8's `next` (a native frame), then the body.
  let b = k - 1;
  if (b < 0 || sites[b].name !== '' || sites[b].file === null) return undefined;
  b--;
  while (b >= 0 && isHelperNearNext(sites[b])) b--;
  if (b < 1 || sites[b].file !== null || sites[b].name !== 'next') return undefined;
  return b - 1;
}

const wrapperKey = (s: Site): string => `${s.file}:${position(s)}`;

/** The generator function a body frame runs in: its file and where it starts. */
const genKey = (s: Site): string => `${s.file}:${s.site.getEnclosingLineNumber?.()}:${s.site.getEnclosingColumnNumber?.()}`;

/**
 * Marks generator bodies resumed by a down-levelling helper (`[b]`, then `next`, then
 * `fulfilled` or `_next`...), and the helper's frames after `next`.
 */
function markResumedBodies(sites: Site[]): void {
  for (let b = 0; b + 2 < sites.length; b++) {
    const next = sites[b + 1];
    if (next.file !== null || next.name !== 'next' || !isHelperNearNext(sites[b + 2])) continue;
    if (sites[b].file !== null) sites[b].gen = genKey(sites[b]);
    for (let h = b + 2; h < sites.length && isHelperNearNext(sites[h]); h++) sites[h].helper = true;
  }
}

/**
 * An async function compiled to a generator is, on the stack, its generator body (at the
 * `yield` that was its `await`), the helper that drives it (`Generator.next`, the executor,
 * `asyncGeneratorStep`/`_next`, `new Promise`, `__awaiter` or the wrapper `_foo`), then the
 * function itself. Such a run becomes one frame: the function's name at the body's position,
 * as a native async function's frame would be. The stack of the helper's own `new Promise`
 * (the function's promise) starts at the function, as a native async function's does. An
 * anonymous wrapper (swc's) is recognised once a full run through it was seen (`wrappers`).
 * Bodies run by regenerator (no native generators) are not recognised.
 */
function collapseDownlevelled(sites: Site[], wrappers: Set<string>): Site[] {
  for (let k = 0; k < sites.length; k++) {
    const call = downlevelCall(sites, k);
    if (call === undefined) continue;
    const fn = sites[call.fn];
    const rest = (): Site[] => collapseDownlevelled(sites.slice(call.fn + 1), wrappers);
    if (k === 0) {
      // The function's own promise: its stack starts at the function.
      if (call.named || wrappers.has(wrapperKey(sites[1]))) return [fn, ...rest()];
      continue;
    }
    const body = downlevelBody(sites, k);
    if (body === undefined) continue;
    const merged = new Site(sites[body].site);
    merged.n = fn.name;
    merged.fn = fnKey(fn);
    merged.gen = genKey(sites[body]);
    return [...sites.slice(0, body), merged, ...rest()];
  }
  return sites;
}

/** Notes the anonymous wrappers of full down-levelled runs in `sites` (see {@link collapseDownlevelled}). */
function learnWrappers(sites: Site[], wrappers: Set<string>): void {
  for (let k = 1; k < sites.length; k++) {
    const call = downlevelCall(sites, k);
    if (call !== undefined && !call.named && downlevelBody(sites, k) !== undefined) wrappers.add(wrapperKey(sites[k + 1]));
  }
}

function describe(site: CallSite): Site {
  return new Site(site);
}

function isNode(s: Site): boolean {
  return s.file !== null && s.file.startsWith('node:');
}

function combinatorOf(s: Site): CombinatorName | undefined {
  if (s.comb === undefined) {
    if (s.file !== null) s.comb = null;
    else if (s.site.isPromiseAll?.()) s.comb = 'Promise.all';
    else s.comb = COMBINATORS[s.name.startsWith('Promise.') ? s.name.slice(8) : s.name] ?? null;
  }
  return s.comb ?? undefined;
}

/** The function a frame is in (its file and where the function starts). */
function fnKey(s: Site): string {
  if (s.fn === undefined) s.fn = `${s.file}:${s.site.getEnclosingLineNumber?.()}:${s.site.getEnclosingColumnNumber?.()}`;
  return s.fn;
}

/** The frame's source offset (`getPosition`: a third of the cost of a line and a column). */
function position(s: Site): number {
  if (s.pos === undefined) s.pos = typeof s.site.getPosition === 'function' ? s.site.getPosition() : s.site.getLineNumber()! * 1e5 + s.site.getColumnNumber()!;
  return s.pos;
}

/** Whether two stacks are the same call path for `depth` frames from `i` and `j` (no strings made). */
function sameCallPath(a: Site[], i: number, b: Site[], j: number, depth: number): boolean {
  for (let k = 0; k < depth; k++) {
    const x = a[i + k];
    const y = b[j + k];
    if (x === undefined || y === undefined) return x === y;
    // `Generator.next` where a stack of down-levelled calls was cut short: the paths agree
    // as far as they can be compared.
    if ((x.file === null && x.name === 'next') || (y.file === null && y.name === 'next')) return true;
    if (x.file !== y.file || position(x) !== position(y) || x.async !== y.async) return false;
  }
  return true;
}

/**
 * Takes the dump of everything still pending under `root` (and the Roots nested in it).
 * Pure but for reading stacks; costs nothing until it is called.
 *
 * @example
 * // The low-level way to what `traced()` does (use `traced()` unless you need the parts):
 * import {closeRoot, createPositionMapper, createRoot, enterRoot, leaveRoot, renderDump, startRecording, takeDump} from 'jest-taskdump';
 * const stop = startRecording();
 * const root = createRoot();
 * enterRoot(root);
 * const work = startWork(); // promises and timers created now belong to `root`
 * leaveRoot(root);
 * setTimeout(() => {
 *   const dump = takeDump(root, {
 *     rootType: 'traced', rootName: 'startWork', testPath: __filename, rootDir: process.cwd(),
 *     timeoutMs: null, waitsForDone: false, mapPosition: createPositionMapper(undefined),
 *     isMachinery: () => false, isRunner: () => false, now: performance.now(),
 *   });
 *   console.log(renderDump(dump));
 *   closeRoot(root);
 *   stop();
 * }, 1000);
 */
export function takeDump(root: Root, ctx0: DumpContext): TaskDump {
  // Asked for every frame of every stack, about a few files: answered once per file.
  const ctx: DumpContext = {...ctx0, isMachinery: memoByFile(ctx0.isMachinery), isRunner: memoByFile(ctx0.isRunner)};
  const sitesOf = new Map<Capture, Site[]>();
  const wrappers = new Set<string>();
  /** A raw stack as the dump reads it; `driven`: it has a `Generator.next` frame. */
  const prepare = (raw: Site[], driven: boolean): Site[] => {
    let s = raw;
    // Node runs promise hooks through its own dispatcher; its frame is not the user's.
    let skip = 0;
    while (skip < s.length && s[skip].file !== null && s[skip].file!.startsWith('node:internal/promise_hooks')) skip++;
    if (skip > 0) s = s.slice(skip);
    // Down-levelled code runs its bodies through `Generator.next` (a native frame); its
    // functions' own promises start with `new Promise` then `__awaiter` or the wrapper.
    if (driven || (s.length > 2 && s[0].file === null && (s[1].name === '__awaiter' || wrappers.size > 0))) s = collapseDownlevelled(s, wrappers);
    if (driven) markResumedBodies(s);
    return s;
  };
  const read = (c: Capture): Site[] => {
    let s = sitesOf.get(c);
    if (s === undefined) {
      const raw = readCallSites(c.holder).map(describe);
      sitesOf.set(c, (s = prepare(raw, raw.some(isGeneratorNext))));
    }
    return s;
  };

  // Sort the pending promise captures into leaves, combinators and function promises.
  const leafCaptures: Capture[] = [];
  const awaitCaptures: Capture[] = [];
  const combinators: Combinator[] = [];
  // Async calls by function and call path; one call path can be taken many times (a loop,
  // `items.map(f)`), so each key keeps its captures in creation order.
  const functions = new Map<string, Capture[]>();
  let rootKey: string | undefined;
  let callerKey: string | undefined;
  // The Root and the Roots nested in it (`traced()` calls inside a test) are one family.
  const family = new Set<Root>();
  const gather = (r: Root): void => {
    family.add(r);
    r.children.forEach(gather);
  };
  gather(root);
  const ours = (r: Root): boolean => family.has(r);
  const timers = new Map<object, Capture>();
  const handles: Array<[object, Root['handles'] extends Map<object, infer H> ? H : never]> = [];
  const pending: Capture[] = [];
  for (const r of family) {
    for (const [t, c] of r.timers) timers.set(t, c);
    for (const h of r.handles) handles.push(h);
    for (const c of r.promises.values()) pending.push(c);
  }
  const all = pending.sort((a, b) => a.seq - b.seq);
  // Every stack is read (V8 builds its CallSites then, ~0.3 µs a frame), all in one go.
  const raws = readAllCallSites(all, c => c.holder).map(sites => sites.map(describe));
  const driven = raws.map(sites => sites.some(isGeneratorNext));
  // swc's wrapper is anonymous: it is known by the full runs through it (first pass).
  for (let i = 0; i < raws.length; i++) if (driven[i]) learnWrappers(raws[i], wrappers);
  for (let i = 0; i < all.length; i++) sitesOf.set(all[i], prepare(raws[i], driven[i]));
  raws.length = 0;
  const handleByResource = new Map<unknown, {kind: string; capture: Capture}>();
  for (const [h, record] of handles) {
    handleByResource.set(h, record);
    const native = (h as {_handle?: unknown})._handle;
    if (native !== null && typeof native === 'object') handleByResource.set(native, record);
  }
  for (let at = 0; at < all.length; at++) {
    const c = all[at];
    const sites = read(c);
    const top = sites[0];
    if (top === undefined) continue;
    const runnerAt = rootKey === undefined ? sites.findIndex(s => s.file !== null && ctx.isRunner(s.file)) : -1;
    if (runnerAt > 0 && rootKey === undefined && sites[runnerAt - 1].file !== null && !ctx.isMachinery(sites[runnerAt - 1].file!)) {
      rootKey = fnKey(sites[runnerAt - 1]);
      // The code that called the Root's body (user code for `traced()`, Jest's for tests).
      const caller = sites.slice(runnerAt).find(s => s.file !== null && !isNode(s) && !ctx.isRunner(s.file) && !ctx.isMachinery(s.file));
      if (caller !== undefined) callerKey = fnKey(caller);
    }
    if (c.awaits !== undefined) {
      awaitCaptures.push(c);
    } else if (top.ctor && top.name === 'Promise') {
      leafCaptures.push(c);
    } else if (combinatorOf(top) !== undefined) {
      combinators.push({name: combinatorOf(top)!, capture: c, at, end: Infinity, caller: sites[1]});
    } else if (top.file !== null) {
      const k = fnKey(top);
      const list = functions.get(k);
      if (list === undefined) functions.set(k, [c]);
      else list.push(c);
    }
  }
  // A combinator's inputs are the subscriptions made right after it, before anything else
  // was created: find, for each, the next creation that is not a combinator (one pass back).
  const nextCreation: Array<Capture | undefined> = new Array(all.length);
  let following: Capture | undefined;
  for (let i = all.length - 1; i >= 0; i--) {
    const c = all[i];
    nextCreation[i] = following;
    if (c.awaits === undefined && combinatorOf(read(c)[0]) === undefined) following = c;
  }
  for (const comb of combinators) {
    const first = comb.capture.subscriptions?.[0];
    const later = nextCreation[comb.at];
    comb.end = Math.min(first ?? Infinity, later !== undefined ? later.subAt + 1 : Infinity);
  }
  // Sorted by subAt, for a binary search from a subscription to its combinator.
  combinators.sort((a, b) => a.capture.subAt - b.capture.subAt);

  /** The combinator (still pending) whose subscription to its inputs produced counter value `sub`. */
  const combinatorAt = (sub: number): Combinator | undefined => {
    // The innermost combinator made before `sub` whose inputs reach it: the last one with a
    // smaller subAt, walking back over any whose inputs ended earlier.
    let lo = 0;
    let hi = combinators.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (combinators[mid].capture.subAt < sub) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo - 1; i >= 0 && i >= lo - 64; i--) if (sub < combinators[i].end) return combinators[i];
    return undefined;
  };

  const inputOf = (c: Capture): {comb: Combinator; index: number} | undefined => {
    for (const s of c.subscriptions ?? []) {
      const best = combinatorAt(s);
      if (best !== undefined) return {comb: best, index: s - best.capture.subAt - 1};
    }
    return undefined;
  };

  const displayPaths = new Map<string, string>();
  // Frames of down-levelled generator bodies, by generator (see markResumedBodies).
  const genOf = new WeakMap<Frame, string>();
  const mapKnown = withKnownFile(ctx.mapPosition);
  const toFrame = (s: Site, name: string): Frame | null => {
    const pos = s.file !== null ? mapKnown(s.site, s.file) : ctx.mapPosition(s.site);
    if (pos === null) return null;
    let file = displayPaths.get(pos.file);
    if (file === undefined) displayPaths.set(pos.file, (file = displayPath(pos.file, ctx.rootDir)));
    return {name: name || '<anonymous>', file, line: pos.line, column: pos.column, async: s.async};
  };

  interface Branch {
    /** Root first. */
    path: Frame[];
    createdAt: Frame | null;
    /** Node's API that made the leaf (`once (node:events)`), when it was Node's. */
    origin: string | null;
    /** Name of the user function whose own promise this is (async calls), if it is one. */
    fn: string | null;
    /** Set when the capture is a subscription made by a combinator: which input it is. */
    input: {name: CombinatorName; index: number | null} | null;
    /** 'root': reached the test body; 'detached': chain broken; 'foreign': another test's; 'machinery': Jest's own. */
    reach: 'root' | 'detached' | 'foreign' | 'machinery';
  }

  /**
   * The logical stack of a capture, root first. `start` is the first frame that can be
   * the user's: 1 for creations (frame 0 is `new Promise`, the timer setter, or the async
   * function itself), 0 for subscriptions (frame 0 is the function that awaits).
   */
  const branchOf = (c: Capture, hops: number): Branch => {
    const sites = read(c);
    const start = c.awaits !== undefined ? 0 : 1;
    const fn = start === 1 && sites[0] !== undefined && sites[0].file !== null && !isNode(sites[0]) && !sites[0].ctor ? sites[0].name || '<anonymous>' : null;
    // Node's internals above the user's call say which API made the leaf.
    let i = start;
    let origin: string | null = null;
    while (i < sites.length && (isNode(sites[i]) || sites[i].file === null) && combinatorOf(sites[i]) === undefined) {
      if (isNode(sites[i]) && sites[i].name) origin = `${sites[i].name} (${sites[i].file})`;
      i++;
    }
    // A subscription made inside a combinator: the combinator's input.
    let input: Branch['input'] = null;
    const comb0 = sites[i] !== undefined ? combinatorOf(sites[i]) : undefined;
    if (comb0 !== undefined && c.awaits !== undefined) {
      const comb = combinatorAt(c.subAt);
      input = {name: comb0, index: comb !== undefined && comb.name === comb0 ? c.subAt - comb.capture.subAt - 1 : null};
      i++;
    }
    const walked = walk(sites, i, c.seq);
    let reach = walked.reach;
    const path = walked.leafward.reverse();
    const createdAt = path[path.length - 1] ?? null;
    if (reach === 'detached' && c.context !== undefined && hops < MAX_TIMER_HOPS) {
      const timer = timers.get(c.context);
      if (timer !== undefined) return {...throughTimer(path, parentBranch(timer, hops + 1), c.context), createdAt, origin, fn, input};
      if (isTimerObject(c.context)) reach = 'foreign';
      // Made in an I/O callback of a socket or server opened under the Root (its native
      // handle is the execution resource): continue through the place that opened it.
      const io = handleByResource.get(c.context);
      if (io !== undefined) {
        const parent = parentBranch(io.capture, hops + 1);
        const at = parent.path[parent.path.length - 1];
        const via: Frame = {...(at ?? {name: '', file: '', line: 0, column: 0, async: false}), name: `${io.kind} event`, async: true};
        return {path: [...parent.path, via, ...path], createdAt, origin, fn, input, reach: parent.reach};
      }
      // Made in a `.then` callback: continue through the promise it was chained on.
      const on = isPromiseLike(c.context) ? chainedOn(c.context) : undefined;
      if (on !== undefined && ours(on.owner)) {
        const parent = parentBranch(on, hops + 1);
        // A down-levelled async function resumed by its helper's `.then`: it is the function
        // of the parent's path with the same generator, now at a later `yield`.
        const gen = path[0] !== undefined ? genOf.get(path[0]) : undefined;
        const same = gen === undefined ? -1 : findLastIndex(parent.path, f => genOf.get(f) === gen);
        if (same >= 0) {
          const resumed: Frame = {...path[0], name: parent.path[same].name};
          genOf.set(resumed, gen!);
          return {path: [...parent.path.slice(0, same), resumed, ...path.slice(1)], createdAt: path.length === 1 ? resumed : createdAt, origin, fn, input, reach: parent.reach};
        }
        const at = parent.path[parent.path.length - 1];
        const via: Frame = {...(at ?? {name: '', file: '', line: 0, column: 0, async: false}), name: '.then callback', async: true};
        return {path: [...parent.path, via, ...path], createdAt, origin, fn, input, reach: parent.reach};
      }
    }
    return {path, createdAt, origin, fn, input, reach};
  };

  // The branch above a timer, socket or `.then` callback, and the rest of a stack cut short,
  // are the same for every leaf made below them (thousands, made in one callback or one
  // loop): each is walked once, by how many hops or stitches led to it. Callers only read them.
  const parents = new Map<Capture, Branch[]>();
  const parentBranch = (c: Capture, hops: number): Branch => {
    let byHops = parents.get(c);
    if (byHops === undefined) parents.set(c, (byHops = []));
    return (byHops[hops] ??= branchOf(c, hops));
  };
  const stitches = new Map<Capture, Array<ReturnType<typeof walk>>>();
  const stitched = (fn: Capture, depth: number): ReturnType<typeof walk> => {
    let byDepth = stitches.get(fn);
    if (byDepth === undefined) stitches.set(fn, (byDepth = []));
    return (byDepth[depth] ??= walk(read(fn), 1, fn.seq, depth));
  };

  /** Walks a stack from frame `from` towards the Root, collecting the user's frames (leaf first). */
  /** Of the calls with this key, the last one made before `seq` (the one this stack is in). */
  // Per function: whether any of its calls is a combinator's input (most are not, and then
  // which call a frame is in does not matter to the combinators).
  const anyInput = new Map<Capture[], boolean>();
  const callBefore = (sites: Site[], at: number, seq: number, depth = SIGNATURE_DEPTH, inputsOnly = false): Capture | undefined => {
    const list = functions.get(fnKey(sites[at]));
    if (list === undefined) return undefined;
    if (inputsOnly) {
      let any = anyInput.get(list);
      if (any === undefined) anyInput.set(list, (any = list.some(c => inputOf(c) !== undefined)));
      if (!any) return undefined;
    }
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid].seq < seq) lo = mid + 1;
      else hi = mid;
    }
    // The latest call of this function before `seq` made along the same call path (the
    // nearest one, but for a recursion or a sibling call on another path).
    for (let k = lo - 1; k >= 0 && k >= lo - 64; k--) {
      if (depth === 0 || sameCallPath(read(list[k]), 1, sites, at + 1, depth)) return list[k];
    }
    return undefined;
  };

  const walk = (sites: Site[], from: number, seq: number, depth = 0): {leafward: Frame[]; reach: Branch['reach']} => {
    const leafward: Frame[] = [];
    // Frames of functions that had not yet awaited (site index, and the path's length with them).
    const syncFrames: Array<[number, number]> = [];
    let reach: Branch['reach'] = 'detached';
    // Set when the previous (leafward) frame's function is a combinator input: this frame
    // is then shown at the combinator call, so that sibling inputs merge under it.
    let combinatorCaller: Frame | null | undefined;
    // The function that called the combinator: frames between an input and it (a callback
    // of `items.map(f)`) are left out, so that all inputs hang under one combinator node.
    let callerFn: string | undefined;
    let lastUserSite: Site | undefined;
    let hidden = 0;
    const hiddenIn = new Set<string>();
    for (let i = from; i < sites.length; i++) {
      const s = sites[i];
      if (s.file !== null && ctx.isRunner(s.file)) {
        reach = leafward.length === 0 ? 'machinery' : 'root';
        break;
      }
      const comb = combinatorOf(s);
      if (comb !== undefined) {
        const prev = leafward[leafward.length - 1];
        if (prev !== undefined) prev.combinator = {name: comb, index: s.site.getPromiseIndex?.() ?? null};
        continue;
      }
      if (s.helper || isDownlevelHelper(s)) continue;
      if (s.file === null || isNode(s) || ctx.isMachinery(s.file)) {
        // Node's and the runner's frames between two shown frames are counted, not shown.
        if (leafward.length > 0 && s.file !== null && !isOwn(s.file)) {
          hidden++;
          hiddenIn.add(packageOf(s.file));
        }
        continue;
      }
      if (callerFn !== undefined && fnKey(s) !== callerFn && i + 1 < sites.length && !s.async) continue;
      callerFn = undefined;
      const frame = toFrame(s, s.name);
      if (frame === null) continue;
      if (s.gen !== undefined) genOf.set(frame, s.gen);
      if (combinatorCaller !== undefined) {
        if (combinatorCaller !== null && combinatorCaller.file === frame.file) {
          frame.line = combinatorCaller.line;
          frame.column = combinatorCaller.column;
        }
        combinatorCaller = undefined;
      }
      // Below a resumed `await` the frames hidden are the event loop's (microtasks, timers),
      // not a caller of the frame above.
      if (hidden > 0 && !s.async) {
        leafward[leafward.length - 1].via = {frames: hidden, packages: [...hiddenIn]};
      }
      hidden = 0;
      hiddenIn.clear();
      leafward.push(frame);
      lastUserSite = s;
      if (!s.async) syncFrames.push([i, leafward.length]);
      // Is this function's own promise an input of a combinator created before it ran?
      if (combinators.length > 0 && !s.async) {
        const fn = callBefore(sites, i, seq, SIGNATURE_DEPTH, true);
        const input = fn && inputOf(fn);
        if (input !== undefined) {
          frame.combinator = {name: input.comb.name, index: input.index};
          combinatorCaller = input.comb.caller ? toFrame(input.comb.caller, '') : null;
          if (input.comb.caller) callerFn = fnKey(input.comb.caller);
        }
      }
    }
    // A stack cut short by the frame limit may still end in the test body.
    if (reach === 'detached' && lastUserSite !== undefined && rootKey !== undefined && fnKey(lastUserSite) === rootKey) reach = 'root';
    // Work of the code around the Root (the caller of `traced()`, after it returned) is not the Root's.
    if (reach === 'detached' && lastUserSite !== undefined && callerKey !== undefined && fnKey(lastUserSite) === callerKey) reach = 'foreign';
    // A stack cut short by the frame limit (it ends in neither Node's nor the runner's frames,
    // as whole stacks do) goes on in the stack of the outermost function on it that had not
    // awaited yet: its own promise's stack starts where that function was called.
    const last = sites[sites.length - 1];
    if (reach === 'detached' && depth < MAX_STITCHES && last !== undefined && !last.async && (last.file === null || (!isNode(last) && !ctx.isMachinery(last.file)))) {
      for (let j = syncFrames.length - 1; j >= 0; j--) {
        const [at, length] = syncFrames[j];
        // Its callers in this stack may be cut short: the latest call of it is the one.
        const fn = callBefore(sites, at, seq, 0);
        if (fn === undefined || fn.seq >= seq) continue;
        const rest = stitched(fn, depth + 1);
        leafward.length = length;
        leafward.push(...rest.leafward);
        return {leafward, reach: rest.reach};
      }
    }
    return {leafward, reach};
  };

  /** Continues a branch created in a timer callback through the place that set the timer. */
  const throughTimer = (path: Frame[], parent: Branch, timer: object): Pick<Branch, 'path' | 'reach'> => {
    const api = timerApi(timer);
    const setter = parent.path[parent.path.length - 1];
    const via: Frame = {...(setter ?? {name: '', file: '', line: 0, column: 0, async: false}), name: `${api} callback`, async: true};
    // The setter's own frame adds nothing when it is an anonymous function at the same place.
    const before = setter !== undefined && setter.name === '<anonymous>' ? parent.path.slice(0, -1) : parent.path;
    return {path: [...before, via, ...path], reach: parent.reach};
  };

  const leaves: Leaf[] = [];
  const timerPositions = new Set<string>();
  const push = (c: Capture, make: (b: Branch) => Omit<Leaf, 'path' | 'createdAt' | 'ageMs' | 'detached'> | null, createdAt?: Frame | null) => {
    const b = branchOf(c, 0);
    if (b.reach === 'machinery' || b.reach === 'foreign') return;
    if (b.path.length === 0 && b.reach !== 'root') return;
    const made = make(b);
    if (made === null) return;
    const leaf: Leaf = {...made, path: b.path, createdAt: createdAt !== undefined ? createdAt : b.createdAt, ageMs: round(c.at - root.startedAt), detached: b.reach !== 'root'};
    if (b.input !== null) leaf.input = b.input;
    leaves.push(leaf);
  };

  for (const [timer, c] of timers) {
    if (!isTimerPending(timer)) continue;
    push(c, b => {
      const t = timer as {_idleTimeout?: number; _repeat?: number | null};
      const api = timerApi(timer);
      if (api === 'setImmediate') return {kind: 'immediate', what: 'setImmediate callback, not run yet'};
      // An unref'd timer that Node made for another API (a socket's idle timeout) is that
      // API's business, not something the test waits on.
      const internal = b.origin !== null && !/\(node:timers(\/promises)?\)$/.test(b.origin);
      if (internal && typeof (timer as {hasRef?: () => boolean}).hasRef === 'function' && !(timer as {hasRef: () => boolean}).hasRef()) return null;
      const delayMs = typeof t._idleTimeout === 'number' ? t._idleTimeout : 0;
      const repeat = typeof t._repeat === 'number';
      if (b.createdAt) timerPositions.add(key(b.createdAt));
      const via = b.origin?.includes('node:timers/promises') ? 'timers/promises ' : '';
      // Timers are armed when set (intervals re-armed when they fire): time left from there.
      const since = ctx.now - c.at;
      const firesInMs = Math.max(0, Math.round(repeat && delayMs > 0 ? delayMs - (since % delayMs) : delayMs - since));
      if (repeat) return {kind: 'timer', what: `${via}setInterval every ${delayMs} ms, still active, next in ${duration(firesInMs)}`, timer: {delayMs, repeat, firesInMs}};
      const timeout = ctx.timeoutMs !== null ? `the ${ctx.rootType === 'test' ? 'test' : ctx.rootType === 'traced' ? 'call' : 'hook'} timeout is ${duration(ctx.timeoutMs)}` : null;
      // Shorter than the timeout: set after the wait began (a slow step, a retry's pause), it
      // is not what the test has waited on all along.
      const busy = timeout !== null && delayMs < ctx.timeoutMs!;
      return {
        kind: 'timer',
        what: `${via}setTimeout ${delayMs} ms, fires in ${duration(firesInMs)}${timeout === null ? '' : busy ? `: busy, not stuck (${timeout})` : `; ${timeout}`}`,
        timer: {delayMs, repeat, firesInMs},
        ...(busy ? {busy: true} : {}),
      };
    });
  }

  for (const [handle, {kind, capture}] of handles) {
    const what = describeHandle(kind, handle);
    if (what !== null) push(capture, () => ({kind, what}));
  }

  // Stored promises: where they are awaited says more than where they were made.
  const leafSet = new Set(leafCaptures);
  const explained = new Set<Capture>();
  for (const c of awaitCaptures) {
    const target = c.awaits ?? null;
    // An async call or combinator of this test: its own leaves already explain it.
    if (target !== null && ours(target.owner) && !leafSet.has(target)) continue;
    // V8 never settles the promise an `await` makes: ask the awaited one (after the test
    // above, which is free: this costs a `util.inspect`).
    if (c.awaited !== undefined && !isPending(c.awaited)) continue;
    const made = target !== null ? branchOf(target, 0) : null;
    if (target !== null && ours(target.owner)) explained.add(target);
    push(c, () => ({kind: 'promise', what: awaitedWhat(target, made, ours)}), made?.createdAt ?? null);
  }
  for (const c of leafCaptures) {
    if (explained.has(c)) continue;
    const input = inputOf(c);
    push(c, b => {
      if (input !== undefined && b.input === null) b.input = {name: input.comb.name, index: input.index};
      // `timers/promises` makes a promise and a Timeout at the same place: the timer says more.
      if (b.origin?.includes('node:timers/promises') && b.createdAt && timerPositions.has(key(b.createdAt))) return null;
      return {kind: 'promise', what: b.origin ? `${shortOrigin(b.origin)} promise, never settled` : 'promise, never settled'};
    });
  }

  // A promise whose branch continues below it (its executor set a timer whose callback
  // created the rest) waits on that rest: it is not a stuck branch of its own.
  // Paths are compared as chains of node ids (one id per distinct prefix), not as strings.
  // A promise waits on a branch that goes on from its own path through its executor (an
  // anonymous function in its file, from its line on), not on one that merely shares the
  // path (a call made on the same line of the test before it).
  // Keyed by file, name and line, a frame's lineKey is built once, not once per leaf.
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
  // Node ids by parent id, then by the frame's lineKey.
  const prefixIds = new Map<number, Map<string, number>>();
  let ids = 0;
  const nextFrames = new Map<number, Frame[]>();
  const lastIds: number[] = new Array(leaves.length);
  for (let n = 0; n < leaves.length; n++) {
    const l = leaves[n];
    let id = 0;
    for (let i = 0; i < l.path.length; i++) {
      let under = prefixIds.get(id);
      if (under === undefined) prefixIds.set(id, (under = new Map()));
      const k = lineKeyOf(l.path[i]);
      let next = under.get(k);
      if (next === undefined) under.set(k, (next = ++ids));
      if (i < l.path.length - 1) {
        const list = nextFrames.get(next);
        if (list === undefined) nextFrames.set(next, [l.path[i + 1]]);
        else if (list.length < 8) list.push(l.path[i + 1]);
      }
      id = next;
    }
    lastIds[n] = id;
  }
  for (let n = 0; n < leaves.length; n++) {
    const l = leaves[n];
    if (l.kind !== 'promise' || l.path.length === 0 || l.input !== undefined) continue;
    const after = nextFrames.get(lastIds[n]);
    const c = l.createdAt;
    if (after !== undefined && after.some(f => c === null || (f.file === c.file && f.line >= c.line && (f.line === c.line || f.name === '<anonymous>' || f.name.endsWith('callback'))))) l.waiting = true;
  }

  // When every branch leaves the test body at the same line, that is where the Root is
  // suspended: show it on the Root's line instead of repeating it in each branch.
  const attached = leaves.filter(l => !l.detached && l.path.length > 0);
  const first = attached[0]?.path[0];
  const firstKey = first !== undefined ? lineKeyOf(first) : '';
  const shared = first !== undefined && attached.every(l => lineKeyOf(l.path[0]) === firstKey) ? preferAwait(attached.map(l => l.path[0])) : null;
  if (shared !== null) for (const l of attached) l.path = l.path.slice(1);
  // Keys made once per leaf (not per comparison): sorting 10 000 leaves compares ~140 000 times.
  const positions = new Map<string, Map<number | string, string>>();
  const keyOf = (f: Frame): string => {
    let byLine = positions.get(f.file);
    if (byLine === undefined) positions.set(f.file, (byLine = new Map()));
    const at = f.line >>> 0 === f.line && f.line < 0x4000000 && f.column >>> 0 === f.column && f.column < 0x4000000 ? f.line * 0x4000000 + f.column : `${f.line}:${f.column}`;
    let k = byLine.get(at);
    if (k === undefined) byLine.set(at, (k = key(f)));
    return k;
  };
  const sorted = leaves.map(l => ({l, k: l.path.map(keyOf).join('>')}));
  // Equal keys (most, in a big dump) need no collation.
  sorted.sort((a, b) => (a.k === b.k ? 0 : collator.compare(a.k, b.k)));
  for (let n = 0; n < sorted.length; n++) leaves[n] = sorted[n].l;
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
    ...(ctx.sharedWith && ctx.sharedWith.length > 0 ? {sharedWith: ctx.sharedWith} : {}),
  };
}

/**
 * One line for a socket, server or child process that is still open, or null when it has
 * closed. Addresses and ports, never data; for a child process its executable, never its
 * arguments (they may hold secrets).
 */
function describeHandle(kind: 'socket' | 'server' | 'child-process', h: object): string | null {
  const o = h as Record<string, unknown>;
  try {
    if (kind === 'socket') {
      if (o.destroyed === true) return null;
      const to = typeof o.remoteAddress === 'string' ? ` to ${o.remoteAddress}:${o.remotePort}` : '';
      if (o.connecting === true) return `socket${to}, still connecting`;
      return `socket${to}, open, ${typeof o.bytesRead === 'number' ? o.bytesRead : 0} bytes read`;
    }
    if (kind === 'server') {
      if (o.listening !== true) return null;
      const a = (o.address as () => unknown)?.call(h) as {address?: string; port?: number} | string | null;
      const at = typeof a === 'string' ? ` on ${a}` : a && a.port !== undefined ? ` on ${a.address}:${a.port}` : '';
      const n = typeof o._connections === 'number' ? o._connections : 0;
      return `server listening${at}, ${n === 0 ? 'no connection yet' : `${n} connection${n === 1 ? '' : 's'} open`}`;
    }
    if (o.exitCode !== null || o.signalCode !== null) return null;
    const file = typeof o.spawnfile === 'string' ? o.spawnfile.split(/[\\/]/).pop() : 'process';
    return `child process ${file} (pid ${typeof o.pid === 'number' ? o.pid : '?'}), still running`;
  } catch {
    return `${kind}, state unknown`;
  }
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

/** Frames of one function at one line are one node: a stack taken before the first
 * `await` points at the call, one taken after points at the `await`, on the same line. */
export function lineKey(f: Frame): string {
  return `${f.name}@${f.file}:${f.line}`;
}

/** Of frames that are one node, the one at the `await` (an async frame), else the first. */
export function preferAwait(frames: Frame[]): Frame {
  return frames.find(f => f.async) ?? frames[0];
}

// `localeCompare`'s order, without building a collator per comparison.
const collator = new Intl.Collator();

/** What a subscription leaf waits on, in words. */
function awaitedWhat(target: Capture | null, made: {fn: string | null; origin: string | null} | null, ours: (r: Root) => boolean): string {
  const what = made?.origin ? `${shortOrigin(made.origin)} promise` : made?.fn ? `promise of ${made.fn}()` : 'promise';
  if (target === null) return 'awaits a promise created before this test (not recorded), never settled';
  if (ours(target.owner)) return `${what}, never settled`;
  if (target.owner === AMBIENT) return `${what} created outside this test, never settled`;
  return `${what} created by another test or hook, never settled`;
}

/**
 * Whether a promise (of any realm) is still pending. JavaScript has no query for it;
 * `util.inspect` shows the state, and with depth 0, no custom inspection and no string
 * contents, it formats nothing of the program's values beyond the first level.
 */
function isPending(p: object): boolean {
  return inspect(p, {depth: 0, customInspect: false, maxStringLength: 0, maxArrayLength: 0, breakLength: Infinity}).includes('<pending>');
}

function isPromiseLike(o: object): boolean {
  return typeof (o as {then?: unknown}).then === 'function';
}

function isTimerObject(o: object): boolean {
  return '_onTimeout' in o || '_onImmediate' in o;
}

function timerApi(o: object): string {
  if ('_onImmediate' in o) return 'setImmediate';
  return typeof (o as {_repeat?: unknown})._repeat === 'number' ? 'setInterval' : 'setTimeout';
}

function shortOrigin(origin: string): string {
  // "once (node:events)" -> "events.once()"
  const m = /^(.+) \(node:(.+)\)$/.exec(origin);
  return m ? `${m[2]}.${m[1]}()` : origin;
}
