import {dumpFinder, dumps, outline, sharedRun} from './run';

// Hangs in the shapes of libraries the program did not write (rxjs,
// DataLoader, a Transform stream, redux-saga), written small in
// fixtures/library-shapes. Read from the shared runs
// (test/e2e/shared-runs.ts).
describe.each([
  ['one worker', ['-i']],
  ['two workers', ['-w=2']],
])('library-shapes fixture, %s', (_label, args) => {
  const run = sharedRun('library-shapes', args);
  const all = dumps(run.output);
  const find = dumpFinder(run);

  test('every test hangs, and every dump is there', () => {
    expect(run.tests).toBe('4 failed, 4 total');
    expect(all).toHaveLength(4);
    expect(run.output).not.toContain('not looked for');
  });

  test('a promise made at one line and awaited at another: the functions that made it are on its branch', () => {
    const d = outline(
      find('a subject that never completes, its promise awaited later'),
    );
    expect(d).toContain(
      [
        '╼ test "a subject that never completes, its promise awaited later" at test/shapes.test.js:10:16',
        '└╼ totalSize at src/observable.js:44:10',
        '   └╼ lastValue at src/observable.js:34:10',
        '      ⏸ promise, never settled',
      ].join('\n'),
    );
  });

  test('a chain of objects longer than the search names: what keeps the whole chain', () => {
    const d = find('a subject that never completes, its promise awaited later');
    expect(d.replace(/\s+/g, ' ')).toContain(
      'and, further up, in Subject.observers[0] (class Subject at src/observable.js:18:14), itself kept in `uploads` of test/shapes.test.js',
    );
  });

  test('a then() at another line of the function that got the promise', () => {
    const d = outline(find('a batch waiting on a database nobody connected'));
    expect(d).toContain(
      [
        '└╼ dispatch at src/loader.js:22:10',
        '   └╼ <anonymous> at test/shapes.test.js:16:37',
        '      └╼ queryUsers at src/loader.js:36:10',
        '         ⏸ promise, never settled',
      ]
        .map(l => `         ${l}`)
        .join('\n'),
    );
  });

  test('a generator a runner drives: where it is suspended', () => {
    const d = find('a generator waiting for an action nobody puts');
    expect(d.replace(/\s+/g, ' ')).toContain(
      '↳ its resolve function is kept in Channel.takers[0].cb (by next at src/runner.js:23:16) (class Channel at src/runner.js:7:14), itself kept in `channel` of test/shapes.test.js; the generator checkout in the scope of next is suspended at src/runner.js:33:17',
    );
  });

  test('a Transform nobody ended: end() is what it lacks', () => {
    const d = find('for await over a Transform nobody ends');
    expect(d.replace(/\s+/g, ' ')).toContain(
      'to end: end never pushed, and end() was never called on it (a Transform pushes its end when its writable side finishes)',
    );
  });
});
