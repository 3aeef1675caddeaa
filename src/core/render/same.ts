/**
 * Whether two branches or leaves of the tree read the same, told from their
 * data field by field, without drawing them: the renderer draws runs of
 * inputs or leaves that read the same once (`[0–99] 100×`, `3×`), and drawing
 * each one to compare them would cost more than the whole dump.
 */
import type {Frame, Leaf, TreeNode} from '../types';
import type {Item} from './alike';
import {wakerLine} from './leaf';

/**
 * Whether two items render the same (children.ts draws both): every field
 * rendering reads (and a few more) is equal. False says nothing (the shapes
 * are then compared as text).
 */
export function sameShape(a: Item, b: Item): boolean {
  if (a.leaf !== undefined || b.leaf !== undefined)
    return (
      a.leaf !== undefined &&
      b.leaf !== undefined &&
      sameLeaf(a.leaf, b.leaf, false)
    );
  return sameNode(a.node!, b.node!, false);
}

function sameNode(a: TreeNode, b: TreeNode, withCombinator = true): boolean {
  if (
    a.label !== b.label ||
    a.leaves.length !== b.leaves.length ||
    a.children.length !== b.children.length
  )
    return false;
  if (
    a.frame === null || b.frame === null
      ? a.frame !== b.frame
      : !sameFrame(a.frame, b.frame, withCombinator)
  )
    return false;
  for (let i = 0; i < a.leaves.length; i++)
    if (!sameLeaf(a.leaves[i], b.leaves[i])) return false;
  for (let i = 0; i < a.children.length; i++)
    if (!sameNode(a.children[i], b.children[i])) return false;
  return true;
}

/**
 * Whether two leaves read the same ({@link leafText}, at one place: their line
 * and their waker's); `withInput`: in their input's index too.
 */
export function sameLeaf(a: Leaf, b: Leaf, withInput = true): boolean {
  if (
    a.kind !== b.kind ||
    a.what !== b.what ||
    a.waiting !== b.waiting ||
    a.waitsWithInput !== b.waitsWithInput ||
    a.waitsWithShared !== b.waitsWithShared ||
    a.waitsOnAbove !== b.waitsOnAbove ||
    a.waitsOnBeside !== b.waitsOnBeside ||
    a.waitsOnUnder?.kind !== b.waitsOnUnder?.kind ||
    a.waitsOnUnder?.combinator !== b.waitsOnUnder?.combinator ||
    a.waitsOnUnder?.index !== b.waitsOnUnder?.index ||
    a.aside !== b.aside ||
    a.asideWith !== b.asideWith ||
    a.busy !== b.busy ||
    (a.guards === undefined) !== (b.guards === undefined)
  )
    return false;
  // Wakers are found for a few promises only: their lines are compared as text.
  if (
    (a.waker !== b.waker || a.wakerSkipped !== b.wakerSkipped) &&
    wakerLine(a) !== wakerLine(b)
  )
    return false;
  if (
    withInput &&
    (a.input === undefined || b.input === undefined
      ? a.input !== b.input
      : a.input.name !== b.input.name || a.input.index !== b.input.index)
  )
    return false;
  return a.createdAt === null || b.createdAt === null
    ? a.createdAt === b.createdAt
    : sameFrame(a.createdAt, b.createdAt, true);
}

function sameStrings(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Two frames read the same (a dump's that came through JSON included). */
export function sameFrame(
  a: Frame,
  b: Frame,
  withCombinator: boolean,
): boolean {
  if (
    a.name !== b.name ||
    a.file !== b.file ||
    a.line !== b.line ||
    a.column !== b.column ||
    a.async !== b.async
  )
    return false;
  if (
    a.via === undefined || b.via === undefined
      ? a.via !== b.via
      : a.via.frames !== b.via.frames ||
        !sameStrings(a.via.packages, b.via.packages)
  )
    return false;
  if (!withCombinator) return true;
  const x = a.combinator;
  const y = b.combinator;
  return x === undefined || y === undefined
    ? x === y
    : x.name === y.name && x.index === y.index;
}
