import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {SearchShare} from '../../src/environment/search-share';
import type {Waker} from '../../src/core/types';
import type {Origin} from '../../src/environment/waker-cache';

// Processes of one run: this one, and a live other one (Jest's parent of this
// worker). A process that has ended: one that did.
const LIVE = process.ppid;
const GONE = Number(
  spawnSync(process.execPath, [
    '-e',
    'process.stdout.write(String(process.pid))',
  ]).stdout,
);

const WAKER: Waker = {
  kind: 'object',
  what: 'its resolve function is kept in Client.pending (a Map)',
  short: 'kept in Client.pending (a Map)',
};
const ORIGIN: Origin = {
  rootType: 'test',
  rootName: 'query 0',
  testPath: 'a.test.js',
};

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'taskdump-unit-'));
});
afterEach(() => fs.rmSync(dir, {recursive: true, force: true}));

const key = SearchShare.keyOf('project', 'promise\nsrc/db.js:9:12');

test('the first process to claim a cause searches it; another live one waits for its finding', () => {
  const mine = new SearchShare(dir);
  const theirs = new SearchShare(dir, LIVE);
  expect(theirs.claim(key)).toBe('mine');
  expect(mine.claim(key)).toBe('theirs');
  // Claiming again is idempotent for the claimant.
  expect(theirs.claim(key)).toBe('mine');
  theirs.publish(key, {waker: WAKER, origin: ORIGIN});
  expect(mine.await(key, 1000)).toEqual({
    pid: LIVE,
    waker: WAKER,
    origin: ORIGIN,
  });
});

test('a cause of another project, or another leaf, is claimed apart', () => {
  new SearchShare(dir, LIVE).claim(key);
  const mine = new SearchShare(dir);
  expect(
    mine.claim(SearchShare.keyOf('other', 'promise\nsrc/db.js:9:12')),
  ).toBe('mine');
  expect(
    mine.claim(SearchShare.keyOf('project', 'promise\nsrc/db.js:9:13')),
  ).toBe('mine');
});

test('a claim of a process that has ended (an earlier run, a crash) is taken over, and its finding is not used', () => {
  const gone = new SearchShare(dir, GONE);
  expect(gone.claim(key)).toBe('mine');
  gone.publish(key, {waker: WAKER, origin: ORIGIN});
  const mine = new SearchShare(dir);
  expect(mine.await(key, 1000)).toBeUndefined();
  expect(mine.claim(key)).toBe('mine');
  expect(new SearchShare(dir, LIVE).claim(key)).toBe('theirs');
});

test('no finding to reuse (a search that failed, was skipped, or found a relation): the waiter decides for itself at once', () => {
  const theirs = new SearchShare(dir, LIVE);
  theirs.claim(key);
  theirs.publish(key, {});
  const started = Date.now();
  expect(new SearchShare(dir).await(key, 5000)).toBeUndefined();
  expect(Date.now() - started).toBeLessThan(1000);
});

test('nothing published: the waiter stops after its time', () => {
  new SearchShare(dir, LIVE).claim(key);
  const started = Date.now();
  expect(new SearchShare(dir).await(key, 200)).toBeUndefined();
  expect(Date.now() - started).toBeGreaterThanOrEqual(190);
});

test('"nothing found" is a finding: later leaves say nothing either', () => {
  const theirs = new SearchShare(dir, LIVE);
  theirs.claim(key);
  theirs.publish(key, {waker: null, origin: ORIGIN});
  expect(new SearchShare(dir).await(key, 1000)).toMatchObject({waker: null});
});

test('without a directory (no reporter of ours), nothing is shared', () => {
  new SearchShare(undefined, LIVE).claim(key);
  const mine = new SearchShare(undefined);
  expect(mine.claim(key)).toBe('mine');
  expect(mine.await(key, 1000)).toBeUndefined();
  expect(fs.readdirSync(dir)).toEqual([]);
});
