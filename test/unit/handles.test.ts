import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import {spawn, spawnSync, type ChildProcess} from 'node:child_process';
import {once} from 'node:events';
import {commandShape} from '../../src/core/command-shape';
import {describeHandle} from '../../src/core/handles';
import {
  closeRoot,
  createRoot,
  enterRoot,
  leaveRoot,
  startRecording,
  type Root,
} from '../../src/core/record';
import {takeDump} from '../../src/core/dump';
import {unitContext} from './context';

describe('commandShape: the executable and the shape of its arguments, never their values', () => {
  const rootDir = '/app';
  const files = new Set([
    '/app',
    '/app/src/server.js',
    '/app/config/dev.json',
    '/app/scripts',
    '/home/ci/.cache/tool/cli.js',
  ]);
  const shape = (file: string, args: string[], cwds = ['/app']): string =>
    commandShape(file, args, {rootDir, cwds, exists: p => files.has(p)});

  // Rows without their own directories are looked up in /app.
  test.each<[string, string, string[], string[]] | [string, string, string[]]>([
    [
      'node src/server.js --port …',
      '/usr/bin/node',
      ['server.js', '--port', '4000'],
      ['/app/src'],
    ],
    [
      'node src/server.js --port …',
      'node',
      ['src/server.js', '--port', '4000'],
    ],
    [
      'node src/server.js --token=…',
      '/usr/bin/node',
      ['/app/src/server.js', '--token=abc'],
    ],
    [
      'node src/server.js --config=config/dev.json',
      'node',
      ['src/server.js', '--config=config/dev.json'],
    ],
    ['node -e …', 'node', ['-e', 'setTimeout(() => {}, 60000)']],
    [
      'tool -v -rf -p… -D… -x…',
      'tool',
      ['-v', '-rf', '-p4000', '-Dkey=value', '-x=1'],
    ],
    [
      'git … --amend -m …',
      'git',
      ['commit', '--amend', '-m', 'secret message'],
    ],
    ['bash -c "rm -rf …"', 'bash', ['-c', 'rm -rf /tmp/x']],
    [
      'sh -c "TOKEN=… node src/server.js && curl -s … | grep …"',
      '/bin/sh',
      [
        '-c',
        'TOKEN=abc node src/server.js && curl -s http://x/?q=1 | grep secret',
      ],
    ],
    ['tool -- - … …', 'tool', ['--', '-', '-1', '']],
    [
      'sh -c "node src/server.js --port … --token=…"',
      '/bin/sh',
      ['-c', 'node src/server.js --port 4000 --token=s3cr3t'],
    ],
    [
      'node …/cli.js scripts',
      'node',
      ['/home/ci/.cache/tool/cli.js', 'scripts'],
    ],
    ['scripts/run.sh …', '/app/scripts/run.sh', ['hunter2']],
    ['node .', 'node', ['.']],
    ['node …', 'node', ['/etc/passwd-that-is-not-there']],
  ])('%s', (...row: unknown[]) => {
    const [expected, file, args, cwds] = row as [
      string,
      string,
      string[],
      string[] | undefined,
    ];
    expect(shape(file, args, cwds)).toBe(expected);
  });

  test('a relative path is looked up in each directory given, in order', () => {
    expect(shape('node', ['server.js'], ['/elsewhere', '/app/src'])).toBe(
      'node src/server.js',
    );
    expect(shape('node', ['server.js'], [])).toBe('node …');
  });

  test('real files: the existing ones are kept, the rest is not', () => {
    const repo = path.resolve(__dirname, '..', '..');
    expect(
      commandShape(process.execPath, [__filename, '--x', 'no-such-file.ts'], {
        rootDir: repo,
        cwds: [repo],
      }),
    ).toBe('node test/unit/handles.test.ts --x …');
  });
});

describe('describeHandle', () => {
  const rootDir = process.cwd();
  const closers: Array<() => void> = [];
  afterEach(() => {
    for (const close of closers.splice(0)) close();
  });

  async function serve(
    handler: http.RequestListener,
  ): Promise<{server: http.Server; port: number}> {
    const server = http.createServer(handler);
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => {
      server.closeAllConnections();
      server.close();
    });
    return {server, port: (server.address() as net.AddressInfo).port};
  }

  const until = async (f: () => boolean): Promise<void> => {
    for (let i = 0; i < 200 && !f(); i++)
      await new Promise(r => setTimeout(r, 5));
  };

  function get(
    port: number,
    url = '/x?secret=1',
    method = 'GET',
  ): http.ClientRequest {
    const req = http.request({
      host: '127.0.0.1',
      port,
      path: url,
      method,
      agent: new http.Agent({keepAlive: true}),
    });
    req.on('error', () => {});
    closers.push(() => req.destroy());
    return req;
  }

  test('a request never answered, on both ends; no path or query', async () => {
    const {server, port} = await serve(() => {});
    const req = get(port);
    req.end();
    await until(
      () =>
        server.listenerCount('request') > 0 &&
        (server as unknown as {_connections: number})._connections === 1 &&
        req.socket?.connecting === false,
    );
    await new Promise(r => setTimeout(r, 50));
    expect(describeHandle('socket', req.socket!, {rootDir})).toBe(
      `HTTP GET to 127.0.0.1:${port}: no response yet (0 bytes read)`,
    );
    expect(describeHandle('server', server, {rootDir})).toBe(
      `HTTP server listening on 127.0.0.1:${port}: 1 request not answered (GET)`,
    );
  });

  test('headers, then a body that never ends; a response that was read in full is not shown', async () => {
    const {server, port} = await serve((req, res) => {
      if (req.url === '/full') return void res.end('done');
      res.writeHead(201, {'content-length': 5000});
      res.write('x'.repeat(1000));
    });
    const stalled = get(port, '/stall', 'POST');
    stalled.end();
    let res: http.IncomingMessage | undefined;
    stalled.on('response', r => (res = r).resume());
    await until(() => (stalled.socket?.bytesRead ?? 0) > 1000);
    const read = stalled.socket!.bytesRead;
    expect(describeHandle('socket', stalled.socket!, {rootDir})).toBe(
      `HTTP POST to 127.0.0.1:${port}: response headers received (status 201), body not ended after ${read} bytes of the response read, headers included`,
    );
    expect(res?.statusCode).toBe(201);
    expect(describeHandle('server', server, {rootDir})).toBe(
      `HTTP server listening on 127.0.0.1:${port}: 1 response not ended (POST, status 201)`,
    );

    const full = get(port, '/full');
    full.end();
    const [fullRes] = (await once(full, 'response')) as [http.IncomingMessage];
    fullRes.resume();
    await once(fullRes, 'end');
    await new Promise(r => setImmediate(r));
    // Back in its agent's pool (keep-alive): it waits on nothing.
    expect(
      describeHandle('socket', full.socket ?? fullRes.socket, {rootDir}),
    ).toBeNull();
    expect(describeHandle('server', server, {rootDir})).toBe(
      `HTTP server listening on 127.0.0.1:${port}: 1 response not ended (POST, status 201); 1 more connection open`,
    );
  });

  test('a body that arrived in full but is never read; a request the client never ended', async () => {
    const {server, port} = await serve((req, res) => {
      if (req.method === 'PUT') return;
      res.end('ok');
    });
    const unread = get(port);
    unread.end();
    const [res] = (await once(unread, 'response')) as [http.IncomingMessage];
    await until(() => res.complete);
    expect(describeHandle('socket', unread.socket!, {rootDir})).toBe(
      `HTTP GET to 127.0.0.1:${port}: response received in full (status 200), but nothing reads its body`,
    );
    res.pause();
    expect(describeHandle('socket', unread.socket!, {rootDir})).toBe(
      `HTTP GET to 127.0.0.1:${port}: response received in full (status 200), but its body stream is paused`,
    );

    const open = get(port, '/upload', 'PUT');
    open.write('part');
    await until(
      () =>
        open.socket?.connecting === false &&
        (server as unknown as {_connections: number})._connections === 2,
    );
    await new Promise(r => setTimeout(r, 50));
    expect(describeHandle('socket', open.socket!, {rootDir})).toBe(
      `HTTP PUT to 127.0.0.1:${port}: request not ended (end() not called), no response yet`,
    );
    expect(describeHandle('server', server, {rootDir})).toBe(
      `HTTP server listening on 127.0.0.1:${port}: 1 request not answered (PUT, its body not fully received); 1 more connection open`,
    );
  });

  test('a closed server still waiting for a connection; a plain TCP server and socket', async () => {
    const {server, port} = await serve(() => {});
    const req = get(port);
    req.end();
    await until(
      () => (server as unknown as {_connections: number})._connections === 1,
    );
    await new Promise(r => setTimeout(r, 50));
    server.close();
    expect(describeHandle('server', server, {rootDir})).toBe(
      'HTTP server closed, waiting for its connections to end: 1 request not answered (GET)',
    );

    const tcp = net.createServer(() => {});
    await new Promise<void>(resolve => tcp.listen(0, '127.0.0.1', resolve));
    closers.push(() => tcp.close());
    const tcpPort = (tcp.address() as net.AddressInfo).port;
    expect(describeHandle('server', tcp, {rootDir})).toBe(
      `server listening on 127.0.0.1:${tcpPort}, no connection open`,
    );
    const socket = net.connect(tcpPort, '127.0.0.1');
    closers.push(() => socket.destroy());
    expect(describeHandle('socket', socket, {rootDir})).toBe(
      'socket, still connecting',
    );
    await once(socket, 'connect');
    expect(describeHandle('socket', socket, {rootDir})).toBe(
      `socket to 127.0.0.1:${tcpPort}, open, 0 bytes read`,
    );
    socket.destroy();
    expect(describeHandle('socket', socket, {rootDir})).toBeNull();
  });

  test('child processes: running, killed, exited; an exited one whose output a process it started holds', async () => {
    const kill = (c: ChildProcess): void =>
      void closers.push(() => c.kill('SIGKILL'));
    const running = spawn(
      process.execPath,
      ['-e', 'setTimeout(() => {}, 30000)', '--token=abc'],
      {stdio: 'ignore'},
    );
    kill(running);
    await once(running, 'spawn');
    expect(describeHandle('child-process', running, {rootDir})).toBe(
      `child process node -e … --token=… (pid ${running.pid}), still running`,
    );
    running.kill('SIGSTOP');
    running.kill('SIGTERM');
    expect(describeHandle('child-process', running, {rootDir})).toBe(
      `child process node -e … --token=… (pid ${running.pid}), still running (a kill signal was sent)`,
    );
    running.kill('SIGKILL');
    await once(running, 'exit');
    expect(describeHandle('child-process', running, {rootDir})).toBeNull();

    // The grandchild keeps the pipe open after the child exits; 'close' waits
    // for it.
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `require('child_process').spawn(process.execPath, ['-e', 'setTimeout(() => {}, 5000)'], {stdio: ['ignore', 'inherit', 'ignore']}).unref()`,
      ],
      {stdio: ['ignore', 'pipe', 'ignore']},
    );
    kill(holder);
    holder.stdout!.resume();
    await once(holder, 'exit');
    expect(describeHandle('child-process', holder, {rootDir})).toBe(
      `child process node -e … (pid ${holder.pid}), exited with code 0, but its stdout is still open`,
    );
    holder.stdout!.destroy();
  });

  test('a relative path argument is looked up where the child runs (Linux)', async () => {
    if (process.platform !== 'linux') return;
    const child = spawn(
      process.execPath,
      ['handles.test.ts', '-e', 'setTimeout(() => {}, 30000)'],
      {cwd: __dirname, stdio: 'ignore'},
    );
    closers.push(() => child.kill('SIGKILL'));
    await once(child, 'spawn');
    expect(
      describeHandle('child-process', child, {
        rootDir: path.resolve(__dirname, '..', '..'),
      }),
    ).toBe(
      `child process node test/unit/handles.test.ts -e … (pid ${child.pid}), still running`,
    );
  });

  test('never throws', () => {
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('no');
        },
        has() {
          throw new Error('no');
        },
      },
    );
    expect(describeHandle('socket', hostile, {rootDir})).toBe(
      'socket, state unknown',
    );
    expect(describeHandle('server', hostile, {rootDir})).toBe(
      'server, state unknown',
    );
    expect(describeHandle('child-process', hostile, {rootDir})).toBe(
      'child-process, state unknown',
    );
  });
});

describe('the request-start channel', () => {
  // Node 20 can lose a subscription to a channel whose module loads after an
  // earlier subscriber let go of it (record/io.ts, loadPublishers): a Jest
  // worker runs a test file that records before anything loads http, then one
  // that loads it. Needs a process of its own (a fresh http, --expose-gc).
  test('is still heard after an earlier recording let go of it before http loaded', () => {
    const record = path.join(__dirname, '../../dist/core/record/index.js');
    const script = `
      const record = require(${JSON.stringify(record)});
      record.startRecording()();
      setTimeout(() => {
        global.gc();
        const http = require('node:http');
        setTimeout(() => {
          global.gc();
          setTimeout(() => {
            const stop = record.startRecording();
            const root = record.createRoot();
            const server = http.createServer((q, r) => r.end('x'.repeat(1000)));
            const agent = new http.Agent({keepAlive: true});
            server.listen(0, '127.0.0.1', () => {
              const get = then => http.get(
                {host: '127.0.0.1', port: server.address().port, agent},
                res => { res.resume(); res.on('end', () => setImmediate(then, res)); },
              );
              record.enterRoot(root);
              get(() => get(res => {
                record.leaveRoot(root);
                console.log(res.req.reusedSocket, record.bytesReadBefore(res.req));
                stop();
                agent.destroy();
                server.close();
              }));
            });
          }, 20);
        }, 20);
      }, 20);`;
    const r = spawnSync(process.execPath, ['--expose-gc', '-e', script], {
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    const [reused, before] = r.stdout.trim().split(' ');
    expect(reused).toBe('true');
    // The first response, headers and all.
    expect(Number(before)).toBeGreaterThan(1000);
  });
});

describe('in a dump', () => {
  const dumpOf = (root: Root) => takeDump(root, unitContext(__filename));

  test('a socket made with `new net.Socket()`, then connected (pg), is recorded where it was connected and still reads; net.connect() once; no accepted socket', async () => {
    let accepted = 0;
    const server = net.createServer(s => {
      accepted++;
      s.write('hi');
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    const stop = startRecording();
    const root = createRoot();
    const sockets: net.Socket[] = [];
    try {
      enterRoot(root);
      const own = new net.Socket();
      own.connect(port, '127.0.0.1');
      sockets.push(own, net.connect(port, '127.0.0.1'));
      // Both read what the server wrote: the handle's `onread` still works.
      const chunks = await Promise.all(sockets.map(s => once(s, 'data')));
      expect(chunks.map(([c]) => String(c))).toEqual(['hi', 'hi']);
      for (let i = 0; i < 100 && accepted < 2; i++)
        await new Promise(r => setTimeout(r, 5));
      leaveRoot(root);
      expect(accepted).toBe(2);
      const recorded = [...root.handles.keys()];
      expect(recorded.map(h => sockets.indexOf(h as net.Socket))).toEqual([
        0, 1,
      ]);
      const leaves = dumpOf(root).leaves.filter(l => l.kind === 'socket');
      expect(leaves).toHaveLength(2);
      // Where each was connected, the second on the line after the first.
      const [mine, other] = leaves.map(l => l.createdAt);
      expect(mine?.file).toBe(path.relative(process.cwd(), __filename));
      expect(other?.file).toBe(mine?.file);
      expect(other!.line).toBe(mine!.line + 1);
    } finally {
      closeRoot(root);
      stop();
      for (const s of sockets) s.destroy();
      server.close();
    }
  });

  test('a request on a reused keep-alive socket counts the bytes of its own response', async () => {
    const server = http.createServer((req, res) => {
      if (req.url === '/first') return void res.end('x'.repeat(5000));
      res.writeHead(200, {'content-length': 5000});
      res.write('y'.repeat(100));
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    const agent = new http.Agent({keepAlive: true});
    const stop = startRecording();
    const root = createRoot();
    try {
      enterRoot(root);
      const get = (url: string): Promise<http.IncomingMessage> =>
        new Promise(resolve =>
          http.get({host: '127.0.0.1', port, path: url, agent}, resolve),
        );
      const first = await get('/first');
      first.resume();
      await once(first, 'end');
      const second = await get('/second');
      second.resume();
      leaveRoot(root);
      expect(
        (second as unknown as {req: http.ClientRequest}).req.reusedSocket,
      ).toBe(true);
      for (let i = 0; i < 100 && second.socket!.bytesRead < 5100; i++)
        await new Promise(r => setTimeout(r, 5));
      const whats = dumpOf(root)
        .leaves.filter(l => l.kind === 'socket')
        .map(l => l.what);
      expect(whats).toHaveLength(1);
      const m =
        /^HTTP GET to 127\.0\.0\.1:\d+: response headers received \(status 200\), body not ended after (\d+) bytes of the response read, headers included$/.exec(
          whats[0],
        );
      expect(m).not.toBeNull();
      // Its headers and 100 bytes of body, not the 5000 of the first response.
      expect(Number(m![1])).toBeGreaterThan(100);
      expect(Number(m![1])).toBeLessThan(1000);
    } finally {
      closeRoot(root);
      stop();
      agent.destroy();
      server.closeAllConnections();
      server.close();
    }
  });
});
