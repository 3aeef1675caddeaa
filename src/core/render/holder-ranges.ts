/**
 * Inputs of a combinator stuck alike but for where each is kept: the entries
 * of one queue in a row (`Pool.waiting[0]`, `[1]`, …, one more for each
 * input). Their `↳` lines differ only in that index: they are drawn once,
 * with the index as a range (`Pool.waiting[0–19]`). An index is a property's
 * (`waiting[3]`), never a combinator's input label (`held by [0] work`).
 */
import {GLYPHS} from '../glyphs';
import type {Line} from './lines';

const INDEX = /(?<=[\w$\]])\[(\d+)\]/g;

/** The indices of a group's inputs, slot by slot (see the module comment). */
export interface HolderRange {
  first: number[];
  last: number[];
  /** Which slots change from one input to the next (known from the second). */
  varying?: boolean[];
}

/** The indices in the `↳` lines of a shape (children.ts), in order. */
export function holderIndices(shape: string): number[] {
  const out: number[] = [];
  for (const l of shape.split('\n')) {
    const at = l.indexOf(GLYPHS.waker);
    if (at >= 0)
      for (const m of l.slice(at).matchAll(INDEX)) out.push(Number(m[1]));
  }
  return out;
}

/** A shape with the indices of its `↳` lines left out. */
export function withoutHolderIndices(shape: string): string {
  return shape
    .split('\n')
    .map(l => {
      const at = l.indexOf(GLYPHS.waker);
      return at < 0 ? l : l.slice(0, at) + l.slice(at).replace(INDEX, '[#]');
    })
    .join('\n');
}

/**
 * The range with one more input, whose indices are `next`, or undefined when
 * it does not go on: each index that changes is one more than the last
 * input's, and the others stay.
 */
export function extendRange(
  r: HolderRange,
  next: number[],
): HolderRange | undefined {
  if (next.length !== r.first.length) return undefined;
  const varying = r.varying ?? next.map((n, k) => n !== r.last[k]);
  if (!varying.some(v => v)) return undefined;
  for (let k = 0; k < next.length; k++)
    if (next[k] !== (varying[k] ? r.last[k] + 1 : r.last[k])) return undefined;
  return {first: r.first, last: next, varying};
}

/** Draws the range in the `↳` lines of `lines` from `from` on. */
export function drawRange(lines: Line[], from: number, r: HolderRange): void {
  let k = 0;
  for (let i = from; i < lines.length; i++)
    for (const part of lines[i].parts)
      if (part[1].startsWith(GLYPHS.waker))
        part[1] = part[1].replace(INDEX, m => {
          const j = k++;
          return r.varying?.[j] === true ? `[${r.first[j]}–${r.last[j]}]` : m;
        });
}

/** The indices in a line of text (see the module comment), in order. */
export function indicesIn(text: string): number[] {
  return [...text.matchAll(INDEX)].map(m => Number(m[1]));
}

/** A line of text with its indices left out. */
export const withoutIndices = (text: string): string =>
  text.replace(INDEX, '[#]');

/** A line of text with the range's varying indices drawn as ranges. */
export function withRange(text: string, r: HolderRange): string {
  let k = 0;
  return text.replace(INDEX, m => {
    const j = k++;
    return r.varying?.[j] === true ? `[${r.first[j]}–${r.last[j]}]` : m;
  });
}
