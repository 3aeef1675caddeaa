import fs from 'node:fs';
import net from 'node:net';
import {
  closeRoot,
  createRoot,
  enterRoot,
  leaveRoot,
  startRecording,
  type Root,
} from '../../src/core/record';
import {takeDump} from '../../src/core/dump';
import type {Leaf} from '../../src/core/types';
import {unitContext} from './context';

// A wait made in a callback of fs's callback API goes on through the request
// to the code that made it (src/core/record/requests.ts): readFile's callback
// runs in the last of the four requests it makes (open, stat, read, close),
// each made in the callback of the one before.

let stop: () => void;
let root: Root;
beforeEach(() => {
  stop = startRecording({captureBurst: 10_000, capturesPerSecond: 0});
  root = createRoot();
});
afterEach(() => {
  closeRoot(root);
  stop();
});

const kept: unknown[] = [];

/** A wait nothing settles, chained on as a callback API's user would. */
function waitForReload(): Promise<void> {
  return new Promise<void>(() => {});
}

function loadConfig(file: string, done: () => void): void {
  fs.readFile(file, () => {
    kept.push(waitForReload().then(() => {}));
    done();
  });
}

function statThenWait(file: string, done: () => void): void {
  fs.stat(file, () => {
    kept.push(waitForReload().then(() => {}));
    done();
  });
}

/**
 * Connects where nothing listens, and waits on a reload when the connection
 * fails: its 'error' is emitted from a `process.nextTick` made in the
 * connect's callback.
 */
function connectThenWait(done: () => void): void {
  const socket = net.connect(1, '127.0.0.1');
  socket.on('error', () => {
    kept.push(waitForReload().then(() => {}));
    done();
  });
}

const names = (l: Leaf): string[] => l.path.map(f => f.name);

/** The one leaf made by `start`'s callback, the Root active until it ran. */
async function leafOf(start: (done: () => void) => void): Promise<Leaf> {
  enterRoot(root);
  await new Promise<void>(resolve => start(resolve));
  leaveRoot(root);
  const {leaves} = takeDump(root, unitContext(__filename));
  const made = leaves.filter(l => l.createdAt?.name === 'waitForReload');
  expect(made).toHaveLength(1);
  return made[0];
}

test("a wait made in readFile's callback: through its four requests to the call of readFile", async () => {
  const leaf = await leafOf(done => loadConfig(__filename, done));
  const path = names(leaf);
  expect(path.slice(-4)).toEqual([
    'loadConfig',
    'fs.readFile callback',
    '<anonymous>',
    'waitForReload',
  ]);
  const via = leaf.path[path.indexOf('fs.readFile callback')];
  // At the call of readFile.
  expect(via.line).toBe(leaf.path[path.indexOf('loadConfig')].line);
});

test("a wait made in stat's callback: through its request", async () => {
  const leaf = await leafOf(done => statThenWait(__filename, done));
  expect(names(leaf).slice(-4)).toEqual([
    'statThenWait',
    'fs.stat callback',
    '<anonymous>',
    'waitForReload',
  ]);
});

test("a wait made in a refused connection's 'error' listener: through the tick and the connect request to net.connect, not taken for a timer's", async () => {
  const leaf = await leafOf(connectThenWait);
  const path = names(leaf);
  expect(path.slice(-3)).toEqual([
    'connect callback',
    '<anonymous>',
    'waitForReload',
  ]);
  expect(path).toContain('connectThenWait');
});

test('a request made while no Root was active is not followed', async () => {
  // Made outside the Root; its callback runs under it.
  const called = new Promise<void>(resolve =>
    statThenWait(__filename, resolve),
  );
  enterRoot(root);
  await called;
  leaveRoot(root);
  const {leaves} = takeDump(root, unitContext(__filename));
  const made = leaves.filter(l => l.createdAt?.name === 'waitForReload');
  expect(made).toHaveLength(1);
  expect(names(made[0])).toEqual(['<anonymous>', 'waitForReload']);
});

// proper-lockfile's update loop left by an earlier test: its timer fires while
// no test runs, its callback makes an fs request, and that request's callback
// runs, and sets the next timer, while a later test runs. That is the earlier
// test's work, traced back through the request to the timer that made it.
test("a request an earlier Root's timer made while no Root was active: what its callback makes under a later Root is not that Root's", async () => {
  const earlier = createRoot();
  enterRoot(earlier);
  const called = new Promise<void>(resolve => {
    setTimeout(() => {
      // No Root active: made outside; the later Root starts before its
      // callback runs.
      statThenWait(__filename, resolve);
      enterRoot(root);
    }, 1);
  });
  leaveRoot(earlier);
  await called;
  leaveRoot(root);
  closeRoot(earlier);
  const {leaves} = takeDump(root, unitContext(__filename));
  expect(leaves.filter(l => l.createdAt?.name === 'waitForReload')).toEqual([]);
});
