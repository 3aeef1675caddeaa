import {dumps, runJest} from './run';

// The seed program through babel-jest and @swc/jest: the same tree, names and positions as
// through ts-jest, since positions come from whatever source maps Jest itself uses.
const reference = dumps(runJest('seed', ['-i']).output);

test('the ts-jest reference is the seed tree', () => {
  expect(reference).toHaveLength(1);
  expect(reference[0]).toContain('└╼ [1] buz at src/tasks.ts:4:30');
});

describe.each([
  ['babel-jest', 'babel'],
  ['@swc/jest', 'swc'],
])('%s', (_name, fixture) => {
  test.each([
    ['one worker', ['-i']],
    ['two workers', ['-w=2']],
  ])('%s: the same dump as ts-jest', (_label, args) => {
    const run = runJest(fixture, args);
    expect(run.status).toBe(1);
    expect(run.output).toContain('Tests:       1 failed, 1 passed, 2 total');
    expect(dumps(run.output)).toEqual(reference);
  });
});
