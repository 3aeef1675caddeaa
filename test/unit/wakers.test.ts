import {spawnSync} from 'node:child_process';
import {EventEmitter} from 'node:events';
import fs from 'node:fs';
import {createServer} from 'node:http';
import os from 'node:os';
import path from 'node:path';
import {SnapshotParser, removeStaleSnapshots} from '../../src/core/heap';
import type {WakerSubject} from '../../src/core/wakers';
import {DUMP_KIND, DUMP_VERSION, type Leaf} from '../../src/core/types';
import {summaryLines} from '../../src/reporter/summary';
import {searchThisProcess} from './wakers/live';

describe('SnapshotParser', () => {
  // A snapshot as V8 writes it, small: a root, an object with a property and an
  // element.
  const json = JSON.stringify({
    snapshot: {
      meta: {
        node_fields: [
          'type',
          'name',
          'id',
          'self_size',
          'edge_count',
          'trace_node_id',
          'detachedness',
        ],
        node_types: [
          [
            'hidden',
            'array',
            'string',
            'object',
            'code',
            'closure',
            'regexp',
            'number',
            'native',
            'synthetic',
          ],
          'string',
          'number',
          'number',
          'number',
          'number',
          'number',
        ],
        edge_fields: ['type', 'name_or_index', 'to_node'],
        edge_types: [
          [
            'context',
            'element',
            'property',
            'internal',
            'hidden',
            'shortcut',
            'weak',
          ],
          'string_or_number',
          'node',
        ],
        location_fields: ['object_index', 'script_id', 'line', 'column'],
      },
      node_count: 3,
      edge_count: 3,
    },
    nodes: [9, 0, 1, 0, 1, 0, 0, 3, 1, 3, 24, 2, 0, 0, 5, 4, 5, 32, 0, 0, 0],
    edges: [5, 3, 7, 2, 2, 14, 1, 0, 14],
    trace_function_infos: [],
    trace_tree: [],
    samples: [],
    locations: [14, 42, 9, 4],
    strings: ['', 'Thing', 'resolve', 'x', 'work', 'root'],
  });

  const read = (chunks: string[]) => {
    const p = new SnapshotParser();
    for (const c of chunks) p.write(c);
    return p.end();
  };

  test.each([
    ['whole', [json]],
    ['one character at a time', [...json]],
    ['in chunks of 7', json.match(/[^]{1,7}/g)!],
  ])('%s: nodes, edges, names and locations', (_name, chunks) => {
    const g = read(chunks as string[]);
    expect(g.nodeCount).toBe(3);
    expect([g.type(1), g.name(1), g.id(1)]).toEqual(['object', 'Thing', 3]);
    expect([g.type(2), g.name(2)]).toEqual(['closure', 'work']);
    // Node 0's edge: a shortcut named `x` to node 1 (offset 7 / 7 fields).
    expect([g.firstEdge(0), g.firstEdge(1), g.firstEdge(3)]).toEqual([0, 1, 3]);
    expect([g.edgeType(0), g.edgeName(0), g.edgeTo(0)]).toEqual([
      'shortcut',
      'x',
      1,
    ]);
    expect([g.edgeType(1), g.edgeName(1), g.edgeTo(1)]).toEqual([
      'property',
      'resolve',
      2,
    ]);
    expect([g.edgeType(2), g.edgeName(2), g.edgeTo(2)]).toEqual([
      'element',
      0,
      2,
    ]);
    expect(g.location(2)).toEqual({scriptId: 42, line: 9, column: 4});
    expect(g.location(1)).toBeUndefined();
  });

  test('a snapshot cut short is an error, not a wrong graph', () => {
    expect(() => read([json.slice(0, json.indexOf('"edges"'))])).toThrow(
      'ended early',
    );
  });
});

// One heap snapshot for all cases (each costs a second or more in a ts-jest
// worker).
describe('findWakers, on this process', () => {
  const leaf = (name: string): Leaf => ({
    kind: 'promise',
    what: 'promise, never settled',
    createdAt: null,
    path: [
      {name, file: 'test/unit/wakers.test.ts', line: 1, column: 1, async: true},
    ],
    ageMs: 0,
    detached: false,
  });
  const subjects: WakerSubject[] = [];
  const add = (
    name: string,
    promise: Promise<unknown>,
    constructed = true,
  ): Leaf => {
    const l = leaf(name);
    promise.catch(() => {});
    subjects.push({leaf: l, promise, constructed});
    return l;
  };
  class Connection extends EventEmitter {}
  // The promises its waiters wait on, for the test to hand to findWakers.
  const waits: Array<Promise<void>> = [];
  class Mutex {
    locked = false;
    readonly waiters: Array<() => void> = [];
    async acquire(): Promise<() => void> {
      if (this.locked) {
        const wait = new Promise<void>(resolve => this.waiters.push(resolve));
        waits.push(wait);
        await wait;
      }
      this.locked = true;
      return () => this.release();
    }
    release(): void {
      this.locked = false;
      this.waiters.shift()?.();
    }
  }
  const kept: unknown[] = [];
  class RpcClient {
    readonly pending = new Map<string, (v: unknown) => void>();
  }
  const client = new RpcClient();
  class Vault {
    readonly #waiters: Array<() => void> = [];
    add(resolve: () => void): void {
      this.#waiters.push(resolve);
    }
  }
  const vault = new Vault();
  const requests = client.pending;
  let leaves: Record<string, Leaf>;
  let cleanup: Array<() => void> = [];

  beforeAll(async () => {
    const conn = new Connection();
    kept.push(conn, client, vault);
    const signal = new AbortController();
    kept.push(signal);
    let keepResolve: (() => void) | undefined;
    const timer = setTimeout(() => {}, 60_000);
    cleanup.push(() => clearTimeout(timer));
    // Two locks taken in opposite orders: each waiter's branch holds the
    // other's lock.
    const a = new Mutex();
    const b = new Mutex();
    kept.push(a, b);
    const transfer = async (from: Mutex, to: Mutex): Promise<void> => {
      const release = await from.acquire();
      await new Promise(r => setTimeout(r, 5));
      (await to.acquire())();
      release();
    };
    void transfer(a, b);
    void transfer(b, a);
    // A timer that ran without settling its promise (a retry's first pause,
    // kafkajs's): its object, still kept, keeps the callback.
    const ran = new Promise(resolve => {
      kept.push(
        setTimeout(() => {
          if (kept.length < 0) resolve(undefined);
        }, 1),
      );
    });
    // Node's fetch() of a server that never answers: it makes an AbortSignal
    // of its own, whose listener keeps the fetch's resolve function.
    const silent = createServer(() => {});
    await new Promise<void>(done => silent.listen(0, '127.0.0.1', done));
    cleanup.push(() => (silent.closeAllConnections(), silent.close()));
    const fetched = fetch(
      `http://127.0.0.1:${(silent.address() as {port: number}).port}/`,
    );
    await new Promise(r => setTimeout(r, 30));
    let t: NodeJS.Timeout | undefined;
    leaves = {
      fetched: add('fetched', fetched),
      orphan: add('orphan', new Promise(() => {})),
      listener: add(
        'listener',
        new Promise(resolve => conn.once('data', resolve)),
      ),
      colon: add(
        'colon',
        new Promise(resolve => conn.once('db:ready', resolve)),
      ),
      // An iterator's shape (readline's lines): a value on 'line', the end
      // on 'close', whose listener is the resolve function itself (met first).
      lines: add(
        'lines',
        new Promise(resolve => {
          const reader = new Connection();
          kept.push(reader);
          reader.on('line', (line: unknown) => resolve(line));
          reader.on('close', resolve);
        }),
      ),
      abort: add(
        'abort',
        new Promise(resolve =>
          signal.signal.addEventListener('abort', resolve),
        ),
      ),
      kept: add(
        'kept',
        new Promise<void>(resolve => {
          keepResolve = resolve;
        }),
      ),
      timer: add(
        'timer',
        new Promise(resolve => {
          t = setTimeout(resolve, 60_000);
        }),
      ),
      ran: add('ran', ran),
      notConstructed: add(
        'async',
        (async () => new Promise(() => {}))(),
        false,
      ),
      // Values of the program (a key, a property) that a waker must never show.
      secret: add(
        'secret',
        new Promise(resolve => {
          requests.set('token-hunter2', resolve);
          conn.setMaxListeners(11);
          (conn as unknown as {password: string}).password = 'hunter2';
        }),
      ),
      privateField: add(
        'privateField',
        new Promise<void>(resolve => vault.add(resolve)),
      ),
      first: add('first', waits[0]),
      second: add('second', waits[1]),
    };
    cleanup.push(
      () => clearTimeout(t),
      () => keepResolve?.(),
    );
    leaves.fetched.what = 'fetch() promise, never settled';
    searchThisProcess(subjects);
  }, 120_000);

  afterAll(() => {
    cleanup.forEach(f => f());
    cleanup = [];
    subjects.length = 0;
  });

  test('a promise nothing refers to the resolve functions of is orphaned', () => {
    expect(leaves.orphan.waker).toEqual({
      kind: 'none',
      what: 'nothing can settle it: its resolve and reject functions are gone (orphaned)',
    });
  });

  test("a once() listener: the event and the emitter's class (events.once: see the e2e tests)", () => {
    expect(leaves.listener.waker).toEqual({
      kind: 'event',
      what: "waits for 'data' on a Connection (an EventEmitter): not emitted since its listener was added",
      short: "waits for 'data' on a Connection",
    });
  });

  test('an AbortSignal', () => {
    expect(leaves.abort.waker).toEqual({
      kind: 'event',
      what: "waits for 'abort' on an AbortSignal: nothing aborted it",
      short: "waits for 'abort' on an AbortSignal",
    });
  });

  test("Node's fetch(): no response has come, and its AbortSignal's listener would only reject it (it does not wait for an abort)", () => {
    // The promise fetch() returns follows the one its response settles.
    expect(leaves.fetched.waker?.what).toBe(
      "its resolve function was called with another promise, which has not settled: no response has come: fetch() settles when its headers do; an 'abort' of its AbortSignal would reject it, and nothing aborted it",
    );
  });

  test("listeners of a value and of the end lead to one resolve function: the value's event is named, not 'close'", () => {
    expect(leaves.lines.waker).toMatchObject({
      kind: 'event',
      short: "waits for 'line' on a Connection",
    });
  });

  // The end-of-run list gives the waker's short form, which is data, not cut
  // from its text.
  test('an event named with a colon: the end-of-run list names it whole', () => {
    expect(leaves.colon.waker).toMatchObject({
      kind: 'event',
      short: "waits for 'db:ready' on a Connection",
    });
    const lines = summaryLines([
      {
        kind: DUMP_KIND,
        version: DUMP_VERSION,
        rootType: 'test',
        rootName: 'connects',
        rootFrame: null,
        testPath: 'test/a.test.ts',
        elapsedMs: 301,
        timeoutMs: 300,
        leaves: [leaves.colon],
        unrecorded: 0,
        waitsForDone: false,
      },
    ]);
    expect(lines.join('\n')).toContain(
      "promise, never settled: waits for 'db:ready' on a Connection",
    );
  });

  test('a resolve function kept by the program is not orphaned: where it is kept', () => {
    expect(leaves.kept.waker?.kind).not.toBe('none');
    expect(leaves.timer.waker).toMatchObject({kind: 'timer'});
    expect(leaves.timer.waker!.what).toMatch(
      /^settles when a setTimeout of 60000 ms fires \(in \d+\.\d s\)$/,
    );
  });

  test('a timer that already ran is not what settles it', () => {
    expect(leaves.ran.waker?.what ?? '').not.toMatch(/setTimeout/);
  });

  test("an async function's own promise has no resolve functions, and is not called orphaned for that", () => {
    expect(leaves.notConstructed.waker).toBeUndefined();
  });

  test('two branches, each holding the lock the other waits on: a deadlock', () => {
    for (const [mine, other] of [
      [leaves.first, 'second'],
      [leaves.second, 'first'],
    ] as const) {
      expect(mine.waker).toMatchObject({
        kind: 'object',
        deadlock: true,
        heldBy: [{name: other}],
      });
      expect(mine.waker!.what).toMatch(
        /^its resolve function is kept in Mutex\.waiters\[0\] \(class Mutex at test\/unit\/wakers\.test\.ts:\d+:\d+\)/,
      );
      // In the end-of-run list (a deadlock says so there instead).
      expect(mine.waker!.short).toBe('kept in Mutex.waiters[0]');
    }
    expect(leaves.timer.waker!.short).toBe(
      'settles when a setTimeout of 60000 ms fires',
    );
  });

  test('a private field is named as the program names it (#waiters), not left out', () => {
    expect(leaves.privateField.waker!.what).toMatch(
      /^its resolve function is kept in Vault\.#waiters\[0\] \(class Vault at test\/unit\/wakers\.test\.ts:\d+:\d+\)/,
    );
  });

  test('nothing from the program but names: no values', () => {
    expect(leaves.secret.waker).toMatchObject({kind: 'object'});
    expect(leaves.secret.waker!.what).toMatch(
      /^its resolve function is kept in RpcClient\.pending \(a Map\)/,
    );
    expect(
      JSON.stringify(Object.values(leaves).map(l => l.waker)),
    ).not.toContain('hunter2');
  });
});

describe('snapshots left by killed processes', () => {
  test("the directory of a process that no longer exists is removed; a live process's, this one's and any other name are kept", () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'taskdump-unit-'));
    try {
      const gone = spawnSync(process.execPath, [
        '-e',
        'process.stdout.write(String(process.pid))',
      ]).stdout.toString();
      const names = [
        `jest-taskdump-${gone}-aB3xYz`,
        `jest-taskdump-${process.pid}-aB3xYz`,
        `jest-taskdump-${process.ppid}-aB3xYz`,
        'jest-taskdump-aB3xYz',
        'jest-taskdump-12x-aB3xYz',
        'other-1-aB3xYz',
      ];
      for (const n of names) {
        fs.mkdirSync(path.join(tmp, n));
        fs.writeFileSync(path.join(tmp, n, 'dump.heapsnapshot'), '{}');
      }
      removeStaleSnapshots(tmp);
      expect(fs.readdirSync(tmp).sort()).toEqual(names.slice(1).sort());
    } finally {
      fs.rmSync(tmp, {recursive: true, force: true});
    }
  });

  test('a missing temporary directory is not an error', () => {
    expect(() =>
      removeStaleSnapshots(path.join(os.tmpdir(), 'taskdump-no-such-dir', 'x')),
    ).not.toThrow();
  });
});
