import diagnostics from 'node:diagnostics_channel';
import http2 from 'node:http2';
import type {AddressInfo, Socket} from 'node:net';
import {
  clientStreamsWords,
  serverStreamState,
  serverStreams,
  serverStreamsWords,
  sessionOf,
  streamsOf,
  waitingStreams,
} from '../../src/core/http2';

// Read from live sessions: the raw sockets Node publishes (the client's) and
// hands the server's 'connection' listeners.
describe('an HTTP/2 connection, read from its sockets', () => {
  let server: http2.Http2Server;
  let serverSocket: Socket | undefined;
  let clientSocket: Socket | undefined;
  let session: http2.ClientHttp2Session;
  const onSocket = (m: unknown): void => {
    clientSocket ??= (m as {socket: Socket}).socket;
  };

  beforeAll(async () => {
    server = http2.createServer();
    server.on('connection', (s: Socket) => (serverSocket = s));
    server.on('stream', (stream, headers) => {
      if (headers[':path'] === '/answered') stream.respond({':status': 200});
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    diagnostics.subscribe('net.client.socket', onSocket);
    session = http2.connect(
      `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    );
    for (const path of ['/answered', '/never', '/never']) {
      const req = session.request({':path': path, ':method': 'GET'});
      req.end();
    }
    await new Promise(resolve => setTimeout(resolve, 200));
  });
  afterAll(async () => {
    diagnostics.unsubscribe('net.client.socket', onSocket);
    session.destroy();
    await new Promise(resolve => server.close(resolve));
  });

  test('each socket keeps its session, with its side', () => {
    expect(sessionOf(clientSocket!)?.side).toBe('client');
    expect(sessionOf(serverSocket!)?.side).toBe('server');
    expect(sessionOf({})).toBeUndefined();
  });

  test('the client says its open streams by method, never by path', () => {
    const {session: s} = sessionOf(clientSocket!)!;
    expect([...streamsOf(s).keys()]).toEqual([1, 3, 5]);
    expect(clientStreamsWords(s)).toBe('3 streams open (3 GET)');
  });

  test('the server says which streams it has not answered; both ends number them alike', () => {
    const {session: s} = sessionOf(serverSocket!)!;
    const states = [...streamsOf(s)].map(([id, st]) => [
      id,
      serverStreamState(st),
    ]);
    expect(states).toEqual([
      [1, {answered: true, status: 200}],
      [3, {answered: false, status: null}],
      [5, {answered: false, status: null}],
    ]);
  });
  test("the server's open streams in a line, by state; a client socket says nothing of them", () => {
    const streams = serverStreams([serverSocket!, clientSocket!])!;
    expect(waitingStreams(streams)).toBe(3);
    expect(serverStreamsWords(streams)).toBe(
      '2 streams not answered, 1 response not ended (status 200)',
    );
    expect(serverStreams([clientSocket!])).toBeUndefined();
    expect(serverStreamsWords({unanswered: 0, unfinished: new Map()})).toBe(
      'no stream waiting',
    );
  });
});
