/**
 * Waker searches shared between the test processes of one run. When a service
 * is down, every worker hangs at the same leaf at about the same moment, and
 * each would take a heap snapshot (seconds of CPU each, and 4 to 8 times its
 * heap in memory) to find the same thing. So a process about to search a
 * cause first claims it, in the directory the reporter made for the run
 * (reporter/handoff.ts): one file per cause, linked into place (only one
 * process can make it). The process that made it searches and publishes what
 * it found for the cause, in the same short form the process's own cache
 * reuses (waker-cache.ts); another process that hangs there waits for that
 * and says whose finding it is, as it does for one of its own tests.
 *
 * What keeps it true and safe:
 * - a finding is taken only while the process that published it is alive:
 *   the processes of one run (Jest ends its workers with the run), never a
 *   finding of an earlier run (`--watch`), whose code may have changed;
 * - a process that waits stops waiting when the one searching is gone or has
 *   published nothing it can use (its search failed, was skipped, or found a
 *   relation of its own test's branches), and after `WAIT_MS`; it then decides
 *   for itself, as without sharing (and may search);
 * - with no directory (no reporter: Jest's `reporters` without ours), nothing
 *   is shared.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type {Waker} from '../core/types';
import type {Origin} from './waker-cache';

/** What a process published for a cause. */
export interface SharedFinding {
  /** What was found (null: nothing; undefined: no finding to reuse). */
  waker?: Waker | null;
  origin?: Origin;
  /** The handles found feeding it (waker-cache.ts `handleSignature`). */
  fedBy?: readonly string[];
  /** The timers found to be timeouts above it (the same signatures). */
  timeouts?: readonly string[];
  /** Set aside: only a dropped `.then()` waits on it, settling none. */
  settlesNone?: boolean;
}

/** How long a process waits for another's search, at most (ms). */
export const WAIT_MS = 60_000;
/** How often it looks (ms). */
const POLL_MS = 25;

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * The searches of one run's processes, by cause.
 *
 * @example
 * const share = new SearchShare(dir);
 * if (share.claim(key) === 'mine') {
 *   search();
 *   share.publish(key, {waker, origin});
 * } else {
 *   const found = share.await(key); // another process's finding, or undefined
 * }
 */
export class SearchShare {
  constructor(
    private readonly dir: string | undefined,
    private readonly pid = process.pid,
  ) {}

  /** The file name of a cause: a hash of its project and signature. */
  static keyOf(project: string, signature: string): string {
    return crypto
      .createHash('sha1')
      .update(`${project}\0${signature}`)
      .digest('hex')
      .slice(0, 24);
  }

  /**
   * Claims a cause: 'mine' when this process is to search it (or nothing is
   * shared), 'theirs' when a live process of the run claimed it.
   */
  claim(key: string): 'mine' | 'theirs' {
    const file = this.file(key, 'claim');
    if (file === undefined) return 'mine';
    // Written aside, then linked: a claim is never seen empty.
    const temp = `${file}.${this.pid}`;
    try {
      fs.writeFileSync(temp, String(this.pid));
    } catch {
      return 'mine';
    }
    try {
      for (let attempt = 0; attempt < 2; attempt++) {
        try {
          fs.linkSync(temp, file);
          return 'mine';
        } catch (e) {
          if ((e as {code?: unknown}).code !== 'EEXIST') return 'mine';
        }
        const owner = readPid(file);
        if (owner === this.pid) return 'mine';
        if (isAlive(owner)) return 'theirs';
        // A process of an earlier run, or one that died: its claim and what
        // it published go.
        fs.rmSync(this.file(key, 'json')!, {force: true});
        fs.rmSync(file, {force: true});
      }
      return 'mine';
    } finally {
      fs.rmSync(temp, {force: true});
    }
  }

  /** Publishes this process's finding for a cause it claimed. */
  publish(key: string, finding: SharedFinding): void {
    const file = this.file(key, 'json');
    if (file === undefined) return;
    try {
      const temp = `${file}.${this.pid}`;
      fs.writeFileSync(temp, JSON.stringify({pid: this.pid, ...finding}));
      fs.renameSync(temp, file);
    } catch {
      // Then the others search for themselves.
    }
  }

  /**
   * Waits for the finding of another process's claim: undefined when there
   * is none to reuse (see the top of this file).
   */
  await(key: string, waitMs = WAIT_MS): SharedFinding | undefined {
    const claim = this.file(key, 'claim');
    const result = this.file(key, 'json');
    if (claim === undefined || result === undefined) return undefined;
    const until = Date.now() + waitMs;
    for (;;) {
      const owner = readPid(claim);
      let text: string | undefined;
      try {
        text = fs.readFileSync(result, 'utf8');
      } catch {
        // Not yet.
      }
      if (text !== undefined) {
        try {
          const found = JSON.parse(text) as SharedFinding & {pid?: number};
          if (found.pid !== owner || !isAlive(found.pid)) return undefined;
          return found.waker === undefined ? undefined : found;
        } catch {
          return undefined;
        }
      }
      if (owner === undefined || !isAlive(owner) || Date.now() >= until)
        return undefined;
      Atomics.wait(sleeper, 0, 0, POLL_MS);
    }
  }

  private file(key: string, ext: 'claim' | 'json'): string | undefined {
    if (this.dir === undefined || this.dir === '') return undefined;
    const dir = path.join(this.dir, 'searches');
    try {
      fs.mkdirSync(dir, {recursive: true});
    } catch {
      return undefined;
    }
    return path.join(dir, `${key}.${ext}`);
  }
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(file, 'utf8'));
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as {code?: unknown}).code === 'EPERM';
  }
}
