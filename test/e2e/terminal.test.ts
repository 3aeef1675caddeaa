import {stripVTControlCharacters} from 'node:util';
import {ANSI, SIZE_ORDER, dumps, printedParts, runJest, sharedRun} from './run';

// Colour and width of the dump and of the end-of-run section, decided in Jest's
// parent process and handed to workers (src/reporter/terminal.ts). What is
// decided for each flag and variable, and how the dump and the list are drawn
// at each width and colour level, are unit tests (test/unit/terminal.test.ts,
// test/unit/recorded.test.ts); here one run per feature proves the wiring. On a
// pseudo-terminal: test/compat/terminal.test.ts (npm run test:compat).
const HUNG =
  'checkout with a rather long describe block name › reserves every item of an order with a name long enough to wrap';

test('COLUMNS=60, with --silent and --json: every line fits but for one word never cut, nothing is lost, and the tree is printed once and is in the JSON once', () => {
  const run = runJest('reporter', ['-i', '--silent', '--json'], {
    COLUMNS: '60',
  });
  expect(run.status).toBe(1);
  // As printed (normalizing would lengthen "after 301 ms").
  const {dump, summary} = printedParts(run.stderr);
  expect(dump.length).toBeGreaterThan(8);
  expect(summary.length).toBeGreaterThan(2);
  // A word longer than what is left of a line (a path) stands whole on a line
  // of its own: never cut.
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
  // Jest took none of the wrapped lines for a stack frame: no line starts with
  // `at `.
  expect(dump.some(l => /^\s*at /.test(l))).toBe(false);
  expect(run.output).toContain('Tests:       1 failed, 1 passed, 2 total');
  // --json: the tree once in the failure's message, printed once.
  const json = JSON.parse(run.stdout) as {
    testResults: Array<{message: string}>;
  };
  const message = json.testResults.map(r => r.message).join('\n');
  expect(message.split('Task dump:')).toHaveLength(2);
  expect(run.stderr.split('Task dump:')).toHaveLength(2);
  expect(dumps(run.output)).toHaveLength(1);
  expect(run.stderr).toContain('jest-taskdump: 1 test or hook hung');
});

test('--colors NO_COLOR=1 with two workers: the flag, seen in the parent only, colours the dump made in a worker, and the summary', () => {
  const run = runJest('reporter', ['-w=2', '--colors', ...SIZE_ORDER], {
    FORCE_COLOR: undefined,
    NO_COLOR: '1',
  });
  const {dump, summary} = printedParts(run.output);
  expect(ANSI.test(dump.join('\n'))).toBe(true);
  expect(ANSI.test(summary.join('\n'))).toBe(true);
  // Colour changes nothing else.
  expect(stripVTControlCharacters(dump.join('\n'))).toContain(
    '└╼ [0–2] 3× waitForTheUpstreamInventoryServiceToAcknowledgeTheReservation at src/fanout.js:3:10',
  );
});

describe.each([
  ['one worker', ['-i']],
  ['two workers', ['-w=2']],
])('%s', (_label, args) => {
  const run = sharedRun('reporter', args);

  test('NO_COLOR=1 FORCE_COLOR=0: no ANSI code in the dump or the summary', () => {
    expect(dumps(run.output)).toHaveLength(1);
    expect(run.summary).toHaveLength(1);
    expect(run.output).not.toMatch(ANSI);
  });

  test('the note to workers never reaches a test', () => {
    expect(
      run.results[
        "the note from the reporter to workers is not in the test's process.env"
      ],
    ).toBe('passed');
  });
});
