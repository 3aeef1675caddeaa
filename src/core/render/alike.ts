/**
 * The cap on a combinator's inputs stuck alike: of the inputs (or runs of
 * consecutive inputs, `[0–99] 100×`) whose branches read the same but for
 * their index, the first few are drawn and the rest counted on one line
 * (`⋯ and 4997 more branches like [5]`), after the last one drawn. The
 * dump's header still counts every branch; the dump itself keeps every leaf.
 */
import {GLYPHS} from '../glyphs';
import type {Leaf, TreeNode} from '../types';
import {
  type HolderRange,
  extendRange,
  holderIndices,
  withoutHolderIndices,
} from './holder-ranges';
import {sameShape} from './same';
import {isStuckLeaf} from '../tree';

export {DEFAULT_MAX_ALIKE} from './defaults';

/** A combinator's input: a branch (its node) or a leaf. */
export type Item = {node?: TreeNode; leaf?: Leaf};

/** Consecutive inputs drawn as one (`[first–lastIndex] count×`). */
export interface Group {
  item: Item;
  count: number;
  first: number | null;
  lastIndex: number | null;
  /**
   * Its stuck branches (leaves not waiting or busy), in every input (counted
   * for a combinator's inputs only).
   */
  stuck: number;
  /** Its text, once made (for comparisons). */
  shape?: string;
  /** Where its inputs are kept, when only that differs (holder-ranges.ts). */
  holders?: HolderRange;
}

/** What is drawn in place of the groups of one signature past the cap. */
export interface More {
  inputs: number;
  stuck: number;
  /** The index (or range) of the last group drawn of its signature. */
  like: string;
}

export type Drawn =
  {group: Group; more?: undefined} | {group?: undefined; more: More};

/** How groups are compared: as {@link sameShape} and by their text. */
export interface Shapes {
  /** True says they read the same; false says nothing. */
  same(a: Item, b: Item): boolean;
  text(g: Group): string;
}

/**
 * `groups` (a combinator's, in index order) with, of each signature, the first
 * `max` groups and then one {@link More} line for the rest.
 */
export function capAlike(
  groups: Group[],
  max: number,
  shapes: Shapes,
): Drawn[] {
  if (groups.length <= max) return groups.map(group => ({group}));
  // Signatures by a coarse key first (what a group's first line says), so
  // that thousands of groups, each unlike the others, are not all compared.
  const buckets = new Map<string, Signature[]>();
  const sigs: Signature[] = [];
  const of = groups.map(g => {
    const key = coarseKey(g.item);
    let bucket = buckets.get(key);
    if (bucket === undefined) buckets.set(key, (bucket = []));
    let sig = bucket.find(s => shapes.same(s.first.item, g.item));
    sig ??= bucket.find(s => shapes.text(s.first) === shapes.text(g));
    if (sig === undefined) {
      sig = {first: g, drawn: 0, lastDrawn: g, more: undefined};
      bucket.push(sig);
      sigs.push(sig);
    }
    return sig;
  });
  const out: Drawn[] = [];
  groups.forEach((g, i) => {
    const sig = of[i];
    if (sig.drawn < max) {
      sig.drawn++;
      sig.lastDrawn = g;
      out.push({group: g});
      return;
    }
    if (sig.more === undefined) {
      sig.more = {inputs: 0, stuck: 0, like: rangeOf(sig.lastDrawn)};
      // Right after the last one drawn of its signature.
      out.splice(out.findIndex(d => d.group === sig.lastDrawn) + 1, 0, {
        more: sig.more,
      });
    }
    sig.more.inputs += g.count;
    sig.more.stuck += g.stuck;
  });
  return out;
}

interface Signature {
  first: Group;
  drawn: number;
  lastDrawn: Group;
  more: More | undefined;
}

/**
 * Parts of what an input's first line says, without its index: equal when
 * the inputs read the same.
 */
export function coarseKey(item: Item): string {
  if (item.leaf !== undefined) return `leaf ${item.leaf.what}`;
  const f = item.node!.frame;
  return f === null
    ? `label ${item.node!.label ?? ''}`
    : `frame ${f.name} ${f.file}:${f.line}:${f.column}`;
}

function rangeOf(g: Group): string {
  return g.count > 1 ? `[${g.first}–${g.lastIndex}]` : `[${g.first}]`;
}

/** The line of a {@link More}. */
export function moreText(m: More): string {
  const s = (n: number, one: string, many: string): string =>
    `${n} ${n === 1 ? one : many}`;
  const what =
    m.inputs === m.stuck
      ? s(m.inputs, 'more branch', 'more branches')
      : `${s(m.inputs, 'more input', 'more inputs')} (${m.stuck === 0 ? 'none stuck' : s(m.stuck, 'branch', 'branches')})`;
  return `${GLYPHS.hidden}and ${what} like ${m.like}`;
}

/** The stuck branches of an input (as the dump's header counts them). */
export function stuckIn(item: Item): number {
  if (item.leaf !== undefined) return isStuck(item.leaf) ? 1 : 0;
  let n = 0;
  const count = (node: TreeNode): void => {
    for (const l of node.leaves) if (isStuck(l)) n++;
    node.children.forEach(count);
  };
  count(item.node!);
  return n;
}

const isStuck = isStuckLeaf;

/**
 * Consecutive inputs stuck the same way, as one group each. Inputs made alike
 * (thousands, from one `map`) are told alike by their data, field by field,
 * before any is rendered: rendering each input's subtree to compare them costs
 * more than the whole dump.
 */
export function collapse(all: Item[], shapeOf: (x: Item) => string): Group[] {
  const index = (x: Item): number =>
    x.node?.frame?.combinator?.index ?? x.leaf?.input?.index ?? -1;
  const groups: Group[] = [];
  for (const item of all) {
    const prev = groups[groups.length - 1];
    let holders: HolderRange | undefined;
    const along =
      prev !== undefined &&
      index(item) === prev.lastIndex! + 1 &&
      (sameShape(prev.item, item) ||
        // Unlike from the first line (inputs of a few kinds, interleaved):
        // known without drawing either.
        (coarseKey(prev.item) === coarseKey(item) &&
          ((shape: string): boolean =>
            shape === (prev.shape ??= shapeOf(prev.item)) ||
            // Alike but for the index of where each is kept, one more each.
            (prev.count === 1 || prev.holders !== undefined
              ? (holders = holdersAlong(prev, shape)) !== undefined
              : false))(shapeOf(item))));
    if (along) {
      prev.count++;
      prev.lastIndex = index(item);
      prev.stuck += stuckIn(item);
      if (holders !== undefined) prev.holders = holders;
    } else {
      groups.push({
        item,
        count: 1,
        first: index(item),
        lastIndex: index(item),
        stuck: stuckIn(item),
      });
    }
  }
  return groups;
}

/**
 * The group's holder range with an input of this shape, when the two read
 * alike but for their holders' indices (holder-ranges.ts).
 */
function holdersAlong(g: Group, shape: string): HolderRange | undefined {
  const first = g.shape!;
  if (withoutHolderIndices(first) !== withoutHolderIndices(shape))
    return undefined;
  const r = g.holders ?? {
    first: holderIndices(first),
    last: holderIndices(first),
  };
  return extendRange(r, holderIndices(shape));
}
