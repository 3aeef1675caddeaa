import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import {PassThrough} from 'node:stream';
import readline from 'node:readline/promises';
import type {WakerSubject} from '../../src/core/wakers';
import {requestLacks} from '../../src/core/wakers/request-words';
import type {Leaf} from '../../src/core/types';
import {promiseLeaf as leafOf, searchThisProcess} from './wakers/live';

// What a request of Node's own waits for (a readline question's line, an HTTP
// request's socket and handshake), on a live heap of this process: one
// snapshot for every case. The holder is named from Node's own fields (the
// question's callback on the Interface; the request's socket, its Agent's
// queue), never from a package's name.

const port = (s: net.Server): number => (s.address() as net.AddressInfo).port;

describe("what a request of Node's own waits for", () => {
  const leaves: Record<string, Leaf> = {};
  const cleanup: Array<() => void> = [];

  beforeAll(async () => {
    const subjects: WakerSubject[] = [];
    const add = (name: string, promise: Promise<unknown>): void => {
      promise.catch(() => {});
      leaves[name] = leafOf(name);
      subjects.push({leaf: leaves[name], promise, constructed: true});
    };
    // readline/promises: a question on an input nobody writes to; one whose
    // Interface was closed after it was asked (closing does not settle it on
    // Node 20); one with a signal (its callback closes over the resolve
    // function).
    const question = (): [readline.Interface, PassThrough] => {
      const input = new PassThrough();
      const rl = readline.createInterface({input, output: new PassThrough()});
      cleanup.push(() => rl.close());
      return [rl, input];
    };
    add('question', question()[0].question('name? '));
    const [closed] = question();
    add('closed', closed.question('name? '));
    closed.close();
    const signal = new AbortController();
    add('signal', question()[0].question('name? ', {signal: signal.signal}));
    // An agent with one socket, held by a response nobody reads: the second
    // request is queued in the agent.
    const server = http.createServer((req, res) => res.end('ok'));
    await new Promise<void>(done => server.listen(0, '127.0.0.1', done));
    cleanup.push(() => (server.closeAllConnections(), server.close()));
    const agent = new http.Agent({keepAlive: true, maxSockets: 1});
    cleanup.push(() => agent.destroy());
    const get = (agent: http.Agent): Promise<http.IncomingMessage> =>
      new Promise((resolve, reject) =>
        http
          .get(`http://127.0.0.1:${port(server)}/`, {agent}, resolve)
          .on('error', reject),
      );
    await get(agent);
    add('queued', get(agent));
    // https to a TCP server that never answers the TLS hello.
    const mute = net.createServer(() => {});
    await new Promise<void>(done => mute.listen(0, '127.0.0.1', done));
    cleanup.push(() => mute.close());
    add(
      'handshake',
      new Promise((resolve, reject) => {
        const req = https
          .get(
            `https://127.0.0.1:${port(mute)}/`,
            {rejectUnauthorized: false},
            resolve,
          )
          .on('error', reject);
        cleanup.push(() => req.destroy());
      }),
    );
    // One that sends the start of a TLS record, and no more.
    const partial = net.createServer(s => s.write(Buffer.from([22, 3, 3])));
    await new Promise<void>(done => partial.listen(0, '127.0.0.1', done));
    cleanup.push(() => partial.close());
    add(
      'partial',
      new Promise((resolve, reject) => {
        const req = https
          .get(
            `https://127.0.0.1:${port(partial)}/`,
            {rejectUnauthorized: false},
            resolve,
          )
          .on('error', reject);
        cleanup.push(() => req.destroy());
      }),
    );
    await new Promise(r => setTimeout(r, 100));
    searchThisProcess(subjects);
  }, 120_000);

  afterAll(() => cleanup.forEach(f => f()));

  test('a readline question waits for a line on its Interface, not for its input to end', () => {
    expect(leaves.question.waker).toMatchObject({
      kind: 'event',
      what: 'waits for a line on a readline Interface: none has come since the question was asked',
      short: 'waits for a line on a readline Interface',
    });
    expect(leaves.signal.waker?.what).toBe(
      'waits for a line on a readline Interface: none has come since the question was asked',
    );
  });

  test('a question on an Interface closed since it was asked: closing it did not settle the question', () => {
    expect(leaves.closed.waker?.what).toBe(
      'waits for a line on a readline Interface: none has come since the question was asked, and the Interface was closed after, which did not settle it',
    );
  });

  test('a request queued in its Agent: no socket yet, all the sockets it may have are in use', () => {
    expect(leaves.queued.waker).toMatchObject({
      kind: 'event',
      what: "waits for 'response' on a ClientRequest (an EventEmitter): it has no socket yet: it is queued in its Agent, whose 1 socket to the same server (maxSockets 1) is in use",
      short: "waits for 'response' on a ClientRequest",
    });
  });

  test('an https request whose TLS handshake has not completed', () => {
    expect(leaves.handshake.waker).toMatchObject({
      kind: 'event',
      what: "waits for 'response' on a ClientRequest (an EventEmitter): its socket is connected, but its TLS handshake has not completed (0 bytes read from the server)",
    });
    // Its TCP socket's bytes: a TLS socket's own bytesRead counts only what
    // it decrypted.
    expect(leaves.partial.waker?.what).toMatch(
      /handshake has not completed \(3 bytes read from the server\)$/,
    );
  });
});

describe('what a request queued in its Agent is said to lack', () => {
  const queued = {
    ahead: 0,
    inUse: 1,
    maxSockets: 1,
    open: 1,
    maxTotalSockets: null,
  };
  test.each([
    [
      'behind others, sockets to the same server all in use',
      {...queued, ahead: 2, inUse: 4, maxSockets: 4},
      'it has no socket yet: it is queued in its Agent behind 2 other requests, whose 4 sockets to the same server (maxSockets 4) are in use',
    ],
    [
      'the Agent at its limit in all',
      {...queued, inUse: 0, maxSockets: null, open: 8, maxTotalSockets: 8},
      'it has no socket yet: it is queued in its Agent, which has 8 sockets open (maxTotalSockets 8)',
    ],
    [
      'neither limit reached (sockets freed since): nothing more is said',
      {...queued, inUse: 0},
      'it has no socket yet: it is queued in its Agent',
    ],
  ])('%s', (_, q, words) => {
    expect(requestLacks({socket: false, queued: q}, 'response')).toBe(words);
  });

  test("a request's 'close' or 'finish' is not said to wait for a socket", () => {
    expect(requestLacks({socket: false}, 'close')).toBeNull();
    expect(requestLacks({socket: false}, 'response')).toBe(
      'it has no socket yet',
    );
  });
});
