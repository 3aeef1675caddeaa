import {SEED_OUTLINE, dumps, outline, sharedRun} from './run';

// The seed program through babel-jest (preset-env for the running Node,
// preset-typescript) and
// @swc/jest (no options), with one and two workers: the same tree, function
// names, files and lines as through ts-jest. Positions come from whatever
// source maps Jest itself uses, so no transformer is special-cased. Read from
// the shared runs (test/e2e/shared-runs.ts).

const reference = dumps(sharedRun('seed', ['-i']).output);

test('ts-jest, the reference, gives the seed tree', () => {
  expect(reference).toHaveLength(1);
  expect(outline(reference[0])).toBe(SEED_OUTLINE);
});

describe.each([
  ['babel-jest', 'babel'],
  ['@swc/jest', 'swc'],
])('%s', (_name, fixture) => {
  describe.each([
    ['one worker', ['-i']],
    ['two workers', ['-w=2']],
  ])('%s', (_label, args) => {
    const run = sharedRun(fixture, args);
    const found = dumps(run.output);

    test('the hung test fails with one dump; the passing file passes', () => {
      expect(run.output).toContain('Exceeded timeout of 300 ms for a test');
      expect(run.files).toEqual({
        'test/hang.test.ts': 'FAIL',
        'test/ok.test.ts': 'PASS',
      });
      expect(run.tests).toBe('1 failed, 1 passed, 2 total');
      expect(found).toHaveLength(1);
    });

    test('the Promise.all tree with the functions, files and lines of the source', () => {
      expect(outline(found[0])).toBe(SEED_OUTLINE);
      expect(found[0]).toMatchSnapshot();
    });

    test('the columns too are those ts-jest gives (the position of each call)', () => {
      expect(found).toEqual(reference);
    });

    test('the end-of-run summary names the stuck leaves by source position', () => {
      expect(run.summary).toEqual([
        '  ● hangs (test/hang.test.ts, 300 ms timeout)\n      src/tasks.ts:1:34  2× promise, never settled: orphaned',
      ]);
    });
  });
});
