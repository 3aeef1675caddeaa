import dgram from 'node:dgram';
import {once} from 'node:events';
import {describeUdp, isUdpSocket, udpOpen, udpRef} from '../../src/core/udp';

// A dgram Socket's state, read from Node's own state symbol (core/udp.ts).

test('a bound socket: where, whether anything listens, whether it keeps the process up; closed, none of it', async () => {
  const socket = dgram.createSocket('udp4');
  expect(isUdpSocket(socket)).toBe(true);
  expect(describeUdp(socket)).toBe('UDP socket, not bound');
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  const {port} = socket.address();
  expect(describeUdp(socket)).toBe(
    `UDP socket bound to 127.0.0.1:${port}, no 'message' listener: what is sent to it is dropped`,
  );
  socket.on('message', () => {});
  expect(describeUdp(socket)).toBe(`UDP socket bound to 127.0.0.1:${port}`);
  expect(udpOpen(socket)).toBe(true);
  expect(udpRef(socket)).toBe(true);
  socket.unref();
  expect(udpRef(socket)).toBe(false);
  await new Promise<void>(resolve => socket.close(resolve));
  expect(udpOpen(socket)).toBe(false);
  expect(describeUdp(socket)).toBeNull();
});

test('a connected socket says where to', async () => {
  const peer = dgram.createSocket('udp4');
  peer.bind(0, '127.0.0.1');
  await once(peer, 'listening');
  const socket = dgram.createSocket('udp4');
  socket.on('message', () => {});
  socket.connect(peer.address().port, '127.0.0.1');
  await once(socket, 'connect');
  try {
    expect(describeUdp(socket)).toMatch(
      new RegExp(
        `^UDP socket bound to 127\\.0\\.0\\.1:\\d+, connected to 127\\.0\\.0\\.1:${peer.address().port}$`,
      ),
    );
  } finally {
    socket.close();
    peer.close();
  }
});

test('a net socket or a plain object is no UDP socket', () => {
  expect(isUdpSocket({type: 'udp4'})).toBe(false);
  expect(isUdpSocket({})).toBe(false);
});
