import {spawnSync} from 'node:child_process';
import path from 'node:path';
import {REPO} from './run';

// The environment loads all that takes, searches and renders a dump when it
// loads: at a timeout the test may have replaced the file system under Node's
// module loader (mock-fs), and a `require` then would fail the test file
// (src/core/at-dump.ts). The reporter, in Jest's own process, loads what
// renders dumps and leftovers when it has one to print.
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

test('the environment loads what a dump needs when it loads', () => {
  const loaded = loadedBy('environment/index.js');
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
    expect(loaded).toContain(file);
});

test('the reporter loads without what renders a dump', () => {
  const loaded = loadedBy('reporter/index.js');
  expect(loaded).toContain('reporter/terminal.js');
  expect(loaded.filter(f => DUMP_TIME.test(f))).toEqual([]);
});
