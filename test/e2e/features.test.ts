import {SIZE_ORDER, runJest} from './run';

// Jest features that must keep working, with exactly the output plain
// jest-environment-node gives: test.concurrent, jest.retryTimes,
// jest.isolateModules, mocks and --detectOpenHandles. Coverage with both
// providers: test/compat/coverage.test.ts (npm run test:compat).
const strip = (s: string): string =>
  s.replace(/ \(<duration>\)/g, '').replace(/^Time:.*$/gm, '');

describe.each([
  ['no flags', []],
  ['--detectOpenHandles', ['--detectOpenHandles']],
])('%s', (_label, flags) => {
  test('outcomes and output are those of plain jest-environment-node', () => {
    const args = ['-i', '--verbose', ...SIZE_ORDER, ...flags];
    const traced = runJest('features', args);
    const plain = runJest('features', args, {TASKDUMP_PLAIN: '1'});
    expect(plain.status).toBe(0);
    expect(traced.status).toBe(0);
    expect(traced.output).toContain('Tests:       7 passed, 7 total');
    expect(strip(traced.output)).toBe(strip(plain.output));
  });
});
