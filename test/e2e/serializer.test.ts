import fs from 'node:fs';
import path from 'node:path';
import {REPO, runJest} from './run';
import {spawnSync} from 'node:child_process';

// A fixture snapshots a dump of a stuck traced() call through
// jest-taskdump/serializer. The committed snapshot must match where the fixture
// is, and from a copy at another path (as on another machine), with one and
// with two workers.
test.each([['-i'], ['-w=2']])(
  'the committed snapshot matches in place (%s)',
  workers => {
    const run = runJest('serializer', [workers]);
    expect(run.status).toBe(0);
    expect(run.output).toContain('Snapshots:   2 passed, 2 total');
  },
);

test('and from a copy of the project at another path', () => {
  const elsewhere = path.join(REPO, '.tmp', 'another', 'machine', 'serializer');
  fs.rmSync(elsewhere, {recursive: true, force: true});
  fs.cpSync(path.join(REPO, 'fixtures', 'serializer'), elsewhere, {
    recursive: true,
  });
  // The copy imports the package by its built path from the new place.
  const test = path.join(elsewhere, 'test', 'stuck.test.ts');
  fs.writeFileSync(
    test,
    fs
      .readFileSync(test, 'utf8')
      .replace("'../../../dist'", JSON.stringify(path.join(REPO, 'dist'))),
  );
  const r = spawnSync(
    process.execPath,
    [path.join(REPO, 'node_modules', 'jest', 'bin', 'jest.js'), '--ci', '-i'],
    {
      cwd: elsewhere,
      encoding: 'utf8',
      env: {
        ...process.env,
        TASKDUMP_REPO: REPO,
        NO_COLOR: '1',
        COLUMNS: '1000',
      },
    },
  );
  expect(`${r.stderr}`).toContain('Snapshots:   2 passed, 2 total');
  expect(r.status).toBe(0);
});
