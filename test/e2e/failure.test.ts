import {runJest} from './run';

// Never make a failure worse: when taking the dump throws, the timeout is reported exactly
// as plain jest-environment-node reports it, plus one line saying the dump failed and why.
describe.each([
  ['one worker', ['-i']],
  ['two workers', ['-w=2']],
])('a dump that fails, %s', (_label, args) => {
  const broken = runJest('dump-fails', args);
  const plain = runJest('dump-fails', args, {TASKDUMP_PLAIN: '1'});
  const strip = (s: string): string => s.replace(/ \(<duration>\)/g, '');
  const NOTE = '  ● hangs\n\n    jest-taskdump: could not take a task dump (simulated failure). This is a bug in jest-taskdump.\n\n';

  test('adds exactly one note, with the first line of the reason', () => {
    expect(broken.status).toBe(1);
    expect(broken.output.split(NOTE)).toHaveLength(2);
    expect(broken.output).not.toContain('with a second line');
  });

  test('everything else is what plain jest-environment-node prints', () => {
    expect(plain.status).toBe(1);
    expect(strip(broken.output.replace(NOTE, ''))).toBe(strip(plain.output));
    expect(plain.output).toContain('Exceeded timeout of 200 ms for a test');
    expect(plain.output).toContain('Tests:       2 failed, 2 total');
  });
});
