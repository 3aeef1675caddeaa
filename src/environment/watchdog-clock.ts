/**
 * How long the main thread has been blocked, as the watchdog thread counts
 * it: the time since its last beat, less the time it spent waiting for a
 * processor meanwhile. On a machine busier than its cores (a CI runner, a
 * parallel build), the main thread can stand still for seconds with nothing
 * blocking it; only the time it ran, or slept in a call that does not return
 * (`execSync`, `Atomics.wait`), counts toward a block.
 *
 * The wait is read from Linux's `/proc/<pid>/task/<pid>/schedstat` (its
 * second field: nanoseconds spent runnable, waiting on a run queue). Where
 * there is no such file (other systems, a kernel without scheduler
 * statistics), a block is the wall time since the beat, as before.
 */
import fs from 'node:fs';

/** Reads the main thread's run-queue wait so far, in ms; undefined if none. */
export type WaitReader = () => number | undefined;

/** The main thread's run-queue wait, from /proc (Linux). */
export function mainThreadWait(
  pid: number = process.pid,
  read: (file: string) => string = file => fs.readFileSync(file, 'latin1'),
): WaitReader {
  const file = `/proc/${pid}/task/${pid}/schedstat`;
  let missing = false;
  return () => {
    if (missing) return undefined;
    try {
      const ns = Number(read(file).trim().split(/\s+/)[1]);
      if (Number.isFinite(ns)) return ns / 1e6;
    } catch {
      // No such file: not Linux, or no scheduler statistics.
    }
    missing = true;
    return undefined;
  };
}

/** Below this long since the last beat, the wait is not read. */
const QUIET_MS = 100;

/** The blocked time of the main thread since its last beat. */
export class BlockClock {
  private beat = Number.NaN;
  private waitAtBeat: number | undefined;

  constructor(private readonly wait: WaitReader) {}

  /**
   * How long the main thread has been blocked at `now`, its last beat at
   * `beat` (both in the watchdog's ms). The wait is taken at the first call
   * that sees a beat: the watchdog polls more often than the main thread
   * beats.
   */
  blockedMs(beat: number, now: number): number {
    // A beat within the last two is no block: nothing to read.
    if (beat === this.beat && now - beat < QUIET_MS) return now - beat;
    const wait = this.wait();
    if (beat !== this.beat) {
      this.beat = beat;
      this.waitAtBeat = wait;
    }
    const waited =
      wait === undefined || this.waitAtBeat === undefined
        ? 0
        : wait - this.waitAtBeat;
    return Math.max(0, now - beat - waited);
  }
}
