/**
 * Reading the stacks of a dump's captures: V8 builds a stack's CallSites when
 * it is first read (~0.3 µs a frame), so the stacks a dump needs for sure are
 * read in one go, and the rest when first asked for. A stack is kept down to
 * jest-circus's frame, where a test's walks end: the frames under it are
 * Jest's, which a dump never shows, and asking V8 about each of them (some 20
 * a stack, looking for down-levelled code) was a fifth of a big dump's time.
 */
import {type CallSite, callSitesOf} from '../callsites';
import {isCircus} from '../machinery';
import type {Capture} from '../record';
import {helperMade, learnWrappers, prepareStack} from './downlevel';
import {hasGeneratorNext} from './state-machines';
import {type Site, register, reserve, siteCount} from './sites';
import {type Entry, StackIndex} from './alike-stacks';

const NONE: CallSite[] = [];

/** The stacks of one dump's captures, each read once. */
export class Stacks {
  private readonly of_ = new Map<Capture, Site[]>();
  /** Anonymous wrappers of down-levelled functions (see downlevel.ts). */
  private readonly wrappers = new Set<string>();
  private readonly circus = new Map<string, boolean>();
  private notCircus: string | null = null;
  /** The stacks read so far, by their frames' places (alike-stacks.ts). */
  private readonly alike = new StackIndex();

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
    const n = todo.length;
    if (n === 0) return;
    // Each stack is kept down to jest-circus's frame (the walks stop there):
    // Jest's frames under it are never read, and a stack V8 formats now is
    // kept that far in its holder too, so the CallSites under it die young
    // (the holders keep theirs; the garbage collector copies what they keep).
    // A stack alike one read before (see alike-stacks.ts) is that stack: its
    // holder keeps the first one's CallSites instead of its own (which then
    // die young too), and it shares its Sites, what was learnt of them and
    // how it was prepared. The files asked are kept, and the table grown once
    // for all.
    const files: Array<string | null> = [];
    const kept = new Int32Array(n);
    const stacks: CallSite[][] = new Array(n);
    const entries: Array<Entry | undefined> = new Array(n);
    let cut = -1;
    let entry: Entry | undefined;
    const format = (_: unknown, sites: CallSite[]): unknown => {
      const from = files.length;
      cut = this.toCircus(sites, files);
      entry = this.alike.entryOf(sites, cut, files, from);
      if (entry !== undefined && !entry.readAlone && entry.callSites !== sites)
        return entry.alike; // and these CallSites are garbage at once
      sites.length = cut;
      return sites;
    };
    const previous = Error.prepareStackTrace;
    Error.prepareStackTrace = format as typeof Error.prepareStackTrace;
    try {
      for (let i = 0; i < n; i++) {
        cut = -1;
        entry = undefined;
        const value = (todo[i].holder ?? {}).stack;
        if (cut < 0) {
          // Formatted before (an earlier dump): cut here.
          const sites = callSitesOf(value) ?? NONE;
          const from = files.length;
          cut = this.toCircus(sites, files);
          entry = this.alike.entryOf(sites, cut, files, from);
          stacks[i] = sites;
        } else stacks[i] = callSitesOf(value) ?? NONE;
        kept[i] = cut;
        entries[i] = entry;
      }
    } finally {
      Error.prepareStackTrace = previous;
    }
    reserve(files.length);
    // The Sites of todo[i], when read for itself: starts[i] to ends[i].
    const starts = new Int32Array(n).fill(-1);
    const ends = new Int32Array(n);
    for (let i = 0, from = 0; i < n; i++) {
      const froms = from;
      from += kept[i];
      const e = entries[i];
      // Stacks alike are read once, after those read each for itself (which
      // teach the wrappers of down-levelled code).
      if (e !== undefined && !e.readAlone) continue;
      starts[i] = register(stacks[i], kept[i], files, froms);
      ends[i] = siteCount();
      if (e !== undefined) this.alike.teach(starts[i], e);
    }
    const driven = new Uint8Array(n);
    for (let i = 0; i < n; i++)
      if (starts[i] >= 0 && hasGeneratorNext(starts[i], ends[i])) driven[i] = 1;
    // swc's wrapper is anonymous: it is known by the full runs through it,
    // and by its helper's work after a body yielded.
    for (let i = 0; i < n; i++)
      if (driven[i] === 1 || (starts[i] >= 0 && helperMade(starts[i], ends[i])))
        learnWrappers(starts[i], ends[i], this.wrappers);
    const known = this.wrappers.size;
    // One read of each stack alike others, unless one read with the same
    // wrappers known is there.
    const first = new Map<Entry, number>();
    for (let i = 0, from = 0; i < n; i++) {
      const froms = from;
      from += kept[i];
      const e = entries[i];
      if (e === undefined || e.readAlone) continue;
      if (e.sites !== undefined && e.wrappers === known) continue;
      if (first.has(e)) continue;
      first.set(e, i);
      starts[i] = register(e.callSites, kept[i], files, froms);
      ends[i] = siteCount();
      this.alike.teach(starts[i], e);
    }
    stacks.length = 0;
    for (let i = 0; i < n; i++) {
      if (starts[i] < 0) continue;
      const sites = prepareStack(
        starts[i],
        ends[i],
        driven[i] === 1,
        this.wrappers,
      );
      const e = entries[i];
      if (e !== undefined && first.get(e) === i) {
        e.sites = sites;
        e.wrappers = known;
      }
      this.of_.set(todo[i], sites);
    }
    for (let i = 0; i < n; i++)
      if (starts[i] < 0) this.of_.set(todo[i], entries[i]!.sites!);
  }

  /**
   * How many frames of `sites` to keep: up to jest-circus's first (included),
   * else all; their files are pushed on `files`.
   */
  private toCircus(sites: CallSite[], files: Array<string | null>): number {
    for (let k = 0; k < sites.length; k++) {
      const f = sites[k].getFileName() ?? null;
      files.push(f);
      if (f === null || f === this.notCircus) continue;
      let c = this.circus.get(f);
      if (c === undefined) this.circus.set(f, (c = isCircus(f)));
      if (c) return k + 1;
      // Frames of one file come in runs: the last one that is not circus's.
      this.notCircus = f;
    }
    return sites.length;
  }
}
