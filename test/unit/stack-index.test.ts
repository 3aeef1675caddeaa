import type {CallSite} from '../../src/core/callsites';
import {StackIndex} from '../../src/core/stack/alike-stacks';
import {
  isAsync,
  name,
  position,
  register,
  withFrameTable,
} from '../../src/core/stack/sites';

// The trie of places behind stacks alike (stack/alike-stacks.ts), on made-up
// CallSites whose answers the test chooses: a stack is found again only when
// every frame answers as before (file, source offset, `await`, `new` at the
// top or on a native frame, name; a native frame's `Promise.all` and input
// index), and what the index learnt is taught back to the Sites in order.

interface Place {
  file?: string | null;
  pos: number;
  name?: string;
  async?: boolean;
  ctor?: boolean;
  all?: boolean;
  index?: number | null;
  sourceURL?: string;
}

/** A CallSite that answers as `p` says (and throws on anything else). */
function site(p: Place): CallSite {
  return {
    getFileName: () => (p.file === undefined ? 'f.js' : p.file) ?? undefined,
    getPosition: () => p.pos,
    getFunctionName: () => p.name ?? 'fn',
    isAsync: () => p.async ?? false,
    isConstructor: () => p.ctor ?? false,
    isPromiseAll: () => p.all ?? false,
    getPromiseIndex: () => p.index ?? null,
    getScriptNameOrSourceURL: () => p.sourceURL ?? '',
  } as unknown as CallSite;
}

/** The entry of a stack of these places, as read.ts asks for it. */
function entry(index: StackIndex, places: Place[], n = places.length) {
  const sites = places.map(site);
  // Files come before the stack's own, at `from`, as read.ts pushes them.
  const files = ['other.js', ...sites.map(s => s.getFileName() ?? null)];
  return index.entryOf(sites, n, files, 1);
}

const A: Place[] = [{pos: 10, ctor: true}, {pos: 20, async: true}, {pos: 30}];

test('a stack at the same places is the same entry, with the first CallSites', () => {
  const index = new StackIndex();
  const first = entry(index, A)!;
  const again = entry(
    index,
    A.map(p => ({...p})),
  );
  expect(again).toBe(first);
  expect(first.readAlone).toBe(false);
  expect(first.alike.alikeOf).toBe(first.callSites);
});

test('a stack that differs in any frame, or in length, is another entry', () => {
  const index = new StackIndex();
  const first = entry(index, A)!;
  const others: Place[][] = [
    [A[0], A[1], {pos: 31}], // offset
    [A[0], A[1], {pos: 30, file: 'g.js'}], // file, same offset
    [A[0], A[1], {pos: 30, name: 'other'}], // name, same offset
    [A[0], {pos: 20}, A[2]], // not an `await`
    [{pos: 10}, A[1], A[2]], // top frame not called with `new`
    [A[0], A[1]], // a prefix
    [...A, {pos: 40}], // longer
  ];
  const entries = others.map(o => entry(index, o));
  for (const e of entries) expect(e).not.toBe(first);
  expect(new Set(entries).size).toBe(entries.length);
  // Each is found again, and the first one still is.
  others.forEach((o, i) => expect(entry(index, o)).toBe(entries[i]));
  expect(entry(index, A)).toBe(first);
  // Only the first n frames count.
  expect(entry(index, [...A, {pos: 99}], 3)).toBe(first);
});

test('native frames are told apart by name, `new`, `Promise.all` and index', () => {
  const index = new StackIndex();
  const input = (p: Partial<Place>): Place[] => [
    A[0],
    {file: null, pos: 0, name: 'all', all: true, index: 0, ...p},
  ];
  const first = entry(index, input({}))!;
  expect(entry(index, input({}))).toBe(first);
  for (const p of [
    {index: 1},
    {all: false},
    {name: 'any'},
    {ctor: true},
    {file: 'all.js'},
  ])
    expect(entry(index, input(p))).not.toBe(first);
  // A native frame of a script named by `//# sourceURL` is not keyed.
  expect(entry(index, input({sourceURL: 'evaled.js'}))).toBeUndefined();
});

test('stacks through a driven generator or an ES5 `step` are read alone', () => {
  const index = new StackIndex();
  expect(
    entry(index, [A[0], {file: null, pos: 0, name: 'next'}, A[2]])!.readAlone,
  ).toBe(true);
  expect(entry(index, [A[0], {pos: 50, name: 'step'}])!.readAlone).toBe(true);
  // The same places without them are not.
  expect(entry(index, [A[0], {pos: 50, name: 'steps'}])!.readAlone).toBe(false);
});

test('a stack of no frames has one entry', () => {
  const index = new StackIndex();
  const e = index.entryOf([], 0, [], 0)!;
  expect(index.entryOf([], 0, [], 0)).toBe(e);
  expect(e.readAlone).toBe(false);
});

test('teach tells each Site its own place, top frame first', () => {
  const places: Place[] = [
    {pos: 10, name: 'top'},
    {pos: 20, async: true, name: 'middle'},
    {file: null, pos: 5, name: 'all', all: true, index: 2},
    {pos: 30, name: 'bottom'},
  ];
  withFrameTable(() => {
    const index = new StackIndex();
    const e = entry(index, places)!;
    // Sites of CallSites that would answer otherwise: what they say comes
    // from the index.
    const wrong = places.map(p =>
      site({...p, pos: 999, name: 'wrong', async: !p.async}),
    );
    const start = register(
      wrong,
      wrong.length,
      wrong.map(s => s.getFileName() ?? null),
      0,
    );
    index.teach(start, e);
    const sites = places.map((_, k) => start + k);
    expect(sites.map(position)).toEqual([10, 20, 5, 30]);
    expect(sites.map(name)).toEqual(['top', 'middle', 'all', 'bottom']);
    expect(sites.map(isAsync)).toEqual([false, true, false, false]);
  });
});
