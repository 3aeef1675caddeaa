import {EventEmitter, once} from 'node:events';
import {createServer} from 'node:http';
import {Readable} from 'node:stream';
import {ReadableStream} from 'node:stream/web';
import {setTimeout as sleepFor} from 'node:timers/promises';
import {runBody} from './runner-stub';
import {ChainLock} from './chain-lock';

// Where a hung body waits, read from the recorded wait graph: every shape
// here drew a wrong tree before the graph was recorded (where the promise was
// made instead of where it is awaited, a split combinator, a branch counted
// twice, or nothing at all).

function defer<T>(): {promise: Promise<T>; resolve: (v: T) => void} {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>(r => (resolve = r));
  return {promise, resolve};
}
const never = (): Promise<void> => new Promise<void>(() => {});

/**
 * The line (as V8 runs this file, as dumps in these tests show it) it is called
 * from.
 */
function callerLine(): number {
  const prepare = Error.prepareStackTrace;
  Error.prepareStackTrace = (_, sites) => sites;
  try {
    const sites = new Error().stack as unknown as NodeJS.CallSite[];
    return sites[1].getLineNumber() ?? 0;
  } finally {
    Error.prepareStackTrace = prepare;
  }
}
/** Runs `body` with the port of a local HTTP server that never answers. */
async function withSilentServer(
  body: (port: number) => Promise<void>,
): Promise<void> {
  const server = createServer(() => {});
  await new Promise<void>(done => server.listen(0, '127.0.0.1', done));
  try {
    await body((server.address() as {port: number}).port);
  } finally {
    server.closeAllConnections();
    server.close();
  }
}
function sleep(ms: number): Promise<void> {
  return new Promise(r => setTimeout(r, ms).unref());
}

describe('where it waits, not only where it was made', () => {
  test('a deferred awaited a few lines after it is made: the await line, and the call that made it under it', async () => {
    const {tree} = await runBody(async () => {
      const d = defer<void>();
      new EventEmitter().emit('nobody listens');
      await d.promise;
    });
    expect(tree).toEqual([
      '╼ test "body"',
      '└╼ defer',
      '   ⏸ promise, never settled',
    ]);
  });

  test('a ready-promise made in a constructor and awaited three calls down', async () => {
    class Client {
      readonly ready: Promise<void>;
      constructor() {
        this.ready = new Promise<void>(() => {});
      }
      async query(): Promise<number> {
        await this.ready;
        return 1;
      }
    }
    async function service(c: Client): Promise<number> {
      return await c.query();
    }
    async function handler(c: Client): Promise<number> {
      return service(c);
    }
    const {tree} = await runBody(async () => {
      const c = new Client();
      await handler(c);
    });
    expect(tree).toEqual([
      '╼ test "body"',
      '└╼ handler',
      '   └╼ service',
      '      └╼ query',
      '         ⏸ promise, never settled; created in Client',
    ]);
  });

  test('create the wait, emit, then await it', async () => {
    const {tree} = await runBody(async () => {
      const em = new EventEmitter();
      const ready = once(em, 'ready');
      em.emit('other');
      await ready;
    });
    expect(tree).toEqual([
      '╼ test "body"',
      '⏸ events.once() promise, never settled; created',
    ]);
  });
});

describe('where the test waits through Jest and libraries', () => {
  test('await expect(p).resolves: the test line, through expect', async () => {
    let awaitLine = 0;
    const {tree, dump} = await runBody(async () => {
      const config = never();
      awaitLine = callerLine();
      await expect(config).resolves.toBeUndefined();
    });
    expect(tree).toEqual([
      '╼ test "body"',
      '⏸ promise, never settled; created in never',
    ]);
    // The body waits at its await (one line after the one that read it).
    expect(dump.rootFrame!.line).toBe(awaitLine + 1);
  });
});

describe('chains without async functions', () => {
  test('a body returning a .then() chain: the callback that made the leaf', async () => {
    const {tree} = await runBody(() =>
      sleep(1)
        .then(() => never())
        .then(() => 1),
    );
    expect(tree).toEqual([
      '╼ test "body"',
      '└╼ <anonymous>',
      '   └╼ never',
      '      ⏸ promise, never settled',
    ]);
  });

  // A `.then()` on what a library returned, `.catch()` of its own promise
  // (Node's fetch() returns one), its callback setting a timer: both
  // subscriptions are the first in their run, so both keep a short stack
  // (record/hooks.ts), and neither reaches the executor that made the test's
  // promise. The walk goes on in the stack of the promise below them.
  test("a timer set in the .then() callback of a library's .catch() of its own promise, made in an executor: under the executor's promise", async () => {
    const library = (): Promise<void> =>
      sleepFor(1, undefined, {ref: false}).catch(e => {
        throw e;
      });
    const {tree} = await runBody(async () => {
      await sleep(1);
      await new Promise<void>(() => {
        const attempt = (): void => {
          const start = (): void => {
            void library().then(() => {
              setTimeout(() => {}, 60_000).unref();
            });
          };
          start();
        };
        attempt();
      });
    });
    expect(tree).toEqual([
      '╼ test "body"',
      '⏸ promise, never settled; it waits on:',
      '└╼ <anonymous>',
      '   └╼ attempt',
      '      └╼ start',
      '         └╼ .then callback',
      '            └╼ <anonymous>',
      '               ⏲ setTimeout 60000 ms; the test timeout is 30 ms',
    ]);
  });

  test('a thenable awaited: what its then() started', async () => {
    const thenable = {
      then(resolve: (v: unknown) => void): unknown {
        return never().then(resolve);
      },
    };
    const {tree} = await runBody(async () => {
      await thenable;
    });
    expect(tree).toEqual([
      '╼ test "body"',
      '└╼ then of a thenable',
      '   └╼ then',
      '      └╼ never',
      '         ⏸ promise, never settled',
    ]);
  });

  test("a query builder's then() (knex's shape): through the builder's then to the pool's wait", async () => {
    class Pool {
      acquire(): Promise<void> {
        return never();
      }
    }
    class Runner {
      constructor(private readonly pool: Pool) {}
      async run(): Promise<unknown[]> {
        await this.pool.acquire();
        return [];
      }
    }
    class Builder {
      constructor(private readonly pool: Pool) {}
      where(): this {
        return this;
      }
      then<T>(onF?: (v: unknown[]) => T, onR?: (e: unknown) => T): Promise<T> {
        return new Runner(this.pool).run().then(onF, onR);
      }
    }
    const pool = new Pool();
    const {tree} = await runBody(async () => {
      await new Builder(pool).where();
    });
    expect(tree).toEqual([
      '╼ test "body"',
      '└╼ then of a thenable',
      '   └╼ then',
      '      └╼ run',
      '         └╼ acquire',
      '            └╼ never',
      '               ⏸ promise, never settled',
    ]);
  });

  test("a request's then() over a callback API (supertest's shape): its promise, and what the callback waits on", async () => {
    class Request {
      end(cb: (err: unknown) => void): this {
        void never().then(() => cb(null));
        return this;
      }
      then<T>(onF?: (v: unknown) => T, onR?: (e: unknown) => T): Promise<T> {
        return new Promise((resolve, reject) =>
          this.end(err => (err ? reject(err) : resolve(undefined))),
        ).then(onF, onR);
      }
    }
    const {tree} = await runBody(async () => {
      await new Request();
    });
    expect(tree).toEqual([
      '╼ test "body"',
      '└╼ then of a thenable',
      '   └╼ then',
      '      ⏸ promise, never settled; it waits on:',
      '      └╼ <anonymous>',
      '         └╼ end',
      '            └╼ never',
      '               ⏸ promise, never settled',
    ]);
  });

  // mobx's when(): `new Promise(…).finally(…)` returned through two plain
  // functions. The `.finally()`, made in the run that made the promise,
  // keeps five frames, none of them the body's: the promise's own stack
  // goes on through the same callers.
  test("a library's new Promise(…).finally(…) returned through two functions: both drawn", async () => {
    function whenDone(): Promise<void> {
      return new Promise<void>(() => {}).finally(() => {});
    }
    function when(): Promise<void> {
      return whenDone();
    }
    const {tree} = await runBody(async () => {
      await when();
    });
    expect(tree).toEqual([
      '╼ test "body"',
      '└╼ when',
      '   └╼ whenDone',
      '      ⏸ promise, never settled',
    ]);
  });

  test('an async function returning a new Promise: the function, then the promise', async () => {
    async function f(): Promise<void> {
      return new Promise<void>(() => {});
    }
    const {tree} = await runBody(async () => {
      await f();
    });
    expect(tree).toEqual([
      '╼ test "body"',
      '└╼ f',
      '   ⏸ promise, never settled',
    ]);
  });
});

describe('promises that wait on themselves', () => {
  // A lock made of a promise chain, entered again from inside its own task:
  // the inner task's .then() waits on the outer one's .catch(), which waits
  // on the outer task, which awaits the inner one. No leaf: the dump said
  // that nothing was pending.

  test('a promise-chain lock re-entered from its own task: a deadlock, each link named', async () => {
    const {dump, tree} = await runBody(async () => {
      const lock = new ChainLock();
      await lock.run(async () => {
        await lock.run(async () => 1);
      });
    });
    expect(dump.leaves).toHaveLength(1);
    expect(dump.leaves[0].waker?.deadlock).toBe(true);
    expect(tree[0]).toBe('╼ test "body"');
    expect(tree[1]).toBe('⏸ promise, never settled; created in run');
    expect(tree.slice(2).join(' ').replace(/\s+/g, ' ')).toMatch(
      /^ ?↳ it waits on itself, a deadlock: it waits on the call of <anonymous> \(\S+\), which waits on an await in <anonymous>, which waits on a \.then\(\) in run, which waits on a \.catch\(\) in run, which waits on this promise$/,
    );
  });
});

describe('a promise over an idle server', () => {
  // A hook's `new Promise` that starts a server and never resolves in the
  // listen callback: the server listens, idle; it is not what the promise
  // waits for. The dump said "nothing stuck".
  test('a listen() callback that forgets resolve: the promise is the stuck branch, the server idle', async () => {
    let server: ReturnType<typeof createServer> | undefined;
    try {
      const {dump} = await runBody(
        () =>
          new Promise<void>(() => {
            server = createServer(() => {});
            server.listen(0, '127.0.0.1', () => {});
          }),
        100,
      );
      const promise = dump.leaves.find(l => l.kind === 'promise');
      const listening = dump.leaves.find(l => l.kind === 'server');
      expect(listening?.idle).toBe(true);
      expect(promise?.waiting).toBeUndefined();
    } finally {
      server?.close();
    }
  });
});

describe('a race of nothing', () => {
  // A race of a list that came out empty never settles, and nothing is
  // below it: the dump said that nothing was pending.
  test('an empty Promise.race: a leaf that says it races no input', async () => {
    const {dump, tree} = await runBody(async () => {
      const requests: Array<Promise<unknown>> = [];
      await Promise.race(requests);
    });
    expect(dump.leaves).toHaveLength(1);
    expect(tree).toEqual([
      '╼ test "body"',
      '⏸ Promise.race() promise, never settled',
      '  ↳ it races no input: a Promise.race() of an empty list never settles',
    ]);
  });
});

describe('long chains', () => {
  // `items.reduce((p, x) => p.then(() => work(x)), start)` over thousands
  // of items, the third step hanging: the walk up the chain took a
  // recursion per link, and the dump failed (a stack overflow).
  test('a reduce chain of 5000 .then()s whose third step hangs: the leaf, under the test', async () => {
    const work = (x: number): Promise<unknown> =>
      x === 3 ? new Promise(() => {}) : Promise.resolve(x);
    const items = Array.from({length: 5000}, (_, i) => i);
    const {dump} = await runBody(async () => {
      await items.reduce<Promise<unknown>>(
        (p, x) => p.then(() => work(x)),
        Promise.resolve(),
      );
    });
    expect(dump.leaves).toHaveLength(1);
    expect(dump.leaves[0]).toMatchObject({
      kind: 'promise',
      detached: false,
    });
    expect(dump.leaves[0].path.map(f => f.name)).toContain('work');
  });
});

describe('combinators', () => {
  // Node's promises are of the realm outside the test's vm context: the
  // combinator wraps each (it is a thenable to it) and subscribes to the
  // wrapper, which adopts the input later, in a job of V8's.
  test('Promise.all of thenables and a promise: each input at its index, through its then()', async () => {
    class Query {
      then<T>(onF?: (v: unknown) => T, onR?: (e: unknown) => T): Promise<T> {
        return never().then(onF, onR);
      }
    }
    const {tree} = await runBody(async () => {
      await Promise.all([new Query(), never(), new Query()]);
    });
    expect(tree).toEqual([
      '╼ test "body"',
      '└╼ Promise.all',
      '   ├╼ [0] then',
      '   │  └╼ never',
      '   │     ⏸ promise, never settled',
      '   ├╼ [1] never',
      '   │  ⏸ promise, never settled',
      '   └╼ [2] then',
      '      └╼ never',
      '         ⏸ promise, never settled',
    ]);
  });

  test("Promise.all of Node's own promises and the test's: each input at its index", async () => {
    const ac = new AbortController();
    try {
      const {tree, dump} = await runBody(async () => {
        await Promise.all([
          once(new EventEmitter(), 'ready'),
          sleepFor(100_000, undefined, {signal: ac.signal}),
          never(),
        ]);
      });
      expect(tree).toEqual([
        '╼ test "body"',
        '└╼ Promise.all',
        '   ├╼ [0] <anonymous>',
        '   │  ⏸ events.once() promise, never settled',
        '   ├╼ [1] <anonymous>',
        '   │  ⏲ timers/promises setTimeout 100000 ms; the test timeout is 30 ms',
        '   └╼ [2] never',
        '      ⏸ promise, never settled',
      ]);
      expect(dump.leaves).toHaveLength(3);
    } finally {
      ac.abort();
    }
  });

  test('Promise.all of a Promise.race: each input once, with its index', async () => {
    const {tree, dump} = await runBody(async () => {
      await Promise.all([Promise.race([never(), never()]), never()]);
    });
    expect(tree).toEqual([
      '╼ test "body"',
      '└╼ Promise.all',
      '   ├╼ [0] Promise.race',
      '   │  └╼ [0–1] 2× never',
      '   │     ⏸ promise, never settled',
      '   └╼ [1] never',
      '      ⏸ promise, never settled',
    ]);
    expect(dump.leaves).toHaveLength(3);
  });

  test('the .finally() of a combinator as an input of another', async () => {
    const {tree} = await runBody(async () => {
      await Promise.allSettled([
        Promise.all([never()]).finally(() => {}),
        sleep(1),
      ]);
    });
    expect(tree).toEqual([
      '╼ test "body"',
      '└╼ Promise.allSettled',
      '   └╼ [0] Promise.all',
      '      └╼ [0] never',
      '         ⏸ promise, never settled',
    ]);
  });

  test('inputs of a race that resumed before they hung', async () => {
    async function a(): Promise<void> {
      await null;
      await never();
    }
    const {tree} = await runBody(async () => {
      await Promise.race([a(), a()]);
    });
    expect(tree).toEqual([
      '╼ test "body"',
      '└╼ Promise.race',
      '   └╼ [0–1] 2× a',
      '      └╼ never',
      '         ⏸ promise, never settled',
    ]);
  });

  test('a one-input Promise.all of a call that resumed', async () => {
    async function later(): Promise<void> {
      await null;
      await never();
    }
    const {tree} = await runBody(async () => {
      await Promise.all([later()]);
    });
    expect(tree).toEqual([
      '╼ test "body"',
      '└╼ Promise.all',
      '   └╼ [0] later',
      '      └╼ never',
      '         ⏸ promise, never settled',
    ]);
  });
});

describe('no false statements', () => {
  // Node's fetch() runs in Node's own async functions: the frames that made
  // its promises and socket are Node's, and one of them returns a promise to
  // another in the run the test body resumed from its earlier await. That
  // await is over: the body waits at the fetch.
  test("Node's fetch() after an earlier await: the body waits at the fetch's line, never at the earlier await", () =>
    withSilentServer(async port => {
      let earlier = 0;
      let fetchAt = 0;
      const {dump} = await runBody(async () => {
        earlier = callerLine() + 1;
        await new Promise(done => setTimeout(done, 1));
        fetchAt = callerLine() + 1;
        await fetch(`http://127.0.0.1:${port}/`);
      }, 300);
      expect(dump.rootFrame?.line).toBe(fetchAt);
      expect(dump.leaves.length).toBeGreaterThan(0);
      for (const l of dump.leaves)
        expect(l.path.map(f => f.line)).not.toContain(earlier);
    }));

  // The call made in the run resumed from one await, awaited after another
  // that has settled since: the body waits at the last await, not at the
  // first one's line (that run, and the next, are over).
  test("Node's fetch() made after an await, awaited after another: the body waits where it awaits the fetch", () =>
    withSilentServer(async port => {
      let earlier = 0;
      let awaitedAt = 0;
      const {dump} = await runBody(async () => {
        earlier = callerLine() + 1;
        await new Promise(done => setTimeout(done, 1));
        const pending = fetch(`http://127.0.0.1:${port}/`);
        await new Promise(done => setTimeout(done, 1));
        awaitedAt = callerLine() + 1;
        await pending;
      }, 300);
      expect(dump.rootFrame?.line).toBe(awaitedAt);
      for (const l of dump.leaves)
        expect(l.path.map(f => f.line)).not.toContain(earlier);
    }));

  // Node's fetch() hands back a promise of Node's realm, not of the vm realm
  // the test runs in: Promise.all wraps it (Promise.resolve), and that
  // wrapper is the combinator's input. The fetch()'s promise waits where the
  // promise it made and handed back is waited on: each fetch under the
  // combinator, at its index.
  test("Node's fetch() calls as inputs of one Promise.all: each under the combinator, at its index", () =>
    withSilentServer(async port => {
      const {tree} = await runBody(async () => {
        const a = fetch(`http://127.0.0.1:${port}/a`);
        await Promise.all([a, fetch(`http://127.0.0.1:${port}/b`)]);
      }, 300);
      expect(tree).toEqual([
        '╼ test "body"',
        '└╼ Promise.all',
        '   ├╼ [0] <anonymous>',
        '   │  ⏸ fetch() promise, never settled',
        '   └╼ [1] <anonymous>',
        '      ⏸ fetch() promise, never settled',
      ]);
    }));

  // A client that starts its own work and catches it (ioredis's constructor,
  // `this.connect().catch(noop)`; undici's `mainFetch(…).catch(…)`): nothing
  // the test runs waits on that work, which is the client's bookkeeping.
  test('a call its caller catches at once, in the same run, is no branch', async () => {
    class Client {
      constructor() {
        this.connect().catch(() => {});
      }
      async connect(): Promise<void> {
        await never();
      }
    }
    const {tree} = await runBody(async () => {
      new Client();
      await never();
    });
    expect(tree).toEqual([
      '╼ test "body"',
      '└╼ never',
      '   ⏸ promise, never settled',
    ]);
  });

  // Node 20's undici keeps, for a response whose body nobody reads, its own
  // wait for the body stream to close: a `.then()` Node's `finished()` makes
  // on the stream's closed promise, in `mainFetch`'s run after the response
  // came. Neither is the program's, and the test waits elsewhere.
  test("Node's own wait for an unread response body to close is no branch", async () => {
    const server = createServer((_req, res) => {
      res.writeHead(503, {connection: 'close'});
      res.end('down');
    });
    await new Promise<void>(done => server.listen(0, '127.0.0.1', done));
    const url = `http://127.0.0.1:${(server.address() as {port: number}).port}/`;
    async function status(): Promise<number> {
      await null;
      return (await fetch(url)).status;
    }
    try {
      const {tree} = await runBody(async () => {
        for (let i = 0; i < 3; i++) await status();
        await never();
      }, 500);
      expect(tree).toEqual([
        '╼ test "body"',
        '└╼ never',
        '   ⏸ promise, never settled',
      ]);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  // Readable.fromWeb() watches its reader's `closed` with a `.then()` of
  // Node's, made in the program's call: that watch is no wait of the
  // program's, which waits in its read of the stream. It read "⏸
  // Readable.fromWeb() promise, never settled … kept through
  // `reader[…].close.resolve`", a second branch.
  test("Node's own watch of a web stream's reader, made in the program's call, is no branch", async () => {
    const {dump} = await runBody(async () => {
      const web = new ReadableStream({
        start(c) {
          c.enqueue('a');
        },
      });
      for await (const chunk of Readable.fromWeb(web)) void chunk;
    }, 200);
    expect(dump.leaves.map(l => l.what)).toEqual([
      'createAsyncIterator() promise, never settled',
    ]);
  });

  test('the loser of a race that settled is no branch: nothing waits on it', async () => {
    const {dump} = await runBody(async () => {
      await Promise.race([never(), Promise.resolve()]);
      await never();
    });
    expect(dump.leaves).toHaveLength(1);
  });

  test('a promise nothing waits on is no branch', async () => {
    const {dump} = await runBody(async () => {
      void new Promise<void>(() => {});
      await never();
    });
    expect(dump.leaves).toHaveLength(1);
  });

  test('a promise resolved with a pending one is one branch, not two', async () => {
    const {dump} = await runBody(async () => {
      const inner = never();
      await new Promise<void>(resolve => resolve(inner));
    });
    expect(dump.leaves).toHaveLength(1);
    expect(dump.leaves[0].createdAt?.name).toBe('never');
  });

  test('a call nothing awaits says so', async () => {
    async function later(): Promise<void> {
      await null;
      await never();
    }
    const {tree} = await runBody(async () => {
      void later();
      await sleep(1000);
    });
    expect(tree.some(l => l.endsWith('└╼ later (not awaited)'))).toBe(true);
  });
});

describe('a .then() chain as a combinator input', () => {
  // The chain's call agreed with its stack (the body calls it, the `.then` is
  // the body's, in the same run), so the walk went on down that stack to the
  // body, and the chain was drawn beside the combinator instead of under it.
  async function work(): Promise<void> {
    await never();
  }

  test('Promise.race([p, Promise.resolve(work()).then(f)]): the chain is the race input [1]', async () => {
    const {tree, dump} = await runBody(async () => {
      await Promise.race([never(), Promise.resolve(work()).then(x => x)]);
    });
    expect(tree).toEqual([
      '╼ test "body"',
      '└╼ Promise.race',
      '   ├╼ [0] never',
      '   │  ⏸ promise, never settled',
      '   └╼ [1] work',
      '      └╼ never',
      '         ⏸ promise, never settled',
    ]);
    expect(dump.leaves).toHaveLength(2);
  });

  test('a call made a line before, its .then() an input: under the race, not at the line of the call', async () => {
    const {tree} = await runBody(async () => {
      const p = work();
      await Promise.race([never(), p.then(x => x)]);
    });
    expect(tree).toEqual([
      '╼ test "body"',
      '└╼ Promise.race',
      '   ├╼ [0] never',
      '   │  ⏸ promise, never settled',
      '   └╼ [1] work',
      '      └╼ never',
      '         ⏸ promise, never settled',
    ]);
  });

  test('await work().then(f).catch(g): still the body, then the call', async () => {
    const {tree} = await runBody(async () => {
      await work()
        .then(x => x)
        .catch(() => {});
    });
    expect(tree).toEqual([
      '╼ test "body"',
      '└╼ work',
      '   └╼ never',
      '      ⏸ promise, never settled',
    ]);
  });
});
