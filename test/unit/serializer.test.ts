import {format} from 'pretty-format';
import serializer, {stableDump} from '../../src/serializer';
import {DUMP_KIND, DUMP_VERSION, type TaskDump} from '../../src/core/types';
import {buildTree} from '../../src/core/tree';

const dump: TaskDump = {
  kind: DUMP_KIND,
  version: DUMP_VERSION,
  rootType: 'test',
  rootName: 'talks to the server',
  rootFrame: {
    name: '<anonymous>',
    file: 'test/a.test.ts',
    line: 3,
    column: 9,
    async: true,
  },
  testPath: 'test/a.test.ts',
  elapsedMs: 5012,
  timeoutMs: 5000,
  unrecorded: 0,
  waitsForDone: false,
  leaves: [
    {
      kind: 'socket',
      what: 'socket to 127.0.0.1:41877, open, 0 bytes read',
      createdAt: null,
      path: [
        {name: 'connect', file: 'src/c.ts', line: 4, column: 3, async: false},
      ],
      ageMs: 12,
      detached: false,
    },
    {
      kind: 'child-process',
      what: 'child process node (pid 4242), still running',
      createdAt: null,
      path: [
        {name: 'spawnTool', file: 'src/t.ts', line: 9, column: 5, async: false},
      ],
      ageMs: 13,
      detached: false,
    },
    {
      kind: 'timer',
      what: 'setTimeout 60000 ms, fires in 55.0 s',
      createdAt: null,
      path: [
        {name: 'wait', file: 'src/w.ts', line: 2, column: 1, async: false},
      ],
      ageMs: 14,
      detached: false,
      timer: {delayMs: 60000, repeat: false, firesInMs: 54988},
    },
  ],
};

expect.addSnapshotSerializer(serializer);

test('a dump snapshots without times, ports or pids', () => {
  expect(dump).toMatchSnapshot();
  const stable = stableDump(dump);
  expect(stable.elapsedMs).toBe(0);
  expect(stable.leaves.map(l => l.what)).toEqual([
    'socket to localhost:<port>, open, <n> bytes read',
    'child process node (pid <pid>), still running',
    'setTimeout 60000 ms, fires in <time>',
  ]);
  expect(stable.leaves.map(l => l.ageMs)).toEqual([0, 0, 0]);
  expect(stable.leaves[2].timer).toEqual({delayMs: 60000, repeat: false});
});

test('only dumps are serialized by it', () => {
  expect(serializer.test(dump)).toBe(true);
  expect(serializer.test({kind: 'other'})).toBe(false);
  expect(serializer.test(null)).toBe(false);
});

test('indent, min and colours of pretty-format are respected', () => {
  const two = format({d: dump}, {plugins: [serializer], indent: 4});
  expect(two.split('\n')[1]).toBe('    "d": TaskDump {');
  expect(two.split('\n')[2]).toMatch(/^ {8}Task dump: 3 branches stuck/);
  const min = format(dump, {plugins: [serializer], min: true});
  expect(min).not.toContain('\n');
  expect(
    min.startsWith(
      'TaskDump {Task dump: 3 branches stuck (1 socket, 1 child process, 1 timer) ╼ test "talks to the server"',
    ),
  ).toBe(true);
  const coloured = format(dump, {
    plugins: [serializer],
    highlight: true,
    theme: {
      tag: 'cyan',
      value: 'yellow',
      comment: 'gray',
      content: 'reset',
      prop: 'yellow',
    },
  });
  expect(coloured).toContain('\u001b[');
  expect(format(dump, {plugins: [serializer]})).not.toContain('\u001b[');
});

describe('stable across machines', () => {
  const elsewhere: TaskDump = {
    ...dump,
    testPath: 'test/a.test.ts',
    rootFrame: {
      name: '<anonymous>',
      file: 'test/a.test.ts',
      line: 3,
      column: 9,
      async: true,
    },
    leaves: [
      {
        kind: 'promise',
        what: 'promise, never settled',
        createdAt: {
          name: 'shared',
          file: '/home/ci/work/packages/shared/src/lock.ts',
          line: 7,
          column: 3,
          async: false,
        },
        path: [
          {
            name: 'useLock',
            file: 'C:\\Users\\me\\shared\\src\\use.ts',
            line: 2,
            column: 1,
            async: true,
          },
        ],
        ageMs: 3,
        detached: false,
      },
      {
        kind: 'socket',
        what: 'socket to ::1:5432, still connecting',
        createdAt: null,
        path: [
          {name: 'db', file: 'src/db.ts', line: 1, column: 1, async: false},
        ],
        ageMs: 3,
        detached: false,
      },
      {
        kind: 'server',
        what: 'server listening on /tmp/jest_x7/app.sock, no connection yet',
        createdAt: null,
        path: [
          {name: 'serve', file: 'src/s.ts', line: 1, column: 1, async: false},
        ],
        ageMs: 3,
        detached: false,
      },
    ],
  };

  test('no absolute path, loopback is localhost, no byte counts', () => {
    const text = format(elsewhere, {plugins: [serializer]});
    expect(text).not.toMatch(/\/home|C:\\|\/tmp|::1|\d+ bytes/);
    expect(text).toMatchSnapshot();
  });

  test('the same dump from 127.0.0.1 and from ::1 snapshots the same', () => {
    const at = (what: string): TaskDump => ({
      ...elsewhere,
      leaves: [{...elsewhere.leaves[1], what}],
    });
    expect(
      format(at('socket to 127.0.0.1:41000, open, 17 bytes read'), {
        plugins: [serializer],
      }),
    ).toBe(
      format(at('socket to [::1]:39999, open, 0 bytes read'), {
        plugins: [serializer],
      }),
    );
  });

  test('HTTP leaves: no port, no byte count', () => {
    const at = (what: string): TaskDump => ({
      ...elsewhere,
      leaves: [{...elsewhere.leaves[1], what}],
    });
    const text = (what: string): string => stableDump(at(what)).leaves[0].what;
    expect(
      text(
        'HTTP GET to 127.0.0.1:41000: response headers received (status 200), body not ended after 1385 bytes of the response read, headers included',
      ),
    ).toBe(
      'HTTP GET to localhost:<port>: response headers received (status 200), body not ended after <n> bytes of the response read, headers included',
    );
    expect(
      text(
        'HTTP server listening on [::1]:39999: 1 request not answered (GET)',
      ),
    ).toBe(
      'HTTP server listening on localhost:<port>: 1 request not answered (GET)',
    );
  });

  test("colours come from pretty-format's theme only", () => {
    const coloured = format(elsewhere, {
      plugins: [serializer],
      highlight: true,
      theme: {
        tag: 'cyan',
        value: 'yellow',
        comment: 'gray',
        content: 'reset',
        prop: 'yellow',
      },
    });
    expect(coloured).toMatchSnapshot();
  });
});

describe('trees from buildTree', () => {
  test('snapshot as their branches, as stable as dumps', () => {
    const tree = buildTree(dump);
    expect(serializer.test(tree)).toBe(true);
    expect(tree).toMatchSnapshot();
    const text = format(tree, {plugins: [serializer]});
    expect(text).not.toMatch(/41877|4242|55\.0 s/);
    expect(
      text.startsWith(
        'TaskTree {\n  ├╼ wait at src/w.ts:2:1\n  │  ⏲ setTimeout 60000 ms, fires in <time>',
      ),
    ).toBe(true);
  });

  test('other objects with children are left to pretty-format', () => {
    expect(
      serializer.test({frame: null, children: [], leaves: [], extra: 1}),
    ).toBe(false);
    expect(serializer.test({children: [], leaves: []})).toBe(false);
    expect(
      serializer.test({frame: null, children: [{name: 'x'}], leaves: []}),
    ).toBe(false);
    expect(
      format(
        {frame: null, children: [], leaves: [], extra: 1},
        {plugins: [serializer]},
      ),
    ).toContain('"extra": 1');
  });
});

describe('wakers and loops', () => {
  const at = {
    name: 'Mutex',
    file: '/home/ci/work/src/lock.ts',
    line: 2,
    column: 1,
    async: false,
  };
  const withWakers: TaskDump = {
    ...dump,
    leaves: [
      {
        kind: 'promise',
        what: 'events.once() promise, never settled',
        createdAt: null,
        path: [
          {name: 'run', file: 'src/t.ts', line: 11, column: 3, async: true},
        ],
        ageMs: 1,
        detached: false,
        waker: {
          kind: 'child-process',
          what: "waits for 'exit' of a child process (pid 4242): still running",
        },
      },
      {
        kind: 'promise',
        what: 'promise, never settled',
        createdAt: null,
        path: [
          {name: 'later', file: 'src/l.ts', line: 2, column: 3, async: true},
        ],
        ageMs: 1,
        detached: false,
        waker: {
          kind: 'timer',
          what: 'settles when a setTimeout of 60000 ms fires (in 59.7 s)',
        },
      },
      {
        kind: 'promise',
        what: 'promise, never settled',
        createdAt: null,
        path: [
          {name: 'take', file: 'src/b.ts', line: 5, column: 3, async: true},
        ],
        ageMs: 1,
        detached: false,
        waker: {
          kind: 'object',
          what: 'its resolve function is kept in Mutex.waiters[0]',
          at,
          heldBy: [at],
        },
      },
      {
        kind: 'timer',
        what: 'loop in poll at src/p.ts:4 ran 17 times in this test; now sleeping 40 ms (setTimeout, fires in 12 ms)',
        createdAt: null,
        path: [
          {name: 'poll', file: 'src/p.ts', line: 4, column: 3, async: false},
        ],
        ageMs: 1,
        detached: false,
        loop: {
          count: 17,
          at: {
            name: 'poll',
            file: 'src/p.ts',
            line: 4,
            column: 3,
            async: false,
          },
          exact: true,
        },
      },
    ],
  };

  test('no pid, time left, loop count or absolute path in them', () => {
    const stable = stableDump(withWakers);
    expect(stable.leaves.map(l => l.waker?.what ?? l.what)).toEqual([
      "waits for 'exit' of a child process (pid <pid>): still running",
      'settles when a setTimeout of 60000 ms fires (in <time>)',
      'its resolve function is kept in Mutex.waiters[0]',
      'loop in poll at src/p.ts:4 ran <n> times in this test; now sleeping 40 ms (setTimeout, fires in <time>)',
    ]);
    expect(stable.leaves[2].waker!.at!.file).toBe('<outside rootDir>/lock.ts');
    expect(stable.leaves[2].waker!.heldBy![0].file).toBe(
      '<outside rootDir>/lock.ts',
    );
    expect(stable.leaves[3].loop!.count).toBe(0);
    const text = format(withWakers, {plugins: [serializer]});
    expect(text).toContain(
      "↳ waits for 'exit' of a child process (pid <pid>): still running",
    );
    expect(text).not.toMatch(/4242|59\.7|17 times|\/home/);
  });

  test("no attempt count or time left in a retry loop's words", () => {
    const at = {name: 'withRetry', file: 'src/r.ts', line: 7, column: 3};
    const retry: TaskDump = {
      ...dump,
      leaves: [
        {
          kind: 'timer',
          what: 'retry loop in withRetry at src/r.ts:7: 3 attempts failed, each with TypeError thrown at src/h.ts:8:9; next attempt after setTimeout 100 ms, fires in 12 ms',
          createdAt: null,
          path: [{...at, async: true}],
          ageMs: 1,
          detached: false,
          loop: {count: 3, at: {...at, async: false}, exact: true},
        },
      ],
    };
    expect(stableDump(retry).leaves[0].what).toBe(
      'retry loop in withRetry at src/r.ts:7: <n> attempts failed, each with TypeError thrown at src/h.ts:8:9; next attempt after setTimeout 100 ms, fires in <time>',
    );
  });
});
