import {EventEmitter} from 'node:events';
import net from 'node:net';
import {createPositionMapper} from '../../src/core/callsites';
import {probeHeap} from '../../src/core/heap';
import type {WakerContext} from '../../src/core/wakers/context';
import {feedsOf} from '../../src/core/wakers/feeds';
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

describe("an emitter's listeners, one step with it", () => {
  const timers: NodeJS.Timeout[] = [];
  const fed: number[] = [];

  beforeAll(() => {
    const socketClient = new Client();
    const timerClient = new Client();
    const socket = socketOf(connectionOf(socketClient));
    const timer = timerOf(connectionOf(timerClient));
    timers.push(timer);
    const probe = probeHeap([socket, timer, socketClient, timerClient], []);
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
      const [s, t, sc, tc] = probe.subjects;
      fed.push(
        ...feedsOf(
          cx,
          [[sc], [tc]],
          [
            {node: s, traced: false},
            {node: t, traced: false},
          ],
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
    expect(fed[0]).toBe(0);
  });

  test('from a timer: an emitter its callback keeps is no step to its listeners', () => {
    expect(fed[1]).toBe(-1);
  });
});
