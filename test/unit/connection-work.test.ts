import {
  moveConnectionWork,
  noteConnectionWork,
} from '../../src/core/dump/connection-work';
import {nestFed} from '../../src/core/dump/fed';
import {EventEmitter} from 'node:events';
import {describeHandle, serverAddress} from '../../src/core/handles';
import type {Frame, Leaf, TaskDump} from '../../src/core/types';
import {frame} from './frames';

const leaf = (
  kind: Leaf['kind'],
  what: string,
  path: Frame[],
  more: Partial<Leaf> = {},
): Leaf => ({
  kind,
  what,
  createdAt: null,
  path,
  ageMs: 0,
  detached: false,
  ...more,
});

// A server's 'data' callback of one accepted socket, not traced back to the
// test: drawn under that connection's server side, and only that one's.
describe('moveConnectionWork', () => {
  test("moves the detached leaves that began in the socket's callbacks under the side; others stay", () => {
    const [a, b] = [{}, {}];
    const side = leaf('server', 'server side of a', [
      frame('test'),
      frame('listener'),
    ]);
    const ofA = leaf(
      'promise',
      'lookup a',
      [frame('onData'), frame('lookup')],
      {
        detached: true,
      },
    );
    const ofB = leaf(
      'promise',
      'lookup b',
      [frame('onData'), frame('lookup')],
      {
        detached: true,
      },
    );
    const other = leaf('promise', 'unrelated', [frame('cb')], {detached: true});
    noteConnectionWork(ofA, a);
    noteConnectionWork(ofB, b);
    const leaves = [side, ofA, ofB, other];
    expect(moveConnectionWork(leaves, side, a)).toBe(true);
    expect(ofA.path.map(f => f.name)).toEqual([
      'test',
      'listener',
      'onData',
      'lookup',
    ]);
    expect(ofA.detached).toBe(false);
    expect(ofB.detached).toBe(true);
    expect(other.path.map(f => f.name)).toEqual(['cb']);
    // Moved once: a second side of the same socket takes nothing.
    expect(moveConnectionWork(leaves, leaf('server', 'again', []), a)).toBe(
      false,
    );
  });

  test('a leaf traced back to the test (not detached) is not moved', () => {
    const s = {};
    const side = leaf('server', 'side', [frame('test')]);
    const traced = leaf('promise', 'p', [frame('test'), frame('x')]);
    noteConnectionWork(traced, s);
    expect(moveConnectionWork([side, traced], side, s)).toBe(false);
  });
});

describe('nestFed: two promises each found keeping the other', () => {
  test('neither is drawn under the other', () => {
    const a = leaf('promise', 'lookup a', [frame('a'), frame('lookup')]);
    const b = leaf('promise', 'lookup b', [frame('b'), frame('lookup')]);
    const dump = {leaves: [a, b], elapsedMs: 1000} as unknown as TaskDump;
    expect(
      nestFed(dump, [
        {handle: a, promise: b},
        {handle: b, promise: a},
      ]),
    ).toEqual([]);
    expect(a.path.map(f => f.name)).toEqual(['a', 'lookup']);
    expect(b.path.map(f => f.name)).toEqual(['b', 'lookup']);
  });
});

describe('serverAddress', () => {
  test.each([
    [{address: '127.0.0.1', family: 'IPv4', port: 4000}, '127.0.0.1:4000'],
    [{address: '::', family: 'IPv6', port: 4000}, '[::]:4000'],
    [{address: '::1', family: 6, port: 80}, '[::1]:80'],
    ['/tmp/app.sock', '/tmp/app.sock'],
    [null, null],
  ])('%j: %s', (a, expected) => {
    expect(serverAddress({address: () => a})).toBe(expected);
  });
});

describe("an HTTP client's socket with no request on it", () => {
  // Node nulls `_httpMessage` both when the agent takes a kept-alive socket
  // back and once a connection is upgraded.
  const socket = (reader: boolean, ws: boolean) => {
    const s = Object.assign(new EventEmitter(), {
      _httpMessage: null,
      parser: null,
      remoteAddress: '127.0.0.1',
      remotePort: 4000,
      bytesRead: 129,
    });
    if (reader) s.on('data', () => {});
    if (ws) Object.assign(s, {[Symbol('websocket')]: new EventEmitter()});
    return s;
  };
  test('back in its pool (nothing reads it): no leaf', () => {
    expect(
      describeHandle('socket', socket(false, false), {rootDir: '/'}),
    ).toBeNull();
  });
  test('upgraded, read by a WebSocket of ws', () => {
    expect(describeHandle('socket', socket(true, true), {rootDir: '/'})).toBe(
      'socket to 127.0.0.1:4000 (upgraded from HTTP: a WebSocket), open, 129 bytes read',
    );
    expect(describeHandle('socket', socket(true, false), {rootDir: '/'})).toBe(
      'socket to 127.0.0.1:4000 (upgraded from HTTP), open, 129 bytes read',
    );
  });
});
