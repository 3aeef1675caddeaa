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
 *
 * The stacks read are a trie of places, top frame first: a stack is found by
 * one step a frame (a `Map` lookup by offset and flags, then the file, name
 * and index compared), with no key built, hashed or compared whole. The
 * first dump of a process runs this on code V8 has not optimised yet, for
 * every frame of every stack (some 40 000 in a dump of 1 000 leaves).
 */
import type {AlikeStack, CallSite} from '../callsites';
import {isRegeneratorVerb} from './state-machines';
import {type Site, knowPlace} from './sites';

/** One frame's place in the trie, below the frames above it. */
interface Place {
  readonly up: Place | null;
  /** Source offset × 8 + flags (1: `await`, 2: `new`, 4: `Promise.all`). */
  readonly at: number;
  readonly pos: number;
  readonly file: string | null;
  readonly name: string;
  /** A combinator input's index (native frames), else -1. */
  readonly index: number;
  /**
   * A native frame named `next`, or regenerator's `next`, here or above (see
   * downlevel.ts).
   */
  readonly next: boolean;
  /** Places of the next frame down, by `at` (alike `at`: `other`). */
  below: Map<number, Place> | undefined;
  /** Another place with the same `at` under the same frame above. */
  other: Place | undefined;
  /** The stack that ends here. */
  entry: Entry | undefined;
}

/** A stack read in this dump, and the stacks alike it. */
export interface Entry {
  /** Its last frame's place (null for a stack of no frames). */
  readonly place: Place | null;
  /** The first stack read at these places: its CallSites answer for all. */
  readonly callSites: CallSite[];
  /** What the holders of the stacks alike keep (one object for all). */
  readonly alike: AlikeStack;
  /**
   * Read each for itself: down-levelled code (what it becomes depends on the
   * wrappers learnt so far, and on a frame's method name for an ES5 state
   * machine's `step`, which is not in the key; a helper's stacks teach the
   * wrappers).
   */
  readonly readAlone: boolean;
  /** What the stack became (see read.ts), once read. */
  sites?: Site[];
  /** How many down-levelling wrappers were known when it was read. */
  wrappers: number;
}

/** The stacks of one dump, as a trie of their frames' places. */
export class StackIndex {
  private readonly top = new Map<number, Place>();
  /** The entry of stacks of no frames (captures over the budget). */
  private empty: Entry | undefined;

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
    if (n === 0)
      return (this.empty ??= {
        place: null,
        callSites: sites,
        alike: {alikeOf: sites},
        readAlone: false,
        wrappers: -1,
      });
    const byPosition = typeof sites[0].getPosition === 'function';
    let up = null as Place | null;
    let below = this.top;
    for (let k = 0; k < n; k++) {
      const site = sites[k];
      const file = files[from + k];
      let flags = site.isAsync() ? 1 : 0;
      if ((k === 0 || file === null) && site.isConstructor()) flags |= 2;
      let index = -1;
      if (file === null) {
        if (site.getScriptNameOrSourceURL?.()) return undefined;
        if (site.isPromiseAll?.()) flags |= 4;
        index = site.getPromiseIndex?.() ?? -1;
      }
      const name = site.getFunctionName() ?? '';
      const pos = byPosition
        ? site.getPosition!()
        : site.getLineNumber()! * 1e5 + site.getColumnNumber()!;
      const at = pos * 8 + flags;
      const first = below.get(at);
      let place = first;
      while (
        place !== undefined &&
        (place.file !== file || place.name !== name || place.index !== index)
      )
        place = place.other;
      if (place === undefined) {
        place = {
          up,
          at,
          pos,
          file,
          name,
          index,
          next:
            (up?.next ?? false) ||
            (file === null && name === 'next') ||
            (file !== null && name === '' && isRegeneratorVerb(site)),
          below: undefined,
          other: first,
          entry: undefined,
        };
        below.set(at, place);
      }
      up = place;
      below = k + 1 < n ? (place.below ??= new Map()) : below;
    }
    const last = up!;
    return (last.entry ??= {
      place: last,
      callSites: sites,
      alike: {alikeOf: sites},
      readAlone: last.next || hasStep(last),
      wrappers: -1,
    });
  }

  /**
   * Tells the Sites from `start` what `e`'s places say of them: their
   * offsets, which are suspended `await`s, and their names.
   */
  teach(start: Site, e: Entry): void {
    let k = 0;
    for (let p: Place | null = e.place; p !== null; p = p.up) k++;
    for (let p: Place | null = e.place; p !== null; p = p.up)
      knowPlace(start + --k, p.pos, (p.at & 1) !== 0, p.name);
  }
}

/**
 * Whether a frame of the stack ending at `p` is `step` or
 * `asyncGeneratorStep`: a down-levelling helper's, whose stacks teach its
 * wrappers (see downlevel.ts).
 */
function hasStep(p: Place | null): boolean {
  for (; p !== null; p = p.up)
    if (p.name === 'step' || p.name === 'asyncGeneratorStep') return true;
  return false;
}
