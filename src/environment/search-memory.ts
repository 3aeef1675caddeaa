/**
 * Whether a waker search fits in memory, decided before it starts: a search
 * that runs out of memory can kill the test process, and with it the run.
 *
 * A search (src/core/heap.ts) has V8 build a snapshot of the heap outside the
 * JavaScript heap, then reads it back into typed arrays (outside it too) and
 * a table of its strings (inside it). Measured (bench/wakers-memory.js, see
 * the README's Cost section), the process's RSS grows at the peak by up to
 * NATIVE_PER_HEAP_MB times the heap in use, and the JavaScript heap by up to
 * JS_PER_HEAP_MB times it. Neither can be caught once it happens: past the
 * machine's (or the container's) memory the kernel kills the process, and
 * past `--max-old-space-size` V8 aborts it. So a search is made only when both
 * fit, with room to spare: other Jest workers may search at the same moment.
 */
import v8 from 'node:v8';
import os from 'node:os';

/** Peak growth of the RSS during a search, per MB of heap in use (measured). */
export const NATIVE_PER_HEAP_MB = 8;
/** Peak growth of the JavaScript heap during a search, per MB in use. */
export const JS_PER_HEAP_MB = 1;
/**
 * A search may use this share of the memory free when it starts (the rest for
 * other workers, which may search at the same moment).
 */
export const FREE_SHARE = 0.5;

// Tests may replace these (spyOn on a Node module is process-wide).
const {getHeapStatistics} = v8;
const {freemem} = os;
const {memoryUsage} = process;
const availableMemory = (process as {availableMemory?: () => number})
  .availableMemory;

/** What a decision reads, in MB. */
export interface MemoryReading {
  /** The JavaScript heap in use. */
  heapUsedMb: number;
  /** What the JavaScript heap may still grow by before V8 aborts. */
  heapHeadroomMb: number;
  /** Memory free for this process (the container's limit, if lower). */
  freeMb: number;
}

/** Reads the process's memory now. */
export function readMemory(): MemoryReading {
  const MB = 2 ** 20;
  const heap = getHeapStatistics();
  let free: number;
  try {
    // Node 20.13+: the container's limit (cgroup) counts too.
    free =
      typeof availableMemory === 'function'
        ? availableMemory.call(process)
        : freemem();
  } catch {
    free = freemem();
  }
  return {
    heapUsedMb: memoryUsage.call(process).heapUsed / MB,
    heapHeadroomMb: (heap.heap_size_limit - heap.used_heap_size) / MB,
    freeMb: free / MB,
  };
}

/**
 * Why a search of this process's heap must not run now, or null when it may:
 * `heap` over the user's limit, `memory` when it would not fit.
 */
export function memoryVerdict(
  r: MemoryReading,
  maxHeapMb: number,
): 'heap' | 'memory' | null {
  if (r.heapUsedMb > maxHeapMb) return 'heap';
  if (NATIVE_PER_HEAP_MB * r.heapUsedMb > FREE_SHARE * r.freeMb)
    return 'memory';
  if (JS_PER_HEAP_MB * r.heapUsedMb > r.heapHeadroomMb) return 'memory';
  return null;
}
