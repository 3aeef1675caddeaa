import {PassThrough} from 'node:stream';
import {createInterface} from 'node:readline';
import {searchedWaker} from './live';

// A readline Interface reads its lines from its `input`: a wait for a line
// (an async iterator's, or a 'line' listener's) ends only when that stream
// gives one or ends, and what the stream lacks to end is said after the
// Interface's event (wakers/events.ts, readInput).

const kept: unknown[] = [];

test('lines of a stream nobody ends: the Interface, and what its input lacks', async () => {
  const input = new PassThrough();
  const rl = createInterface({input});
  kept.push(input, rl);
  const next = rl[Symbol.asyncIterator]().next();
  expect(await searchedWaker(next, kept)).toMatch(
    /^waits for 'line' on an Interface \(an EventEmitter\): .*; its input is a Duplex stream: end never pushed/,
  );
});

test("an input that ended and was read to its end: nothing said of it (the Interface's 'close' came)", async () => {
  const input = new PassThrough();
  const rl = createInterface({input});
  kept.push(input, rl);
  input.end();
  await new Promise(r => setTimeout(r, 20));
  const line = new Promise(resolve => rl.once('line', resolve));
  const what = await searchedWaker(line, kept, true);
  expect(what).toMatch(/^waits for 'line' on an Interface/);
  expect(what).not.toMatch(/its input is/);
});

afterAll(() => {
  for (const k of kept) if (k instanceof PassThrough) k.destroy();
});
