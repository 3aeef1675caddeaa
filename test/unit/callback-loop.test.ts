import path from 'node:path';
import {callbackLoop, oneRun} from '../../src/core/dump/callback-loop';
import type {Frame} from '../../src/core/types';
import {runBody} from './runner-stub';

// A pending timer whose callback is a function on its own path is a loop
// (dump/callback-loop.ts): matched by name and file, drawn once.

const FILE = path.relative(process.cwd(), __filename);
const at = (name: string, line: number, column = 3, file = FILE): Frame => ({
  name,
  file,
  line,
  column,
  async: false,
});

function retryAttempt(): void {}
const matchTime = (): void => {};

// The inspector cannot reach a function of Jest's sandbox (fn-position.ts
// reads it back through the process's own module cache): where this file's
// functions are is given.
const here = () => ({file: __filename, line: 1, column: 1});
/** No timer of the Root fired with the callback. */
const never = (): boolean => false;

describe('callbackLoop', () => {
  const path1 = [
    at('test', 1),
    at('retry', 10),
    at('retryAttempt', 20),
    at('flaky', 30),
    at('<anonymous>', 40),
    at('retryAttempt', 20),
    at('flaky', 30),
    at('<anonymous>', 40),
  ];

  test('a named callback on the path: the first run, and how many times it ran', () => {
    expect(
      callbackLoop(retryAttempt, path1, process.cwd(), never, here),
    ).toEqual({
      at: path1[2],
      count: 2,
    });
    // A method's frame is named with its class.
    const p = [at('Scheduler.start', 5), at('Scheduler.matchTime', 6)];
    expect(callbackLoop(matchTime, p, process.cwd(), never, here)).toEqual({
      at: p[1],
      count: 1,
    });
  });

  test('each run counted once, at the line of its first frame', () => {
    // p-wait-for's `check`: an `await` at one line, setTimeout at another.
    const p = [
      at('pWaitFor', 1),
      at('check', 16),
      at('setTimeout callback', 26),
      at('check', 16),
      at('check', 26),
    ];
    expect(callbackLoop(matchTime, p, process.cwd(), never, here)).toBeNull();
    const c = [
      at('pWaitFor', 1),
      at('matchTime', 16),
      at('setTimeout callback', 26),
      at('matchTime', 16),
      at('matchTime', 26),
    ];
    expect(callbackLoop(matchTime, c, process.cwd(), never, here)).toEqual({
      at: c[1],
      count: 2,
    });
  });

  test("first run entered from a timer's callback: a loop only if a timer fired with this very function", () => {
    // nock wraps each timer's callback in a new `cb`: another timer's `cb`
    // on the path is another closure of the same code.
    const p = [
      at('test', 1),
      at('setImmediate callback', 10),
      at('cb', 20),
      at('<anonymous>', 30),
    ];
    function cb(): void {}
    expect(callbackLoop(cb, p, process.cwd(), never, here)).toBeNull();
    expect(callbackLoop(cb, p, process.cwd(), () => true, here)).toEqual({
      at: p[2],
      count: 1,
    });
  });

  test('no position (a builtin, no inspector): not said to be a loop', () => {
    expect(
      callbackLoop(retryAttempt, path1, process.cwd(), never, () => null),
    ).toBeNull();
  });

  test('not a loop: a callback of another name, of another file, anonymous or bound, or no function', () => {
    const cwd = process.cwd();
    function flakyOther(): void {}
    expect(callbackLoop(flakyOther, path1, cwd, never, here)).toBeNull();
    const elsewhere = path1.map(f => ({...f, file: 'src/other.js'}));
    expect(callbackLoop(retryAttempt, elsewhere, cwd, never, here)).toBeNull();
    expect(
      callbackLoop([() => {}][0], [at('', 1)], cwd, never, here),
    ).toBeNull();
    expect(
      callbackLoop(retryAttempt.bind(null), path1, cwd, never, here),
    ).toBeNull();
    expect(callbackLoop(undefined, path1, cwd, never, here)).toBeNull();
  });
});

describe('oneRun', () => {
  test('cut before the second run, ending at the frame that set the pending timer', () => {
    const p = [
      at('test', 1),
      at('retry', 10),
      at('retryAttempt', 20),
      at('setImmediate callback', 30),
      at('setTimeout callback', 40, 21),
      at('retryAttempt', 20),
      at('setImmediate callback', 30),
      at('<anonymous>', 40, 21),
    ];
    expect(oneRun(p, p[2])).toEqual([...p.slice(0, 4), p[7]]);
  });

  test('a poll that sets its timer itself: the function once', () => {
    const p = [
      at('test', 1),
      at('runAt', 10),
      at('matchTime', 20),
      at('setTimeout callback', 20),
      at('matchTime', 20),
      at('setTimeout callback', 20),
      at('matchTime', 20),
    ];
    expect(oneRun(p, p[2])).toEqual([p[0], p[1], p[6]]);
  });

  test('a path through the function once is left as it is', () => {
    const p = [at('test', 1), at('matchTime', 20)];
    expect(oneRun(p, p[1])).toEqual(p);
  });
});

// A loop of callbacks each made by the one before, for a thousand rounds and
// more in one test: followed round by round, one walk inside another, the
// dump ran out of stack ("could not take a task dump (Maximum call stack
// size exceeded)"). Past a hundred rounds it goes on to the first round
// (graph/contexts.ts): one branch, from the test's body.
test('a loop of callbacks of thousands of rounds: a dump, one branch from the body', async () => {
  let stopped = false;
  let rounds = 0;
  const {dump} = await runBody(() => {
    const round = (): void => {
      rounds++;
      if (!stopped) setTimeout(round, 0);
    };
    round();
  }, 2500);
  stopped = true;
  expect(rounds).toBeGreaterThan(1000);
  expect(dump.leaves).toHaveLength(1);
  expect(dump.leaves[0].detached).toBe(false);
});
