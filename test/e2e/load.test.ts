import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {REPO} from './run';

// The environment is one file (scripts/bundle.js): Node's module loader costs
// ~100 ms of CPU per worker for tsc's 136 files, ~45 ms for one. It holds all
// that takes, searches and renders a dump, so that nothing is read from disk
// at a timeout, when the test may have replaced the file system under Node's
// module loader (mock-fs; src/core/at-dump.ts). The reporter, in Jest's own
// process, loads what renders dumps and leftovers when it has one to print.
const DIST = path.join(REPO, 'dist');

function loadedBy(file: string): string[] {
  const run = spawnSync(
    process.execPath,
    [
      '-e',
      `require(${JSON.stringify(path.join(DIST, file))});
      console.log(JSON.stringify(Object.keys(require.cache)));`,
    ],
    {cwd: REPO, encoding: 'utf8'},
  );
  if (run.status !== 0) throw new Error(run.stderr);
  return (JSON.parse(run.stdout) as string[])
    .filter(f => f.startsWith(DIST + path.sep))
    .map(f => path.relative(DIST, f).split(path.sep).join('/'));
}

const DUMP_TIME =
  /^(core\/(dump|wakers|graph|stack)\/|core\/(render|leftover-render|heap[-.a-z]*|inputs|fn-position)\.js$|core\/render\/index\.js$|environment\/(search[-.a-z]*|timeout-dump|blocked|waker-cache)\.js$|reporter\/summary\.js$)/;

test('the environment is one file, with what a dump needs', () => {
  expect(loadedBy('environment/index.js')).toEqual(['environment/index.js']);
  const bundle = fs.readFileSync(
    path.join(DIST, 'environment', 'index.js'),
    'utf8',
  );
  // No module of ours is left to read from disk later.
  expect(bundle).not.toMatch(/require\("\.\.?\//);
  const inside = [...bundle.matchAll(/^\/\/ dist\/(\S+\.js)$/gm)].map(
    m => m[1],
  );
  for (const file of [
    'environment/events.js',
    'core/record/hooks.js',
    'core/dump/index.js',
    'core/wakers/index.js',
    'core/render/index.js',
    'core/leftover-render.js',
    'environment/timeout-dump.js',
    'environment/search.js',
    'environment/blocked.js',
  ])
    expect(inside).toContain(file);
});

test('the reporter loads without what renders a dump', () => {
  const loaded = loadedBy('reporter/index.js');
  expect(loaded).toContain('reporter/terminal.js');
  expect(loaded.filter(f => DUMP_TIME.test(f))).toEqual([]);
});
