import fs from 'node:fs';
import path from 'node:path';
import {spawnSync} from 'node:child_process';
import {JEST_BIN, REPO, jestArgs, jestEnv, sharedRun} from './run';

// A fixture snapshots a dump of a stuck traced() call through
// jest-taskdump/serializer. The committed snapshot must match where the fixture
// is, and from a copy at another path (as on another machine), with one and
// with two workers.
test.each([['-i'], ['-w=2']])(
  'the committed snapshot matches in place (%s, the shared runs)',
  workers => {
    const run = sharedRun('serializer', [workers]);
    expect(run.files).toEqual({'test/stuck.test.ts': 'PASS'});
    expect(run.snapshots).toEqual({matched: 2, unmatched: 0, added: 0});
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
  const r = spawnSync(process.execPath, [JEST_BIN, ...jestArgs(['-i'])], {
    cwd: elsewhere,
    encoding: 'utf8',
    env: jestEnv({TASKDUMP_REPO: REPO}),
  });
  expect(`${r.stderr}`).toContain('Snapshots:   2 passed, 2 total');
  expect(r.status).toBe(0);
});
