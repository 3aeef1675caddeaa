/**
 * Rendering a dump as text. Pure: colours and width are parameters, the terminal is
 * never read here. A real dump (the seed fixture, `fixtures/seed`):
 *
 * ```
 * Task dump: 2 branches stuck after 301 ms (2 promises)
 *
 * ╼ test "hangs" at test/hang.test.ts:3:35
 * └╼ foo at src/tasks.ts:7:39
 *    └╼ bar at src/tasks.ts:6:30
 *       └╼ Promise.all
 *          ├╼ [0] fiz at src/tasks.ts:3:30
 *          │  └╼ pending at src/tasks.ts:2:34
 *          │     ⏸ promise, never settled
 *          └╼ [1] buz at src/tasks.ts:5:30
 *             └╼ baz at src/tasks.ts:4:30
 *                └╼ pending at src/tasks.ts:2:34
 *                   ⏸ promise, never settled
 * ```
 */
import {GLYPHS} from './glyphs';
import {buildTree, stuckLeaves} from './tree';
import type {FakeClock, Frame, Leaf, TaskDump, TreeNode} from './types';

/** Styles applied to parts of the text (identity functions when colour is off). */
export interface RenderStyles {
  dim: (s: string) => string;
  leaf: (s: string) => string;
  title: (s: string) => string;
}

export interface RenderOptions {
  styles?: Partial<RenderStyles>;
}

const plain = (s: string): string => s;

function position(f: Frame): string {
  return `${f.file}:${f.line}:${f.column}`;
}

function frameLabel(f: Frame): string {
  const index = f.combinator !== undefined && f.combinator.index !== null ? `[${f.combinator.index}] ` : '';
  return `${index}${f.name} at ${position(f)}`;
}

function rootLabel(dump: TaskDump): string {
  const what = rootTitle(dump);
  if (dump.rootFrame) return `${what} at ${position(dump.rootFrame)}`;
  return dump.testPath ? `${what} in ${dump.testPath}` : what;
}

/** `test "a › b"`, `beforeAll hook in "db"`, `afterEach hook for "db › inserts"`. */
export function rootTitle(dump: Pick<TaskDump, 'rootType' | 'rootName'>): string {
  if (dump.rootType === 'test') return `test "${dump.rootName}"`;
  if (dump.rootType === 'traced') return dump.rootName ? `traced "${dump.rootName}"` : 'traced call';
  if (!dump.rootName) return `${dump.rootType} hook`;
  return `${dump.rootType} hook ${dump.rootType.endsWith('Each') ? 'for' : 'in'} "${dump.rootName}"`;
}

function leafLine(leaf: Leaf, at: Frame | null): string {
  const glyph = leaf.kind === 'promise' ? GLYPHS.promise : leaf.kind === 'socket' || leaf.kind === 'server' ? GLYPHS.io : leaf.kind === 'child-process' ? GLYPHS.process : GLYPHS.timer;
  const index = leaf.input !== undefined && leaf.input.index !== null ? `[${leaf.input.index}] ` : '';
  const c = leaf.createdAt;
  const elsewhere = c !== null && (at === null || at.file !== c.file || at.line !== c.line);
  const created = elsewhere ? `; created ${c.name !== '<anonymous>' ? `in ${c.name} ` : ''}at ${position(c)}` : '';
  const waits = leaf.waiting === true ? '; it waits on:' : '';
  return `${glyph}${index}${leaf.what}${created}${waits}`;
}

function explainFakeTimers(f: FakeClock): string {
  const n = `${f.pending} fake timer${f.pending === 1 ? ' is' : 's are'} pending`;
  const next = f.nextDueInMs === null ? '' : f.nextDueInMs === 0 ? ', the next one already due' : `, the next one due in ${f.nextDueInMs} ms of fake time`;
  const advance = f.nextDueInMs !== null && f.nextDueInMs > 0 ? `jest.advanceTimersByTime(${f.nextDueInMs})` : 'jest.runOnlyPendingTimers()';
  return (
    `Fake timers (${f.kind}) are installed and ${n}${next}; nothing advanced the fake clock. ` +
    `A promise waiting on one settles only after ${advance}, await jest.runAllTimersAsync(), or with real timers (jest.useRealTimers()).`
  );
}

function kindOf(dump: Pick<TaskDump, 'rootType'>): string {
  return dump.rootType === 'test' ? 'test' : dump.rootType === 'traced' ? 'traced call' : 'hook';
}

/** One line summing up a dump: how many branches, of which kinds, for how long. */
export function summarize(dump: TaskDump): string {
  const stuck = stuckLeaves(dump);
  const n = stuck.length;
  const counts = new Map<string, number>();
  for (const l of stuck) counts.set(l.kind, (counts.get(l.kind) ?? 0) + 1);
  const kinds = [...counts].map(([k, c]) => `${c} ${k === 'child-process' ? 'child process' : k}${c === 1 ? '' : k === 'child-process' ? 'es' : 's'}`).join(', ');
  const after = dump.elapsedMs > 0 ? ` after ${dump.elapsedMs} ms` : '';
  if (n === 0) return `Task dump: nothing under this ${kindOf(dump)} is pending${after}`;
  return `Task dump: ${n} branch${n === 1 ? '' : 'es'} stuck${after} (${kinds})`;
}

function explainEmpty(dump: TaskDump): string {
  return dump.waitsForDone
    ? `The ${kindOf(dump)} takes a \`done\` callback that was never called, and nothing it started is still pending.`
    : 'Nothing it created is still pending: it may wait on something created before it started (a module-level promise, an earlier hook).';
}

/** Renders the whole dump: a summary line, then the merged tree. */
export function renderDump(dump: TaskDump, options: RenderOptions = {}): string {
  const st: RenderStyles = {dim: plain, leaf: plain, title: plain, ...options.styles};
  const lines: string[] = [st.title(summarize(dump)), ''];
  lines.push(GLYPHS.root + rootLabel(dump));
  const tree = buildTree(dump);
  if (dump.leaves.length === 0) {
    lines.push(`${GLYPHS.last}${st.dim(explainEmpty(dump))}`);
  } else {
    renderChildren(tree, '', lines, st, dump.rootFrame);
  }
  if (dump.waitsForDone && dump.leaves.length > 0) {
    lines.push('', st.dim(`The ${kindOf(dump)} takes a \`done\` callback that was never called.`));
  }
  if (dump.fakeTimers && dump.fakeTimers.pending > 0) lines.push('', st.dim(explainFakeTimers(dump.fakeTimers)));
  if (dump.affects && dump.affects.length > 0) {
    const shown = dump.affects.slice(0, 5).map(n => `"${n}"`).join(', ');
    const more = dump.affects.length > 5 ? ` and ${dump.affects.length - 5} more` : '';
    lines.push('', st.dim(`It failed ${dump.affects.length === 1 ? 'the test' : `${dump.affects.length} tests`}: ${shown}${more}.`));
  }
  if (dump.sharedWith && dump.sharedWith.length > 0) {
    lines.push('', st.dim(`Concurrent tests share one record: this dump also shows what ${dump.sharedWith.map(n => `"${n}"`).join(', ')} left pending.`));
  }
  if (dump.unrecorded > 0) {
    lines.push('', st.dim(`${dump.unrecorded} promise(s) were created while stack capture was over its budget; branches through them may be missing.`));
  }
  return lines.join('\n');
}

function renderChildren(node: TreeNode, prefix: string, lines: string[], st: RenderStyles, rootFrame: Frame | null = null): void {
  const at = node.frame ?? rootFrame;
  // A promise that waits on the branches below it comes first, as their heading; the
  // other leaves come after the children, since they end the branch here.
  for (const l of node.leaves) if (l.waiting === true) lines.push(prefix + st.leaf(leafLine(l, at)));
  const all: Item[] = [
    ...node.children.map(n => ({node: n})),
    ...node.leaves.filter(l => l.waiting !== true).map(l => ({leaf: l})),
  ];
  // Under a combinator, inputs are in index order, whether they are calls or plain promises,
  // and runs of inputs that are stuck the same way are drawn once, as `[0–99] 100×`.
  const indexOf = (x: Item): number => x.node?.frame?.combinator?.index ?? x.leaf?.input?.index ?? Infinity;
  const underCombinator = node.frame === null && node.label?.startsWith('Promise.') === true;
  if (underCombinator) all.sort((a, b) => indexOf(a) - indexOf(b));
  const groups = underCombinator ? collapse(all, at) : all.map(item => ({item, count: 1, first: indexOf(item), lastIndex: indexOf(item)}));
  const items = groups.map(g => g.item);
  groups.forEach((g, i) => {
    const item = g.item;
    const last = i === groups.length - 1;
    const range = g.count > 1 ? `[${g.first}–${g.lastIndex}] ${g.count}× ` : null;
    if (item.leaf !== undefined) {
      // A combinator's input gets a connector like its sibling inputs; other leaves hang
      // under their frame without one: they are what the frame waits on.
      const connector = item.leaf.input !== undefined ? st.dim(last || onlyLeavesAfter(items, i) ? GLYPHS.last : GLYPHS.branch) : '';
      const text = leafLine(range !== null ? {...item.leaf, input: undefined} : item.leaf, at);
      lines.push(prefix + connector + st.leaf(range !== null ? text.replace(/^(\S+ )/, `$1${range}`) : text));
      return;
    }
    const n = item.node!;
    const label = n.frame ? (range !== null ? range + frameLabel({...n.frame, combinator: undefined}) : frameLabel(n.frame)) : n.label ?? '';
    lines.push(prefix + st.dim(last || onlyLeavesAfter(items, i) ? GLYPHS.last : GLYPHS.branch) + (n.frame ? label : st.dim(label)));
    renderChildren(n, prefix + (last || onlyLeavesAfter(items, i) ? GLYPHS.space : GLYPHS.pipe), lines, st);
  });
}

type Item = {node?: TreeNode; leaf?: Leaf};

const PLAIN: RenderStyles = {dim: plain, leaf: plain, title: plain};

/** How an input is stuck, leaving out which input it is. */
function shapeOf(item: Item, at: Frame | null): string {
  if (item.leaf !== undefined) return `leaf ${leafLine({...item.leaf, input: undefined}, at)}`;
  const n = item.node!;
  const lines = [n.frame ? frameLabel({...n.frame, combinator: undefined}) : n.label ?? ''];
  renderChildren(n, '', lines, PLAIN);
  return lines.join('\n');
}

/** Consecutive inputs stuck the same way, as one group each. */
function collapse(all: Item[], at: Frame | null): Array<{item: Item; count: number; first: number; lastIndex: number}> {
  const index = (x: Item): number => x.node?.frame?.combinator?.index ?? x.leaf?.input?.index ?? -1;
  const groups: Array<{item: Item; count: number; first: number; lastIndex: number; shape: string}> = [];
  for (const item of all) {
    const shape = shapeOf(item, at);
    const prev = groups[groups.length - 1];
    if (prev !== undefined && prev.shape === shape && index(item) === prev.lastIndex + 1) {
      prev.count++;
      prev.lastIndex = index(item);
    } else {
      groups.push({item, count: 1, first: index(item), lastIndex: index(item), shape});
    }
  }
  return groups;
}

function onlyLeavesAfter(all: Item[], i: number): boolean {
  return all.slice(i + 1).every(x => x.leaf !== undefined && x.leaf.input === undefined);
}
