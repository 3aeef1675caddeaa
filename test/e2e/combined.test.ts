import fs from 'node:fs';
import path from 'node:path';
import {fencedBlocks, unrecorded} from '../docs/blocks';
import {dumps, REPO, runJest} from './run';

// docs/reporter.md's example, run: another preset (ts-jest), Jest's default
// reporter, ours with an option, and a custom reporter of the project's own.
const FIXTURE = path.join(REPO, 'fixtures', 'combined');
const REPORT = path.join(FIXTURE, 'reports', 'taskdump.json');

test("the documented config and custom reporter are the fixture's", () => {
  const doc = fs.readFileSync(path.join(REPO, 'docs', 'reporter.md'), 'utf8');
  const blocks = [...doc.matchAll(/```js\n([\s\S]*?)```/g)].map(m => m[1]);
  const config = fs
    .readFileSync(path.join(FIXTURE, 'jest.config.js'), 'utf8')
    .replace("'../../dist/environment/index.js'", "'jest-taskdump/environment'")
    .replace("'../../dist/reporter/index.js'", "'jest-taskdump/reporter'");
  expect(blocks).toContain(config);
  expect(blocks).toContain(
    `// reporters/failures.js\n${fs.readFileSync(path.join(FIXTURE, 'reporters', 'failures.js'), 'utf8').replace(/^\/\/.*\n/, '')}`,
  );
});

describe.each([
  ['one worker', ['-i']],
  ['two workers', ['-w=2']],
])('%s', (_label, workers) => {
  const run = (() => {
    fs.rmSync(path.join(FIXTURE, 'reports'), {recursive: true, force: true});
    return runJest('combined', workers);
  })();
  const report = fs.existsSync(REPORT)
    ? JSON.parse(fs.readFileSync(REPORT, 'utf8'))
    : null;

  test('every reporter does its part, and the tree is printed once', () => {
    expect(run.status).toBe(1);
    expect(run.output).toContain('Tests:       1 failed, 1 passed, 2 total');
    expect(dumps(run.output)).toHaveLength(1);
    expect(run.output).toContain(
      [
        '    Task dump: 1 branch stuck after <elapsed> ms (1 orphaned promise)',
        '',
        '    ╼ test "warms the cache up" at test/cache.test.ts:4:15',
        '    └╼ warmUp at src/cache.ts:12:15',
        '       └╼ get at src/cache.ts:7:25',
        '          ⏸ promise, never settled; created in get at src/cache.ts:6:22',
        '            ↳ nothing can settle it: its resolve and reject functions are gone (orphaned)',
      ].join('\n'),
    );
    expect(run.output).toContain(
      'failures reporter: "warms the cache up" hung, 1 leaf(s)',
    );
    expect(run.output).toContain(
      'jest-taskdump: 1 test or hook hung\n  ● warms the cache up (test/cache.test.ts, 300 ms timeout)\n      src/cache.ts:6:22  promise, never settled',
    );
  });

  test("docs/reporter.md's example output is this run's", () => {
    const doc = fs.readFileSync(path.join(REPO, 'docs', 'reporter.md'), 'utf8');
    const [example] = fencedBlocks(doc).filter(b => b.info === '');
    const summary = run.output
      .slice(
        run.output.lastIndexOf('jest-taskdump: '),
        run.output.lastIndexOf('Test Suites:'),
      )
      .trimEnd();
    expect(unrecorded(example.text, [...dumps(run.output), summary])).toEqual(
      [],
    );
  });

  test('outputFile is written relative to rootDir', () => {
    expect(report).toMatchObject({
      kind: 'jest-taskdump/report',
      version: 2,
      dumps: [
        {
          testFile: 'test/cache.test.ts',
          dump: {rootName: 'warms the cache up'},
        },
      ],
    });
  });
});
