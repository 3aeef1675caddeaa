/**
 * What a `worker_threads` Worker made under a test is doing, in one line, at
 * dump time: its thread id, and how much of the time since the thread came
 * online its event loop was idle (`worker.performance.eventLoopUtilization()`:
 * the thread's own counters, read from the main thread). An event loop idle
 * nearly all that time waits for events of its own (a message, a timer, I/O);
 * one never idle runs code or is blocked in a synchronous call. Never what the
 * worker runs, which its Worker object does not keep, nor what it was given.
 */
import {duration} from './words';

/** The parts of a Worker read here (Node 18.19 to 24). */
interface WorkerLike {
  threadId?: unknown;
  performance?: {eventLoopUtilization?: () => {idle: number; active: number}};
}

/**
 * Whether a Worker's thread runs (Node sets an exited one's `threadId` to -1).
 */
export function threadRuns(w: object): boolean {
  const id = (w as WorkerLike).threadId;
  return typeof id === 'number' && id >= 0;
}

/**
 * One line for a worker thread still running, or null once it has exited
 * (Node sets its `threadId` to -1). `before`: when it was started, for a
 * thread another test or hook started (`before this test`).
 *
 * @example
 * describeWorker(worker);
 * // 'worker thread 2, running: its event loop idle 99% of the 1.4 s since
 * // it started'
 */
export function describeWorker(w: object, before?: string): string | null {
  if (!threadRuns(w)) return null;
  const o = w as WorkerLike;
  const head = `worker thread ${o.threadId as number}${before !== undefined ? ` (started ${before})` : ''}`;
  const elu = o.performance?.eventLoopUtilization?.();
  if (elu === undefined) return `${head}, running`;
  const total = elu.idle + elu.active;
  if (!(total > 0)) return `${head}, starting (not online yet)`;
  // Rounded down: 99.6% idle is not "100% idle".
  const idle = Math.floor((elu.idle / total) * 100);
  const share = `${head}, running: its event loop idle ${idle}% of the ${duration(total)} since it started`;
  // Not idle is not only running code: a thread blocked in a synchronous call
  // (`Atomics.wait()`, as piscina's idle threads wait for a task) is not idle
  // either.
  return idle >= 50
    ? share
    : `${share}; the rest of the time it ran code or was blocked in a synchronous call`;
}
