/**
 * The end-of-run section, so that a long CI log can be read from the bottom:
 * the tests that hung at one common cause first, the cause said once with the
 * tests under it, then the rest one by one, each with the position of its
 * stuck leaves and what could settle them. Real output (bench/many, 30 tests
 * waiting on a database that never answers, at 80 columns; names cut here):
 *
 * ```
 * jest-taskdump: 30 tests or hooks hung
 *   30 tests hung at src/db.js:9:12 (promise, never settled: kept in
 *   Client.pending (a Map)):
 *     test/a.test.js, 1000 ms timeout: "query 0", "query 1", "query 2", …
 *       "query 4", "query 5", "query 6", "query 7", "query 8", "query 9",
 *       "query 10", "query 11", "query 12", "query 13", "query 14"
 *     test/b.test.js, 1000 ms timeout: "query 15", "query 16", "query 17",
 *       …
 * ```
 */
import {type RenderOptions, renderLine, rootTitle} from '../core/render';
import {
  type HolderRange,
  extendRange,
  indicesIn,
  withRange,
  withoutIndices,
} from '../core/render/holder-ranges';
import {stuckThings} from '../core/tree';
import type {Leaf, TaskDump} from '../core/types';
import {sameFrame} from '../core/render/same';

type Options = Pick<RenderOptions, 'styles' | 'width'>;

/** A line of a test's stuck leaves: a place, what is stuck there, how many. */
interface Cause {
  at: string;
  what: string;
  n: number;
  /** Its leaves' words when they differ in a holder's index only. */
  first?: string;
  range?: HolderRange;
}

/**
 * The end-of-run section: groups of tests or hooks whose stuck leaves are all
 * one cause (a place, what is stuck there, what could settle it), largest
 * first, then every other one with its leaves. Styles and width as the dumps'
 * (the parent's terminal). `projectOf` tells a dump's project (with
 * `--projects`): tests are grouped within one. `afterAllIn`: the files whose
 * afterAll hook hung (listed last, and counted).
 */
export function summaryLines(
  dumps: TaskDump[],
  options: Options = {},
  projectOf: (d: TaskDump) => string = () => '',
  afterAllIn: readonly string[] = [],
): string[] {
  const hung = dumps.length + afterAllIn.length;
  if (hung === 0) return [];
  const lines = [
    renderLine(
      [
        [
          'title',
          `jest-taskdump: ${hung} ${hung === 1 ? 'test or hook' : 'tests or hooks'} hung`,
        ],
      ],
      options,
    ),
  ];
  const groups = new Map<string, {cause: Cause; dumps: TaskDump[]}>();
  const causes = new Map<TaskDump, Cause[]>();
  for (const d of dumps) {
    if (d.blocked) continue;
    const cs = causesOf(d);
    causes.set(d, cs);
    if (cs.length !== 1) continue;
    // Within one project: with --projects, positions are relative to each
    // project's rootDir, and src/db.js of one is not src/db.js of another.
    const key = `${cs[0].at} ${cs[0].what}\0${projectOf(d)}`;
    const g = groups.get(key);
    if (g) g.dumps.push(d);
    else groups.set(key, {cause: cs[0], dumps: [d]});
  }
  // Largest first; then by place, so that the order does not depend on which
  // worker finished first.
  const grouped = [...groups.entries()]
    .filter(([, g]) => g.dumps.length > 1)
    .sort(
      ([ka, a], [kb, b]) =>
        b.dumps.length - a.dumps.length || (ka < kb ? -1 : ka > kb ? 1 : 0),
    )
    .map(([, g]) => g);
  for (const g of grouped) lines.push(...groupLines(g.cause, g.dumps, options));
  const inGroup = new Set(grouped.flatMap(g => g.dumps));
  for (const d of dumps)
    if (!inGroup.has(d)) lines.push(...dumpLines(d, causes.get(d), options));
  // A hung afterAll fails the file, not a test: Jest keeps only its text
  // (its dump is in it), and the reporter gets no dump of its own.
  for (const file of afterAllIn)
    lines.push(
      `  ● an afterAll hook in ${file} hung: its dump is under "Test suite failed to run" above`,
    );
  return lines;
}

/** `30 tests hung at <place> (<what>)`, then the tests, file by file. */
function groupLines(
  cause: Cause,
  dumps: TaskDump[],
  options: Options,
): string[] {
  const tests = dumps.every(d => d.rootType === 'test');
  const lines = [
    renderLine(
      [
        [
          'title',
          `${dumps.length} ${tests ? 'tests' : 'tests or hooks'} hung at`,
        ],
        ['position', cause.at],
        ['leaf', `(${cause.what}):`],
      ],
      {...options, prefix: '  ', cont: '  '},
    ),
  ];
  // Tests of one file and timeout on one line: the cause stays near the
  // bottom, however many tests hung at it.
  const byFile = new Map<string, string[]>();
  for (const d of dumps) {
    const key = `${d.testPath}, ${d.timeoutMs ?? '?'} ms timeout`;
    const name = d.rootType === 'test' ? `"${d.rootName}"` : rootTitle(d);
    const names = byFile.get(key);
    if (names) names.push(name);
    else byFile.set(key, [name]);
  }
  // Files in order of their paths (workers finish them in any order), each
  // file's tests in the order they ran.
  for (const [file, names] of [...byFile].sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  )) {
    // Wrapped between names, never inside one.
    const rows: string[][] = [[]];
    let used = 4 + file.length + 1;
    for (const [i, name] of names.entries()) {
      const text = i < names.length - 1 ? `${name},` : name;
      const row = rows[rows.length - 1];
      if (
        options.width !== undefined &&
        row.length > 0 &&
        used + 1 + text.length > options.width
      ) {
        rows.push([text]);
        used = 6 + text.length;
      } else {
        row.push(text);
        used += 1 + text.length;
      }
    }
    rows.forEach((row, i) =>
      lines.push(
        renderLine(
          i === 0
            ? [
                ['dim', `${file}:`],
                [null, row.join(' ')],
              ]
            : [[null, row.join(' ')]],
          {...options, prefix: i === 0 ? '    ' : '      '},
        ),
      ),
    );
  }
  return lines;
}

/** A test or hook on its own: its name, file and timeout, then its leaves. */
function dumpLines(
  d: TaskDump,
  causes: Cause[] | undefined,
  options: Options,
): string[] {
  const lines: string[] = [];
  const what = d.rootType === 'test' ? d.rootName : rootTitle(d);
  const head = {...options, prefix: '  ', cont: '    '};
  const where = `(${d.testPath}, ${d.timeoutMs ?? '?'} ms timeout)`;
  // The file and timeout stay together: on the next line when they do not fit
  // after the name.
  if (
    options.width === undefined ||
    4 + what.length + where.length <= options.width
  )
    lines.push(
      renderLine(
        [
          ['title', `● ${what}`],
          ['dim', where],
        ],
        head,
      ),
    );
  else
    lines.push(
      renderLine([['title', `● ${what}`]], head),
      renderLine([['dim', where]], {...head, prefix: '    '}),
    );
  const leaf = {...options, prefix: '      ', cont: '        '};
  if (d.blocked) {
    const top = d.blocked.stack[d.blocked.stack.length - 1];
    const at = top
      ? `${top.file}:${top.line}:${top.column}`
      : '(position unknown)';
    lines.push(
      renderLine(
        [
          ['position', at],
          [
            'leaf',
            ` blocked the event loop for ${(d.blocked.blockedMs / 1000).toFixed(1)} s${top ? ` in \`${top.name}\`` : ''}`,
          ],
        ],
        leaf,
      ),
    );
    return lines;
  }
  const busy = d.leaves.filter(l => l.busy === true).length;
  const idle = d.leaves.filter(l => l.idle === true).length;
  if (causes === undefined || causes.length === 0) {
    const text =
      busy > 0
        ? `nothing stuck: ${busy} timer${busy === 1 ? '' : 's'} firing before long (a slow test?)`
        : idle > 0
          ? `nothing stuck: ${idle} server${idle === 1 ? '' : 's'} with no request waiting`
          : d.unrecorded > 0
            ? `nothing recorded under it says what it waits on (${d.unrecorded} made over the capture budget)`
            : d.waitsForDone
              ? 'no promise, timer or handle pending under it: `done` was never called'
              : 'no promise, timer or handle pending under it';
    lines.push(renderLine([['dim', text]], leaf));
  }
  for (const {at, what: leafWhat, n} of causes ?? [])
    lines.push(
      renderLine(
        [
          ['position', at],
          ['leaf', ` ${n > 1 ? `${n}× ` : ''}${leafWhat}`],
        ],
        leaf,
      ),
    );
  return lines;
}

/**
 * A dump's stuck leaves as causes: leaves made at one place that read the same
 * (a loop's) are one, with their count.
 */
function causesOf(d: TaskDump): Cause[] {
  const counts = new Map<string, Cause>();
  for (const l of stuckThings(d)) {
    const at = l.createdAt
      ? `${l.createdAt.file}:${l.createdAt.line}:${l.createdAt.column}`
      : '(position unknown)';
    const what = `${l.what}${wakerTag(l)}${waitedFor(d, l)}`;
    // Kept one after another in one list (a pool's waiters): one cause, the
    // index a range, as the tree draws them (core/render/holder-ranges.ts).
    const key = `${at} ${withoutIndices(what)}`;
    const seen = counts.get(key);
    if (seen !== undefined && seen.what === what) {
      seen.n++;
      continue;
    }
    const first = seen?.first ?? seen?.what;
    const range =
      seen === undefined || first === undefined
        ? undefined
        : extendRange(
            seen.range ?? {first: indicesIn(first), last: indicesIn(first)},
            indicesIn(what),
          );
    if (seen !== undefined && range !== undefined) {
      seen.n++;
      seen.first = first;
      seen.range = range;
      seen.what = withRange(first!, range);
    } else
      counts.set(seen === undefined ? key : `${key} ${counts.size}`, {
        at,
        what,
        n: 1,
      });
  }
  return [...counts.values()];
}

/**
 * For a stuck timer or handle, what the test waits for through it, when the
 * dump says so of a promise drawn above it (a broker's side of a connection,
 * under an `events.once()` whose ↳ says which event: the leaf is the broker
 * that has not written, the event is what the test asked for). The
 * outermost such promise, not one a timer keeps (that timer is drawn);
 * empty when none.
 */
function waitedFor(d: TaskDump, leaf: Leaf): string {
  if (leaf.kind === 'promise' || leaf.kind === 'generator') return '';
  let above: Leaf | undefined;
  for (const l of d.leaves)
    if (
      l.waiting === true &&
      wakerTag(l) !== '' &&
      l.waker?.kind !== 'timer' &&
      l.detached === leaf.detached &&
      l.path.length <= leaf.path.length &&
      l.path.every((f, i) => sameFrame(f, leaf.path[i], true)) &&
      (above === undefined || l.path.length < above.path.length)
    )
      above = l;
  if (above === undefined) return '';
  return ` (under ${above.what}${wakerTag(above)})`;
}

/**
 * What could settle a leaf, in a few words (`: orphaned`, `: waits for 'ready'
 * on a Connection`); the same for a waker found in another test (the dump says
 * whose it is).
 */
function wakerTag(l: Leaf): string {
  const w = l.waker;
  if (w === undefined) return '';
  if (w.deadlock === true) return ': a deadlock';
  if (w.kind === 'none') return ': orphaned';
  if (w.short !== undefined) return `: ${w.short}`;
  return '';
}
