/**
 * Leftovers as text, in the dumps' style. Pure: colours and width are
 * parameters. Real output (`fixtures/leftovers`):
 *
 * ```
 * jest-taskdump: test/server.test.js left 2 open: 1 server, 1 timer
 *
 * ╼ beforeAll hook in test/server.test.js
 * └╼ <anonymous> at test/server.test.js:9:12
 *    └╼ startServer at src/server.js:5:17
 *       ⇄ HTTP server listening on 127.0.0.1:40123, no connection open; keeps
 *         the process alive
 *
 * ╼ test "polls" in test/server.test.js
 * └╼ <anonymous> at test/server.test.js:16:5
 *    ⏲ setInterval every 1000 ms, still active; keeps the process alive
 * ```
 */
import {GLYPHS} from './glyphs';
import type {Leftover, LeftoverReport} from './leftover-types';
import {type RenderOptions, renderLine, renderTree, rootTitle} from './render';
import {buildTree} from './tree';
import type {Leaf} from './types';

const KIND_WORDS: Record<Leftover['kind'], string> = {
  timer: 'timer',
  socket: 'socket',
  server: 'server',
  'child-process': 'child process',
  worker: 'worker thread',
  watcher: 'file watcher',
};

/** `1 server, 2 timers`, in the order they first appear. */
export function countKinds(leftovers: Leftover[]): string {
  const counts = new Map<string, number>();
  for (const l of leftovers)
    counts.set(KIND_WORDS[l.kind], (counts.get(KIND_WORDS[l.kind]) ?? 0) + 1);
  return [...counts]
    .map(([k, n]) => `${n} ${k}${n === 1 ? '' : k.endsWith('s') ? 'es' : 's'}`)
    .join(', ');
}

/** What a leftover is, and whether it keeps its process alive. */
export function leftoverText(l: Leftover): string {
  const keeps =
    l.keepsAlive === true
      ? '; keeps the process alive'
      : l.keepsAlive === 'until-fired'
        ? '; keeps the process alive until it fires'
        : '';
  const unknown =
    l.createdAt !== null || l.path.length > 0
      ? ''
      : l.unknownBecause === 'after'
        ? ' (where it was opened is not known: by a callback that ran after its test or hook ended, when no stack is taken)'
        : ' (where it was opened is not known: stacks were over their budget, see `captureBurst`)';
  return `${l.what}${keeps}${unknown}`;
}

/** `test "polls"`, `beforeAll hook in "db"`, `concurrent tests "a", "b"`. */
export function ownerTitle(l: Leftover): string {
  if (l.concurrent !== undefined && l.concurrent.length > 1)
    return `concurrent tests ${l.concurrent.map(n => `"${n}"`).join(', ')} (one of them)`;
  return rootTitle(l);
}

/**
 * One tree per test or hook, as in a dump: the body, the calls down to where
 * each leftover was opened, and what it is.
 */
export function renderLeftoverTrees(
  leftovers: Leftover[],
  testPath: string,
  options: RenderOptions = {},
): string {
  const groups = new Map<string, Leftover[]>();
  for (const l of leftovers) {
    const key = `${l.rootType}|${l.rootName}|${l.concurrent?.join('|') ?? ''}`;
    const list = groups.get(key);
    if (list === undefined) groups.set(key, [l]);
    else list.push(l);
  }
  const blocks: string[] = [];
  for (const list of groups.values()) {
    const title = renderLine(
      [[null, `${GLYPHS.root}${ownerTitle(list[0])} in ${testPath}`]],
      {...options, cont: '   '},
    );
    const leaves: Leaf[] = list.map(l => ({
      // The tree draws a leaf by its kind's glyph; a file watcher is I/O.
      kind: l.kind === 'watcher' ? 'socket' : l.kind,
      what: leftoverText(l),
      createdAt: l.createdAt,
      path: l.path,
      ageMs: 0,
      detached: l.detached,
    }));
    blocks.push(`${title}\n${renderTree(buildTree({leaves}), options)}`);
  }
  return blocks.join('\n\n');
}

/**
 * What a test file left open, for the reporter (under the file's results) or,
 * without it, for stderr.
 */
export function renderLeftoverReport(
  report: LeftoverReport,
  options: RenderOptions = {},
): string {
  if (report.error !== undefined)
    return renderLine([['dim', report.error]], options);
  const n = report.leftovers.length;
  const head = renderLine(
    [
      [
        'title',
        `jest-taskdump: ${report.testPath} left ${n} open: ${countKinds(report.leftovers)}`,
      ],
    ],
    options,
  );
  const trees = renderLeftoverTrees(report.leftovers, report.testPath, options);
  return `${head}\n\n${trees}`;
}

/**
 * The end-of-run list: one entry per test file, one line per leftover (where it
 * was opened, what it is, under which test or hook), so that Jest's "did not
 * exit" or "failed to exit gracefully" that follows is answered where it
 * appears.
 */
export function leftoverSummaryLines(
  reports: LeftoverReport[],
  options: RenderOptions = {},
): string[] {
  const listed = reports.filter(
    r => r.leftovers.length > 0 || r.error !== undefined,
  );
  if (listed.length === 0) return [];
  const total = listed.reduce((n, r) => n + r.leftovers.length, 0);
  const files = listed.length;
  const lines = [
    renderLine(
      [
        [
          'title',
          `jest-taskdump: ${total} left open by ${files} test file${files === 1 ? '' : 's'} when ${files === 1 ? 'it' : 'they'} ended`,
        ],
      ],
      options,
    ),
  ];
  for (const r of listed) {
    lines.push(
      renderLine([['title', `● ${r.testPath}`]], {
        ...options,
        prefix: '  ',
        cont: '    ',
      }),
    );
    if (r.error !== undefined)
      lines.push(
        renderLine([['dim', r.error]], {
          ...options,
          prefix: '      ',
          cont: '        ',
        }),
      );
    for (const l of r.leftovers) {
      // Made in a callback with no stack of its own: where that callback's
      // timer (or handle) was opened.
      const last = l.path[l.path.length - 1];
      const f = l.createdAt ?? last;
      const at = f ? `${f.file}:${f.line}:${f.column}` : '(position unknown)';
      const via = l.createdAt === null && last ? `, in a ${last.name}` : '';
      lines.push(
        renderLine(
          [
            ['position', at],
            ['leaf', ` ${leftoverText(l)}`],
            ['dim', `(${ownerTitle(l)}${via})`],
          ],
          {...options, prefix: '      ', cont: '        '},
        ),
      );
    }
  }
  return lines;
}
