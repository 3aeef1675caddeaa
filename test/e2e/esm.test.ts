import {dumps, outline, runJest} from './run';

// ESM test files (`"type": "module"`, Jest's --experimental-vm-modules): the
// seed program as ES modules gives the seed tree.
const ESM_OUTLINE = `Task dump: 2 branches stuck after … ms (2 orphaned promises)

╼ test "hangs" at test/hang.test.js:3
└╼ foo at src/tasks.js:7
   └╼ bar at src/tasks.js:6
      └╼ Promise.all
         ├╼ [0] fiz at src/tasks.js:3
         │  └╼ pending at src/tasks.js:2
         │     ⏸ promise, never settled
         │       ↳ nothing can settle it: its resolve and reject functions are gone (orphaned)
         └╼ [1] buz at src/tasks.js:5
            └╼ baz at src/tasks.js:4
               └╼ pending at src/tasks.js:2
                  ⏸ promise, never settled
                    ↳ nothing can settle it: its resolve and reject functions are gone (orphaned)`;

describe.each([
  ['one worker', ['-i']],
  ['two workers', ['-w=2']],
])('ESM fixture, %s', (_label, args) => {
  const run = runJest('esm', args, {
    NODE_OPTIONS: '--experimental-vm-modules --no-warnings',
  });
  const found = dumps(run.output);

  test('the timeout is reported as Jest reports it, with the seed tree', () => {
    expect(run.status).toBe(1);
    expect(run.output).toContain('Tests:       1 failed, 1 total');
    expect(found).toHaveLength(1);
    expect(outline(found[0]).replace(/(\.js:\d+):\d+/g, '$1')).toBe(
      ESM_OUTLINE,
    );
  });
});
