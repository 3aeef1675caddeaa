import {dumps, sharedRun} from './run';

// A combinator of 100 inputs of two kinds, interleaved, all stuck
// (fixtures/alike): the first 3 of each kind are drawn (maxAlike's default),
// the rest counted after the last one drawn, and the header counts all 100.
describe.each([
  ['one worker', ['-i']],
  ['two workers', ['-w=2']],
])('alike fixture, %s', (_label, args) => {
  const run = sharedRun('alike', args);

  test('the dump draws 3 inputs of each kind and counts the other 94 exactly', () => {
    expect(run.tests).toBe('1 failed, 1 total');
    const [dump] = dumps(run.output);
    expect(dump).toMatch(
      /^Task dump: 100 branches stuck after <elapsed> ms \(100 promises\)/,
    );
    const inputs = (kind: string): string[] =>
      dump
        .split('\n')
        .filter(l => l.includes(` ${kind} at src/jobs.js`))
        .map(l => /\[(\d+)\]/.exec(l)![1]);
    expect(inputs('fetchUser')).toEqual(['0', '2', '4']);
    expect(inputs('fetchOrder')).toEqual(['1', '3', '5']);
    expect(dump).toContain(
      [
        '   ├╼ [4] fetchUser at src/jobs.js:7:9',
        '   │  └╼ reply at src/jobs.js:3:10',
        '   │     ⏸ promise, never settled',
        '   ├╼ ⋯ and 47 more branches like [4]',
        '   ├╼ [5] fetchOrder at src/jobs.js:11:9',
        '   │  └╼ reply at src/jobs.js:3:10',
        '   │     ⏸ promise, never settled',
        '   └╼ ⋯ and 47 more branches like [5]',
      ].join('\n'),
    );
    expect(dump.split('\n').filter(l => l.includes('⏸'))).toHaveLength(6);
  });
});
