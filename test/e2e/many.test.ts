import {dumps, runJest} from './run';

// Many tests that hang at one leaf (fixtures/many: a database client whose
// server never answers, 8 tests in two files, and one test waiting on a
// timer): the waker search runs once per cause in the run, with one worker or
// two (the second waits for the first one's finding: search-share.ts), the
// other dumps say whose finding they show, and the end-of-run section names
// the cause once.
const QUERIES = Array.from({length: 8}, (_, i) => `query ${i}`);
const FOUND =
  '↳ its resolve function is kept in Client.pending (a Map) (class Client at src/db.js:4:14), itself kept in `client` of src/users.js';

describe.each([
  ['one worker', ['-i']],
  ['two workers', ['-w=2']],
])('%s', (_label, args) => {
  const run = runJest('many', args);
  const all = dumps(run.output);
  const dumpOf = (name: string): string => {
    const d = all.find(x => x.includes(`╼ test "${name}"`));
    if (d === undefined)
      throw new Error(`no dump for ${name} in:\n${run.output}`);
    return d;
  };

  test('one search in the run; every other dump says whose finding it shows', () => {
    expect(run.output).toContain('Tests:       9 failed, 9 total');
    const searched = QUERIES.filter(q => dumpOf(q).includes(FOUND));
    expect(searched).toHaveLength(1);
    for (const q of QUERIES) {
      if (searched.includes(q)) continue;
      // Found in this file, or in the other (in this process or another).
      expect(dumpOf(q)).toMatch(
        new RegExp(
          `↳ as for test "(${searched.join('|')})"( in test/[ab]\\.test\\.js)? \\(a promise made by the same calls; not searched again\\): kept in Client\\.pending \\(a Map\\)$`,
          'm',
        ),
      );
    }
    expect(run.output).not.toContain('not looked for');
  });

  test('the end-of-run section: the cause once with its tests, then the rest', () => {
    const summary = run.output.slice(
      run.output.indexOf('jest-taskdump: 9 tests or hooks hung'),
    );
    const lines = summary.split('\n');
    expect(lines[1]).toBe(
      '  8 tests hung at src/db.js:9:12 (promise, never settled: kept in Client.pending (a Map)):',
    );
    expect(lines.slice(2, 4).sort()).toEqual([
      '    test/a.test.js, 300 ms timeout: "query 0", "query 1", "query 2", "query 3"',
      '    test/b.test.js, 300 ms timeout: "query 4", "query 5", "query 6", "query 7"',
    ]);
    expect(lines.slice(4, 6)).toEqual([
      '  ● polls slowly (test/b.test.js, 300 ms timeout)',
      '      test/b.test.js:12:32  setTimeout 60000 ms, fires in <time left>; the test timeout is 300 ms',
    ]);
  });
});

test('over `wakersMaxHeapMb`, each leaf says so in the same words, and the tests are still grouped', () => {
  // Without JavaScript compiled by babel-jest, a test process's heap can be
  // under 16 MB after a garbage collection: 32 MB more are kept (ballast.js).
  const run = runJest(
    'many',
    [
      '-i',
      '--testEnvironmentOptions',
      JSON.stringify({taskdump: {wakersMaxHeapMb: 16}}),
    ],
    {TASKDUMP_BALLAST_MB: '32'},
  );
  const all = dumps(run.output);
  const queries = all.filter(d => d.includes('query at src/db.js'));
  expect(queries).toHaveLength(8);
  for (const d of queries)
    expect(d).toContain(
      '↳ not looked for: the heap was over `wakersMaxHeapMb` (16 MB)',
    );
  expect(run.output).toContain(
    '  8 tests hung at src/db.js:9:12 (promise, never settled):',
  );
});
