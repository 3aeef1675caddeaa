/**
 * Knitting branches into one tree, the way tokio's `tree.rs` does: every leaf brings its
 * root-first path, and paths are merged by (frame, parent path).
 *
 * Frames merge by function, file and line, not column: a stack recorded before a
 * function's first `await` shows the call it is in, one recorded after shows the `await`,
 * and both are the same suspended line. The merged node shows the `await` position.
 */
import type {Frame, Leaf, TaskDump, TreeNode} from './types';

const DETACHED_LABEL = 'async chain broken by a callback: created in one, not traced back to the body';

function frameKey(f: Frame): string {
  return `${f.name}@${f.file}:${f.line}#${f.combinator?.index ?? ''}`;
}

/**
 * {@link frameKey}, built once per distinct frame rather than once per leaf (a dump of 10 000
 * leaves has some 40 000 frames): looked up by the frame's parts, which V8 and the dump share
 * between frames, so that their hashes are already known.
 */
function frameKeys(): (f: Frame) => string {
  const byFile = new Map<string, Map<string, Map<number, Map<number | undefined, string>>>>();
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

function child(parent: TreeNode, key: string, make: () => TreeNode, keys: WeakMap<TreeNode, Map<string, TreeNode>>): TreeNode {
  let byKey = keys.get(parent);
  if (byKey === undefined) keys.set(parent, (byKey = new Map()));
  let node = byKey.get(key);
  if (node === undefined) {
    node = make();
    byKey.set(key, node);
    parent.children.push(node);
  }
  return node;
}

/**
 * Builds the merged tree of a dump. The returned root node stands for the test or hook.
 *
 * @example
 * const tree = buildTree(dump);
 * const branches = tree.children.length; // frames (or combinators) right under the body
 */
export function buildTree(dump: Pick<TaskDump, 'leaves'>): TreeNode {
  const root: TreeNode = {frame: null, children: [], leaves: []};
  const keys = new WeakMap<TreeNode, Map<string, TreeNode>>();
  const combinator = (node: TreeNode, name: string): TreeNode =>
    child(node, `combinator:${name}`, () => ({frame: null, label: name, children: [], leaves: []}), keys);
  const keyOf = frameKeys();
  for (const leaf of dump.leaves) {
    let node = root;
    if (leaf.detached) {
      node = child(node, 'detached', () => ({frame: null, label: DETACHED_LABEL, children: [], leaves: []}), keys);
    }
    for (const frame of leaf.path) {
      if (frame.combinator !== undefined) node = combinator(node, frame.combinator.name);
      node = child(node, keyOf(frame), () => ({frame: {...frame}, children: [], leaves: []}), keys);
      // Prefer the position of the `await` (an async frame) over that of a call.
      if (frame.async && !node.frame!.async) node.frame = {...frame};
    }
    if (leaf.input !== undefined) node = combinator(node, leaf.input.name);
    node.leaves.push(leaf);
  }
  sortTree(root);
  return root;
}

/** Branches that are stuck (promises waiting on a branch below them are not counted). */
export function stuckLeaves(dump: Pick<TaskDump, 'leaves'>): Leaf[] {
  return dump.leaves.filter(l => l.waiting !== true && l.busy !== true);
}

function order(n: TreeNode): [number, number, number, string] {
  const f = n.frame;
  if (f === null) return [n.label === DETACHED_LABEL ? 2 : 0, 0, 0, n.label ?? ''];
  return [1, f.combinator?.index ?? -1, f.line * 1e6 + f.column, f.file];
}

function sortTree(node: TreeNode): void {
  // Ordered by keys made once per child, not per comparison (a combinator may have thousands).
  if (node.children.length > 1) {
    const keyed = node.children.map(n => ({n, k: order(n)}));
    keyed.sort(({k: x}, {k: y}) => {
      for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
      return 0;
    });
    for (let i = 0; i < keyed.length; i++) node.children[i] = keyed[i].n;
  }
  node.leaves.sort((a, b) => (a.input?.index ?? -1) - (b.input?.index ?? -1));
  for (const c of node.children) sortTree(c);
}

/** Leaves are kept on the node of the frame that created them. */
export type {Leaf};
