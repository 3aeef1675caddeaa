/**
 * @jest-environment ./dist/environment/index.js
 */
import {dumpOnSignal, traced} from '../../src';
import {renderDump} from '../../src/core/render';

// Under the jest-taskdump environment (built by `pretest`), as a user's test
// would run: traced() uses the environment's recorder, and its Root is nested
// in the test's.

async function pending(): Promise<void> {
  await new Promise<void>(() => {});
}

async function connect(): Promise<void> {
  await Promise.all([pending(), Promise.resolve()]);
}

describe('traced()', () => {
  test('dumps what is still pending under the call, with positions in this file', async () => {
    const call = traced(() => connect(), {name: 'connect'});
    await new Promise(r => setImmediate(r));
    const dump = call.dump();
    call.close();
    expect(dump).toMatchObject({
      kind: 'jest-taskdump/dump',
      rootType: 'traced',
      rootName: 'connect',
    });
    expect(dump.leaves).toHaveLength(1);
    const text = renderDump({...dump, elapsedMs: 0});
    expect(text.split('\n').slice(0, 3)).toEqual([
      'Task dump: 1 branch stuck (1 promise)',
      '',
      expect.stringMatching(
        /^╼ traced "connect" at test\/unit\/api\.test\.ts:21:\d+$/,
      ),
    ]);
    expect(text).toMatch(
      /└╼ connect at test\/unit\/api\.test\.ts:16:\d+\n {3}└╼ Promise\.all\n {6}└╼ \[0\] pending at test\/unit\/api\.test\.ts:12:\d+\n {9}⏸ promise, never settled/,
    );
  });

  test("a call that settled leaves an empty dump, and the result is the function's", async () => {
    const call = traced(async () => 42);
    await expect(call.result).resolves.toBe(42);
    expect(call.dump().leaves).toEqual([]);
    expect(call.render()).toContain(
      'Task dump: no promise, timer or handle under this traced call is pending',
    );
    call.close();
  });

  test('a function that throws gives a rejected result, not a throw', async () => {
    const call = traced(() => {
      throw new Error('boom');
    });
    await expect(call.result).rejects.toThrow('boom');
    call.close();
  });

  test('close() forgets the records and is idempotent', async () => {
    const call = traced(() => pending());
    expect(call.dump().leaves.length).toBe(1);
    call.close();
    call.close();
    expect(call.dump().leaves).toEqual([]);
  });

  test('bad arguments name what is accepted', () => {
    expect(() => traced(42 as never)).toThrow(
      'jest-taskdump: traced() takes a function, but got number.',
    );
    expect(() => traced(() => 1, {name: 3 as never})).toThrow(
      'option `name` must be a string, but it is number',
    );
  });

  test('dumpOnSignal writes every live traced call when the signal comes', async () => {
    const call = traced(() => pending(), {name: 'stuck'});
    const written: string[] = [];
    const off = dumpOnSignal('SIGUSR2', {write: t => written.push(t)});
    process.kill(process.pid, 'SIGUSR2');
    await new Promise(r => setTimeout(r, 50));
    off();
    call.close();
    expect(written).toHaveLength(1);
    expect(written[0]).toMatch(
      /^jest-taskdump: SIGUSR2: \d+ live roots? in process \d+/,
    );
    expect(written[0]).toContain('╼ traced "stuck" at test/unit/api.test.ts:');
    expect(written[0]).toContain('⏸ promise, never settled');
  });
});

describe('fan-out', () => {
  async function worker(): Promise<void> {
    await new Promise<void>(() => {});
  }
  async function fanOut(n: number): Promise<void> {
    await Promise.all([...Array.from({length: n}, () => worker()), pending()]);
  }

  test('inputs made by one callback keep their own index, and identical ones are drawn once', async () => {
    const call = traced(() => fanOut(30), {name: 'fan-out'});
    await new Promise(r => setImmediate(r));
    const dump = call.dump();
    call.close();
    expect(dump.leaves).toHaveLength(31);
    const indices = dump.leaves
      .map(l => l.path.find(f => f.combinator)?.combinator?.index)
      .sort((a, b) => (a ?? -1) - (b ?? -1));
    expect(indices).toEqual(Array.from({length: 31}, (_, i) => i));
    const text = renderDump(dump);
    expect(text).toMatch(
      /└╼ Promise\.all\n {6}├╼ \[0–29\] 30× worker at test\/unit\/api\.test\.ts:\d+:\d+\n {6}│  ⏸ promise, never settled\n {6}└╼ \[30\] pending at/,
    );
  });
});
