import {runJest} from './run';

// Never make a failure worse: when taking or rendering the dump throws, each
// timeout (of a test, and of a beforeAll for the test under it) is reported
// exactly as plain jest-environment-node reports it, plus one note saying the
// dump failed and why. The fixture's environment extends ours and breaks the
// protected takeTaskDump / renderTaskDump.
const plainRuns = new Map<string, ReturnType<typeof runJest>>();
const plainRun = (args: string[]): ReturnType<typeof runJest> => {
  const key = args.join(' ');
  if (!plainRuns.has(key))
    plainRuns.set(key, runJest('dump-fails', args, {TASKDUMP_PLAIN: '1'}));
  return plainRuns.get(key)!;
};
const strip = (s: string): string => s.replace(/ \(<duration>\)/g, '');
const note = (title: string, why: string): string =>
  `  ● ${title}\n\n    jest-taskdump: could not take a task dump (${why}). This is a bug in jest-taskdump.\n\n`;

describe.each([
  ['taking the dump throws, one worker', 'take', ['-i'], 'simulated failure'],
  [
    'taking the dump throws, two workers',
    'take',
    ['-w=2'],
    'simulated failure',
  ],
  ['rendering the dump throws', 'render', ['-i'], 'simulated render failure'],
  [
    'a value that is no Error and cannot be made a string is thrown',
    'odd',
    ['-i'],
    'a thrown Object that cannot be shown',
  ],
])('%s', (_label, where, args, why) => {
  const broken = runJest('dump-fails', args, {TASKDUMP_BREAK: where});
  const plain = plainRun(args);
  const notes = [
    note('hangs', why),
    note('setup › after a hung beforeAll', why),
  ];

  test('adds exactly one note to each timed-out test, with the first line of the reason', () => {
    expect(broken.status).toBe(1);
    for (const n of notes) expect(broken.output.split(n)).toHaveLength(2);
    expect(broken.output.match(/could not take a task dump/g)).toHaveLength(2);
    expect(broken.output).not.toContain('with a second line');
  });

  test('everything else is what plain jest-environment-node prints', () => {
    expect(plain.status).toBe(1);
    expect(plain.output).toContain('Exceeded timeout of 200 ms for a test');
    expect(plain.output).toContain('Exceeded timeout of 200 ms for a hook');
    expect(plain.output).toContain('Tests:       3 failed, 3 total');
    expect(
      strip(notes.reduce((out, n) => out.replace(n, ''), broken.output)),
    ).toBe(strip(plain.output));
  });
});
