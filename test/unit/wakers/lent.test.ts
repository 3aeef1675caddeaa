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

// A pool with no list of free ones (workerpool's): its workers in an array,
// the tasks waiting for one in a queue. A worker in the array keeps its
// handle: the queued task waits on it. The same array in an object that
// keeps the waiter in a field of its own, no queue, says nothing.
class Worker {
  constructor(readonly socket: Socket) {}
}

class TaskPool {
  workers: Worker[] = [];
  queue: Array<{resolve: (v: number) => void}> = [];

  run(): Promise<number> {
    return new Promise(resolve => this.queue.push({resolve}));
  }
}

class Call {
  children: Worker[] = [];
  listener: {done?: (v: number) => void} = {};

  run(): Promise<number> {
    return new Promise(resolve => (this.listener.done = resolve));
  }
}

async function searchWorker(
  make: (w: Worker) => {run(): Promise<number>},
): Promise<Leaf> {
  const socket = await connected();
  const holder = make(new Worker(socket));
  const promise = holder.run();
  kept.push(holder, promise);
  await new Promise(r => setTimeout(r, 10));
  const leaf = socketLeaf();
  const waiter = promiseLeaf('run');
  const {feeds} = searchThisProcess(
    [{leaf: waiter, promise, constructed: true}],
    [{leaf, handle: socket}],
  );
  if (feeds.some(f => f.handle === leaf)) return leaf;
  return {...leaf, what: 'not fed'};
}

test('a worker of a pool that queues its tasks and has no free list: its handle feeds the task, kept by a Worker that a TaskPool keeps in workers', async () => {
  const leaf = await searchWorker(w => {
    const pool = new TaskPool();
    pool.workers.push(w);
    return pool;
  });
  expect(leaf.what).toBe('socket');
  expect(leaf.lent).toEqual({
    via: 'kept',
    member: 'Worker',
    holder: 'TaskPool',
    in: 'workers',
    notIn: [],
  });
});

test('the same array in an object that keeps the waiter in a field, no queue: nothing said, not fed', async () => {
  const leaf = await searchWorker(w => {
    const call = new Call();
    call.children.push(w);
    return call;
  });
  expect(leaf.lent).toBeUndefined();
  expect(leaf.what).toBe('not fed');
});
