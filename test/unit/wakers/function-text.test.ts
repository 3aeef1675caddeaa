import {functionText, lineStarts} from '../../../src/core/wakers/function-text';

// A function's text cut out of its script from where V8 says it starts
// (src/core/wakers/function-text.ts): to the end of its body, longer where
// the end is unsure, none where the start does not read as a function's.

/** The text of the function starting at the first `@` of `source`. */
const cut = (source: string): string | null => {
  const at = source.indexOf('@');
  const plain = source.replace('@', '');
  const starts = lineStarts(plain);
  const line = starts.filter(s => s <= at).length - 1;
  return functionText(plain, starts, line, at - starts[line]);
};

test('a block body ends at its brace, past strings, comments, templates and regular expressions holding brackets', () => {
  expect(
    cut(
      "f = function @(a) { const s = '}'; /* } */ // }\n return /[}]/.test(`${a + '}'}}`) ? a / 2 : s; } + rest",
    ),
  ).toBe(
    "(a) { const s = '}'; /* } */ // }\n return /[}]/.test(`${a + '}'}}`) ? a / 2 : s; }",
  );
});

test("an arrow's expression body ends before the next argument, or at the call's `)`", () => {
  expect(cut("setTimeout(@() => reject(new Error('x')), ms);")).toBe(
    "() => reject(new Error('x'))",
  );
  expect(cut('call(@x => ({a: [x]}))')).toBe('x => ({a: [x]})');
  expect(cut('const f = @async (a) => a;\nqueue')).toBe('async (a) => a');
});

test('an arrow whose end is unsure runs on (more names, never fewer)', () => {
  expect(cut('const f = @(a) => a\nqueue.push(1)')).toBe(
    'const f = (a) => a\nqueue.push(1)'.slice(10),
  );
});

test('methods, generators and a class', () => {
  expect(cut('({ @(a) { return a; }, b: 1 })')).toBe('(a) { return a; }');
  expect(cut('x = @class A extends B { m() { return q; } } + 1')).toBe(
    'class A extends B { m() { return q; } }',
  );
});

test("none where the start is no function's, the brackets do not close, or for a class's constructor", () => {
  expect(cut('let x = @1 + 2;')).toBeNull();
  expect(cut('f(@(a) { return a;')).toBeNull();
  expect(
    cut('class A { x = queue; constructor@(a) { this.a = a; } }'),
  ).toBeNull();
  expect(functionText('() => 1', [0], 3, 0)).toBeNull();
});

test('lines are counted as V8 counts them', () => {
  expect(lineStarts('a\nb\r\nc\rd\u2028e')).toEqual([0, 2, 5, 7, 9]);
});
