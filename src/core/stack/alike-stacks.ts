/**
 * Stacks alike: two recorded stacks whose frames are at the same places are
 * one stack to a dump. A dump of 10 000 leaves made by one loop reads some
 * 55 000 stacks that are a dozen distinct ones; each read on its own, every
 * question the dump asks of a frame (its name, where its function starts, its
 * mapped position) was asked again for each copy, and each copy kept its own
 * Sites.
 *
 * A frame of the program's is known by its file, its source offset, whether
 * it is a suspended `await`, and its function's name (V8 answers the other
 * questions the dump asks of it, its line and column and where its function
 * starts, from the script and the offset; the name is the function's own, and
 * closures of one function can be named apart: `{[key]: () => {}}`); the top
 * frame also by whether it was called with `new`. A native frame (no file:
 * `new Promise`, `Promise.all`, a combinator's input) by its name, `new`,
 * `await`, its offset and, for a combinator's input, its index. A native
 * frame of a script named by `//# sourceURL` (eval) is not keyed: such a
 * stack is read for itself. A frame's method name and type name (which
 * depend on the object it was called on) are not in the key: the dump asks
 * them of an ES5 state machine's `step` only, whose stacks are read each for
 * itself.
 */
import type {CallSite} from '../callsites';
import {type Site, knowPlace} from './sites';

/** Fields of a frame of the program's in a key; a native frame has 1 more. */
const PLACE = 4;

/** What a key's first two numbers say. */
const HEAD = 2;

/** A stack as numbers (see {@link StackIndex.keyOf}). */
export type StackKey = Float64Array;

/** A stack read in this dump, and the stacks alike it. */
export interface Entry {
  readonly key: StackKey;
  /** The first stack read with this key: its CallSites answer for all. */
  readonly callSites: CallSite[];
  /**
   * Read each for itself: down-levelled code (what it becomes depends on the
   * wrappers learnt so far, and on a frame's method name for an ES5 state
   * machine's `step`, which is not in the key).
   */
  readonly readAlone: boolean;
  /** What the stack became (see read.ts), once read. */
  sites?: Site[];
  /** How many down-levelling wrappers were known when it was read. */
  wrappers: number;
}

/** The stacks of one dump, by their key. */
export class StackIndex {
  private readonly byHash = new Map<number, Entry[]>();
  private readonly ids = new Map<string, number>();
  private readonly strings: string[] = [];

  /** The key being made (see {@link entryOf}), reused. */
  private readonly scratch: number[] = [];
  private lastFile: string | null = null;
  private lastId = -1;

  /**
   * The entry of the first `n` CallSites of a stack, whose files are
   * `files[from]` to `files[from + n]` (excluded), made with these CallSites
   * when there is none; undefined for a stack that is not keyed.
   */
  entryOf(
    sites: CallSite[],
    n: number,
    files: ReadonlyArray<string | null>,
    from: number,
  ): Entry | undefined {
    const key = this.keyOf(sites, n, files, from);
    if (key === undefined) return undefined;
    const h = hash(key);
    let list = this.byHash.get(h);
    if (list === undefined) this.byHash.set(h, (list = []));
    for (const e of list) if (same(e.key, key)) return e;
    const e: Entry = {
      key: Float64Array.from(key),
      callSites: sites,
      readAlone: key[0] === 1 || hasStep(sites, n),
      wrappers: -1,
    };
    list.push(e);
    return e;
  }

  /**
   * The key of a stack (see {@link entryOf}), in {@link scratch}: the
   * number of frames, then each frame's place (see the module comment);
   * `key[0]` is 1 when a native frame is `next` (a generator driven: see
   * downlevel.ts).
   */
  private keyOf(
    sites: CallSite[],
    n: number,
    files: ReadonlyArray<string | null>,
    from: number,
  ): number[] | undefined {
    const key = this.scratch;
    key.length = 0;
    key.push(0, n);
    for (let k = 0; k < n; k++) {
      const site = sites[k];
      const f = files[from + k];
      const flags =
        (site.isAsync() ? 1 : 0) |
        (k === 0 || f === null ? (site.isConstructor() ? 2 : 0) : 0);
      if (f !== null) {
        key.push(
          this.fileId(f),
          position(site),
          flags,
          this.id(site.getFunctionName() ?? ''),
        );
        continue;
      }
      if (site.getScriptNameOrSourceURL?.()) return undefined;
      const name = site.getFunctionName() ?? '';
      if (name === 'next') key[0] = 1;
      key.push(
        -1,
        position(site),
        flags | (site.isPromiseAll?.() ? 4 : 0),
        this.id(name),
        site.getPromiseIndex?.() ?? -1,
      );
    }
    return key;
  }

  private fileId(f: string): number {
    if (f !== this.lastFile) {
      this.lastFile = f;
      this.lastId = this.id(f);
    }
    return this.lastId;
  }

  /**
   * Tells the Sites from `start` what `key` says of them: their offsets,
   * which are suspended `await`s, and their names.
   */
  teach(start: Site, key: StackKey): void {
    const n = key[1];
    for (let k = 0, at = HEAD; k < n; k++) {
      const native = key[at] === -1;
      knowPlace(
        start + k,
        key[at + 1],
        (key[at + 2] & 1) !== 0,
        this.strings[key[at + 3]],
      );
      at += native ? PLACE + 1 : PLACE;
    }
  }

  private id(s: string): number {
    let i = this.ids.get(s);
    if (i === undefined) {
      this.ids.set(s, (i = this.strings.length));
      this.strings.push(s);
    }
    return i;
  }
}

/** Whether one of the first `n` CallSites is `step` (see downlevel.ts). */
function hasStep(sites: CallSite[], n: number): boolean {
  for (let k = 0; k < n; k++)
    if (sites[k].getFunctionName() === 'step') return true;
  return false;
}

function position(site: CallSite): number {
  return typeof site.getPosition === 'function'
    ? site.getPosition()
    : site.getLineNumber()! * 1e5 + site.getColumnNumber()!;
}

function hash(key: ArrayLike<number>): number {
  let h = key.length;
  for (let i = 0; i < key.length; i++) h = (Math.imul(h, 31) + key[i]) | 0;
  return h;
}

function same(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
