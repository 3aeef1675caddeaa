import sinon from 'sinon';
import {searchedWaker} from './live';

// A resolve function a Jest mock keeps in its record of calls
// (wakers/mock-calls.ts), read from this process's heap: the program passed
// a callback, or the resolve function itself, to a mock. (Positions here are
// of the transformed file: the unit search maps no source.)

const kept: unknown[] = [];

interface Mailer {
  send(msg: object, cb: (err?: Error) => void): void;
}

/** The promise a service makes of a callback API (its `send`). */
function sent(mailer: Mailer): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    mailer.send({to: 1}, err => (err ? reject(err) : resolve()));
  });
}

test('a callback given to a mock with no implementation', async () => {
  const mailer = {send: jest.fn()};
  kept.push(mailer);
  expect(await searchedWaker(sent(mailer), kept, true)).toMatch(
    /^its resolve function is kept by a function at test\/unit\/wakers\/doubles\.test\.ts:\d+:\d+ passed to send \(a Jest mock\), and stays in its mock\.calls\[0\]\[1\]; the mock has no implementation: it calls nothing it is given$/,
  );
});

test('the resolve function itself, given in the second call to a named mock', async () => {
  const notify = jest.fn().mockName('notifyUser');
  const holder = {notify};
  kept.push(holder);
  notify('first');
  const p = new Promise(resolve => holder.notify('second', resolve));
  expect(await searchedWaker(p, kept, true)).toBe(
    'its resolve function was passed to notify (a Jest mock named notifyUser), and stays in its mock.calls[1][1]; the mock has no implementation: it calls nothing it is given',
  );
});

test('a mock with an implementation that does not call back: where the implementation is', async () => {
  const mailer = {send: jest.fn((_msg: object, _cb: () => void) => {})};
  kept.push(mailer);
  expect(await searchedWaker(sent(mailer), kept, true)).toMatch(
    /passed to send \(a Jest mock\), and stays in its mock\.calls\[0\]\[1\]; the mock's implementation is at test\/unit\/wakers\/doubles\.test\.ts:\d+:\d+$/,
  );
});

test('an implementation that keeps the callback for a timer: the timer is named, not the mock', async () => {
  const mailer = {
    send: jest.fn((_msg: object, cb: () => void) => {
      const t = setTimeout(cb, 60_000);
      kept.push(() => clearTimeout(t));
    }),
  };
  kept.push(mailer);
  const what = await searchedWaker(sent(mailer), kept, true);
  expect(what).toMatch(/^settles when a setTimeout of 60000 ms fires/);
  expect(what).not.toMatch(/Jest mock/);
});

test('a spy that calls the method it replaced, which keeps the callback in a queue of the program', async () => {
  class Outbox {
    queue: Array<(err?: Error) => void> = [];
    send(_msg: object, cb: (err?: Error) => void): void {
      this.queue.push(cb);
    }
  }
  const outbox = new Outbox();
  kept.push(outbox);
  jest.spyOn(outbox, 'send');
  const what = await searchedWaker(sent(outbox), kept, true);
  expect(what).toMatch(/^its resolve function is kept in Outbox\.queue\[0\]/);
});

// sinon's doubles keep each call's arguments in `args` (and the last one in
// `lastArg`, each call in `firstCall`...: the search may come by any).
test('a callback given to a sinon stub with no behaviour', async () => {
  const mailer = {send: sinon.stub()};
  kept.push(mailer);
  expect(await searchedWaker(sent(mailer), kept, true)).toMatch(
    /^its resolve function is kept by a function at test\/unit\/wakers\/doubles\.test\.ts:\d+:\d+ passed to send \(a sinon stub\), and stays in its args\[0\]\[1\]; the stub has no behaviour: it calls nothing it is given$/,
  );
});

test('a sinon stub that returns a value, a method stubbed on an object, a fake: no claim of what they call', async () => {
  const returns = {send: sinon.stub().returns(true)};
  const outbox = {send(_msg: object, _cb: () => void): void {}};
  sinon.stub(outbox, 'send');
  const fake = {send: sinon.fake()};
  kept.push(returns, outbox, fake);
  expect(await searchedWaker(sent(returns), kept, true)).toMatch(
    /passed to send \(a sinon stub\), and stays in its args\[0\]\[1\]$/,
  );
  // The stubbed method is the object's property; sinon's records of its
  // calls refer back to it (`proxy`), and are not named.
  expect(await searchedWaker(sent(outbox), kept, true)).toMatch(
    /passed to send \(a sinon stub\), and stays in its args\[0\]\[1\]; the stub has no behaviour/,
  );
  expect(await searchedWaker(sent(fake), kept, true)).toMatch(
    /passed to send \(a sinon fake\), and stays in its args\[0\]\[1\]$/,
  );
});

test('a Jest mock whose calls the test read (its mock.lastCall set): still the call and the argument', async () => {
  const mailer = {send: jest.fn()};
  kept.push(mailer);
  const p = sent(mailer);
  expect(mailer.send.mock.lastCall).toHaveLength(2);
  expect(await searchedWaker(p, kept, true)).toMatch(
    /passed to send \(a Jest mock\), and stays in its mock\.calls\[0\]\[1\]; the mock has no implementation/,
  );
});

afterAll(() => {
  for (const k of kept) if (typeof k === 'function') k();
});
