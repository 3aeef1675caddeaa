import fs from 'node:fs';
import path from 'node:path';
import {stripVTControlCharacters} from 'node:util';
import {format} from 'pretty-format';
import {renderDump} from '../../src/core/render';
import {DUMP_KIND, DUMP_VERSION, type TaskDump} from '../../src/core/types';
import {REPORT_KIND, REPORT_VERSION, annotationLines} from '../../src/reporter';
import {summaryLines} from '../../src/reporter/summary';
import {resolveTerminal, terminalStyles} from '../../src/reporter/terminal';
import serializer from '../../src/serializer';

/**
 * A line fits `width`, or is one word longer than what the tree's indentation
 * leaves (a path): the renderer never cuts a word.
 */
function fits(line: string, width: number): boolean {
  return (
    line.length <= width || /^\S+( at)?$/.test(line.replace(/^[\s│├└╼]+/, ''))
  );
}

// Real dumps, recorded from the fixtures by scripts/record-dumps.js
// (test/data/dumps/<fixture>.json, the reporter's `outputFile` report), drawn
// by the renderer, listed at the end of the run, annotated and serialized
// without a Jest run: what the e2e tests used to check through many runs of
// the same fixture (widths and colours) is checked here, on the same data.
const DIR = path.join(__dirname, '..', 'data', 'dumps');
const ANSI = /\u001b\[\d+(;\d+)*m/;

interface Report {
  kind: string;
  version: number;
  dumps: Array<{testFile: string; dump: TaskDump}>;
}

const recorded: Array<[string, Report]> = fs
  .readdirSync(DIR)
  .filter(f => f.endsWith('.json'))
  .sort()
  .map(f => [
    f.replace(/\.json$/, ''),
    JSON.parse(fs.readFileSync(path.join(DIR, f), 'utf8')) as Report,
  ]);

/** Text without the tree's glyphs and the spaces wrapping moves around. */
const words = (lines: string[]): string =>
  lines
    .map(l => l.replace(/^[\s│├└╼]+/, ''))
    .join('')
    .replace(/\s+/g, '');

test('the recorded reports are there, of this version, each with dumps', () => {
  expect(recorded.length).toBeGreaterThanOrEqual(10);
  for (const [, report] of recorded) {
    expect(report).toMatchObject({kind: REPORT_KIND, version: REPORT_VERSION});
    expect(report.dumps.length).toBeGreaterThan(0);
    for (const {dump} of report.dumps)
      expect(dump).toMatchObject({kind: DUMP_KIND, version: DUMP_VERSION});
  }
});

describe.each(recorded)('%s', (fixture, report) => {
  const dumps = report.dumps.map(d => d.dump);

  test('each dump, as the renderer draws it', () => {
    expect(dumps.map(d => renderDump(d))).toMatchSnapshot();
  });

  // 60: as test/e2e/terminal.test.ts prints it (COLUMNS=60). Deeper than the
  // width allows, a tree cannot fit 40 columns (the environment never draws
  // narrower).
  test.each([60, 80])(
    'at width %i: every line fits (but for one word, never cut) and nothing is lost; no wrapped line starts with `at `',
    width => {
      for (const d of dumps) {
        const wide = renderDump(d).split('\n');
        const lines = renderDump(d, {width}).split('\n');
        for (const line of lines) expect(fits(line, width)).toBe(true);
        expect(words(lines)).toBe(words(wide));
        expect(lines.some(l => /^\s*at /.test(l))).toBe(false);
      }
    },
  );

  test('in colour: ANSI codes, and the same text without them', () => {
    for (const d of dumps) {
      const plain = renderDump(d, {width: 60});
      const coloured = renderDump(d, {width: 60, styles: terminalStyles(1)});
      expect(coloured).toMatch(ANSI);
      expect(stripVTControlCharacters(coloured)).toBe(plain);
    }
  });

  test('the end-of-run list', () => {
    expect(summaryLines(dumps).join('\n')).toMatchSnapshot();
  });

  test('the end-of-run list fits 60 columns, and in colour reads the same', () => {
    const list = (o: Parameters<typeof summaryLines>[1] = {}) =>
      summaryLines(dumps, o).join('\n').split('\n');
    const narrow = list({width: 60});
    for (const line of narrow) expect(line.length).toBeLessThanOrEqual(60);
    expect(words(narrow)).toBe(words(list()));
    const coloured = list({width: 60, styles: terminalStyles(1)});
    expect(coloured.join('\n')).toMatch(ANSI);
    expect(coloured.map(l => stripVTControlCharacters(l))).toEqual(narrow);
  });

  test('annotations, relative to the working directory', () => {
    const cwd = path.join(path.sep, 'checkout');
    const root = path.join(cwd, 'fixtures', fixture);
    const entries = report.dumps.map(({testFile, dump}) => ({
      dump,
      projectRoot: root,
      testFile: path.join(root, testFile),
    }));
    const lines = annotationLines(entries, cwd);
    for (const line of lines)
      expect(line).toMatch(
        new RegExp(
          `^::error file=fixtures/${fixture}/[^,]+,line=\\d+,col=\\d+,`,
        ),
      );
    expect(lines).toMatchSnapshot();
  });

  test('serialized: no time, port, pid or byte count', () => {
    for (const d of dumps) {
      const text = format(d, {plugins: [serializer]});
      expect(text).not.toMatch(
        /after \d+ ms|127\.0\.0\.1|:\d{4,5}\b|pid \d|\d+ bytes read|fires in \d/,
      );
    }
    expect(
      dumps.map(d => format(d, {plugins: [serializer]})),
    ).toMatchSnapshot();
  });
});

// What the reporter decides in Jest's parent process (resolveTerminal), as
// test/e2e/terminal.test.ts once ran for each case with one and two workers:
// the dump (drawn in a worker at the width less Jest's indent of 4) and the
// end-of-run list are both in colour or both plain. chalk's level is what chalk
// finds in the parent: on a pipe, 0 unless FORCE_COLOR or --colors.
describe('colour and width of the dump and the end-of-run list', () => {
  const reporter = recorded.find(([f]) => f === 'reporter')![1].dumps[0].dump;
  const drawn = (t: {level: 0 | 1 | 2 | 3; columns: number}) => [
    ...renderDump(reporter, {
      styles: terminalStyles(t.level),
      width: Math.max(40, t.columns - 4),
    })
      .split('\n')
      .map(l => `    ${l}`),
    ...summaryLines([reporter], {
      styles: terminalStyles(t.level),
      width: t.columns,
    })
      .join('\n')
      .split('\n'),
  ];

  test.each([
    ['FORCE_COLOR=1', {FORCE_COLOR: '1'}, [], 1, true],
    [
      'FORCE_COLOR=1 NO_COLOR=1 (forced wins)',
      {FORCE_COLOR: '1', NO_COLOR: '1'},
      [],
      1,
      true,
    ],
    [
      '--colors NO_COLOR=1 (the flag wins)',
      {NO_COLOR: '1'},
      ['--colors'],
      1,
      true,
    ],
    ['NO_COLOR=1 on a pipe', {NO_COLOR: '1'}, [], 0, false],
    ['NO_COLOR=1 on a terminal', {NO_COLOR: '1'}, [], 2, false],
    ['--no-colors, FORCE_COLOR unset', {}, ['--no-colors'], 0, false],
  ] as const)('%s', (_what, env, argv, chalkLevel, coloured) => {
    const t = resolveTerminal({
      env,
      argv: ['node', 'jest', ...argv],
      chalkLevel,
      columns: undefined,
    });
    const lines = drawn(t);
    expect(ANSI.test(lines.join('\n'))).toBe(coloured);
    expect(lines.map(l => stripVTControlCharacters(l))).toEqual(
      drawn({level: 0, columns: t.columns}),
    );
  });

  test.each([
    ['COLUMNS=60', {COLUMNS: '60'}, 60],
    ['without a width (not a terminal, no COLUMNS)', {}, 80],
  ])(
    '%s: every line as printed fits (but for one word, never cut)',
    (_what, env, columns) => {
      const t = resolveTerminal({env, argv: [], chalkLevel: 0, columns: 0});
      expect(t.columns).toBe(columns);
      const lines = drawn(t);
      for (const line of lines) expect(fits(line, columns)).toBe(true);
      expect(lines.some(l => l.length > columns - 10)).toBe(true);
    },
  );
});
