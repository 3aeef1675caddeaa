import {doesNothing} from '../../src/core/dump/timer-made';
import {runBody} from './runner-stub';

// A timer whose callback does nothing settles nothing: kept only to keep the
// process alive (grpc's call-ref timer), it is no wait of the dump's.

test('function literals with an empty body do nothing; anything else may', () => {
  expect(doesNothing(() => {})).toBe(true);
  expect(doesNothing(function () {})).toBe(true);
  expect(doesNothing(function keepAlive() {})).toBe(true);
  expect(doesNothing(async () => {})).toBe(true);
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  expect(doesNothing((_: unknown) => {})).toBe(true);
  expect(doesNothing(() => undefined)).toBe(false);
  expect(doesNothing(() => console.log('tick'))).toBe(false);
  expect(doesNothing(function () {}.bind(null))).toBe(false);
  expect(doesNothing(Math.max)).toBe(false);
  expect(doesNothing(undefined)).toBe(false);
});

test('an interval whose callback does nothing is set aside beside a stuck wait', async () => {
  const timers: NodeJS.Timeout[] = [];
  const {dump} = await runBody(async () => {
    timers.push(setInterval(() => {}, 2_147_483_647));
    timers.push(setInterval(() => void 0, 2_147_483_647));
    await new Promise(() => {});
  }, 60);
  for (const t of timers) clearInterval(t);
  const leaves = dump.leaves.filter(l => l.kind === 'timer');
  expect(leaves).toHaveLength(2);
  // The one whose callback returns something is not read as empty.
  expect(leaves.map(t => [t.inert === true, t.aside === true])).toEqual([
    [true, true],
    [false, false],
  ]);
  expect(dump.leaves.filter(l => l.kind === 'promise')).toHaveLength(1);
});

test('alone, it is what is pending, and stays counted', async () => {
  const timers: NodeJS.Timeout[] = [];
  const {dump} = await runBody(() => {
    timers.push(setTimeout(() => {}, 60_000));
  }, 60);
  for (const t of timers) clearTimeout(t);
  expect(dump.leaves).toHaveLength(1);
  expect(dump.leaves[0]).toMatchObject({kind: 'timer', inert: true});
  expect(dump.leaves[0].aside).toBeUndefined();
});
