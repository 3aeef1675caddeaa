import {
  closeRoot,
  createRoot,
  enterRoot,
  leaveRoot,
  startRecording,
} from '../../src/core/record';
import {takeDump} from '../../src/core/dump';
import {renderDump, summarize} from '../../src/core/render';
import {unitContext} from './context';
import type {Root} from '../../src/core/record';
import type {Leaf} from '../../src/core/types';

// The recorder and takeDump on their own (this file runs under plain
// jest-environment-node).
const contextOf = (now?: number) => unitContext(__filename, now);
const dumpOf = (root: Root, now?: number) => takeDump(root, contextOf(now));

async function churn(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await Promise.resolve(i);
}

describe('recording', () => {
  let stop: () => void;
  let root: Root;
  beforeEach(() => {
    stop = startRecording({captureBurst: 100_000, capturesPerSecond: 0});
    root = createRoot();
  });
  afterEach(() => {
    closeRoot(root);
    stop();
  });

  test('settled work leaves nothing; what is pending and waited on is dumped', async () => {
    enterRoot(root);
    await churn(100);
    const pending = new Promise<void>(() => {});
    void (async () => {
      await pending;
    })();
    leaveRoot(root);
    const dump = dumpOf(root);
    expect(dump.leaves.map(l => l.what)).toEqual(['promise, never settled']);
    // The promise and the async function waiting on it.
    expect(root.promises.size).toBe(2);
  });

  test('a promise nothing waits on is no branch: nothing can hang on it', async () => {
    enterRoot(root);
    const kept = (function keep() {
      return new Promise<void>(() => {});
    })();
    const waited = (function wait() {
      return new Promise<void>(() => {});
    })();
    void waited.then(() => {});
    leaveRoot(root);
    const dump = dumpOf(root);
    expect(dump.leaves).toHaveLength(1);
    void kept;
    expect(dump.leaves[0].createdAt?.name).toBe('wait');
  });

  test('a stored promise awaited late, then settled, is not a leaf', async () => {
    enterRoot(root);
    let open!: () => void;
    const ready = new Promise<void>(r => (open = r));
    // Far more than 64 recorded promises: the next await is a late one.
    await churn(200);
    const waiting = (async () => {
      await ready;
    })();
    open();
    await waiting;
    const stuck = new Promise<void>(() => {});
    void stuck.then(() => {});
    leaveRoot(root);
    expect(dumpOf(root).leaves).toHaveLength(1);
  });

  // TypeScript's ES5 `__generator` runs a body from `step`, called by an
  // anonymous `next` closure: those two frames are hidden only with the
  // helper's frames around them.
  test('a function of the program named step, called by an anonymous next method, stays in the path', async () => {
    enterRoot(root);
    async function step(): Promise<void> {
      await new Promise<void>(() => {});
    }
    const verb = () =>
      function () {
        return step();
      };
    const machine = {next: verb()};
    void machine.next();
    leaveRoot(root);
    const leaves = dumpOf(root).leaves;
    expect(leaves).toHaveLength(1);
    expect(leaves[0].path.map(f => f.name)).toContain('step');
  });

  // A promise waits on the branch that goes on below its own frame. Inputs of
  // one combinator are different branches even when their frames are on one
  // line (a one-line recursion).
  test('inputs of one combinator made on one line are separate branches: none waits on another', async () => {
    enterRoot(root);
    // One line on purpose: the inputs and the recursion share it.
    // prettier-ignore
    // eslint-disable-next-line max-len
    async function r(k: number): Promise<void> { if (k === 0) return new Promise<void>(() => {}); return k % 2 ? r(k - 1) : await r(k - 1); }
    void Promise.all([0, 1, 2, 3].map(k => r(k)));
    // `return r(k - 1)` is adopted in a job of V8's: once it has run.
    await new Promise(done => setImmediate(done));
    leaveRoot(root);
    const leaves = dumpOf(root).leaves;
    expect(
      leaves
        .map(
          l => l.path.find(f => f.combinator !== undefined)?.combinator?.index,
        )
        .sort(),
    ).toEqual([0, 1, 2, 3]);
    expect(leaves.filter(l => l.waiting === true)).toEqual([]);
  });

  // Every subscription on a recorded promise is recorded, the first one in the
  // run that made it too: each waiter is its own branch.
  test('a deferred awaited by three calls right after its creation: no waiter is left out', async () => {
    enterRoot(root);
    let open: (() => void) | undefined;
    const ready = new Promise<void>(r => (open = r));
    async function waiter(): Promise<void> {
      await ready;
    }
    void Promise.all([waiter(), waiter(), waiter()]);
    leaveRoot(root);
    const leaves = dumpOf(root).leaves;
    expect(
      leaves
        .map(
          l =>
            l.path.find(f => f.combinator !== undefined)?.combinator?.index ??
            null,
        )
        .sort(),
    ).toEqual([0, 1, 2]);
    expect(leaves.map(l => l.what)).toEqual(
      Array(3).fill('promise, never settled'),
    );
    open?.();
  });

  test('a timers/promises timeout raced against a promise is shown as the timer, in its place in the race', async () => {
    enterRoot(root);
    const {setTimeout: sleep} = await import('node:timers/promises');
    // Unref'd: the timer does not keep the test process alive. timers/promises
    // is Node's, of the realm outside the test's: raced by that realm's
    // Promise, as a Node script would.
    const timeout = sleep(60_000, undefined, {ref: false});
    const NodePromise = timeout.constructor as PromiseConstructor;
    void NodePromise.race([new NodePromise<void>(() => {}), timeout]);
    leaveRoot(root);
    const leaves = dumpOf(root).leaves;
    // Which input a leaf is: its own (a promise, a timer at the combinator), or
    // its frame's.
    const inputOf = (l: Leaf) =>
      l.input ?? l.path.find(f => f.combinator !== undefined)?.combinator;
    expect(
      leaves
        .map(l => [l.kind, inputOf(l)?.name, inputOf(l)?.index])
        .sort((x, y) => Number(x[2]) - Number(y[2])),
    ).toEqual([
      ['promise', 'Promise.race', 0],
      ['timer', 'Promise.race', 1],
    ]);
  });

  // A combinator's tree, as text: where it hangs and what is under it
  // (positions left out).
  const treeOf = (text: string) =>
    text
      .split('\n')
      .slice(2)
      .map(l =>
        l.replace(/ at \S+:\d+:\d+/g, '').replace(/, fires in [\d.]+ m?s/, ''),
      );

  test('return Promise.all(...) two calls deep: neither caller is an input of the combinator', async () => {
    enterRoot(root);
    async function fetchOne(): Promise<void> {
      await new Promise<void>(() => {});
    }
    async function both(): Promise<void[]> {
      return Promise.all([fetchOne(), fetchOne()]);
    }
    async function outer(): Promise<void[]> {
      const r = await both();
      return r;
    }
    async function body(): Promise<void> {
      await outer();
    }
    void body();
    leaveRoot(root);
    expect(treeOf(renderDump(dumpOf(root))).slice(2)).toEqual([
      '   └╼ <anonymous>',
      '      └╼ body (not awaited)',
      '         └╼ outer',
      '            └╼ both',
      '               └╼ Promise.all',
      '                  └╼ [0–1] 2× fetchOne',
      '                     ⏸ promise, never settled',
    ]);
  });

  test('inputs made by a plain helper (sleep): one combinator, each input heads the timer its promise waits on', async () => {
    enterRoot(root);
    const timers: NodeJS.Timeout[] = [];
    function sleep(ms: number): Promise<void> {
      return new Promise(r => timers.push(setTimeout(r, ms).unref()));
    }
    async function twoSleeps(): Promise<void> {
      await Promise.all([sleep(60_000), sleep(70_000)]);
    }
    void twoSleeps();
    leaveRoot(root);
    const dump = dumpOf(root);
    timers.forEach(clearTimeout);
    expect(summarize(dump)).toMatch(
      /^Task dump: 2 branches stuck( after \d+ ms)? \(2 timers\)$/,
    );
    expect(treeOf(renderDump(dump))).toEqual([
      '╼ test "unit" in test/unit/record.test.ts',
      '└╼ async chain broken by a callback: created in one, not traced back to the body',
      '   └╼ <anonymous>',
      '      └╼ twoSleeps (not awaited)',
      '         └╼ Promise.all',
      '            ├╼ [0] sleep',
      '            │  ⏸ promise, never settled; it waits on:',
      '            │  └╼ <anonymous>',
      '            │     ⏲ setTimeout 60000 ms',
      '            └╼ [1] sleep',
      '               ⏸ promise, never settled; it waits on:',
      '               └╼ <anonymous>',
      '                  ⏲ setTimeout 70000 ms',
    ]);
  });

  test('a delay given with a fraction (a jittered backoff) is said in whole milliseconds', () => {
    enterRoot(root);
    const timer = setTimeout(() => {}, 2032.15).unref();
    leaveRoot(root);
    const dump = dumpOf(root);
    clearTimeout(timer);
    expect(dump.leaves.map(l => l.what)).toEqual([
      expect.stringMatching(/^setTimeout 2032 ms, fires in /),
    ]);
    expect(dump.leaves[0].timer?.delayMs).toBe(2032);
  });

  test('a race in a helper between a promise passed in and its own timeout: one race, under the helper', async () => {
    enterRoot(root);
    let timer: NodeJS.Timeout | undefined;
    function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), ms).unref();
      });
      return Promise.race([promise, timeout]);
    }
    async function fetchReport(): Promise<void> {
      await new Promise<void>(() => {});
    }
    async function body(): Promise<void> {
      await withTimeout(fetchReport(), 60_000);
    }
    void body().catch(() => {});
    leaveRoot(root);
    const dump = dumpOf(root);
    clearTimeout(timer);
    expect(summarize(dump)).toMatch(
      /^Task dump: 2 branches stuck( after \d+ ms)? \(1 timer, 1 promise\)$/,
    );
    expect(treeOf(renderDump(dump)).slice(2)).toEqual([
      '   └╼ <anonymous>',
      '      └╼ body',
      '         └╼ withTimeout',
      '            └╼ Promise.race',
      '               ├╼ [0] fetchReport',
      '               │  ⏸ promise, never settled',
      '               └╼ [1] withTimeout',
      '                  ⏸ promise, never settled; it waits on:',
      '                  └╼ <anonymous>',
      '                     ⏲ setTimeout 60000 ms',
    ]);
  });

  // Under Jest, promises carry Node's async ids: a `.then()` promise is known
  // by what it chains on.
  test('an input made by .then() on a pending new Promise is that promise, in its place in the combinator', async () => {
    enterRoot(root);
    const timers: NodeJS.Timeout[] = [];
    function delay(ms: number): Promise<void> {
      return new Promise(r => timers.push(setTimeout(r, ms).unref()));
    }
    async function body(): Promise<void> {
      await Promise.all([delay(60_000).then(() => 1), delay(70_000)]);
    }
    void body();
    leaveRoot(root);
    const dump = dumpOf(root);
    timers.forEach(clearTimeout);
    expect(summarize(dump)).toMatch(
      /^Task dump: 2 branches stuck( after \d+ ms)? \(2 timers\)$/,
    );
    expect(treeOf(renderDump(dump)).slice(2)).toEqual([
      '   └╼ <anonymous>',
      '      └╼ body (not awaited)',
      '         └╼ Promise.all',
      '            ├╼ [0] delay',
      '            │  ⏸ promise, never settled; it waits on:',
      '            │  └╼ <anonymous>',
      '            │     ⏲ setTimeout 60000 ms',
      '            └╼ [1] delay',
      '               ⏸ promise, never settled; it waits on:',
      '               └╼ <anonymous>',
      '                  ⏲ setTimeout 70000 ms',
    ]);
  });

  test('an input made by .then(), with promises made between it and the combinator: still that promise, not one made before the test', async () => {
    enterRoot(root);
    const timers: NodeJS.Timeout[] = [];
    function delay(ms: number): Promise<void> {
      return new Promise(r => timers.push(setTimeout(r, ms).unref()));
    }
    async function body(): Promise<void> {
      await Promise.all([
        delay(60_000).then(() => 1),
        (async () => {
          await delay(70_000);
        })(),
      ]);
    }
    void body();
    leaveRoot(root);
    const dump = dumpOf(root);
    timers.forEach(clearTimeout);
    expect(summarize(dump)).toMatch(
      /^Task dump: 2 branches stuck( after \d+ ms)? \(2 timers\)$/,
    );
    expect(treeOf(renderDump(dump)).slice(4, 9)).toEqual([
      '         └╼ Promise.all',
      '            ├╼ [0] delay',
      '            │  ⏸ promise, never settled; it waits on:',
      '            │  └╼ <anonymous>',
      '            │     ⏲ setTimeout 60000 ms',
    ]);
  });

  test('return Promise.all(...) from an async function: the function stays, and is no input of its own combinator', async () => {
    enterRoot(root);
    async function shard(): Promise<void> {
      await new Promise<void>(() => {});
    }
    async function loadAll(): Promise<void[]> {
      return Promise.all([shard(), shard()]);
    }
    async function body(): Promise<void> {
      await loadAll();
    }
    void body();
    leaveRoot(root);
    expect(treeOf(renderDump(dumpOf(root))).slice(2)).toEqual([
      '   └╼ <anonymous>',
      '      └╼ body (not awaited)',
      '         └╼ loadAll',
      '            └╼ Promise.all',
      '               └╼ [0–1] 2× shard',
      '                  ⏸ promise, never settled',
    ]);
  });

  test('a stored promise awaited late and still pending is shown where it is awaited', async () => {
    enterRoot(root);
    const ready = new Promise<void>(() => {});
    await churn(200);
    async function acquire(): Promise<void> {
      await ready;
    }
    void acquire();
    await Promise.resolve();
    leaveRoot(root);
    const leaves = dumpOf(root).leaves;
    expect(leaves).toHaveLength(1);
    const awaitedAt = leaves[0].path[leaves[0].path.length - 1];
    expect(awaitedAt.name).toBe('acquire');
    // Where it was made (the test body, a few lines up), not where it is
    // awaited.
    expect(leaves[0].createdAt?.line).toBeLessThan(awaitedAt.line);
    expect(leaves[0].what).toBe('promise, never settled');
  });

  // takeDump keeps what it reads of each frame in arrays sized for the pending
  // promises' stacks; stacks read later (timers, handles) make them grow, and a
  // dump taken from inside another (a callback of its context) has its own.
  test('stacks read late, a second dump and a dump taken during a dump all say the same', async () => {
    enterRoot(root);
    async function waitsOn(): Promise<void> {
      await new Promise<void>(() => {});
    }
    const timers = Array.from({length: 50}, () =>
      setTimeout(() => void waitsOn(), 1),
    );
    await new Promise(resolve => setTimeout(resolve, 20));
    const pending = Array.from({length: 200}, () => waitsOn());
    void pending;
    leaveRoot(root);
    const now = performance.now();
    const first = dumpOf(root, now);
    expect(first.leaves.length).toBe(250);
    expect(
      first.leaves.filter(l =>
        l.path.some(f => f.name === 'setTimeout callback'),
      ),
    ).toHaveLength(50);
    expect(dumpOf(root, now)).toEqual(first);
    let inner: ReturnType<typeof dumpOf> | undefined;
    const outer = takeDump(root, {
      ...contextOf(now),
      isMachinery: file => {
        inner ??= dumpOf(root, now);
        return file.includes('node_modules');
      },
    });
    expect(inner).toEqual(first);
    expect(outer).toEqual(first);
    timers.forEach(clearTimeout);
  });
});

describe('over the capture budget', () => {
  test('promises made while stack capture was over its budget are counted, and the dump says so (docs/limits.md)', async () => {
    const stop = startRecording({captureBurst: 5, capturesPerSecond: 0});
    const root = createRoot();
    try {
      enterRoot(root);
      const waits = Array.from({length: 20}, () =>
        (async () => {
          await new Promise<void>(() => {});
        })(),
      );
      void Promise.all(waits);
      leaveRoot(root);
      const dump = dumpOf(root);
      expect(dump.unrecorded).toBeGreaterThan(0);
      expect(renderDump(dump)).toContain(
        `${dump.unrecorded} promises, timers or other handles were created while stack capture was over its budget; branches through them may be missing.`,
      );
    } finally {
      closeRoot(root);
      stop();
    }
  });

  test('timers made over the budget are counted too, and the dump does not call them promises', () => {
    const stop = startRecording({captureBurst: 5, capturesPerSecond: 0});
    const root = createRoot();
    const timers: NodeJS.Timeout[] = [];
    try {
      enterRoot(root);
      for (let i = 0; i < 20; i++) timers.push(setTimeout(() => {}, 60_000));
      leaveRoot(root);
      const dump = dumpOf(root);
      expect(dump.unrecorded).toBeGreaterThanOrEqual(15);
      expect(renderDump(dump)).toContain(
        `${dump.unrecorded} promises, timers or other handles were created while stack capture was over its budget`,
      );
    } finally {
      timers.forEach(clearTimeout);
      closeRoot(root);
      stop();
    }
  });
});
