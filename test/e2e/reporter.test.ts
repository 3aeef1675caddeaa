import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {REPO, runJest} from './run';

// Reporter options: the JSON report for CI artifacts, and GitHub Actions
// annotations.
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
  test('outputFile writes every dump as JSON, relative to rootDir', () => {
    // Relative to rootDir (the fixture), not to the working directory (set
    // elsewhere here).
    const relative = `.tmp/report-${workers.join('')}/dumps.json`;
    const out = path.join(fixture, relative);
    fs.rmSync(path.dirname(out), {recursive: true, force: true});
    const run = runJest(
      'two-hung',
      [...workers, '--config', config({outputFile: relative})],
      {},
      os.tmpdir(),
    );
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
      version: 1,
      testPath: 'test/two.test.ts',
      timeoutMs: 300,
    });
    expect(JSON.stringify(report)).not.toContain(REPO);
  });

  test('annotations under GitHub Actions, one per stuck leaf, at the leaf', () => {
    // With --json, stdout is Jest's JSON: annotations go to stderr, as Jest's
    // own reporter's.
    const run = runJest(
      'two-hung',
      [...workers, '--json', '--config', config(undefined)],
      {GITHUB_ACTIONS: 'true'},
    );
    expect(JSON.parse(run.stdout)).toMatchObject({numFailedTests: 2});
    const lines = run.stderr
      .split('\n')
      .filter(l => l.startsWith('::error '))
      .sort();
    expect(lines).toEqual([
      expect.stringMatching(
        /^::error file=src\/services\.ts,line=11,col=10,title=jest-taskdump%3A test "acquires lock" hung::promise, never settled \(after \d+ ms\)$/,
      ),
      expect.stringMatching(
        /^::error file=src\/services\.ts,line=2,col=9,title=jest-taskdump%3A test "loads config" hung::promise, never settled \(after \d+ ms\)$/,
      ),
    ]);
  });
});

test('no annotations elsewhere, unless asked for', () => {
  const plain = runJest('two-hung', ['-i', '--config', config(undefined)], {
    GITHUB_ACTIONS: '',
  });
  expect(plain.output).not.toContain('::error');
  const asked = runJest(
    'two-hung',
    ['-i', '--config', config({annotations: true})],
    {GITHUB_ACTIONS: ''},
  );
  expect(asked.stderr).toContain('::error file=src/services.ts,line=2,col=9');
});

test.each([
  [
    {outputFile: ''},
    'option `outputFile` must be a non-empty path (relative to rootDir), but it is "".',
  ],
  [
    {annotations: 'yes'},
    'option `annotations` must be true or false, but it is "yes".',
  ],
  [
    {output: 'x.json'},
    'unknown option `output` (value "x.json"). Accepted options: `outputFile`',
  ],
])(
  'bad option %j is named with its value and what is accepted',
  (options, message) => {
    const run = runJest('two-hung', ['-i', '--config', config(options)]);
    expect(run.status).toBe(1);
    expect(run.output).toContain(`jest-taskdump/reporter: ${message}`);
  },
);
