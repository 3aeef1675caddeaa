import {type EventEmitter, once} from 'node:events';
import {MessageChannel} from 'node:worker_threads';
import {searchedWaker} from './wakers/live';

// events.once() on emitters that are not Node's EventEmitter: it adds a
// listener for 'error' too (which only rejects), and the search may meet it
// first. The event waited for is named, not 'error'.

/** component-emitter's shape (socket.io's, superagent's emitters). */
class Emitter {
  _callbacks: Record<string, Array<(...args: unknown[]) => void>> = {};

  on(event: string, fn: (...args: unknown[]) => void): this {
    (this._callbacks['$' + event] ??= []).push(fn);
    return this;
  }

  once(event: string, fn: (...args: unknown[]) => void): this {
    const on = (...args: unknown[]): void => {
      this.off(event, on);
      fn(...args);
    };
    return this.on(event, on);
  }

  off(event: string, fn: (...args: unknown[]) => void): this {
    const list = this._callbacks['$' + event] ?? [];
    list.splice(list.indexOf(fn), 1);
    return this;
  }

  emit(event: string, ...args: unknown[]): this {
    for (const fn of [...(this._callbacks['$' + event] ?? [])]) fn(...args);
    return this;
  }
}

class Socket extends Emitter {}

const kept: unknown[] = [];

afterAll(() => {
  kept.length = 0;
});

const wakerOf = (promise: Promise<unknown>): Promise<string> =>
  searchedWaker(promise, kept);

test("once() on component-emitter's emitter: the event and the emitter's kind", async () => {
  const socket = new Socket();
  kept.push(socket);
  socket.emit('other');
  expect(await wakerOf(once(socket as never, 'reply'))).toMatch(
    /^waits for 'reply' on a Socket \(a component-emitter\): not emitted since its listener was added/,
  );
});

test("once() on a MessagePort: 'message', not the 'error' listener once() adds", async () => {
  const {port1, port2} = new MessageChannel();
  kept.push(port1, port2);
  try {
    expect(await wakerOf(once(port2, 'message'))).toMatch(
      /^waits for 'message' on a MessagePort/,
    );
  } finally {
    port1.close();
  }
});

// A WebSocket (ws's) that is open already: its 'open' came before the
// listener was added, and will not come again.
test("once() for 'open' on a WebSocket that is open already: said so", async () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const {WebSocketServer, WebSocket} = require('ws') as {
    WebSocketServer: new (o: {port: number; host: string}) => EventEmitter & {
      address(): {port: number};
      close(done: () => void): void;
    };
    WebSocket: new (url: string) => EventEmitter & {terminate(): void};
  };
  const server = new WebSocketServer({port: 0, host: '127.0.0.1'});
  await once(server, 'listening');
  const {port} = server.address();
  const client = new WebSocket(`ws://127.0.0.1:${port}`);
  kept.push(client);
  try {
    await once(client, 'open');
    expect(await wakerOf(once(client, 'open'))).toMatch(
      /^waits for 'open' on a WebSocket \(an EventEmitter\): it is open already: the event came before the listener was added, and will not come again/,
    );
  } finally {
    client.terminate();
    await new Promise<void>(resolve => server.close(resolve));
  }
});
