/**
 * The shared runs: fixtures whose tests only read what a run prints (dumps,
 * end-of-run list, outcomes) are run together, once per `npm test`, by the
 * global setup (test/global-setup.ts): each set below with `jest -i --projects
 * ...` and with `jest -w=2 --projects ...`. Test files read a fixture's part of
 * a stored run with `sharedRun(fixture, ['-i'])` (test/e2e/run.ts).
 *
 * To add a fixture to the shared runs: add its directory name to one of the
 * sets. A fixture whose test files are another fixture's (a `rootDir` pointing
 * elsewhere) needs a `displayName` in its config, so that its results can be
 * told apart (fixtures/babel, fixtures/swc).
 *
 * Why several sets, not one: each hung test of a fixture with `wakers` on
 * takes a heap snapshot (several seconds on a loaded machine), so the fixtures
 * with many hung tests each have a set (and process) of their own, and the
 * sets run two at a time. Those fixtures set `wakersBudgetPercent` high, so
 * that every hang is explained whatever the machine's speed. The fixtures with
 * `wakers: false` make no snapshot.
 *
 * A fixture that needs its own run stays out: its own options, environment
 * variables or reporters, a signal, a comparison of whole outputs, a blocked
 * event loop.
 */
import path from 'node:path';
import type {TaskDump} from '../../src/core/types';

// Longest first (their -i runs, as npm test measured them on 2026-12-06:
// libraries 131 s (its -w=2 run 62 s, its hung tests in two files of about
// 30 each), core 42 s, wakers 21 s, environments 16 s, io 15 s, seed 15 s,
// cases 13 s): the global setup makes every -i run in this order, then
// every -w=2 run, two at a time, so the other runs share the second lane
// while the longest runs.
export const SHARED_SETS: Readonly<Record<string, readonly string[]>> = {
  // Hand-written shapes of libraries the program did not write (rxjs,
  // DataLoader, streams, queues, pools, sockets): 64 hung tests.
  libraries: ['library-shapes'],
  core: [
    // The core fixtures: one program each, `wakers: false`.
    'deferred',
    'events-once',
    'timers-promises',
    'hooks',
    'done-callback',
    'two-hung',
    'passing',
    'callback-chain',
    'mixed',
    // The seed fixture's files through babel-jest and @swc/jest (their tree
    // must be the reference's: test/e2e/transformers.test.ts).
    'babel',
    'swc',
    // A fan-out with long names (wrapping: test/e2e/terminal.test.ts).
    'reporter',
    // A committed snapshot of a dump (jest-taskdump/serializer).
    'serializer',
    // Limits of docs/limits.md as they are (test/e2e/limits.test.ts): about
    // 20 hung tests, 3 of them with a waker search (the files that turn it
    // on: wakers, fetch-timeout, fetch-events).
    'limits',
    // Retry loops whose attempts fail (test/e2e/retry.test.ts).
    'retry',
    // Many inputs stuck alike, capped (test/e2e/alike.test.ts).
    'alike',
    // An earlier test's client reconnecting (test/e2e/earlier-work.test.ts).
    'reconnect',
  ],
  // What could settle each stuck promise (13 hung tests).
  wakers: ['wakers'],
  // Environments (jest-taskdump/jsdom, a project's own environment class) and
  // Jest's fake timers: 6 hung tests.
  environments: ['jsdom', 'custom-env', 'fake-timers'],
  // Sockets, servers, child processes (5 waker searches, one of them long).
  io: ['io'],
  // The seed program: ts-jest with its full type-check, the reference. Alone:
  // the type-checker's program stays in the test process's heap, and makes a
  // heap snapshot there (a waker search) many times slower.
  seed: ['seed'],
  // The leaves of the core issue, in JavaScript (15 hung tests and hooks).
  cases: ['cases'],
};

export const SHARED_FIXTURES: readonly string[] =
  Object.values(SHARED_SETS).flat();

/** The set a shared fixture is in. */
export function setOf(fixture: string): string | undefined {
  return Object.keys(SHARED_SETS).find(s => SHARED_SETS[s].includes(fixture));
}

/** The worker counts each shared set is run with. */
export const SHARED_WORKERS: readonly string[][] = [['-i'], ['-w=2']];

export const REPO = path.resolve(__dirname, '..', '..');

/** Where the global setup keeps the shared runs' outputs. */
export const RUNS_DIR = path.join(REPO, '.tmp', 'runs');

/**
 * The cache directory of every Jest the tests spawn, wiped by the global setup
 * once per run.
 */
export const CACHE_DIR = path.join(REPO, '.jest-cache');

/** `.tmp/runs/core-i.json` for set `core` with `-i`, `core-w2.json`... */
export function sharedRunFile(set: string, args: readonly string[]): string {
  const slug = args.join(' ').replace(/[^a-z0-9]+/gi, '');
  return path.join(RUNS_DIR, `${set}-${slug}.json`);
}

/** One test file's result in a shared run (test/e2e/shared-reporter.js). */
export interface SharedFile {
  /** The fixture: its `displayName`, else its rootDir's name. */
  fixture: string;
  rootDir: string;
  testFilePath: string;
  /** The file's header, as the default reporter prints it after PASS/FAIL. */
  header: string;
  failed: boolean;
  numFailingTests: number;
  numPassingTests: number;
  numPendingTests: number;
  numTodoTests: number;
  snapshot: {matched: number; unmatched: number; added: number};
  testExecError: string | null;
  tests: Array<{fullName: string; status: string}>;
  /** The file's dumps, as jest-taskdump's reporter received them. */
  dumps: TaskDump[];
}

/** What the global setup stores for one shared run. */
export interface StoredRun {
  set: string;
  args: string[];
  fixtures: string[];
  command: string[];
  status: number | null;
  signal: string | null;
  /** Set when the run could not be made (spawn error, timeout). */
  error: string | null;
  stdout: string;
  stderr: string;
  files: SharedFile[] | null;
  durationMs: number;
}
