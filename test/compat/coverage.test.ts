import {SIZE_ORDER, runJest} from '../e2e/run';

// Coverage with both providers, with exactly the output plain
// jest-environment-node gives (as test/e2e/features.test.ts checks without
// coverage; under Jest 29: test/compat/jest29.test.ts).
const strip = (s: string): string =>
  s.replace(/ \(<duration>\)/g, '').replace(/^Time:.*$/gm, '');

describe.each([
  ['--coverage (babel)', ['--coverage']],
  ['--coverage (v8)', ['--coverage', '--coverageProvider=v8']],
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
