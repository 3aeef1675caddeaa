import {runBody} from './runner-stub';

// Async functions compiled for engines without generators run their bodies
// through regenerator: the body (`_callee$`), then regenerator's `tryCatch`,
// `Generator.invoke` and `Generator.next`, where a native generator has V8's
// `Generator.next` only. test:compat runs Babel 7.29's own helper (written
// into each file); this is the older form, with the regenerator-runtime
// package that Babel 7.16 and before needed (test/data/regenerator/seed.js).
const {foo} = require('../data/regenerator/seed.js') as {
  foo: () => Promise<void>;
};

const SEED = [
  '╼ test "body"',
  '└╼ foo',
  '   └╼ bar',
  '      └╼ Promise.all',
  '         ├╼ [0] fiz',
  '         │  └╼ pending',
  '         │     ⏸ promise, never settled',
  '         └╼ [1] buz',
  '            └╼ baz',
  '               └╼ pending',
  '                  ⏸ promise, never settled',
];

test('the seed program compiled to regenerator-runtime: the seed tree, its helpers folded', async () => {
  const {tree} = await runBody(async () => {
    await foo();
  });
  expect(tree.filter(l => l.trim() !== '')).toEqual(SEED);
});

test('stuck after awaits resumed: the same tree', async () => {
  const {tree} = await runBody(async () => {
    await new Promise(done => setTimeout(done, 1));
    await foo();
  });
  expect(tree.filter(l => l.trim() !== '')).toEqual(SEED);
});
