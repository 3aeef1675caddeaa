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
import {buildTree, stuckLeaves, stuckThings} from '../tree';
import type {ClosingServer, Leaf, TaskDump, TreeNode} from '../types';
import {explainFakeTimers} from './leaf';
import {
  type Line,
  type RenderOptions,
  type RenderStyles,
  PLAIN,
  emit,
  line,
  position,
} from './lines';
import {renderChildren} from './children';
import {GLYPHS} from '../glyphs';
import {ASIDE, ASIDE_DEADLOCK_SHORT} from '../words';
import {rootTitle} from './title';

export type {RenderOptions, RenderStyles} from './lines';
export {libraryOf} from './children';
export {rootTitle} from './title';

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
  // Things of each kind, and the branches on them (more where several wait
  // on one: `1 promise on 2 branches`).
  const counts = new Map<string, {things: number; branches: number}>();
  const things = new Set(stuckThings(dump));
  for (const l of stuck) {
    const k = kindOfLeaf(l);
    const c = counts.get(k) ?? {things: 0, branches: 0};
    counts.set(k, c);
    c.branches++;
    if (things.has(l)) c.things++;
  }
  const kinds = [...counts]
    .map(
      ([k, {things: c, branches}]) =>
        `${c} ${k}${c === 1 ? '' : /(s|ch)$/.test(k) ? 'es' : 's'}${branches > c ? ` on ${branches} branches` : ''}`,
    )
    .join(', ');
  const after = dump.elapsedMs > 0 ? ` after ${dump.elapsedMs} ms` : '';
  const busy = dump.leaves.filter(l => l.busy === true).length;
  const idle = dump.leaves.filter(l => l.idle === true).length;
  const aside = dump.leaves.filter(
    l =>
      l.aside === true &&
      (l.asideWith === undefined || l.asideWith === 'dropped'),
  ).length;
  const asideDeadlock = dump.leaves.filter(
    l => l.aside === true && l.asideWith === 'deadlock',
  ).length;
  const timeouts = dump.leaves.filter(
    l => l.guards !== undefined && l.guards.by === undefined,
  ).length;
  const exits = dump.leaves.filter(l => l.guards?.by === 'rejection').length;
  const busyNote =
    (busy > 0
      ? `; ${busy} busy (timer${busy === 1 ? '' : 's'} firing before long)`
      : '') +
    (idle > 0
      ? `; ${idle} idle (server${idle === 1 ? '' : 's'} with no request waiting)`
      : '') +
    (aside > 0 ? `; ${aside} aside (${ASIDE})` : '') +
    (asideDeadlock > 0
      ? `; ${asideDeadlock} aside (${ASIDE_DEADLOCK_SHORT})`
      : '') +
    (timeouts > 0
      ? `; ${timeouts} timeout${timeouts === 1 ? '' : 's'} on ${timeouts === 1 ? 'a stuck wait' : 'stuck waits'} (${timeouts === 1 ? 'a timer' : 'timers'} that can end ${timeouts === 1 ? 'it' : 'them'} later)`
      : '') +
    (exits > 0
      ? `; ${exits} way${exits === 1 ? '' : 's'} out of ${exits === 1 ? 'a stuck race' : 'stuck races'} (${exits === 1 ? 'a promise' : 'promises'} that can only reject ${exits === 1 ? 'it' : 'them'})`
      : '');
  if (n === 0 && (busy > 0 || idle > 0))
    return `Task dump: nothing stuck${after}${busyNote}`;
  if (n === 0)
    return dump.unrecorded > 0
      ? `Task dump: nothing recorded under this ${kindOf(dump)} says what it waits on${after} (${dump.unrecorded} made over the capture budget)`
      : `Task dump: no promise, timer or handle under this ${kindOf(dump)} is pending${after}`;
  return `Task dump: ${n} branch${n === 1 ? '' : 'es'} stuck${after} (${kinds})${busyNote}`;
}

/** A stuck leaf's kind in the summary, refined by what was found about it. */
function kindOfLeaf(l: Leaf): string {
  if (l.loop !== undefined)
    return l.loop.retry === true ? 'retry loop' : 'loop';
  if (l.waker?.deadlock === true) return 'deadlocked branch';
  if (l.waker?.kind === 'none') return 'orphaned promise';
  if (l.waker?.kind === 'event' || l.waker?.kind === 'stream')
    return `${l.waker.kind} wait`;
  if (l.waker?.kind === 'timer')
    return l.waker.fake === true ? 'fake timer' : 'timer';
  return l.kind === 'child-process'
    ? 'child process'
    : l.kind === 'worker'
      ? 'worker thread'
      : l.kind;
}

function explainEmpty(dump: TaskDump): string {
  // What was not recorded may be what it waits on: nothing else is claimed.
  if (dump.unrecorded > 0)
    return (
      `No \`new Promise\`, timer or handle recorded under it is pending, and no wait recorded leads to one; but ${dump.unrecorded} promises, timers or other handles were made while stack capture was over its budget, and not all of them were recorded: what it waits on may be among them (a larger captureBurst records more).` +
      closingWords(dump.closing ?? [])
    );
  const why = dump.waitsForDone
    ? `The ${kindOf(dump)} takes a \`done\` callback that was never called, and no promise, timer or handle it started is still pending (a listener that would call it is not looked for).`
    : "No native promise, timer or handle it created is still pending: it may wait on something created before it started (a module-level promise, an earlier hook), or on a promise library's own promise (bluebird's, Q's), which is not recorded.";
  return why + closingWords(dump.closing ?? []);
}

/** The file's servers closed and waiting on connections (dump/closing.ts). */
function closingWords(closing: readonly ClosingServer[]): string {
  if (closing.length === 0) return '';
  const each = closing.map(
    c =>
      `${c.what}${c.listenAt === null ? '' : ` (listen() called at ${c.listenAt.file}:${c.listenAt.line}:${c.listenAt.column})`}`,
  );
  const one = closing.length === 1;
  return ` ${one ? 'A server' : `${closing.length} servers`} of this file ${one ? 'is' : 'are'} closed but ${one ? 'has' : 'have'} open connections, and close() calls back only once they have all ended: ${each.join('; ')}.`;
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
    renderChildren(tree, '', lines, dump.rootFrame, options.maxAlike);
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
  if (dump.unrecorded > 0 && dump.leaves.length > 0) {
    note(
      `${dump.unrecorded} promises, timers or other handles were created while stack capture was over its budget; branches through them may be missing.`,
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
  renderChildren(tree, '', lines, null, options.maxAlike);
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
