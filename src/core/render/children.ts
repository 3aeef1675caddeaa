/**
 * The tree's branches as lines: a node's frame, the leaves it waits on, its
 * children; inputs of a combinator in index order, runs of inputs or leaves
 * stuck the same way drawn once (`[0–99] 100×`), a library's frames in a row
 * as one line with their count.
 */
import {GLYPHS} from '../glyphs';
import type {Frame, Leaf, TreeNode} from '../types';
import {
  type Drawn,
  type Group,
  type Item,
  DEFAULT_MAX_ALIKE,
  capAlike,
  collapse,
  moreText,
} from './alike';
import {leafLine, leafText, pushLeaf} from './leaf';
import {drawRange} from './holder-ranges';
import {type Line, PLAIN, emit, frameParts, line} from './lines';
import {sameLeaf, sameShape} from './same';

/** Whether every leaf of `node`'s subtree is an aside (and it has one). */
function onlyAsides(node: TreeNode): boolean {
  const leaves: Leaf[] = [];
  const walk = (n: TreeNode): void => {
    leaves.push(...n.leaves);
    n.children.forEach(walk);
  };
  walk(node);
  return leaves.length > 0 && leaves.every(l => l.aside === true);
}

/**
 * `maxAlike`: inputs of a combinator stuck alike drawn (see alike.ts), the
 * rest counted.
 */
export function renderChildren(
  node: TreeNode,
  prefix: string,
  lines: Line[],
  rootFrame: Frame | null = null,
  maxAlike = DEFAULT_MAX_ALIKE,
): void {
  const at = node.frame ?? rootFrame;
  // A promise that waits on the branches below it comes first, as their
  // heading; the other leaves come after the children, since they end the
  // branch here. Those that read the same (made in a loop) are drawn once, as
  // `3×`.
  const waiting = node.leaves.filter(l => l.waiting === true);
  const runs: Array<{leaf: Leaf; n: number}> = [];
  for (let k = 0; k < waiting.length;) {
    let n = 1;
    while (k + n < waiting.length && sameLeaf(waiting[k], waiting[k + n])) n++;
    runs.push({leaf: waiting[k], n});
    k += n;
  }
  // Leaves of different kinds or places that wait at one frame (a socket and
  // a promise): which of the branches below each waits on is not drawn, so
  // none says "it waits on". Those made at one place (in a loop) wait alike.
  // With no branch below them either (a server with no 'connection' listener
  // drawn under the client's socket, beside it), none says it; nor when a
  // branch below holds nothing but asides (a timer a socket's 'connect'
  // callback started, which no stuck promise waits on): "it waits on" would
  // cover that one too.
  const apart =
    node.children.length === 0 ||
    node.children.some(onlyAsides) ||
    waiting.some(
      l =>
        l.kind !== waiting[0].kind ||
        !samePlace(l.createdAt, waiting[0].createdAt),
    );
  for (const {leaf, n} of runs) {
    let text = leafLine(leaf, at);
    if (n > 1) text = text.replace(/^(\S+ )/, `$1${n}× `);
    text = text.replace(
      /; it waits on:$/,
      apart ? '' : n > 1 ? '; they wait on:' : '; it waits on:',
    );
    pushLeaf(lines, leaf, text, prefix);
  }
  const all: Item[] = [
    ...node.children.map(n => ({node: n})),
    ...node.leaves.filter(l => l.waiting !== true).map(l => ({leaf: l})),
  ];
  // Under a combinator, inputs are in index order, whether they are calls or
  // plain promises, and runs of inputs that are stuck the same way are drawn
  // once, as `[0–99] 100×`. Elsewhere, leaves that read the same (made in a
  // loop at one line) are drawn once, as `3×`.
  const indexOf = (x: Item): number =>
    x.node?.frame?.combinator?.index ?? x.leaf?.input?.index ?? Infinity;
  // A combinator's label, or a combinator that is an input of another.
  const underCombinator =
    node.frame === null
      ? node.label?.startsWith('Promise.') === true
      : node.frame.combinator !== undefined &&
        /^Promise\.(all|allSettled|any|race)$/.test(node.frame.name);
  if (underCombinator) all.sort((a, b) => indexOf(a) - indexOf(b));
  const drawn: Drawn[] = underCombinator
    ? capAlike(
        collapse(all, x => shapeOf(x, at, maxAlike)),
        maxAlike,
        {
          same: sameShape,
          text: g => (g.shape ??= shapeOf(g.item, at, maxAlike)),
        },
      )
    : collapseSame(all, at).map(group => ({group}));
  const leavesAfter = onlyLeavesAfter(drawn.map(d => d.group?.item));
  drawn.forEach((d, i) => {
    const end = i === drawn.length - 1 || leavesAfter[i];
    if (d.more !== undefined) {
      lines.push(
        line(
          prefix,
          [['dim', moreText(d.more)]],
          end ? GLYPHS.last : GLYPHS.branch,
          prefix + (end ? GLYPHS.space : GLYPHS.pipe) + '  ',
        ),
      );
      return;
    }
    const g = d.group;
    const item = g.item;
    const range =
      g.count > 1
        ? g.first === null
          ? `${g.count}× `
          : `[${g.first}–${g.lastIndex}] ${g.count}× `
        : null;
    if (item.leaf !== undefined) {
      // A combinator's input gets a connector like its sibling inputs; other
      // leaves hang under their frame without one: they are what the frame
      // waits on.
      const connector =
        item.leaf.input !== undefined
          ? end
            ? GLYPHS.last
            : GLYPHS.branch
          : '';
      const text = leafLine(
        range !== null ? {...item.leaf, input: undefined} : item.leaf,
        at,
      );
      const cont =
        prefix +
        (connector === '' ? '' : end ? GLYPHS.space : GLYPHS.pipe) +
        '  ';
      const from = lines.length;
      pushLeaf(
        lines,
        item.leaf,
        range !== null ? text.replace(/^(\S+ )/, `$1${range}`) : text,
        prefix,
        connector,
        cont,
      );
      if (g.holders !== undefined) drawRange(lines, from, g.holders);
      return;
    }
    const from = lines.length;
    drawNode(item.node!, range, end, prefix, lines, maxAlike);
    if (g.holders !== undefined) drawRange(lines, from, g.holders);
  });
}

/** An input's or child's node, with its range (`[0–9] 10× `) if drawn once. */
function drawNode(
  node: TreeNode,
  range: string | null,
  end: boolean,
  prefix: string,
  lines: Line[],
  maxAlike: number,
): void {
  let n = node;
  const childPrefix = prefix + (end ? GLYPHS.space : GLYPHS.pipe);
  const parts: Line['parts'] = n.frame
    ? frameParts(
        range !== null ? {...n.frame, combinator: undefined} : n.frame,
        range,
      )
    : [['dim', n.label ?? '']];
  // A function that called itself, at the same line, frame after frame (a
  // recursive walk or paginator): one line. Not counted: nested calls from
  // one line are matched to their frames by a guess that can repeat frames
  // (graph/calls.ts), so the number of frames is no number of calls.
  const nested = recursionRun(n);
  if (nested.length >= RECURSION_RUN) {
    parts.push(['dim', '(recursive: it calls itself here)']);
    n = nested[nested.length - 1];
  }
  lines.push(
    line(prefix, parts, end ? GLYPHS.last : GLYPHS.branch, childPrefix + '  '),
  );
  // A library's (or Node's) frames in a row, one calling the next, are one
  // line with their count: the first is where the user's code called in, the
  // last where the library waits.
  const run = libraryRun(n);
  if (run.length >= LIBRARY_RUN) {
    const packages = [
      ...new Set(run.slice(1, -1).map(x => libraryOf(x.frame!.file))),
    ].join(', ');
    lines.push(
      line(
        childPrefix,
        [['dim', `${GLYPHS.hidden}${run.length - 2} frames in ${packages}`]],
        GLYPHS.last,
        childPrefix + GLYPHS.space + '  ',
      ),
    );
    n = run[run.length - 1];
    const innerPrefix = childPrefix + GLYPHS.space;
    lines.push(
      line(
        innerPrefix,
        frameParts(n.frame!),
        GLYPHS.last,
        innerPrefix + GLYPHS.space + '  ',
      ),
    );
    renderChildren(n, innerPrefix + GLYPHS.space, lines, null, maxAlike);
    return;
  }
  renderChildren(n, childPrefix, lines, null, maxAlike);
}

/**
 * Frames in a row this long (or longer) of one library or of Node show only
 * their ends.
 */
const LIBRARY_RUN = 4;

/**
 * The package a file belongs to (`pg`, `@scope/name`, `node:events`), or null
 * for the user's code.
 */
export function libraryOf(file: string): string | null {
  if (file.startsWith('node:')) return 'node';
  // The innermost node_modules: a dependency of a dependency is that package's
  // frame.
  const parts = file.split(/[\\/]/);
  const at = parts.lastIndexOf('node_modules');
  if (at === -1 || at + 1 >= parts.length) return null;
  return parts[at + 1].startsWith('@') && at + 2 < parts.length
    ? `${parts[at + 1]}/${parts[at + 2]}`
    : parts[at + 1];
}

/**
 * The chain of library frames starting at `n`: each the only thing under the
 * one before (no leaf, no other branch, no combinator input), all outside the
 * user's code.
 */
/** Frames of one function at one line in a row this long are counted. */
const RECURSION_RUN = 3;

/**
 * `n` and its only children after it that are the same frame (function,
 * file, line and column), each with nothing else below it.
 */
function recursionRun(n: TreeNode): TreeNode[] {
  const f = n.frame;
  const run = [n];
  if (f === null) return run;
  let cur = n;
  while (cur.leaves.length === 0 && cur.children.length === 1) {
    const next = cur.children[0].frame;
    if (
      next === null ||
      next.combinator !== undefined ||
      next.name !== f.name ||
      next.file !== f.file ||
      next.line !== f.line ||
      next.column !== f.column
    )
      break;
    cur = cur.children[0];
    run.push(cur);
  }
  return run;
}

function libraryRun(n: TreeNode): TreeNode[] {
  const run: TreeNode[] = [];
  let cur: TreeNode | undefined = n;
  while (
    cur !== undefined &&
    cur.frame !== null &&
    libraryOf(cur.frame.file) !== null &&
    (run.length === 0 || cur.frame.combinator === undefined)
  ) {
    run.push(cur);
    if (cur.leaves.length > 0 || cur.children.length !== 1) break;
    cur = cur.children[0];
  }
  return run;
}

function shapeOf(item: Item, at: Frame | null, maxAlike: number): string {
  if (item.leaf !== undefined)
    return `leaf ${leafText({...item.leaf, input: undefined}, at)}`;
  const n = item.node!;
  const lines: Line[] = [
    line(
      '',
      n.frame
        ? frameParts({...n.frame, combinator: undefined})
        : [[null, n.label ?? '']],
    ),
  ];
  renderChildren(n, '', lines, null, maxAlike);
  return lines.flatMap(l => emit(l, PLAIN, undefined)).join('\n');
}

/**
 * Leaves (not combinator inputs) whose lines read the same, as one group each,
 * in first-seen order.
 */
function collapseSame(all: Item[], at: Frame | null): Group[] {
  const groups: Group[] = [];
  const byText = new Map<string, Group>();
  // The last leaf counted, and its group: a leaf with the same data reads the
  // same.
  let last: Leaf | undefined;
  let lastGroup: Group | undefined;
  for (const item of all) {
    if (item.leaf === undefined || item.leaf.input !== undefined) {
      groups.push({item, count: 1, first: null, lastIndex: null, stuck: 0});
      continue;
    }
    if (last !== undefined && sameLeaf(last, item.leaf)) {
      lastGroup!.count++;
      continue;
    }
    last = item.leaf;
    const text = leafText(item.leaf, at);
    const same = byText.get(text);
    if (same !== undefined) {
      same.count++;
      lastGroup = same;
      continue;
    }
    const g: Group = {item, count: 1, first: null, lastIndex: null, stuck: 0};
    byText.set(text, g);
    groups.push(g);
    lastGroup = g;
  }
  return groups;
}

/**
 * For each item, whether all the items after it are leaves (not combinator
 * inputs).
 */
function onlyLeavesAfter(all: Array<Item | undefined>): boolean[] {
  const out: boolean[] = new Array(all.length);
  let only = true;
  for (let i = all.length - 1; i >= 0; i--) {
    out[i] = only;
    const leaf = all[i]?.leaf;
    only = only && leaf !== undefined && leaf.input === undefined;
  }
  return out;
}

/** Whether two leaves were made at one place (or neither's is known). */
function samePlace(a: Frame | null, b: Frame | null): boolean {
  return (
    a === b ||
    (a !== null &&
      b !== null &&
      a.file === b.file &&
      a.line === b.line &&
      a.column === b.column)
  );
}
