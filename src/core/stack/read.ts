/**
 * Reading the stacks of a dump's captures: V8 builds a stack's CallSites when
 * it is first read (~0.3 µs a frame), so the stacks a dump needs for sure are
 * read in one go, and the rest when first asked for.
 */
import {readAllCallSites} from '../callsites';
import type {Capture} from '../record';
import {
  hasGeneratorNext,
  learnWrappers,
  prepareStack,
  siteRange,
} from './downlevel';
import {type Site, register, reserve, siteCount} from './sites';

/** The stacks of one dump's captures, each read once. */
export class Stacks {
  private readonly of_ = new Map<Capture, Site[]>();
  /** Anonymous wrappers of down-levelled functions (see downlevel.ts). */
  private readonly wrappers = new Set<string>();

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
    const stacks = readAllCallSites(todo, c => c.holder ?? {});
    let total = 0;
    for (const sites of stacks) total += sites.length;
    reserve(total);
    // The Sites of todo[i] are starts[i] to starts[i + 1] (excluded).
    const starts = new Int32Array(todo.length + 1);
    for (let i = 0; i < todo.length; i++) starts[i] = register(stacks[i]);
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
}
