/**
 * This test process's waker searches, as a whole: the causes already
 * explained (waker-cache.ts), the time spent (search-budget.ts), whether one
 * failed, and so whether another may run now and, when not, the words a leaf
 * says for it.
 */
import type {TaskDump, WakerSkip} from '../core/types';
import {SearchBudget} from './search-budget';
import {memoryVerdict, type readMemory} from './search-memory';
import {WakerCache} from './waker-cache';
import {messageOf} from './errors';

interface ProcessState {
  cache: WakerCache;
  budget: SearchBudget;
  /** The first line of a failed search's error: no more searches after it. */
  failed: string | undefined;
}

export const state: ProcessState = {
  cache: new WakerCache(),
  budget: new SearchBudget(),
  failed: undefined,
};

/**
 * Starts this process's searches afresh (for tests of the environment).
 */
export function resetSearches(): void {
  state.cache = new WakerCache();
  state.budget = new SearchBudget();
  state.failed = undefined;
}

/**
 * The line under a leaf whose waker a limit kept from being looked for; the
 * same words for every leaf of one reason.
 */
export function skipOf(
  reason: WakerSkip['reason'],
  maxHeapMb: number,
): WakerSkip {
  const what = {
    heap: `not looked for: the heap was over \`wakersMaxHeapMb\` (${maxHeapMb} MB)`,
    memory:
      'not looked for: a heap snapshot would need more memory than this test process has to spare',
    budget:
      'not looked for: this test process has spent its time for waker searches (see `wakersBudgetPercent`)',
    failed: 'not looked for: an earlier search in this test process failed',
  }[reason];
  return {reason, what};
}

/** Why no search may run now (an earlier one failed, memory, the budget). */
export function skipReason(
  memory: ReturnType<typeof readMemory>,
  options: {maxHeapMb: number; budgetPercent: number},
): WakerSkip['reason'] | null {
  if (state.failed !== undefined) return 'failed';
  return (
    memoryVerdict(memory, options.maxHeapMb) ??
    (state.budget.allows(memory.heapUsedMb, options.budgetPercent)
      ? null
      : 'budget')
  );
}

/** A search that failed: said in one line, and the process's last. */
export function searchFailed(dump: TaskDump, e: unknown): void {
  const why = messageOf(e).split('\n')[0];
  state.failed = why;
  dump.wakerNote = `What could settle each promise could not be looked for: the search failed (${why}); no more searches are made in this test process.`;
}
