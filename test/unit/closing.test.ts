import net from 'node:net';
import {once} from 'node:events';
import {closing} from '../../src/environment/closing';
import {startRecording} from '../../src/core/record';

// What a file's end waits for before it lists what was left open
// (environment/leaks.ts): a client socket whose other end, accepted by a
// server of this process, was destroyed reads the end of its connection a
// moment later.

let stop: () => void;
beforeAll(() => {
  // The recorder notes the sockets the process's servers accept.
  stop = startRecording();
});
afterAll(() => stop());

async function listening(): Promise<net.Server> {
  const server = net.createServer(() => {});
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

async function connected(
  server: net.Server,
): Promise<{client: net.Socket; accepted: net.Socket}> {
  const {port} = server.address() as net.AddressInfo;
  const accepted = once(server, 'connection');
  const client = net.connect(port, '127.0.0.1');
  await once(client, 'connect');
  return {client, accepted: (await accepted)[0] as net.Socket};
}

test('a client whose server-side socket was destroyed is closing until it reads the end; one whose server only stopped listening is not', async () => {
  const server = await listening();
  const dropped = await connected(server);
  const kept = await connected(server);
  try {
    dropped.accepted.destroy();
    server.close();
    expect(closing(dropped.client)).toBe(true);
    expect(closing(kept.client)).toBe(false);
    await once(dropped.client, 'close');
    expect(closing(dropped.client)).toBe(false);
  } finally {
    dropped.client.destroy();
    kept.client.destroy();
    kept.accepted.destroy();
  }
});

test('a socket ended on our side, a killed child and a stopped server are closing', () => {
  expect(closing({writableEnded: true, destroyed: false})).toBe(true);
  expect(closing({killed: true})).toBe(true);
  expect(closing({listening: false})).toBe(true);
  expect(closing({listening: true})).toBe(false);
});
