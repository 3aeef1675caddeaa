import type {Frame, Leaf} from '../../src/core/types';
import {reenteredAbove} from '../../src/core/wakers/reentry';
import {reenteredWords} from '../../src/core/wakers/words';

// A wait in a lock's queue below another call of the same function, on
// hand-built leaves (src/core/wakers/reentry.ts).

const frame = (
  name: string,
  file: string,
  line: number,
  column = 3,
): Frame => ({
  name,
  file,
  line,
  column,
  async: true,
});

const leafAt = (...path: Frame[]): Leaf => ({
  kind: 'promise',
  what: 'promise, never settled',
  createdAt: null,
  path,
  ageMs: 0,
  detached: false,
});

const T = 'test/sema.test.js';
const LIB = 'node_modules/async-sema/lib/index.js';

test('a call of the function suspended past the wait, further up: found, with the innermost call of the program', () => {
  const outer = frame('exclusive', T, 6, 22);
  const inner = frame('exclusive', T, 5, 14);
  const leaf = leafAt(
    outer,
    frame('<anonymous>', T, 11, 40),
    inner,
    frame('acquire', LIB, 132, 16),
  );
  expect(reenteredAbove(leaf)).toEqual({outer, inner});
  expect(reenteredWords(outer, inner)).toBe(
    '; further up this branch, exclusive at test/sema.test.js:6:22 is another call of the same function, suspended past this wait (line 5): if that call holds what this one waits for, this is a deadlock',
  );
});

test('nothing when the call further up is suspended before the wait, is another function, or is anonymous', () => {
  // Suspended at an earlier line: it has not reached this wait.
  expect(
    reenteredAbove(
      leafAt(
        frame('exclusive', T, 4),
        frame('exclusive', T, 5),
        frame('acquire', LIB, 1),
      ),
    ),
  ).toBeUndefined();
  // The same name in another file.
  expect(
    reenteredAbove(
      leafAt(
        frame('save', 'src/a.js', 9),
        frame('save', 'src/b.js', 5),
        frame('acquire', LIB, 1),
      ),
    ),
  ).toBeUndefined();
  // Two anonymous functions of one file are not one function.
  expect(
    reenteredAbove(
      leafAt(
        frame('<anonymous>', T, 9),
        frame('<anonymous>', T, 5),
        frame('acquire', LIB, 1),
      ),
    ),
  ).toBeUndefined();
  // Only library frames below the test's one frame: nothing to compare.
  expect(
    reenteredAbove(leafAt(frame('test', T, 9), frame('acquire', LIB, 1))),
  ).toBeUndefined();
});
