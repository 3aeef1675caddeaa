import {
  DEFAULT_COLUMNS,
  TERMINAL_VARIABLE,
  readTerminal,
  resolveTerminal,
  terminalStyles,
} from '../../src/reporter/terminal';

const probe = (
  env: NodeJS.ProcessEnv,
  argv: string[] = [],
  chalkLevel = 1,
  columns?: number,
) => resolveTerminal({env, argv, chalkLevel, columns});

describe('resolveTerminal', () => {
  test.each([
    ['colour as chalk says when nothing else is set', {}, [], 2, 2],
    [
      'chalk off (not a TTY, --no-colors, FORCE_COLOR=0) stays off',
      {},
      [],
      0,
      0,
    ],
    ['NO_COLOR turns it off', {NO_COLOR: '1'}, [], 1, 0],
    ['an empty NO_COLOR is not set (no-color.org)', {NO_COLOR: ''}, [], 1, 1],
    [
      'FORCE_COLOR wins over NO_COLOR',
      {NO_COLOR: '1', FORCE_COLOR: '1'},
      [],
      1,
      1,
    ],
    [
      '--colors wins over NO_COLOR',
      {NO_COLOR: '1'},
      ['node', 'jest', '--colors'],
      1,
      1,
    ],
    [
      'NO_COLOR cannot turn colour on',
      {NO_COLOR: '1', FORCE_COLOR: '1'},
      [],
      0,
      0,
    ],
  ])('%s', (_what, env, argv, chalkLevel, level) => {
    expect(probe(env, argv, chalkLevel).level).toBe(level);
  });

  test('width: the terminal, else COLUMNS, else 80', () => {
    expect(probe({}, [], 1, 132).columns).toBe(132);
    expect(probe({COLUMNS: '90'}, [], 1, 132).columns).toBe(132);
    expect(probe({COLUMNS: '90'}, [], 1, undefined).columns).toBe(90);
    expect(probe({COLUMNS: '90'}, [], 1, 0).columns).toBe(90);
    expect(probe({COLUMNS: 'wide'}, [], 1, undefined).columns).toBe(
      DEFAULT_COLUMNS,
    );
    expect(probe({}, [], 1, undefined).columns).toBe(80);
  });
});

describe('readTerminal', () => {
  test("takes the parent's decision when there is one", () => {
    expect(
      readTerminal({
        [TERMINAL_VARIABLE]: JSON.stringify({level: 3, columns: 61}),
      }),
    ).toEqual({level: 3, columns: 61});
  });

  test.each([
    ['not json'],
    [JSON.stringify({level: 7, columns: 61})],
    [JSON.stringify({level: 1, columns: -1})],
  ])('ignores a damaged note (%s) and decides locally', raw => {
    const t = readTerminal({[TERMINAL_VARIABLE]: raw});
    expect([0, 1, 2, 3]).toContain(t.level);
    expect(t.columns).toBeGreaterThan(0);
  });
});

test('styles: none at level 0, ANSI codes above', () => {
  expect(terminalStyles(0)).toEqual({});
  const st = terminalStyles(1);
  expect(st.leaf!('x')).toBe('\u001b[33mx\u001b[39m');
  expect(st.title!('x')).toBe('\u001b[1mx\u001b[22m');
});
