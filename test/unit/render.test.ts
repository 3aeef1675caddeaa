import {renderDump, summarize} from '../../src/core/render';
import {buildTree} from '../../src/core/tree';
import {awaitedWhat, promiseWhat, shortOrigin} from '../../src/core/words';
import {
  DUMP_KIND,
  DUMP_VERSION,
  type Frame,
  type Leaf,
  type TaskDump,
} from '../../src/core/types';

const f = (
  name: string,
  line: number,
  column = 1,
  extra: Partial<Frame> = {},
): Frame => ({
  name,
  file: 'src/a.ts',
  line,
  column,
  async: false,
  ...extra,
});

const leaf = (path: Frame[], extra: Partial<Leaf> = {}): Leaf => ({
  kind: 'promise',
  what: 'promise, never settled',
  createdAt: path[path.length - 1] ?? null,
  path,
  ageMs: 0,
  detached: false,
  ...extra,
});

const dump = (leaves: Leaf[], extra: Partial<TaskDump> = {}): TaskDump => ({
  kind: DUMP_KIND,
  version: DUMP_VERSION,
  rootType: 'test',
  rootName: 'hangs',
  rootFrame: {
    name: '<anonymous>',
    file: 'test/a.test.ts',
    line: 3,
    column: 29,
    async: false,
  },
  testPath: 'test/a.test.ts',
  elapsedMs: 300,
  timeoutMs: 300,
  leaves,
  unrecorded: 0,
  waitsForDone: false,
  ...extra,
});

describe('buildTree', () => {
  test('merges branches by their common root-side prefix', () => {
    const tree = buildTree(
      dump([
        leaf([f('foo', 1), f('bar', 2), f('x', 3)]),
        leaf([f('foo', 1), f('bar', 2), f('y', 4)]),
      ]),
    );
    expect(tree.children).toHaveLength(1);
    const bar = tree.children[0].children[0];
    expect(bar.frame?.name).toBe('bar');
    expect(bar.children.map(c => c.frame?.name)).toEqual(['x', 'y']);
  });

  test('the same function at two lines makes two nodes', () => {
    const tree = buildTree(
      dump([leaf([f('foo', 1, 5)]), leaf([f('foo', 2, 9)])]),
    );
    expect(tree.children).toHaveLength(2);
  });

  test('a call and an await on one line are one node, shown at the await', () => {
    // Stacks taken before a function's first await resumes point at the call;
    // later ones at the await.
    const call = f('foo', 4, 22);
    const awaited = f('foo', 4, 10, {async: true});
    const tree = buildTree(
      dump([leaf([call, f('a', 8)]), leaf([awaited, f('b', 9)])]),
    );
    expect(tree.children).toHaveLength(1);
    expect(tree.children[0].frame).toMatchObject({
      line: 4,
      column: 10,
      async: true,
    });
    expect(tree.children[0].children.map(c => c.frame?.name)).toEqual([
      'a',
      'b',
    ]);
  });

  test('a leaf awaited as a combinator input hangs under the combinator node', () => {
    const tree = buildTree(
      dump([
        leaf([f('bar', 2)], {input: {name: 'Promise.all', index: 1}}),
        leaf([
          f('bar', 2),
          f('a', 8, 1, {combinator: {name: 'Promise.all', index: 0}}),
        ]),
      ]),
    );
    const comb = tree.children[0].children[0];
    expect(comb.label).toBe('Promise.all');
    expect(comb.leaves).toHaveLength(1);
    expect(comb.children).toHaveLength(1);
  });

  test('combinator inputs hang under one combinator node, ordered by index', () => {
    const tree = buildTree(
      dump([
        leaf([
          f('bar', 2),
          f('b', 9, 1, {combinator: {name: 'Promise.race', index: 1}}),
        ]),
        leaf([
          f('bar', 2),
          f('a', 8, 1, {combinator: {name: 'Promise.race', index: 0}}),
        ]),
      ]),
    );
    const comb = tree.children[0].children[0];
    expect(comb.label).toBe('Promise.race');
    expect(comb.children.map(c => c.frame?.name)).toEqual(['a', 'b']);
  });

  test('detached branches are grouped apart, after attached ones', () => {
    const tree = buildTree(
      dump([leaf([f('cb', 7)], {detached: true}), leaf([f('foo', 1)])]),
    );
    expect(tree.children.map(c => c.frame?.name ?? 'detached')).toEqual([
      'foo',
      'detached',
    ]);
  });
});

describe('renderDump', () => {
  test('draws the merged tree with one leaf line per stuck branch', () => {
    const text = renderDump(
      dump([
        leaf([
          f('foo', 7, 31),
          f('bar', 6, 24),
          f('fiz', 3, 24, {combinator: {name: 'Promise.all', index: 0}}),
          f('pending', 2, 28),
        ]),
        leaf([
          f('foo', 7, 31),
          f('bar', 6, 24),
          f('buz', 5, 24, {combinator: {name: 'Promise.all', index: 1}}),
          f('pending', 2, 28),
        ]),
      ]),
    );
    expect(text).toBe(
      [
        'Task dump: 2 branches stuck after 300 ms (2 promises)',
        '',
        '╼ test "hangs" at test/a.test.ts:3:29',
        '└╼ foo at src/a.ts:7:31',
        '   └╼ bar at src/a.ts:6:24',
        '      └╼ Promise.all',
        '         ├╼ [0] fiz at src/a.ts:3:24',
        '         │  └╼ pending at src/a.ts:2:28',
        '         │     ⏸ promise, never settled',
        '         └╼ [1] buz at src/a.ts:5:24',
        '            └╼ pending at src/a.ts:2:28',
        '               ⏸ promise, never settled',
      ].join('\n'),
    );
  });

  test('a node can carry both children and its own leaf', () => {
    const text = renderDump(
      dump([
        leaf([f('foo', 1)]),
        leaf([f('foo', 1), f('bar', 2)], {
          kind: 'timer',
          what: 'setTimeout 60000 ms, not fired yet',
        }),
      ]),
    );
    expect(text.split('\n').slice(3)).toEqual([
      '└╼ foo at src/a.ts:1:1',
      '   └╼ bar at src/a.ts:2:1',
      '      ⏲ setTimeout 60000 ms, not fired yet',
      '   ⏸ promise, never settled',
    ]);
  });

  test('hooks and empty dumps say what they are', () => {
    const text = renderDump(
      dump([], {
        rootType: 'beforeAll',
        rootName: 'db',
        rootFrame: null,
        waitsForDone: true,
      }),
    );
    expect(text).toBe(
      [
        'Task dump: no promise, timer or handle under this hook is pending after 300 ms',
        '',
        '╼ beforeAll hook in "db" in test/a.test.ts',
        '└╼ The hook takes a `done` callback that was never called, and no promise, timer or handle it started is still pending (a listener that would call it is not looked for).',
      ].join('\n'),
    );
    expect(
      renderDump(
        dump([leaf([f('x', 1)])], {
          rootType: 'afterEach',
          rootName: 'db › inserts',
        }),
      ),
    ).toContain('╼ afterEach hook for "db › inserts" at test/a.test.ts:3:29');
  });

  // Nothing recorded is pending, but some of what the test made was not
  // recorded (over the capture budget): "nothing is pending" would be false.
  test('an empty dump with work made over the capture budget says what is known only', () => {
    const text = renderDump(dump([], {unrecorded: 2003}));
    expect(text.split('\n')).toEqual([
      'Task dump: nothing recorded under this test says what it waits on after 300 ms (2003 made over the capture budget)',
      '',
      '╼ test "hangs" at test/a.test.ts:3:29',
      '└╼ No `new Promise`, timer or handle recorded under it is pending, and no wait recorded leads to one; but 2003 promises, timers or other handles were made while stack capture was over its budget, and not all of them were recorded: what it waits on may be among them (a larger captureBurst records more).',
    ]);
    expect(text).not.toContain('is pending after');
  });

  test('a promise waiting on the branch below it heads that branch and is not counted', () => {
    const text = renderDump(
      dump([
        leaf([f('later', 6, 10)], {waiting: true}),
        leaf([
          f('later', 6, 10),
          f('setTimeout callback', 6, 33),
          f('waitForever', 2, 9),
        ]),
      ]),
    );
    expect(text.split('\n')).toEqual([
      'Task dump: 1 branch stuck after 300 ms (1 promise)',
      '',
      '╼ test "hangs" at test/a.test.ts:3:29',
      '└╼ later at src/a.ts:6:10',
      '   ⏸ promise, never settled; it waits on:',
      '   └╼ setTimeout callback at src/a.ts:6:33',
      '      └╼ waitForever at src/a.ts:2:9',
      '         ⏸ promise, never settled',
    ]);
  });

  test('a handle whose branches below include one of asides only does not say "it waits on" (it does not wait on those)', () => {
    const at = f('connect', 16, 13);
    const lines = (extra: Frame[]): string[] =>
      renderDump(
        dump([
          leaf([at], {
            kind: 'socket',
            what: 'socket to 127.0.0.1:4000, open',
            waiting: true,
          }),
          leaf([at, f("'connection' listener <anonymous>", 4, 50)], {
            kind: 'server',
            what: 'server on :::4000: it has written nothing to this connection',
          }),
          ...extra.map(x =>
            leaf([at, f('socket event', 16, 13), x], {
              kind: 'timer',
              what: 'setInterval every 100 ms',
              aside: true,
            }),
          ),
        ]),
      ).split('\n');
    expect(lines([]).join('\n')).toContain(
      '⇄ socket to 127.0.0.1:4000, open; it waits on:',
    );
    const withAside = lines([f('scheduleCheck', 91, 39)]);
    expect(withAside).toContain('   ⇄ socket to 127.0.0.1:4000, open');
    expect(withAside.join('\n')).not.toContain('it waits on');
  });

  test("a pool's resource in use held by the waiting branch is named before who holds it", () => {
    const waker = (heldIn?: string) => ({
      kind: 'object' as const,
      what: 'its resolve function is kept in Pool.pendingAcquires[0]',
      short: 'kept in Pool.pendingAcquires[0]',
      heldHere: f('query', 9, 3),
      deadlock: true,
      ...(heldIn !== undefined ? {heldIn} : {}),
    });
    const text = (heldIn?: string): string =>
      renderDump(dump([leaf([f('acquire', 4, 5)], {waker: waker(heldIn)})]));
    expect(text()).toContain(
      '↳ its resolve function is kept in Pool.pendingAcquires[0], held by this branch (query at src/a.ts:9:3), which waits for it: a deadlock',
    );
    expect(text('the resource in use in Pool.used is')).toContain(
      '↳ its resolve function is kept in Pool.pendingAcquires[0]; the resource in use in Pool.used is held by this branch (query at src/a.ts:9:3), which waits for it: a deadlock',
    );
  });

  test('promises that wait the same way at one node (made in a loop) are drawn once, with their count', () => {
    const sleep = f('sleep', 6, 10);
    const text = renderDump(
      dump([
        leaf([sleep], {waiting: true}),
        leaf([sleep], {waiting: true}),
        leaf([sleep], {
          waiting: true,
          what: 'promise, never settled; 1 of its 2 awaits (or .then calls) not traced to where they wait',
        }),
        leaf([sleep, f('<anonymous>', 6, 27)], {
          kind: 'timer',
          what: 'setTimeout 60000 ms',
        }),
      ]),
    );
    expect(text.split('\n').slice(3)).toEqual([
      '└╼ sleep at src/a.ts:6:10',
      '   ⏸ 2× promise, never settled; they wait on:',
      '   ⏸ promise, never settled; 1 of its 2 awaits (or .then calls) not traced to where they wait; it waits on:',
      '   └╼ <anonymous> at src/a.ts:6:27',
      '      ⏲ setTimeout 60000 ms',
    ]);
  });

  describe('inputs alike but for the index of where each is kept', () => {
    const kept = (i: number | string): Leaf['waker'] => ({
      kind: 'object',
      what: `its resolve function is kept in Pool.waiting[${i}] (class Pool at src/pool.ts:1:1), held by [0] worker at src/a.ts:9:3`,
    });
    const inputs = (indices: number[]): Leaf[] =>
      indices.map((k, i) =>
        leaf(
          [
            f('query', 6, 10, {combinator: {name: 'Promise.all', index: i}}),
            f('acquire', 3, 5),
          ],
          {
            waker: kept(k),
          },
        ),
      );

    test('one more each: drawn once, the index a range (and no other index changed)', () => {
      const text = renderDump(dump(inputs([0, 1, 2])));
      expect(text.split('\n').slice(3)).toEqual([
        '└╼ Promise.all',
        '   └╼ [0–2] 3× query at src/a.ts:6:10',
        '      └╼ acquire at src/a.ts:3:5',
        '         ⏸ promise, never settled',
        '           ↳ its resolve function is kept in Pool.waiting[0–2] (class Pool at src/pool.ts:1:1), held by [0] worker at src/a.ts:9:3',
      ]);
    });

    test('not one more each: drawn one by one, each with its own index', () => {
      const text = renderDump(dump(inputs([0, 2, 3])));
      expect(text).toContain('[0] query');
      expect(text).toContain('Pool.waiting[0] ');
      expect(text).toContain('[1–2] 2× query');
      expect(text).toContain('Pool.waiting[2–3] ');
      expect(text).not.toContain('Pool.waiting[0–');
    });
  });

  test('a socket and a promise waiting at one frame: neither says "it waits on", the branches below unclaimed', () => {
    // Node's fetch(): its promise waits on what its socket waits on, but the
    // socket is made in Node's own code, so both hang at the test's line.
    const text = renderDump(
      dump([
        leaf([], {
          kind: 'socket',
          what: 'socket to 127.0.0.1:4000, open',
          waiting: true,
        }),
        leaf([], {
          what: 'fetch() promise, never settled',
          waiting: true,
          createdAt: f('<anonymous>', 3, 9),
        }),
        leaf([f('listener', 9, 3)], {
          kind: 'server',
          what: 'HTTP server on 127.0.0.1:4000: the GET is not answered',
        }),
        leaf([f('<anonymous>', 3, 9)], {
          what: 'fetch() promise, never settled',
        }),
      ]),
    );
    expect(text).not.toContain('it waits on');
    expect(text.split('\n').slice(3, 5)).toEqual([
      '⇄ socket to 127.0.0.1:4000, open',
      '⏸ fetch() promise, never settled; created at src/a.ts:3:9',
    ]);
  });

  test('a leaf waiting at a frame with no branch below it does not say "it waits on"', () => {
    // A server with no 'connection' listener, drawn under the client's
    // socket at the socket's own frame: beside it, not below.
    const text = renderDump(
      dump([
        leaf([f('connect', 5, 3)], {
          kind: 'socket',
          what: 'socket to 127.0.0.1:4000, open, 0 bytes read',
          waiting: true,
        }),
        leaf([f('connect', 5, 3)], {
          kind: 'server',
          what: 'server on 127.0.0.1:4000: it has written nothing to this connection',
        }),
      ]),
    );
    expect(text).not.toContain('waits on');
    expect(text.split('\n').slice(3)).toEqual([
      '└╼ connect at src/a.ts:5:3',
      '   ⇄ socket to 127.0.0.1:4000, open, 0 bytes read',
      '   ⇄ server on 127.0.0.1:4000: it has written nothing to this connection',
    ]);
  });

  test('a leaf created elsewhere than where it is awaited says where it was created', () => {
    const made = f('Deferred', 6, 20, {file: 'src/queue.ts'});
    const text = renderDump(
      dump([
        leaf([f('acquire', 12, 22)], {
          createdAt: made,
          what: 'promise created outside this test, never settled',
        }),
      ]),
    );
    expect(text).toContain(
      '⏸ promise created outside this test, never settled; created in Deferred at src/queue.ts:6:20',
    );
    const input = renderDump(
      dump([leaf([f('bar', 2)], {input: {name: 'Promise.all', index: 1}})]),
    );
    expect(input).toContain(
      '└╼ Promise.all\n      └╼ ⏸ [1] promise, never settled',
    );
  });

  test('styles are applied only through the given functions', () => {
    const text = renderDump(dump([leaf([f('foo', 1)])]), {
      styles: {leaf: s => `<${s}>`, title: s => s.toUpperCase()},
    });
    expect(text).toContain('<⏸ promise, never settled>');
    expect(text.split('\n')[0]).toBe(
      'TASK DUMP: 1 BRANCH STUCK AFTER 300 MS (1 PROMISE)',
    );
  });

  test('summary counts kinds', () => {
    expect(
      summarize(
        dump([leaf([]), leaf([], {kind: 'timer'}), leaf([], {kind: 'timer'})]),
      ),
    ).toBe('Task dump: 3 branches stuck after 300 ms (1 promise, 2 timers)');
  });

  // A server listening with no request waiting waits on nothing: shown, but
  // not a stuck branch.
  test('summary: an idle server is not counted as stuck, and is named', () => {
    const idle = leaf([], {kind: 'server', what: 'HTTP server', idle: true});
    expect(summarize(dump([leaf([]), idle]))).toBe(
      'Task dump: 1 branch stuck after 300 ms (1 promise); 1 idle (server with no request waiting)',
    );
    expect(summarize(dump([idle]))).toBe(
      'Task dump: nothing stuck after 300 ms; 1 idle (server with no request waiting)',
    );
  });
});

describe('renderDump with a width', () => {
  const long = dump([
    leaf([
      f('reserveEveryItemOfTheCustomerOrderAcrossAllWarehouses', 8, 42),
      f('waitForTheUpstreamInventoryService', 3, 10, {
        combinator: {name: 'Promise.all', index: 0},
      }),
    ]),
    leaf(
      [
        f('reserveEveryItemOfTheCustomerOrderAcrossAllWarehouses', 8, 42),
        f('other', 4, 1, {combinator: {name: 'Promise.all', index: 1}}),
      ],
      {
        what: 'promise created outside this test, never settled',
        createdAt: f('makeTheDeferredThatNobodyResolves', 30, 5, {
          file: 'src/some/deeply/nested/module/with/a/long/path.ts',
        }),
      },
    ),
  ]);

  test('no line is wider than asked but for one word, never cut, and the text is all there', () => {
    for (const width of [40, 50, 60]) {
      const text = renderDump(long, {width});
      for (const line of text.split('\n')) {
        // A word longer than a line (a path) has a line of its own, whole.
        if (line.length > width)
          expect(line.replace(/^[\s│├└╼]+/, '')).toMatch(/^\S+( at)?$/);
      }
      expect(text).toContain(
        'src/some/deeply/nested/module/with/a/long/path.ts:30:5',
      );
      const squeeze = (s: string): string => s.replace(/[\s│├└╼]/g, '');
      expect(squeeze(text)).toBe(squeeze(renderDump(long)));
    }
  });

  test('wrapped pieces continue under their own branch, and never start with `at`', () => {
    expect(renderDump(long, {width: 50})).toMatchSnapshot();
    const lines = renderDump(long, {width: 44}).split('\n');
    expect(lines.some(l => /^\s*at /.test(l))).toBe(false);
  });

  test('a duration keeps its unit: never split between its number and `s` or `ms`', () => {
    const timer = dump([
      leaf([f('poll', 2)], {
        kind: 'timer',
        what: 'setTimeout 60000 ms, fires in 58.5 s; the test timeout is 1.5 s; its event loop idle 99% of the 250 ms since it started',
      }),
    ]);
    for (let width = 30; width <= 90; width++) {
      const lines = renderDump(timer, {width}).split('\n');
      lines.forEach((line, i) => {
        if (/\d$/.test(line))
          expect([width, lines[i + 1]?.replace(/^[\s│├└╼⏲]*/, '')]).not.toEqual(
            [width, expect.stringMatching(/^m?s\b/)],
          );
      });
    }
  });

  test('a wide enough width changes nothing', () => {
    expect(renderDump(long, {width: 400})).toBe(renderDump(long));
  });

  test('colour codes do not count toward the width', () => {
    const styles = {
      dim: (s: string) => `\u001b[2m${s}\u001b[22m`,
      leaf: (s: string) => `\u001b[33m${s}\u001b[39m`,
      position: (s: string) => `\u001b[36m${s}\u001b[39m`,
    };
    const text = renderDump(long, {width: 50, styles});
    expect(text).toContain('\u001b[36m');
    expect(text.replace(/\u001b\[\d+m/g, '')).toBe(
      renderDump(long, {width: 50}),
    );
  });
});

test('leaves that read the same at one frame are drawn once, with their count', () => {
  const text = renderDump(
    dump([
      leaf([f('poll', 2)], {
        kind: 'timer',
        what: 'setTimeout 60000 ms, not fired yet',
      }),
      leaf([f('poll', 2)], {
        kind: 'timer',
        what: 'setTimeout 60000 ms, not fired yet',
      }),
      leaf([f('poll', 2)], {
        kind: 'timer',
        what: 'setTimeout 60000 ms, not fired yet',
      }),
      leaf([f('poll', 2)]),
    ]),
  );
  expect(text.split('\n')).toEqual([
    'Task dump: 4 branches stuck after 300 ms (3 timers, 1 promise)',
    '',
    '╼ test "hangs" at test/a.test.ts:3:29',
    '└╼ poll at src/a.ts:2:1',
    '   ⏲ 3× setTimeout 60000 ms, not fired yet',
    '   ⏸ promise, never settled',
  ]);
});

describe('library and Node frames in a row', () => {
  const lib = (
    name: string,
    line: number,
    file = 'node_modules/pg/lib/client.js',
  ): Frame => f(name, line, 3, {file});

  test('show their two ends and a count of what lies between, with the packages', () => {
    const text = renderDump(
      dump([
        leaf([
          f('loadUser', 4),
          lib('Client.query', 10),
          lib('Client._send', 20),
          lib('Pool.acquire', 5, '../../node_modules/@corp/pool/index.js'),
          lib('Connection.wait', 30),
        ]),
        leaf([f('loadUser', 4), f('audit', 9)]),
      ]),
    );
    expect(text.split('\n').slice(2)).toEqual([
      '╼ test "hangs" at test/a.test.ts:3:29',
      '└╼ loadUser at src/a.ts:4:1',
      '   ├╼ audit at src/a.ts:9:1',
      '   │  ⏸ promise, never settled',
      '   └╼ Client.query at node_modules/pg/lib/client.js:10:3',
      '      └╼ ⋯ 2 frames in pg, @corp/pool',
      '         └╼ Connection.wait at node_modules/pg/lib/client.js:30:3',
      '            ⏸ promise, never settled',
    ]);
  });

  test("stop where the branch splits, at a combinator input, or at the user's code", () => {
    const text = renderDump(
      dump([
        leaf([
          lib('a', 1),
          lib('b', 2),
          lib('c', 3),
          f('callback', 7),
          lib('d', 4),
        ]),
        leaf([lib('a', 1), lib('b', 2), lib('e', 5), lib('g', 6), lib('h', 7)]),
      ]),
    );
    // Split after b: nothing collapses above it; the user's callback stops a
    // run.
    expect(text).toContain('Task dump: 2 branches');
    expect(text).not.toContain('⋯');
    const deep = renderDump(
      dump([
        leaf([
          lib('a', 1),
          lib('b', 2),
          lib('c', 3, 'node:events'),
          lib('d', 4),
          f('mine', 8),
        ]),
      ]),
    );
    expect(deep).toContain('⋯ 2 frames in pg, node');
    expect(deep).toContain('mine at src/a.ts:8:1');
  });

  test('three frames in a row are all shown (a count would save nothing)', () => {
    const text = renderDump(
      dump([leaf([lib('a', 1), lib('b', 2), lib('c', 3)])]),
    );
    expect(text).not.toContain('⋯');
    expect(text).toContain('b at node_modules/pg/lib/client.js:2:3');
  });
});

describe('a function that calls itself at one line', () => {
  test('three or more of its frames in a row are one line, and what it waits on is drawn under it', () => {
    const page = (line: number, column: number) =>
      f('page', line, column, {async: true});
    const text = renderDump(
      dump([
        leaf([
          f('load', 2),
          page(5, 20),
          page(5, 20),
          page(5, 20),
          page(5, 20),
          page(4, 9),
        ]),
      ]),
    );
    expect(text.split('\n').slice(2)).toEqual([
      '╼ test "hangs" at test/a.test.ts:3:29',
      '└╼ load at src/a.ts:2:1',
      '   └╼ page at src/a.ts:5:20 (recursive: it calls itself here)',
      '      └╼ page at src/a.ts:4:9',
      '         ⏸ promise, never settled',
    ]);
  });

  test('two frames, a split, a leaf on the way or another column stop it', () => {
    const twice = renderDump(
      dump([leaf([f('page', 5, 20), f('page', 5, 20), f('page', 4, 9)])]),
    );
    expect(twice).not.toContain('recursive');
    const split = renderDump(
      dump([
        leaf([f('walk', 5, 20), f('walk', 5, 20), f('a', 1)]),
        leaf([f('walk', 5, 20), f('walk', 5, 20), f('walk', 5, 20)]),
      ]),
    );
    // Split after the second frame: the two above the split are drawn as
    // they are, as is the one below it.
    expect(split).not.toContain('recursive');
    const leafOnTheWay = renderDump(
      dump([
        leaf([f('walk', 5, 20), f('walk', 5, 20)]),
        leaf([f('walk', 5, 20), f('walk', 5, 20), f('walk', 5, 20), f('a', 1)]),
      ]),
    );
    expect(leafOnTheWay).not.toContain('recursive');
    const columns = renderDump(
      dump([leaf([f('walk', 5, 20), f('walk', 5, 21), f('walk', 5, 22)])]),
    );
    expect(columns).not.toContain('recursive');
  });
});

// Inputs and leaves made alike are grouped by comparing their data before their
// text (see render.ts collapse/collapseSame): data that differs where the text
// does not must still group, and data that differs where the text does must
// not.
describe('grouping what reads the same', () => {
  const input = (
    index: number,
    below: Frame[],
    extra: Partial<Leaf> = {},
  ): Leaf =>
    leaf(
      [
        f('run', 2),
        f('task', 5, 1, {combinator: {name: 'Promise.all', index}}),
        ...below,
      ],
      extra,
    );

  test('inputs whose subtrees differ only in what is not shown are one group', () => {
    const text = renderDump(
      dump([
        input(0, [f('step', 9)], {ageMs: 1}),
        input(1, [f('step', 9)], {ageMs: 2}),
        // Not shown: whether a frame is an await, a leaf's age.
        input(2, [f('step', 9, 1, {async: true})], {ageMs: 3}),
        input(3, [f('step', 9, 1, {via: {frames: 2, packages: ['node']}})]),
        input(4, [f('step', 9)], {
          what: 'events.once() promise, never settled',
        }),
      ]),
    );
    expect(text.split('\n').slice(3)).toEqual([
      '└╼ run at src/a.ts:2:1',
      '   └╼ Promise.all',
      '      ├╼ [0–2] 3× task at src/a.ts:5:1',
      '      │  └╼ step at src/a.ts:9:1',
      '      │     ⏸ promise, never settled',
      '      ├╼ [3] task at src/a.ts:5:1',
      '      │  └╼ step at src/a.ts:9:1 ⋯ called through 2 frames of node',
      '      │     ⏸ promise, never settled',
      '      └╼ [4] task at src/a.ts:5:1',
      '         └╼ step at src/a.ts:9:1',
      '            ⏸ events.once() promise, never settled',
    ]);
  });

  test('leaves that read the same are counted together in first-seen order, alike or not in between', () => {
    const at = (what: string, extra: Partial<Leaf> = {}): Leaf =>
      leaf([f('poll', 2)], {kind: 'timer', what, ...extra});
    const text = renderDump(
      dump([
        at('A'),
        at('B'),
        at('A', {ageMs: 5, timer: {delayMs: 1, repeat: false}}),
        at('A'),
        at('B', {busy: true}),
      ]),
    );
    expect(text.split('\n').slice(4)).toEqual(['   ⏲ 3× A', '   ⏲ 2× B']);
  });

  // A waker is a line of its own under the leaf: leaves alike in all else but
  // their wakers read differently, and are not one group.
  test('leaves and inputs alike but for their wakers are apart; with wakers that read the same, together', () => {
    const orphaned = {kind: 'none' as const, what: 'nothing can settle it'};
    const held = (line: number) => ({
      kind: 'object' as const,
      what: 'its resolve function is kept in Lock.queue[0]',
      heldBy: [f('other', line)],
    });
    const plain = renderDump(
      dump([
        leaf([f('poll', 2)]),
        leaf([f('poll', 2)], {waker: orphaned}),
        leaf([f('poll', 2)], {waker: {...orphaned}}),
        leaf([f('poll', 2)], {waker: held(7)}),
        leaf([f('poll', 2)], {waker: held(8)}),
      ]),
    );
    expect(plain.split('\n').slice(4)).toEqual([
      '   ⏸ promise, never settled',
      '   ⏸ 2× promise, never settled',
      '     ↳ nothing can settle it',
      '   ⏸ promise, never settled',
      '     ↳ its resolve function is kept in Lock.queue[0], held by other at src/a.ts:7:1',
      '   ⏸ promise, never settled',
      '     ↳ its resolve function is kept in Lock.queue[0], held by other at src/a.ts:8:1',
    ]);
    const inputs = renderDump(
      dump([
        input(0, [f('step', 9)], {waker: held(7)}),
        input(1, [f('step', 9)], {waker: held(7)}),
        input(2, [f('step', 9)], {waker: held(8)}),
        input(3, [f('step', 9)]),
      ]),
    );
    expect(inputs.split('\n').slice(5)).toEqual([
      '      ├╼ [0–1] 2× task at src/a.ts:5:1',
      '      │  └╼ step at src/a.ts:9:1',
      '      │     ⏸ promise, never settled',
      '      │       ↳ its resolve function is kept in Lock.queue[0], held by other at src/a.ts:7:1',
      '      ├╼ [2] task at src/a.ts:5:1',
      '      │  └╼ step at src/a.ts:9:1',
      '      │     ⏸ promise, never settled',
      '      │       ↳ its resolve function is kept in Lock.queue[0], held by other at src/a.ts:8:1',
      '      └╼ [3] task at src/a.ts:5:1',
      '         └╼ step at src/a.ts:9:1',
      '            ⏸ promise, never settled',
    ]);
  });

  test('a node keeps its children in first-seen order, however their keys come', () => {
    const tree = buildTree(
      dump([
        leaf([f('x', 1), f('y', 2)]),
        leaf([f('x', 1), f('z', 3)]),
        leaf([f('x', 1), f('y', 2)]),
        leaf([f('x', 1), f('w', 4)]),
      ]),
    );
    const x = tree.children[0];
    expect(x.children.map(c => c.frame?.name)).toEqual(['y', 'z', 'w']);
    expect(x.children.map(c => c.leaves.length)).toEqual([2, 1, 1]);
  });
});

describe('where a promise of Node was made', () => {
  test("Node's API by its module, a global Node implements internally by its own name", () => {
    expect(shortOrigin('once (node:events)')).toBe('events.once()');
    expect(shortOrigin('setTimeout (node:timers/promises)')).toBe(
      'timers/promises.setTimeout()',
    );
    expect(
      shortOrigin(
        'fetch (node:internal/bootstrap/web/exposed-window-or-worker)',
      ),
    ).toBe('fetch()');
    expect(promiseWhat('fetch (node:internal/deps/undici/undici)')).toBe(
      'fetch() promise, never settled',
    );
    // Awaited by a hook: outside that hook (a test's may have made it).
    expect(awaitedWhat('outside', null, 'hook')).toBe(
      'promise created outside this hook, never settled',
    );
    expect(awaitedWhat('unrecorded', null, 'hook')).toBe(
      'awaits a promise created before this hook (not recorded), never settled',
    );
    expect(awaitedWhat('outside', null)).toBe(
      'promise created outside this test, never settled',
    );
    // An internal module whose functions are a public module's.
    expect(shortOrigin('_watch (node:internal/fs/promises)')).toBe(
      'fs/promises.watch()',
    );
    expect(shortOrigin('readFile (node:internal/fs/promises)')).toBe(
      'fs/promises.readFile()',
    );
  });

  test("Node's runner of the event loop's jobs is no API the program called", () => {
    expect(
      promiseWhat(
        'processTicksAndRejections (node:internal/process/task_queues)',
      ),
    ).toBe('promise, never settled');
    expect(promiseWhat('processImmediate (node:internal/timers)')).toBe(
      'promise, never settled',
    );
  });
});

describe('a frame whose place is not known', () => {
  // The callback of an fs request made where no frame of the program's
  // shows (graceful-fs's retry): its name alone, never `at :0:0`.
  test('is drawn by its name alone', () => {
    const text = renderDump(
      dump([
        leaf([
          f('retry', 5),
          {name: 'fs callback', file: '', line: 0, column: 0, async: true},
          f('RetryOperation.retry', 68, 15),
        ]),
      ]),
    );
    expect(text).toContain('└╼ fs callback\n');
    expect(text).not.toContain(':0:0');
  });
});
