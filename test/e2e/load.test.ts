import {spawnSync} from 'node:child_process';
import path from 'node:path';
import {REPO} from './run';

// What a process where nothing hangs loads: the recorder, the environment and
// the leftovers' ledger, not what takes, searches and renders a dump (loaded at
// the first one: src/core/at-dump.ts, src/environment/at-dump.ts); nor does
// the reporter, in Jest's own process, until it has one to print.
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

test('the environment loads without the modules of a dump', () => {
  const loaded = loadedBy('environment/index.js');
  expect(loaded).toContain('environment/events.js');
  expect(loaded).toContain('core/record/hooks.js');
  expect(loaded.filter(f => DUMP_TIME.test(f))).toEqual([]);
});

test('the reporter loads without them', () => {
  const loaded = loadedBy('reporter/index.js');
  expect(loaded).toContain('reporter/terminal.js');
  expect(loaded.filter(f => DUMP_TIME.test(f))).toEqual([]);
});
