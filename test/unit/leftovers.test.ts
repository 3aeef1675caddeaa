import {spawn} from 'node:child_process';
import {once} from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import {Worker} from 'node:worker_threads';
import {createPositionMapper} from '../../src/core/callsites';
import {type Found, listLeftovers} from '../../src/core/leftover-list';
import {
  type Ledger,
  closeLedger,
  openLedger,
  tidyLedger,
} from '../../src/core/leftovers';
import {MAX_CHAIN} from '../../src/core/ledger-chains';
import {isCircus} from '../../src/core/machinery';
import {
  type Root,
  closeRoot,
  createRoot,
  enterRoot,
  leaveRoot,
  startRecording,
} from '../../src/core/record';
import {recordWatchers} from '../../src/core/watchers';
import {endRealm, realmOf} from '../../src/core/realms';

// The ledger and the list on their own (this file runs under plain
// jest-environment-node): real timers and handles, opened under Roots.
const sleep = (ms: number): Promise<void> =>
  new Promise(resolve => setTimeout(resolve, ms));

let stop: () => void;
let ledger: Ledger;
let root: Root;
const cleanups: Array<() => void> = [];

function list(
  owners: Map<Root, string> = new Map([[root, 'opens things']]),
  // The recorder's own frames (src/core here, dist/ when built) are never the
  // program's.
  isMachinery: (file: string) => boolean = f =>
    f.includes('node_modules') || f.includes(`${path.sep}src${path.sep}core`),
): Found[] {
  return listLeftovers(ledger.entries, {
    rootDir: process.cwd(),
    testPath: __filename,
    mapPosition: createPositionMapper(undefined),
    isMachinery,
    isRunner: isCircus,
    now: performance.now(),
    ownerOf: r =>
      owners.has(r) ? {rootType: 'test', rootName: owners.get(r)!} : undefined,
  });
}

/** Runs `open` under the Root, as a test body would. */
function under<T>(open: () => T): T {
  enterRoot(root);
  try {
    return open();
  } finally {
    leaveRoot(root);
  }
}

/**
 * A loop of an earlier file's code, started under the Root and stopped after
 * the test: `source` makes the function its first timer runs from a `state`
 * that it sets its next timer in (`state.last`) unless `state.stop`. Returns
 * its first timer.
 */
function startEarlierLoop(source: string, file: string): NodeJS.Timeout {
  const state: {stop: boolean; last?: NodeJS.Timeout} = {stop: false};
  const loop = vm.runInThisContext(source, {
    filename: path.join(process.cwd(), file),
  }) as (s: typeof state) => () => void;
  cleanups.push(() => {
    state.stop = true;
    clearTimeout(state.last);
  });
  return under(() => setTimeout(loop(state), 5));
}

/** A client reconnecting: each round's timer set from a tick of the last. */
const startLoop = (): NodeJS.Timeout =>
  startEarlierLoop(
    '(state => { const tick = () => process.nextTick(() => { if (!state.stop) state.last = setTimeout(tick, 5); }); return tick; })',
    'earlier.test.js',
  );

/**
 * A retry loop (p-retry's shape): each attempt, started by the last round's
 * timer, fails after an `await`, and the next round's timer is set where the
 * `await` resumed (its context is the reaction's promise, not a timer), the
 * third a minute on (a backoff).
 */
const startRetryLoop = (): NodeJS.Timeout =>
  startEarlierLoop(
    '(state => { let n = 0; const attempt = async () => { try { await new Promise((_, reject) => setImmediate(reject)); } catch { if (!state.stop) state.last = setTimeout(attempt, ++n < 3 ? 5 : 60000); } }; return attempt; })',
    'earlier-retry.test.js',
  );

const THIS_FILE = path.relative(process.cwd(), __filename);

beforeEach(() => {
  stop = startRecording({captureBurst: 100_000, capturesPerSecond: 0});
  ledger = openLedger();
  root = createRoot();
});

afterEach(() => {
  for (const c of cleanups.splice(0)) c();
  closeLedger(ledger);
  closeRoot(root);
  stop();
});

describe('the ledger', () => {
  test('keeps nothing while no test file is open; keeps immediates, which are never listed', () => {
    closeLedger(ledger);
    const timer = under(() => setTimeout(() => {}, 10));
    clearTimeout(timer);
    expect(ledger.entries).toHaveLength(0);
    ledger = openLedger();
    const immediate = under(() => setImmediate(() => {}));
    cleanups.push(() => clearImmediate(immediate));
    expect(ledger.entries.map(e => e.object)).toEqual([immediate]);
    // Pending, and still not listed: it runs at the next turn of the loop.
    expect(list()).toEqual([]);
  });

  test('a prune drops what closed, keeps what is open, and shortens a chain of timers set in callbacks to the first with a stack', async () => {
    const first = under(() => setTimeout(() => {}, 1));
    await sleep(5);
    // A poll that sets its next timer in the callback of the one before, with
    // no Root active (between tests): no stacks of their own. One of them is
    // pending at any time.
    let previous: NodeJS.Timeout = first;
    const chain: NodeJS.Timeout[] = [];
    for (let i = 0; i < 3000; i++) {
      // Noted by the recorder as made outside any Root; made in `previous`'s
      // callback, as a poll would.
      const t = setTimeout(() => {}, 60_000);
      const entry = ledger.entries[ledger.entries.length - 1];
      if (i === 0)
        expect([entry.object === t, entry.at, entry.root]).toEqual([
          true,
          undefined,
          null,
        ]);
      entry.context = previous;
      if (previous !== first) clearTimeout(previous);
      previous = t;
      chain.push(t);
    }
    const last = previous;
    cleanups.push(() => clearTimeout(last));
    for (let i = 0; i < 2000; i++) clearTimeout(setTimeout(() => {}, 1));
    expect(ledger.entries.length).toBeLessThan(1024);
    // (Jest's own timers, such as this test's timeout, are in it too.)
    const ours = new Set<object>([first, ...chain]);
    const kept = ledger.entries.filter(e => ours.has(e.object));
    expect(kept.map(e => e.object)).toEqual([first, last]);
    expect(kept[1].context).toBe(first);
  });
});

describe('listLeftovers', () => {
  test("a timer made in a process.nextTick callback of a timer the file opened is traced through it; one of a timer an earlier file left open is not this file's", async () => {
    let made: NodeJS.Timeout | undefined;
    const first = under(() =>
      setTimeout(
        () =>
          process.nextTick(() => {
            // No Root active: no stack of its own, made in a TickObject.
            made = setTimeout(() => {}, 60_000);
          }),
        1,
      ),
    );
    await sleep(20);
    cleanups.push(() => clearTimeout(made));
    const found = list();
    const ours = found.find(f => f.object === made)?.leftover;
    expect(ours).toMatchObject({rootType: 'test', rootName: 'opens things'});
    // Through the first timer's callback, from where this file set it.
    expect(ours?.path.map(f => f.name)).toContain('setTimeout callback');
    expect(ours?.path[0].file).toBe(THIS_FILE);
    clearTimeout(first);

    // The same, from a timer an earlier file left open, while this file's
    // test runs: that file's (its code is that file's).
    let theirs: NodeJS.Timeout | undefined;
    const again = vm.runInThisContext(
      '(set => () => process.nextTick(() => set(setTimeout(() => {}, 60000))))',
      {filename: path.join(process.cwd(), 'earlier.test.js')},
    ) as (set: (t: NodeJS.Timeout) => void) => () => void;
    const left = under(() =>
      setTimeout(
        again(t => (theirs = t)),
        10,
      ),
    );
    enterRoot(root);
    closeLedger(ledger, [left]);
    ledger = openLedger();
    await sleep(30);
    leaveRoot(root);
    cleanups.push(() => clearTimeout(theirs));
    expect(theirs).toBeDefined();
    expect(list().find(f => f.object === theirs)).toBeUndefined();
  });

  test("what a leftover makes after its file listed it, before the file closed, is that file's too", async () => {
    const first = startLoop();
    // Listed when it was pending; it fired, and set the next, before the
    // file closed.
    await sleep(20);
    closeLedger(ledger, [first]);
    ledger = openLedger();
    enterRoot(root);
    await sleep(40);
    leaveRoot(root);
    expect(list().map(f => f.object)).toEqual([]);
  });

  test('a delay given with a fraction is listed in whole milliseconds', () => {
    const timer = under(() => setTimeout(() => {}, 60_000.4));
    cleanups.push(() => clearTimeout(timer));
    expect(
      list()
        .filter(f => f.object === timer)
        .map(f => f.leftover.what),
    ).toEqual([expect.stringMatching(/^setTimeout 60000 ms, fires in /)]);
  });

  test("a loop an earlier file left running is not a later file's, file after file", async () => {
    const first = startLoop();
    // The first file lists it; the two after it run while it goes on, and
    // so do the moments between files, when no ledger is open.
    closeLedger(ledger, [first]);
    for (const file of ['second', 'third']) {
      await sleep(30);
      ledger = openLedger();
      enterRoot(root);
      await sleep(40);
      leaveRoot(root);
      expect([file, list().map(f => f.object)]).toEqual([file, []]);
      closeLedger(ledger, []);
    }
    ledger = openLedger();
  });

  test("a retry loop an earlier file left running, whose timers are set where an await resumed, is not a later file's", async () => {
    const first = startRetryLoop();
    closeLedger(ledger, [first]);
    for (const file of ['second', 'third']) {
      ledger = openLedger();
      enterRoot(root);
      await sleep(40);
      leaveRoot(root);
      expect([file, list().map(f => f.object)]).toEqual([file, []]);
      closeLedger(ledger, []);
    }
    ledger = openLedger();
  });

  test("a timer set in the reaction of a promise made while no test ran is not the running test's", async () => {
    // An attempt begun between files (an earlier file's retry loop): its
    // `.then` made while no Root was active, its reaction run, and the next
    // timer set, while this test runs.
    let release: () => void = () => {};
    const state: {timer?: NodeJS.Timeout} = {};
    const gate = new Promise<void>(r => (release = r));
    // The attempt's code is a library's, not this file's.
    const attempt = vm.runInThisContext(
      '(state => () => { state.timer = setTimeout(() => {}, 60000); })',
      {filename: path.join(process.cwd(), 'earlier-gate.js')},
    ) as (s: typeof state) => () => void;
    void gate.then(attempt(state));
    cleanups.push(() => clearTimeout(state.timer));
    enterRoot(root);
    release();
    await sleep(10);
    leaveRoot(root);
    expect(state.timer).toBeDefined();
    expect(list().map(f => f.object)).toEqual([]);
    // The same code, its `.then` made under the Root: the test's.
    const own: {timer?: NodeJS.Timeout} = {};
    enterRoot(root);
    await Promise.resolve().then(attempt(own));
    leaveRoot(root);
    cleanups.push(() => clearTimeout(own.timer));
    expect(list().map(f => f.object)).toEqual([own.timer]);
  });

  test("a timer whose callback is an ended file's code is not the running test's, however its chain reached it", async () => {
    // ioredis's reconnect loop: its timer, set while an earlier file ran,
    // dials from a `process.nextTick`; the refused socket's 'close'
    // listener sets the next timer. No chain leads from that timer to the
    // earlier file: the tick's trigger was never recorded.
    const realm = vm.createContext({});
    endRealm(realmOf(() => vm.runInContext('({})', realm)));
    const client = (callback: () => () => void) => {
      const make = vm.runInThisContext(
        `(net, state, reconnect) => () => process.nextTick(() => {
          const socket = net.connect(1, '127.0.0.1');
          socket.on('error', () => {});
          socket.once('close', () => {
            state.timer = setTimeout(reconnect(), 60000);
            state.closed();
          });
        })`,
        {filename: path.join(process.cwd(), 'earlier-client.js')},
      ) as (
        n: typeof net,
        s: {timer?: NodeJS.Timeout; closed: () => void},
        r: () => () => void,
      ) => () => void;
      let closed: () => void = () => {};
      const state: {timer?: NodeJS.Timeout; closed: () => void} = {
        closed: () => closed(),
      };
      cleanups.push(() => clearTimeout(state.timer));
      const done = new Promise<void>(r => (closed = r));
      return {state, done, start: make(net, state, callback)};
    };
    const run = async (callback: () => () => void) => {
      const {state, done, start} = client(callback);
      // Set while the earlier file ran (its ledger), not under a Root.
      setTimeout(start, 5);
      closeLedger(ledger, []);
      ledger = openLedger();
      enterRoot(root);
      await done;
      leaveRoot(root);
      return state.timer;
    };
    // The same loop with this file's code is the running test's.
    const own = await run(() => () => {});
    expect(list().map(f => f.object)).toContain(own);
    const earlier = await run(
      vm.runInContext('(() => () => {})', realm) as () => () => void,
    );
    expect(earlier).toBeDefined();
    expect(list().map(f => f.object)).not.toContain(earlier);
  }, 10_000);

  test('an interval, a pending timeout and a listening server are listed with their Root and where they were opened', async () => {
    const [interval, timeout, server] = under(() => [
      setInterval(() => {}, 1000),
      setTimeout(() => {}, 60_000),
      net.createServer().listen(0, '127.0.0.1'),
    ]);
    cleanups.push(() => {
      clearInterval(interval);
      clearTimeout(timeout);
      server.close();
    });
    await once(server, 'listening');
    const found = list();
    expect(found.map(f => f.leftover.kind)).toEqual([
      'timer',
      'timer',
      'server',
    ]);
    const [i, t, s] = found.map(f => f.leftover);
    expect(i.what).toBe('setInterval every 1000 ms, still active');
    expect(i.keepsAlive).toBe(true);
    expect(t.what).toMatch(/^setTimeout 60000 ms, fires in \d+\.\d s$/);
    expect(t.keepsAlive).toBe('until-fired');
    expect(t.firesInMs).toBeGreaterThan(50_000);
    expect(s.what).toMatch(
      /^server listening on 127\.0\.0\.1:\d+, no connection open$/,
    );
    expect(s.keepsAlive).toBe(true);
    for (const l of found.map(f => f.leftover)) {
      expect(l).toMatchObject({
        rootType: 'test',
        rootName: 'opens things',
        detached: false,
      });
      // From the body (this file, reached from circus) to the opening call.
      expect(l.createdAt?.file).toBe(THIS_FILE);
      expect(l.path[l.path.length - 1]).toBe(l.createdAt);
    }
    expect(found.every(f => f.root === root)).toBe(true);
  });

  test("what was closed, unref'd, or opened by a Root of no test is not listed", async () => {
    const other = createRoot();
    const [cleared, unrefd, ended, otherTimer] = under(() => {
      const c = setTimeout(() => {}, 60_000);
      clearTimeout(c);
      return [
        c,
        setInterval(() => {}, 1000).unref(),
        setTimeout(() => {}, 1),
        setTimeout(() => {}, 0),
      ];
    });
    enterRoot(other);
    const theirs = setInterval(() => {}, 1000);
    leaveRoot(other);
    cleanups.push(() => {
      clearInterval(unrefd);
      clearInterval(theirs);
      closeRoot(other);
    });
    await sleep(10);
    void [cleared, ended, otherTimer];
    expect(list()).toEqual([]);
  });

  test("Jest's own (no frame of the program on its stack) is not listed", () => {
    const timer = under(() => setInterval(() => {}, 1000));
    cleanups.push(() => clearInterval(timer));
    expect(list()).toHaveLength(1);
    expect(list(undefined, f => f === __filename || f.includes('src'))).toEqual(
      [],
    );
  });

  test('a timer set in the callback of a timer the test set, after the test, is traced through it', async () => {
    let inner: NodeJS.Timeout | undefined;
    under(() =>
      setTimeout(() => {
        inner = setInterval(() => {}, 1000);
      }, 1),
    );
    await sleep(20);
    cleanups.push(() => clearInterval(inner));
    const found = list();
    expect(found).toHaveLength(1);
    const l = found[0].leftover;
    expect(l.what).toBe('setInterval every 1000 ms, still active');
    expect(found[0].root).toBe(root);
    // No Root was active in the callback: no stack of its own was taken. It
    // hangs under where the timer that called back was set.
    const names = l.path.map(f => f.name);
    expect(names[names.length - 1]).toBe('setTimeout callback');
    expect(names[names.length - 2]).toBe('<anonymous>');
    expect(l.path[l.path.length - 2].file).toBe(THIS_FILE);
    expect(l.createdAt).toBe(null);
  });

  test("a timer set in the callback of a library's `.then()` is traced through the `.then()` call", async () => {
    // A rate limiter's queue: the call it makes fails, and its rejection
    // callback sets the timer of the next try. The callback's stack starts in
    // the microtask; the `.then()` it ran for was recorded where it was made.
    const state: {timer?: NodeJS.Timeout} = {};
    const removeTokens = vm.runInThisContext(
      `(state => new Promise(resolve => {
        Promise.reject(new Error('busy')).then(resolve, () => {
          state.timer = setTimeout(() => {}, 60000);
        });
      }))`,
      {filename: path.join(process.cwd(), 'limiter.js')},
    ) as (s: typeof state) => Promise<void>;
    enterRoot(root);
    void removeTokens(state);
    await sleep(5);
    leaveRoot(root);
    cleanups.push(() => clearTimeout(state.timer));
    const found = list();
    expect(found.map(f => f.object)).toEqual([state.timer]);
    const l = found[0].leftover;
    expect(l.detached).toBe(false);
    const names = l.path.map(f => `${f.name} ${f.file}:${f.line}`);
    expect(names.slice(-3)).toEqual([
      '<anonymous> limiter.js:2',
      '.then callback limiter.js:2',
      '<anonymous> limiter.js:3',
    ]);
    expect(l.path.some(f => f.file === THIS_FILE)).toBe(true);
  });

  test("a retry loop whose test ended, going on while the next test runs, is still the first test's", async () => {
    // The first test timed out with its loop sleeping; each next sleep is set
    // where an `await` resumed, while the second test runs (its Root active).
    const first = createRoot();
    const second = createRoot();
    const state: {stop: boolean; timer?: NodeJS.Timeout} = {stop: false};
    cleanups.push(() => {
      state.stop = true;
      clearTimeout(state.timer);
      closeRoot(second);
    });
    const retry = vm.runInThisContext(
      `(state => async () => {
        for (let n = 0; !state.stop; n++)
          await new Promise(resolve => {
            state.timer = setTimeout(resolve, n === 0 ? 10 : 60000);
          });
      })`,
      {filename: path.join(process.cwd(), 'retrying.js')},
    ) as (s: typeof state) => () => Promise<void>;
    enterRoot(first);
    void retry(state)();
    leaveRoot(first);
    closeRoot(first);
    enterRoot(second);
    await sleep(50);
    leaveRoot(second);
    const found = list(
      new Map([
        [first, 'retries'],
        [second, 'runs next'],
      ]),
    );
    expect(found.map(f => f.object)).toEqual([state.timer]);
    expect(found[0].root).toBe(first);
  });

  test("a loop its test left running, for more rounds under the next test than a prune follows back, is still the first test's", async () => {
    // Each round's timer is set in the last round's callback while the
    // second test runs (its Root active, so each has a stack of its own), a
    // reconnect loop's shape. The ledger is tidied as each test ends.
    const first = createRoot();
    const second = createRoot();
    const state: {stop: boolean; last?: NodeJS.Timeout; rounds: number} = {
      stop: false,
      rounds: 0,
    };
    cleanups.push(() => {
      state.stop = true;
      clearTimeout(state.last);
      closeRoot(second);
    });
    const tick = (): void => {
      if (state.stop) return;
      state.rounds++;
      state.last = setTimeout(tick, state.rounds < 3 * MAX_CHAIN ? 0 : 60_000);
    };
    enterRoot(first);
    state.last = setTimeout(tick, 0);
    leaveRoot(first);
    closeRoot(first);
    tidyLedger(ledger);
    enterRoot(second);
    while (state.rounds < 3 * MAX_CHAIN) await sleep(5);
    leaveRoot(second);
    tidyLedger(ledger);
    const owners = new Map([
      [first, 'leaves a loop running'],
      [second, 'runs next'],
    ]);
    const found = list(owners);
    expect(found.map(f => f.object)).toEqual([state.last]);
    expect(owners.get(found[0].root)).toBe('leaves a loop running');
    // Traced to the line in the first test that started it, each round's
    // callback not repeated.
    expect(found[0].leftover.path.map(f => f.name)).toEqual([
      '<anonymous>',
      'setTimeout callback',
      'tick',
    ]);
    expect(found[0].leftover.path[0].file).toBe(THIS_FILE);
  });

  test('a timer set in a setImmediate callback of the test is traced through it', async () => {
    let inner: NodeJS.Timeout | undefined;
    under(() =>
      setImmediate(() => {
        inner = setTimeout(() => {}, 60_000);
      }),
    );
    await sleep(5);
    cleanups.push(() => clearTimeout(inner));
    const found = list();
    expect(found).toHaveLength(1);
    const l = found[0].leftover;
    expect(found[0].root).toBe(root);
    const names = l.path.map(f => f.name);
    expect(names[names.length - 1]).toBe('setImmediate callback');
    expect(l.path[l.path.length - 1].file).toBe(THIS_FILE);
  });

  test("a timer set in a socket's 'connect' callback is traced through the socket (the callback runs with the connect request, which Node links to nothing)", async () => {
    // A server that accepts and says nothing, opened outside the Root.
    const server = net.createServer(() => {}).listen(0, '127.0.0.1');
    await once(server, 'listening');
    const {port} = server.address() as net.AddressInfo;
    let inner: NodeJS.Timeout | undefined;
    const socket = under(() =>
      net.connect(port, '127.0.0.1', () => {
        inner = setTimeout(() => {}, 60_000);
      }),
    );
    cleanups.push(() => {
      clearTimeout(inner);
      socket.destroy();
      server.close();
    });
    await once(socket, 'connect');
    await sleep(5);
    const found = list();
    const timer = found.find(f => f.leftover.kind === 'timer')?.leftover;
    expect(timer).toBeDefined();
    expect(timer!.detached).toBe(false);
    expect(timer!.path.map(f => f.name)).toContain('socket event');
    expect(timer!.path[0].file).toBe(THIS_FILE);
  });

  test('a timer over the capture budget is listed under its Root, position unknown', () => {
    stop();
    stop = startRecording({captureBurst: 0, capturesPerSecond: 0});
    const timer = under(() => setInterval(() => {}, 1000));
    cleanups.push(() => clearInterval(timer));
    const found = list();
    expect(found.map(f => f.leftover)).toEqual([
      expect.objectContaining({
        what: 'setInterval every 1000 ms, still active',
        path: [],
        createdAt: null,
        detached: true,
      }),
    ]);
  });

  test('a child process is listed with the shape of its command; an unref one with no pipes is not', async () => {
    const [kept, unrefd] = under(() => [
      spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)', '--', 'x']),
      spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)'], {
        stdio: 'ignore',
      }),
    ]);
    unrefd.unref();
    cleanups.push(() => {
      kept.kill();
      unrefd.kill();
    });
    await Promise.all([once(kept, 'spawn'), once(unrefd, 'spawn')]);
    const found = list();
    expect(found.map(f => f.leftover.what)).toEqual([
      `child process node -e … -- … (pid ${kept.pid}), still running`,
    ]);
    expect(found[0].leftover.keepsAlive).toBe(true);
  });

  test("a worker thread is listed while it runs, with its event loop's share idle; an unref'd or terminated one is not", async () => {
    const [kept, unrefd, ended] = under(() =>
      ['setInterval(() => {}, 1000)', 'setInterval(() => {}, 1000)', '0'].map(
        code => new Worker(code, {eval: true}),
      ),
    );
    unrefd.unref();
    // Terminated here, each once online (or exited), and awaited: a thread
    // torn down while it starts, or as the next test file begins, is what
    // Node's own worker bugs are made of (nodejs/node#56312).
    await Promise.all([
      once(kept, 'online'),
      once(unrefd, 'online'),
      once(ended, 'exit'),
    ]);
    try {
      const found = list();
      expect(found.map(f => f.leftover.what)).toEqual([
        expect.stringMatching(
          new RegExp(
            `^worker thread ${kept.threadId}, running: its event loop idle \\d+% of the [\\d.]+ m?s since it started(; the rest of the time it ran code or was blocked in a synchronous call)?$`,
          ),
        ),
      ]);
      expect(found[0].leftover.keepsAlive).toBe(true);
      expect(found[0].leftover.kind).toBe('worker');
    } finally {
      await Promise.all([kept.terminate(), unrefd.terminate()]);
    }
  });

  test('a file watcher is listed while it is open', () => {
    const stopWatchers = recordWatchers();
    cleanups.push(stopWatchers);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'taskdump-watch-'));
    cleanups.push(() => fs.rmSync(dir, {recursive: true, force: true}));
    const watcher = under(() => fs.watch(dir));
    expect(list().map(f => f.leftover.what)).toEqual([
      'fs.watch() watcher, open',
    ]);
    watcher.close();
    expect(list()).toEqual([]);
  });

  test('watchers are recorded through an accessor on the prototype, gone once recording stops', () => {
    const protoOf = (): object => {
      const w = fs.watch(os.tmpdir());
      w.close();
      return Object.getPrototypeOf(w);
    };
    const stopWatchers = recordWatchers();
    const during = Object.getOwnPropertyDescriptor(protoOf(), '_handle');
    stopWatchers();
    expect(typeof during?.set).toBe('function');
    expect(Object.getOwnPropertyDescriptor(protoOf(), '_handle')).toBe(
      undefined,
    );
  });

  test('recording started again, as for the next test file of a process, still sees both kinds of watcher (the prototypes are found once)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'taskdump-watch-'));
    cleanups.push(() => fs.rmSync(dir, {recursive: true, force: true}));
    const file = path.join(dir, 'watched');
    fs.writeFileSync(file, '');
    const listener = (): void => {};
    for (let round = 0; round < 2; round++) {
      const stopWatchers = recordWatchers();
      const watcher = under(() => fs.watch(dir));
      under(() => fs.watchFile(file, listener));
      expect(list().map(f => f.leftover.what)).toEqual([
        'fs.watch() watcher, open',
        expect.stringContaining('fs.watchFile()'),
      ]);
      watcher.close();
      fs.unwatchFile(file, listener);
      stopWatchers();
      expect(list()).toEqual([]);
    }
  });
});
