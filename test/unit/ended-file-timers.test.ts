import net from 'node:net';
import vm from 'node:vm';
import {takeDump} from '../../src/core/dump';
import {
  closeRoot,
  createRoot,
  enterRoot,
  leaveRoot,
  startRecording,
} from '../../src/core/record';
import {endRealm, realmOf} from '../../src/core/realms';
import type {Leaf} from '../../src/core/types';
import {unitContext} from './context';

// What an earlier test file left running (ioredis's reconnect loop: its
// timer, set before this test, dials from a `process.nextTick`, and the
// refused socket's 'close' listener sets the next timer) is no part of a
// later test's dump when its timer's callback is that file's code, however
// the chain that set it reached the test (src/core/realms.ts).
describe("an ended file's timer in a dump", () => {
  let stop: () => void;
  beforeAll(() => {
    stop = startRecording();
  });
  afterAll(() => stop());

  /** The timer leaves of a dump taken once the loop set its next timer. */
  async function loop(reconnect: () => () => void): Promise<Leaf[]> {
    const root = createRoot();
    const state: {timer?: NodeJS.Timeout} = {};
    let closed: () => void = () => {};
    const done = new Promise<void>(r => (closed = r));
    const dial = () =>
      process.nextTick(() => {
        const socket = net.connect(1, '127.0.0.1');
        socket.on('error', () => {});
        socket.once('close', () => {
          state.timer = setTimeout(reconnect(), 60_000);
          closed();
        });
      });
    // Set before the test began.
    setTimeout(dial, 5);
    try {
      enterRoot(root);
      await done;
      leaveRoot(root);
      return takeDump(root, unitContext(__filename)).leaves.filter(
        l => l.kind === 'timer',
      );
    } finally {
      clearTimeout(state.timer);
      closeRoot(root);
    }
  }

  test("a timer whose callback is an ended file's code is left out; this file's is drawn", async () => {
    expect(await loop(() => () => {})).toHaveLength(1);
    const realm = vm.createContext({});
    endRealm(realmOf(() => vm.runInContext('({})', realm)));
    const earlier = vm.runInContext(
      '(() => () => {})',
      realm,
    ) as () => () => void;
    expect(await loop(earlier)).toEqual([]);
  });
});
