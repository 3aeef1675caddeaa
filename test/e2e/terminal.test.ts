import {spawnSync} from 'node:child_process';
import path from 'node:path';
import {stripVTControlCharacters} from 'node:util';
import {dumps, REPO, runJest} from './run';

// Colour and width of the dump and of the end-of-run section, decided in Jest's
// parent process and handed to workers (src/reporter/terminal.ts), with one and
// with two workers.
const HUNG =
  'checkout with a rather long describe block name › reserves every item of an order with a name long enough to wrap';
const ANSI = /\u001b\[\d+(;\d+)*m/;

/** The dump's lines and the end-of-run section's lines, as printed. */
function parts(output: string): {dump: string[]; summary: string[]} {
  const lines = output.split('\n');
  const from = lines.findIndex(l => l.includes('Task dump:'));
  const dump: string[] = [];
  // Jest prints a failure's message indented by 4 columns; the dump ends where
  // that ends.
  for (
    let i = from;
    i < lines.length && (lines[i].startsWith('    ') || lines[i].trim() === '');
    i++
  ) {
    if (lines[i].trim() === '' && (lines[i + 1] ?? '').trim() === '') break;
    dump.push(lines[i]);
  }
  const head = lines.findIndex(l =>
    stripVTControlCharacters(l).startsWith('jest-taskdump: 1 test'),
  );
  const summary: string[] = [];
  for (let i = head; i >= 0 && i < lines.length && lines[i].trim() !== ''; i++)
    summary.push(lines[i]);
  return {dump, summary};
}

describe.each([
  ['one worker', ['-i']],
  ['two workers', ['-w=2']],
])('%s', (_label, workers) => {
  test('COLUMNS=60: every line fits but for one word never cut, and nothing is lost', () => {
    const run = runJest('reporter', workers, {COLUMNS: '60'});
    expect(run.status).toBe(1);
    // As printed (normalizing would lengthen "after 301 ms").
    const {dump, summary} = parts(run.stderr);
    expect(dump.length).toBeGreaterThan(8);
    // A word longer than what is left of a line (a path) stands whole on a
    // line of its own.
    for (const line of [...dump, ...summary])
      if (line.length > 60)
        expect(line.replace(/^[\s│├└╼]+/, '')).toMatch(/^\S+( at)?$/);
    // Wrapped pieces continue under their branch: joined again, the words are
    // all there.
    const words = dump.map(l => l.replace(/^[\s│├└╼]+/, '')).join(' ');
    expect(words).toContain(`test "${HUNG}" at test/orders.test.js:9:11`);
    // The three inputs, made by one helper, drawn once (the helper's long name
    // wraps).
    expect(words).toContain('Promise.race [0–2] 3× waitForTheUpstream');
    expect(words).toContain('at src/fanout.js:3:10 ⏸ promise, never settled');
    // Jest took none of the wrapped lines for a stack frame: no line starts
    // with `at `.
    expect(dump.some(l => /^\s*at /.test(l))).toBe(false);
    expect(run.output).toContain('Tests:       1 failed, 1 passed, 2 total');
  });

  test('without a width (not a terminal, no COLUMNS), lines are fitted to 80 columns', () => {
    const run = runJest('reporter', workers, {COLUMNS: undefined});
    const {dump, summary} = parts(run.stderr);
    for (const line of [...dump, ...summary])
      expect(line.length).toBeLessThanOrEqual(80);
    expect(dump.some(l => l.length > 70)).toBe(true);
  });

  test.each([
    ['FORCE_COLOR=1', {FORCE_COLOR: '1', NO_COLOR: undefined}, [], true],
    [
      'FORCE_COLOR=1 NO_COLOR=1 (forced wins)',
      {FORCE_COLOR: '1', NO_COLOR: '1'},
      [],
      true,
    ],
    [
      '--colors NO_COLOR=1 (the flag wins)',
      {FORCE_COLOR: undefined, NO_COLOR: '1'},
      ['--colors'],
      true,
    ],
    ['NO_COLOR=1', {FORCE_COLOR: undefined, NO_COLOR: '1'}, [], false],
    [
      '--no-colors FORCE_COLOR unset',
      {FORCE_COLOR: undefined, NO_COLOR: undefined},
      ['--no-colors'],
      false,
    ],
  ])(
    '%s: ANSI codes in the dump and the summary as expected',
    (_what, env, args, coloured) => {
      const run = runJest(
        'reporter',
        [...workers, ...(args as string[])],
        env as Record<string, string | undefined>,
      );
      const {dump, summary} = parts(run.output);
      expect(ANSI.test(dump.join('\n'))).toBe(coloured);
      expect(ANSI.test(summary.join('\n'))).toBe(coloured);
      // Colour changes nothing else.
      expect(stripVTControlCharacters(dump.join('\n'))).toContain(
        'Promise.race',
      );
    },
  );

  test('--silent, --ci and --json: the tree once in the output, and once in the JSON', () => {
    const run = runJest('reporter', [...workers, '--silent', '--json'], {});
    const json = JSON.parse(run.stdout) as {
      testResults: Array<{message: string}>;
    };
    const message = json.testResults.map(r => r.message).join('\n');
    expect(message.split('Task dump:')).toHaveLength(2);
    expect(run.stderr.split('Task dump:')).toHaveLength(2);
    expect(dumps(run.output)).toHaveLength(1);
    expect(run.stderr).toContain('jest-taskdump: 1 test or hook hung');
  });

  test('the note to workers never reaches a test', () => {
    const run = runJest('reporter', workers, {});
    expect(run.output).toContain(
      "✓ the note from the reporter to workers is not in the test's process.env",
    );
  });
});

// On a terminal, jest-worker sets FORCE_COLOR=1 in every worker, so a worker
// alone cannot see NO_COLOR; the reporter's decision in the parent is what
// makes it hold. Needs `script` (util-linux) for a pseudo-terminal.
const hasScript =
  spawnSync('script', ['--version'], {encoding: 'utf8'}).status === 0;
(hasScript ? test.each : test.skip.each)([['-i'], ['-w=2']])(
  'on a terminal, NO_COLOR=1 holds with %s',
  workers => {
    const bin = path.join(REPO, 'node_modules', 'jest', 'bin', 'jest.js');
    const cwd = path.join(REPO, 'fixtures', 'reporter');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NO_COLOR: '1',
      GITHUB_ACTIONS: '',
      CI: 'true',
    };
    delete env.FORCE_COLOR;
    const command = `stty cols 200; ${JSON.stringify(process.execPath)} ${JSON.stringify(bin)} --ci --no-cache ${workers}`;
    const run = spawnSync('script', ['-qec', command, '/dev/null'], {
      cwd,
      env,
      encoding: 'utf8',
      timeout: 120_000,
    });
    const out = run.stdout.replace(/\r/g, '');
    expect(out).toContain('Task dump:');
    const {dump, summary} = parts(out);
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
