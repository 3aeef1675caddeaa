import {readAllCallSites} from '../../src/core/callsites';
import {takeDump} from '../../src/core/dump';
import {
  type Root,
  closeRoot,
  createRoot,
  enterRoot,
  leaveRoot,
  startRecording,
} from '../../src/core/record';
import type {Leaf} from '../../src/core/types';
import {unitContext} from './context';

// A dump keeps each stack it formats down to jest-circus's frame, in the
// capture's holder too (V8 keeps what the formatter returns): the frames under
// it are Jest's, which no walk reads. A holder read again (a second dump, the
// leftovers' list) or read in full before (by another reader) must give the
// dump it gave the first time.

async function leaf(): Promise<void> {
  await new Promise<void>(() => {});
}
async function pair(): Promise<void> {
  await Promise.all([leaf(), leaf()]);
}

function made(): Root {
  const root = createRoot();
  enterRoot(root);
  void pair();
  void pair();
  leaveRoot(root);
  return root;
}

/** What a dump says of its leaves, less their age. */
function leavesOf(root: Root): Array<Omit<Leaf, 'ageMs'>> {
  return takeDump(root, unitContext(__filename)).leaves.map(
    ({ageMs: _, ...rest}) => rest,
  );
}

test('a second dump of the same holders says what the first said', () => {
  const stop = startRecording({captureBurst: 100_000, capturesPerSecond: 0});
  const root = made();
  try {
    const first = leavesOf(root);
    expect(first).toHaveLength(4);
    expect(first[0].path.map(f => f.name)).toEqual(
      expect.arrayContaining(['pair', 'leaf']),
    );
    expect(leavesOf(root)).toEqual(first);
  } finally {
    closeRoot(root);
    stop();
  }
});

test('holders another reader formatted in full first give the same dump', () => {
  const stop = startRecording({captureBurst: 100_000, capturesPerSecond: 0});
  // Made by the same code, from the same line.
  const [a, b] = [0, 1].map(() => made());
  try {
    const captures = [...b.promises.values()];
    const full = readAllCallSites(captures, c => c.holder ?? {});
    // Read in full: jest-circus's frame and Jest's under it included.
    const inCircus = (f: string | null): boolean => /jest-circus/.test(f ?? '');
    expect(full.some(s => s.some(site => inCircus(site.getFileName())))).toBe(
      true,
    );
    expect(leavesOf(b)).toEqual(leavesOf(a));
    // The stacks the dump of `a` formatted were kept down to jest-circus's
    // frame, in their holders.
    const kept = readAllCallSites(
      [...a.promises.values()],
      c => c.holder ?? {},
    );
    expect(kept.length).toBeGreaterThan(0);
    for (const s of kept)
      expect(inCircus(s[s.length - 1].getFileName())).toBe(true);
  } finally {
    closeRoot(a);
    closeRoot(b);
    stop();
  }
});
