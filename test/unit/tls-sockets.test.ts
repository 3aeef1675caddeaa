import {once} from 'node:events';
import {readFileSync} from 'node:fs';
import type http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import {describeHandle} from '../../src/core/handles';
import {
  closeRoot,
  createRoot,
  enterRoot,
  leaveRoot,
  serverTlsSocketOver,
  startRecording,
  type Root,
} from '../../src/core/record';
import {takeDump} from '../../src/core/dump';
import {unitContext} from './context';

const pem = (name: string): Buffer =>
  readFileSync(path.join(__dirname, '../../fixtures/io/tls', name));
const credentials = {
  key: pem('localhost-key.pem'),
  cert: pem('localhost-cert.pem'),
};
const ca = pem('localhost-cert.pem');

const listen = async <S extends net.Server>(server: S): Promise<number> => {
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
};

const dumpOf = (root: Root) => takeDump(root, unitContext(__filename));

/** Runs `body` recording under a Root; returns the Root (closed after). */
async function recorded(
  body: () => Promise<void>,
  cleanup: () => void,
): Promise<Root> {
  const stop = startRecording();
  const root = createRoot();
  try {
    enterRoot(root);
    await body();
    leaveRoot(root);
    return root;
  } finally {
    stop();
    cleanup();
  }
}

describe('client TLS sockets', () => {
  const opened: net.Socket[] = [];
  const servers: net.Server[] = [];
  afterEach(() => {
    // The last opened first: a TLS socket before the socket it runs over
    // (Node 20 crashes, a segmentation fault, the other way round).
    for (const s of opened.splice(0).reverse()) s.destroy();
    for (const s of servers.splice(0)) s.close();
  });

  test("tls.connect()'s socket is recorded where it was made, once; the server's TLSSocket is not; both still talk", async () => {
    const server = tls.createServer(credentials, s => {
      opened.push(s);
      s.end('hello');
    });
    servers.push(server);
    const port = await listen(server);
    let socket: tls.TLSSocket | undefined;
    let text = '';
    const root = await recorded(
      async () => {
        socket = tls.connect({port, host: '127.0.0.1', ca});
        opened.push(socket);
        socket.on('data', c => (text += String(c)));
        await once(socket, 'end');
      },
      () => {},
    );
    try {
      expect(text).toBe('hello');
      expect([...root.handles.keys()]).toEqual([socket]);
      // The socket looks as usual: its field is its own data property (the
      // prototype's accessor stays while any recorder of the process uses
      // it: first-assignment.ts).
      expect(Object.getOwnPropertyDescriptor(socket, '_tlsOptions')).toEqual(
        expect.objectContaining({writable: true, enumerable: true}),
      );
    } finally {
      closeRoot(root);
    }
  });

  test('a TLS socket whose server never answers its hello: the handshake not done; its request words for https', async () => {
    const server = net.createServer(s => void opened.push(s));
    servers.push(server);
    const port = await listen(server);
    let socket: tls.TLSSocket | undefined;
    let request: http.ClientRequest | undefined;
    const root = await recorded(
      async () => {
        socket = tls.connect({port, host: '127.0.0.1', ca});
        request = https.get(`https://127.0.0.1:${port}/`, {ca});
        request.on('error', () => {});
        opened.push(socket);
        await once(socket, 'connect');
        for (let i = 0; i < 200; i++) {
          if (request.socket?.connecting === false) break;
          await new Promise(r => setTimeout(r, 5));
        }
      },
      () => {},
    );
    try {
      expect(describeHandle('socket', socket!, {rootDir: '/'} as never)).toBe(
        `TLS socket to 127.0.0.1:${port}, open, TLS handshake not done (0 bytes read)`,
      );
      expect(
        describeHandle('socket', request!.socket!, {rootDir: '/'} as never),
      ).toBe(
        `HTTPS GET to 127.0.0.1:${port}: TLS handshake not done, no response yet (0 bytes read)`,
      );
      const sockets = dumpOf(root).leaves.filter(l => l.kind === 'socket');
      expect(sockets).toHaveLength(2);
      // The plain server's side under it.
      const side = dumpOf(root).leaves.find(l => l.kind === 'server');
      expect(side?.what).toMatch(
        /^server on 127\.0\.0\.1:\d+ \(started outside this test\): it has written nothing to this connection/,
      );
    } finally {
      request?.destroy();
      closeRoot(root);
    }
  });

  test('TLS over a socket the test connected (`tls.connect({socket})`, as pg does): one socket leaf, the TLS one', async () => {
    const server = tls.createServer(credentials, s => void opened.push(s));
    servers.push(server);
    const port = await listen(server);
    const root = await recorded(
      async () => {
        const raw = net.connect(port, '127.0.0.1');
        const secure = tls.connect({socket: raw, ca, servername: 'localhost'});
        opened.push(raw, secure);
        await once(secure, 'secureConnect');
      },
      () => {},
    );
    try {
      // Both are recorded; the dump draws the one the program reads.
      expect(root.handles.size).toBe(2);
      const sockets = dumpOf(root).leaves.filter(l => l.kind === 'socket');
      expect(sockets.map(l => l.what)).toEqual([
        `TLS socket to 127.0.0.1:${port}, open, 0 bytes read`,
      ]);
    } finally {
      closeRoot(root);
    }
  });
});

describe("a TLS server's side", () => {
  const opened: net.Socket[] = [];
  const servers: net.Server[] = [];
  afterEach(() => {
    // The last opened first: a TLS socket before the socket it runs over
    // (Node 20 crashes, a segmentation fault, the other way round).
    for (const s of opened.splice(0).reverse()) s.destroy();
    for (const s of servers.splice(0)) s.close();
  });

  test("after the handshake: what the program wrote since, at its 'secureConnection' listener", async () => {
    const accepted: net.Socket[] = [];
    const secured: tls.TLSSocket[] = [];
    const server = tls.createServer(credentials, s => {
      opened.push(s);
      secured.push(s);
    });
    server.on('connection', s => accepted.push(s));
    servers.push(server);
    const port = await listen(server);
    const root = await recorded(
      async () => {
        const socket = tls.connect({port, host: '127.0.0.1', ca});
        opened.push(socket);
        await once(socket, 'secureConnect');
        if (secured.length === 0) await once(server, 'secureConnection');
      },
      () => {},
    );
    try {
      // The TLSSocket over the socket the server accepted.
      expect(accepted).toHaveLength(1);
      expect(secured).toHaveLength(1);
      expect(serverTlsSocketOver(accepted[0]) === secured[0]).toBe(true);
      const side = dumpOf(root).leaves.find(l => l.kind === 'server');
      // (Its listener's frame and words need the listener's position, which
      // this unit test's context does not map: test/e2e/io.test.ts has them.)
      expect(side?.what).toMatch(
        /^TLS server on 127\.0\.0\.1:\d+ \(started outside this test\): it has written nothing to this connection since the TLS handshake/,
      );
      secured[0].write('hello');
      await once(opened[0], 'data');
      expect(dumpOf(root).leaves.find(l => l.kind === 'server')?.what).toMatch(
        /: it has written 5 bytes to this connection since the TLS handshake, which is still open/,
      );
    } finally {
      closeRoot(root);
    }
  });

  test('a client that never sends its hello: the handshake not done, no listener', async () => {
    const server = tls.createServer(credentials, s => void opened.push(s));
    servers.push(server);
    const port = await listen(server);
    const root = await recorded(
      async () => {
        const socket = net.connect(port, '127.0.0.1');
        opened.push(socket);
        await once(socket, 'connect');
        await new Promise(r => setTimeout(r, 20));
      },
      () => {},
    );
    try {
      const side = dumpOf(root).leaves.find(l => l.kind === 'server');
      expect(side?.what).toBe(
        `TLS server on 127.0.0.1:${port} (started outside this test): the TLS handshake of this connection is not done`,
      );
      expect(side?.path.at(-1)?.name).not.toMatch(/listener/);
    } finally {
      closeRoot(root);
    }
  });
});
