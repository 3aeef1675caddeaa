/**
 * Knitting branches into one tree, the way tokio's `tree.rs` does: every leaf
 * brings its root-first path, and paths are merged by (frame, parent path).
 *
 * Frames merge by function, file and line, not column: a stack recorded before
 * a function's first `await` shows the call it is in, one recorded after shows
 * the `await`, and both are the same suspended line. The merged node shows the
 * `await` position.
 */
import type {Frame, Leaf, TaskDump, TreeNode} from './types';

const DETACHED_LABEL =
  'async chain broken by a callback: created in one, not traced back to the body';

/** The group of detached branches whose stacks ran out at `frames`. */
function cutLabel(frames: number): string {
  return `stack cut at ${frames} frames (raise maxFrames): not traced back to the body`;
}

const isDetachedLabel = (label: string | undefined): boolean =>
  label === DETACHED_LABEL || (label?.startsWith('stack cut at ') ?? false);

export function frameKey(f: Frame): string {
  return `${f.name}@${f.file}:${f.line}#${f.combinator?.index ?? ''}`;
}

/**
 * {@link frameKey}, built once per distinct frame rather than once per leaf (a
 * dump of 10 000 leaves has some 40 000 frames): looked up by the frame's
 * parts, which V8 and the dump share between frames, so that their hashes are
 * already known.
 */
function frameKeys(): (f: Frame) => string {
  const byFile = new Map<
    string,
    Map<string, Map<number, Map<number | undefined, string>>>
  >();
  return f => {
    let byName = byFile.get(f.file);
    if (byName === undefined) byFile.set(f.file, (byName = new Map()));
    let byLine = byName.get(f.name);
    if (byLine === undefined) byName.set(f.name, (byLine = new Map()));
    let byIndex = byLine.get(f.line);
    if (byIndex === undefined) byLine.set(f.line, (byIndex = new Map()));
    // `null` and `undefined` indices both print as ''.
    const index = f.combinator?.index ?? undefined;
    let k = byIndex.get(index);
    if (k === undefined) byIndex.set(index, (k = frameKey(f)));
    return k;
  };
}

/**
 * A node while the tree is built, with its children by key: most nodes of a big
 * dump have one child (a chain of calls), kept without a Map.
 */
interface Building {
  node: TreeNode;
  onlyKey: string | undefined;
  only: Building | undefined;
  byKey: Map<string, Building> | undefined;
}

function child(parent: Building, key: string, make: () => TreeNode): Building {
  if (parent.onlyKey === key) return parent.only!;
  let b = parent.byKey?.get(key);
  if (b === undefined) {
    b = {node: make(), onlyKey: undefined, only: undefined, byKey: undefined};
    if (parent.only === undefined) {
      parent.onlyKey = key;
      parent.only = b;
    } else {
      (parent.byKey ??= new Map()).set(key, b);
    }
    parent.node.children.push(b.node);
  }
  return b;
}

const COMBINATOR_KEYS = new Map<string, string>();

/**
 * Builds the merged tree of a dump. The returned root node stands for the test
 * or hook.
 *
 * @example
 * const tree = buildTree(dump);
 * // frames (or combinators) right under the body:
 * const branches = tree.children.length;
 */
export function buildTree(dump: Pick<TaskDump, 'leaves'>): TreeNode {
  const root: TreeNode = {frame: null, children: [], leaves: []};
  const top: Building = {
    node: root,
    onlyKey: undefined,
    only: undefined,
    byKey: undefined,
  };
  const combinator = (b: Building, name: string): Building => {
    // A combinator that is itself an input is a frame named after it: its
    // inputs hang under that frame, without a label of their own.
    if (b.node.frame?.name === name && b.node.frame.combinator !== undefined)
      return b;
    let key = COMBINATOR_KEYS.get(name);
    if (key === undefined)
      COMBINATOR_KEYS.set(name, (key = `combinator:${name}`));
    return child(b, key, () => ({
      frame: null,
      label: name,
      children: [],
      leaves: [],
    }));
  };
  const keyOf = frameKeys();
  // Leaves of one dump share the Frame objects of their common callers (a
  // branch walked once for all the leaves below it): where a path starts with
  // the very frames of the one before, it goes down the same nodes, found
  // without a key.
  let previous: Leaf | undefined;
  const along: Building[] = [];
  for (const leaf of dump.leaves) {
    let b = top;
    if (leaf.detached) {
      const {cut} = leaf;
      b = child(b, cut === undefined ? 'detached' : `cut ${cut}`, () => ({
        frame: null,
        label: cut === undefined ? DETACHED_LABEL : cutLabel(cut),
        children: [],
        leaves: [],
      }));
    }
    const path = leaf.path;
    let i = 0;
    if (previous !== undefined && previous.detached === leaf.detached) {
      const before = previous.path;
      const common = Math.min(before.length, path.length);
      while (i < common && path[i] === before[i]) i++;
      if (i > 0) b = along[i - 1];
    }
    for (; i < path.length; i++) {
      const frame = path[i];
      if (frame.combinator !== undefined)
        b = combinator(b, frame.combinator.name);
      b = child(b, keyOf(frame), () => ({
        frame: {...frame},
        children: [],
        leaves: [],
      }));
      // Prefer the position of the `await` (an async frame) over that of a
      // call.
      if (frame.async && !b.node.frame!.async) b.node.frame = {...frame};
      along[i] = b;
    }
    previous = leaf;
    if (leaf.input !== undefined) b = combinator(b, leaf.input.name);
    b.node.leaves.push(leaf);
  }
  sortTree(root);
  return root;
}

/**
 * Branches that are stuck (promises waiting on a branch below them, or on
 * another input's, are not counted, nor what is shown beside them: a timer
 * firing before long, one set aside, a timeout on a wait, an idle server).
 */
export function stuckLeaves(dump: Pick<TaskDump, 'leaves'>): Leaf[] {
  return dump.leaves.filter(isStuckLeaf);
}

/**
 * What is stuck: the stuck leaves, those of one thing several branches wait
 * on ({@link Leaf.shared}) once, the first.
 */
export function stuckThings(dump: Pick<TaskDump, 'leaves'>): Leaf[] {
  const seen = new Set<number>();
  return stuckLeaves(dump).filter(
    l =>
      l.shared === undefined || (!seen.has(l.shared) && !!seen.add(l.shared)),
  );
}

/** Whether a leaf is a stuck branch (see {@link stuckLeaves}). */
export function isStuckLeaf(l: Leaf): boolean {
  return (
    (l.waiting !== true || l.heldElsewhere === true) &&
    l.waitsWithInput === undefined &&
    l.waitsWithShared !== true &&
    l.waitsOnAbove === undefined &&
    l.waitsOnBeside === undefined &&
    l.waitsOnUnder === undefined &&
    l.aside !== true &&
    l.guards === undefined &&
    l.busy !== true &&
    l.idle !== true
  );
}

function order(n: TreeNode): [number, number, number, string] {
  const f = n.frame;
  if (f === null)
    return [isDetachedLabel(n.label) ? 2 : 0, 0, 0, n.label ?? ''];
  return [1, f.combinator?.index ?? -1, f.line * 1e6 + f.column, f.file];
}

function sortTree(node: TreeNode): void {
  // Ordered by keys made once per child, not per comparison (a combinator may
  // have thousands).
  if (node.children.length > 1) {
    const keyed = node.children.map(n => ({n, k: order(n)}));
    keyed.sort(({k: x}, {k: y}) => {
      for (let i = 0; i < x.length; i++)
        if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
      return 0;
    });
    for (let i = 0; i < keyed.length; i++) node.children[i] = keyed[i].n;
  }
  if (node.leaves.length > 1)
    node.leaves.sort((a, b) => (a.input?.index ?? -1) - (b.input?.index ?? -1));
  for (const c of node.children) sortTree(c);
}

/** Leaves are kept on the node of the frame that created them. */
export type {Leaf};
