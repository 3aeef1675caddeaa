import fs from 'node:fs';
import path from 'node:path';
import {REPO} from '../e2e/run';
import {
  fencedBlocks,
  recordedOutputs,
  sameOutput,
  stable,
  unrecorded,
} from './blocks';

// Every dump the docs show is real output of a fixture: it must be one that the
// end-to-end tests recorded in their committed snapshots (they fail when a
// fixture's output changes, and these then fail until the docs say the same).
// No Jest run here: only the snapshot files are read.
const RECORDED = recordedOutputs([path.join(REPO, 'test')]);
const read = (file: string): string =>
  fs.readFileSync(path.join(REPO, file), 'utf8');

describe.each(['docs/reading-dumps.md', 'README.md'])('%s', file => {
  // Plain fences hold output; code has a language (ts, js, sh).
  const blocks = fencedBlocks(read(file)).filter(b => b.info === '');

  test('quotes output', () => {
    expect(blocks.length).toBeGreaterThan(0);
  });

  test.each(blocks.map(b => [`line ${b.line}`, b.text]))(
    'the block at %s is recorded output',
    (_where, text) => {
      expect(unrecorded(text, RECORDED)).toEqual([]);
    },
  );
});

test("the README's seed program is fixtures/seed's", () => {
  const program = fencedBlocks(read('README.md')).find(
    b => b.info === 'ts' && b.text.startsWith('// src/tasks.ts\n'),
  );
  expect(program).toBeDefined();
  const [tasks, test] = program!.text.split('\n\n// test/hang.test.ts\n');
  expect(tasks.replace('// src/tasks.ts\n', '')).toBe(
    read('fixtures/seed/src/tasks.ts').trimEnd(),
  );
  expect(read('fixtures/seed/test/hang.test.ts')).toContain(test.trimEnd());
});

test("docs/api.md's snapshot is fixtures/serializer's committed one", () => {
  const snap = read(
    'fixtures/serializer/test/__snapshots__/stuck.test.ts.snap',
  );
  const blocks = fencedBlocks(read('docs/api.md')).filter(b => b.info === '');
  expect(blocks.length).toBeGreaterThan(0);
  for (const b of blocks) expect(snap).toContain(b.text);
});

// The comparison itself: a wrapped, differently timed copy of a recorded dump
// is the same output; a changed word, line or branch is not.
describe('sameOutput', () => {
  const recorded = [
    'Task dump: 1 branch stuck after <elapsed> ms (1 timer)',
    '',
    '╼ test "timers/promises setTimeout" at test/leaves.test.js:7:60',
    '└╼ pollSlowly at src/app.js:11:37',
    '   ⏲ timers/promises setTimeout 60000 ms, fires in <time left>; the test timeout is 300 ms',
  ].join('\n');
  const quoted = [
    'Task dump: 1 branch stuck after 301 ms (1 timer)',
    '',
    '╼ test "timers/promises setTimeout" at test/leaves.test.js:7:60',
    '└╼ pollSlowly at src/app.js:11:37',
    '   ⏲ timers/promises setTimeout 60000 ms, fires in 59.7 s; the test timeout',
    '     is 300 ms',
  ].join('\n');

  test('times differ, lines are wrapped: the same', () => {
    expect(sameOutput(quoted, recorded)).toBe(true);
    expect(sameOutput(quoted.split('\n').slice(2).join('\n'), recorded)).toBe(
      true,
    );
  });

  test.each([
    ['a word', quoted.replace('pollSlowly', 'pollQuickly')],
    ['a position', quoted.replace('11:37', '11:38')],
    ['the timeout', quoted.replace('is 300 ms', 'is 500 ms')],
    ['a line left out', quoted.replace(/└╼ pollSlowly.*\n/, '')],
    ['a line added', `${quoted}\n     ↳ nothing can settle it`],
    ['the branch', quoted.replace('└╼ pollSlowly', '├╼ pollSlowly')],
  ])('%s changed: not the same', (_what, changed) => {
    expect(sameOutput(changed, recorded)).toBe(false);
  });

  test('what varies between runs is normalized as the e2e tests do', () => {
    expect(
      stable(
        'after 1003 ms, fires in 59.7 s, ran 8 times, 127.0.0.1:39983, pid 11745',
      ),
    ).toBe(
      'after <elapsed> ms, fires in <time left>, ran <n> times, 127.0.0.1:<port>, pid <pid>',
    );
  });

  test('a list of what a file left open may be quoted cut after a whole entry, not within one', () => {
    const left = [
      'jest-taskdump: test/a.test.js left 2 open: 1 timer, 1 socket',
      '',
      '╼ test "polls" in test/a.test.js',
      '└╼ poll at src/jobs.js:4:17',
      '   ⏲ setInterval every 1000 ms, still active; keeps the process alive',
      '',
      '╼ test "connects" in test/a.test.js',
      '└╼ connect at src/client.js:5:22',
      '   ⇄ socket to 127.0.0.1:<port>, open, 0 bytes read; keeps the process alive',
    ].join('\n');
    const lines = left.split('\n');
    const quote = (n: number): string =>
      lines.slice(0, n).join('\n').replace('<port>', '4000');
    expect(unrecorded(quote(9), [left])).toEqual([]);
    expect(unrecorded(quote(5), [left])).toEqual([]);
    expect(unrecorded(quote(4), [left])).toEqual([quote(4)]);
    // A dump is never quoted cut.
    expect(
      sameOutput(
        'Task dump: 1 branch stuck',
        'Task dump: 1 branch stuck\n\n╼ x',
      ),
    ).toBe(false);
  });
});
