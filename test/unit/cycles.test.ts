import {withFrameTable} from '../../src/core/stack/sites';
import {WaitGraph} from '../../src/core/graph/graph';
import {Calls} from '../../src/core/graph/calls';
import {Walker} from '../../src/core/graph/walk';
import {FrameMaker} from '../../src/core/dump/frames';
import {cycleLeaves} from '../../src/core/dump/cycles';
import {emptyRaceLeaves} from '../../src/core/dump/empty-race';
import type {Leaf} from '../../src/core/types';
import {unitContext} from './context';
import {runBody} from './runner-stub';
import {ChainLock} from './chain-lock';

// Promises that wait on themselves (dump/cycles.ts), asked of the graph
// directly: the dump asks only when it found no leaf.

/**
 * The cycles' leaves of what `body` leaves pending, asked of the graph
 * whatever else the dump found, as the runner stub runs it.
 */
async function cyclesOf(
  body: () => Promise<unknown>,
  ask = cycleLeaves,
): Promise<Leaf[]> {
  let found: Leaf[] = [];
  await runBody(body, 30, 100_000, undefined, root => {
    const ctx = {
      ...unitContext(__filename),
      isMachinery: (f: string) => f.includes('node_modules'),
      isRunner: (f: string) => f.endsWith('runner-stub.ts'),
    };
    found = withFrameTable(() => {
      const g = new WaitGraph(root);
      const frames = new FrameMaker(ctx.mapPosition, ctx.rootDir);
      const walker = new Walker(g, new Calls(g), frames, ctx);
      return ask(g, walker, frames, root.startedAt);
    });
  });
  return found;
}

test('a promise-chain lock re-entered from its own task is one cycle', async () => {
  const leaves = await cyclesOf(async () => {
    const lock = new ChainLock();
    await lock.run(async () => {
      await lock.run(async () => 1);
    });
  });
  expect(leaves).toHaveLength(1);
  expect(leaves[0].waker).toMatchObject({kind: 'object', deadlock: true});
});

test('the lock taken again inside a Promise.all of its own task: the ring goes through the combinator', async () => {
  const leaves = await cyclesOf(async () => {
    const lock = new ChainLock();
    await lock.run(async () => {
      await Promise.all([lock.run(async () => 1), Promise.resolve(2)]);
    });
  });
  expect(leaves).toHaveLength(1);
  expect(leaves[0].waker?.what).toMatch(
    /^it waits on itself, a deadlock: .*, which waits on a Promise\.all\(\) at \S+, which waits on its input \[0\], which waits on a \.then\(\) in run at .*, which waits on this promise$/,
  );
});

test('chains, calls and a lock used in turn, waiting on a promise made before: no cycle', async () => {
  const before = new Promise(() => {});
  async function call(): Promise<unknown> {
    return before.then(() => 1).catch(() => 2);
  }
  const leaves = await cyclesOf(async () => {
    const lock = new ChainLock();
    const a = lock.run(() => call());
    const b = lock.run(async () => 1);
    // A chain of hundreds of links: the cycle search walks it iteratively.
    let p: Promise<unknown> = before;
    for (let i = 0; i < 500; i++) p = p.then(() => i);
    await Promise.all([a, b, call(), call(), p]);
  });
  expect(leaves).toEqual([]);
});

// Races of nothing (dump/empty-race.ts), asked the same way: a race with a
// pending input, or several, is none.
test('races with pending inputs are no race of nothing; an empty one is', async () => {
  const never = (): Promise<unknown> => new Promise(() => {});
  expect(
    await cyclesOf(async () => {
      await Promise.all([
        Promise.race([never()]),
        Promise.race([never(), never()]),
      ]);
    }, emptyRaceLeaves),
  ).toEqual([]);
  const empty = await cyclesOf(async () => {
    await Promise.all([Promise.race([never()]), Promise.race([])]);
  }, emptyRaceLeaves);
  expect(empty.map(l => l.what)).toEqual([
    'Promise.race() promise, never settled',
  ]);
});
