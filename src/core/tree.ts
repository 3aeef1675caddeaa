/**
 * Knitting branches into one tree, the way tokio's `tree.rs` does: every leaf brings its
 * root-first path, and paths are merged by (frame, parent path).
 */
import type {Frame, Leaf, TaskDump, TreeNode} from './types';

const DETACHED_LABEL = 'async chain broken by a callback: created in it, but not awaited from the test body';

function frameKey(f: Frame): string {
  return `${f.name}@${f.file}:${f.line}:${f.column}#${f.combinator?.index ?? ''}`;
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

/** Builds the merged tree of a dump. The returned root node stands for the test or hook. */
export function buildTree(dump: Pick<TaskDump, 'leaves'>): TreeNode {
  const root: TreeNode = {frame: null, children: [], leaves: []};
  const keys = new WeakMap<TreeNode, Map<string, TreeNode>>();
  for (const leaf of dump.leaves) {
    let node = root;
    if (leaf.detached) {
      node = child(node, 'detached', () => ({frame: null, label: DETACHED_LABEL, children: [], leaves: []}), keys);
    }
    for (const frame of leaf.path) {
      if (frame.combinator !== undefined) {
        const {name} = frame.combinator;
        node = child(node, `combinator:${name}`, () => ({frame: null, label: name, children: [], leaves: []}), keys);
      }
      node = child(node, frameKey(frame), () => ({frame, children: [], leaves: []}), keys);
    }
    node.leaves.push(leaf);
  }
  sortTree(root);
  return root;
}

function order(n: TreeNode): [number, number, number, string] {
  const f = n.frame;
  if (f === null) return [n.label === DETACHED_LABEL ? 2 : 0, 0, 0, n.label ?? ''];
  return [1, f.combinator?.index ?? -1, f.line * 1e6 + f.column, f.file];
}

function sortTree(node: TreeNode): void {
  node.children.sort((a, b) => {
    const x = order(a);
    const y = order(b);
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
    return 0;
  });
  for (const c of node.children) sortTree(c);
}

/** Leaves are kept on the node of the frame that created them. */
export type {Leaf};
