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

afterAll(() => {
  for (const k of kept) if (typeof k === 'function') k();
});
