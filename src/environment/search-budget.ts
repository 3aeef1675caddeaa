/**
 * How much time a test process may spend on waker searches: a share of the
 * time its hung tests and hooks already took (their timeouts), so that
 * explaining them adds at most about a tenth to a run that hangs, however many
 * tests hang; with a floor, so that the first hangs of a run with short
 * timeouts are explained. The first search of a process always runs: a single
 * hang is always explained (the heap and memory limits still apply).
 *
 * A search's cost is known only after it ran: the next one is predicted from
 * the last ones' time per MB of heap, and made only if it fits.
 */

/**
 * What searches may take in any process, however short its timeouts (ms): a
 * search or two of a heap of about 60 MB.
 */
export const BUDGET_FLOOR_MS = 5_000;

/**
 * One process's time budget for waker searches. `percent` is the option
 * `wakersBudgetPercent` (10 by default), passed at each decision: test files
 * of several projects can share a process.
 *
 * @example
 * const budget = new SearchBudget();
 * budget.addHang(1000);              // a test timed out after 1 s
 * if (budget.allows(heapMb, 10)) {   // the first search always runs
 *   const started = performance.now();
 *   search();
 *   budget.spend(performance.now() - started, heapMb);
 * }
 */
export class SearchBudget {
  private hungMs = 0;
  private spentMs = 0;
  /** The last searches' ms per MB of heap, to predict the next one. */
  private msPerMb: number | undefined;

  constructor(private readonly floorMs = BUDGET_FLOOR_MS) {}

  /** A test or hook timed out after `timeoutMs`: the budget grows. */
  addHang(timeoutMs: number): void {
    if (Number.isFinite(timeoutMs) && timeoutMs > 0) this.hungMs += timeoutMs;
  }

  /** What searches may take in all, now (ms). */
  limitMs(percent: number): number {
    return Math.max(this.floorMs, (percent / 100) * this.hungMs);
  }

  /** Time spent on searches so far (ms). */
  spent(): number {
    return this.spentMs;
  }

  /** Whether a search of a heap of `heapMb` fits in what is left. */
  allows(heapMb: number, percent: number): boolean {
    if (this.msPerMb === undefined) return true;
    return (
      this.spentMs + this.msPerMb * Math.max(1, heapMb) <= this.limitMs(percent)
    );
  }

  /** A search of a heap of `heapMb` took `ms`. */
  spend(ms: number, heapMb: number): void {
    this.spentMs += ms;
    const rate = ms / Math.max(1, heapMb);
    // Weighted to the latest: a process's heap grows, and the machine's load
    // changes.
    this.msPerMb =
      this.msPerMb === undefined ? rate : (this.msPerMb + 2 * rate) / 3;
  }
}
