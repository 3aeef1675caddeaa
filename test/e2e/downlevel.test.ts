import {SEED_OUTLINE, dumps, outline, runJest} from './run';

// The seed program with its async functions down-levelled to generators, as each transformer
// does for an older target: TypeScript's __awaiter (tsconfig target below ES2017), Babel's
// asyncToGenerator + regenerator (@babel/preset-env with no targets), swc's (target es2015).
//
// KNOWN GAP: there the dump is not the seed tree. The awaits are `yield`s driven by
// `.then(_next)` in the helper, so V8 has no async stack: the tree shows the helpers'
// frames (__awaiter, asyncGeneratorStep, _next, <anonymous> generator bodies), Babel's
// renamed bodies (_foo), positions in helper code that no source map covers (Jest's
// formatter then prints the generated line, e.g. src/tasks.ts:29 of a 6-line file), the
// wrappers' promises as leaves, and an "async chain broken by a callback" section.
// The `test.failing` below turn into failures when that is fixed: make them plain tests then.

describe.each([
  ['ts-jest, target ES2015', 'ts'],
  ['babel-jest, preset-env with no targets', 'babel'],
  ['@swc/jest, target es2015', 'swc'],
])('%s', (_name, downlevel) => {
  const run = runJest('downlevel', ['-i'], {DOWNLEVEL: downlevel});
  const found = dumps(run.output);

  test('the timeout is reported as Jest reports it, with one dump after it', () => {
    expect(run.status).toBe(1);
    expect(run.output).toContain('thrown: "Exceeded timeout of 300 ms for a test.');
    expect(run.output).toContain('Tests:       1 failed, 1 total');
    expect(run.output).not.toContain('could not take a task dump');
    expect(found).toHaveLength(1);
  });

  test.failing('the dump is the seed tree (known gap: down-levelled async functions)', () => {
    expect(outline(found[0])).toBe(SEED_OUTLINE);
  });
});
