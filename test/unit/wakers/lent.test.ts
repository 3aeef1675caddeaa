import {type AddressInfo, createServer, type Server, Socket} from 'node:net';
import type {Leaf} from '../../../src/core/types';
import {promiseLeaf, searchThisProcess} from './live';

// A pool's resource not given back (wakers/lent.ts), read from this process's
// heap: a pool keeps every connection in `all` and the idle ones in `idle`
// (arrays both), and the resolve functions of those waiting for one in
// `waiting`. A connection's socket is a handle of the dump: when the pool
// lent the connection (in `all`, not in `idle`), the socket is what the
// waiter waits on, and says how it belongs to the pool.

class Connection {
  constructor(
    readonly socket: Socket,
    readonly pool: Pool,
    listens: boolean,
  ) {
    // A connection that hears its socket close gives itself back: its
    // socket then reaches the pool through it.
    if (listens) socket.on('close', () => this.pool.release(this));
  }
}

class Pool {
  all: Connection[] = [];
  idle: Connection[] = [];
  waiting: Array<(c: Connection) => void> = [];

  add(socket: Socket, listens: boolean): Connection {
    const c = new Connection(socket, this, listens);
    this.all.push(c);
    return c;
  }

  acquire(): Promise<Connection> {
    const c = this.idle.pop();
    if (c !== undefined) return Promise.resolve(c);
    return new Promise(resolve => this.waiting.push(resolve));
  }

  release(c: Connection): void {
    const next = this.waiting.shift();
    if (next !== undefined) next(c);
    else this.idle.push(c);
  }
}

const kept: unknown[] = [];
let server: Server;
const sockets: Socket[] = [];

beforeAll(async () => {
  server = createServer(s => sockets.push(s));
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise(r => server.close(r));
});

async function connected(): Promise<Socket> {
  const {port} = server.address() as AddressInfo;
  const s = new Socket();
  sockets.push(s);
  await new Promise<void>(r => s.connect(port, '127.0.0.1', r));
  return s;
}

const socketLeaf = (): Leaf => ({
  kind: 'socket',
  what: 'socket',
  createdAt: null,
  path: [],
  ageMs: 0,
  detached: true,
});

async function search(
  listens: boolean,
  giveBack: boolean,
): Promise<{waiter: Leaf; socket: Leaf; fed: boolean}> {
  const pool = new Pool();
  const socket = await connected();
  const c = pool.add(socket, listens);
  if (giveBack) pool.idle.push(c);
  // Another waiter ahead, for the one given back: both wait.
  if (giveBack) pool.waiting.push(() => {});
  const promise = new Promise<Connection>(r => pool.waiting.push(r));
  kept.push(pool, promise);
  await new Promise(r => setTimeout(r, 10));
  const waiter = promiseLeaf('acquire');
  const leaf = socketLeaf();
  const {feeds} = searchThisProcess(
    [{leaf: waiter, promise, constructed: true}],
    [{leaf, handle: socket}],
  );
  return {
    waiter,
    socket: leaf,
    fed: feeds.some(f => f.handle === leaf && f.promise === waiter),
  };
}

test('a connection lent and kept: its socket feeds the waiter, kept by a Connection the Pool keeps in all, not in idle', async () => {
  const {socket, fed} = await search(false, false);
  expect(fed).toBe(true);
  expect(socket.lent).toEqual({
    via: 'kept',
    member: 'Connection',
    holder: 'Pool',
    in: 'all',
    notIn: ['idle'],
  });
});

test('a connection whose socket reaches the pool through it: it reaches the Pool through a Connection kept in all, not in idle', async () => {
  const {socket, fed} = await search(true, false);
  expect(fed).toBe(true);
  expect(socket.lent).toEqual({
    via: 'reaches',
    member: 'Connection',
    holder: 'Pool',
    in: 'all',
    notIn: ['idle'],
  });
});

test('a connection given back (in idle too) is not said lent', async () => {
  const {socket} = await search(false, true);
  expect(socket.lent).toBeUndefined();
  const listening = await search(true, true);
  expect(listening.socket.lent).toBeUndefined();
});
