import {dumps, sharedRun} from './run';

// Limits of docs/limits.md, as they are (fixtures/limits): a change to one of
// them is noticed here, and the doc then says the new behaviour.
describe.each([
  ['one worker', ['-i']],
  ['two workers', ['-w=2']],
])('limits fixture, %s', (_label, args) => {
  const run = sharedRun('limits', args);
  const all = dumps(run.output);
  const find = (title: string): string => {
    const d = all.find(x => x.includes(`╼ test "${title}"`));
    if (d === undefined) throw new Error(`no dump of "${title}"`);
    return d;
  };

  test('a wait made in an fs callback is under "async chain broken by a callback", at the callback', () => {
    expect(find('waits on work started in an fs callback')).toMatch(
      /\n└╼ async chain broken by a callback: created in one, not traced back to the body\n {3}└╼ <anonymous> at src\/config\.js:12:\d+\n {6}└╼ waitForReload at src\/config\.js:7:\d+\n {9}⏸ promise, never settled/,
    );
  });

  test("Node's own fetch(): the promise it returned, at the call, and no socket", () => {
    const d = find('fetch() of a server that never answers');
    expect(d).toMatch(
      /^Task dump: 1 branch stuck after <elapsed> ms \(1 promise\)/,
    );
    expect(d).toMatch(
      /└╼ fetchStatus at src\/status\.js:12:\d+\n {3}⏸ fetch\(\) promise, never settled/,
    );
    expect(d).not.toContain('socket');
  });
});
