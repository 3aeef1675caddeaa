import {invisibilityChecks, observe} from './invisible-checks';
import {SIZE_ORDER, runJest} from './run';

// The same tests under plain jest-environment-node and under the preset must
// observe the same (under Jest 29 too: test/compat/jest29.test.ts).
describe.each([
  ['jest-environment-node', false],
  ['jest-environment-jsdom (jest-taskdump/jsdom)', true],
])('invisible when nothing hangs, under %s', (_name, jsdom) => {
  const run = (plain: boolean) => (env: Record<string, string>) =>
    runJest('invisible', ['-i', ...SIZE_ORDER], {
      ...env,
      ...(plain ? {TASKDUMP_PLAIN: '1'} : {}),
      ...(jsdom ? {TASKDUMP_JSDOM: '1'} : {}),
    });
  const plain = observe(run(true));
  const traced = observe(run(false));
  invisibilityChecks(() => ({plain, traced}), jsdom);
});
