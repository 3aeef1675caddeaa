import {SEED_OUTLINE, dumps, outline, runJest} from '../e2e/run';

// The seed program with its async functions down-levelled to generators, as
// each transformer does for an older target: TypeScript's __awaiter (tsconfig
// target below ES2017), swc's _async_to_generator (target es2015), Babel's
// asyncToGenerator with native generators (@babel/preset-env for node 6) and
// with regenerator (@babel/preset-env with no targets). The
// helpers' frames (the generator body, `next`, `step`/`asyncGeneratorStep`, the
// executor, `new Promise`, `__awaiter`/the wrapper, the function) are folded
// back into one frame per async function, stacks cut short by the frame limit
// (5 frames per call) go on in the function promises' stacks, and a body
// resumed by the helper's `.then` is joined to the function it belongs to.

// fixtures/downlevel/src/late.ts: each branch stuck after an await resumed.
const LATE_OUTLINE = `Task dump: 2 branches stuck after … ms (2 orphaned promises)

╼ test "hangs after awaits resumed" at test/late.test.ts:3
└╼ foo at src/late.ts:9
   └╼ bar at src/late.ts:8
      └╼ Promise.all
         ├╼ [0] fiz at src/late.ts:5
         │  └╼ pending at src/late.ts:4
         │     ⏸ promise, never settled
         │       ↳ nothing can settle it: its resolve and reject functions are gone (orphaned)
         └╼ [1] buz at src/late.ts:7
            └╼ baz at src/late.ts:6
               └╼ pending at src/late.ts:4
                  ⏸ promise, never settled
                    ↳ nothing can settle it: its resolve and reject functions are gone (orphaned)`;

// fixtures/downlevel/src/settled.ts: each function first awaits a settled
// promise or a plain value, so the helper subscribes after the body yielded
// and no stack of a body's first run shows the body.
const SETTLED_OUTLINE = `Task dump: 2 branches stuck after … ms (2 orphaned promises)

╼ test "hangs after settled awaits" at test/settled.test.ts:3
└╼ foo at src/settled.ts:9
   └╼ bar at src/settled.ts:8
      └╼ Promise.all
         ├╼ [0] fiz at src/settled.ts:5
         │  └╼ pending at src/settled.ts:4
         │     ⏸ promise, never settled
         │       ↳ nothing can settle it: its resolve and reject functions are gone (orphaned)
         └╼ [1] buz at src/settled.ts:7
            └╼ baz at src/settled.ts:6
               └╼ pending at src/settled.ts:4
                  ⏸ promise, never settled
                    ↳ nothing can settle it: its resolve and reject functions are gone (orphaned)`;

describe.each([
  ['ts-jest, target ES2015', 'ts'],
  // __generator's `step` and the generator's `next` read as one frame, as
  // V8's Generator.next; stacks cut short at `step` too.
  ['ts-jest, target ES5 (__generator state machines)', 'ts5'],
  ['ts-jest, target ES5 (__generator state machines), maxFrames 64', 'ts5x64'],
  ['@swc/jest, target es2015', 'swc'],
  // Babel's asyncToGenerator with native generators (targets: node 6), the
  // test files compiled too: a test body wrapped where it is written
  // (`test('…', _asyncToGenerator(function* () {…}))`) is its own wrapper,
  // called by the runner.
  ['babel-jest, preset-env for node 6 (asyncToGenerator)', 'babelgen'],
  // Regenerator's `_invoke` and `next` (Babel's own helper, written into
  // each file) read as one frame, as V8's Generator.next. The older
  // regenerator-runtime package's form: test/unit/regenerator.test.ts.
  ['babel-jest, preset-env with no targets (regenerator)', 'babel'],
] as const)('%s', (_name, downlevel) => {
  const run = runJest('downlevel', ['-i'], {DOWNLEVEL: downlevel});
  const found = dumps(run.output);
  const of = (title: string): string =>
    found.find(d => d.includes(`test "${title}"`)) ?? `no dump for ${title}`;

  test('the timeouts are reported as Jest reports them, with one dump each', () => {
    expect(run.status).toBe(1);
    expect(run.output).toContain(
      'thrown: "Exceeded timeout of 300 ms for a test.',
    );
    expect(run.output).toContain('Tests:       3 failed, 3 total');
    expect(run.output).not.toContain('could not take a task dump');
    expect(found).toHaveLength(3);
  });

  test('the dump is the seed tree', () => {
    expect(outline(of('hangs'))).toBe(SEED_OUTLINE);
  });

  test('stuck after awaits resumed: the same tree, at the later awaits', () => {
    expect(outline(of('hangs after awaits resumed'))).toBe(LATE_OUTLINE);
  });

  test('after awaits of settled promises and plain values: the same tree', () => {
    expect(outline(of('hangs after settled awaits'))).toBe(SETTLED_OUTLINE);
  });
});
