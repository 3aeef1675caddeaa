/**
 * Frames of recorded stacks, as numbers (Sites): what each says is kept in the
 * parallel arrays of the table of the dump being taken, read from V8 only when
 * first asked for. Each CallSite method is a call into V8 (60-100 ns; 400 ns
 * for the first position), and a dump of 10 000 leaves has some 100 000
 * frames: an object for each, kept until the dump ends, is what the garbage
 * collector then spends its time copying.
 */
import {type CallSite, enclosingStart} from '../callsites';
import type {CombinatorName} from '../types';

/** A frame of a recorded stack (an index into the current table). */
export type Site = number;

interface FrameTable {
  /** How many frames there are (the arrays have room for more). */
  count: number;
  site: CallSite[];
  file: Array<string | null | undefined>;
  /** The function name; set up front for a down-levelled async function. */
  name: Array<string | undefined>;
  /** {@link fnKey}, set up front for a down-levelled async function. */
  fn: Array<string | undefined>;
  /** For a down-levelled async function's body: which generator it runs. */
  gen: Map<Site, string>;
  /** {@link combinatorOf} of the native frames that have one. */
  comb: Map<Site, CombinatorName>;
  pos: Float64Array;
  /** KNOWN_* and IS_* bits. */
  bits: Int32Array;
  /** Function keys by file, then place: one string per function. */
  functionKeys: Map<string | null, Map<number | string, string>>;
  /** Function keys by file, then a frame's source offset. */
  functionAt: Map<string, Map<number, string>>;
}

const KNOWN_ASYNC = 1;
const IS_ASYNC = 2;
const KNOWN_CTOR = 4;
const IS_CTOR = 8;
/** A frame of a down-levelling helper that drives a generator body. */
const IS_HELPER = 16;
const KNOWN_POS = 32;
const KNOWN_COMB = 64;
const IS_COMB = 128;

const COMBINATORS: Record<string, CombinatorName> = {
  all: 'Promise.all',
  allSettled: 'Promise.allSettled',
  any: 'Promise.any',
  race: 'Promise.race',
};

// Arrays made at their size, not grown one frame at a time: growing arrays of
// 100 000 elements is itself measurable (typed arrays cost least).
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
    functionAt: new Map(),
  };
}

/** The frames of the dump being taken (see {@link withFrameTable}). */
let frames: FrameTable = newTable();

/**
 * Runs `f` with a table of its own: a dump's frames live as long as the dump
 * (a callback of the dump might take another).
 */
export function withFrameTable<T>(f: () => T): T {
  const outer = frames;
  frames = newTable();
  try {
    return f();
  } finally {
    frames = outer;
  }
}

/** Makes room for `n` more frames. */
export function reserve(n: number): void {
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
  bigger.functionAt = t.functionAt;
  bigger.gen = t.gen;
  bigger.comb = t.comb;
  frames = bigger;
}

/**
 * Makes Sites of the first `n` CallSites of a stack, whose files are
 * `files[from]` to `files[from + n]` (excluded); returns where they start.
 */
export function register(
  sites: CallSite[],
  n: number,
  files: ReadonlyArray<string | null>,
  from: number,
): Site {
  reserve(n);
  const t = frames;
  const start = t.count;
  for (let k = 0; k < n; k++) {
    t.site[start + k] = sites[k];
    t.file[start + k] = files[from + k];
  }
  t.count += n;
  return start;
}

/** A new Site for `site`, with what the caller says of it. */
export function newSite(
  site: CallSite,
  set: {file?: string | null; name?: string; fn?: string; gen?: string} = {},
): Site {
  reserve(1);
  const s = frames.count++;
  frames.site[s] = site;
  if (set.file !== undefined) frames.file[s] = set.file;
  if (set.name !== undefined) frames.name[s] = set.name;
  if (set.fn !== undefined) frames.fn[s] = set.fn;
  if (set.gen !== undefined) frames.gen.set(s, set.gen);
  return s;
}

/** How many Sites the table has (the next one's number). */
export const siteCount = (): number => frames.count;

export const callSite = (s: Site): CallSite => frames.site[s];

export function file(s: Site): string | null {
  let f = frames.file[s];
  if (f === undefined)
    frames.file[s] = f = frames.site[s].getFileName() ?? null;
  return f;
}

export function name(s: Site): string {
  let n = frames.name[s];
  if (n === undefined)
    frames.name[s] = n = frames.site[s].getFunctionName() ?? '';
  return n;
}

/** True when V8 recorded the frame as a suspended `await` (an async frame). */
export function isAsync(s: Site): boolean {
  let b = frames.bits[s];
  if ((b & KNOWN_ASYNC) === 0)
    frames.bits[s] = b |=
      KNOWN_ASYNC | (frames.site[s].isAsync() ? IS_ASYNC : 0);
  return (b & IS_ASYNC) !== 0;
}

export function isCtor(s: Site): boolean {
  let b = frames.bits[s];
  if ((b & KNOWN_CTOR) === 0)
    frames.bits[s] = b |=
      KNOWN_CTOR | (frames.site[s].isConstructor() ? IS_CTOR : 0);
  return (b & IS_CTOR) !== 0;
}

export const isHelper = (s: Site): boolean =>
  (frames.bits[s] & IS_HELPER) !== 0;

export function markHelper(s: Site): void {
  frames.bits[s] |= IS_HELPER;
}

/** The generator a down-levelled body frame runs, if it is one. */
export function generatorOf(s: Site): string | undefined {
  return frames.gen.size > 0 ? frames.gen.get(s) : undefined;
}

export function setGenerator(s: Site, gen: string): void {
  frames.gen.set(s, gen);
}

/**
 * The first frame of a stack with a file that is not Node's (the program's,
 * a library's or the runner's).
 */
export function firstOwnSite(sites: readonly Site[]): Site | undefined {
  return sites.find(s => file(s) !== null && !isNode(s));
}

/** A frame of Node's own modules (`node:events`). */
export function isNode(s: Site): boolean {
  const f = file(s);
  return f !== null && f.startsWith('node:');
}

/**
 * Builtins that return a promise of their own making which may stay pending
 * (not settled in a job V8 queues at once): a leaf like `new Promise`'s.
 */
const PENDING_BUILTINS = new Set(['waitAsync', 'withResolvers']);

/**
 * Whether the promise made under this top frame was made by native code the
 * frame called, not by the frame's own function: `Atomics.waitAsync()`,
 * `Promise.withResolvers()`, or a binding of Node's (`fs.promises`' requests:
 * `binding.openFileHandle(…, kUsePromises)`), which shows no frame of its own.
 * An async function's own promise is made as it is called, at its first line
 * (its parameters' or, for an arrow, its start: Node's code never puts a call
 * there), so a frame of Node's on a later line than its function's start
 * made it by such a call.
 */
export function madeNatively(s: Site): boolean {
  const f = file(s);
  if (f === null) return PENDING_BUILTINS.has(name(s));
  // A constructor's frame is JavaScript's own promise (`new SafePromise`).
  if (!f.startsWith('node:') || isCtor(s)) return false;
  const start = callSite(s).getEnclosingLineNumber?.();
  const line = callSite(s).getLineNumber();
  return typeof start === 'number' && typeof line === 'number' && line > start;
}

/** V8's frame of `new Promise` (native). */
export function isPromiseConstructor(s: Site): boolean {
  return file(s) === null && name(s) === 'Promise' && isCtor(s);
}

/** V8's `Generator.prototype.next` (how down-levelled bodies are run). */
export function isGeneratorNext(s: Site): boolean {
  return file(s) === null && name(s) === 'next';
}

/**
 * The combinator a native frame is (`Promise.all`, or V8's async frame of an
 * input, `Promise.all (index 0)`).
 */
export function combinatorOf(s: Site): CombinatorName | undefined {
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
export function fnKey(s: Site): string {
  let k = frames.fn[s];
  if (k === undefined) frames.fn[s] = k = functionKey(s);
  return k;
}

/**
 * `file:line:column` of where the function of a frame starts (the same string
 * for all its frames). Asked once per place (file and source offset) a frame
 * of the dump is at: frames at one place are in one function.
 */
export function functionKey(s: Site): string {
  const f = file(s);
  if (f === null) return readFunctionKey(s, f);
  let byPos = frames.functionAt.get(f);
  if (byPos === undefined) frames.functionAt.set(f, (byPos = new Map()));
  const at = position(s);
  let k = byPos.get(at);
  if (k === undefined) byPos.set(at, (k = readFunctionKey(s, f)));
  return k;
}

/**
 * Where the function of a frame starts (its file as compiled), or undefined
 * when V8 does not say.
 */
export function functionStart(
  s: Site,
): {file: string; line: number; column: number} | undefined {
  const f = file(s);
  return f === null ? undefined : enclosingStart(callSite(s), f);
}

function readFunctionKey(s: Site, f: string | null): string {
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

/** The frame's source offset (`getPosition`: a third of a line and column). */
export function position(s: Site): number {
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
 * Whether two stacks are the same call path for `depth` frames from `i` and
 * `j` (no strings made). A stack cut short (a short capture, the frame limit)
 * agrees as far as it goes.
 */
export function sameCallPath(
  a: Site[],
  i: number,
  b: Site[],
  j: number,
  depth: number,
): boolean {
  for (let k = 0; k < depth; k++) {
    const x = a[i + k];
    const y = b[j + k];
    if (x === undefined || y === undefined) return k > 0 || x === y;
    // One Site (stacks alike share theirs): the same frame.
    if (x === y && !isGeneratorNext(x)) continue;
    // `Generator.next` where a stack of down-levelled calls was cut short:
    // the paths agree as far as they can be compared.
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

/** Node's API that made a leaf (`once (node:events)`): its frames on top. */
export function originOf(sites: readonly Site[]): string | null {
  let origin: string | null = null;
  for (let i = 1; i < sites.length; i++) {
    const s = sites[i];
    if (!isNode(s) && file(s) !== null) break;
    if (isNode(s) && name(s)) origin = `${name(s)} (${file(s)})`;
  }
  return origin;
}

/**
 * Tells a Site its source offset, whether it is a suspended `await`, and its
 * function's name (`getFunctionName() ?? ''`).
 */
export function knowPlace(
  s: Site,
  pos: number,
  async: boolean,
  fn: string,
): void {
  frames.pos[s] = pos;
  frames.bits[s] |= KNOWN_POS | KNOWN_ASYNC | (async ? IS_ASYNC : 0);
  frames.name[s] = fn;
}
