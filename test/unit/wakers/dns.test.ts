import dgram from 'node:dgram';
import {Resolver} from 'node:dns/promises';
import type {WakerSubject} from '../../../src/core/wakers';
import {promiseLeaf, searchThisProcess} from './live';

// A dns.promises query no server answers: Node's QueryReqWrap keeps its
// resolve function (and calls it from C++): the wait is said to be on the
// DNS query, not on "a QueryReqWrap" that nothing has called.

let socket: dgram.Socket;

beforeAll(done => {
  socket = dgram.createSocket('udp4');
  socket.bind(0, '127.0.0.1', done);
});

afterAll(() => socket.close());

test('a DNS query a silent server never answers is said to wait for its answer', async () => {
  const resolver = new Resolver({timeout: 60_000, tries: 1});
  resolver.setServers([`127.0.0.1:${socket.address().port}`]);
  const promise = resolver.resolve4('example.invalid');
  promise.catch(() => {});
  const leaf = promiseLeaf('query');
  const subjects: WakerSubject[] = [{leaf, promise, constructed: false}];
  await new Promise(r => setTimeout(r, 50));
  try {
    searchThisProcess(subjects);
    expect(leaf.waker?.what).toMatch(
      /^kept by Node's DNS query \(a QueryReqWrap, sent by c-ares\): it settles when a DNS server answers it, and none has/,
    );
    expect(leaf.waker?.what).not.toContain('example.invalid');
  } finally {
    resolver.cancel();
  }
}, 60_000);
