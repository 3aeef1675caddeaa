import fs from 'node:fs';
import path from 'node:path';
import {REPO, runJest, sharedRun} from './run';

// Reporter options: the JSON report for CI artifacts, and GitHub Actions
// annotations (asked for or not, and where: test/unit/reporter.test.ts).
const fixture = path.join(REPO, 'fixtures', 'two-hung');
const config = (options: object | undefined) =>
  JSON.stringify({
    rootDir: fixture,
    preset: path.join(REPO, 'jest-preset.js'),
    transform: {
      '^.+\\.ts$': ['ts-jest', {tsconfig: path.join(fixture, 'tsconfig.json')}],
    },
    testMatch: ['**/test/two.test.ts'],
    reporters: [
      'default',
      options === undefined
        ? path.join(REPO, 'dist', 'reporter', 'index.js')
        : [path.join(REPO, 'dist', 'reporter', 'index.js'), options],
    ],
  });

describe.each([
  ['one worker', ['-i']],
  ['two workers', ['-w=2']],
])('%s', (_label, workers) => {
  // One run for both options' wiring: outputFile, and annotations under GitHub
  // Actions (with --json, whose stdout is Jest's JSON).
  const relative = `.tmp/report-${workers.join('')}/dumps.json`;
  const out = path.join(fixture, relative);
  const run = (() => {
    fs.rmSync(path.dirname(out), {recursive: true, force: true});
    // From the repository's root: the report is written relative to rootDir
    // (the fixture), annotations name files relative to the working directory
    // (as GitHub wants them, relative to the checkout).
    return runJest(
      'two-hung',
      [...workers, '--json', '--config', config({outputFile: relative})],
      {GITHUB_ACTIONS: 'true'},
      REPO,
    );
  })();

  test('outputFile writes every dump as JSON, relative to rootDir', () => {
    expect(run.status).toBe(1);
    const report = JSON.parse(fs.readFileSync(out, 'utf8'));
    expect(report).toMatchObject({kind: 'jest-taskdump/report', version: 2});
    expect(
      report.dumps
        .map(
          (d: {testFile: string; dump: {rootName: string}}) =>
            `${d.testFile} ${d.dump.rootName}`,
        )
        .sort(),
    ).toEqual([
      'test/two.test.ts acquires lock',
      'test/two.test.ts loads config',
    ]);
    expect(report.dumps[0].dump).toMatchObject({
      kind: 'jest-taskdump/dump',
      version: 2,
      testPath: 'test/two.test.ts',
      timeoutMs: 300,
    });
    expect(JSON.stringify(report)).not.toContain(REPO);
  });

  test('annotations under GitHub Actions, one per stuck leaf, at the leaf', () => {
    // With --json, stdout is Jest's JSON: annotations go to stderr, as Jest's
    // own reporter's.
    expect(JSON.parse(run.stdout)).toMatchObject({numFailedTests: 2});
    const lines = run.stderr
      .split('\n')
      .filter(l => l.startsWith('::error '))
      .sort();
    expect(lines).toEqual([
      expect.stringMatching(
        /^::error file=fixtures\/two-hung\/src\/services\.ts,line=11,col=10,title=jest-taskdump%3A test "acquires lock" hung::promise, never settled \(after \d+ ms\)$/,
      ),
      expect.stringMatching(
        /^::error file=fixtures\/two-hung\/src\/services\.ts,line=2,col=9,title=jest-taskdump%3A test "loads config" hung::promise, never settled \(after \d+ ms\)$/,
      ),
    ]);
  });

  test('no annotations elsewhere (the shared runs are not under GitHub Actions)', () => {
    const shared = sharedRun('two-hung', workers);
    expect(shared.summary.length).toBeGreaterThan(0);
    expect(`${shared.stderr}${shared.stdout}`).not.toContain('::error');
  });
});

// Each bad option and its message: test/unit/reporter.test.ts. Here, the
// wiring: the run fails with the message.
test('a bad option is named with its value and what is accepted', () => {
  const run = runJest('two-hung', [
    '-i',
    '--config',
    config({output: 'x.json'}),
  ]);
  expect(run.status).toBe(1);
  expect(run.output).toContain(
    'jest-taskdump/reporter: unknown option `output` (value "x.json"). Accepted options: `outputFile`',
  );
});
