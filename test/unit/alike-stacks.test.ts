import {type CallSite, readCallSites} from '../../src/core/callsites';
import type {Capture} from '../../src/core/record';
import {Stacks} from '../../src/core/stack/read';
import {file, name, position, withFrameTable} from '../../src/core/stack/sites';

// Stacks alike (every frame at the same place: file, source offset, `await`
// or not; a native frame's name and combinator index) are read once in a
// dump: their captures share one stack of Sites, and the holders of the later
// ones keep the first one's CallSites. Stacks that differ anywhere are not
// merged.

/** A capture with a stack taken here, as the recorder takes one. */
function capture(): Capture {
  const holder: {stack?: unknown} = {};
  Error.captureStackTrace(holder, capture);
  return {holder} as unknown as Capture;
}

/** One capture per call, all at one place. */
function alike(n: number): Capture[] {
  const out: Capture[] = [];
  for (let i = 0; i < n; i++) out.push(capture());
  return out;
}

/** `[file, offset]` of each frame of a capture's stack, as a dump reads it. */
function places(stacks: Stacks, c: Capture): Array<[string | null, number]> {
  return stacks.of(c).map(s => [file(s), position(s)]);
}

test('captures at one place share their stack, read once', () => {
  withFrameTable(() => {
    const [a, b, c] = alike(3);
    const stacks = new Stacks();
    stacks.readAll([a, b, c]);
    expect(stacks.of(a).length).toBeGreaterThan(0);
    expect(stacks.of(b)).toBe(stacks.of(a));
    expect(stacks.of(c)).toBe(stacks.of(a));
    // The later holders keep the first one's CallSites, not their own.
    expect(b.holder!.stack).toEqual({alikeOf: a.holder!.stack});
    expect(readCallSites(b.holder!)).toBe(a.holder!.stack as CallSite[]);
  });
});

test('captures read in separate batches share their stack too', () => {
  withFrameTable(() => {
    const [a, b] = alike(2);
    const stacks = new Stacks();
    stacks.readAll([a]);
    stacks.readAll([b]);
    expect(stacks.of(b)).toBe(stacks.of(a));
  });
});

test('captures at other places are not merged', () => {
  withFrameTable(() => {
    const a = capture();
    const b = capture(); // another line
    const [c] = alike(1);
    const stacks = new Stacks();
    stacks.readAll([a, b, c]);
    expect(stacks.of(b)).not.toBe(stacks.of(a));
    expect(stacks.of(c)).not.toBe(stacks.of(a));
    expect(places(stacks, b)[0][1]).not.toBe(places(stacks, a)[0][1]);
  });
});

test('closures of one function named apart are not merged', () => {
  // Both frames are at one place, in functions named at run time.
  const named = ['alpha', 'beta'].map(
    k => ({[k]: (): Capture => capture()})[k],
  );
  const [a, b] = named.map(f => f());
  withFrameTable(() => {
    const stacks = new Stacks();
    stacks.readAll([a, b]);
    expect(stacks.of(b)).not.toBe(stacks.of(a));
    expect(stacks.of(a).map(name)).toContain('alpha');
    expect(stacks.of(b).map(name)).toContain('beta');
  });
});

test('inputs of one Promise.all are told apart by their index', async () => {
  const inputs: Capture[] = [];
  async function input(): Promise<void> {
    await null;
    inputs.push(capture());
  }
  await Promise.all([input(), input()]);
  withFrameTable(() => {
    const stacks = new Stacks();
    stacks.readAll(inputs);
    expect(stacks.of(inputs[1])).not.toBe(stacks.of(inputs[0]));
  });
});

test('a later dump reads a holder that keeps another stack as that stack', () => {
  const [a, b] = alike(2);
  const first = withFrameTable(() => {
    const stacks = new Stacks();
    stacks.readAll([a, b]);
    return places(stacks, b);
  });
  withFrameTable(() => {
    const stacks = new Stacks();
    // Read alone, then with the one it is alike.
    expect(places(stacks, b)).toEqual(first);
    stacks.readAll([a]);
    expect(stacks.of(a)).toBe(stacks.of(b));
  });
});
