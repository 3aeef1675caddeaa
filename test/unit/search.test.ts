import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type {DumpContext, LeafSource} from '../../src/core/dump';
import {
  DUMP_KIND,
  DUMP_VERSION,
  type Frame,
  type Leaf,
  type TaskDump,
} from '../../src/core/types';
import {findWakers} from '../../src/core/wakers';
import {renderDump} from '../../src/core/render';
import {searchWakers} from '../../src/environment/search';
import {resetSearches, skipOf} from '../../src/environment/search-limits';
import {SearchBudget} from '../../src/environment/search-budget';
import {
  type MemoryReading,
  memoryVerdict,
  readMemory,
} from '../../src/environment/search-memory';
import {SearchShare} from '../../src/environment/search-share';
import {leafSignature} from '../../src/environment/waker-cache';
import {HANDOFF_VARIABLE} from '../../src/reporter/handoff';
import {unitContext} from './context';

// The waker search as a test process affords it: once per cause, within its
// limits, a failure said once. The heap search itself is tested in
// wakers.test.ts; here it is a stand-in that says what it was asked.
jest.mock('../../src/core/wakers', () => ({findWakers: jest.fn()}));
jest.mock('../../src/environment/search-memory', () => ({
  ...jest.requireActual('../../src/environment/search-memory'),
  readMemory: jest.fn(),
}));
const find = jest.mocked(findWakers);
const memory = jest.mocked(readMemory);
const ROOMY: MemoryReading = {
  heapUsedMb: 50,
  heapLimitMb: 4144,
  freeMb: 8000,
};

const f = (name: string, file: string, line: number): Frame => ({
  name,
  file,
  line,
  column: 12,
  async: true,
});
const query = f('Client.query', 'src/db.js', 8);

function dumpOf(name: string, leaves: Leaf[], testPath = 'test/a.test.js') {
  const dump: TaskDump = {
    kind: DUMP_KIND,
    version: DUMP_VERSION,
    rootType: 'test',
    rootName: name,
    rootFrame: f('<anonymous>', testPath, 3),
    testPath,
    elapsedMs: 1001,
    timeoutMs: 1000,
    leaves,
    unrecorded: 0,
    waitsForDone: false,
  };
  const sources = new Map<Leaf, LeafSource>(
    leaves.map(l => [l, {promise: new Promise(() => {}), constructed: true}]),
  );
  return {dump, sources};
}
const leafAt = (...path: Frame[]): Leaf => ({
  kind: 'promise',
  what: 'promise, never settled',
  createdAt: path[path.length - 1],
  path,
  ageMs: 0,
  detached: false,
});
const ctx: DumpContext = unitContext('test/a.test.js');

function search(d: {dump: TaskDump; sources: Map<Leaf, LeafSource>}) {
  searchWakers(d.dump, d.sources, ctx, {
    rootDir: '/r',
    maxHeapMb: 300,
    budgetPercent: 10,
  });
  return d.dump;
}

beforeEach(() => {
  resetSearches();
  find.mockReset();
  // The stand-in finds the same holder for every promise it is asked about.
  find.mockImplementation(subjects => {
    for (const s of subjects)
      s.leaf.waker = {
        kind: 'object',
        what: 'its resolve function is kept in Client.pending (class Client at src/db.js:2:1)',
        short: 'kept in Client.pending',
      };
    return {
      found: subjects.length,
      orphaned: 0,
      feeds: [],
      generators: [],
      guards: [],
      nodes: 1,
      ms: 1,
      phases: [],
      reaching: [],
      sameTimer: [],
    };
  });
  memory.mockReturnValue(ROOMY);
});

test('one search for 30 tests that hang at one leaf; the others say whose finding they show', () => {
  const dumps = Array.from({length: 30}, (_, i) =>
    search(dumpOf(`query ${i}`, [leafAt(query)])),
  );
  expect(find).toHaveBeenCalledTimes(1);
  expect(dumps[0].leaves[0].waker?.what).toMatch(/^its resolve function/);
  expect(dumps[29].leaves[0].waker?.what).toBe(
    'as for test "query 0" (a promise made by the same calls; not searched again): kept in Client.pending',
  );
  expect(renderDump(dumps[29])).toContain(
    '↳ as for test "query 0" (a promise made by the same calls; not searched again): kept in Client.pending',
  );
});

test('a dump with a new cause is searched whole: what it could reuse is searched again', () => {
  const asked: string[][] = [];
  const stand = find.getMockImplementation()!;
  find.mockImplementation((subjects, options) => {
    asked.push(subjects.map(s => s.leaf.createdAt?.file ?? '?'));
    return stand(subjects, options);
  });
  search(dumpOf('query 0', [leafAt(query)]));
  const other = leafAt(f('Pool.acquire', 'src/pool.js', 4));
  search(dumpOf('query 1', [leafAt(query), other]));
  expect(asked).toEqual([['src/db.js'], ['src/db.js', 'src/pool.js']]);
});

test('over the heap limit or short of memory, each leaf says so, in the same words; a known cause is still reused', () => {
  search(dumpOf('query 0', [leafAt(query)]));
  memory.mockReturnValue({...ROOMY, heapUsedMb: 400});
  const a = search(
    dumpOf('two', [leafAt(query), leafAt(f('Pool.acquire', 'src/p.js', 4))]),
  );
  expect(a.leaves[0].waker?.as?.rootName).toBe('query 0');
  expect(a.leaves[1].wakerSkipped).toEqual(skipOf('heap', 300));
  expect(a.leaves[1].wakerSkipped?.what).toBe(
    'not looked for: the heap was over `wakersMaxHeapMb` (300 MB)',
  );
  memory.mockReturnValue({...ROOMY, freeMb: 300});
  const b = search(dumpOf('three', [leafAt(f('x', 'src/x.js', 1))]));
  expect(b.leaves[0].wakerSkipped?.what).toBe(
    'not looked for: a heap snapshot would need more memory than this test process has to spare',
  );
  expect(renderDump(b)).toContain(
    '↳ not looked for: a heap snapshot would need more memory than this test process has to spare',
  );
  expect(find).toHaveBeenCalledTimes(1);
});

test('a failed search leaves no ↳ line and one note, and is the last of the process', () => {
  find.mockImplementation(subjects => {
    subjects[0].leaf.waker = {kind: 'none', what: 'half done'};
    throw new RangeError('Array buffer allocation failed');
  });
  const first = search(dumpOf('query 0', [leafAt(query), leafAt(query)]));
  expect(first.leaves.map(l => l.waker)).toEqual([undefined, undefined]);
  expect(first.wakerNote).toBe(
    'What could settle each promise could not be looked for: the search failed (Array buffer allocation failed); no more searches are made in this test process.',
  );
  expect(renderDump(first)).not.toContain('↳');
  const next = search(dumpOf('query 1', [leafAt(query)]));
  expect(next.leaves[0].wakerSkipped).toEqual(skipOf('failed', 300));
  expect(find).toHaveBeenCalledTimes(1);
});

test('the sources are released: the promises are not kept past the search', () => {
  const d = dumpOf('query 0', [leafAt(query)]);
  search(d);
  expect(d.sources.size).toBe(0);
});

describe('SearchBudget', () => {
  test('the first search always runs; then what is left of a tenth of the hung time, at least 5 s', () => {
    const budget = new SearchBudget();
    budget.addHang(1000);
    expect(budget.allows(60, 10)).toBe(true);
    budget.spend(2000, 60); // 33 ms per MB
    expect(budget.limitMs(10)).toBe(5000);
    expect(budget.allows(60, 10)).toBe(true); // 2 s + 2 s <= 5 s
    budget.spend(2000, 60);
    expect(budget.allows(60, 10)).toBe(false); // 4 s + 2 s > 5 s
    // 60 more tests hang for 1 s: 6.1 s for searches.
    for (let i = 0; i < 60; i++) budget.addHang(1000);
    expect(budget.limitMs(10)).toBe(6100);
    expect(budget.allows(60, 10)).toBe(true);
    expect(budget.allows(120, 10)).toBe(false);
    // `wakersBudgetPercent: 100`: as long as the hung tests took.
    expect(budget.allows(120, 100)).toBe(true);
  });
});

describe('memoryVerdict', () => {
  test('over the limit, short of free memory, over the heap limit', () => {
    expect(memoryVerdict(ROOMY, 300)).toBeNull();
    expect(memoryVerdict({...ROOMY, heapUsedMb: 301}, 300)).toBe('heap');
    // 9 × 50 MB is 450 MB: more than half of 800 MB free.
    expect(memoryVerdict({...ROOMY, freeMb: 800}, 300)).toBe('memory');
    expect(memoryVerdict({...ROOMY, freeMb: 1000}, 300)).toBeNull();
    // --max-old-space-size=400: never more than the process was given.
    expect(memoryVerdict({...ROOMY, heapLimitMb: 449}, 300)).toBe('memory');
  });
});

describe('with the directory of the run (other test processes)', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'taskdump-unit-'));
    process.env[HANDOFF_VARIABLE] = dir;
  });
  afterEach(() => {
    delete process.env[HANDOFF_VARIABLE];
    fs.rmSync(dir, {recursive: true, force: true});
  });
  const keyOf = (leaf: Leaf): string =>
    SearchShare.keyOf('', leafSignature(leaf));

  test("a cause another process of the run searches: its finding, said as that test's, and no search here", () => {
    const leaf = leafAt(query);
    // Jest's parent process stands for the other worker: alive.
    const other = new SearchShare(dir, process.ppid);
    other.claim(keyOf(leaf));
    other.publish(keyOf(leaf), {
      waker: {kind: 'object', what: 'its resolve…', short: 'kept in X.y'},
      origin: {rootType: 'test', rootName: 'query 0', testPath: 'a.test.js'},
    });
    const d = search(dumpOf('query 15', [leaf], 'test/b.test.js'));
    expect(find).not.toHaveBeenCalled();
    expect(d.leaves[0].waker?.what).toBe(
      'as for test "query 0" in a.test.js (a promise made by the same calls; not searched again): kept in X.y',
    );
    // And the next test of this process reuses it as its own cache's.
    search(dumpOf('query 16', [leafAt(query)], 'test/b.test.js'));
    expect(find).not.toHaveBeenCalled();
  });

  test('a dump with a cause of its own to search waits for no other process (two would wait for each other)', () => {
    const theirs = leafAt(query);
    const own = leafAt(f('Pool.acquire', 'src/pool.js', 4));
    // Claimed by a live process that publishes nothing while we look.
    new SearchShare(dir, process.ppid).claim(keyOf(theirs));
    const started = Date.now();
    const d = search(dumpOf('query 0', [theirs, own]));
    expect(Date.now() - started).toBeLessThan(5000);
    expect(find).toHaveBeenCalledTimes(1);
    expect(d.leaves.map(l => l.waker?.short)).toEqual([
      'kept in Client.pending',
      'kept in Client.pending',
    ]);
  });

  test('a cause this process searched is published for the others, found or not', () => {
    const leaf = leafAt(query);
    search(dumpOf('query 0', [leaf]));
    expect(find).toHaveBeenCalledTimes(1);
    expect(new SearchShare(dir, process.ppid).claim(keyOf(leaf))).toBe(
      'theirs',
    );
    expect(new SearchShare(dir).await(keyOf(leaf), 100)).toMatchObject({
      waker: {short: 'kept in Client.pending'},
      origin: {rootName: 'query 0', testPath: 'test/a.test.js'},
    });
    // A search that fails publishes that there is nothing to reuse.
    const other = leafAt(f('Pool.acquire', 'src/pool.js', 4));
    find.mockImplementation(() => {
      throw new Error('out of memory');
    });
    search(dumpOf('query 1', [other]));
    expect(new SearchShare(dir).await(keyOf(other), 100)).toBeUndefined();
    expect(
      fs.existsSync(path.join(dir, 'searches', `${keyOf(other)}.json`)),
    ).toBe(true);
  });
});
