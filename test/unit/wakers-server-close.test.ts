import {once} from 'node:events';
import net from 'node:net';
import type {WakerSubject} from '../../src/core/wakers';
import type {Leaf} from '../../src/core/types';
import {promiseLeaf, searchThisProcess} from './wakers/live';

// `server.close(resolve)` with a client still connected: the resolve function
// is a 'close' listener, and Node emits 'close' once the last connection
// ends. The server's 'connection' listener shares its scope with `server`
// (V8 keeps one scope for the closures of a call), and leads to the resolve
// function through that variable, which it does not use: not the event.

const kept: unknown[] = [];
const sockets: net.Socket[] = [];
const servers: net.Server[] = [];
// The servers' sides. Left open, the side that wrote to its client got a
// reset when the client was destroyed below, after this file ended: 'read
// ECONNRESET' with no 'error' listener, which Jest reported as the next file
// of this worker failing to run.
const accepted: net.Socket[] = [];

afterAll(async () => {
  for (const s of [...sockets, ...accepted]) s.destroy();
  await Promise.all(
    servers.map(s => new Promise(r => (s.listening ? s.close(r) : r(null)))),
  );
  kept.length = 0;
});

async function closing(
  usesServer = false,
): Promise<{leaf: Leaf; promise: Promise<unknown>}> {
  const server: net.Server = net.createServer(
    usesServer
      ? socket => {
          accepted.push(socket);
          // Counts its connections: uses `server`, and so leads to what its
          // 'close' listeners keep.
          server.getConnections(() => socket.write('hi'));
        }
      : socket => {
          accepted.push(socket);
          socket.on('data', data => socket.write(data));
        },
  );
  servers.push(server);
  await once(server.listen(0, '127.0.0.1'), 'listening');
  const {port} = server.address() as net.AddressInfo;
  const connected = once(server, 'connection');
  sockets.push(net.connect(port, '127.0.0.1'));
  await connected;
  const promise = new Promise(resolve => server.close(resolve));
  kept.push(promise);
  return {leaf: promiseLeaf('waits'), promise};
}

test("server.close(resolve) with a connection open waits for 'close', once the connection ends", async () => {
  const {leaf, promise} = await closing();
  const subjects: WakerSubject[] = [{leaf, promise, constructed: true}];
  searchThisProcess(subjects);
  expect(leaf.waker?.what).toBe(
    "waits for 'close' on a Server (an EventEmitter): it stopped listening, and emits it once its one open connection ends",
  );
});

// The resolve function is the 'close' listener itself: that event settles it,
// however its other listeners lead there (tls's afterAll read "waits for
// 'secureConnection' on a Server").
test("server.close(resolve), its 'connection' listener using the server: still 'close'", async () => {
  const {leaf, promise} = await closing(true);
  const subjects: WakerSubject[] = [{leaf, promise, constructed: true}];
  searchThisProcess(subjects);
  expect(leaf.waker?.what).toBe(
    "waits for 'close' on a Server (an EventEmitter): it stopped listening, and emits it once its one open connection ends",
  );
});
