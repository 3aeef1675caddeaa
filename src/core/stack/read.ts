/**
 * Reading the stacks of a dump's captures: V8 builds a stack's CallSites when
 * it is first read (~0.3 µs a frame), so the stacks a dump needs for sure are
 * read in one go, and the rest when first asked for. A stack is kept down to
 * jest-circus's frame, where a test's walks end: the frames under it are
 * Jest's, which a dump never shows, and asking V8 about each of them (some 20
 * a stack, looking for down-levelled code) was a fifth of a big dump's time.
 */
import type {CallSite} from '../callsites';
import {isCircus} from '../machinery';
import type {Capture} from '../record';
import {
  hasGeneratorNext,
  learnWrappers,
  prepareStack,
  siteRange,
} from './downlevel';
import {type Site, register, reserve, siteCount} from './sites';

const NONE: CallSite[] = [];

/** The stacks of one dump's captures, each read once. */
export class Stacks {
  private readonly of_ = new Map<Capture, Site[]>();
  /** Anonymous wrappers of down-levelled functions (see downlevel.ts). */
  private readonly wrappers = new Set<string>();
  private readonly circus = new Map<string, boolean>();

  /** The stack of `c` (empty for a capture taken over the budget). */
  of(c: Capture): Site[] {
    let s = this.of_.get(c);
    if (s === undefined) {
      this.readAll([c]);
      s = this.of_.get(c)!;
    }
    return s;
  }

  /** Reads the stacks of `captures` not read yet, all in one go. */
  readAll(captures: readonly Capture[]): void {
    const todo = captures.filter(c => !this.of_.has(c));
    if (todo.length === 0) return;
    // Each stack is kept down to jest-circus's frame (the walks stop there):
    // Jest's frames under it are never read, and a stack V8 formats now is
    // kept that far in its holder too, so the CallSites under it die young
    // (the holders keep theirs; the garbage collector copies what they keep).
    // The files asked to find it are kept, and the table grown once for all.
    const files: Array<string | null> = [];
    const kept = new Int32Array(todo.length);
    const stacks: CallSite[][] = new Array(todo.length);
    let cut = -1;
    const format = (_: unknown, sites: CallSite[]): CallSite[] => {
      sites.length = cut = this.toCircus(sites, files);
      return sites;
    };
    const previous = Error.prepareStackTrace;
    Error.prepareStackTrace = format as typeof Error.prepareStackTrace;
    try {
      for (let i = 0; i < todo.length; i++) {
        cut = -1;
        const sites = (todo[i].holder ?? {}).stack;
        stacks[i] = Array.isArray(sites) ? (sites as CallSite[]) : NONE;
        // Formatted before (an earlier dump): cut here.
        kept[i] = cut >= 0 ? cut : this.toCircus(stacks[i], files);
      }
    } finally {
      Error.prepareStackTrace = previous;
    }
    reserve(files.length);
    // The Sites of todo[i] are starts[i] to starts[i + 1] (excluded).
    const starts = new Int32Array(todo.length + 1);
    for (let i = 0, from = 0; i < todo.length; i++) {
      starts[i] = register(stacks[i], kept[i], files, from);
      from += kept[i];
      stacks[i] = NONE;
    }
    starts[todo.length] = siteCount();
    stacks.length = 0;
    const driven = new Uint8Array(todo.length);
    for (let i = 0; i < todo.length; i++)
      driven[i] = hasGeneratorNext(starts[i], starts[i + 1]) ? 1 : 0;
    // swc's wrapper is anonymous: it is known by the full runs through it.
    for (let i = 0; i < todo.length; i++)
      if (driven[i] === 1)
        learnWrappers(siteRange(starts[i], starts[i + 1]), this.wrappers);
    for (let i = 0; i < todo.length; i++)
      this.of_.set(
        todo[i],
        prepareStack(starts[i], starts[i + 1], driven[i] === 1, this.wrappers),
      );
  }

  /**
   * How many frames of `sites` to keep: up to jest-circus's first (included),
   * else all; their files are pushed on `files`.
   */
  private toCircus(sites: CallSite[], files: Array<string | null>): number {
    for (let k = 0; k < sites.length; k++) {
      const f = sites[k].getFileName() ?? null;
      files.push(f);
      if (f === null) continue;
      let c = this.circus.get(f);
      if (c === undefined) this.circus.set(f, (c = isCircus(f)));
      if (c) return k + 1;
    }
    return sites.length;
  }
}
