/**
 * `leaks`: what a test file's tests and hooks left open, found after its last
 * hook (circus's `run_finish`, before Jest builds the file's result), handed
 * to the reporter, and with `leaks: 'fail'` failing the test that opened each.
 *
 * Never makes a run worse: if listing them fails, the file's results are left
 * as they are and the report says so in one line.
 */
import {now} from '../core/clock';
import path from 'node:path';
import type {PositionMapper} from '../core/callsites';
import {isCircus, isMachinery} from '../core/machinery';
import {
  type Found,
  type Owner,
  SHORT_TIMER_MS,
  listLeftovers,
} from '../core/leftover-list';
import {aliveObjects} from '../core/leftover-state';
import {
  countKinds,
  renderLeftoverReport,
  renderLeftoverTrees,
} from '../core/leftover-render';
import {
  LEFTOVERS_KIND,
  LEFTOVERS_VERSION,
  type Leftover,
  type LeftoverReport,
} from '../core/leftover-types';
import {
  type Ledger,
  closeLedger,
  openLedger,
  tidyLedger,
} from '../core/leftovers';
import {displayPath} from '../core/callsites';
import type {Root} from '../core/record';
import {recordWatchers} from '../core/watchers';
import {sendLeftovers} from '../reporter/handoff';
import {type Terminal, terminalStyles} from '../reporter/terminal';
import {messageOf} from './errors';
import {closing} from './closing';

// Tests may fake these; keep the real ones.
const {setTimeout} = globalThis;

/**
 * How long a file's end waits at most for what is still open to close: what
 * was told to close and has not yet (a child sent a kill signal, a socket
 * ended on our side, a server closing), and what closes on its own a moment
 * after the last hook (a client socket reading the end of a connection the
 * last hook closed on the server's side, the timer a library clears when that
 * socket closes).
 */
const CLOSING_MS = 200;

/**
 * What is found open is listed once the list has not changed for this long
 * and nothing on it is closing (so a file that leaves something open ends at
 * least this much later).
 */
const QUIET_MS = 50;

/** What {@link Leaks} needs from the environment. */
export interface LeaksHost {
  mode: 'warn' | 'fail';
  rootDir: string;
  /** Absolute path of the test file. */
  testPath: string;
  terminal: Terminal;
  /** Maps positions through the source maps Jest uses (asked at the end). */
  mapPosition(): PositionMapper;
}

/** Who opened something, and where a failure for it goes. */
interface Target {
  owner: Owner;
  /**
   * The lists an Error is pushed onto with `leaks: 'fail'`, read then (circus
   * replaces a test's `errors` array when the test ends).
   */
  errors: () => unknown[][];
}

/** One test file's leftovers: from setup to teardown. */
export class Leaks {
  private ledger: Ledger | undefined;
  private stopWatchers: (() => void) | undefined;
  /**
   * The file's tests and hooks, by Root, while anything refers to the Root
   * (a capture of a promise still alive, an entry of the ledger): work a
   * test started can go on after it ended (a retry loop whose test timed
   * out), and is still its own.
   */
  private targets = new WeakMap<Root, Target>();
  private found: Found[] = [];
  private finished = false;

  constructor(private readonly host: LeaksHost) {}

  /** At setup: the recorder hands every timer and handle to the ledger. */
  start(): void {
    this.ledger = openLedger();
    this.stopWatchers = recordWatchers();
  }

  /** When a test or hook ends: what closed is dropped from the ledger. */
  tidy(): void {
    if (this.ledger === undefined) return;
    tidyLedger(this.ledger);
  }

  /** A test or hook's Root, when it starts: who it is, where it fails. */
  own(root: Root, owner: Owner, errors: () => unknown[][]): void {
    this.targets.set(root, {owner, errors});
  }

  /**
   * After the file's last hook: lists what is still open, fails its tests with
   * `'fail'`, and hands the report to the reporter (or prints it).
   */
  async finish(): Promise<void> {
    if (this.ledger === undefined || this.finished) return;
    this.finished = true;
    const testPath = displayPath(this.host.testPath, this.host.rootDir);
    let report: LeftoverReport = {
      kind: LEFTOVERS_KIND,
      version: LEFTOVERS_VERSION,
      testPath,
      leftovers: [],
      mode: this.host.mode,
    };
    try {
      this.found = await this.settled();
      report.leftovers = this.found.map(f => f.leftover);
      if (this.host.mode === 'fail') this.fail(testPath);
    } catch (e) {
      this.found = [];
      report = {
        ...report,
        leftovers: [],
        error: `jest-taskdump: could not list what ${testPath} left open (${messageOf(e).split('\n')[0]}). This is a bug in jest-taskdump.`,
      };
    }
    if (report.leftovers.length === 0 && report.error === undefined) return;
    if (sendLeftovers(report, this.host.testPath)) return;
    // No reporter of ours to print it under the file's results.
    try {
      process.stderr.write(
        `\n${renderLeftoverReport(report, {
          styles: terminalStyles(this.host.terminal.level),
          width: this.host.terminal.columns,
        })}\n\n`,
      );
    } catch {
      // stderr closed: nothing left to tell.
    }
  }

  /** At teardown: stops recording; what stays open is not the next file's. */
  stop(): void {
    this.stopWatchers?.();
    this.stopWatchers = undefined;
    if (this.ledger !== undefined) {
      const open = this.found.flatMap(f => {
        const native = (f.object as {_handle?: unknown})._handle;
        return typeof native === 'object' && native !== null
          ? [f.object, native]
          : [f.object];
      });
      closeLedger(this.ledger, open);
    }
    this.ledger = undefined;
    this.targets = new WeakMap();
    this.found = [];
  }

  /**
   * What is open once it stops closing (see {@link CLOSING_MS} and
   * {@link QUIET_MS}): what was listed, less what closed meanwhile (read
   * every 10 ms from Node's fields, without listing again).
   */
  private async settled(): Promise<Found[]> {
    // With the timers due soon: one a loop sets again through a socket's
    // callback (a client retrying a refused connection every 100 ms) is the
    // loop's, and the only sign of it at a given moment.
    const first = this.list();
    if (first.length === 0) return first;
    const before = aliveObjects(this.ledger!.entries);
    let found = first;
    const start = now();
    let changed = start;
    while (now() < start + CLOSING_MS) {
      const waits = found.some(f => f.soon === true || closing(f.object));
      if (!waits && now() >= changed + QUIET_MS) break;
      await new Promise(resolve => setTimeout(resolve, 10));
      const alive = aliveObjects(this.ledger!.entries);
      // Something opened while it waited (a client reconnecting every few
      // ms): the file's work goes on, and what was open when it ended is
      // listed, the timers due soon too.
      const fresh = this.ledger!.entries.filter(
        e => alive.has(e.object) && !before.has(e.object),
      );
      if (fresh.length > 0) return first.map(goesOn);
      const open = found.filter(f => alive.has(f.object));
      if (open.length !== found.length) changed = now();
      found = open;
      if (found.length === 0) break;
    }
    return found.filter(f => f.soon !== true);
  }

  private list(): Found[] {
    return listLeftovers(
      this.ledger!.entries,
      {
        rootDir: this.host.rootDir,
        testPath: this.host.testPath,
        mapPosition: this.host.mapPosition(),
        isMachinery,
        isRunner: isCircus,
        now: now(),
        ownerOf: root => this.targets.get(root)?.owner,
      },
      true,
    );
  }

  /**
   * `leaks: 'fail'`: one Error per test or hook that left something open, in
   * its test's errors (an All hook's: the file's), as circus places a hook's
   * failure. Jest builds the file's result after this, so the test is reported
   * as failed (reporters that listen to each test case as it ends have already
   * heard it pass).
   */
  private fail(testPath: string): void {
    const byRoot = new Map<Root, Leftover[]>();
    for (const f of this.found) {
      const list = byRoot.get(f.root);
      if (list === undefined) byRoot.set(f.root, [f.leftover]);
      else list.push(f.leftover);
    }
    for (const [root, list] of byRoot) {
      const target = this.targets.get(root);
      // Concurrent tests share one record: which of them opened it is not
      // known, so none is failed for it (it is listed).
      if (target === undefined || target.owner.concurrent !== undefined)
        continue;
      const text =
        `jest-taskdump: it left ${countKinds(list)} open, and \`leaks\` is 'fail':\n\n` +
        renderLeftoverTrees(list, testPath, {
          styles: terminalStyles(this.host.terminal.level),
          // Jest indents a failure's message by 4 columns.
          width: Math.max(40, this.host.terminal.columns - 4),
        });
      const error = new Error(text);
      // One frame, where the first was opened: Jest shows its code there (it
      // hides a frame named `<anonymous>`, so an arrow function's is named as
      // Node names a module's). With none, such a hidden frame keeps the text
      // whole.
      const at = list.find(l => l.createdAt !== null)?.createdAt;
      error.stack =
        at && !at.file.startsWith('node:')
          ? `${text}\n    at ${at.name === '<anonymous>' ? 'Object.<anonymous>' : at.name} (${path.resolve(this.host.rootDir, at.file)}:${at.line}:${at.column})`
          : `${text}\n    at <anonymous> (jest-taskdump:0:0)`;
      Object.defineProperty(error, 'leftovers', {
        value: list,
        enumerable: true,
        writable: true,
        configurable: true,
      });
      for (const errors of target.errors()) errors.push(error);
    }
  }
}

/**
 * A timer due soon, listed because the file's work went on while the list
 * was read (more was opened: a client retrying a refused connection every
 * 100 ms sets a timer, opens a socket, sets the timer again). Said so,
 * instead of when it fires (it has, or is about to); which of what was
 * opened its callback started is not followed.
 */
function goesOn(f: Found): Found {
  if (f.soon !== true) return f;
  const what = f.leftover.what.replace(/, fires in [^;]*$/, '');
  const {firesInMs: _fired, ...rest} = f.leftover;
  return {
    ...f,
    leftover: {
      ...rest,
      what: `${what}, due within ${SHORT_TIMER_MS} ms when this list was read; the file's work went on meanwhile (more was opened)`,
      keepsAlive: null,
    },
  };
}
