import {
  type CallSite,
  createPositionMapper,
  readCallSites,
} from '../../src/core/callsites';
import {FrameMaker} from '../../src/core/dump/frames';
import {
  type Site,
  fnKey,
  newSite,
  withFrameTable,
} from '../../src/core/stack/sites';

// A dump asks V8 where a frame is and which function it is in once per place
// (file and source offset), not once per frame: frames of ten thousand stacks
// alike are at a few places. Frames at two places must never be taken for
// one, however alike their stacks are.

type Stack = CallSite[];

/** The CallSites of the caller's stack, from the caller down. */
function here(): Stack {
  const holder: {stack?: unknown} = {};
  Error.captureStackTrace(holder, here);
  return readCallSites(holder);
}

// Two calls on one line, at two columns, in one function; and two functions
// on one line (the formatter must keep them on one line).
// prettier-ignore
function twoColumns(): [Stack, Stack] { return [here(), here()]; }
// prettier-ignore
const first = (): Stack => here(), second = (): Stack => here();

// Two stacks alike but for a deep frame: the same function, called from two
// functions.
function inner(): Stack {
  return here();
}
function middle(): Stack {
  return inner();
}
function viaOne(): Stack {
  return middle();
}
function viaTwo(): Stack {
  return middle();
}

/** Sites of `stacks` in the table of one dump, in order. */
function sitesOf(...stacks: Stack[]): Site[][] {
  return stacks.map(s => s.map(site => newSite(site)));
}

describe('what a dump reads of a frame, asked once per place', () => {
  test('two frames on one line, at two columns, keep their own columns', () => {
    const [a, b] = twoColumns();
    expect(a[0].getLineNumber()).toBe(b[0].getLineNumber());
    expect(a[0].getColumnNumber()).not.toBe(b[0].getColumnNumber());
    withFrameTable(() => {
      const frames = new FrameMaker(createPositionMapper(undefined), '/');
      const [sa, sb] = sitesOf(a, b);
      // Read in both orders: the first answer must not stand for the other.
      const fa = frames.frame(sa[0], 'twoColumns');
      const fb = frames.frame(sb[0], 'twoColumns');
      expect(fa?.column).toBe(a[0].getColumnNumber());
      expect(fb?.column).toBe(b[0].getColumnNumber());
      expect(fnKey(sa[0])).toBe(fnKey(sb[0]));
    });
  });

  test('two functions on one line have their own function keys', () => {
    const a = first();
    const b = second();
    expect(a[0].getLineNumber()).toBe(b[0].getLineNumber());
    withFrameTable(() => {
      const [sa, sb] = sitesOf(a, b);
      expect(fnKey(sa[0])).not.toBe(fnKey(sb[0]));
      expect(fnKey(sa[0])).toBe(
        `${a[0].getFileName()}:${a[0].getEnclosingLineNumber()}:${a[0].getEnclosingColumnNumber()}`,
      );
      expect(fnKey(sb[0])).toBe(
        `${b[0].getFileName()}:${b[0].getEnclosingLineNumber()}:${b[0].getEnclosingColumnNumber()}`,
      );
    });
  });

  test('two stacks alike but for a deep frame keep that frame apart', () => {
    const a = viaOne();
    const b = viaTwo();
    // inner, middle, then viaOne / viaTwo.
    expect(a[0].getFunctionName()).toBe('inner');
    expect(a[2].getFunctionName()).toBe('viaOne');
    expect(b[2].getFunctionName()).toBe('viaTwo');
    withFrameTable(() => {
      const frames = new FrameMaker(createPositionMapper(undefined), '/');
      const [sa, sb] = sitesOf(a, b);
      for (let k = 0; k < 2; k++) {
        expect(frames.frame(sa[k], '')).toEqual(frames.frame(sb[k], ''));
        expect(fnKey(sa[k])).toBe(fnKey(sb[k]));
      }
      const da = frames.frame(sa[2], 'viaOne');
      const db = frames.frame(sb[2], 'viaTwo');
      expect(da?.line).toBe(a[2].getLineNumber());
      expect(db?.line).toBe(b[2].getLineNumber());
      expect(da?.line).not.toBe(db?.line);
      expect(fnKey(sa[2])).not.toBe(fnKey(sb[2]));
    });
  });
});
