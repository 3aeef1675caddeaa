/**
 * Whether a waker search fits in memory, decided before it starts: a search
 * that runs out of memory can kill the test process, and with it the run.
 *
 * A search (src/core/heap.ts) has V8 build a snapshot of the heap outside the
 * JavaScript heap and write it to a file; it is read back into typed arrays
 * (outside the heap too) and a table of its strings (inside). Measured with
 * bench/wakers-memory.js (README, Cost): at the peak, while V8 builds the
 * snapshot, the process's RSS grows by 4.5 to 5 times the heap in use for a
 * heap of code (TypeScript programs, ~140 bytes an object), 7 to 8 times for
 * one of small objects (~40 bytes each); the JavaScript heap grows by about
 * the size of the strings table, which heap.ts checks before reading it.
 *
 * Past the machine's or the container's memory the kernel kills the process;
 * past the heap's limit V8 aborts it: neither can be caught. So a search is
 * made only when NATIVE_PER_HEAP_MB times the heap in use fits in half the
 * memory free (other Jest workers may search at the same moment, as all hang
 * at once when a service is down) and in the heap's limit: a search never
 * needs more than the test process was given for its heap. With Node's
 * default heap limit (4 GB on 64-bit machines with 16 GB or more) that is a
 * heap of about 450 MB; `wakersMaxHeapMb` defaults to 400.
 */
import v8 from 'node:v8';
import os from 'node:os';

/**
 * Peak growth of the RSS during a search, per MB of heap in use: the worst
 * measured (8.1, a heap of 500 MB of small objects), rounded up.
 */
export const NATIVE_PER_HEAP_MB = 9;
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
  /** The heap's limit (`--max-old-space-size` and the young generation). */
  heapLimitMb: number;
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
    heapLimitMb: heap.heap_size_limit / MB,
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
  const need = NATIVE_PER_HEAP_MB * r.heapUsedMb;
  if (need > FREE_SHARE * r.freeMb || need > r.heapLimitMb) return 'memory';
  return null;
}
