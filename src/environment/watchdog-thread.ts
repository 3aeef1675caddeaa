/**
 * The watchdog thread's main-thread handle: one thread per process, shared by
 * the environments (test files) the process runs, started at the first armed
 * test, with the unref'd beat that stores the time of the main thread's last
 * event-loop turn in the shared buffer.
 */
import path from 'node:path';
import {Worker, isMainThread} from 'node:worker_threads';
import {noteTurn, unrecorded} from '../core/record';
import {BEAT, BEAT_MS, SLOTS, type WatchdogData} from './watchdog-shared';

// Tests may fake or replace these; keep the real ones.
const {setInterval, clearInterval} = globalThis;
const dateNow = Date.now;

const WORKER_FILE = path.join(__dirname, 'watchdog-worker.js');
const POLL_MS = 25;

// jest-worker runs each worker process from this file (build/ in Jest 30,
// build/workers/ in Jest 29); Jest in band runs in the process that was
// started.
const WORKER_CHILD =
  /[\\/]jest-worker[\\/]build[\\/](?:workers[\\/])?processChild\.js$/;

export interface Thread {
  worker: Worker;
  shared: Int32Array;
  /** `Date.now()` when the thread started: the buffer's times count from it. */
  epoch: number;
  beat: ReturnType<typeof setInterval> | undefined;
}

let thread: Thread | undefined;

/** The thread, if one runs. */
export function runningThread(): Thread | undefined {
  return thread;
}

/** The thread, started if none runs, with its beat on and just stamped. */
export function beatingThread(): Thread {
  if (thread === undefined) thread = startThread();
  const t = thread;
  if (t.beat === undefined) {
    t.beat = setInterval(() => stamp(t), BEAT_MS);
    t.beat.unref();
  }
  stamp(t);
  return t;
}

/** Stops the beat (nothing is armed): the thread leaves once idle. */
export function stopBeat(): void {
  if (thread === undefined) return;
  clearInterval(thread.beat);
  thread.beat = undefined;
}

/** Drops a thread that is leaving or has left. */
export function forgetThread(t: Thread): void {
  clearInterval(t.beat);
  t.beat = undefined;
  if (thread === t) thread = undefined;
}

function startThread(): Thread {
  const buffer = new SharedArrayBuffer(SLOTS * Int32Array.BYTES_PER_ELEMENT);
  const shared = new Int32Array(buffer);
  const epoch = dateNow();
  const inWorker = WORKER_CHILD.test(process.argv[1] ?? '');
  const data: WatchdogData = {
    buffer,
    epoch,
    pollMs: POLL_MS,
    // An exit code other than these makes jest-worker run the file again, up
    // to three times (measured: jest-worker 30.5).
    exitCode: !isMainThread ? null : inWorker ? 143 : 1,
    inWorker,
  };
  // No stdio of its own: its output would go through the (blocked) main thread.
  // Not the program's: never a leaf of its dumps.
  const worker = unrecorded(
    () =>
      new Worker(WORKER_FILE, {
        workerData: data,
        stdout: true,
        stderr: true,
        name: 'jest-taskdump watchdog',
      }),
  );
  worker.unref();
  const started: Thread = {worker, shared, epoch, beat: undefined};
  worker.on('error', () => forgetThread(started));
  worker.on('exit', () => forgetThread(started));
  return started;
}

function stamp(t: Thread): void {
  Atomics.store(t.shared, BEAT, dateNow() - t.epoch);
  // The event loop turned: the recorder may refill its capture budget.
  noteTurn();
}
