import {renderDump, summarize} from '../../src/core/render';
import {
  DUMP_KIND,
  DUMP_VERSION,
  type Frame,
  type Leaf,
  type TaskDump,
} from '../../src/core/types';

// A combinator's inputs stuck alike: the first `maxAlike` drawn, the rest
// counted on one line (src/core/render/alike.ts).

const f = (name: string, line: number, extra: Partial<Frame> = {}): Frame => ({
  name,
  file: 'src/a.ts',
  line,
  column: 3,
  async: true,
  ...extra,
});

const ALL = {name: 'Promise.all', index: 0} as const;
const at = (index: number): Frame['combinator'] => ({...ALL, index});

const leaf = (path: Frame[], extra: Partial<Leaf> = {}): Leaf => ({
  kind: 'promise',
  what: 'promise, never settled',
  createdAt: path[path.length - 1] ?? null,
  path,
  ageMs: 0,
  detached: false,
  ...extra,
});

const dump = (leaves: Leaf[]): TaskDump => ({
  kind: DUMP_KIND,
  version: DUMP_VERSION,
  rootType: 'test',
  rootName: 'hangs',
  rootFrame: null,
  testPath: 'test/a.test.ts',
  elapsedMs: 300,
  timeoutMs: 300,
  leaves,
  unrecorded: 0,
  waitsForDone: false,
});

const main = f('main', 1);

/** `n` inputs of Promise.all, input i a call of `kinds(i)` with one leaf. */
function inputs(n: number, kinds: (i: number) => string): Leaf[] {
  return Array.from({length: n}, (_, i) => {
    const k = kinds(i);
    return leaf([
      main,
      f(k, k === 'a' ? 10 : k === 'b' ? 20 : 30, {combinator: at(i)}),
      f('wait', 40),
    ]);
  });
}

const text = (d: TaskDump, maxAlike?: number): string[] =>
  renderDump(d, {maxAlike}).split('\n');

describe('inputs stuck alike, past maxAlike', () => {
  test('the first 3 of each kind are drawn, the rest counted on one line after the last drawn; the header counts all', () => {
    const d = dump(inputs(10_000, i => (i % 2 === 0 ? 'a' : 'b')));
    expect(text(d).join('\n')).toBe(
      [
        'Task dump: 10000 branches stuck after 300 ms (10000 promises)',
        '',
        '╼ test "hangs" in test/a.test.ts',
        '└╼ main at src/a.ts:1:3',
        '   └╼ Promise.all',
        '      ├╼ [0] a at src/a.ts:10:3',
        '      │  └╼ wait at src/a.ts:40:3',
        '      │     ⏸ promise, never settled',
        '      ├╼ [1] b at src/a.ts:20:3',
        '      │  └╼ wait at src/a.ts:40:3',
        '      │     ⏸ promise, never settled',
        '      ├╼ [2] a at src/a.ts:10:3',
        '      │  └╼ wait at src/a.ts:40:3',
        '      │     ⏸ promise, never settled',
        '      ├╼ [3] b at src/a.ts:20:3',
        '      │  └╼ wait at src/a.ts:40:3',
        '      │     ⏸ promise, never settled',
        '      ├╼ [4] a at src/a.ts:10:3',
        '      │  └╼ wait at src/a.ts:40:3',
        '      │     ⏸ promise, never settled',
        '      ├╼ ⋯ and 4997 more branches like [4]',
        '      ├╼ [5] b at src/a.ts:20:3',
        '      │  └╼ wait at src/a.ts:40:3',
        '      │     ⏸ promise, never settled',
        '      └╼ ⋯ and 4997 more branches like [5]',
      ].join('\n'),
    );
    expect(summarize(d)).toContain('10000 branches stuck');
  });

  test('counts are exact: runs drawn as one count as one of their kind, and every input and branch of the rest is counted', () => {
    // a a b a a b ...: runs [0–1] 2× a, then b alone; 3 kinds of lines.
    const leaves = inputs(30, i => (i % 3 === 2 ? 'b' : 'a'));
    // Input 29 (a b) waits on two promises: one input, two branches.
    leaves.push(leaf([main, f('b', 20, {combinator: at(29)}), f('wait', 41)]));
    const lines = text(dump(leaves), 2);
    const more = lines.filter(l => l.includes('⋯'));
    // Shown: [0–1] a, [2] b, [3–4] a, [5] b. Hidden a: 8 runs of 2 (6–28,
    // without the b's) = 16 inputs; b: [8], [11], ..., [26] = 7 inputs alike,
    // and [29] reads otherwise (two leaves): drawn.
    expect(more).toEqual([
      '      ├╼ ⋯ and 16 more branches like [3–4]',
      '      ├╼ ⋯ and 7 more branches like [5]',
    ]);
    expect(lines.some(l => l.includes('[29] b at'))).toBe(true);
    const shownInputs = lines.filter(l => /^ {6}[├└]╼ \[/.test(l));
    expect(shownInputs.map(l => l.trim().split(' ')[1])).toEqual([
      '[0–1]',
      '[2]',
      '[3–4]',
      '[5]',
      '[29]',
    ]);
  });

  test('inputs with several branches each are counted as inputs, with their branches', () => {
    const leaves: Leaf[] = [];
    for (let i = 0; i < 8; i++) {
      const k = i % 2 === 0 ? 'a' : 'b';
      const input = f(k, k === 'a' ? 10 : 20, {combinator: at(i)});
      leaves.push(
        leaf([main, input, f('x', 50)]),
        leaf([main, input, f('y', 60)]),
      );
    }
    const more = text(dump(leaves), 1).filter(l => l.includes('⋯'));
    expect(more).toEqual([
      '      ├╼ ⋯ and 3 more inputs (6 branches) like [0]',
      '      └╼ ⋯ and 3 more inputs (6 branches) like [1]',
    ]);
  });

  test('below the cap, and with maxAlike Infinity, every input is drawn as before', () => {
    const d = dump(inputs(40, i => (i % 2 === 0 ? 'a' : 'b')));
    const all = text(d, Infinity);
    expect(all.some(l => l.includes('⋯'))).toBe(false);
    expect(all.filter(l => l.includes('⏸'))).toHaveLength(40);
    expect(text(d, 20)).toEqual(all);
    // Capped: the lines drawn are those of the full drawing, up to the first
    // count.
    const capped = text(d);
    const cut = capped.findIndex(l => l.includes('⋯'));
    expect(capped.slice(0, cut)).toEqual(all.slice(0, cut));
  });

  test('inputs that are leaves are capped alike, a busy timer counted as no stuck branch', () => {
    const leaves: Leaf[] = [];
    for (let i = 0; i < 6; i++)
      leaves.push(
        leaf([main], {
          input: {name: 'Promise.all', index: i},
          ...(i % 2 === 0
            ? {}
            : {kind: 'timer', what: 'setTimeout(10 ms)', busy: true}),
        }),
      );
    const lines = text(dump(leaves), 1);
    expect(lines.filter(l => l.includes('⋯'))).toEqual([
      '      ├╼ ⋯ and 2 more branches like [0]',
      '      └╼ ⋯ and 2 more inputs (none stuck) like [1]',
    ]);
  });
});
