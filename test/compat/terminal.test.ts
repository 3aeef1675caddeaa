import {spawnSync} from 'node:child_process';
import path from 'node:path';
import {stripVTControlCharacters} from 'node:util';
import {ANSI, CACHE_DIR, JEST_BIN, REPO, printedParts} from '../e2e/run';

// On a terminal, jest-worker sets FORCE_COLOR=1 in every worker, so a worker
// alone cannot see NO_COLOR; the reporter's decision in the parent is what
// makes it hold. Needs `script` (util-linux) for a pseudo-terminal.
const hasScript =
  spawnSync('script', ['--version'], {encoding: 'utf8'}).status === 0;
(hasScript ? test.each : test.skip.each)([['-i'], ['-w=2']])(
  'on a terminal, NO_COLOR=1 holds with %s',
  workers => {
    const cwd = path.join(REPO, 'fixtures', 'reporter');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NO_COLOR: '1',
      GITHUB_ACTIONS: '',
      CI: 'true',
    };
    delete env.FORCE_COLOR;
    const command = `stty cols 200; ${[process.execPath, JEST_BIN, '--ci', '--cacheDirectory', CACHE_DIR, workers].map(a => JSON.stringify(a)).join(' ')}`;
    const run = spawnSync('script', ['-qec', command, '/dev/null'], {
      cwd,
      env,
      encoding: 'utf8',
      timeout: 120_000,
    });
    const out = run.stdout.replace(/\r/g, '');
    expect(out).toContain('Task dump:');
    const {dump, summary} = printedParts(out);
    expect(dump.join('\n')).not.toMatch(ANSI);
    expect(summary.join('\n')).not.toMatch(ANSI);
    // Jest itself ignores NO_COLOR: its own output is coloured, so the terminal
    // was seen as one.
    expect(ANSI.test(out)).toBe(true);
    // The terminal's width, not 80, reached the workers: the long lines are not
    // wrapped.
    expect(dump.some(l => stripVTControlCharacters(l).length > 80)).toBe(true);
  },
);
