import {
  BODY_WHAT,
  FETCH_WHAT,
  type FetchSocket,
  placeFetchSockets,
} from '../../src/core/dump/fetch-sockets';
import type {Frame, Leaf} from '../../src/core/types';

// Node's fetch() sockets joined to the fetch() calls they carry the requests
// of, on hand-built leaves: which socket goes under which call is read from
// the order of each call's promise and of the capture made in the call each
// socket's request comes from (dump/fetch-sockets.ts).

const frame = (name: string, line: number): Frame => ({
  name,
  file: 'test/api.test.js',
  line,
  column: 3,
  async: true,
});

// A dump's leaves share their frames: paths are compared frame by frame.
const frames = new Map<string, Frame>();
const at = (name: string, line: number): Frame => {
  const key = `${name}:${line}`;
  let f = frames.get(key);
  if (f === undefined) {
    f = frame(name, line);
    frames.set(key, f);
  }
  return f;
};

const CONNECT: Frame = {
  name: 'connect',
  file: 'node:internal/deps/undici/undici',
  line: 2671,
  column: 24,
  async: false,
};

const fetchLeaf = (line: number, extra: Partial<Leaf> = {}): Leaf => ({
  kind: 'promise',
  what: FETCH_WHAT,
  createdAt: null,
  path: [at('test', 1), at('load', line)],
  ageMs: 0,
  detached: false,
  ...extra,
});

const socket = (
  port: number,
  call?: number,
  state: FetchSocket['state'] = 'awaiting-headers',
): FetchSocket => {
  const walked: Leaf = {
    kind: 'socket',
    what: `socket to 127.0.0.1:${port}`,
    createdAt: null,
    path: [at('test', 1), at('listen', 90)],
    ageMs: 0,
    detached: false,
  };
  return {
    state,
    walked: [walked],
    via: CONNECT,
    leaf: {
      kind: 'socket',
      what: `socket to 127.0.0.1:${port}`,
      createdAt: null,
      ageMs: 0,
      detached: false,
    },
    ...(call !== undefined ? {call} : {}),
  };
};

/** The socket drawn under each fetch() leaf, by the fetch's line. */
const under = (leaves: Leaf[]): Record<number, string> => {
  const out: Record<number, string> = {};
  for (const l of leaves)
    if (l.kind === 'socket' && l.path.length === 3)
      out[l.path[1].line] = l.what;
  return out;
};

describe('placeFetchSockets', () => {
  test('one fetch() and one socket: joined, whatever is known of the order', () => {
    const f = fetchLeaf(10);
    const s = socket(4000);
    const leaves = [...s.walked, f];
    const moved = placeFetchSockets(leaves, [s], new Set(), new Map());
    expect(moved).toHaveLength(1);
    expect(under(leaves)).toEqual({10: 'socket to 127.0.0.1:4000'});
    expect(f.waiting).toBe(true);
    // The socket's leaf as walked (under the listen callback) is gone.
    expect(leaves).not.toContain(s.walked[0]);
  });

  test('two in flight: each socket under the fetch() made last before its call capture', () => {
    const a = fetchLeaf(10);
    const b = fetchLeaf(11);
    // a's promise at 100, its request's call capture at 104; b's at 110, 115.
    // The sockets are listed in the other order.
    const sb = socket(5000, 115);
    const sa = socket(4000, 104);
    const leaves = [...sb.walked, ...sa.walked, a, b];
    const moved = placeFetchSockets(
      leaves,
      [sb, sa],
      new Set(),
      new Map([
        [a, 100],
        [b, 110],
      ]),
    );
    expect(moved).toHaveLength(2);
    expect(under(leaves)).toEqual({
      10: 'socket to 127.0.0.1:4000',
      11: 'socket to 127.0.0.1:5000',
    });
  });

  test('a socket whose call is not known, or two sockets for one fetch(): not joined', () => {
    const a = fetchLeaf(10);
    const b = fetchLeaf(11);
    const c = fetchLeaf(12);
    const unknown = socket(4000);
    // Both after c's promise: which of them is c's cannot be told.
    const late1 = socket(5000, 130);
    const late2 = socket(6000, 131);
    const leaves = [
      ...unknown.walked,
      ...late1.walked,
      ...late2.walked,
      a,
      b,
      c,
    ];
    const moved = placeFetchSockets(
      leaves,
      [unknown, late1, late2],
      new Set(),
      new Map([
        [a, 100],
        [b, 110],
        [c, 120],
      ]),
    );
    expect(moved).toHaveLength(0);
    expect(under(leaves)).toEqual({});
    expect(a.waiting).toBeUndefined();
  });

  test('two calls drawn at one place (one line, no frame between them and the test): neither joined, and no socket goes to another call', () => {
    const a: Leaf = {...fetchLeaf(10), path: [at('test', 9)]};
    const b: Leaf = {...fetchLeaf(10), path: [{...at('test', 9), column: 40}]};
    const c = fetchLeaf(12);
    const sa = socket(4000, 104);
    const sb = socket(5000, 115);
    const leaves = [...sa.walked, ...sb.walked, a, b, c];
    const moved = placeFetchSockets(
      leaves,
      [sa, sb],
      new Set(),
      new Map([
        [c, 90],
        [a, 100],
        [b, 110],
      ]),
    );
    expect(moved).toHaveLength(0);
    expect(c.waiting).toBeUndefined();
  });

  test("undici's own promise drawn waiting above a joined fetch() goes; one above other work stays", () => {
    const f = fetchLeaf(10);
    const s = socket(4000);
    // undici's async wrapper of the call, awaited at the test's line 1.
    const wrapper: Leaf = {
      ...fetchLeaf(10),
      path: [at('test', 1)],
      waiting: true,
    };
    f.path = [at('test', 1), at('load', 10)];
    const leaves = [wrapper, ...s.walked, f];
    placeFetchSockets(leaves, [s], new Set([wrapper]), new Map());
    expect(leaves).not.toContain(wrapper);

    // Work of undici's waiting on something that is no fetch() joined: kept.
    const g = fetchLeaf(20);
    const s2 = socket(4001);
    const busy: Leaf = {
      ...fetchLeaf(30),
      path: [at('test', 1), at('stream', 30)],
      waiting: true,
    };
    const below: Leaf = {
      kind: 'timer',
      what: 'setTimeout 1000 ms',
      createdAt: null,
      path: [at('test', 1), at('stream', 30), at('tick', 31)],
      ageMs: 0,
      detached: false,
    };
    const more = [busy, below, ...s2.walked, g];
    placeFetchSockets(more, [s2], new Set([busy]), new Map());
    expect(more).toContain(busy);
  });

  // A read of a whole body (text(), json()) still pending, and the socket
  // whose response's body is being read: the body comes on it.
  const bodyLeaf = (line: number): Leaf => ({
    ...fetchLeaf(line),
    what: BODY_WHAT,
  });

  test("one read of a body and one socket reading a response's body: joined; undici's read of it goes", () => {
    const read = bodyLeaf(10);
    const s = socket(4000, undefined, 'reading-body');
    // undici's own read of the body (its async iterator's next()).
    const pull: Leaf = {...fetchLeaf(10), what: 'promise, never settled'};
    const leaves = [...s.walked, read, pull];
    const moved = placeFetchSockets(
      leaves,
      [s],
      new Set([pull]),
      new Map(),
      new Set([read]),
    );
    expect(moved).toHaveLength(1);
    expect(under(leaves)).toEqual({10: 'socket to 127.0.0.1:4000'});
    expect(read.waiting).toBe(true);
    expect(leaves).not.toContain(pull);
    expect(leaves).not.toContain(s.walked[0]);
  });

  test("a socket reading a body goes under no fetch() waiting for headers, nor a headers' socket under a body's read", () => {
    const f = fetchLeaf(10);
    const read = bodyLeaf(11);
    const body = socket(4000, undefined, 'reading-body');
    const headers = socket(5000);
    const leaves = [...body.walked, ...headers.walked, f, read];
    placeFetchSockets(
      leaves,
      [body, headers],
      new Set(),
      new Map(),
      new Set([read]),
    );
    expect(under(leaves)).toEqual({
      10: 'socket to 127.0.0.1:5000',
      11: 'socket to 127.0.0.1:4000',
    });
  });

  test('two reads of bodies, or two sockets reading bodies: which is which is not known, none joined', () => {
    const a = bodyLeaf(10);
    const b = bodyLeaf(11);
    const s = socket(4000, undefined, 'reading-body');
    const leaves = [...s.walked, a, b];
    expect(
      placeFetchSockets(leaves, [s], new Set(), new Map(), new Set([a, b])),
    ).toHaveLength(0);
    const c = bodyLeaf(12);
    const s1 = socket(4001, undefined, 'reading-body');
    const s2 = socket(4002, undefined, 'reading-body');
    const more = [...s1.walked, ...s2.walked, c];
    expect(
      placeFetchSockets(more, [s1, s2], new Set(), new Map(), new Set([c])),
    ).toHaveLength(0);
    expect(c.waiting).toBeUndefined();
  });
});
