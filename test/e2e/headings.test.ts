import {SHARED_FIXTURES} from './shared-runs';
import {dumps, headingsOverNothing, sharedRun} from './run';

// A leaf that says "it waits on:" (or "they wait on:") heads the branches
// drawn right below it: in every dump of every shared run, some branch is.
describe.each(SHARED_FIXTURES.map(f => [f]))('fixture %s', fixture => {
  test.each([[['-i']], [['-w=2']]])(
    'jest %p: every "it waits on:" has a branch under it',
    args => {
      const run = sharedRun(fixture, args);
      expect(dumps(run.output).flatMap(headingsOverNothing)).toEqual([]);
    },
  );
});
