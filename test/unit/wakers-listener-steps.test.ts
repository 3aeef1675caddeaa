import {EventEmitter} from 'node:events';
import net from 'node:net';
import {createPositionMapper} from '../../src/core/callsites';
import {probeHeap} from '../../src/core/heap';
import type {WakerContext} from '../../src/core/wakers/context';
import {type Fed, feedsOf} from '../../src/core/wakers/feeds';
import {HeapIndex} from '../../src/core/wakers/heap-index';
import {StateReader} from '../../src/core/wakers/state';

// What a handle reaches (wakers/feeds.ts), with an emitter's listeners one
// step with it (wakers/listener-steps.ts), on a live heap: pg's shape, where
// a socket's 'data' listener keeps the Connection that parses it, whose
// 'reply' listener keeps the Client the search named keeping a query's
// resolve function. Five references out of the socket; two steps.

/** The object the search named keeping a resolve function. */
class Client {
  readonly pending: Array<() => void> = [];
}

/** A Client behind a Connection's listener. */
function connectionOf(client: Client): EventEmitter {
  const connection = new EventEmitter();
  connection.on('reply', () => client.pending.shift()?.());
  return connection;
}

function socketOf(connection: EventEmitter): net.Socket {
  const socket = new net.Socket();
  socket.on('data', () => connection.emit('reply'));
  return socket;
}

function timerOf(connection: EventEmitter): NodeJS.Timeout {
  const t = setTimeout(() => void connection, 60_000);
  t.unref();
  return t;
}

/**
 * Listens on a socket with an arrow made inside another function of its
 * method (ioredis's and pg's `socket.on('data', d => this.receive(d))`,
 * made in a promise's executor): the arrow's own scope is the executor's,
 * and the receiver is kept in the method's, an outer scope.
 */
class Receiver {
  readonly pending: Array<() => void> = [];
  listen(socket: net.Socket): Promise<void> {
    return new Promise<void>(resolve => {
      socket.on('data', () => this.pending.shift()?.());
      socket.on('end', () => resolve());
    });
  }
}

describe("an emitter's listeners, one step with it", () => {
  const timers: NodeJS.Timeout[] = [];
  const fed: Fed[] = [];

  beforeAll(() => {
    const socketClient = new Client();
    const timerClient = new Client();
    const socket = socketOf(connectionOf(socketClient));
    const timer = timerOf(connectionOf(timerClient));
    timers.push(timer);
    const receiver = new Receiver();
    const listened = new net.Socket();
    void receiver.listen(listened);
    const probe = probeHeap(
      [socket, timer, listened, socketClient, timerClient, receiver, listened],
      [],
    );
    try {
      const options = {
        exclude: [],
        rootDir: process.cwd(),
        mapPosition: createPositionMapper(undefined),
        isMachinery: () => false,
        now: performance.now(),
      };
      const cx: WakerContext = {
        ix: new HeapIndex(probe, options),
        states: new StateReader(probe),
        now: options.now,
      };
      const [s, t, l, sc, tc, rc, lc] = probe.subjects;
      fed.push(
        ...feedsOf(
          cx,
          // Subject 3 is kept by the socket itself, and drawn under it.
          [[sc], [tc], [rc], [lc]],
          [
            {node: s, traced: false},
            {node: t, traced: false},
            {node: l, traced: false},
          ],
          () => false,
          (k, i) => k === 2 && i === 3,
        ),
      );
    } finally {
      probe.close();
    }
  }, 120_000);

  afterAll(() => {
    for (const t of timers) clearTimeout(t);
  });

  test("from a socket: its listener's emitter's listener keeps the Client, which it feeds", () => {
    expect(fed[0]).toEqual({subject: 0, also: [], below: [], besides: []});
  });

  test('from a timer: an emitter its callback keeps is no step to its listeners', () => {
    expect(fed[1]).toEqual({subject: -1, also: [], below: [], besides: []});
  });

  // What its own work waits on (a subject drawn under it, kept by the socket
  // itself) is said apart, and the search goes on to what it feeds: the
  // receiver its listener's arrow keeps as `this`, in an outer scope.
  test("from a socket: an arrow listener's `this` in its method's scope, past its own work", () => {
    expect(fed[2]).toEqual({
      subject: 2,
      also: [],
      below: [3],
      besides: [],
    });
  });
});
