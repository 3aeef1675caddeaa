/**
 * Rendering a dump as text. Pure: colours and width are parameters, the
 * terminal is never read here. A real dump (the seed fixture, `fixtures/seed`):
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

/**
 * Styles applied to parts of the text (identity functions when colour is off).
 */
export interface RenderStyles {
  /** Tree connectors and explanations. */
  dim: (s: string) => string;
  /** A stuck leaf (what never settled). */
  leaf: (s: string) => string;
  /** The summary line. */
  title: (s: string) => string;
  /** `file:line:column` of a frame. */
  position: (s: string) => string;
}

export interface RenderOptions {
  styles?: Partial<RenderStyles>;
  /**
   * Columns available to the text. Longer lines are wrapped at spaces (a word
   * longer than a line is cut into pieces), continuing under their tree branch.
   * Unset: never wrapped.
   */
  width?: number;
}

/** Narrowest text column a wrapped line keeps, however deep its branch is. */
const MIN_TEXT_WIDTH = 24;

/**
 * One output line before styling and wrapping: `prefix` (tree pipes and
 * spaces), then `connector` (`├╼ ` / `└╼ ` or nothing), then the text; wrapped
 * pieces start at `cont`.
 */
interface Line {
  prefix: string;
  connector: string;
  cont: string;
  /** Text pieces with their style. */
  parts: Array<[keyof RenderStyles | null, string]>;
}

const plain = (s: string): string => s;

const line = (
  prefix: string,
  parts: Line['parts'],
  connector = '',
  cont = prefix + '  ',
): Line => ({prefix, connector, cont, parts});

function position(f: Frame): string {
  return `${f.file}:${f.line}:${f.column}`;
}

/**
 * `test "a › b"`, `beforeAll hook in "db"`, `afterEach hook for "db ›
 * inserts"`.
 */
export function rootTitle(
  dump: Pick<TaskDump, 'rootType' | 'rootName'>,
): string {
  if (dump.rootType === 'test') return `test "${dump.rootName}"`;
  if (dump.rootType === 'traced')
    return dump.rootName ? `traced "${dump.rootName}"` : 'traced call';
  if (!dump.rootName) return `${dump.rootType} hook`;
  return `${dump.rootType} hook ${dump.rootType.endsWith('Each') ? 'for' : 'in'} "${dump.rootName}"`;
}

function leafLine(leaf: Leaf, at: Frame | null): string {
  const glyph =
    leaf.kind === 'promise'
      ? GLYPHS.promise
      : leaf.kind === 'socket' || leaf.kind === 'server'
        ? GLYPHS.io
        : leaf.kind === 'child-process'
          ? GLYPHS.process
          : GLYPHS.timer;
  const index =
    leaf.input !== undefined && leaf.input.index !== null
      ? `[${leaf.input.index}] `
      : '';
  const c = leaf.createdAt;
  const elsewhere =
    c !== null && (at === null || at.file !== c.file || at.line !== c.line);
  const created = elsewhere
    ? `; created ${c.name !== '<anonymous>' ? `in ${c.name} ` : ''}at ${position(c)}`
    : '';
  const waits = leaf.waiting === true ? '; it waits on:' : '';
  return `${glyph}${index}${leaf.what}${created}${waits}`;
}

/**
 * The line under a promise that says what could settle it, if that was looked
 * for.
 */
function wakerLine(leaf: Leaf): string | null {
  const w = leaf.waker;
  if (w === undefined) return null;

  const held =
    w.heldHere !== undefined
      ? `, held by this branch${w.heldHere !== null ? ` (${w.heldHere.name} at ${position(w.heldHere)})` : ''}, which waits for it: a deadlock`
      : w.heldBy !== undefined && w.heldBy.length > 0
        ? `, held by ${w.heldBy.map(f => `${f.combinator?.index !== undefined && f.combinator.index !== null ? `[${f.combinator.index}] ` : ''}${f.name} at ${position(f)}`).join(' and ')}${w.deadlock === true ? ', which waits on this branch: a deadlock' : ''}`
        : '';
  return `${GLYPHS.waker}${w.what}${held}`;
}

/**
 * A leaf as it reads, waker included: leaves that read the same are drawn once.
 */
function leafText(leaf: Leaf, at: Frame | null): string {
  const w = wakerLine(leaf);
  return w === null ? leafLine(leaf, at) : `${leafLine(leaf, at)}\n${w}`;
}

/** Pushes a leaf's line, and under it the line of its waker. */
function pushLeaf(
  lines: Line[],
  leaf: Leaf,
  text: string,
  prefix: string,
  connector = '',
  cont = prefix + '  ',
): void {
  lines.push(line(prefix, [['leaf', text]], connector, cont));
  const w = wakerLine(leaf);
  if (w !== null) lines.push(line(cont, [['dim', w]], '', cont + '  '));
}

function explainFakeTimers(f: FakeClock): string {
  const n = `${f.pending} fake timer${f.pending === 1 ? ' is' : 's are'} pending`;
  const next =
    f.nextDueInMs === null
      ? ''
      : f.nextDueInMs === 0
        ? ', the next one already due'
        : `, the next one due in ${f.nextDueInMs} ms of fake time`;
  const advance =
    f.nextDueInMs !== null && f.nextDueInMs > 0
      ? `jest.advanceTimersByTime(${f.nextDueInMs})`
      : 'jest.runOnlyPendingTimers()';
  return (
    `Fake timers (${f.kind}) are installed and ${n}${next}; nothing advanced the fake clock. ` +
    `A promise waiting on one settles only after ${advance}, await jest.runAllTimersAsync(), or with real timers (jest.useRealTimers()).`
  );
}

function kindOf(dump: Pick<TaskDump, 'rootType'>): string {
  return dump.rootType === 'test'
    ? 'test'
    : dump.rootType === 'traced'
      ? 'traced call'
      : 'hook';
}

/**
 * One line summing up a dump: how many branches, of which kinds, for how long.
 *
 * @example
 * summarize(handle.dump());
 * // 'Task dump: 2 branches stuck after 1002 ms (1 promise, 1 timer)'
 */
export function summarize(dump: TaskDump): string {
  const stuck = stuckLeaves(dump);
  const n = stuck.length;
  const counts = new Map<string, number>();
  for (const l of stuck) {
    const k = kindOfLeaf(l);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const kinds = [...counts]
    .map(
      ([k, c]) => `${c} ${k}${c === 1 ? '' : /(s|ch)$/.test(k) ? 'es' : 's'}`,
    )
    .join(', ');
  const after = dump.elapsedMs > 0 ? ` after ${dump.elapsedMs} ms` : '';
  const busy = dump.leaves.filter(l => l.busy === true).length;
  const busyNote =
    busy > 0
      ? `; ${busy} busy (timer${busy === 1 ? '' : 's'} firing before long)`
      : '';
  if (n === 0 && busy > 0) return `Task dump: nothing stuck${after}${busyNote}`;
  if (n === 0)
    return `Task dump: nothing under this ${kindOf(dump)} is pending${after}`;
  return `Task dump: ${n} branch${n === 1 ? '' : 'es'} stuck${after} (${kinds})${busyNote}`;
}

/** A stuck leaf's kind in the summary, refined by what was found about it. */
function kindOfLeaf(l: Leaf): string {
  if (l.loop !== undefined) return 'retry loop';
  if (l.waker?.deadlock === true) return 'deadlocked branch';
  if (l.waker?.kind === 'none') return 'orphaned promise';
  if (l.waker?.kind === 'event' || l.waker?.kind === 'stream')
    return `${l.waker.kind} wait`;
  if (l.waker?.kind === 'timer')
    return l.waker.fake === true ? 'fake timer' : 'timer';
  return l.kind === 'child-process' ? 'child process' : l.kind;
}

function explainEmpty(dump: TaskDump): string {
  return dump.waitsForDone
    ? `The ${kindOf(dump)} takes a \`done\` callback that was never called, and no promise, timer or handle it started is still pending (a listener that would call it is not looked for).`
    : 'Nothing it created is still pending: it may wait on something created before it started (a module-level promise, an earlier hook).';
}

/**
 * Renders the whole dump: a summary line, then the merged tree.
 *
 * @example
 * const handle = traced(() => startWork(), {name: 'startWork'});
 * setTimeout(() => {
 *   process.stderr.write(renderDump(handle.dump(), {width: 100}) + '\n');
 * }, 1000);
 */
export function renderDump(
  dump: TaskDump,
  options: RenderOptions = {},
): string {
  const st: RenderStyles = {...PLAIN, ...options.styles};
  const lines: Line[] = [
    line('', [['title', summarize(dump)]], '', ''),
    line('', []),
  ];
  lines.push(line('', rootLabelParts(dump), GLYPHS.root, '   '));
  const tree = buildTree(dump);
  if (dump.leaves.length === 0) {
    lines.push(line('', [['dim', explainEmpty(dump)]], GLYPHS.last, '   '));
  } else {
    renderChildren(tree, '', lines, dump.rootFrame);
  }
  const note = (text: string): void => {
    lines.push(line('', []), line('', [['dim', text]], '', ''));
  };
  if (dump.waitsForDone && dump.leaves.length > 0)
    note(
      `The ${kindOf(dump)} takes a \`done\` callback that was never called.`,
    );
  if (dump.fakeTimers && dump.fakeTimers.pending > 0)
    note(explainFakeTimers(dump.fakeTimers));
  if (dump.affects && dump.affects.length > 0) {
    const shown = dump.affects
      .slice(0, 5)
      .map(n => `"${n}"`)
      .join(', ');
    const more =
      dump.affects.length > 5 ? ` and ${dump.affects.length - 5} more` : '';
    note(
      `It failed ${dump.affects.length === 1 ? 'the test' : `${dump.affects.length} tests`}: ${shown}${more}.`,
    );
  }
  if (dump.sharedWith && dump.sharedWith.length > 0) {
    // A passed sibling may have left nothing: which leaves are whose is not
    // known.
    note(
      `Concurrent tests share one record: whatever ${dump.sharedWith.map(n => `"${n}"`).join(', ')} left pending is in this dump too.`,
    );
  }
  if (dump.wakerNote !== undefined) note(dump.wakerNote);
  if (dump.unrecorded > 0) {
    note(
      `${dump.unrecorded} promise(s) were created while stack capture was over its budget; branches through them may be missing.`,
    );
  }
  return lines.flatMap(l => emit(l, st, options.width)).join('\n');
}

/**
 * Renders a merged tree ({@link buildTree}) without the dump's summary and root
 * line: the branches under the test body, as in the dump.
 *
 * ```ts
 * renderTree(buildTree(dump), {width: 80});
 * ```
 */
export function renderTree(
  tree: TreeNode,
  options: RenderOptions = {},
): string {
  const lines: Line[] = [];
  renderChildren(tree, '', lines);
  return lines
    .flatMap(l => emit(l, {...PLAIN, ...options.styles}, options.width))
    .join('\n');
}

/**
 * One line of text made of styled parts joined by spaces, wrapped to `width`
 * with its pieces after the first starting with `cont` (for reporters' own
 * lines).
 */
export function renderLine(
  parts: Array<[keyof RenderStyles | null, string]>,
  options: RenderOptions & {prefix?: string; cont?: string} = {},
): string {
  const prefix = options.prefix ?? '';
  return emit(
    line(prefix, parts, '', options.cont ?? prefix),
    {...PLAIN, ...options.styles},
    options.width,
  ).join('\n');
}

function rootLabelParts(dump: TaskDump): Line['parts'] {
  const what = rootTitle(dump);
  if (dump.rootFrame)
    return [
      [null, `${what} at`],
      ['position', position(dump.rootFrame)],
    ];
  return [[null, dump.testPath ? `${what} in ${dump.testPath}` : what]];
}

function frameParts(f: Frame, range: string | null = null): Line['parts'] {
  const index =
    range ??
    (f.combinator !== undefined && f.combinator.index !== null
      ? `[${f.combinator.index}] `
      : '');
  const parts: Line['parts'] = [
    [null, `${index}${f.name} at`],
    ['position', position(f)],
  ];
  if (f.via !== undefined)
    parts.push([
      'dim',
      `${GLYPHS.hidden}called through ${f.via.frames} ${f.via.frames === 1 ? 'frame' : 'frames'} of ${f.via.packages.join(', ')}`,
    ]);
  return parts;
}

/**
 * Styles a line, wrapping it to `width` (pieces of a part keep the part's
 * style).
 */
function emit(l: Line, st: RenderStyles, width: number | undefined): string[] {
  const style = (k: keyof RenderStyles | null, s: string): string =>
    k === null || s === '' ? s : st[k](s);
  const head = l.prefix + (l.connector === '' ? '' : st.dim(l.connector));
  const text = l.parts.map(([, t]) => t).join(' ');
  if (
    width === undefined ||
    l.prefix.length + l.connector.length + text.length <= width
  ) {
    return [head + l.parts.map(([k, t]) => style(k, t)).join(' ')];
  }
  // Words, each with the style of its part; a space joins words on one line. A
  // line that starts with `at ` and has a position reads as a stack frame to
  // Jest (jest-message-util), which would move it and what follows out of the
  // message: so `at` never starts a line, it ends the line before.
  const words: Array<[keyof RenderStyles | null, string]> = [];
  for (const [k, t] of l.parts) {
    for (const w of t.split(' ')) {
      const prev = words[words.length - 1];
      if (w === 'at' && prev !== undefined && prev[1] !== '') prev[1] += ' at';
      else words.push([k, w]);
    }
  }
  const out: string[] = [];
  let cur: Array<[keyof RenderStyles | null, string]> = [];
  let used = 0;
  let lead = head;
  let room = Math.max(
    MIN_TEXT_WIDTH,
    width - l.prefix.length - l.connector.length,
  );
  const flush = (): void => {
    // Neighbouring words of one style are styled together.
    const runs: Array<[keyof RenderStyles | null, string]> = [];
    for (const [k, w] of cur) {
      const last = runs[runs.length - 1];
      if (last !== undefined && last[0] === k) last[1] += ` ${w}`;
      else runs.push([k, w]);
    }
    out.push(lead + runs.map(([k, w]) => style(k, w)).join(' '));
    cur = [];
    used = 0;
    lead = l.cont.trim() === '' ? l.cont : st.dim(l.cont);
    room = Math.max(MIN_TEXT_WIDTH, width - l.cont.length);
  };
  words.forEach(([k, word]) => {
    let w = word;
    if (cur.length > 0 && used + 1 + w.length > room) flush();
    // A word longer than a whole line is cut into pieces (never leaving a bare
    // `at`).
    while (w.length > room - used - (cur.length > 0 ? 1 : 0)) {
      let fit = room - used - (cur.length > 0 ? 1 : 0);
      if (/^ ?at$/.test(w.slice(fit)) || w[fit - 1] === ' ') fit -= 2;
      cur.push([k, w.slice(0, fit)]);
      w = w.slice(fit).replace(/^ /, '');
      flush();
    }
    if (w === '' && cur.length === 0) return;
    used += (cur.length > 0 ? 1 : 0) + w.length;
    cur.push([k, w]);
  });
  if (cur.length > 0) flush();
  return out;
}

function renderChildren(
  node: TreeNode,
  prefix: string,
  lines: Line[],
  rootFrame: Frame | null = null,
): void {
  const at = node.frame ?? rootFrame;
  // A promise that waits on the branches below it comes first, as their
  // heading; the other leaves come after the children, since they end the
  // branch here. Those that read the same (made in a loop) are drawn once, as
  // `3×`.
  const waiting = node.leaves.filter(l => l.waiting === true);
  for (let k = 0; k < waiting.length;) {
    let n = 1;
    while (k + n < waiting.length && sameLeaf(waiting[k], waiting[k + n])) n++;
    const text = leafLine(waiting[k], at);
    pushLeaf(
      lines,
      waiting[k],
      n > 1
        ? text
            .replace(/^(\S+ )/, `$1${n}× `)
            .replace(/; it waits on:$/, '; they wait on:')
        : text,
      prefix,
    );
    k += n;
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
  const underCombinator =
    node.frame === null && node.label?.startsWith('Promise.') === true;
  if (underCombinator) all.sort((a, b) => indexOf(a) - indexOf(b));
  const groups = underCombinator ? collapse(all, at) : collapseSame(all, at);
  const leavesAfter = onlyLeavesAfter(groups.map(g => g.item));
  groups.forEach((g, i) => {
    const item = g.item;
    const end = i === groups.length - 1 || leavesAfter[i];
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
      pushLeaf(
        lines,
        item.leaf,
        range !== null ? text.replace(/^(\S+ )/, `$1${range}`) : text,
        prefix,
        connector,
        cont,
      );
      return;
    }
    let n = item.node!;
    const childPrefix = prefix + (end ? GLYPHS.space : GLYPHS.pipe);
    const parts: Line['parts'] = n.frame
      ? frameParts(
          range !== null ? {...n.frame, combinator: undefined} : n.frame,
          range,
        )
      : [['dim', n.label ?? '']];
    lines.push(
      line(
        prefix,
        parts,
        end ? GLYPHS.last : GLYPHS.branch,
        childPrefix + '  ',
      ),
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
      renderChildren(n, innerPrefix + GLYPHS.space, lines);
      return;
    }
    renderChildren(n, childPrefix, lines);
  });
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

type Item = {node?: TreeNode; leaf?: Leaf};
type Group = {
  item: Item;
  count: number;
  first: number | null;
  lastIndex: number | null;
};

const PLAIN: RenderStyles = {
  dim: plain,
  leaf: plain,
  title: plain,
  position: plain,
};

/** How an input is stuck, leaving out which input it is. */
function shapeOf(item: Item, at: Frame | null): string {
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
  renderChildren(n, '', lines);
  return lines.flatMap(l => emit(l, PLAIN, undefined)).join('\n');
}

/**
 * Consecutive inputs stuck the same way, as one group each. Inputs made alike
 * (thousands, from one `map`) are told alike by their data, field by field,
 * before any is rendered: rendering each input's subtree to compare them costs
 * more than the whole dump.
 */
function collapse(all: Item[], at: Frame | null): Group[] {
  const index = (x: Item): number =>
    x.node?.frame?.combinator?.index ?? x.leaf?.input?.index ?? -1;
  const groups: Array<Group & {shape?: string}> = [];
  for (const item of all) {
    const prev = groups[groups.length - 1];
    if (
      prev !== undefined &&
      index(item) === prev.lastIndex! + 1 &&
      (sameShape(prev.item, item) ||
        (prev.shape ??= shapeOf(prev.item, at)) === shapeOf(item, at))
    ) {
      prev.count++;
      prev.lastIndex = index(item);
    } else {
      groups.push({item, count: 1, first: index(item), lastIndex: index(item)});
    }
  }
  return groups;
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
      groups.push({item, count: 1, first: null, lastIndex: null});
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
    const g: Group = {item, count: 1, first: null, lastIndex: null};
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
function onlyLeavesAfter(all: Item[]): boolean[] {
  const out: boolean[] = new Array(all.length);
  let only = true;
  for (let i = all.length - 1; i >= 0; i--) {
    out[i] = only;
    only =
      only && all[i].leaf !== undefined && all[i].leaf!.input === undefined;
  }
  return out;
}

/**
 * Whether two items render the same in {@link shapeOf}: every field rendering
 * reads (and a few more) is equal. False says nothing (the shapes are then
 * compared as text).
 */
function sameShape(a: Item, b: Item): boolean {
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
function sameLeaf(a: Leaf, b: Leaf, withInput = true): boolean {
  if (
    a.kind !== b.kind ||
    a.what !== b.what ||
    a.waiting !== b.waiting ||
    a.busy !== b.busy
  )
    return false;
  // Wakers are found for a few promises only: their lines are compared as text.
  if (
    a.waker !== b.waker &&
    (a.waker === undefined ||
      b.waker === undefined ||
      wakerLine(a) !== wakerLine(b))
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

function sameFrame(a: Frame, b: Frame, withCombinator: boolean): boolean {
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
